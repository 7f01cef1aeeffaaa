"""GraphQL's own rules for a subgraph (or the supergraph): directives known, the type system
document valid, types not empty, implementations that fit their interfaces."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from graphql.language import ast

from .directive_names import directive_nodes_in_build_order
from .errors import Code, CompositionError
from .fieldset import is_valid_value
from .schema import (
    MISSING,
    DirectiveDefinition,
    EnumType,
    FieldsType,
    InputObjectType,
    InputValue,
    InterfaceType,
    ListRef,
    NamedRef,
    NonNullRef,
    ObjectType,
    Schema,
    TypeRef,
    UnionType,
)
from .subgraph import Subgraph
from .suggestions import did_you_mean, suggestion_list
from .values import value_to_string


def invalid(message: str) -> CompositionError:
    return CompositionError(Code.INVALID_GRAPHQL, message)


def graphql_rules(subgraph: Subgraph, document: ast.DocumentNode) -> list[CompositionError]:
    """GraphQL's rules for applied directives in a type system document (graphql-js 16's wording):
    allowed at their location, not repeated unless repeatable, arguments known and required ones
    given. (Duplicate names and unknown types stop the build earlier, with Apollo's wording.)"""
    schema = subgraph.schema
    errors: list[CompositionError] = []
    for node, location in directive_nodes_in_build_order(document):
        name = node.name.value
        definition = schema.directive(name)
        if definition is None:
            continue
        if location not in definition.locations:
            errors.append(invalid(f'Directive "@{name}" may not be used on {location}.'))
        errors.extend(_argument_errors(node, definition))
    for owner in _directive_owners(document):
        used: set[str] = set()
        for node in owner.directives or ():
            name = node.name.value
            definition = schema.directive(name)
            if definition is not None and not definition.repeatable and name in used:
                errors.append(invalid(f'The directive "@{name}" can only be used once at this location.'))
            used.add(name)
    return errors


def _directive_owners(document: ast.DocumentNode) -> Iterator[Any]:
    for node in document.definitions:
        yield node
        for child in getattr(node, "fields", None) or ():
            yield child
            yield from getattr(child, "arguments", None) or ()
        yield from getattr(node, "values", None) or ()
        if isinstance(node, ast.DirectiveDefinitionNode):
            yield from node.arguments or ()


def _argument_errors(node: ast.DirectiveNode, definition: DirectiveDefinition) -> list[CompositionError]:
    errors = []
    directive = node.name.value
    given = list(dict.fromkeys(argument.name.value for argument in node.arguments or ()))
    for name in given:
        if name not in definition.arguments:
            suggestions = did_you_mean(suggestion_list(name, definition.arguments))
            errors.append(invalid(f'Unknown argument "{name}" on directive "@{directive}".{suggestions}'))
    for name, expected in definition.arguments.items():
        if expected.is_required() and name not in given:
            errors.append(
                invalid(
                    f'Directive "@{directive}" argument "{name}" of type "{expected.type}" is required, but '
                    "it was not provided."
                )
            )
    return errors


def is_subtype(schema: Schema, super_type: TypeRef, sub_type: TypeRef) -> bool:
    """GraphQL's covariance for implementations: `sub_type` can stand where `super_type` is expected."""
    if super_type == sub_type:
        return True
    if isinstance(sub_type, NonNullRef):
        inner = super_type.of if isinstance(super_type, NonNullRef) else super_type
        return is_subtype(schema, inner, sub_type.of)
    if isinstance(super_type, NonNullRef):
        return False
    if isinstance(super_type, ListRef):
        return isinstance(sub_type, ListRef) and is_subtype(schema, super_type.of, sub_type.of)
    if isinstance(sub_type, ListRef) or not isinstance(super_type, NamedRef):
        return False
    target = schema.type(super_type.name)
    if isinstance(target, UnionType):
        return target.has_member(sub_type.name)
    if isinstance(target, InterfaceType):
        return any(t.name == sub_type.name for t in schema.possible_runtime_types(target.name)) or (
            isinstance(sub := schema.type(sub_type.name), InterfaceType) and sub.implements(target.name)
        )
    return False


def schema_rules(schema: Schema) -> list[CompositionError]:
    """What graphql-js checks of a built schema: non-empty types, valid implementations."""
    errors: list[CompositionError] = []
    for type_ in schema.user_types():
        if type_.name.startswith("__"):
            errors.append(
                invalid(f'Name "{type_.name}" must not begin with "__", which is reserved by GraphQL introspection.')
            )
        if isinstance(type_, ObjectType | InterfaceType) and not type_.fields:
            errors.append(invalid(f"Type {type_.name} must define one or more fields."))
        elif isinstance(type_, InputObjectType):
            if not type_.fields:
                errors.append(invalid(f"Input Object type {type_.name} must define one or more fields."))
            for input_field in type_.fields.values():
                errors.extend(_default_value_errors(schema, input_field, "input field"))
        elif isinstance(type_, UnionType) and not type_.members:
            errors.append(invalid(f"Union type {type_.name} must define one or more member types."))
        elif isinstance(type_, EnumType):
            if not type_.values:
                errors.append(invalid(f"Enum type {type_.name} must define one or more values."))
            for name in type_.values:
                if name in ("true", "false", "null"):
                    errors.append(invalid(f"Enum type {type_.name} cannot include value: {name}."))
        if isinstance(type_, ObjectType | InterfaceType):
            for definition in type_.fields.values():
                for argument in definition.arguments.values():
                    errors.extend(_default_value_errors(schema, argument, "argument"))
    if errors:
        return errors
    for type_ in schema.user_types():
        if isinstance(type_, ObjectType | InterfaceType):
            errors.extend(_implementation_errors(schema, type_))
    return errors


def _default_value_errors(schema: Schema, value: InputValue, kind: str) -> list[CompositionError]:
    errors = []
    if value.is_required() and value.has("deprecated"):
        label = "Required input field" if kind == "input field" else "Required argument"
        errors.append(invalid(f"{label} {value.coordinate} cannot be deprecated."))
    if value.default is not MISSING and not is_valid_value(schema, value.default, value.type):
        errors.append(
            invalid(
                f"Invalid default value (got: {value_to_string(value.default)}) provided for {kind} "
                f"{value.coordinate} of type {value.type}."
            )
        )
    return errors


def _implementation_errors(schema: Schema, type_: FieldsType) -> list[CompositionError]:
    errors = []
    if type_.implements(type_.name):
        errors.append(
            invalid(f"Type {type_.name} cannot implement itself because it would create a circular reference.")
        )
    for interface_name in type_.interface_names():
        interface = schema.type(interface_name)
        if not isinstance(interface, InterfaceType):
            continue
        for interface_field in interface.fields.values():
            definition = type_.fields.get(interface_field.name)
            if definition is None:
                errors.append(
                    invalid(
                        f"Interface field {interface_field.coordinate} expected but {type_.name} does not provide it."
                    )
                )
                continue
            if not is_subtype(schema, interface_field.type, definition.type):
                errors.append(
                    invalid(
                        f"Interface field {interface_field.coordinate} expects type {interface_field.type} but "
                        f"{definition.coordinate} of type {definition.type} is not a proper subtype."
                    )
                )
            for interface_arg in interface_field.arguments.values():
                argument = definition.arguments.get(interface_arg.name)
                if argument is None:
                    errors.append(
                        invalid(
                            f"Interface field argument {interface_arg.coordinate} expected but "
                            f"{definition.coordinate} does not provide it."
                        )
                    )
                elif argument.type != interface_arg.type:
                    errors.append(
                        invalid(
                            f"Interface field argument {interface_arg.coordinate} expects type {interface_arg.type} "
                            f"but {argument.coordinate} is type {argument.type}."
                        )
                    )
            for argument in definition.arguments.values():
                if argument.name not in interface_field.arguments and argument.is_required():
                    errors.append(
                        invalid(
                            f"Field {definition.coordinate} includes required argument {argument.name} that is "
                            f"missing from the Interface field {interface_field.coordinate}."
                        )
                    )
        for inherited in interface.interface_names():
            if not type_.implements(inherited):
                if inherited == type_.name:
                    errors.append(
                        invalid(
                            f"Type {type_.name} cannot implement {interface.name} because it would create a "
                            "circular reference."
                        )
                    )
                else:
                    errors.append(
                        invalid(
                            f"Type {type_.name} must implement {inherited} because it is implemented by "
                            f"{interface.name}."
                        )
                    )
    return errors
