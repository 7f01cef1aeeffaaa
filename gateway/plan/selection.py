"""An operation's selections, normalised: fragments expanded, fields merged by response key.

The result is a tree of `Selected` fields per response key, each knowing its field definition and
under which `@skip`/`@include` variable values it is included. Literal conditions are decided
here; conditions on variables are kept as data and evaluated per request.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from graphql import (
    BooleanValueNode,
    FieldNode,
    FragmentDefinitionNode,
    FragmentSpreadNode,
    GraphQLField,
    GraphQLObjectType,
    GraphQLSchema,
    InlineFragmentNode,
    SelectionSetNode,
    VariableNode,
    get_named_type,
)
from graphql.type.introspection import SchemaMetaFieldDef, TypeMetaFieldDef

Condition = tuple[tuple[str, bool], ...]  # every (variable, value) must hold
Alternatives = tuple[Condition, ...]  # one of them must hold
ALWAYS: Alternatives = ((),)

TYPENAME = "__typename"
INTROSPECTION = {"__schema": SchemaMetaFieldDef, "__type": TypeMetaFieldDef}


@dataclass(frozen=True)
class Selected:
    """One response key of a selection set."""

    key: str
    name: str
    parent: str
    node: FieldNode
    definition: GraphQLField | None  # None for __typename
    children: tuple[Selected, ...] = ()
    when: Alternatives = ALWAYS
    denied: bool = False  # the caller may not see it: answered as null, never fetched

    @property
    def type_name(self) -> str:
        assert self.definition is not None
        return get_named_type(self.definition.type).name

    def included(self, variables: Mapping[str, Any]) -> bool:
        if self.when is ALWAYS:
            return True
        return any(all(variables.get(name) is value for name, value in alt) for alt in self.when)

    def child(self, name: str) -> Selected | None:
        """The first child selecting field `name` (whatever its alias)."""
        return next((c for c in self.children if c.name == name), None)

    def children_named(self, name: str) -> list[Selected]:
        return [c for c in self.children if c.name == name]


def _condition(node: Any) -> Condition | None:
    """The node's @skip/@include as a condition; None when a literal excludes it."""
    condition: list[tuple[str, bool]] = []
    for directive in node.directives or ():
        name = directive.name.value
        if name not in ("skip", "include"):
            continue
        value = next(arg.value for arg in directive.arguments if arg.name.value == "if")
        wanted = name == "include"
        if isinstance(value, BooleanValueNode):
            if value.value is not wanted:
                return None
        elif isinstance(value, VariableNode):
            condition.append((value.name.value, wanted))
    return tuple(condition)


@dataclass
class _Collector:
    schema: GraphQLSchema
    fragments: Mapping[str, FragmentDefinitionNode]
    found: dict[str, list[tuple[FieldNode, Condition]]] = field(default_factory=dict)

    def collect(self, parent: GraphQLObjectType, selection_set: SelectionSetNode, inherited: Condition) -> None:
        for selection in selection_set.selections:
            own = _condition(selection)
            if own is None:
                continue
            condition = inherited + own
            if isinstance(selection, FieldNode):
                key = selection.alias.value if selection.alias else selection.name.value
                self.found.setdefault(key, []).append((selection, condition))
            elif isinstance(selection, InlineFragmentNode):
                if selection.type_condition is None or selection.type_condition.name.value == parent.name:
                    self.collect(parent, selection.selection_set, condition)
            elif isinstance(selection, FragmentSpreadNode):
                fragment = self.fragments[selection.name.value]
                if fragment.type_condition.name.value == parent.name:
                    self.collect(parent, fragment.selection_set, condition)


def select(
    schema: GraphQLSchema,
    fragments: Mapping[str, FragmentDefinitionNode],
    parent: GraphQLObjectType,
    occurrences: list[tuple[SelectionSetNode, Condition]],
) -> tuple[Selected, ...]:
    """The merged fields of one or more selection sets on `parent`."""
    collector = _Collector(schema, fragments)
    for selection_set, condition in occurrences:
        collector.collect(parent, selection_set, condition)
    return tuple(_selected(schema, fragments, parent, key, found) for key, found in collector.found.items())


def _selected(
    schema: GraphQLSchema,
    fragments: Mapping[str, FragmentDefinitionNode],
    parent: GraphQLObjectType,
    key: str,
    found: list[tuple[FieldNode, Condition]],
) -> Selected:
    first = found[0][0]
    name = first.name.value
    conditions = [condition for _, condition in found]
    when: Alternatives = ALWAYS if () in conditions else tuple(dict.fromkeys(conditions))
    if name == TYPENAME:
        return Selected(key, name, parent.name, first, None, (), when)
    if name in INTROSPECTION:  # answered by graphql-core as a whole
        return Selected(key, name, parent.name, first, INTROSPECTION[name], (), when)
    definition = parent.fields[name]
    named = get_named_type(definition.type)
    children: tuple[Selected, ...] = ()
    if isinstance(named, GraphQLObjectType):
        # When occurrences are included under different conditions, each one's children carry it.
        differ = len(set(conditions)) > 1
        children = select(
            schema,
            fragments,
            named,
            [(node.selection_set, condition if differ else ()) for node, condition in found if node.selection_set],
        )
    return Selected(key, name, parent.name, first, definition, children, when)
