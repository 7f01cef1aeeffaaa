"""Where the planner stands while it walks an operation: group, tree path, `@provides`, conditions."""

from __future__ import annotations

from dataclasses import dataclass

from graphql import GraphQLList, GraphQLNonNull, GraphQLOutputType

from ..operation import ALWAYS, Alternatives, Field, Selection
from .groups import Group

Path = tuple[str, ...]
MAX_ALTERNATIVES = 8


@dataclass(frozen=True)
class Ctx:
    """A position being planned: in `group`, at tree `path` (response keys, "@" per list level)."""

    group: Group
    path: Path
    provides: Selection | None = None  # what the subgraph's `@provides` makes resolvable here
    satisfied: frozenset[str] = frozenset()  # fields whose `@requires` this entity fetch carries
    when: Alternatives = ALWAYS  # the `@skip`/`@include` conditions on the way here
    chain: tuple[tuple[str, str], ...] = ()  # (type, field) from the nearest entity (or root) to here

    def at(self, field: Field, provides: Selection | None, chain: tuple[tuple[str, str], ...]) -> Ctx:
        """The position below `field`."""
        path = (*self.path, field.key, *("@",) * list_depth(field.type))
        return Ctx(self.group, path, provides, frozenset(), both(self.when, field.when), chain)


def list_depth(type_: GraphQLOutputType) -> int:
    depth = 0
    while isinstance(type_, GraphQLNonNull | GraphQLList):
        if isinstance(type_, GraphQLList):
            depth += 1
        type_ = type_.of_type
    return depth


def both(first: Alternatives, second: Alternatives) -> Alternatives:
    """The conjunction of two conditions (ALWAYS when it grows too large: fetching more is safe)."""
    if first is ALWAYS or () in first:
        return second
    if second is ALWAYS or () in second:
        return first
    combined = tuple(dict.fromkeys(tuple(dict.fromkeys(a + b)) for a in first for b in second))
    return combined if len(combined) <= MAX_ALTERNATIVES else ALWAYS


def either(conditions: list[Alternatives]) -> Alternatives:
    """The disjunction of conditions."""
    found: list[tuple[tuple[str, bool], ...]] = []
    for condition in conditions:
        if condition is ALWAYS or () in condition:
            return ALWAYS
        found.extend(condition)
    combined = tuple(dict.fromkeys(found))
    return combined if combined and len(combined) <= MAX_ALTERNATIVES else ALWAYS
