"""Operation limits: how much one GraphQL document may ask, checked before it is validated or planned.

What validating and planning cost grows with what a document expands to, not with its length:
22 nested fragments that each spread the previous one twice are 900 bytes and four million
fields. So the gateway measures a document first, counting its own work (`Measurement.work`),
and refuses what exceeds a limit with the limit's own error code. The limits are those of Apollo
Router and Hive Gateway: depth, height (fields with every fragment inlined), aliases, root
fields, directives, and tokens (counted by the parser), plus one for fields that repeat a
response key in a selection set, which validation compares pairwise (its cost grows with the
square of the repeats).

The first pass is linear in the document: each fragment is measured once and its figures reused
at every spread. Only when they are within the limits does the second pass count repeats; its
work is bounded by the document plus the height the first pass allowed. Figures are summed over
a document's operations (all of them are validated), except depth and root fields (the largest).
Nothing here knows VUM: it takes a parsed document and the limits.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from graphql import (
    DocumentNode,
    FieldNode,
    FragmentDefinitionNode,
    FragmentSpreadNode,
    GraphQLError,
    InlineFragmentNode,
    OperationDefinitionNode,
    SelectionSetNode,
)

SATURATED = 1 << 62  # figures stop growing here, so an exponential document stays cheap to count

MAX_DEPTH = "MAX_DEPTH_LIMIT"
MAX_HEIGHT = "MAX_HEIGHT_LIMIT"
MAX_ALIASES = "MAX_ALIASES_LIMIT"
MAX_ROOT_FIELDS = "MAX_ROOT_FIELDS_LIMIT"
MAX_DIRECTIVES = "MAX_DIRECTIVES_LIMIT"
MAX_REPEATED_FIELDS = "MAX_REPEATED_FIELDS_LIMIT"
MAX_TOKENS = "MAX_TOKENS_LIMIT"
LIMIT_CODES = frozenset(
    {MAX_DEPTH, MAX_HEIGHT, MAX_ALIASES, MAX_ROOT_FIELDS, MAX_DIRECTIVES, MAX_REPEATED_FIELDS, MAX_TOKENS}
)


@dataclass(frozen=True)
class Limits:
    """The most one document may ask (each figure counted with its fragments inlined)."""

    max_depth: int
    max_height: int
    max_aliases: int
    max_root_fields: int
    max_directives: int
    max_repeated_fields: int


@dataclass
class Measurement:
    """What a document asks, fragments inlined, and the work it took to count it."""

    depth: int = 0
    height: int = 0
    aliases: int = 0
    root_fields: int = 0
    directives: int = 0
    repeated_fields: int = 0
    work: int = 0  # selections looked at and response keys merged, over both passes


def check_limits(document: DocumentNode, limits: Limits) -> tuple[list[GraphQLError], Measurement]:
    """The limit errors of `document` (none when it is within the limits), and its figures."""
    fragments = {d.name.value: d for d in document.definitions if isinstance(d, FragmentDefinitionNode)}
    operations = [d.selection_set for d in document.definitions if isinstance(d, OperationDefinitionNode)]
    order, visited = _dependencies_first(fragments, operations)
    sizer = _Sizer(fragments, order)
    measured = Measurement()
    for selection_set in operations:
        size = sizer.size(selection_set)
        measured.depth = max(measured.depth, size.depth)
        measured.height = _sum(measured.height, size.height)
        measured.aliases = _sum(measured.aliases, size.aliases)
        measured.directives = _sum(measured.directives, size.directives)
        measured.root_fields = max(measured.root_fields, size.fields)
    measured.work = visited + sizer.work
    errors = _errors(measured, limits)
    if not errors:  # the expansion is bounded now, so counting its repeats is too
        counter = _RepeatCounter(fragments, order)
        for selection_set in operations:
            measured.repeated_fields = _sum(measured.repeated_fields, counter.repeats(selection_set))
        measured.work += counter.work
        errors = _errors(measured, limits)
    return errors, measured


def _sum(a: int, b: int) -> int:
    return min(a + b, SATURATED)


def _errors(measured: Measurement, limits: Limits) -> list[GraphQLError]:
    checks = (
        (measured.depth, limits.max_depth, "max_depth", MAX_DEPTH, "levels of fields"),
        (measured.height, limits.max_height, "max_height", MAX_HEIGHT, "fields with its fragments inlined"),
        (measured.aliases, limits.max_aliases, "max_aliases", MAX_ALIASES, "aliases"),
        (measured.root_fields, limits.max_root_fields, "max_root_fields", MAX_ROOT_FIELDS, "root fields"),
        (measured.directives, limits.max_directives, "max_directives", MAX_DIRECTIVES, "directives"),
        (
            measured.repeated_fields,
            limits.max_repeated_fields,
            "max_repeated_fields",
            MAX_REPEATED_FIELDS,
            "fields that repeat a response key of their selection set",
        ),
    )
    errors = []
    for value, limit, key, code, what in checks:
        if value > limit:
            shown = f"more than {SATURATED}" if value >= SATURATED else str(value)
            message = f"the document has {shown} {what}; this gateway allows {limit} (gateway.limits.{key})"
            errors.append(GraphQLError(message, extensions={"code": code}))
    return errors


@dataclass
class _Size:
    """The figures of one selection set, fragments inlined."""

    depth: int = 0
    height: int = 0
    aliases: int = 0
    directives: int = 0
    fields: int = 0  # fields at this level (an operation's root fields)


class _Sizer:
    """Pass one: the figures of every selection set; each fragment is measured once (linear)."""

    def __init__(self, fragments: Mapping[str, FragmentDefinitionNode], order: list[str]) -> None:
        self.work = 0
        self._measured: dict[str, _Size] = {}
        for name in order:
            self._measured[name] = self.size(fragments[name].selection_set)

    def size(self, selection_set: SelectionSetNode) -> _Size:
        total = _Size()
        for selection in selection_set.selections:
            self.work += 1
            total.directives = _sum(total.directives, len(selection.directives or ()))
            if isinstance(selection, FieldNode):
                inner = self.size(selection.selection_set) if selection.selection_set else _Size()
                depth, height, aliases, fields = inner.depth + 1, inner.height + 1, inner.aliases, 1
                aliases += 1 if selection.alias else 0
            else:
                if isinstance(selection, InlineFragmentNode):
                    inner = self.size(selection.selection_set)
                else:
                    assert isinstance(selection, FragmentSpreadNode)
                    inner = self._measured.get(selection.name.value, _Size())  # unknown: validation says so
                depth, height, aliases, fields = inner.depth, inner.height, inner.aliases, inner.fields
            total.depth = max(total.depth, depth)
            total.height = _sum(total.height, height)
            total.aliases = _sum(total.aliases, aliases)
            total.directives = _sum(total.directives, inner.directives)
            total.fields = _sum(total.fields, fields)
        return total


class _RepeatCounter:
    """Pass two: fields that repeat a response key in one selection set, fragments inlined.

    Each fragment's repeats and top-level keys are counted once; merging its keys at a spread
    costs their number, which the height already counted, so the work stays within the
    document plus its (limited) height.
    """

    def __init__(self, fragments: Mapping[str, FragmentDefinitionNode], order: list[str]) -> None:
        self.work = 0
        self._counted: dict[str, tuple[int, Counter[str]]] = {}
        for name in order:
            self._counted[name] = self._count(fragments[name].selection_set)

    def repeats(self, selection_set: SelectionSetNode) -> int:
        inner, keys = self._count(selection_set)
        return _sum(inner, sum(keys.values()) - len(keys))

    def _count(self, selection_set: SelectionSetNode) -> tuple[int, Counter[str]]:
        """The repeats below this set's fields, and this set's response keys with their counts."""
        repeats = 0
        keys: Counter[str] = Counter()
        for selection in selection_set.selections:
            self.work += 1
            if isinstance(selection, FieldNode):
                keys[(selection.alias or selection.name).value] += 1
                if selection.selection_set:
                    repeats = _sum(repeats, self.repeats(selection.selection_set))
                continue
            if isinstance(selection, InlineFragmentNode):
                inner, inner_keys = self._count(selection.selection_set)
            else:
                assert isinstance(selection, FragmentSpreadNode)
                inner, inner_keys = self._counted.get(selection.name.value, (0, Counter()))
            self.work += len(inner_keys)
            repeats = _sum(repeats, inner)
            keys.update(inner_keys)
        return repeats, keys


def _dependencies_first(
    fragments: Mapping[str, FragmentDefinitionNode], operations: list[SelectionSetNode]
) -> tuple[list[str], int]:
    """The fragments the operations use, each after those it spreads (a cycle is cut: validation
    refuses it, and an unused fragment too); and the selections looked at to find them."""
    order: list[str] = []
    seen: set[str] = set()
    visited = [0]
    for name in (n for operation in operations for n in _spreads(operation, visited)):
        if name not in fragments or name in seen:
            continue
        seen.add(name)
        stack = [(name, iter(_spreads(fragments[name].selection_set, visited)))]
        while stack:
            current, pending = stack[-1]
            following = next((n for n in pending if n in fragments and n not in seen), None)
            if following is None:
                stack.pop()
                order.append(current)
            else:
                seen.add(following)
                stack.append((following, iter(_spreads(fragments[following].selection_set, visited))))
    return order, visited[0]


def _spreads(selection_set: SelectionSetNode, visited: list[int]) -> Iterable[str]:
    """The names of the fragments spread anywhere in the selection set (counting in `visited`)."""
    for selection in selection_set.selections:
        visited[0] += 1
        if isinstance(selection, FragmentSpreadNode):
            yield selection.name.value
        elif isinstance(selection, FieldNode | InlineFragmentNode) and selection.selection_set is not None:
            yield from _spreads(selection.selection_set, visited)
