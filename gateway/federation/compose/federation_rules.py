"""Federation's rules for one federation 2 subgraph: the field sets of `@key`, `@requires` and
`@provides` fit their types (and select `@external` fields where they must), every `@external`
field is used, `@shareable` only on object fields, interface keys repeated on the implementations,
`@interfaceObject` only on entities, auth directives not on interfaces."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from graphql import print_ast
from graphql.language import ast

from .context_rules import context_errors
from .errors import Code, CompositionError, human_list
from .fieldset import (
    FieldSelection,
    FieldSetError,
    FragmentSelection,
    Selection,
    default_accessor,
    parse_field_set,
    to_string,
)
from .links import Version
from .printer import print_directive
from .schema import (
    Directive,
    FieldDefinition,
    FieldsType,
    InterfaceType,
    ListRef,
    NonNullRef,
    ObjectType,
    Schema,
    UnionType,
    base_name,
)
from .subgraph import Subgraph


class FederationRules:
    def __init__(self, subgraph: Subgraph) -> None:
        self.subgraph = subgraph
        self.schema = subgraph.schema
        self.errors: list[CompositionError] = []

    def run(self) -> list[CompositionError]:
        try:
            return self._run()
        except StopValidation as stop:
            return [stop.error]

    def _run(self) -> list[CompositionError]:
        subgraph = self.subgraph
        assert subgraph.federation is not None
        allow_key_on_interface = subgraph.federation.url.version >= Version(2, 3)
        for key in subgraph.applications("key"):
            self._field_set(key, key.parent, "key", on_type=True, allow_on_interface=allow_key_on_interface)
        for requires in subgraph.applications("requires"):
            self._field_set(requires, requires.parent.parent, "requires", allow_arguments=True)
        for provides in subgraph.applications("provides"):
            definition = provides.parent
            target = self.schema.type(base_name(definition.type))
            if subgraph.is_external(definition):
                # this stops validation, as in Apollo: the one error is reported
                return [
                    CompositionError(
                        Code.EXTERNAL_COLLISION_WITH_ANOTHER_DIRECTIVE,
                        f'Cannot have both @provides and @external on field "{definition.coordinate}"',
                    )
                ]
            if not isinstance(target, FieldsType | UnionType):
                return [
                    CompositionError(
                        Code.PROVIDES_ON_NON_OBJECT_FIELD,
                        f'Invalid @provides directive on field "{definition.coordinate}": field has type '
                        f'"{definition.type}" which is not a Composite Type',
                    )
                ]
            self._field_set(provides, target, "provides", interface_parent=definition.parent)
        self.errors.extend(context_errors(self.subgraph))
        self._externals()
        self._interface_keys()
        self._interface_objects()
        self._shareable()
        self.errors.extend(cost_errors(self.subgraph))
        self._auth_on_interfaces()
        return self.errors

    # field sets -----------------------------------------------------------------------------------

    def _field_set(
        self,
        directive: Directive,
        target: Any,
        name: str,
        on_type: bool = False,
        allow_on_interface: bool = False,
        allow_arguments: bool = False,
        interface_parent: Any = None,
    ) -> None:
        upper = name.upper()
        holder: Any = directive.parent
        parent_type = target if on_type else (interface_parent or holder.parent)
        if isinstance(parent_type, InterfaceType) and not allow_on_interface:
            if on_type:
                message = (
                    f'Cannot use @{name} on interface "{parent_type.name}": @{name} is not yet supported on interfaces'
                )
            else:
                message = (
                    f'Cannot use @{name} on {describe_target(directive)} of parent type "{parent_type.name}": '
                    f"@{name} is not yet supported within interfaces"
                )
            self.errors.append(CompositionError(f"{upper}_UNSUPPORTED_ON_INTERFACE", message))
        fields = directive.args.get("fields")
        if not isinstance(fields, str) or not _string_node(directive):
            self.errors.append(
                CompositionError(
                    f"{upper}_INVALID_FIELDS_TYPE", 'Invalid value for argument "fields": must be a string.'
                )
            )
            return

        def on_field(type_: Any, field_name: str) -> Any:
            found = default_accessor(self.schema)(type_, field_name)
            if name == "key" and isinstance(found, FieldDefinition):
                field_type = self.schema.type(base_name(found.type))
                if isinstance(field_type, UnionType | InterfaceType):
                    kind = "Union" if isinstance(field_type, UnionType) else "Interface"
                    raise FieldSetError(
                        f'field "{found.coordinate}" is a {kind} type which is not allowed in @key',
                        Code.KEY_FIELDS_SELECT_INVALID_TYPE,
                    )
            return found

        try:
            selections = parse_field_set(self.schema, target, fields, on_field)
            for field_selection in _all_fields(selections):
                if field_selection.alias:
                    element = field_selection.element_string(self.schema)
                    raise FieldSetError(
                        f'Cannot use alias "{field_selection.alias}" in "{element}": '
                        f"aliases are not currently supported in @{directive.name}"
                    )
        except FieldSetError as error:
            self.errors.append(field_set_error(directive, name, error))
            return
        self._selections(directive, name, selections, False, allow_arguments, name == "key")

    def _selections(
        self,
        directive: Directive,
        name: str,
        selections: list[Selection],
        external_in_parents: bool,
        allow_arguments: bool,
        allow_non_external_leaves: bool,
    ) -> None:
        upper = name.upper()
        prefix = field_set_prefix(directive)
        for selection in selections:
            if selection.directives:
                applied = ", ".join(print_ast(d) for d in selection.directives)
                self.errors.append(
                    CompositionError(
                        f"{upper}_DIRECTIVE_IN_FIELDS_ARG",
                        f"{prefix}: cannot have directive applications in the @{directive.name}(fields:) argument "
                        f"but found {applied}.",
                    )
                )
            if isinstance(selection, FragmentSelection):
                self._selections(
                    directive,
                    name,
                    selection.selections,
                    external_in_parents,
                    allow_arguments,
                    allow_non_external_leaves,
                )
                continue
            definition = selection.definition
            if not isinstance(definition, FieldDefinition):
                continue
            external = self.subgraph.is_external(definition)
            if not allow_arguments and definition.arguments:
                self.errors.append(
                    CompositionError(
                        f"{upper}_FIELDS_HAS_ARGS",
                        f"{prefix}: field {definition.coordinate} cannot be included because it has arguments "
                        f"(fields with argument are not allowed in @{directive.name})",
                    )
                )
            must_be_external = (
                selection.selections is None and not allow_non_external_leaves and not external_in_parents
            )
            if must_be_external and not external:
                if self.subgraph.is_fake_external(definition):
                    message = (
                        f'field "{definition.coordinate}" should not be part of a @{directive.name} since it is '
                        'already "effectively" provided by this subgraph (while it is marked @external, it is a '
                        "@key field of an extension type, which are not internally considered external for "
                        "historical/backward compatibility reasons)"
                    )
                else:
                    message = (
                        f'field "{definition.coordinate}" should not be part of a @{directive.name} since it is '
                        "already provided by this subgraph (it is not marked @external)"
                    )
                self.errors.append(CompositionError(f"{upper}_FIELDS_MISSING_EXTERNAL", f"{prefix}: {message}"))
            if selection.selections is not None:
                in_external = external_in_parents or external
                if not in_external and isinstance(definition.parent, InterfaceType):
                    for implementation in self.schema.possible_runtime_types(definition.parent.name):
                        implementing = implementation.fields.get(definition.name)
                        if implementing is not None and self.subgraph.is_external(implementing):
                            in_external = True
                            break
                self._selections(
                    directive, name, selection.selections, in_external, allow_arguments, allow_non_external_leaves
                )

    # other rules ----------------------------------------------------------------------------------

    def _externals(self) -> None:
        for interface in self.schema.interface_types():
            for definition in interface.fields.values():
                if self.subgraph.is_external(definition):
                    self.errors.append(
                        CompositionError(
                            Code.EXTERNAL_ON_INTERFACE,
                            f'Interface type field "{definition.coordinate}" is marked @external but @external is not '
                            "allowed on interface fields (it is nonsensical).",
                        )
                    )
        for type_ in self.schema.types.values():
            if not isinstance(type_, ObjectType | InterfaceType):
                continue
            for definition in type_.fields.values():
                if self.subgraph.is_external(definition) and not self.subgraph.is_used(definition):
                    self.errors.append(
                        CompositionError(
                            Code.EXTERNAL_UNUSED,
                            f'Field "{definition.coordinate}" is marked @external but is not used in any federation '
                            "directive (@key, @provides, @requires) or to satisfy an interface; the field declaration "
                            "has no use and should be removed (or the field should not be @external).",
                        )
                    )

    def _interface_keys(self) -> None:
        for interface in self.schema.interface_types():
            implementations = self.schema.possible_runtime_types(interface.name)
            for key in self.subgraph.applied(interface, "key"):
                fields = key_string(self.schema, interface, key)
                resolvable = key.args.get("resolvable") is not False
                missing, not_resolvable = [], []
                for implementation in implementations:
                    matching = next(
                        (
                            k
                            for k in self.subgraph.applied(implementation, "key")
                            if key_string(self.schema, implementation, k) == fields
                        ),
                        None,
                    )
                    if matching is None:
                        missing.append(implementation)
                    elif resolvable and matching.args.get("resolvable") is False:
                        not_resolvable.append(implementation)
                printed = print_applied(self.schema, key)
                if missing:
                    types = human_list([f'"{t.name}"' for t in missing], "type", "types")
                    self.errors.append(
                        CompositionError(
                            Code.INTERFACE_KEY_NOT_ON_IMPLEMENTATION,
                            f'Key {printed} on interface type "{interface.name}" is missing on implementation {types}.',
                        )
                    )
                elif not_resolvable:
                    types = human_list([f'"{t.name}"' for t in not_resolvable], "type", "types")
                    self.errors.append(
                        CompositionError(
                            Code.INTERFACE_KEY_NOT_ON_IMPLEMENTATION,
                            f'Key {printed} on interface type "{interface.name}" should be resolvable on all '
                            'implementation types, but is declared with argument "@key(resolvable:)" set to false '
                            f"in {types}.",
                        )
                    )

    def _interface_objects(self) -> None:
        for application in self.subgraph.applications("interfaceObject"):
            if not self.subgraph.is_entity(application.parent):
                self.errors.append(
                    CompositionError(
                        Code.INTERFACE_OBJECT_USAGE_ERROR,
                        "The @interfaceObject directive can only be applied to entity types but type "
                        f'"{application.parent.name}" has no @key in this subgraph.',
                    )
                )

    def _shareable(self) -> None:
        shareable = self.subgraph.directive_name("shareable")
        for type_ in self.schema.object_types():
            for element in (type_, *type_.fields.values()):
                groups: dict[int, list[Directive]] = {}
                for application in element.applied(shareable):
                    groups.setdefault(id(application.extension), []).append(application)
                if any(len(group) > 1 for group in groups.values()):
                    where = (
                        f'the same type declaration of "{element.coordinate}"'
                        if element is type_
                        else f'field "{element.coordinate}"'
                    )
                    self.errors.append(
                        CompositionError(
                            Code.INVALID_SHAREABLE_USAGE,
                            f"Invalid duplicate application of @shareable on {where}: @shareable is only repeatable "
                            "on types so it can be used simultaneously on a type definition and its extensions, but "
                            "it should not be duplicated on the same definition/extension declaration",
                        )
                    )
        for application in self.schema.applications(shareable):
            target = application.parent
            if isinstance(target, FieldDefinition) and not isinstance(target.parent, ObjectType):
                self.errors.append(
                    CompositionError(
                        Code.INVALID_SHAREABLE_USAGE,
                        f'Invalid use of @shareable on field "{target.coordinate}": only object type fields can be '
                        "marked with @shareable",
                    )
                )

    def _auth_on_interfaces(self) -> None:
        for directive in ("authenticated", "requiresScopes", "policy"):
            name = self.subgraph.directive_name(directive)
            for application in self.schema.applications(name):
                element: Any = application.parent
                kind = None
                if isinstance(element, InterfaceType):
                    kind = "interface"
                elif self.subgraph.is_interface_object(element):
                    kind = "interface object"
                elif isinstance(element, FieldDefinition) and isinstance(element.parent, InterfaceType):
                    kind = "field"
                if kind is not None:
                    self.errors.append(
                        CompositionError(
                            "AUTH_REQUIREMENTS_APPLIED_ON_INTERFACE",
                            f'Invalid use of @{name} on {kind} "{element.coordinate}": @{name} cannot be applied on '
                            "interfaces, interface fields and interface objects",
                        )
                    )


def _string_node(directive: Directive) -> bool:
    if directive.node is None:
        return True
    for argument in directive.node.arguments or ():
        if argument.name.value == "fields":
            return isinstance(argument.value, ast.StringValueNode)
    return True


def _all_fields(selections: list[Selection]) -> list[FieldSelection]:
    found: list[FieldSelection] = []
    for selection in selections:
        if isinstance(selection, FieldSelection):
            found.append(selection)
        if selection.selections:
            found.extend(_all_fields(selection.selections))
    return found


def describe_target(directive: Directive) -> str:
    parent = directive.parent
    kind = "field" if isinstance(parent, FieldDefinition) else "type"
    return f'{kind} "{parent.coordinate if parent is not None else ""}"'


def field_set_prefix(directive: Directive) -> str:
    return f"On {describe_target(directive)}, for {print_applied(None, directive)}"


def print_applied(schema: Schema | None, directive: Directive) -> str:
    """The directive as written (graphql-js' printer), or as Apollo prints an application."""
    if directive.node is not None:
        return print_ast(directive.node)
    return print_directive(directive, schema) if schema is not None else f"@{directive.name}"


def field_set_error(directive: Directive, name: str, error: FieldSetError) -> CompositionError:
    """A field set that does not fit its type, worded as Apollo words it."""
    message = error.message.strip()
    if message.startswith("Cannot query field"):
        message = message.rstrip(".")
        if name == "key":
            message += (
                " (the field should either be added to this subgraph or, if it should not be resolved by "
                "this subgraph, you need to add it to this subgraph with @external)."
            )
        else:
            message += (
                " (if the field is defined in another subgraph, you need to add it to this subgraph with @external)."
            )
    return CompositionError(error.code or f"{name.upper()}_INVALID_FIELDS", f"{field_set_prefix(directive)}: {message}")


def cost_errors(subgraph: Subgraph) -> list[CompositionError]:
    """`@cost` not on interface fields; `@listSize` on lists, with sensible sizes and arguments."""
    errors = []
    for application in subgraph.applications("cost") if subgraph.directive_name("cost") else []:
        parent = application.parent
        if isinstance(parent, FieldDefinition) and isinstance(parent.parent, InterfaceType):
            errors.append(
                CompositionError(
                    "COST_APPLIED_TO_INTERFACE_FIELD", f'@cost cannot be applied to interface "{parent.coordinate}"'
                )
            )
    for application in subgraph.applications("listSize") if subgraph.directive_name("listSize") else []:
        errors.extend(_list_size_errors(subgraph, application))
    return errors


def _as_list(value: Any) -> list[Any]:
    if value is None:
        return []
    return value if isinstance(value, list) else [value]


def _is_list(type_ref: Any) -> bool:
    return isinstance(type_ref, ListRef) or (isinstance(type_ref, NonNullRef) and isinstance(type_ref.of, ListRef))


def _list_size_errors(subgraph: Subgraph, application: Directive) -> list[CompositionError]:
    errors = []
    parent: Any = application.parent
    sized = _as_list(application.args.get("sizedFields"))
    if not sized and not _is_list(parent.type):
        errors.append(CompositionError("LIST_SIZE_APPLIED_TO_NON_LIST", f'"{parent.coordinate}" is not a list'))
    assumed = application.args.get("assumedSize")
    if isinstance(assumed, int | float) and not isinstance(assumed, bool) and assumed < 0:
        errors.append(
            CompositionError(
                "LIST_SIZE_INVALID_ASSUMED_SIZE", f'Assumed size of "{parent.coordinate}" cannot be negative'
            )
        )
    for name in _as_list(application.args.get("slicingArguments")):
        argument = parent.arguments.get(name)
        if argument is None:
            errors.append(
                CompositionError(
                    "LIST_SIZE_INVALID_SLICING_ARGUMENT",
                    f'Slicing argument "{name}" is not an argument of "{parent.coordinate}"',
                )
            )
        elif str(argument.type) not in ("Int", "Int!"):
            errors.append(
                CompositionError(
                    "LIST_SIZE_INVALID_SLICING_ARGUMENT",
                    f'Slicing argument "{argument.coordinate}" must be Int or Int!',
                )
            )
    if sized:
        base = subgraph.schema.type(base_name(parent.type))
        if not isinstance(base, FieldsType | UnionType):
            errors.append(
                CompositionError(
                    "LIST_SIZE_INVALID_SIZED_FIELD",
                    f'Sized fields cannot be used because "{parent.type}" is not a composite type',
                )
            )
            return errors
        for name in sized:
            found = base.fields.get(name) if isinstance(base, FieldsType) else None
            if found is None:
                errors.append(
                    CompositionError(
                        "LIST_SIZE_INVALID_SIZED_FIELD", f'Sized field "{name}" is not a field on type "{base.name}"'
                    )
                )
            elif not _is_list(found.type):
                errors.append(
                    CompositionError("LIST_SIZE_APPLIED_TO_NON_LIST", f'Sized field "{found.coordinate}" is not a list')
                )
    return errors


class StopValidation(Exception):
    """An error that ends validation at once, as Apollo's throws do."""

    def __init__(self, error: CompositionError) -> None:
        super().__init__(error.message)
        self.error = error


def key_string(schema: Schema, type_: Any, key: Directive) -> str | None:
    """The key's selection, printed (to compare keys); an unreadable key ends validation."""
    fields = key.args.get("fields")
    if not isinstance(fields, str):
        return None
    try:
        return to_string(parse_field_set(schema, type_, fields, validate=False), schema)
    except FieldSetError as error:
        raise StopValidation(field_set_error(key, "key", error)) from None


Check = Callable[[Subgraph], list[CompositionError]]
