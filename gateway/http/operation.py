"""One GraphQL operation for one caller: authenticate, plan (cached), refuse early, coerce,
execute. Every HTTP front (GraphQL over HTTP, the VUM REST facade) runs its operations here, so
they share planning, authorisation, purpose checks and the processing log."""

from __future__ import annotations

from typing import Any

from graphql import GraphQLError
from graphql.execution.values import get_variable_values
from starlette.requests import Request

from vumschema.policy import Caller

from ..auth.tokens import PurposeRefused, Unauthenticated
from ..execute.executor import MAX_SUBGRAPH_CALLS, OperationTooLarge, ProcessingLogFailed, execute_plan
from ..input_errors import variable_errors
from ..metrics import REFUSED_OPERATIONS
from ..plan.nodes import QueryPlan
from ..plan.planner import PlanningError
from ..rate_limit import RATE_LIMITED, caller_key
from ..server import Gateway
from .identity import PURPOSE_HEADER, identify


async def run_graphql(
    gateway: Gateway,
    request: Request,
    query: str,
    variables: dict[str, Any],
    operation_name: str | None,
    *,
    caller: Caller | None = None,
    lenient: bool = False,
) -> tuple[int, dict[str, Any]]:
    """One GraphQL request for `request`'s caller: plan (cached), coerce variables, execute.

    Returns the HTTP status and the GraphQL response. Every entry point (GraphQL over HTTP, the
    VUM REST facade) goes through here, so they share planning, authorisation and logging.
    `caller` is one the entry point already authenticated (not authenticated again); `lenient`
    never refuses the whole operation for denied fields, which then come back null (the REST
    facade: a VUM caller gets the fields it may see).
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
    try:
        return 200, await execute_plan(plan, coerced, variables, gateway.services, caller)
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


def _refusal(
    gateway: Gateway, plan: QueryPlan, caller: Caller | None, lenient: bool
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
