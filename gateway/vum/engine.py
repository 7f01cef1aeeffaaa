"""The federation engine (`[gateway] engine = "federation"`): VUM's operations on the runtime.

request ──runtime planner──▶ parse, validate, normalise (cached; the VUM supergraph's API schema)
        ──runtime Authorizer──▶ @authenticated, @requiresScopes, consent @policy (release.py)
        ──HTTP edge (gateway/http/operation.py)──▶ refusals, purpose, variables (public schema)
        ──root fields, concurrently──▶ search / detail (search.py, detail.py): the runtime's
              fetcher fans out to the organisations (hooks.py), its entity plans complete the
              records (vumID: computed.py; labels: codelijsten), its projection releases them
        ──processing log──▶ what left is logged first; if it cannot be, nothing leaves
"""

from __future__ import annotations

import asyncio
import hashlib
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, replace
from typing import Any, assert_never

from graphql import (
    DocumentNode,
    ExecutionResult,
    FieldNode,
    FragmentDefinitionNode,
    GraphQLNonNull,
    GraphQLScalarType,
    GraphQLSchema,
    execute,
    specified_scalar_types,
)
from graphql.execution.values import VariableValues

from vumschema import Contract
from vumschema.policy import Caller

from ..auth.fields import Denied
from ..config import ConfigError, ExtensionConfig
from ..execute.executor import FieldError, OperationTooLarge, Services, log_disclosures
from ..federation import Authorizer, FederationRuntime, RuntimeOptions, Supergraph, read_supergraph
from ..federation.authorization import Requirement
from ..federation.cache import WeighedLRU
from ..federation.execution.scalars import strings_only
from ..federation.execution.transport import Endpoint
from ..federation.operation import INTROSPECTION_FIELDS as INTROSPECTION
from ..federation.operation import Field, Operation, included
from ..federation.planning.nodes import Condition, Fetch, Flatten, Parallel, PlanNode
from ..federation.planning.nodes import Sequence as InSequence
from ..metrics import PLANNING_WORK, REFUSED_OPERATIONS
from ..plan.planner import DETAIL_RECORD_FIELD, DETAIL_ROOTS, KINDS, SEARCH_ROOTS, PlanningError
from ..public_schema import install_input_checks
from .computed import computed_fields
from .detail import detail, organisaties, verwerkingen
from .hooks import VumHooks
from .keylist import KeyLists
from .release import federation_caller, release_rules
from .request import VumRequest, below
from .search import search
from .supergraph import VumSupergraphError, compose_vum, vum_supergraph
from .transport import SourceTransport

SPECIFIED = frozenset(specified_scalar_types)  # their names
_PASSED = PlanningError([])  # a document the front door let through (kept, as a refusal is)
DATA_ROOTS = frozenset({*SEARCH_ROOTS, *DETAIL_ROOTS, "verwerkingen"})


@dataclass(frozen=True)
class Prepared:
    """An operation ready to run: normalised, with what the caller may not see marked."""

    operation: Operation
    denied: tuple[Denied, ...]

    @property
    def asks_for_data(self) -> bool:
        """True when it reads job seekers, vacancies or the processing log (needs a purpose)."""
        return any(f.name in DATA_ROOTS and not f.denied for f in self.operation.root.fields("Query"))


class FederationEngine:
    """Answers VUM operations with the federation runtime over the VUM supergraph."""

    def __init__(
        self,
        schema: GraphQLSchema,
        services: Callable[[], Services],
        front_door: Callable[[GraphQLSchema], Callable[[str], None]],
        plan_cache_size: int,
        extensions: Sequence[ExtensionConfig] = (),
        plan_cache_bytes: int = 64 * 1024 * 1024,
        keys: KeyLists | None = None,
    ) -> None:
        contract = services().contract
        supergraph = _supergraph(contract, extensions)
        # the schema clients see: the public one, or the supergraph's with the extensions' fields;
        # either way its scalars and enums check the caller's input
        self.schema = schema if not extensions else install_input_checks(supergraph.api_schema, contract)
        self.services = services
        self.keys = keys  # searches' ordered keys, for their next pages
        self.check = front_door(self.schema)  # tokens, limits, validation (raises PlanningError)
        self._checked: WeighedLRU[bytes, PlanningError] = WeighedLRU(plan_cache_bytes // 16, plan_cache_size)
        _written_as_strings(supergraph.api_schema)
        self.authorizer = Authorizer(supergraph)
        endpoints = {e.name: (Endpoint(e.url, e.timeout), e.oin) for e in extensions}
        hooks = VumHooks(supergraph, lambda: (services().registry, services().signer), endpoints)
        options = RuntimeOptions(
            plan_cache_size=plan_cache_size, plan_cache_bytes=plan_cache_bytes, deduplicate_subgraph_requests=False
        )
        self.runtime = FederationRuntime(
            supergraph,
            options,
            hooks=hooks,
            authorizer=self.authorizer,
            computed=computed_fields(),
            release=release_rules(contract, supergraph),
        )
        self.runtime.executor.transport = self.runtime.transport = SourceTransport(
            lambda: services().client, lambda: services().registry
        )

    async def start(self) -> None:
        await self.runtime.start()

    async def close(self) -> None:
        await self.runtime.close()
        if self.keys is not None:
            await self.keys.close()

    def prepare(self, query: str, operation_name: str | None, caller: Caller | None) -> Prepared:
        """Raises `PlanningError` for a document refused at the front door (as the bespoke engine
        does: limits before validation), the runtime's `OperationError` for one it cannot run."""
        self._front_door(query)
        before = self.runtime.planner.stats.normalise_work
        try:
            operation = self.runtime.planner.operation(query, operation_name)
        finally:  # fragments expanded and fields merged, as the bespoke planner counts its own
            PLANNING_WORK.labels("selections").inc(self.runtime.planner.stats.normalise_work - before)
        decision = self.authorizer.decide(operation, federation_caller(caller))
        denied = tuple(_denied(r, caller) for r in decision.denied)
        return Prepared(self.authorizer.apply(operation, decision), denied)

    def _front_door(self, query: str) -> None:
        digest = hashlib.blake2b(query.encode(), digest_size=32).digest()  # keeps no document text
        if digest not in self._checked:
            try:
                self.check(query)
                self._checked.put(digest, _PASSED, 64)
            except PlanningError as error:
                self._checked.put(digest, error, 256 + sum(len(str(e)) for e in error.errors))
                for code in {str(e["extensions"]["code"]) for e in error.errors}:
                    REFUSED_OPERATIONS.labels(code).inc()
                raise
        refused = self._checked.get(digest)
        if refused is not None and refused is not _PASSED:
            raise refused

    async def execute(
        self,
        prepared: Prepared,
        variable_values: VariableValues,
        raw: Mapping[str, Any],
        caller: Caller | None,
        *,
        encoded: bool = False,
    ) -> dict[str, Any]:
        """The GraphQL response; raises `OperationTooLarge` and `ProcessingLogFailed` as the
        bespoke engine does (gateway/http/operation.py answers them). With `encoded`, records in
        it may be JSON already (`orjson.Fragment`: the caller dumps it as it is)."""
        services = self.services()
        operation = prepared.operation
        variables = variable_values.coerced
        roots = [f for f in operation.root.fields("Query") if included(f.when, variables)]
        query_type = self.schema.query_type
        assert query_type is not None
        request = VumRequest(
            self.runtime,
            services,
            operation,
            caller,
            variable_values,
            query_type.fields,
            keys=self.keys,
            encoded=encoded,
        )
        _check_calls(roots, request)
        for denied in prepared.denied:
            if any(denied.path[0] == root.key for root in roots):
                request.error(denied.message, list(denied.path), "FORBIDDEN_FIELD")
        values = await asyncio.gather(*(self._root(root, request) for root in roots))
        await log_disclosures(services, request.entries, request.reservations)
        answers = dict(zip((r.key for r in roots), values, strict=True))
        answers.update(self._introspection(operation, raw, request))
        data: dict[str, Any] | None = {key: answers[key] for key in operation.root_keys if key in answers}
        if any(answers.get(r.key) is None and isinstance(r.type, GraphQLNonNull) for r in roots):
            data = None  # a non-null root field is null: GraphQL nulls the whole data
        response: dict[str, Any] = {"data": data}
        if request.errors:
            response["errors"] = request.errors
        if request.withheld and data is not None:
            response["extensions"] = {"achtergehouden": request.withheld}
        return response

    async def _root(self, root: Field, request: VumRequest) -> Any:
        if root.denied:
            return None
        try:
            if root.name in SEARCH_ROOTS:
                return await search(root, request)
            if root.name in DETAIL_ROOTS:
                return await detail(root, request)
            if root.name == "verwerkingen":
                return await verwerkingen(root, request)
            if root.name == "organisaties":
                return organisaties(root, request)
            if root.is_typename:
                return "Query"
            raise FieldError(f"the gateway does not answer Query.{root.name}", "INTERNAL_SERVER_ERROR")
        except FieldError as error:
            request.error(str(error), [root.key], error.code)
            return None

    def _introspection(self, operation: Operation, raw: Mapping[str, Any], request: VumRequest) -> dict[str, Any]:
        """`__schema` and `__type` from the public schema (its directives and descriptions)."""
        if not operation.introspection:
            return {}
        result = execute(self.schema, _introspection_only(operation), variable_values=dict(raw))
        assert isinstance(result, ExecutionResult)  # introspection resolves synchronously
        for error in result.errors or ():
            if error.path and error.path[0] in {f.key for f in operation.introspection}:
                request.error(error.message, list(error.path[:1]), "INTROSPECTION_ERROR")
        return {f.key: (result.data or {}).get(f.key) for f in operation.introspection}


def _check_calls(roots: list[Field], request: VumRequest) -> None:
    """The requests an operation sends at most: per search one per usable organisation (phase 1,
    the keys) and one per owner of the page's records (phase 2: at most `first` owners, counted
    even when the page comes from a kept key list), one per detail, and one per entity fetch that
    completes their records; refused before anything is asked when that is more than one
    operation may send."""
    services = request.services
    usable = sum(1 for state in services.registry.organisations if state.usable)
    calls = 0
    for root in roots:
        if root.denied or root.selection is None:
            continue
        if root.name in SEARCH_ROOTS:
            kind, asked = KINDS[SEARCH_ROOTS[root.name]], usable + min(usable, _first(root, request, usable))
            path: tuple[str, ...] = ("edges", "node")
            type_name = kind.match_type
        elif root.name in DETAIL_ROOTS:
            kind, asked = KINDS[DETAIL_ROOTS[root.name]], 1
            path, type_name = (DETAIL_RECORD_FIELD[kind.name],), kind.detail_type
        else:
            continue
        records = below(root.selection, root.type_name, *path)
        plans = [request.plan(type_name, r.selection) for r in records if r.selection is not None]
        calls += asked + sum(_fetches(plan.node) for plan in plans)
    if calls > services.max_subgraph_calls:
        raise OperationTooLarge(
            f"this operation would send {calls} requests to the organisations; this gateway allows "
            f"{services.max_subgraph_calls} per operation (gateway.limits.max_subgraph_calls)"
        )


def _first(root: Field, request: VumRequest, otherwise: int) -> int:
    """A search's `first` (its page's size), when its arguments can be read (else the search
    itself refuses them)."""
    try:
        first = request.arguments(root).get("first")
    except FieldError:
        return otherwise
    return first if isinstance(first, int) and first > 0 else otherwise


def _fetches(node: PlanNode | None) -> int:
    """The subgraph requests of an entity plan (one per Flatten; each instance one at most)."""
    match node:
        case None:
            return 0
        case Fetch() | Flatten():
            return 1
        case InSequence() | Parallel():
            return sum(_fetches(child) for child in node.nodes)
        case Condition():
            return _fetches(node.node)
        case _:
            assert_never(node)


def _denied(requirement: Requirement, caller: Caller | None) -> Denied:
    """A field the runtime's Authorizer denied, said as the bespoke engine says it."""
    path = tuple(p for p in requirement.path if p != "@")
    needed = requirement.authorization
    if caller is None:
        return Denied(path, "unauthenticated")
    if needed.scopes and not any(set(s) <= caller.scopes for s in needed.scopes):
        return Denied(path, "scope", needed.scopes)
    return Denied(path, "category")


def _introspection_only(operation: Operation) -> DocumentNode:
    """The operation with only its root `__schema` and `__type` fields (the others are answered
    by the engine; executed here they would be null, and a non-null one would null them all)."""
    definition = operation.definition
    kept = tuple(
        s for s in definition.selection_set.selections if isinstance(s, FieldNode) and s.name.value in INTROSPECTION
    )
    only = replace(definition, selection_set=replace(definition.selection_set, selections=kept))
    fragments = [d for d in operation.document.definitions if isinstance(d, FragmentDefinitionNode)]
    return DocumentNode(definitions=(only, *fragments))


def _written_as_strings(schema: GraphQLSchema) -> None:
    """The contract's scalars (Postcode, Datum, URI) are JSON strings: a source that sends
    anything else for one sends a value of the wrong type (null, with an error), as the bespoke
    projection has it; the compiled projection checks them inline. Set once on the shared
    supergraph (idempotent)."""
    for type_ in schema.type_map.values():
        if isinstance(type_, GraphQLScalarType) and type_.name not in SPECIFIED and not type_.name.startswith("_"):
            type_.serialize = strings_only  # type: ignore[method-assign]


def _supergraph(contract: Contract, extensions: Sequence[ExtensionConfig]) -> Supergraph:
    """The VUM supergraph, with the extension subgraphs composed in (their SDL from file)."""
    if not extensions:
        return vum_supergraph()
    from ..federation.compose import SubgraphInput  # only to compose extensions in

    inputs = [SubgraphInput(e.name, e.url, e.schema_file.read_text(encoding="utf-8")) for e in extensions]
    try:
        return read_supergraph(compose_vum(contract, extensions=inputs))
    except VumSupergraphError as error:
        raise ConfigError(f"extensions: they do not compose with the VUM graph: {error}") from None
