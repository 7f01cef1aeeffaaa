"""`@context` and `@fromContext`: a field's argument taken from an ancestor's data. The rules of
Apollo Federation 2.8: context names, where `@fromContext` may stand, and that the selection reads
a value of the argument's type from every type that sets the context."""

from __future__ import annotations

import re
from typing import Any

from graphql import GraphQLSyntaxError, parse
from graphql.language import ast

from .context import parse_context
from .errors import Code, CompositionError, syntax_message
from .fieldset import (
    EMPTY_SELECTION,
    FieldSelection,
    FieldSetError,
    FragmentSelection,
    Selection,
    has_empty_selection_set,
    parse_field_set,
)
from .schema import (
    MISSING,
    DirectiveDefinition,
    EnumType,
    FieldDefinition,
    InputValue,
    ListRef,
    NamedRef,
    NonNullRef,
    ObjectType,
    ScalarType,
    TypeRef,
    base_name,
)
from .subgraph import Subgraph

NAME = re.compile(r"^[A-Za-z]\w*$", re.ASCII)
INVALID_SELECTION = "CONTEXT_INVALID_SELECTION"


def context_errors(subgraph: Subgraph) -> list[CompositionError]:
    if subgraph.directive_name("context") is None:
        return []
    errors: list[CompositionError] = []
    locations: dict[str, list[Any]] = {}
    for application in subgraph.applications("context"):
        name = application.args.get("name")
        if not isinstance(name, str):
            continue
        if "_" in name:
            errors.append(
                CompositionError(Code.CONTEXT_NAME_INVALID, f'Context name "{name}" may not contain an underscore.')
            )
        elif not NAME.match(name):
            errors.append(
                CompositionError(
                    Code.CONTEXT_NAME_INVALID,
                    f'Context name "{name}" is invalid. It should have only alphanumeric characters.',
                )
            )
        locations.setdefault(name, []).append(application.parent)
    for application in subgraph.applications("fromContext"):
        errors.extend(_from_context_errors(subgraph, application, locations))
    return errors


def _from_context_errors(
    subgraph: Subgraph, application: Any, locations: dict[str, list[Any]]
) -> list[CompositionError]:
    argument: InputValue = application.parent
    if isinstance(argument.parent, DirectiveDefinition):
        return [
            CompositionError(
                Code.CONTEXT_NOT_SET,
                f'@fromContext argument cannot be used on a directive definition "{argument.coordinate}".',
            )
        ]
    field_definition: FieldDefinition = argument.parent
    if not isinstance(field_definition.parent, ObjectType):
        return [
            CompositionError(
                Code.CONTEXT_NOT_SET,
                "@fromContext argument cannot be used on a field that exists on an abstract type "
                f'"{argument.coordinate}".',
            )
        ]
    errors = []
    object_type = field_definition.parent
    for interface_name in object_type.interface_names():
        interface = subgraph.schema.fields_type(interface_name)
        implemented = interface.fields.get(field_definition.name) if interface is not None else None
        if implemented is not None:
            errors.append(
                CompositionError(
                    Code.CONTEXT_NOT_SET,
                    "@fromContext argument cannot be used on a field implementing an interface field "
                    f'"{implemented.coordinate}".',
                )
            )
    if argument.default is not MISSING:
        errors.append(
            CompositionError(
                Code.CONTEXT_NOT_SET, f'@fromContext arguments may not have a default value: "{argument.coordinate}".'
            )
        )
    field = application.args.get("field")
    context, selection = parse_context(field)
    if context is None or selection is None:
        errors.append(
            CompositionError(
                "NO_CONTEXT_IN_SELECTION", f'@fromContext argument does not reference a context "{field}".'
            )
        )
        return errors
    types = locations.get(context)
    if types is None:
        errors.append(
            CompositionError(
                Code.CONTEXT_NOT_SET,
                f'Context "{context}" is used at location "{argument.coordinate}" but is never set.',
            )
        )
    else:
        errors.extend(SelectionCheck(subgraph, context, selection, argument).errors(types))
    keys = subgraph.applied(object_type, "key")
    if not any(key.args.get("resolvable", True) for key in keys):
        errors.append(
            CompositionError(
                "CONTEXT_NO_RESOLVABLE_KEY",
                f'Object "{object_type.name}" has no resolvable key but has a field with a contextual argument.',
            )
        )
    return errors


class SelectionCheck:
    """Whether `$context { selection }` reads a value of the argument's type where the context is set."""

    def __init__(self, subgraph: Subgraph, context: str, selection: str, argument: InputValue) -> None:
        self.subgraph = subgraph
        self.context = context
        self.selection = selection
        self.argument = argument
        self.found: list[CompositionError] = []

    def fail(self, problem: str) -> None:
        self.found.append(
            CompositionError(
                INVALID_SELECTION,
                f'Context "{self.context}" is used in "{self.argument.coordinate}" but the selection is '
                f"invalid{problem}",
            )
        )

    def errors(self, types: list[Any]) -> list[CompositionError]:
        shape = self._shape()
        if shape is None:
            return self.found
        kind, conditions = shape
        used: set[str] = set()
        for location in types:
            try:
                selections = parse_field_set(self.subgraph.schema, location, self.selection)
            except FieldSetError as error:
                self.fail(f" for type {location.name}. Error: {error.message}")
                return self.found
            if _any(selections, lambda s: bool(s.directives)):
                self.fail(": directives are not allowed in the selection")
            if _any(selections, lambda s: isinstance(s, FieldSelection) and s.alias is not None):
                self.fail(": aliases are not allowed in the selection")
            if kind == "field":
                resolved = self._resolved_type(location, selections)
                if resolved is None or not _implements(resolved, self.argument.type):
                    self.fail(
                        f': the type of the selection "{resolved if resolved is not None else "undefined"}" does not '
                        f'match the expected type "{self.argument.type}"'
                    )
                    return self.found
            elif not self._fragments(location, selections, used):
                return self.found
        for condition in conditions:
            if condition not in used:
                self.fail(f': type condition "{condition}" is never used.')
        return self.found

    def _shape(self) -> tuple[str, list[str]] | None:
        text = self.selection if self.selection.strip().startswith("{") else "{" + self.selection + "}"
        try:
            document = parse(text, no_location=True)
        except GraphQLSyntaxError as error:
            self.fail(f": {syntax_message(error.message)}")
            return None
        definition = document.definitions[0]
        if not isinstance(definition, ast.OperationDefinitionNode) or has_empty_selection_set(definition.selection_set):
            self.fail(f": {EMPTY_SELECTION}")
            return None
        selections = definition.selection_set.selections
        first = selections[0]
        if isinstance(first, ast.FieldNode):
            if len(selections) != 1:
                self.fail(": multiple selections are made")
                return None
            return "field", []
        if isinstance(first, ast.InlineFragmentNode):
            if not all(isinstance(s, ast.InlineFragmentNode) for s in selections):
                self.fail(": multiple fields could be selected")
                return None
            conditions = [
                s.type_condition.name.value
                for s in selections
                if isinstance(s, ast.InlineFragmentNode) and s.type_condition
            ]
            if len(set(conditions)) != len(selections):
                self.fail(": type conditions have same name")
                return None
            return "inlineFragment", list(dict.fromkeys(conditions))
        self.fail(": fragment spread is not allowed")
        return None

    def _fragments(self, location: Any, selections: list[Selection], used: set[str]) -> bool:
        matching = []
        for selection in selections:
            if not isinstance(selection, FragmentSelection):
                self.fail(': selection should only contain a single field or at least one inline fragment}"')
                continue
            if selection.type_condition is None:
                self.fail(': inline fragments must have type conditions"')
                continue
            condition = self.subgraph.schema.type(selection.type_condition)
            if isinstance(condition, ObjectType):
                if condition in self.subgraph.schema.possible_runtime_types(location.name):
                    matching.append((condition, selection))
                    used.add(condition.name)
            else:
                self.fail(': type conditions must be an object type"')
        if not matching:
            self.fail(f': no type condition matches the location "{location.name}"')
            return False
        for condition, selection in matching:
            resolved = self._resolved_type(condition, selection.selections)
            if resolved is None:
                self.fail(f': the type of the selection does not match the expected type "{self.argument.type}"')
                return False
            if isinstance(resolved, NonNullRef):
                resolved = resolved.of
            if not _implements(resolved, self.argument.type):
                self.fail(
                    f': the type of the selection "{resolved}" does not match the expected type "{self.argument.type}"'
                )
                return False
        return True

    def _resolved_type(self, current: Any, selections: list[Selection]) -> TypeRef | None:
        if isinstance(current, ObjectType) and self.subgraph.is_interface_object(current):
            self.found.append(
                CompositionError(
                    INVALID_SELECTION,
                    f'Context "is used in "{self.argument.coordinate}" but the selection is invalid: One of the types '
                    f'in the selection is an interfaceObject: "{current.name}"',
                )
            )
        resolved: list[TypeRef | None] = []
        for selection in selections:
            if not isinstance(selection, FieldSelection):
                resolved.append(None)
                continue
            field_type = selection.definition.type
            if selection.selections is not None:
                inner = self._resolved_type(self.subgraph.schema.type(base_name(field_type)), selection.selections)
                resolved.append(_with_lists(field_type, inner) if inner is not None else None)
            else:
                named = self.subgraph.schema.type(base_name(field_type))
                assert isinstance(named, ScalarType | EnumType)
                resolved.append(_with_lists(field_type, NamedRef(named.name)))
        result = resolved[0] if resolved else None
        for other in resolved[1:]:
            result = other if str(result) == str(other) else None
        return result


def _with_lists(original: TypeRef, resolved: TypeRef) -> TypeRef:
    """The resolved type wrapped in the lists (not the non-nulls) of the selected field's type."""
    lists = 0
    while not isinstance(original, NamedRef):
        if isinstance(original, ListRef):
            lists += 1
        original = original.of
    for _ in range(lists):
        resolved = ListRef(resolved)
    return resolved


def _implements(field_type: TypeRef, implemented: TypeRef) -> bool:
    if isinstance(field_type, NonNullRef):
        other = implemented.of if isinstance(implemented, NonNullRef) else implemented
        return _implements(field_type.of, other)
    if isinstance(field_type, ListRef) and isinstance(implemented, ListRef):
        return _implements(field_type.of, implemented.of)
    return (
        isinstance(field_type, NamedRef) and isinstance(implemented, NamedRef) and field_type.name == implemented.name
    )


def _any(selections: list[Selection], predicate: Any) -> bool:
    for selection in selections:
        if predicate(selection):
            return True
        if selection.selections and _any(selection.selections, predicate):
            return True
    return False
