"""A memoising HTTP/1.1 front for an ASGI subgraph app, so the subgraphs are never the bottleneck.

The first request with a given body goes to the real subgraph (the SDK's strawberry app, called
in-process through ASGI); its response bytes are kept and every later request with the same body
is answered from memory. `_entities` requests are also memoised per representation, because a
gateway that orders its results per request (ours does) asks for the same keys in a different
order every time: such a request is answered by joining the memoised entities in the order asked.

The HTTP side is a bare asyncio protocol on httptools (the parser uvicorn uses), not a framework:
a memoised answer costs a dictionary lookup and one write. One listener may front many subgraphs
by path (`/org/<id>/graphql`), so hundreds of organisations need not be hundreds of ports.
"""

from __future__ import annotations

import asyncio
from collections import deque
from dataclasses import dataclass, field
from typing import Any, cast

import httptools
import orjson
from starlette.types import ASGIApp, Message

MAX_SEEN = 100_000  # bodies remembered once before their answer is kept (bounds memory for one-off bodies)


def http_response(status: int, body: bytes) -> bytes:
    reason = {200: b"OK", 400: b"Bad Request", 404: b"Not Found", 500: b"Internal Server Error"}.get(status, b"")
    head = b"HTTP/1.1 %d %s\r\ncontent-type: application/json\r\ncontent-length: %d\r\n\r\n"
    return head % (status, reason, len(body)) + body


HEALTH = http_response(200, b'{"status":"ok"}')
BAD_REQUEST = http_response(400, b'{"errors":[{"message":"bad HTTP request"}]}')


async def call_asgi(app: ASGIApp, method: str, path: str, query: bytes, body: bytes) -> tuple[int, bytes]:
    """One request to an ASGI app in this process: its status and body."""
    scope: dict[str, Any] = {
        "type": "http",
        "asgi": {"version": "3.0"},
        "http_version": "1.1",
        "method": method,
        "scheme": "http",
        "path": path,
        "raw_path": path.encode(),
        "query_string": query,
        "root_path": "",
        "headers": [(b"content-type", b"application/json"), (b"accept", b"application/json")],
        "client": ("127.0.0.1", 0),
        "server": ("127.0.0.1", 0),
        "state": {},
    }
    finished = asyncio.Event()
    delivered = False
    status = 500
    chunks: list[bytes] = []

    async def receive() -> Message:
        nonlocal delivered
        if not delivered:
            delivered = True
            return {"type": "http.request", "body": body, "more_body": False}
        await finished.wait()
        return {"type": "http.disconnect"}

    async def send(message: Message) -> None:
        nonlocal status
        if message["type"] == "http.response.start":
            status = int(message["status"])
        elif message["type"] == "http.response.body":
            chunks.append(message.get("body", b""))

    try:
        await app(scope, receive, send)
    finally:
        finished.set()
    return status, b"".join(chunks)


@dataclass
class MemoStats:
    hits: int = 0
    composed: int = 0  # `_entities` answers joined from memoised entities
    misses: int = 0  # requests the real subgraph answered

    def as_dict(self) -> dict[str, int]:
        return {"hits": self.hits, "composed": self.composed, "misses": self.misses}


@dataclass
class Traffic:
    """What one listener served: requests and response bytes (B3's subgraph calls and bytes per page)."""

    requests: int = 0
    bytes_sent: int = 0


@dataclass
class Memo:
    """The memoised answers of one subgraph."""

    app: ASGIApp
    responses: dict[bytes, bytes] = field(default_factory=dict)  # request body -> whole HTTP response
    entities: dict[tuple[str, bytes], bytes] = field(default_factory=dict)  # (query, representation) -> JSON
    seen: set[int] = field(default_factory=set)
    stats: MemoStats = field(default_factory=MemoStats)

    def lookup(self, body: bytes) -> bytes | None:
        """The memoised response to this POST body, or None when the subgraph must answer."""
        response = self.responses.get(body)
        if response is not None:
            self.stats.hits += 1
            return response
        if b"_entities" not in body:
            return None
        composed = self._compose(body)
        if composed is not None:
            self.stats.composed += 1
            if self._seen_before(body):  # a body that repeats (Node gateways, the limit) is kept whole
                self.responses[body] = composed
        return composed

    def _seen_before(self, body: bytes) -> bool:
        key = hash(body)
        if key in self.seen:
            return True
        if len(self.seen) >= MAX_SEEN:
            self.seen.clear()
        self.seen.add(key)
        return False

    def _compose(self, body: bytes) -> bytes | None:
        query, representations = _entities_request(body)
        if query is None:
            return None
        parts = []
        for representation in representations:
            part = self.entities.get((query, orjson.dumps(representation)))
            if part is None:
                return None
            parts.append(part)
        return http_response(200, b'{"data":{"_entities":[' + b",".join(parts) + b"]}}")

    async def answer(self, body: bytes) -> bytes:
        """Ask the real subgraph; memoise a clean answer."""
        self.stats.misses += 1
        status, payload = await call_asgi(self.app, "POST", "/graphql", b"", body)
        response = http_response(status, payload)
        parsed = orjson.loads(payload) if payload.startswith(b"{") else None
        if status != 200 or not isinstance(parsed, dict) or parsed.get("errors"):
            return response  # errors are never memoised: they stay visible
        self.responses[body] = response
        self._keep_entities(body, parsed)
        return response

    def _keep_entities(self, body: bytes, parsed: dict[str, Any]) -> None:
        query, representations = _entities_request(body)
        found = (parsed.get("data") or {}).get("_entities")
        if query is None or not isinstance(found, list) or len(found) != len(representations):
            return
        for representation, entity in zip(representations, found, strict=True):
            self.entities[(query, orjson.dumps(representation))] = orjson.dumps(entity)


def _entities_request(body: bytes) -> tuple[str | None, list[Any]]:
    """The query and representations of an `_entities` request; (None, []) for anything else."""
    try:
        payload = orjson.loads(body)
    except orjson.JSONDecodeError:
        return None, []
    if not isinstance(payload, dict):
        return None, []
    query, variables = payload.get("query"), payload.get("variables")
    representations = variables.get("representations") if isinstance(variables, dict) else None
    if not isinstance(query, str) or "_entities" not in query or not isinstance(representations, list):
        return None, []
    return query, representations


def org_path(name: str) -> str:
    """Where an organisation listens when many share a port."""
    return f"/org/{name}/graphql"


NO_SUCH_PATH = http_response(404, b'{"errors":[{"message":"no organisation at this path"}]}')


class MemoProtocol(asyncio.Protocol):
    """HTTP/1.1 with keep-alive; answers in request order even when a miss is still in flight.

    With `by_path`, a POST goes to the memo of its path; without, every POST goes to `memo`."""

    def __init__(self, memo: Memo, by_path: dict[bytes, Memo] | None = None, traffic: Traffic | None = None) -> None:
        self.memo = memo
        self.by_path = by_path
        self.traffic = traffic or Traffic()
        self.parser = httptools.HttpRequestParser(self)
        self.transport: asyncio.Transport | None = None
        self.url = b""
        self.body: list[bytes] = []
        self.queue: deque[tuple[bytes | asyncio.Future[bytes], bool]] = deque()

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        self.transport = cast(asyncio.Transport, transport)  # uvloop's transports do not subclass it

    def connection_lost(self, exc: Exception | None) -> None:
        self.transport = None

    def data_received(self, data: bytes) -> None:
        try:
            self.parser.feed_data(data)
        except httptools.HttpParserError:
            self._write(BAD_REQUEST, keep_alive=False)

    # httptools callbacks
    def on_message_begin(self) -> None:
        self.url = b""
        self.body = []

    def on_url(self, url: bytes) -> None:
        self.url += url

    def on_body(self, body: bytes) -> None:
        self.body.append(body)

    def on_message_complete(self) -> None:
        keep_alive = bool(self.parser.should_keep_alive())
        method = self.parser.get_method()
        response: bytes | asyncio.Future[bytes]
        if method == b"POST":
            self.traffic.requests += 1
            response = self._post(b"".join(self.body))
        elif self.url.startswith((b"/health", b"/ready")):
            response = HEALTH
        elif self.url.startswith(b"/memo-stats"):
            stats = {**self.memo.stats.as_dict(), "requests": self.traffic.requests, "bytes": self.traffic.bytes_sent}
            response = http_response(200, orjson.dumps(stats))
        else:
            response = http_response(404, b'{"errors":[{"message":"POST GraphQL requests to any path"}]}')
        self._respond(response, keep_alive)

    def _post(self, body: bytes) -> bytes | asyncio.Future[bytes]:
        memo = self.memo if self.by_path is None else self.by_path.get(self.url)
        if memo is None:
            return NO_SUCH_PATH
        return memo.lookup(body) or asyncio.ensure_future(memo.answer(body))

    def _respond(self, response: bytes | asyncio.Future[bytes], keep_alive: bool) -> None:
        if not self.queue and isinstance(response, bytes):
            self._write(response, keep_alive)
            return
        self.queue.append((response, keep_alive))
        if isinstance(response, asyncio.Future):
            response.add_done_callback(lambda _: self._flush())
        self._flush()

    def _flush(self) -> None:
        while self.queue:
            response, keep_alive = self.queue[0]
            if isinstance(response, asyncio.Future):
                if not response.done():
                    return
                error = response.exception()
                data = http_response(500, orjson.dumps({"errors": [{"message": repr(error)}]})) if error else None
                response = data or response.result()
            self.queue.popleft()
            self._write(response, keep_alive)

    def _write(self, response: bytes, keep_alive: bool) -> None:
        if self.transport is None:
            return
        self.traffic.bytes_sent += len(response)
        self.transport.write(response)
        if not keep_alive:
            self.transport.close()
