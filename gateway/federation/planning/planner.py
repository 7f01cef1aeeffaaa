"""The query planner's front door: a document in, a cached plan out.

Parsing and validation against the API schema happen once per document; the plan is built once
per (document, operation name, active override labels) and kept in a bounded LRU cache. Limits
on operations (depth, aliases, work) belong to the security layer: `limits` are called with the
normalised operation before it is planned, and may raise `OperationError`.
"""

from __future__ import annotations

import random
from collections import OrderedDict
from collections.abc import Callable, Hashable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from threading import Lock

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
from ..errors import ErrorCode, OperationError
from ..extensions import ComputedField
from ..operation import FieldSetCache, Normaliser, Operation, Selection
from ..supergraph import Supergraph
from .assemble import assemble
from .builder import PlanBuilder
from .nodes import PlanNode, QueryPlan
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


@dataclass
class _LRU:
    capacity: int
    entries: OrderedDict[Hashable, object] = field(default_factory=OrderedDict)

    def get(self, key: Hashable) -> object | None:
        found = self.entries.get(key)
        if found is not None:
            self.entries.move_to_end(key)
        return found

    def put(self, key: Hashable, value: object) -> None:
        self.entries[key] = value
        self.entries.move_to_end(key)
        while len(self.entries) > self.capacity:
            self.entries.popitem(last=False)


class QueryPlanner:
    """Plans operations against one supergraph."""

    def __init__(
        self,
        supergraph: Supergraph,
        *,
        cache_size: int = 1024,
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
        self._operations = _LRU(cache_size)
        self.stats = PlannerStats()
        self._plans = _LRU(cache_size)
        self._documents = _LRU(cache_size)
        self._fieldsets = FieldSetCache(Normaliser(supergraph.schema))
        self._lock = Lock()

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
        with self._lock:
            self._plans.put(key, plan)
        return plan

    def operation(self, query: str, operation_name: str | None) -> Operation:
        """The validated, normalised operation (cached), checked against the limits."""
        key = (query, operation_name)
        found = self._operations.get(key)
        if isinstance(found, Operation):
            return found
        operation = self.normalise(self.document(query), operation_name)
        for limit in self.limits:
            limit(operation)
        with self._lock:
            self._operations.put(key, operation)
        return operation

    def document(self, query: str) -> DocumentNode:
        """The parsed and validated document (cached)."""
        found = self._documents.get(query)
        if isinstance(found, DocumentNode):
            return found
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
        with self._lock:
            self._documents.put(query, document)
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
        with self._lock:
            self._plans.put(key, plan)
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
        fetches may use; cached per selection object."""
        key = ("entities", type_name, selection, tuple(sorted(given)), labels, given_from)
        found = self._plans.get(key)
        if isinstance(found, EntityPlan):
            return found
        document = DocumentNode(definitions=())
        plan = self._entity_plan(type_name, selection, given, labels, given_from, document, variables or {})
        with self._lock:
            self._plans.put(key, plan)
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
