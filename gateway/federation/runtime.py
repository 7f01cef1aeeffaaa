"""One federated graph at run time: plan (cached), coerce variables, execute, serialise.

`FederationRuntime.handle` is everything between an HTTP request's parsed body and the bytes of
its answer, so servers and tests share one path. Identical inbound queries in flight at the
same time can be executed once and their answer shared (as Hive Gateway's inbound
deduplication); that is only correct where the answer does not depend on the caller, so it is
off by default and keyed additionally by whatever `RequestContext.attributes["dedup_key"]` says.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Sequence
from dataclasses import dataclass, replace
from typing import Any

import orjson
from graphql import GraphQLError, OperationType
from graphql.execution.values import get_variable_values

from .authorization import Authorizer
from .errors import ErrorCode, FederationError, OperationError
from .execution.executor import Executor
from .execution.hooks import Hooks, RequestContext
from .execution.transport import Transport
from .extensions import ComputedField, ReleaseRules
from .planning import OperationLimit, QueryPlan, QueryPlanner
from .supergraph import Supergraph

log = logging.getLogger("gateway.federation")


@dataclass(frozen=True)
class Answer:
    """An HTTP status and a serialised GraphQL response."""

    status: int
    body: bytes


@dataclass
class RuntimeOptions:
    plan_cache_size: int = 1024
    plan_cache_bytes: int = 64 * 1024 * 1024  # documents, operations and plans kept, estimated (cache.py)
    deduplicate_subgraph_requests: bool = True
    deduplicate_inbound_requests: bool = False
    subgraph_timeout: float = 30.0
    max_subgraph_response_bytes: int = 64 * 1024 * 1024
    connections: int = 512


class FederationRuntime:
    """Serves GraphQL operations of one supergraph."""

    def __init__(
        self,
        supergraph: Supergraph,
        options: RuntimeOptions | None = None,
        *,
        hooks: Hooks | None = None,
        limits: Sequence[OperationLimit] = (),
        authorizer: Authorizer | None = None,
        computed: Sequence[ComputedField] = (),
        release: ReleaseRules | None = None,
    ) -> None:
        self.supergraph = supergraph
        self.options = options or RuntimeOptions()
        by_field = {(c.type_name, c.field_name): c for c in computed}
        self.planner = QueryPlanner(
            supergraph,
            cache_size=self.options.plan_cache_size,
            cache_bytes=self.options.plan_cache_bytes,
            limits=limits,
            authorizer=authorizer,
            computed=by_field,
        )
        self.transport = Transport(
            max_response_bytes=self.options.max_subgraph_response_bytes,
            connections=self.options.connections,
            deduplicate=self.options.deduplicate_subgraph_requests,
        )
        self.executor = Executor(
            supergraph,
            self.transport,
            hooks or Hooks(supergraph, default_timeout=self.options.subgraph_timeout),
            computed=by_field,
            release=release,
        )
        self._in_flight: dict[tuple[Any, ...], asyncio.Future[Answer]] = {}

    async def start(self) -> None:
        await self.transport.start()

    async def close(self) -> None:
        await self.transport.close()

    async def handle(
        self,
        query: str,
        variables: dict[str, Any] | None = None,
        operation_name: str | None = None,
        context: RequestContext | None = None,
        *,
        allow_mutation: bool = True,
    ) -> Answer:
        context = context or RequestContext()
        if not self.options.deduplicate_inbound_requests:
            return await self._handle(query, variables, operation_name, context, allow_mutation)
        key = (
            query,
            operation_name,
            orjson.dumps(variables, option=orjson.OPT_SORT_KEYS, default=str) if variables else b"",
            context.attributes.get("dedup_key"),
        )
        waiting = self._in_flight.get(key)
        if waiting is not None:
            return await asyncio.shield(waiting)
        future: asyncio.Future[Answer] = asyncio.get_running_loop().create_future()
        self._in_flight[key] = future
        try:
            answer = await self._handle(query, variables, operation_name, context, allow_mutation)
            future.set_result(answer)
            return answer
        except BaseException as error:
            future.set_exception(error)
            future.exception()
            raise
        finally:
            del self._in_flight[key]

    async def _handle(
        self,
        query: str,
        variables: dict[str, Any] | None,
        operation_name: str | None,
        context: RequestContext,
        allow_mutation: bool,
    ) -> Answer:
        try:
            labels = self.planner.labels_for(frozenset(context.attributes.get("override_labels", ())))
            plan = self.planner.plan(query, operation_name, labels, context.attributes.get("caller"))
            if plan.operation.kind is OperationType.MUTATION and not allow_mutation:
                raise OperationError("mutations are not allowed over GET", ErrorCode.BAD_REQUEST)
            if plan.operation.kind is OperationType.SUBSCRIPTION:
                raise OperationError("subscriptions are not supported", ErrorCode.BAD_REQUEST)
            coerced = self.coerce(plan, variables or {})
        except FederationError as error:
            return Answer(_status(error), orjson.dumps({"errors": [error.to_graphql()]}))
        try:
            response = await self.executor.execute(plan, coerced, replace(context, encoded=True))  # dumped here
            return Answer(200, orjson.dumps(response))
        except Exception as error:  # a bug: answer with a code, log the kind of failure only (privacy)
            log.exception("executing operation %r failed: %s", plan.operation.name, type(error).__name__)
            internal = {"message": "internal error", "extensions": {"code": str(ErrorCode.INTERNAL_SERVER_ERROR)}}
            return Answer(500, orjson.dumps({"errors": [internal]}))

    def coerce(self, plan: QueryPlan, variables: dict[str, Any]) -> dict[str, Any]:
        """The request's variables coerced to the operation's types (BAD_USER_INPUT otherwise)."""
        definitions = list(plan.operation.variable_definitions.values())
        if not definitions:
            return {}
        try:
            coerced = get_variable_values(self.supergraph.api_schema, definitions, variables, max_errors=1)
        except GraphQLError as error:
            raise OperationError(error.message, ErrorCode.BAD_USER_INPUT) from None
        if isinstance(coerced, list):
            raise OperationError(coerced[0].message, ErrorCode.BAD_USER_INPUT)
        return dict(coerced.coerced)


def _status(error: FederationError) -> int:
    if error.code is ErrorCode.QUERY_PLANNING_FAILED:
        return 200
    if error.code is ErrorCode.FORBIDDEN:
        return 403
    return 400
