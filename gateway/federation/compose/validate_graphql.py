"""GraphQL's own rules for a subgraph (or the supergraph): directives known, the type system
document valid, types not empty, implementations that fit their interfaces."""

from __future__ import annotations

from functools import lru_cache

from graphql import GraphQLError, parse
from graphql.language import ast
from graphql.validation import KnownTypeNamesRule, PossibleTypeExtensionsRule
from graphql.validation.specified_rules import specified_sdl_rules
from graphql.validation.validate import validate_sdl

from .errors import Code, CompositionError
from .fieldset import is_valid_value
from .printer import print_directive_definition, print_type
from .schema import (
    MISSING,
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
from .specs import FEDERATION_VERSIONS
from .subgraph import Subgraph
from .suggestions import did_you_mean, suggestion_list
from .values import value_to_string

SDL_RULES = tuple(r for r in specified_sdl_rules if r not in (KnownTypeNamesRule, PossibleTypeExtensionsRule))
FEDERATION_DIRECTIVE_NAMES = tuple(d.name for d in FEDERATION_VERSIONS.latest().directives)


def invalid(message: str) -> CompositionError:
    return CompositionError(Code.INVALID_GRAPHQL, message)


def check_known_directives(subgraph: Subgraph) -> list[CompositionError]:
    errors = []
    schema = subgraph.schema
    for element in schema.all_elements():
        for directive in element.directives:
            if schema.directive(directive.name) is None:
                errors.append(unknown_directive(subgraph, directive.name))
    return errors


def unknown_directive(subgraph: Subgraph, name: str) -> CompositionError:
    message = f'Unknown directive "@{name}".'
    defined = list(subgraph.schema.directive_definitions)
    suggestions = suggestion_list(name, defined)
    if suggestions:
        return invalid(message + did_you_mean(["@" + s for s in suggestions]))
    if name in FEDERATION_DIRECTIVE_NAMES:
        if subgraph.fed2:
            assert subgraph.federation is not None
            in_schema = subgraph.federation.directive_name_in_schema(name)
            if in_schema.startswith(subgraph.federation.name_in_schema + "__"):
                message += (
                    f' If you meant the "@{name}" federation directive, you should use fully-qualified name '
                    f'"@{in_schema}" or add "@{name}" to the `import` argument of the @link to the federation '
                    "specification."
                )
            else:
                message += (
                    f' If you meant the "@{name}" federation directive, you should use "@{in_schema}" as it is '
                    "imported under that name in the @link to the federation specification of this schema."
                )
        else:
            message += (
                f' If you meant the "@{name}" federation 2 directive, note that this schema is a federation 1 '
                "schema. To be a federation 2 schema, it needs to @link to the federation specifcation v2."
            )
    elif not subgraph.fed2:
        close = suggestion_list(name, FEDERATION_DIRECTIVE_NAMES)
        if close:
            which = "it is a federation 2 directive" if len(close) == 1 else "they are federation 2 directives"
            message += (
                did_you_mean(["@" + s for s in close])
                + f" If so, note that {which} but this schema is a federation 1 one. To be a federation 2 schema, "
                "it needs to @link to the federation specifcation v2."
            )
    return invalid(message)


def graphql_rules(subgraph: Subgraph, document: ast.DocumentNode) -> list[CompositionError]:
    """GraphQL's rules for type system documents, on the SDL plus what the linked specs define."""
    defined = {
        d.name.value
        for d in document.definitions
        if isinstance(d, ast.TypeDefinitionNode | ast.DirectiveDefinitionNode)
    }
    schema = subgraph.schema
    added = [
        print_directive_definition(d, schema)
        for d in schema.directive_definitions.values()
        if d.name not in defined and not d.built_in
    ]
    added += [
        printed
        for t in schema.user_types()
        if t.name not in defined and t.has_definition is False and not t.extensions
        if (printed := print_type(t, schema)) is not None
    ]
    extra = _parsed_definitions("\n\n".join(added)) if added else ()
    full = ast.DocumentNode(definitions=(*document.definitions, *extra))
    found: list[GraphQLError] = validate_sdl(full, rules=SDL_RULES)
    return [invalid(error.message) for error in found]


@lru_cache(maxsize=64)
def _parsed_definitions(sdl: str) -> tuple[ast.DefinitionNode, ...]:
    """The definitions the linked specs add: the same few texts for every subgraph (bounded)."""
    return tuple(parse(sdl, no_location=True).definitions)


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
