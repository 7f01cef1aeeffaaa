"""One GraphQL operation for one caller: authenticate, plan (cached), refuse early, coerce,
execute. Every HTTP front (GraphQL over HTTP, the VUM REST facade) runs its operations here, so
they share planning, authorisation, purpose checks and the processing log."""

from __future__ import annotations

from typing import Any

from graphql import GraphQLError
from graphql.execution.values import get_variable_values
from starlette.requests import Request

from vumschema.policy import Caller

from ..auth.tokens import Unauthenticated
from ..execute.executor import ProcessingLogFailed, execute_plan
from ..input_errors import literal_errors, variable_errors
from ..plan.nodes import QueryPlan
from ..plan.planner import PlanningError
from ..server import Gateway

PURPOSE_HEADER = "X-VUM-Doelbinding"


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
            caller = await gateway.authenticator.authenticate(
                request.headers.get("authorization"), request.headers.get(PURPOSE_HEADER)
            )
        except Unauthenticated as error:
            return 401, _error(str(error), "UNAUTHENTICATED")
    try:
        plan = gateway.planner.plan(query, operation_name, caller)
    except PlanningError as error:
        return 400, {"errors": _graphql_errors(literal_errors(query, error.errors), "GRAPHQL_VALIDATION_FAILED")}
    refusal = _refusal(gateway, plan, caller, lenient)
    if refusal is not None:
        return refusal
    coerced = get_variable_values(gateway.schema, plan.operation.variable_definitions or (), variables)
    if isinstance(coerced, list):
        errors = variable_errors(gateway.schema, query, plan.operation, variables) or coerced
        return 400, {"errors": _graphql_errors(errors, "BAD_USER_INPUT")}
    try:
        return 200, await execute_plan(plan, coerced, variables, gateway.services, caller)
    except ProcessingLogFailed:
        return 503, {
            "data": None,
            **_error("nothing was disclosed: the processing log cannot be written", "PROCESSING_LOG_UNAVAILABLE"),
        }


def _error(message: str, code: str) -> dict[str, Any]:
    return {"errors": [{"message": message, "extensions": {"code": code}}]}


def _refusal(
    gateway: Gateway, plan: QueryPlan, caller: Caller | None, lenient: bool
) -> tuple[int, dict[str, Any]] | None:
    """Requests refused before anything is asked: no token for data, a forbidden field in strict
    mode (unless `lenient`), or no purpose for a data request."""
    if caller is None and any(d.reason == "unauthenticated" for d in plan.denied):
        return 401, _error("this request needs a token: 'Authorization: Bearer <token>'", "UNAUTHENTICATED")
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
