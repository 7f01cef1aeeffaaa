"""The VUM REST facade: the VUM-Bemiddelaar contracts of koppelvlak 3.0 on top of the GraphQL API.

`POST /api/v3/{werkzoekendeProfielen,vacatures}/matches` and `GET /api/v3/.../{vumID}`. The
caller authenticates once, here: as VUM parties do, with a client certificate naming a participant
of the register (`auth.participants`), or as GraphQL callers do, with `Authorization: Bearer
<JWT>` (purpose in `X-VUM-Doelbinding`, the token or the register); the X-VUM parties must agree
with that identity (`headers.check_parties`, `auth.participants`). Then the request is checked
at the edge (X-VUM headers, body, vraagObject), translated into the public GraphQL operation and
executed for that caller through `gateway.http.operation.run_graphql`, which enforces
authorisation, purpose, quota and the processing log, so REST and GraphQL callers are treated
alike. It runs leniently: fields the caller may not see are left out of the answer instead of
failing it. The vraagObject is translated by `gateway.vraagobject`, so its semantics exist once.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Awaitable, Callable
from typing import Any

import orjson
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import BaseRoute, Mount, Route

from vumschema.policy import Caller

from ..auth.tokens import Unauthenticated
from ..http.media import is_json
from ..http.operation import run_graphql
from ..server import Gateway
from ..vraagobject import VraagObjectError
from .errors import INCOMPLETE, INTERNAL, INVALID, UNAUTHORIZED, UNAVAILABLE, VumError, from_graphql_errors
from .headers import DOELBINDING, check_parties, check_suwi_party, read_parties, response_headers
from .resources import RESOURCES, SOURCE_ANSWERED, Operation, Resource, failed_sources

log = logging.getLogger("vum.rest")

PREFIX = "/api/v3"
VUMID = re.compile(r"[a-zA-Z0-9_.-]{1,500}")  # the contract's VumID, not empty in a path (fullmatch)
DETAIL_PATH = re.compile(rf"{PREFIX}/({'|'.join(r.path for r in RESOURCES)})/([^/]*)", re.DOTALL)
MISSING_SOURCES = "X-VUM-ontbrekendeBronnen"  # a partial search answer names the sources missing from it
NO_CREDENTIALS = (
    "this request needs a client certificate (mutual TLS, the OIN in its subject) "
    "or a token ('Authorization: Bearer <token>')"
)


Runner = Callable[..., Awaitable[tuple[int, dict[str, Any]]]]  # `run_graphql`, or a stand-in in tests
Handler = Callable[[Request, Caller, dict[str, str]], Awaitable[dict[str, Any]]]  # may add response headers


def _json(payload: Any, status: int, headers: dict[str, str]) -> Response:
    return Response(orjson.dumps(payload), status_code=status, media_type="application/json", headers=headers)


def _error(error: VumError, headers: dict[str, str]) -> Response:
    if error.kind is UNAUTHORIZED:
        headers = {**headers, "WWW-Authenticate": 'Bearer realm="vum-gateway"'}
    if error.retry_after is not None:
        headers = {**headers, "Retry-After": str(error.retry_after)}
    return _json(error.body(), error.kind.status, headers)


async def rest_not_found(request: Request, exc: Exception) -> Response:
    """A path no route takes: under the facade, an answer in the contract's model and headers
    (a vumID with characters a path may not carry is an invalid call); elsewhere a plain 404."""
    path = request.url.path
    if not path.startswith(PREFIX + "/"):
        return Response("Not Found", status_code=404, media_type="text/plain")
    headers = response_headers(request.headers)
    if DETAIL_PATH.fullmatch(path) and request.method == "GET":
        return _error(VumError(INVALID, "vumID must be 1 to 500 letters, digits or _.-"), headers)
    body = {"code": "404", "message": f"no resource at {path[:200]!r}"}
    return _json(body, 404, headers)


class RestFacade:
    """The handlers of the four operations for one gateway."""

    def __init__(self, gateway: Gateway, run: Runner) -> None:
        self.gateway = gateway
        self.run = run
        schema, contract = gateway.schema, gateway.contract
        self.searches = {r.path: r.search_operation(schema, contract) for r in RESOURCES}
        self.details = {r.path: r.detail_operation(schema, contract) for r in RESOURCES}

    # -- common -----------------------------------------------------------------------------

    async def answer(self, request: Request, handler: Handler) -> Response:
        """Authenticate, check the headers against the token, run `handler`, answer in the contract's shapes."""
        headers = response_headers(request.headers)
        try:
            caller = await self.authenticate(request)
            answer = await handler(request, caller, headers)
            return _json(answer, 200, headers)
        except VumError as error:
            return _error(error, headers)
        except Exception as error:  # never a stack trace to the caller
            log.error("unexpected %s answering %s %s", type(error).__name__, request.method, request.url.path)
            return _json(VumError(INTERNAL, "the request could not be answered").body(), INTERNAL.status, headers)

    def endpoint(self, handler: Handler) -> Callable[[Request], Awaitable[Response]]:
        """A Starlette endpoint (an async function, as Starlette requires) running `handler`."""

        async def endpoint(request: Request) -> Response:
            return await self.answer(request, handler)

        return endpoint

    async def authenticate(self, request: Request) -> Caller:
        """The caller of the request's token or, without one, the participant its client
        certificate names; the X-VUM parties must be that caller's (401 otherwise, 400 when
        incomplete), and a SUWI status it sends must be the one the gateway knows."""
        try:
            if request.headers.get("authorization"):
                caller = await self.gateway.authenticator.authenticate(
                    request.headers.get("authorization"), request.headers.get(DOELBINDING)
                )
                assert caller is not None  # there is an Authorization header
                parties = read_parties(request.headers)
            else:
                certificate = self.gateway.certificates.of(request.scope)
                if certificate is None:
                    raise VumError(UNAUTHORIZED, NO_CREDENTIALS)
                parties = read_parties(request.headers)
                caller = self.gateway.participants.caller(
                    certificate,
                    from_party=parties.from_party,
                    via_party=parties.via_party,
                    purpose=request.headers.get(DOELBINDING),
                )
        except Unauthenticated as error:
            raise VumError(UNAUTHORIZED, str(error)) from None
        check_parties(caller, parties)
        check_suwi_party(caller, request.headers)
        return caller

    async def execute(
        self, request: Request, caller: Caller, operation: Operation, variables: dict[str, Any]
    ) -> dict[str, Any] | None:
        """The operation's `result`, None when it is null without an error; errors become a VumError.

        A result with errors is answered: a field the caller may not see (FORBIDDEN_FIELD) or an
        invalid record left out is absent from the answer, as the standard treats empty values.
        """
        status, response = await self.run(
            self.gateway, request, operation.text, variables, operation.name, caller=caller, lenient=True
        )
        data = response.get("data")
        result = data.get("result") if isinstance(data, dict) else None
        errors = response.get("errors") or []
        if result is None and (errors or status != 200):
            raise from_graphql_errors(errors)
        if errors:  # partial: the rest is answered
            codes = sorted({str((e.get("extensions") or {}).get("code")) for e in errors})
            log.info("%s answered with GraphQL errors: %s", operation.name, ", ".join(codes))
        return result if isinstance(result, dict) else None

    async def body(self, request: Request) -> Any:
        limit = self.gateway.config.gateway.max_request_bytes
        chunks, size = [], 0
        async for chunk in request.stream():
            chunks.append(chunk)
            size += len(chunk)
            if size > limit:
                raise VumError(INVALID, f"the request body is larger than {limit} bytes")
        body = b"".join(chunks)
        if not body.strip():
            raise VumError(INCOMPLETE, 'the request has no body; send {"vraagObject": {...}}')
        content_type = request.headers.get("content-type")
        if not is_json(content_type):
            sent = f"not {content_type}" if content_type else "with its Content-Type"
            raise VumError(INVALID, f"send the body as application/json, {sent}")
        try:
            return orjson.loads(body)
        except orjson.JSONDecodeError:
            raise VumError(INVALID, "the request body is not valid JSON") from None

    # -- operations -------------------------------------------------------------------------

    def search(self, resource: Resource) -> Callable[[Request], Awaitable[Response]]:
        async def handle(request: Request, caller: Caller, headers: dict[str, str]) -> dict[str, Any]:
            selectievraag = selectievraag_of(resource, self.gateway, await self.body(request))
            variables = {"selectievraag": selectievraag, "first": self.gateway.config.gateway.max_page_size}
            result = await self.execute(request, caller, self.searches[resource.path], variables)
            if result is None:
                raise VumError(INTERNAL, "the search had no result")
            failed = failed_sources(result)
            if failed and len(failed) == len(result["bronnen"]):
                raise VumError(UNAVAILABLE, "no organisation could answer the search", "; ".join(failed))
            if failed:  # partial is better than nothing; the contract's body has no place to say which failed
                headers[MISSING_SOURCES] = ", ".join(
                    f"{b['bronID']}={b['status']}" for b in result["bronnen"] if b["status"] != SOURCE_ANSWERED
                )
                log.warning(
                    "vraagID %s: %d of %d sources did not answer",
                    result["vraagID"],
                    len(failed),
                    len(result["bronnen"]),
                )
            return resource.matches_answer(self.gateway.schema, self.gateway.contract, result)

        return self.endpoint(handle)

    def detail(self, resource: Resource) -> Callable[[Request], Awaitable[Response]]:
        async def handle(request: Request, caller: Caller, headers: dict[str, str]) -> dict[str, Any]:
            vumid = request.path_params["vumID"]
            if not VUMID.fullmatch(vumid):
                raise VumError(INVALID, "vumID must be 1 to 500 letters, digits or _.-")
            result = await self.execute(request, caller, self.details[resource.path], {"vumID": vumid})
            if result is None:  # the contract has no 404: an id that no longer resolves is an invalid call
                raise VumError(
                    INVALID, f"no {resource.record_field} behind this vumID (the organisation no longer has it)"
                )
            return resource.detail_answer(self.gateway.schema, self.gateway.contract, result)

        return self.endpoint(handle)


def selectievraag_of(resource: Resource, gateway: Gateway, payload: Any) -> dict[str, Any]:
    """The request body's vraagObject as the GraphQL selectievraag; incomplete or malformed is a VumError."""
    if not isinstance(payload, dict):
        raise VumError(INVALID, "the request body must be a JSON object with a vraagObject")
    if payload.get("vraagObject") is None:
        raise VumError(INCOMPLETE, "the request body lacks vraagObject")
    extra = sorted(set(payload) - {"vraagObject"})
    if resource.closed_body and extra:
        raise VumError(INVALID, f"the request body allows only vraagObject, not: {', '.join(extra)}")
    vraag = payload["vraagObject"]
    if not isinstance(vraag, dict):
        raise VumError(INVALID, "vraagObject must be an object")
    gebied = vraag.get("selectiegebied")
    if gebied is None:
        raise VumError(INCOMPLETE, "vraagObject lacks the required selectiegebied")
    if isinstance(gebied, dict) and not {"postcode", "afstand"} <= gebied.keys():
        raise VumError(INCOMPLETE, "vraagObject.selectiegebied needs postcode and afstand")
    try:
        return resource.translate(gateway.contract, vraag)
    except VraagObjectError as error:
        raise VumError(INVALID, f"vraagObject.{error.criterion}: {error.problem}") from None


def rest_routes(gateway: Gateway, *, run: Runner | None = None) -> list[BaseRoute]:
    """The facade's routes under `/api/v3`, to add to the gateway's Starlette routes.

    `run` replaces `run_graphql` (tests).
    """
    facade = RestFacade(gateway, run or run_graphql)
    routes: list[BaseRoute] = []
    for resource in RESOURCES:
        routes.append(Route(f"/{resource.path}/matches", facade.search(resource), methods=["POST"]))
        routes.append(Route(f"/{resource.path}/{{vumID}}", facade.detail(resource), methods=["GET"]))
    return [Mount(PREFIX, routes=routes)]
