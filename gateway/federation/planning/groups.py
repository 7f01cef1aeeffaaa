"""Fetch groups: the subgraph requests a plan is made of, while they are being built, and their order.

A group is one future request: a subgraph, where its answer goes in the response tree (`path`),
what it selects, and which groups must answer first (`deps`: the ones that provide its keys and
`@requires`). `to_plan_node` turns the dependency graph into nested Sequence / Parallel nodes:
each group runs as soon as the groups it depends on have, as far as a series-parallel plan can
say it (a group that depends on several branches waits for all of them).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

from ..operation import ALWAYS, Alternatives, Field
from .nodes import Condition, EntityInput, Flatten, InputField, InputSelection, Parallel, PlanNode, Sequence
from .subquery import SubSelection

Path = tuple[str, ...]


@dataclass
class PendingInput:
    """An entity input while it is built: the representation's typename and its key / requires fields."""

    typename: str
    key_fields: dict[str, Field] = field(default_factory=dict)  # by representation name
    fields: dict[str, Field] = field(default_factory=dict)

    def add(self, fields: Iterable[Field], *, key: bool) -> None:
        for field_ in fields:
            if field_.is_typename:
                continue
            self.fields.setdefault(field_.name, field_)
            if key:
                self.key_fields.setdefault(field_.name, field_)

    def build(self) -> EntityInput:
        return EntityInput(self.typename, _input_selection(tuple(self.fields.values())), frozenset(self.key_fields))


def _input_selection(fields: tuple[Field, ...]) -> InputSelection:
    return InputSelection(tuple(_input_field(f) for f in fields if not f.is_typename))


def _input_field(field_: Field) -> InputField:
    selection = field_.selection
    if selection is None:
        return InputField(field_.name, field_.key)
    base = selection.fields(selection.type_name)
    if not selection.abstract:
        return InputField(field_.name, field_.key, _input_selection(base))
    base_keys = {f.key for f in base}
    by_type = {
        type_name: tuple(_input_field(f) for f in fields if f.key not in base_keys and not f.is_typename)
        for type_name, fields in selection.by_type.items()
        if type_name != selection.type_name
    }
    base_fields = tuple(_input_field(f) for f in base if not f.is_typename)
    return InputField(field_.name, field_.key, InputSelection(base_fields, {k: v for k, v in by_type.items() if v}))


@dataclass(eq=False)
class Group:
    """One request to a subgraph, as planned so far."""

    id: int
    subgraph: str
    path: Path
    entity: bool
    selection: SubSelection
    kind: str = "query"
    stage: int = 0  # mutations: the root field it serves (stages run one after another)
    deps: set[Group] = field(default_factory=set)
    inputs: dict[str, PendingInput] = field(default_factory=dict)  # by the objects' __typename
    when: Alternatives = ALWAYS

    def __repr__(self) -> str:
        return f"Group({self.id}, {self.subgraph}, {'.'.join(self.path) or '<root>'})"

    def depends_on(self, other: Group) -> bool:
        """True when `other` must run before this group (directly or through others)."""
        seen: set[int] = set()
        pending = list(self.deps)
        while pending:
            group = pending.pop()
            if group is other:
                return True
            if group.id not in seen:
                seen.add(group.id)
                pending.extend(group.deps)
        return False

    def add_condition(self, when: Alternatives) -> None:
        if self.when is ALWAYS or when is ALWAYS or () in when:
            self.when = ALWAYS
        else:
            self.when = tuple(dict.fromkeys(self.when + when))


def to_plan_node(groups: list[Group], node_of: Callable[[Group], PlanNode]) -> PlanNode | None:
    """Nested Sequence / Parallel nodes that respect every group's dependencies."""
    stages = sorted({g.stage for g in groups})
    parts = [_schedule([g for g in groups if g.stage == stage], set(), node_of) for stage in stages]
    return _sequence([p for p in parts if p is not None])


def _schedule(groups: list[Group], done: set[int], node_of: Callable[[Group], PlanNode]) -> PlanNode | None:
    if not groups:
        return None
    ids = {g.id for g in groups}
    roots = [g for g in groups if all(d.id in done or d.id not in ids for d in g.deps)]
    if not roots:
        raise AssertionError(f"fetch groups depend on each other in a cycle: {groups}")
    root_ids = {g.id for g in roots}
    origins: dict[int, frozenset[int]] = {}

    def origin(group: Group) -> frozenset[int]:
        found = origins.get(group.id)
        if found is None:
            if group.id in root_ids:
                found = frozenset({group.id})
            else:
                found = frozenset().union(*(origin(d) for d in group.deps if d.id in ids and d.id not in done))
            origins[group.id] = found
        return found

    branches = []
    for root in roots:
        owned = [g for g in groups if g.id not in root_ids and origin(g) == {root.id}]
        rest = _schedule(owned, done | {root.id}, node_of)
        branches.append(_sequence([_conditioned(root, node_of(root)), *([rest] if rest else [])]))
    scheduled = root_ids | {g.id for g in groups if len(origin(g)) == 1}
    later = [g for g in groups if g.id not in scheduled]
    after = _schedule(later, done | scheduled, node_of)
    first = _parallel(branches)
    return _sequence([first, after] if after is not None else [first])


def _conditioned(group: Group, node: PlanNode) -> PlanNode:
    return node if group.when is ALWAYS or () in group.when else Condition(group.when, node)


def _sequence(nodes: list[PlanNode]) -> PlanNode:
    flat: list[PlanNode] = []
    for node in nodes:
        flat.extend(node.nodes if isinstance(node, Sequence) else (node,))
    return flat[0] if len(flat) == 1 else Sequence(tuple(flat))


def _parallel(nodes: list[PlanNode]) -> PlanNode:
    flat: list[PlanNode] = []
    for node in nodes:
        flat.extend(node.nodes if isinstance(node, Parallel) else (node,))
    return flat[0] if len(flat) == 1 else Parallel(tuple(flat))


def flatten(group: Group, fetch: PlanNode) -> PlanNode:
    return Flatten(group.path, fetch) if group.entity else fetch  # type: ignore[arg-type]
