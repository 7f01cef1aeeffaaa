"""The query planner's front door: a document in, a cached plan out.

Parsing and validation against the API schema happen once per document; the plan is built once
per (document, operation name, active override labels). Documents, operations and plans are kept in
LRU caches bounded by their estimated memory (`cache_bytes`, split between them; see
`gateway/federation/cache.py`) and by entries (`cache_size`). Limits
on operations (depth, aliases, work) belong to the security layer: `limits` are called with the
normalised operation before it is planned, and may raise `OperationError`.
"""

from __future__ import annotations

import random
from collections.abc import Callable, Hashable, Mapping, Sequence
from dataclasses import dataclass, replace

from graphql import (
    DocumentNode,
    FragmentDefinitionNode,
    GraphQLError,
    GraphQLInterfaceType,
    GraphQLObjectType,
    NoUnusedFragmentsRule,
    OperationDefinitionNode,
    OperationType,
    SelectionSetNode,
    VariableDefinitionNode,
    parse,
    specified_rules,
    validate,
)

from ..authorization import ANONYMOUS, UNAUTHORIZED, Authorizer, Caller
from ..cache import FETCH_BYTES, FIELD_BYTES, TEXT_BYTES, WeighedLRU, document_bytes
from ..errors import ErrorCode, OperationError
from ..extensions import ComputedField
from ..operation import FieldSetCache, Normaliser, Operation, Selection
from ..supergraph import Supergraph
from .assemble import assemble
from .builder import PlanBuilder
from .nodes import PlanNode, QueryPlan, fetches_of
from .subquery import render

OperationLimit = Callable[[Operation], None]
_NO_DEFINITION = OperationDefinitionNode(operation=OperationType.QUERY, selection_set=SelectionSetNode(selections=()))
MAX_DOCUMENT_BYTES = 1_000_000


@dataclass
class PlannerStats:
    """What the planner did (for metrics and the benchmark)."""

    plans_built: int = 0
    cache_hits: int = 0
    normalise_work: int = 0


class QueryPlanner:
    """Plans operations against one supergraph."""

    def __init__(
        self,
        supergraph: Supergraph,
        *,
        cache_size: int = 1024,
        cache_bytes: int = 64 * 1024 * 1024,
        limits: Sequence[OperationLimit] = (),
        authorizer: Authorizer | None = None,
        unauthorized_code: str = UNAUTHORIZED,
        computed: Mapping[tuple[str, str], ComputedField] | None = None,
    ) -> None:
        self.supergraph = supergraph
        self.computed = computed or {}
        self.limits = tuple(limits)
        self.authorizer = authorizer
        self.unauthorized_code = unauthorized_code
        self.stats = PlannerStats()
        # an operation keeps its document and a plan its operation: their weights include them
        self._documents: WeighedLRU[str, tuple[DocumentNode, int]] = WeighedLRU(cache_bytes // 4, cache_size)
        self._operations: WeighedLRU[Hashable, Operation] = WeighedLRU(cache_bytes // 4, cache_size)
        self._plans: WeighedLRU[Hashable, QueryPlan | EntityPlan] = WeighedLRU(cache_bytes // 2, cache_size)
        self._fieldsets = FieldSetCache(Normaliser(supergraph.schema))  # the supergraph's own: bounded by it

    @property
    def cached_bytes(self) -> int:
        """The estimated memory of the documents, operations and plans kept."""
        return self._documents.weight + self._operations.weight + self._plans.weight

    def labels_for(self, enabled: frozenset[str] = frozenset()) -> frozenset[str]:
        """The override labels active for one request: the enabled ones, and `percent(N)` drawn."""
        active = set(enabled & self.supergraph.override_labels)
        for label in self.supergraph.override_labels:
            if label.startswith("percent(") and label.endswith(")"):
                try:
                    share = float(label[len("percent(") : -1])
                except ValueError:
                    continue
                if random.random() * 100 < share:
                    active.add(label)
        return frozenset(active)

    def plan(
        self,
        query: str,
        operation_name: str | None = None,
        labels: frozenset[str] = frozenset(),
        caller: Caller | None = None,
    ) -> QueryPlan:
        """The plan for this operation, override labels and (with an authorizer) caller."""
        shape: frozenset[int] | None = None
        decision = None
        if self.authorizer is None:
            key: Hashable = (query, operation_name, labels)
            found = self._plans.get(key)
            if isinstance(found, QueryPlan):
                self.stats.cache_hits += 1
                return found
            operation = self.operation(query, operation_name)
        else:
            operation = self.operation(query, operation_name)
            decision = self.authorizer.decide(operation, caller or ANONYMOUS)
            shape = decision.shape
            key = (query, operation_name, labels, shape)
            found = self._plans.get(key)
            if isinstance(found, QueryPlan):
                self.stats.cache_hits += 1
                return found
            operation = self.authorizer.apply(operation, decision)
        plan = self.plan_operation(operation, labels)
        if decision is not None and decision.denied:
            plan = replace(plan, denied=tuple(decision.errors(self.unauthorized_code)))
        self._plans.put(key, plan, self._operation_bytes(query, operation) + plan_bytes(plan.node))
        return plan

    def operation(self, query: str, operation_name: str | None) -> Operation:
        """The validated, normalised operation (cached), checked against the limits."""
        key = (query, operation_name)
        found = self._operations.get(key)
        if found is not None:
            return found
        operation = self.normalise(self.document(query), operation_name)
        for limit in self.limits:
            limit(operation)
        self._operations.put(key, operation, self._operation_bytes(query, operation))
        return operation

    def _operation_bytes(self, query: str, operation: Operation) -> int:
        """The estimated memory of a normalised operation, its document included."""
        kept = self._documents.get(query)
        document = kept[1] if kept is not None else document_bytes(len(query), operation.document)
        return document + FIELD_BYTES * (operation.work + 1)

    def document(self, query: str) -> DocumentNode:
        """The parsed and validated document (cached)."""
        found = self._documents.get(query)
        if found is not None:
            return found[0]
        if len(query) > MAX_DOCUMENT_BYTES:
            raise OperationError(f"the document exceeds {MAX_DOCUMENT_BYTES} characters", ErrorCode.BAD_REQUEST)
        try:
            document = parse(query)
        except GraphQLError as error:
            locations = [(loc.line, loc.column) for loc in error.locations or ()]
            raise OperationError(error.message, ErrorCode.GRAPHQL_PARSE_FAILED, locations=locations) from None
        errors = validate(self.supergraph.api_schema, document)
        if errors:
            first = errors[0]
            locations = [(loc.line, loc.column) for loc in first.locations or ()]
            raise OperationError(first.message, ErrorCode.GRAPHQL_VALIDATION_FAILED, locations=locations)
        weight = document_bytes(len(query), document)
        self._documents.put(query, (document, weight), weight)
        return document

    def normalise(self, document: DocumentNode, operation_name: str | None) -> Operation:
        definition = select_operation(document, operation_name)
        fragments = {d.name.value: d for d in document.definitions if isinstance(d, FragmentDefinitionNode)}
        normaliser = Normaliser(self.supergraph.api_schema, fragments)
        operation = normaliser.operation(document, definition)
        self.stats.normalise_work += operation.work
        return operation

    def plan_entities(
        self,
        type_name: str,
        selection: str,
        given: Sequence[str],
        labels: frozenset[str] = frozenset(),
        *,
        given_from: str | None = None,
    ) -> EntityPlan:
        """Plan the selection set `selection` (GraphQL text, e.g. "{ name reviews { body } }") for
        objects of `type_name` that carry only the fields `given` (and `__typename`): for
        query-then-fetch, keys first, then these objects completed from their owners as entities.
        With `given_from`, the objects come from that subgraph instead, with every field it
        resolves (at any depth): `EntityPlan.given` is the selection set to ask it for (internal
        aliases included), the plan completes the rest. Cached per (type, selection, given, labels,
        given_from)."""
        key = ("entities", type_name, selection, tuple(sorted(given)), labels, given_from)
        found = self._plans.get(key)
        if isinstance(found, EntityPlan):
            return found
        schema = self.supergraph.api_schema
        if not isinstance(schema.get_type(type_name), GraphQLObjectType | GraphQLInterfaceType):
            raise OperationError(f"{type_name!r} is not an object or interface type of the API", ErrorCode.BAD_REQUEST)
        if given_from is not None and given_from not in self.supergraph.subgraphs:
            raise OperationError(f"{given_from!r} is not a subgraph of the supergraph", ErrorCode.BAD_REQUEST)
        try:
            document = parse(f"fragment Entity on {type_name} {selection}")
        except GraphQLError as error:
            raise OperationError(error.message, ErrorCode.GRAPHQL_PARSE_FAILED) from None
        rules = [rule for rule in specified_rules if rule is not NoUnusedFragmentsRule]
        errors = validate(schema, document, rules)
        if errors:
            raise OperationError(errors[0].message, ErrorCode.GRAPHQL_VALIDATION_FAILED)
        fragment = document.definitions[0]
        assert isinstance(fragment, FragmentDefinitionNode)
        normalised = Normaliser(schema).selection(type_name, [(fragment.selection_set, ())])
        plan = self._entity_plan(type_name, normalised, given, labels, given_from, document)
        weight = TEXT_BYTES * len(selection) + FIELD_BYTES * normaliser_work(normalised) + plan_bytes(plan.node)
        self._plans.put(key, plan, weight)
        return plan

    def plan_selection_entities(
        self,
        type_name: str,
        selection: Selection,
        given: Sequence[str],
        labels: frozenset[str] = frozenset(),
        *,
        given_from: str | None = None,
        variables: Mapping[str, VariableDefinitionNode] | None = None,
    ) -> EntityPlan:
        """`plan_entities` for a selection of a normalised operation (e.g. the records below a
        root field the embedding application answers itself), whose `variables` (definitions) its
        fetches may use; kept on the selection (so it goes with the operation that holds it)."""
        key = ("entities", type_name, tuple(sorted(given)), labels, given_from)
        found = selection.derived.get(key)
        if isinstance(found, EntityPlan):
            return found
        document = DocumentNode(definitions=())
        plan = self._entity_plan(type_name, selection, given, labels, given_from, document, variables or {})
        selection.derived[key] = plan
        return plan

    def _entity_plan(
        self,
        type_name: str,
        selection: Selection,
        given: Sequence[str],
        labels: frozenset[str],
        given_from: str | None,
        document: DocumentNode,
        variables: Mapping[str, VariableDefinitionNode] | None = None,
    ) -> EntityPlan:
        builder = PlanBuilder(self.supergraph, self._fieldsets, labels, computed=self.computed)
        groups = builder.build_entities(type_name, selection, frozenset(given), given_from)
        empty = Operation(OperationType.QUERY, None, selection, variables or {}, _NO_DEFINITION, document, (), 0)
        origin = groups[0] if given_from is not None else None
        node = assemble(groups, empty, self.supergraph, given=origin)
        return EntityPlan(type_name, selection, node, render(origin.selection) if origin is not None else None)

    def plan_operation(self, operation: Operation, labels: frozenset[str] = frozenset()) -> QueryPlan:
        """Plan an already normalised operation (used by extensions that build operations)."""
        builder = PlanBuilder(self.supergraph, self._fieldsets, labels, computed=self.computed)
        groups = builder.build(operation)
        self.stats.plans_built += 1
        return QueryPlan(operation, assemble(groups, operation, self.supergraph), operation.introspection)


@dataclass(frozen=True, eq=False)
class EntityPlan:
    """A plan that completes objects which exist already (see `QueryPlanner.plan_entities`)."""

    type_name: str
    selection: Selection
    node: PlanNode | None
    given: str | None = None  # with `given_from`: the selection set the caller asks that subgraph for


def plan_bytes(node: PlanNode | None) -> int:
    """The estimated memory of a plan's nodes: its fetches and their subgraph operations."""
    return sum(FETCH_BYTES + 2 * (len(f.operation) + len(f.pretty)) for f in fetches_of(node))


def normaliser_work(selection: Selection) -> int:
    """The fields of a normalised selection, at every depth (each counted once)."""
    count, pending, seen = 0, [selection], set()
    while pending:
        current = pending.pop()
        if id(current) in seen:
            continue
        seen.add(id(current))
        for fields in current.by_type.values():
            count += len(fields)
            pending.extend(f.selection for f in fields if f.selection is not None)
    return count


def select_operation(document: DocumentNode, name: str | None) -> OperationDefinitionNode:
    operations = [d for d in document.definitions if isinstance(d, OperationDefinitionNode)]
    if name is None:
        if len(operations) != 1:
            raise OperationError(
                "the document has several operations: say which one with operationName", ErrorCode.OPERATION_NOT_FOUND
            )
        return operations[0]
    for operation in operations:
        if operation.name is not None and operation.name.value == name:
            return operation
    raise OperationError(f"the document has no operation named {name!r}", ErrorCode.OPERATION_NOT_FOUND)
