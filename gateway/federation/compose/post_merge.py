"""Checks on the merged supergraph: every interface field implemented, every `@requires` valid
against the merged types, the supergraph valid GraphQL, and its API schema (what remains without
`@inaccessible` elements) consistent."""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from .errors import Code, CompositionError, in_subgraph, subgraph_list
from .federation_rules import print_applied
from .fieldset import FieldSetError, parse_field_set
from .schema import (
    MISSING,
    EnumType,
    FieldDefinition,
    FieldsType,
    InputObjectType,
    InputValue,
    InterfaceType,
    ListRef,
    NonNullRef,
    ObjectType,
    Schema,
    UnionType,
    base_name,
)
from .validate_graphql import schema_rules

if TYPE_CHECKING:
    from .merge import Merger

UNKNOWN_ARGUMENT = re.compile(r'Unknown argument "(?P<arg>[^"]*)" found in value: "(?P<field>[^"]*)" has no argument.*')
MISSING_ARGUMENT = re.compile(r'Missing mandatory value for argument "(?P<arg>[^"]*)" of field "(?P<field>[^"]*)".*')


def _argument_undefined(definition: FieldDefinition, arg: str) -> bool:
    return arg not in definition.arguments


def _argument_required(definition: FieldDefinition, arg: str) -> bool:
    return arg in definition.arguments and definition.arguments[arg].is_required()


def _unknown_argument(arg: str, field: str, names: str) -> str:
    return (
        f'cannot provide a value for argument "{arg}" of field "{field}" as argument "{arg}" is not defined in {names}'
    )


def _missing_argument(arg: str, field: str, names: str) -> str:
    return (
        f'no value provided for argument "{arg}" of field "{field}" but a value is mandatory as "{arg}" is required '
        f"in {names}"
    )


# what a @requires that fits its subgraph but not the merged field can get wrong: (message, test, description)
ARGUMENT_PROBLEMS: tuple[
    tuple[re.Pattern[str], Callable[[FieldDefinition, str], bool], Callable[[str, str, str], str]], ...
] = (
    (UNKNOWN_ARGUMENT, _argument_undefined, _unknown_argument),
    (MISSING_ARGUMENT, _argument_required, _missing_argument),
)


def post_merge_validations(merger: Merger) -> None:
    _interface_fields(merger)
    _requires_on_supergraph(merger)
    if merger.errors:
        return
    merger.errors.extend(schema_rules(merger.merged))
    if merger.errors:
        return
    if merger.inaccessible is not None:
        merger.errors.extend(inaccessible_errors(merger.merged, merger.inaccessible))


def _interface_fields(merger: Merger) -> None:
    schema = merger.merged
    for type_ in schema.types.values():
        if not isinstance(type_, ObjectType | InterfaceType):
            continue
        for interface_name in type_.interface_names():
            interface = schema.type(interface_name)
            if not isinstance(interface, InterfaceType):
                continue
            for interface_field in interface.fields.values():
                if interface_field.name in type_.fields:
                    continue
                with_field = [
                    s.name
                    for s in merger.subgraphs
                    if isinstance(t := s.schema.type(interface.name), InterfaceType)
                    and interface_field.name in t.fields
                ]
                implementing = [
                    s.name
                    for s in merger.subgraphs
                    if isinstance(t := s.schema.type(type_.name), FieldsType) and t.implements(interface.name)
                ]
                merger.errors.append(
                    CompositionError(
                        Code.INTERFACE_FIELD_NO_IMPLEM,
                        f'Interface field "{interface_field.coordinate}" is declared in '
                        f'{subgraph_list(with_field)} but type "{type_.name}", which implements "{interface.name}" '
                        f'only in {subgraph_list(implementing)} does not have field "{interface_field.name}".',
                    )
                )


def _requires_on_supergraph(merger: Merger) -> None:
    """A `@requires` must also select valid fields of the merged type (arguments of other subgraphs)."""
    for subgraph in merger.subgraphs:
        for requires in subgraph.applications("requires"):
            original = requires.parent
            merged_type = merger.merged.type(original.parent.name)
            fields = requires.args.get("fields")
            if not isinstance(merged_type, FieldsType | UnionType) or not isinstance(fields, str):
                continue
            try:
                parse_field_set(merger.merged, merged_type, fields)
            except FieldSetError as error:
                printed = print_applied(subgraph.schema, requires)
                for pattern, incompatible, describe in ARGUMENT_PROBLEMS:
                    match = pattern.match(error.message)
                    if match is None:
                        continue
                    arg, coordinate = match.group("arg"), match.group("field")
                    others = [
                        other.name
                        for other in merger.subgraphs
                        if other is not subgraph
                        and isinstance(found := other.schema.element(coordinate), FieldDefinition)
                        and incompatible(found, arg)
                    ]
                    merger.errors.append(
                        in_subgraph(
                            subgraph.name,
                            CompositionError(
                                Code.REQUIRES_INVALID_FIELDS,
                                f'On field "{original.coordinate}", for {printed}: '
                                + describe(arg, coordinate, subgraph_list(others)),
                            ),
                        )
                    )
                    break


# --- @inaccessible -----------------------------------------------------------------------------------


def inaccessible_errors(schema: Schema, inaccessible: str) -> list[CompositionError]:
    """Rules that keep the API schema valid once `@inaccessible` elements are removed."""
    errors: list[CompositionError] = []

    def hidden(element: Any) -> bool:
        return bool(element.has(inaccessible))

    def in_api(element: Any) -> bool:
        if hidden(element):
            return False
        parent = getattr(element, "parent", None)
        if isinstance(element, FieldDefinition | InputValue) or element.__class__.__name__ == "EnumValue":
            return in_api(parent) if parent is not None and not isinstance(parent, Schema) else True
        return True

    types = [t for t in schema.user_types() if not t.name.startswith(("join__", "link__"))]
    defaults = default_value_referencers(schema)
    for type_ in types:
        if hidden(type_):
            for referencer in _referencers(schema, type_.name):
                if in_api(referencer):
                    errors.append(
                        CompositionError(
                            Code.REFERENCED_INACCESSIBLE,
                            f'Type "{type_.name}" is @inaccessible but is referenced by "{referencer.coordinate}", '
                            "which is in the API schema.",
                        )
                    )
            if schema.schema_definition.root("query") == type_.name:
                errors.append(
                    CompositionError(
                        Code.QUERY_ROOT_TYPE_INACCESSIBLE,
                        f'Type "{type_.name}" is @inaccessible but is the root query type, which must be in the API '
                        "schema.",
                    )
                )
            continue
        errors.extend(_only_inaccessible_children(schema, type_, hidden))
        if isinstance(type_, ObjectType | InterfaceType):
            errors.extend(_inaccessible_fields(schema, type_, hidden, in_api))
        elif isinstance(type_, InputObjectType):
            for input_field in type_.fields.values():
                if not hidden(input_field):
                    continue
                if input_field.is_required():
                    errors.append(
                        CompositionError(
                            Code.REQUIRED_INACCESSIBLE,
                            f'Input field "{input_field.coordinate}" is @inaccessible but is a required input field of '
                            "its type.",
                        )
                    )
                errors.extend(
                    _used_in_defaults(f'Input field "{input_field.coordinate}"', input_field, defaults, in_api)
                )
        elif isinstance(type_, EnumType):
            for value in type_.values.values():
                if hidden(value):
                    errors.extend(_used_in_defaults(f'Enum value "{value.coordinate}"', value, defaults, in_api))
    return errors


def _used_in_defaults(what: str, element: Any, defaults: dict[int, list[Any]], in_api: Any) -> list[CompositionError]:
    return [
        CompositionError(
            Code.DEFAULT_VALUE_USES_INACCESSIBLE,
            f'{what} is @inaccessible but is used in the default value of "{referencer.coordinate}", which is in the '
            "API schema.",
        )
        for referencer in defaults.get(id(element), [])
        if in_api(referencer)
    ]


def default_value_referencers(schema: Schema) -> dict[int, list[Any]]:
    """For each input field and enum value, the arguments and input fields whose default uses it."""
    referencers: dict[int, list[Any]] = {}

    def add(value: Any, type_ref: Any, referencer: Any) -> None:
        if value is None or value is MISSING:
            return
        if isinstance(type_ref, NonNullRef):
            add(value, type_ref.of, referencer)
            return
        if isinstance(value, list):
            if isinstance(type_ref, ListRef):
                for item in value:
                    add(item, type_ref.of, referencer)
            return
        if isinstance(type_ref, ListRef):
            add(value, type_ref.of, referencer)
            return
        named = schema.type(type_ref.name)
        if isinstance(value, dict) and isinstance(named, InputObjectType):
            for name, input_field in named.fields.items():
                if name in value:
                    referencers.setdefault(id(input_field), []).append(referencer)
                    add(value[name], input_field.type, referencer)
        elif isinstance(value, str) and isinstance(named, EnumType) and value in named.values:
            referencers.setdefault(id(named.values[value]), []).append(referencer)

    for type_ in schema.types.values():
        if isinstance(type_, ObjectType | InterfaceType):
            for definition in type_.fields.values():
                for argument in definition.arguments.values():
                    add(argument.default, argument.type, argument)
        elif isinstance(type_, InputObjectType):
            for input_field in type_.fields.values():
                add(input_field.default, input_field.type, input_field)
    for directive in schema.directive_definitions.values():
        if not directive.built_in:
            for argument in directive.arguments.values():
                add(argument.default, argument.type, argument)
    return referencers


def _referencers(schema: Schema, type_name: str) -> list[Any]:
    found: list[Any] = []
    for type_ in schema.types.values():
        if isinstance(type_, ObjectType | InterfaceType):
            for definition in type_.fields.values():
                if base_name(definition.type) == type_name:
                    found.append(definition)
                found.extend(a for a in definition.arguments.values() if base_name(a.type) == type_name)
        elif isinstance(type_, InputObjectType):
            found.extend(f for f in type_.fields.values() if base_name(f.type) == type_name)
    return found


def _only_inaccessible_children(schema: Schema, type_: Any, hidden: Any) -> list[CompositionError]:
    if isinstance(type_, ObjectType | InterfaceType | InputObjectType):
        children, what = (
            list(type_.fields.values()),
            ("input fields" if isinstance(type_, InputObjectType) else "fields"),
        )
    elif isinstance(type_, UnionType):
        children = [schema.types[name] for name in type_.member_names() if name in schema.types]
        what = "members"
    elif isinstance(type_, EnumType):
        children, what = list(type_.values.values()), "values"
    else:
        return []
    if children and all(hidden(child) for child in children):
        return [
            CompositionError(
                Code.ONLY_INACCESSIBLE_CHILDREN,
                f'Type "{type_.name}" is in the API schema but all of its {what} are @inaccessible.',
            )
        ]
    return []


def _inaccessible_fields(schema: Schema, type_: Any, hidden: Any, in_api: Any) -> list[CompositionError]:
    errors = []
    implementing = []
    if isinstance(type_, InterfaceType):
        implementing = [t for t in schema.types.values() if isinstance(t, FieldsType) and t.implements(type_.name)]
    for definition in type_.fields.values():
        if hidden(definition):
            for interface_name in type_.interface_names():
                interface = schema.type(interface_name)
                implemented = interface.fields.get(definition.name) if isinstance(interface, FieldsType) else None
                if implemented is not None and in_api(implemented):
                    errors.append(
                        CompositionError(
                            Code.IMPLEMENTED_BY_INACCESSIBLE,
                            f'Field "{definition.coordinate}" is @inaccessible but implements the interface field '
                            f'"{implemented.coordinate}", which is in the API schema.',
                        )
                    )
            continue
        for argument in definition.arguments.values():
            if not hidden(argument):
                continue
            if argument.is_required():
                errors.append(
                    CompositionError(
                        Code.REQUIRED_INACCESSIBLE,
                        f'Argument "{argument.coordinate}" is @inaccessible but is a required argument of its field.',
                    )
                )
            for implementation in implementing:
                implementing_field = implementation.fields.get(definition.name)
                implementing_argument = implementing_field.arguments.get(argument.name) if implementing_field else None
                if (
                    implementing_argument is not None
                    and in_api(implementing_argument)
                    and implementing_argument.is_required()
                ):
                    errors.append(
                        CompositionError(
                            Code.REQUIRED_INACCESSIBLE,
                            f'Argument "{argument.coordinate}" is @inaccessible but is implemented by the required '
                            f'argument "{implementing_argument.coordinate}", which is in the API schema.',
                        )
                    )
            for interface_name in type_.interface_names():
                interface = schema.type(interface_name)
                implemented_field = interface.fields.get(definition.name) if isinstance(interface, FieldsType) else None
                implemented_argument = implemented_field.arguments.get(argument.name) if implemented_field else None
                if implemented_argument is not None and in_api(implemented_argument):
                    errors.append(
                        CompositionError(
                            Code.IMPLEMENTED_BY_INACCESSIBLE,
                            f'Argument "{argument.coordinate}" is @inaccessible but implements the interface argument '
                            f'"{implemented_argument.coordinate}", which is in the API schema.',
                        )
                    )
    return errors
