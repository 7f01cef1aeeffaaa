"""The HTTP edge of a federation gateway: Starlette, `/graphql` (POST and GET) and `/health`.

Requests are checked here once (size, JSON, the types of `query`, `variables`, `operationName`);
a malformed one gets 400 with a GraphQL error that says what was wrong, never a traceback. GET
serves queries only (a mutation over GET could be triggered cross-site).
"""

from __future__ import annotations

import contextlib
import logging
from collections.abc import AsyncIterator
from typing import Any

import orjson
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from ..errors import ErrorCode
from ..execution.hooks import RequestContext
from ..runtime import FederationRuntime
from .config import GatewayConfig

log = logging.getLogger("gateway.federation")
JSON = "application/json"


class BadRequest(Exception):
    def __init__(self, message: str, status: int = 400) -> None:
        super().__init__(message)
        self.message = message
        self.status = status


def create_app(runtime: FederationRuntime, config: GatewayConfig) -> Starlette:
    async def graphql(request: Request) -> Response:
        try:
            if request.method == "GET":
                query, variables, operation_name = _from_query_string(request)
                allow_mutation = False
            else:
                query, variables, operation_name = _from_body(await _read_body(request, config.max_request_bytes))
                allow_mutation = True
        except BadRequest as error:
            return _error(error.message, error.status)
        context = RequestContext(headers=request.headers)
        answer = await runtime.handle(query, variables, operation_name, context, allow_mutation=allow_mutation)
        return Response(answer.body, answer.status, media_type=JSON)

    async def health(request: Request) -> Response:
        return Response(b'{"status":"UP"}', media_type=JSON)

    @contextlib.asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[None]:
        await runtime.start()
        try:
            yield
        finally:
            await runtime.close()

    routes = [
        Route(config.graphql_path, graphql, methods=["GET", "POST"]),
        Route(config.health_path, health, methods=["GET"]),
    ]
    return Starlette(routes=routes, lifespan=lifespan)


async def _read_body(request: Request, limit: int) -> bytes:
    declared = request.headers.get("content-length")
    if declared is not None and declared.isdigit() and int(declared) > limit:
        raise BadRequest(f"the request body exceeds {limit} bytes", 413)
    chunks: list[bytes] = []
    size = 0
    async for chunk in request.stream():
        size += len(chunk)
        if size > limit:
            raise BadRequest(f"the request body exceeds {limit} bytes", 413)
        chunks.append(chunk)
    return b"".join(chunks)


def _from_body(body: bytes) -> tuple[str, dict[str, Any] | None, str | None]:
    try:
        payload = orjson.loads(body)
    except orjson.JSONDecodeError:
        raise BadRequest("the request body is not JSON") from None
    if type(payload) is list:
        raise BadRequest("batched requests are not supported: send one operation per request")
    if type(payload) is not dict:
        raise BadRequest("the request body must be a JSON object with `query`")
    return _checked(payload.get("query"), payload.get("variables"), payload.get("operationName"))


def _from_query_string(request: Request) -> tuple[str, dict[str, Any] | None, str | None]:
    params = request.query_params
    variables: Any = params.get("variables")
    if variables:
        try:
            variables = orjson.loads(variables)
        except orjson.JSONDecodeError:
            raise BadRequest("the `variables` parameter is not JSON") from None
    return _checked(params.get("query"), variables or None, params.get("operationName"))


def _checked(query: Any, variables: Any, operation_name: Any) -> tuple[str, dict[str, Any] | None, str | None]:
    if not isinstance(query, str) or not query.strip():
        raise BadRequest("`query` must be a non-empty string (persisted queries are not supported)")
    if variables is not None and type(variables) is not dict:
        raise BadRequest("`variables` must be a JSON object")
    if operation_name is not None and not isinstance(operation_name, str):
        raise BadRequest("`operationName` must be a string")
    return query, variables, operation_name or None


def _error(message: str, status: int) -> Response:
    body = orjson.dumps({"errors": [{"message": message, "extensions": {"code": str(ErrorCode.BAD_REQUEST)}}]})
    return Response(body, status, media_type=JSON)
