"""Field sets: the `fields` of `@key`, `@requires` and `@provides`, read against a type.

A field set is a selection set without the outer braces (`"id organization { id }"`). It is
parsed with graphql-core, resolved against the schema field by field, and validated as Apollo
does (unknown fields, arguments, empty selections, aliases), with Apollo's messages.
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from graphql import GraphQLSyntaxError, parse
from graphql.language import ast

from .errors import syntax_message
from .schema import (
    EnumType,
    FieldDefinition,
    FieldsType,
    InputObjectType,
    InterfaceType,
    ListRef,
    NamedRef,
    NonNullRef,
    ObjectType,
    ScalarType,
    Schema,
    UnionType,
    base_name,
)
from .values import value_from_ast, value_to_string

TYPENAME = "__typename"


class FieldSetError(Exception):
    """A field set that does not fit its type; `code` when the error has its own code."""

    def __init__(self, message: str, code: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.code = code


@dataclass(eq=False)
class TypenameField:
    """`__typename`, selectable on every composite type."""

    parent_name: str
    name: str = TYPENAME
    type: NonNullRef = field(default_factory=lambda: NonNullRef(NamedRef("String")))
    arguments: dict[str, Any] = field(default_factory=dict)

    @property
    def coordinate(self) -> str:
        return f"{self.parent_name}.{TYPENAME}"


Definition = FieldDefinition | TypenameField


@dataclass(eq=False)
class FieldSelection:
    definition: Definition
    args: dict[str, Any]
    alias: str | None
    directives: list[ast.DirectiveNode]
    selections: list[Selection] | None

    def element_string(self, schema: Schema) -> str:
        alias = f"{self.alias}: " if self.alias else ""
        args = ""
        if self.args:
            printed = []
            for name, value in self.args.items():
                argument = self.definition.arguments.get(name)
                printed.append(f"{name}: {value_to_string(value, argument.type if argument else None, schema)}")
            args = "(" + ", ".join(printed) + ")"
        return alias + self.definition.name + args + _directives_string(self.directives)


@dataclass(eq=False)
class FragmentSelection:
    type_condition: str | None
    directives: list[ast.DirectiveNode]
    selections: list[Selection]

    def element_string(self, schema: Schema) -> str:
        condition = f" on {self.type_condition}" if self.type_condition else ""
        return "..." + condition + _directives_string(self.directives)


Selection = FieldSelection | FragmentSelection
FieldAccessor = Callable[[FieldsType | UnionType, str], Definition | None]


def _directives_string(directives: list[ast.DirectiveNode]) -> str:
    from graphql import print_ast

    return "".join(" " + print_ast(d) for d in directives)


def to_string(selections: list[Selection], schema: Schema, brackets: bool = True) -> str:
    """`{ a b { c } }` (or without the outer brackets), as Apollo prints a selection set."""
    if not selections:
        return "{}"
    parts = []
    for selection in selections:
        text = selection.element_string(schema)
        if selection.selections is not None:
            text += " " + to_string(selection.selections, schema)
        parts.append(text)
    inner = " ".join(parts)
    return "{ " + inner + " }" if brackets else inner


EMPTY_SELECTION = 'Syntax Error: Expected Name, found "}".'


def has_empty_selection_set(node: ast.SelectionSetNode) -> bool:
    """`{}` anywhere: graphql-core reads it, graphql-js (and so Apollo) calls it a syntax error."""
    if not node.selections:
        return True
    return any(
        selection.selection_set is not None and has_empty_selection_set(selection.selection_set)
        for selection in node.selections
        if isinstance(selection, ast.FieldNode | ast.InlineFragmentNode)
    )


def default_accessor(schema: Schema) -> FieldAccessor:
    def accessor(parent: FieldsType | UnionType, name: str) -> Definition | None:
        if name == TYPENAME:
            return TypenameField(parent.name)
        if isinstance(parent, FieldsType):
            return parent.fields.get(name)
        return None

    return accessor


def parse_field_set(
    schema: Schema,
    parent: FieldsType | UnionType,
    source: str,
    accessor: FieldAccessor | None = None,
    validate: bool = True,
) -> list[Selection]:
    """The selections of `source` on `parent`; raises `FieldSetError` if they do not fit."""
    text = source if source.strip().startswith("{") else "{" + source + "}"
    try:
        document = parse(text, no_location=True)
    except GraphQLSyntaxError as error:
        raise FieldSetError(syntax_message(error.message)) from None
    if len(document.definitions) != 1:
        raise FieldSetError(f"Selections should contain a single definitions, found {len(document.definitions)}")
    definition = document.definitions[0]
    if not isinstance(definition, ast.OperationDefinitionNode):
        raise FieldSetError(f"Expected an operation definition but got a {definition.kind}")
    if has_empty_selection_set(definition.selection_set):
        raise FieldSetError(EMPTY_SELECTION)
    reader = _Reader(schema, accessor or default_accessor(schema))
    selections = reader.selection_set(parent, definition.selection_set)
    if validate:
        _validate(schema, selections, parent)
    return selections


class _Reader:
    def __init__(self, schema: Schema, accessor: FieldAccessor) -> None:
        self.schema = schema
        self.accessor = accessor

    def selection_set(self, parent: FieldsType | UnionType, node: ast.SelectionSetNode) -> list[Selection]:
        selections: list[Selection] = []
        for selection in node.selections:
            self._check_directives(selection.directives or ())
            if isinstance(selection, ast.FieldNode):
                selections.append(self._field(parent, selection))
            elif isinstance(selection, ast.InlineFragmentNode):
                condition = selection.type_condition.name.value if selection.type_condition else None
                target: FieldsType | UnionType = parent
                if condition is not None:
                    found = self.schema.type(condition)
                    if not isinstance(found, FieldsType | UnionType):
                        raise FieldSetError(f'Unknown type "{condition}"')
                    target = found
                inner = self.selection_set(target, selection.selection_set)
                selections.append(FragmentSelection(condition, list(selection.directives or ()), inner))
            else:
                name = selection.name.value if isinstance(selection, ast.FragmentSpreadNode) else "?"
                raise FieldSetError(f'Cannot find fragment name "{name}" (no fragments were provided)')
        return _merge_duplicates(selections)

    def _check_directives(self, directives: tuple[ast.DirectiveNode, ...] | list[ast.DirectiveNode]) -> None:
        for directive in directives:
            if self.schema.directive(directive.name.value) is None:
                raise FieldSetError(f'Unknown directive "@{directive.name.value}"')

    def _field(self, parent: FieldsType | UnionType, node: ast.FieldNode) -> FieldSelection:
        definition = self.accessor(parent, node.name.value)
        if definition is None:
            raise FieldSetError(f'Cannot query field "{node.name.value}" on type "{parent.name}".')
        args = {}
        for arg_node in node.arguments or ():
            name = arg_node.name.value
            if name not in definition.arguments:
                coordinate = definition.coordinate
                raise FieldSetError(
                    f'Unknown argument "{name}" found in value: "{coordinate}" has no argument named "{name}"'
                )
            args[name] = value_from_ast(arg_node.value)
        inner = None
        if node.selection_set is not None:
            target = self.schema.type(base_name(definition.type))
            if not isinstance(target, FieldsType | UnionType):
                raise FieldSetError(
                    f'Cannot query field "{node.selection_set.selections[0].name.value}" on type "{target.name}".'
                    if target is not None and isinstance(node.selection_set.selections[0], ast.FieldNode)
                    else f'Invalid selection set on leaf field "{definition.coordinate}"'
                )
            inner = self.selection_set(target, node.selection_set)
        alias = node.alias.value if node.alias else None
        return FieldSelection(definition, args, alias, list(node.directives or ()), inner)


def _merge_duplicates(selections: list[Selection]) -> list[Selection]:
    """`a a { b } a { c }` selects `a { b c }` once (Apollo merges selections of one response name)."""
    merged: list[Selection] = []
    by_key: dict[str, FieldSelection] = {}
    for selection in selections:
        if isinstance(selection, FieldSelection) and not selection.directives:
            key = selection.alias or selection.definition.name
            existing = by_key.get(key)
            if existing is not None and existing.definition.name == selection.definition.name:
                if selection.selections is not None:
                    existing.selections = _merge_duplicates((existing.selections or []) + selection.selections)
                continue
            by_key[key] = selection
        merged.append(selection)
    return merged


def _is_leaf(schema: Schema, definition: Definition) -> bool:
    return isinstance(schema.type(base_name(definition.type)), ScalarType | EnumType)


def _validate(schema: Schema, selections: list[Selection], parent: FieldsType | UnionType) -> None:
    if not selections:
        raise FieldSetError("Invalid empty selection set")
    for selection in selections:
        if isinstance(selection, FragmentSelection):
            _validate(schema, selection.selections, parent)
            continue
        definition = selection.definition
        if isinstance(definition, FieldDefinition):
            for name, argument in definition.arguments.items():
                if name not in selection.args:
                    if not argument.is_required():
                        continue
                    raise FieldSetError(
                        f'Missing mandatory value for argument "{name}" of field "{definition.coordinate}" '
                        f'in selection "{selection.element_string(schema)}"'
                    )
                if not is_valid_value(schema, selection.args[name], argument.type):
                    raise FieldSetError(
                        f"Invalid value {value_to_string(selection.args[name])} for argument "
                        f'"{argument.coordinate}" of type {argument.type}'
                    )
        if selection.selections is None and not _is_leaf(schema, definition):
            raise FieldSetError(
                f'Invalid empty selection set for field "{definition.coordinate}" of non-leaf type {definition.type}'
            )
        if selection.selections is not None:
            target = schema.type(base_name(definition.type))
            assert isinstance(target, FieldsType | UnionType)
            _validate(schema, selection.selections, target)


def is_valid_value(schema: Schema, value: Any, type_ref: Any) -> bool:
    """Whether a value (read without its type) fits an input type."""
    if value is None:
        return not isinstance(type_ref, NonNullRef)
    if isinstance(type_ref, NonNullRef):
        return is_valid_value(schema, value, type_ref.of)
    if isinstance(type_ref, ListRef):
        if isinstance(value, list):
            return all(is_valid_value(schema, v, type_ref.of) for v in value)
        return is_valid_value(schema, value, type_ref.of)
    named = schema.type(type_ref.name)
    if isinstance(named, InputObjectType):
        if not isinstance(value, dict):
            return False
        if any(key not in named.fields for key in value):
            return False
        return all(
            is_valid_value(schema, value[name], f.type) if name in value else not f.is_required()
            for name, f in named.fields.items()
        )
    if isinstance(named, EnumType):
        return isinstance(value, str) and value in named.values
    if isinstance(named, ScalarType):
        if not named.built_in:
            return True
        if isinstance(value, bool):
            return named.name == "Boolean"
        if isinstance(value, int):
            return named.name in ("Int", "Float", "ID")
        if isinstance(value, float):
            return named.name == "Float" or (value.is_integer() and named.name in ("Int", "ID"))
        if isinstance(value, str):
            return named.name in ("String", "ID")
        return False
    return False


def collect_fields(
    schema: Schema,
    parent: FieldsType | UnionType,
    source: str,
    include_implementations: bool,
) -> list[FieldDefinition]:
    """The fields a field set selects (and, for an interface, the same fields of its implementations),
    ignoring errors: what can be read is collected."""
    collected: list[FieldDefinition] = []

    def accessor(type_: FieldsType | UnionType, name: str) -> Definition | None:
        if name == TYPENAME:
            return TypenameField(type_.name)
        found = type_.fields.get(name) if isinstance(type_, FieldsType) else None
        if found is not None:
            collected.append(found)
            if include_implementations and isinstance(type_, InterfaceType):
                for implementation in schema.possible_runtime_types(type_.name):
                    other = implementation.fields.get(name)
                    if other is not None:
                        collected.append(other)
        return found

    with contextlib.suppress(FieldSetError):
        parse_field_set(schema, parent, source, accessor, validate=False)
    return collected


def walk_fields(selections: list[Selection]) -> list[FieldSelection]:
    found: list[FieldSelection] = []
    for selection in selections:
        if isinstance(selection, FieldSelection):
            found.append(selection)
        if selection.selections:
            found.extend(walk_fields(selection.selections))
    return found


def object_parent(definition: Definition, schema: Schema) -> ObjectType | InterfaceType | None:
    if isinstance(definition, FieldDefinition):
        return definition.parent
    return schema.fields_type(definition.parent_name)
