"""A query plan as plain data: what to fetch from which subgraphs, and what to project.

The planner builds these once per (document, operation name); the executor walks them for every
request. Nothing here holds request data.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from graphql import DocumentNode, OperationDefinitionNode

from .selection import Selected

if TYPE_CHECKING:
    from ..auth.fields import Denied

Path = tuple[str, ...]


@dataclass(frozen=True)
class Fetch:
    """One GraphQL request to a subgraph; `root_field` is read from its `data`."""

    subgraph: str
    operation: str
    root_field: str


@dataclass(frozen=True)
class FanOut:
    """The same fetch to every usable organisation, concurrently, each within its timeout."""

    fetch: Fetch


@dataclass(frozen=True)
class EntityFetch:
    """An `_entities` request for one entity type to the subgraph that resolves its fields."""

    subgraph: str
    type_name: str
    key_fields: tuple[str, ...]
    operation: str


@dataclass(frozen=True)
class Flatten:
    """Complete the entity objects found at `paths` (below each record) with an entity fetch."""

    paths: tuple[Path, ...]
    fetch: EntityFetch


@dataclass(frozen=True)
class Search:
    """`werkzoekendeProfielMatches` / `vacatureMatches`: fan out, merge, order, page, complete, project."""

    selection: Selected
    kind: str  # "werkzoekende" or "vacature"
    id_field: str
    fan_out: FanOut
    flatten: tuple[Flatten, ...]


@dataclass(frozen=True)
class Detail:
    """`werkzoekendeProfiel` / `vacature`: open the vumID, fetch from the owner only, complete, project."""

    selection: Selected
    kind: str
    fetch: Fetch
    flatten: tuple[Flatten, ...]


@dataclass(frozen=True)
class Organisaties:
    """`organisaties`: the registry's state, projected."""

    selection: Selected


@dataclass(frozen=True)
class Verwerkingen:
    """`verwerkingen`: who saw a profile, from the processing log."""

    selection: Selected


@dataclass(frozen=True)
class Typename:
    """`__typename` on the root."""

    selection: Selected


@dataclass(frozen=True)
class Introspection:
    """`__schema` / `__type`: answered by graphql-core from the public schema."""

    selection: Selected
    document: DocumentNode


RootPlan = Search | Detail | Organisaties | Verwerkingen | Typename | Introspection
DATA_ROOTS = (Search, Detail, Verwerkingen)


@dataclass(frozen=True)
class QueryPlan:
    """Every root field of one operation, planned for one authorisation shape."""

    operation: OperationDefinitionNode
    roots: tuple[RootPlan, ...]
    denied: tuple[Denied, ...] = ()
    # What the executor derives once per plan (compiled projections): it lives and dies with the plan.
    derived: dict[Any, Any] = field(default_factory=dict, compare=False, repr=False)

    @property
    def size(self) -> int:
        """The fields selected in the plan, each alias, position and condition it is included
        under counted: what the plan holds (a measure of its memory and of planning's output)."""
        pending = [root.selection for root in self.roots]
        count = 0
        while pending:
            selected = pending.pop()
            count += len(selected.when)
            pending.extend(selected.children)
        return count

    @property
    def asks_for_data(self) -> bool:
        """True when the operation reads job seekers, vacancies or the processing log (needs a purpose)."""
        return any(isinstance(root, DATA_ROOTS) and not root.selection.denied for root in self.roots)
