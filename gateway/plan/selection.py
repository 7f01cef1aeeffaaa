"""An operation's selections, normalised: fragments expanded, fields merged by response key.

The result is a tree of `Selected` fields per response key, each knowing its field definition and
under which `@skip`/`@include` variable values it is included. Literal conditions are decided
here; conditions on variables are kept as data and evaluated per request.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
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


def _join(first: Condition, second: Condition) -> Condition | None:
    """Both conditions at once, in a canonical order; None when they contradict each other."""
    if not second:
        return first
    merged = dict(first)
    for name, value in second:
        if merged.setdefault(name, value) is not value:
            return None  # `$x` both true and false: never included
    return tuple(sorted(merged.items()))


def _condition(node: Any) -> Condition | None:
    """The node's @skip/@include as a condition; None when a literal (or a contradiction) excludes it."""
    condition: Condition = ()
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
            joined = _join(condition, ((value.name.value, wanted),))
            if joined is None:
                return None
            condition = joined
    return condition


@dataclass
class PlanningWork:
    """What normalising one operation cost, counted (never timed)."""

    fields: int = 0  # field occurrences gathered under a response key
    fragments: int = 0  # fragment bodies walked: once per fragment and parent type
    selections: int = 0  # merged selection sets built: once per distinct group of occurrences

    @property
    def total(self) -> int:
        return self.fields + self.fragments + self.selections


_Entry = tuple[str, FieldNode, Condition]  # response key, field, the condition it is included under
_Found = dict[str, dict[tuple[int, Condition], tuple[FieldNode, Condition]]]  # per key, each (field, condition) once


class _Normaliser:
    """Fragments expanded and fields merged, with the work memoised: a fragment's fields are
    gathered once per parent type and reused at every spread, the same occurrence under the same
    condition counts once, and the same group of selection sets is merged once. So a fragment
    spread twice in each of 22 nested fragments is walked 22 times, not four million."""

    def __init__(self, schema: GraphQLSchema, fragments: Mapping[str, FragmentDefinitionNode]) -> None:
        self.schema = schema
        self.fragments = fragments
        self.work = PlanningWork()
        self._fragment_fields: dict[tuple[str, str], tuple[_Entry, ...]] = {}
        self._merged: dict[tuple[str, tuple[tuple[int, Condition], ...]], tuple[Selected, ...]] = {}

    def select(
        self, parent: GraphQLObjectType, occurrences: list[tuple[SelectionSetNode, Condition]]
    ) -> tuple[Selected, ...]:
        """The merged fields of one or more selection sets on `parent`."""
        memo_key = (parent.name, tuple((id(selection_set), condition) for selection_set, condition in occurrences))
        merged = self._merged.get(memo_key)
        if merged is None:
            self.work.selections += 1
            found: _Found = {}
            spreads: set[tuple[str, Condition]] = set()
            for selection_set, condition in occurrences:
                self._collect(parent, selection_set, condition, found, spreads)
            merged = tuple(self._selected(parent, key, list(group.values())) for key, group in found.items())
            self._merged[memo_key] = merged
        return merged

    def _collect(
        self,
        parent: GraphQLObjectType,
        selection_set: SelectionSetNode,
        inherited: Condition,
        found: _Found,
        spreads: set[tuple[str, Condition]],
    ) -> None:
        """Gather the fields of a selection set into `found`; `spreads` are the fragments already
        merged into it (under their conditions), which a repeated spread need not merge again."""
        for selection in selection_set.selections:
            own = _condition(selection)
            condition = None if own is None else _join(inherited, own)
            if condition is None:
                continue
            if isinstance(selection, FieldNode):
                self._add(found, (selection.alias or selection.name).value, selection, condition)
            elif isinstance(selection, InlineFragmentNode):
                if selection.type_condition is None or selection.type_condition.name.value == parent.name:
                    self._collect(parent, selection.selection_set, condition, found, spreads)
            elif isinstance(selection, FragmentSpreadNode):
                spread = (selection.name.value, condition)
                if spread in spreads:
                    continue  # the same fragment under the same condition adds nothing new
                spreads.add(spread)
                for key, node, relative in self._fragment(selection.name.value, parent):
                    joined = _join(condition, relative)
                    if joined is not None:
                        self._add(found, key, node, joined)

    def _add(self, found: _Found, key: str, node: FieldNode, condition: Condition) -> None:
        self.work.fields += 1
        found.setdefault(key, {}).setdefault((id(node), condition), (node, condition))

    def _fragment(self, name: str, parent: GraphQLObjectType) -> tuple[_Entry, ...]:
        """The fields a fragment contributes on `parent`, with their conditions inside it."""
        entries = self._fragment_fields.get((name, parent.name))
        if entries is None:
            fragment = self.fragments[name]
            found: _Found = {}
            if fragment.type_condition.name.value == parent.name:
                self.work.fragments += 1
                self._collect(parent, fragment.selection_set, (), found, set())
            entries = tuple(
                (key, node, condition) for key, group in found.items() for node, condition in group.values()
            )
            self._fragment_fields[(name, parent.name)] = entries
        return entries

    def _selected(self, parent: GraphQLObjectType, key: str, found: list[tuple[FieldNode, Condition]]) -> Selected:
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
            children = self.select(
                named,
                [(node.selection_set, condition if differ else ()) for node, condition in found if node.selection_set],
            )
        return Selected(key, name, parent.name, first, definition, children, when)


def select(
    schema: GraphQLSchema,
    fragments: Mapping[str, FragmentDefinitionNode],
    parent: GraphQLObjectType,
    occurrences: list[tuple[SelectionSetNode, Condition]],
    work: PlanningWork | None = None,
) -> tuple[Selected, ...]:
    """The merged fields of one or more selection sets on `parent` (of a validated document);
    what it took is added to `work`."""
    normaliser = _Normaliser(schema, fragments)
    selected = normaliser.select(parent, occurrences)
    if work is not None:
        work.fields += normaliser.work.fields
        work.fragments += normaliser.work.fragments
        work.selections += normaliser.work.selections
    return selected
