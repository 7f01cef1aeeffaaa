"""Print a supergraph exactly as `@apollo/composition` does.

Directive definitions first, then types, each group sorted by name the way JavaScript's
`localeCompare` sorts (ICU root collation: case-insensitive first, `_` before digits before
letters, lower case before upper case on ties); fields, values and applied directives keep the
order composition gave them. Descriptions longer than 70 characters, or on several lines, print
as block strings on their own lines.
"""

from __future__ import annotations

from collections.abc import Iterable

from .schema import (
    MISSING,
    ROOT_KINDS,
    Directive,
    DirectiveDefinition,
    Element,
    EnumType,
    FieldDefinition,
    InputObjectType,
    InputValue,
    InterfaceType,
    NamedType,
    ObjectType,
    ScalarType,
    Schema,
    UnionType,
)
from .values import value_to_string

INDENT = "  "


def collation_key(name: str) -> tuple[tuple[int, ...], tuple[int, ...]]:
    """Sort key of ICU's root collation for GraphQL names (what `localeCompare` does in Node)."""
    primary = []
    tertiary = []
    for char in name:
        if char.isascii() and char.isalpha():
            primary.append(1000 + ord(char.lower()))
            tertiary.append(1 if char.isupper() else 0)
        elif char.isdigit():
            primary.append(500 + ord(char))
        elif char == "_":
            primary.append(100)
        else:
            primary.append(2000 + ord(char))
        if not (char.isascii() and char.isalpha()):
            tertiary.append(0)
    return tuple(primary), tuple(tertiary)


def print_supergraph(schema: Schema) -> str:
    directives = sorted(
        (d for d in schema.directive_definitions.values() if not d.built_in), key=lambda d: collation_key(d.name)
    )
    types = sorted(schema.user_types(), key=lambda t: collation_key(t.name))
    parts = [_schema_definition(schema)]
    parts += [print_directive_definition(d, schema) for d in directives]
    parts += [printed for t in types if (printed := print_type(t, schema)) is not None]
    return "\n\n".join(p for p in parts if p is not None)


def _applied(directives: Iterable[Directive], schema: Schema, on_new_lines: bool, end_with_new_line: bool) -> str:
    printed = [print_directive(d, schema) for d in directives]
    if not printed:
        return ""
    if on_new_lines:
        return "\n" + INDENT + ("\n" + INDENT).join(printed) + ("\n" if end_with_new_line else "")
    return " " + " ".join(printed)


def print_directive(directive: Directive, schema: Schema) -> str:
    definition = schema.directive(directive.name)
    args = [(name, value) for name, value in directive.args.items() if value is not MISSING]
    if not args:
        return f"@{directive.name}"

    def type_of(name: str) -> InputValue | None:
        return definition.arguments.get(name) if definition is not None else None

    printed = ", ".join(
        f"{name}: {value_to_string(value, arg.type if (arg := type_of(name)) else None, schema)}"
        for name, value in args
    )
    return f"@{directive.name}({printed})"


def _description(element: Element, indentation: str = "", first_in_block: bool = True) -> str:
    if element.description is None:
        return ""
    description = element.description
    block = _block_string(description, len(description.encode("utf-16-le")) // 2 > 70)
    prefix = "\n" + indentation if indentation and not first_in_block else indentation
    return prefix + block.replace("\n", "\n" + indentation) + "\n"


def _block_string(value: str, prefer_multiple_lines: bool) -> str:
    single_line = "\n" not in value
    leading_space = value[:1] in (" ", "\t")
    multiple = not single_line or value.endswith('"') or value.endswith("\\") or prefer_multiple_lines
    result = "\n" if multiple and not (single_line and leading_space) else ""
    result += value
    if multiple:
        result += "\n"
    return '"""' + result.replace('"""', '\\"""') + '"""'


def _schema_definition(schema: Schema) -> str | None:
    definition = schema.schema_definition
    roots = [(kind, definition.root(kind)) for kind in ROOT_KINDS if definition.root(kind)]
    directives = definition.directives
    if not roots and not directives:
        return None
    common = all(
        name == {"query": "Query", "mutation": "Mutation", "subscription": "Subscription"}[k] for k, name in roots
    )
    if not directives and definition.description is None and common:
        return None
    entries = [f"{INDENT}{kind}: {name}" for kind, name in roots]
    return (
        _description(definition)
        + "schema"
        + _applied(directives, schema, True, bool(entries))
        + ("" if directives else " ")
        + ("{\n" + "\n".join(entries) + "\n}" if entries else "")
    )


def print_directive_definition(definition: DirectiveDefinition, schema: Schema) -> str:
    arguments = _arguments(list(definition.arguments.values()), schema)
    repeatable = " repeatable" if definition.repeatable else ""
    locations = " | ".join(definition.locations)
    return f"{_description(definition)}directive @{definition.name}{arguments}{repeatable} on {locations}"


def _input_value(value: InputValue, schema: Schema) -> str:
    default = "" if value.default is MISSING else " = " + value_to_string(value.default, value.type, schema)
    return f"{value.name}: {value.type}{default}"


def _arguments(arguments: list[InputValue], schema: Schema, indentation: str = "") -> str:
    if not arguments:
        return ""
    if all(a.description is None for a in arguments):
        return (
            "("
            + ", ".join(_input_value(a, schema) + _applied(a.directives, schema, False, False) for a in arguments)
            + ")"
        )
    lines = "\n".join(
        _description(a, INDENT + indentation, i == 0)
        + INDENT
        + indentation
        + _input_value(a, schema)
        + _applied(a.directives, schema, False, False)
        for i, a in enumerate(arguments)
    )
    return f"(\n{lines}\n{indentation})"


def _block(items: list[str]) -> str:
    return "{\n" + "\n".join(items) + "\n}" if items else ""


def _fields(fields: list[FieldDefinition] | list[InputValue], schema: Schema) -> str:
    printed = []
    items: list[FieldDefinition | InputValue] = list(fields)
    for i, definition in enumerate(items):
        if isinstance(definition, FieldDefinition):
            text = (
                f"{definition.name}{_arguments(list(definition.arguments.values()), schema, INDENT)}: {definition.type}"
            )
        else:
            text = _input_value(definition, schema)
        printed.append(
            _description(definition, INDENT, i == 0)
            + INDENT
            + text
            + _applied(definition.directives, schema, False, False)
        )
    return _block(printed)


def print_type(type_: NamedType, schema: Schema) -> str | None:
    directives = type_.directives
    if isinstance(type_, ScalarType):
        return _description(type_) + f"scalar {type_.name}" + _applied(directives, schema, True, False)
    if isinstance(type_, ObjectType | InterfaceType):
        fields = list(type_.fields.values())
        interfaces = type_.interface_names()
        if not directives and not interfaces and not fields and not type_.has_definition:
            return None
        keyword = "type" if isinstance(type_, ObjectType) else "interface"
        return (
            _description(type_)
            + f"{keyword} {type_.name}"
            + (" implements " + " & ".join(interfaces) if interfaces else "")
            + _applied(directives, schema, True, bool(fields))
            + (" " if not directives and fields else "")
            + _fields(fields, schema)
        )
    if isinstance(type_, UnionType):
        members = type_.member_names()
        if not directives and not members and not type_.has_definition:
            return None
        return (
            _description(type_)
            + f"union {type_.name}"
            + _applied(directives, schema, True, bool(members))
            + (" = " + " | ".join(members) if members else "")
        )
    if isinstance(type_, EnumType):
        values = [
            _description(v, INDENT, i == 0) + INDENT + v.name + _applied(v.directives, schema, False, False)
            for i, v in enumerate(type_.values.values())
        ]
        if not directives and not values and not type_.has_definition:
            return None
        return (
            _description(type_)
            + f"enum {type_.name}"
            + _applied(directives, schema, True, bool(values))
            + (" " if not directives and values else "")
            + _block(values)
        )
    assert isinstance(type_, InputObjectType)
    input_fields = list(type_.fields.values())
    if not directives and not input_fields and not type_.has_definition:
        return None
    return (
        _description(type_)
        + f"input {type_.name}"
        + _applied(directives, schema, True, bool(input_fields))
        + (" " if not directives and input_fields else "")
        + _fields(input_fields, schema)
    )
