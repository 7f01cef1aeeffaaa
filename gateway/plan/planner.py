"""Operation -> query plan. Parse, validate and plan once per (document, operation name).

The organisation subgraphs serve the `bron*` root fields (the VUM-Bron side); the gateway maps
each public root field onto them: a search fans out to every organisation, a detail lookup goes to
the owner of the vumID, and fields that a reference subgraph resolves (`@resolvedBy`) are fetched
afterwards in one `_entities` request per entity type.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

from cachetools import LRUCache
from graphql import (
    DocumentNode,
    FragmentDefinitionNode,
    GraphQLError,
    GraphQLObjectType,
    GraphQLSchema,
    OperationDefinitionNode,
    OperationType,
    SelectionSetNode,
    parse,
    validate,
)
from graphql.error import GraphQLSyntaxError

from vumschema import GATEWAY, ORGANISATION, Contract
from vumschema.policy import Caller

from ..auth.fields import Denied, authorise
from ..federation.cache import count_nodes
from ..input_errors import literal_errors
from ..limits import MAX_TOKENS, Limits, Measurement, check_limits
from ..metrics import PLANNING_WORK, REFUSED_OPERATIONS
from .nodes import (
    Detail,
    EntityFetch,
    FanOut,
    Fetch,
    Flatten,
    Introspection,
    Organisaties,
    Path,
    QueryPlan,
    RootPlan,
    Search,
    Typename,
    Verwerkingen,
)
from .selection import TYPENAME, PlanningWork, Selected, select

WERKZOEKENDE = "werkzoekende"
VACATURE = "vacature"


@dataclass(frozen=True)
class Kind:
    """How one kind of record maps between the public API and the source contract."""

    name: str
    match_type: str
    detail_type: str
    id_field: str
    input_type: str
    search_field: str
    detail_field: str

    @property
    def required(self) -> tuple[str, ...]:
        """Fields the gateway always needs from a source: the id, and the consent it states."""
        return (self.id_field, "toestemmingen") if self.name == WERKZOEKENDE else (self.id_field,)


KINDS = {
    WERKZOEKENDE: Kind(
        WERKZOEKENDE,
        "WerkzoekendeProfielMatch",
        "Werkzoekende",
        "idWerkzoekende",
        "WerkzoekendeSelectievraag",
        "bronWerkzoekendeProfielMatches",
        "bronWerkzoekendeProfiel",
    ),
    VACATURE: Kind(
        VACATURE,
        "VacatureMatch",
        "Vacature",
        "idVacature",
        "VacatureSelectievraag",
        "bronVacatureMatches",
        "bronVacature",
    ),
}
SEARCH_ROOTS = {"werkzoekendeProfielMatches": WERKZOEKENDE, "vacatureMatches": VACATURE}
DETAIL_ROOTS = {"werkzoekendeProfiel": WERKZOEKENDE, "vacature": VACATURE}
DETAIL_RECORD_FIELD = {WERKZOEKENDE: "werkzoekende", VACATURE: "vacature"}


VALIDATION_FAILED = "GRAPHQL_VALIDATION_FAILED"
PLAN_BYTES_PER_NODE = 250  # per node of a kept document and per planned field: ~160 measured, plus compiled code
TOO_DEEP = "the document nests fragments too deeply to be planned"


class PlanningError(Exception):
    """The request cannot be planned; `errors` (formatted, with a code) go to the client as they are.

    Only plain data is kept, so a cached refusal holds no document.
    """

    def __init__(self, errors: list[GraphQLError]) -> None:
        super().__init__("; ".join(e.message for e in errors))
        self.errors = [_formatted(error) for error in errors]


def _formatted(error: GraphQLError) -> dict[str, Any]:
    formatted: dict[str, Any] = dict(error.formatted)
    extensions = formatted.get("extensions") or {}
    formatted["extensions"] = {**extensions, "code": extensions.get("code", VALIDATION_FAILED)}
    return formatted


@dataclass
class _Cached:
    """A plan or a refusal in the cache, with its estimated memory."""

    value: QueryPlan | PlanningError
    weight: int


def _grandchildren(selections: Iterable[Selected], *names: str) -> list[Selected]:
    """The children of the fields reached by following `names` (through every alias)."""
    current = list(selections)
    for name in names:
        current = [child for s in current for child in s.children if child.name == name]
    return [child for s in current for child in s.children]


class Planner:
    """Turns requests into plans, with a cache of plans and refusals bounded in entries and memory.

    A document is checked against the operation limits before it is validated or planned, and
    what normalising it costs is counted in `work` (`PlanningWork`), as is what measuring the
    limits cost (`limit_work`).
    """

    def __init__(
        self,
        contract: Contract,
        schema: GraphQLSchema,
        cache_size: int,
        max_tokens: int,
        limits: Limits | None = None,
        cache_bytes: int = 64 * 1024 * 1024,
    ) -> None:
        self.contract = contract
        self.schema = schema
        self.max_tokens = max_tokens
        self.limits = limits
        self.cache_size = cache_size
        self.work = PlanningWork()
        self.limit_work = 0
        self._cache: LRUCache[tuple[Any, ...], _Cached] = LRUCache(maxsize=cache_bytes, getsizeof=lambda c: c.weight)

    def plan(self, query: str, operation_name: str | None, caller: Caller | None = None) -> QueryPlan:
        """The plan for this request and this caller's authorisation shape; raises `PlanningError`."""
        digest = hashlib.blake2b(query.encode(), digest_size=32).digest()  # the cache keeps no document text
        key = (digest, operation_name, caller.shape if caller else None)
        cached = self._cache.get(key)
        if cached is None:
            before = (self.limit_work, self.work.fields, self.work.fragments, self.work.selections)
            try:
                plan, nodes = self._plan(query, operation_name, caller)
                cached = _Cached(plan, PLAN_BYTES_PER_NODE * (nodes + plan.size) + 256)
            except PlanningError as error:
                cached = _Cached(error, sum(len(str(e)) for e in error.errors) + 256)
                for code in {str(e["extensions"]["code"]) for e in error.errors}:
                    REFUSED_OPERATIONS.labels(code).inc()
            after = (self.limit_work, self.work.fields, self.work.fragments, self.work.selections)
            for kind, old, new in zip(("limits", "fields", "fragments", "selections"), before, after, strict=True):
                PLANNING_WORK.labels(kind).inc(new - old)
            self._keep(key, cached)
        if isinstance(cached.value, PlanningError):
            raise cached.value
        return cached.value

    def _keep(self, key: tuple[Any, ...], cached: _Cached) -> None:
        if cached.weight > self._cache.maxsize:
            return  # larger than the whole cache: planned again when asked again
        self._cache[key] = cached
        while len(self._cache) > self.cache_size:
            self._cache.popitem()

    @property
    def cached_bytes(self) -> int:
        """The estimated memory of the plans and refusals kept."""
        return int(self._cache.currsize)

    def measure(self, document: DocumentNode) -> Measurement | None:
        """The document's figures, or PlanningError when it exceeds a limit (None without limits)."""
        if self.limits is None:
            return None
        errors, measured = check_limits(document, self.limits)
        self.limit_work += measured.work
        if errors:
            raise PlanningError(errors)
        return measured

    def check(self, query: str) -> None:
        """Parse, measure against the limits, validate: PlanningError for a document refused
        before any planning (the federation engine's front door too)."""
        try:
            document = parse(query, max_tokens=self.max_tokens)
        except GraphQLSyntaxError as error:
            if "tokens. Parsing aborted" in error.message:
                message = f"the document has more than {self.max_tokens} tokens (gateway.limits.max_tokens)"
                raise PlanningError([GraphQLError(message, extensions={"code": MAX_TOKENS})]) from None
            raise PlanningError([error]) from None
        self.measure(document)
        errors = validate(self.schema, document)
        if errors:  # a value in an argument is named by its argument path
            raise PlanningError(literal_errors(query, errors))

    def _plan(self, query: str, operation_name: str | None, caller: Caller | None) -> tuple[QueryPlan, int]:
        """The plan, and the number of nodes of the document it keeps."""
        self.check(query)
        # Valid: plan from the document without source locations, so a kept plan holds no text.
        document = parse(query, no_location=True, max_tokens=self.max_tokens)
        operation = _operation(document, operation_name)
        fragments = {d.name.value: d for d in document.definitions if isinstance(d, FragmentDefinitionNode)}
        query_type = self.schema.query_type
        assert query_type is not None
        try:
            roots = select(self.schema, fragments, query_type, [(operation.selection_set, ())], self.work)
        except RecursionError:
            raise PlanningError([GraphQLError(TOO_DEEP)]) from None
        denied: list[Denied] = []
        planned = []
        for root in roots:
            authorised, refused = authorise(self.contract, root, caller)
            denied += refused
            planned.append(self._root(authorised, document, operation))
        return QueryPlan(operation, tuple(planned), tuple(denied)), count_nodes(document)

    def _root(self, selected: Selected, document: DocumentNode, operation: OperationDefinitionNode) -> RootPlan:
        if selected.name in SEARCH_ROOTS:
            return self._search(selected, KINDS[SEARCH_ROOTS[selected.name]])
        if selected.name in DETAIL_ROOTS:
            return self._detail(selected, KINDS[DETAIL_ROOTS[selected.name]])
        if selected.name == "organisaties":
            return Organisaties(selected)
        if selected.name == "verwerkingen":
            return Verwerkingen(selected)
        if selected.name == TYPENAME:
            return Typename(selected)
        return Introspection(selected, _only_root_field(document, operation, selected))

    # -- searches and details ---------------------------------------------------------------

    def _search(self, selected: Selected, kind: Kind) -> Search:
        nodes = _grandchildren([selected], "edges", "node")
        selection = self._render(kind.match_type, nodes, self._from_organisation, required=kind.required)
        operation = (
            f"query VumSearch($selectievraag: {kind.input_type}!, $maximumAantal: Int) "
            f"{{ {kind.search_field}(selectievraag: $selectievraag, maximumAantal: $maximumAantal) "
            f"{{ maximumAantalResultatenBereikt matches {{ {selection} }} }} }}"
        )
        fetch = Fetch(ORGANISATION, operation, kind.search_field)
        return Search(selected, kind.name, kind.id_field, FanOut(fetch), self._flatten(kind.match_type, nodes))

    def _detail(self, selected: Selected, kind: Kind) -> Detail:
        records = _grandchildren([selected], DETAIL_RECORD_FIELD[kind.name])
        selection = self._render(kind.detail_type, records, self._from_organisation, required=kind.required)
        operation = f"query VumDetail($id: String!) {{ {kind.detail_field}({kind.id_field}: $id) {{ {selection} }} }}"
        fetch = Fetch(ORGANISATION, operation, kind.detail_field)
        return Detail(selected, kind.name, fetch, self._flatten(kind.detail_type, records))

    # -- rendering subgraph selections -------------------------------------------------------

    def _from_organisation(self, type_name: str, field_name: str) -> bool:
        return self.contract.resolved_by(type_name, field_name) == ORGANISATION

    def _render(
        self,
        type_name: str,
        selections: list[Selected],
        served: Callable[[str, str], bool],
        required: tuple[str, ...] = (),
    ) -> str:
        """The fields of `selections` that the subgraph serves, merged by name (no aliases)."""
        parts: dict[str, str] = {name: name for name in required}
        by_name: dict[str, list[Selected]] = {}
        for selection in selections:
            if selection.name != TYPENAME and not selection.denied and served(type_name, selection.name):
                by_name.setdefault(selection.name, []).append(selection)
        for name, group in by_name.items():
            named = group[0].type_name
            if isinstance(self.schema.get_type(named), GraphQLObjectType):
                children = [child for selection in group for child in selection.children]
                keys = tuple(self.contract.key_fields(named))
                inner = self._render(named, children, self._inherit(served, named), required=keys)
                parts[name] = f"{name} {{ {inner} }}"
            else:
                parts[name] = name
        return " ".join(parts.values()) or TYPENAME

    def _inherit(self, served: Callable[[str, str], bool], type_name: str) -> Callable[[str, str], bool]:
        """Below a field, its type's unmarked fields belong to whoever served that field."""
        if served == self._from_organisation:
            return served
        return lambda t, f: self.contract.resolved_by(t, f) in (ORGANISATION, GATEWAY) or served(t, f)

    def _flatten(self, type_name: str, selections: list[Selected]) -> tuple[Flatten, ...]:
        """One Flatten per (subgraph, entity type) for fields resolved outside the organisations."""
        found: dict[tuple[str, str], tuple[list[Path], list[Selected]]] = {}
        self._find_entities(type_name, selections, (), found)
        result = []
        for (subgraph, entity), (paths, children) in found.items():
            served = self._owned_by(subgraph)
            selection = self._render(entity, children, served)
            operation = (
                f"query VumEntities($representations: [_Any!]!) "
                f"{{ _entities(representations: $representations) {{ ... on {entity} {{ {selection} }} }} }}"
            )
            keys = tuple(self.contract.key_fields(entity))
            fetch = EntityFetch(subgraph, entity, keys, operation)
            result.append(Flatten(tuple(dict.fromkeys(paths)), fetch))
        return tuple(result)

    def _owned_by(self, subgraph: str) -> Callable[[str, str], bool]:
        return lambda t, f: self.contract.resolved_by(t, f) == subgraph

    def _find_entities(
        self,
        type_name: str,
        selections: list[Selected],
        path: Path,
        found: dict[tuple[str, str], tuple[list[Path], list[Selected]]],
    ) -> None:
        for selection in selections:
            if selection.name == TYPENAME or selection.denied or not self._from_organisation(type_name, selection.name):
                continue
            named = selection.type_name
            if not isinstance(self.schema.get_type(named), GraphQLObjectType):
                continue
            here = (*path, selection.name)
            for child in selection.children:
                if child.denied:
                    continue
                owner = TYPENAME if child.name == TYPENAME else self.contract.resolved_by(named, child.name)
                if owner not in (ORGANISATION, GATEWAY, TYPENAME):
                    paths, children = found.setdefault((owner, named), ([], []))
                    paths.append(here)
                    children.append(child)
            self._find_entities(named, list(selection.children), here, found)


def _operation(document: DocumentNode, name: str | None) -> OperationDefinitionNode:
    operations = [d for d in document.definitions if isinstance(d, OperationDefinitionNode)]
    if name is not None:
        chosen = [o for o in operations if o.name is not None and o.name.value == name]
        if not chosen:
            raise PlanningError([GraphQLError(f"Unknown operation named '{name}'.")])
        operation = chosen[0]
    elif len(operations) == 1:
        operation = operations[0]
    else:
        raise PlanningError([GraphQLError("Must provide operation name if query contains multiple operations.")])
    if operation.operation != OperationType.QUERY:
        raise PlanningError([GraphQLError(f"This gateway only answers queries, not {operation.operation.value}s.")])
    return operation


def _only_root_field(document: DocumentNode, operation: OperationDefinitionNode, selected: Selected) -> DocumentNode:
    """A document of one operation with one introspection root field (and the fragments)."""
    reduced = OperationDefinitionNode(
        operation=operation.operation,
        name=None,
        variable_definitions=operation.variable_definitions,
        directives=operation.directives,
        selection_set=SelectionSetNode(selections=(selected.node,)),
    )
    fragments = [d for d in document.definitions if isinstance(d, FragmentDefinitionNode)]
    return DocumentNode(definitions=(reduced, *fragments))
