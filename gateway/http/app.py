"""HTTP: `/graphql` (POST and GET, the explorer for browsers), `/health`, `/ready`.

Bad input is refused here, at the edge, with a GraphQL error carrying a code: a body that is too
large or not JSON, a request without a query, a query that does not parse or validate, variables
of the wrong type.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import signal
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

import orjson
from prometheus_client import CONTENT_TYPE_LATEST, generate_latest
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from ..metrics import REGISTRY
from ..rest import rest_not_found, rest_routes
from ..server import Gateway
from .explorer import explorer_response, explorer_routes
from .media import is_json
from .operation import run_graphql

log = logging.getLogger("vum.http")


class BadRequest(Exception):
    def __init__(self, message: str, code: str = "BAD_REQUEST", status: int = 400) -> None:
        super().__init__(message)
        self.message, self.code, self.status = message, code, status


def json_response(payload: Any, status: int = 200) -> Response:
    return Response(orjson.dumps(payload), status_code=status, media_type="application/json")


def error_response(errors: list[dict[str, Any]], status: int) -> Response:
    return json_response({"errors": errors}, status)


async def _body(request: Request, limit: int) -> bytes:
    declared = request.headers.get("content-length")
    if declared is not None and declared.isdigit() and int(declared) > limit:
        raise BadRequest(f"request body larger than {limit} bytes", "PAYLOAD_TOO_LARGE", 413)
    body = b""
    async for chunk in request.stream():
        body += chunk
        if len(body) > limit:
            raise BadRequest(f"request body larger than {limit} bytes", "PAYLOAD_TOO_LARGE", 413)
    return body


def _params(payload: Any) -> tuple[str, dict[str, Any], str | None]:
    if not isinstance(payload, dict):
        raise BadRequest("the request must be a JSON object with a 'query'")
    query, variables, operation = payload.get("query"), payload.get("variables"), payload.get("operationName")
    if not isinstance(query, str) or not query.strip():
        raise BadRequest("'query' must be a non-empty string")
    if variables is not None and not isinstance(variables, dict):
        raise BadRequest("'variables' must be an object")
    if operation is not None and not isinstance(operation, str):
        raise BadRequest("'operationName' must be a string")
    return query, variables or {}, operation


async def _request_params(request: Request, gateway: Gateway) -> tuple[str, dict[str, Any], str | None]:
    if request.method == "GET":
        variables_text = request.query_params.get("variables")
        try:
            variables = orjson.loads(variables_text) if variables_text else None
        except orjson.JSONDecodeError:
            raise BadRequest("'variables' is not valid JSON") from None
        return _params(
            {
                "query": request.query_params.get("query"),
                "variables": variables,
                "operationName": request.query_params.get("operationName"),
            }
        )
    content_type = request.headers.get("content-type")
    if not is_json(content_type):
        message = f"send the request as application/json, not {content_type!r}" if content_type else ""
        raise BadRequest(message or "send the request as application/json", "UNSUPPORTED_MEDIA_TYPE", 415)
    body = await _body(request, gateway.config.gateway.max_request_bytes)
    try:
        payload = orjson.loads(body)
    except orjson.JSONDecodeError:
        raise BadRequest("the request body is not valid JSON") from None
    return _params(payload)


def create_http_app(gateway: Gateway) -> Starlette:
    """The Starlette application serving `gateway`."""

    async def graphql(request: Request) -> Response:
        if request.method == "GET" and "query" not in request.query_params:
            if gateway.config.gateway.graphiql and "text/html" in request.headers.get("accept", ""):
                presets = gateway.graphiql_presets if gateway.demo else {}  # demo tokens only in demo mode
                return explorer_response(str(request.url.path), presets, gateway.config.auth.purposes)
            return error_response([{"message": "send a query", "extensions": {"code": "BAD_REQUEST"}}], 400)
        try:
            query, variables, operation_name = await _request_params(request, gateway)
        except BadRequest as error:
            return error_response([{"message": error.message, "extensions": {"code": error.code}}], error.status)
        status, payload = await run_graphql(gateway, request, query, variables, operation_name, encoded=True)
        response = json_response(payload, status)
        if status == 401:
            response.headers["WWW-Authenticate"] = 'Bearer realm="vum-gateway"'
        if status == 429:
            response.headers["Retry-After"] = str(payload["errors"][0]["extensions"]["retryAfter"])
        return response

    async def health(request: Request) -> Response:
        return json_response({"status": "ok"})

    async def ready(request: Request) -> Response:
        states = gateway.services.registry.states.values()
        sources = {s.config.id: s.schema_status for s in states}
        state = "ready" if gateway.ready else "draining" if gateway.draining else "starting"
        return json_response({"status": state, "sources": sources}, 200 if gateway.ready else 503)

    @asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[None]:
        await gateway.start()
        loop = asyncio.get_running_loop()
        with contextlib.suppress(NotImplementedError, RuntimeError, ValueError):  # no SIGHUP off the main thread
            loop.add_signal_handler(signal.SIGHUP, lambda: asyncio.ensure_future(_reload(gateway)))
        try:
            yield
        finally:
            with contextlib.suppress(NotImplementedError, RuntimeError, ValueError):
                loop.remove_signal_handler(signal.SIGHUP)
            await gateway.stop()

    async def jwks(request: Request) -> Response:
        return json_response(gateway.signer.jwks)

    async def metrics(request: Request) -> Response:
        return Response(generate_latest(REGISTRY), media_type=CONTENT_TYPE_LATEST)

    async def internal_error(request: Request, error: Exception) -> Response:
        log.error("unexpected %s answering %s", type(error).__name__, request.url.path)  # no request data: privacy
        return error_response([{"message": "internal error", "extensions": {"code": "INTERNAL_SERVER_ERROR"}}], 500)

    routes = [
        Route("/graphql", graphql, methods=["GET", "POST"]),
        Route("/health", health),
        Route("/ready", ready),
        Route("/.well-known/jwks.json", jwks),
        Route("/metrics", metrics),
        *rest_routes(gateway),
    ]
    if gateway.config.gateway.graphiql:
        routes += explorer_routes()
    handlers = {Exception: internal_error, 404: rest_not_found}  # REST paths answer in the contract's model
    return Starlette(
        routes=routes,
        middleware=gateway.tracing.middleware(routes),
        lifespan=lifespan,
        exception_handlers=handlers,
    )


async def _reload(gateway: Gateway) -> None:
    try:
        await gateway.reload()
    except Exception as error:
        log.error("reload failed, the previous configuration stays in service: %s", error)
