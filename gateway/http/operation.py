"""One GraphQL operation for one caller: authenticate, plan (cached), refuse early, coerce,
execute. Every HTTP front (GraphQL over HTTP, the VUM REST facade) runs its operations here, so
they share planning, authorisation, purpose checks and the processing log."""

from __future__ import annotations

from collections.abc import Awaitable, Sequence
from typing import TYPE_CHECKING, Any, Protocol

from graphql import GraphQLError
from graphql.execution.values import get_variable_values
from starlette.requests import Request

from vumschema.policy import Caller

from ..auth.fields import Denied
from ..auth.tokens import PurposeRefused, Unauthenticated
from ..execute.executor import MAX_SUBGRAPH_CALLS, OperationTooLarge, ProcessingLogFailed, execute_plan
from ..federation.errors import ErrorCode, OperationError
from ..input_errors import variable_errors
from ..metrics import REFUSED_OPERATIONS
from ..plan.planner import VALIDATION_FAILED, PlanningError
from ..rate_limit import RATE_LIMITED, caller_key
from ..server import Gateway
from .identity import PURPOSE_HEADER, identify

if TYPE_CHECKING:
    from ..vum.engine import FederationEngine


async def run_graphql(
    gateway: Gateway,
    request: Request,
    query: str,
    variables: dict[str, Any],
    operation_name: str | None,
    *,
    caller: Caller | None = None,
    lenient: bool = False,
    encoded: bool = False,
) -> tuple[int, dict[str, Any]]:
    """One GraphQL request for `request`'s caller: plan (cached), coerce variables, execute.

    Returns the HTTP status and the GraphQL response. Every entry point (GraphQL over HTTP, the
    VUM REST facade) goes through here, so they share planning, authorisation and logging.
    `caller` is one the entry point already authenticated (not authenticated again); `lenient`
    never refuses the whole operation for denied fields, which then come back null (the REST
    facade: a VUM caller gets the fields it may see). `encoded`: the caller writes the response
    out with `orjson.dumps` as it is and reads nothing in it, so records may be JSON already
    (`RequestContext.encoded`); the REST facade, which reshapes the data, leaves it off.
    """
    if caller is None:
        try:
            caller = await identify(gateway, request)
        except PurposeRefused as error:
            return 403, _error(str(error), "FORBIDDEN")
        except Unauthenticated as error:
            return 401, _error(str(error), "UNAUTHENTICATED")
    limited = await _rate_limited(gateway, request, caller)
    if limited is not None:
        return limited
    if gateway.engine is not None:
        engine = gateway.engine
        return await _run_federation(gateway, engine, query, variables, operation_name, caller, lenient, encoded)
    try:
        plan = gateway.planner.plan(query, operation_name, caller)
    except PlanningError as error:
        return 400, {"errors": error.errors}
    refusal = _refusal(gateway, plan, caller, lenient)
    if refusal is not None:
        return refusal
    coerced = get_variable_values(gateway.schema, plan.operation.variable_definitions or (), variables)
    if isinstance(coerced, list):
        errors = variable_errors(gateway.schema, query, plan.operation, variables) or coerced
        return 400, {"errors": _graphql_errors(errors, "BAD_USER_INPUT")}
    return await _answered(execute_plan(plan, coerced, variables, gateway.services, caller))


async def _run_federation(
    gateway: Gateway,
    engine: FederationEngine,
    query: str,
    variables: dict[str, Any],
    operation_name: str | None,
    caller: Caller | None,
    lenient: bool,
    encoded: bool,
) -> tuple[int, dict[str, Any]]:
    """The same request on the federation engine: the same refusals, variables and failures."""
    try:
        prepared = engine.prepare(query, operation_name, caller)
    except PlanningError as error:
        return 400, {"errors": error.errors}
    except OperationError as error:
        formatted = error.to_graphql()
        if error.code in (ErrorCode.GRAPHQL_PARSE_FAILED, ErrorCode.GRAPHQL_VALIDATION_FAILED):
            formatted["extensions"]["code"] = VALIDATION_FAILED  # as the bespoke planner says it
        return 400, {"errors": [formatted]}
    refusal = _refusal(gateway, prepared, caller, lenient)
    if refusal is not None:
        return refusal
    definitions = list(prepared.operation.variable_definitions.values())
    coerced = get_variable_values(engine.schema, definitions, variables)
    if isinstance(coerced, list):
        errors = variable_errors(engine.schema, query, prepared.operation.definition, variables) or coerced
        return 400, {"errors": _graphql_errors(errors, "BAD_USER_INPUT")}
    return await _answered(engine.execute(prepared, coerced, variables, caller, encoded=encoded))


async def _answered(execution: Awaitable[dict[str, Any]]) -> tuple[int, dict[str, Any]]:
    """The answer of either engine, or the refusal of an operation that turned out too large or
    could not be logged (nothing disclosed then)."""
    try:
        return 200, await execution
    except OperationTooLarge as error:
        REFUSED_OPERATIONS.labels(MAX_SUBGRAPH_CALLS).inc()
        return 400, _error(str(error), MAX_SUBGRAPH_CALLS)
    except ProcessingLogFailed:
        return 503, {
            "data": None,
            **_error("nothing was disclosed: the processing log cannot be written", "PROCESSING_LOG_UNAVAILABLE"),
        }


async def _rate_limited(gateway: Gateway, request: Request, caller: Caller | None) -> tuple[int, dict[str, Any]] | None:
    """429 when the caller (or, without a token, its address) has spent its requests for now."""
    address = request.client.host if request.client else None
    key = caller_key(caller.oin, caller.subject, address) if caller else caller_key(None, None, address)
    decision = await gateway.rate_limiter.take(key)
    if decision.allowed:
        return None
    REFUSED_OPERATIONS.labels(RATE_LIMITED).inc()
    message = f"too many requests from you; try again in {decision.retry_after} s (gateway.rate_limit)"
    extensions = {"code": RATE_LIMITED, "retryAfter": decision.retry_after}
    return 429, {"errors": [{"message": message, "extensions": extensions}]}


def _error(message: str, code: str) -> dict[str, Any]:
    return {"errors": [{"message": message, "extensions": {"code": code}}]}


class _Refusable(Protocol):
    """What a refusal looks at: a bespoke `QueryPlan` or a federation engine's `Prepared`."""

    @property
    def denied(self) -> Sequence[Denied]: ...

    @property
    def asks_for_data(self) -> bool: ...


def _refusal(
    gateway: Gateway, plan: _Refusable, caller: Caller | None, lenient: bool
) -> tuple[int, dict[str, Any]] | None:
    """Requests refused before anything is asked: no token for data, a forbidden field in strict
    mode (unless `lenient`), or no purpose for a data request."""
    if caller is None and any(d.reason == "unauthenticated" for d in plan.denied):
        return 401, _error(
            "this request needs a token ('Authorization: Bearer <token>') or a client certificate", "UNAUTHENTICATED"
        )
    if plan.denied and gateway.config.auth.reject_unauthorized_operations and not lenient:
        return 403, {
            "errors": [
                {"message": d.message, "path": list(d.path), "extensions": {"code": "FORBIDDEN_FIELD"}}
                for d in plan.denied
            ]
        }
    purposes = gateway.config.auth.purposes
    if plan.asks_for_data and (caller is None or caller.purpose not in purposes):
        named = f"'{caller.purpose}' is not a purpose of this gateway; " if caller and caller.purpose else ""
        where = f"in the {PURPOSE_HEADER} header or the token"
        message = f"{named}name the purpose (doelbinding) {where}: one of {', '.join(purposes)}"
        return 400, _error(message, "PURPOSE_REQUIRED")
    return None


def _graphql_errors(errors: list[GraphQLError], code: str) -> list[dict[str, Any]]:
    result = []
    for error in errors:
        formatted: dict[str, Any] = dict(error.formatted)
        formatted["extensions"] = {**(formatted.get("extensions") or {}), "code": code}
        result.append(formatted)
    return result
