"""A query plan as plain frozen data, as Apollo's `PlanNode`: Sequence / Parallel / Fetch / Flatten / Condition.

The planner builds a plan once per (document, operation name, override labels) and the executor
walks it for every request; nothing here holds request data. `Fetch.operation` is the exact text
sent to the subgraph. An entity fetch (under `Flatten`) carries `inputs`: how to build each
representation from an object found at the flatten path.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from ..operation import ALWAYS, Alternatives

if TYPE_CHECKING:
    from ..operation import Field, Operation


@dataclass(frozen=True)
class InputField:
    """One field of a representation: `name` as the subgraph expects it, read from tree key `key`."""

    name: str
    key: str
    selection: InputSelection | None = None


@dataclass(frozen=True)
class InputSelection:
    """How to copy (part of) an object into a representation; `by_type` adds fields per `__typename`."""

    fields: tuple[InputField, ...]
    by_type: Mapping[str, tuple[InputField, ...]] | None = None


@dataclass(frozen=True)
class EntityInput:
    """How to make the representation of an object (sent with `__typename` = `typename`)."""

    typename: str
    selection: InputSelection
    key_fields: frozenset[str]  # representation fields that are key fields: a null one skips the object

    @property
    def flat(self) -> tuple[tuple[str, str], ...] | None:
        """(name, tree key) of each field when none has a sub-selection (the common case)."""
        if self.selection.by_type or any(f.selection is not None for f in self.selection.fields):
            return None
        return tuple((f.name, f.key) for f in self.selection.fields)


@dataclass(frozen=True)
class Rename:
    """Keys renamed back after a fetch: in objects of a type at a path of the subgraph's answer."""

    path: tuple[str, ...]  # response keys from the fetch's root ("@" for list levels)
    type_name: str | None  # only objects with this __typename (None: all)
    alias: str
    key: str


@dataclass(frozen=True)
class Fetch:
    """One request to a subgraph. For an entity fetch `inputs` is set (by the objects' `__typename`)."""

    id: int
    subgraph: str
    operation: str
    kind: str  # "query" or "mutation"
    variables: tuple[str, ...]  # client variables the operation uses
    inputs: Mapping[str, EntityInput] | None = None
    renames: tuple[Rename, ...] = ()
    pretty: str = ""  # the operation as printed in plans
    # what the execution derives from it (flat inputs): kept with the plan, not in a cache
    derived: dict[str, Any] = field(default_factory=dict, init=False, compare=False, repr=False)


@dataclass(frozen=True)
class Flatten:
    """Run an entity fetch for the objects found at `path` of the response tree ("@" = every list item)."""

    path: tuple[str, ...]
    node: Fetch


@dataclass(frozen=True)
class Sequence:
    nodes: tuple[PlanNode, ...]


@dataclass(frozen=True)
class Parallel:
    nodes: tuple[PlanNode, ...]


@dataclass(frozen=True)
class Condition:
    """Run `node` only when `when` holds for the request's variables (`@skip`/`@include`)."""

    when: Alternatives
    node: PlanNode


PlanNode = Fetch | Flatten | Sequence | Parallel | Condition


@dataclass(frozen=True, eq=False)
class QueryPlan:
    """The plan of one operation: its fetches, and what the projection needs to shape the answer."""

    operation: Operation
    node: PlanNode | None
    introspection: tuple[Field, ...] = ()
    denied: tuple[dict[str, Any], ...] = ()  # one error per field the caller may not see
    # what the execution derives from it (the introspection document): kept with it, not in a cache
    derived: dict[str, Any] = field(default_factory=dict, init=False, compare=False, repr=False)

    @property
    def fetches(self) -> tuple[Fetch, ...]:
        return fetches_of(self.node)


def fetches_of(node: PlanNode | None) -> tuple[Fetch, ...]:
    """Every fetch of a plan node, in order."""
    found: list[Fetch] = []
    _collect(node, found)
    return tuple(found)


def _collect(node: PlanNode | None, found: list[Fetch]) -> None:
    if node is None:
        return
    match node:
        case Fetch():
            found.append(node)
        case Flatten():
            found.append(node.node)
        case Sequence() | Parallel():
            for child in node.nodes:
                _collect(child, found)
        case Condition():
            _collect(node.node, found)


def always(when: Alternatives) -> bool:
    return when is ALWAYS or () in when
