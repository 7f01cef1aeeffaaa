"""Calls to subgraphs: one pooled aiohttp session, a timeout per source, answers validated.

Every way a source can fail (unreachable, slow, an HTTP error, a body that is not JSON or not a
GraphQL response) becomes a `SourceFailure` with a status and a short message, so one broken
source never breaks a whole query.

A pooled connection can be closed by the source just as a request is sent on it: its server ends
idle keep-alive connections (uvicorn after 5 s) and the close crosses the request, seen as a
connection reset or a disconnect before the answer; on a busy machine this happens often. Every
request here is a GraphQL query, which is idempotent, so it is sent once more on a new connection
(as aiohttp does for GET), within the source's timeout; a connection that cannot be opened at all
is not retried. Idle connections are also dropped before common servers drop them.

At hundreds of sources the pool is shared by all of them, so each source has at most
`per_source` requests in flight (a slow one cannot hold every connection); a request beyond that
waits its turn within the source's timeout. The limit is per source URL, not per host: one
process may serve many organisations by path.
"""

from __future__ import annotations

import asyncio
from collections import OrderedDict
from dataclasses import dataclass, field
from typing import Any

import aiohttp
import orjson

from .tracing import SourceCall, Tracing

TIMEOUT = "TIMEOUT"
ERROR = "ERROR"
MAX_MESSAGE = 300
KEEPALIVE_SECONDS = 4.0  # below uvicorn's 5 s, so the pool rarely offers a connection its server is closing
MAX_SOURCES = 10_000  # per-source limits kept (least recently used dropped); far above any registry


def stale_connection(error: aiohttp.ClientError) -> bool:
    """A reused connection the server closed under the request (worth one retry of an idempotent
    request), as opposed to a source that cannot be reached at all."""
    return isinstance(error, aiohttp.ClientOSError | aiohttp.ServerDisconnectedError) and not isinstance(
        error, aiohttp.ClientConnectorError
    )


class SourceFailure(Exception):
    """A source did not give a usable answer."""

    def __init__(self, status: str, message: str) -> None:
        super().__init__(message)
        self.status = status
        self.message = message[:MAX_MESSAGE]


@dataclass
class SubgraphResponse:
    """A well-formed GraphQL response of a subgraph."""

    data: dict[str, Any] | None
    errors: list[dict[str, Any]] = field(default_factory=list)

    def error_codes(self) -> set[str]:
        return {str((e.get("extensions") or {}).get("code")) for e in self.errors}


def parse_response(body: bytes) -> SubgraphResponse:
    """Validate the shape of a GraphQL response body."""
    try:
        payload = orjson.loads(body)
    except orjson.JSONDecodeError:
        raise SourceFailure(ERROR, "the source answered with invalid JSON") from None
    if not isinstance(payload, dict):
        raise SourceFailure(ERROR, "the source's answer is not a GraphQL response")
    data, errors = payload.get("data"), payload.get("errors", [])
    if not isinstance(data, dict | None) or not isinstance(errors, list):
        raise SourceFailure(ERROR, "the source's answer is not a GraphQL response")
    if not all(isinstance(e, dict) and isinstance(e.get("message"), str) for e in errors):
        raise SourceFailure(ERROR, "the source's errors are malformed")
    if data is None and not errors:
        raise SourceFailure(ERROR, "the source's answer has neither data nor errors")
    return SubgraphResponse(data, errors)


class SubgraphClient:
    """A pooled HTTP client for GraphQL requests to subgraphs."""

    def __init__(
        self,
        max_response_bytes: int,
        connections: int = 100,
        tracing: Tracing | None = None,
        *,
        per_source: int = 16,
    ) -> None:
        self.max_response_bytes = max_response_bytes
        self.connections = connections
        self.per_source = per_source
        self.tracing = tracing or Tracing.off()
        self._session: aiohttp.ClientSession | None = None
        self._turns: OrderedDict[str, asyncio.Semaphore] = OrderedDict()

    def _turn(self, url: str) -> asyncio.Semaphore:
        """The source's limit of requests in flight."""
        turn = self._turns.get(url)
        if turn is None:
            turn = self._turns[url] = asyncio.Semaphore(self.per_source)
            if len(self._turns) > MAX_SOURCES:
                self._turns.popitem(last=False)
        else:
            self._turns.move_to_end(url)
        return turn

    async def start(self) -> None:
        connector = aiohttp.TCPConnector(
            limit=self.connections,
            limit_per_host=0,  # many sources may share a host (by path): the limit is per source, in `_turn`
            ttl_dns_cache=300,
            keepalive_timeout=KEEPALIVE_SECONDS,
        )
        self._session = aiohttp.ClientSession(
            connector=connector, json_serialize=lambda value: orjson.dumps(value).decode(), raise_for_status=False
        )

    async def close(self) -> None:
        if self._session is not None:
            await self._session.close()
            self._session = None

    @property
    def session(self) -> aiohttp.ClientSession:
        if self._session is None:
            raise RuntimeError("SubgraphClient.start() was not called")
        return self._session

    async def query(
        self,
        url: str,
        query: str,
        variables: dict[str, Any] | None,
        timeout: float,  # noqa: ASYNC109 - each source has its own timeout, applied inside
        headers: dict[str, str] | None = None,
        *,
        source: str | None = None,
    ) -> SubgraphResponse:
        """POST a GraphQL request; raise `SourceFailure` unless a well-formed answer arrives in time.

        `source` (the bronID) names the call's span when the request is traced."""
        with self.tracing.source_call(source or "unnamed", url) as call:
            try:
                response = await self._query(url, query, variables, timeout, headers, call)
            except SourceFailure as failure:
                call.finished(failure.status)
                raise
            call.finished("OK", len(response.errors))
            return response

    async def _query(
        self,
        url: str,
        query: str,
        variables: dict[str, Any] | None,
        timeout: float,  # noqa: ASYNC109 - each source has its own timeout, applied inside
        headers: dict[str, str] | None,
        call: SourceCall,
    ) -> SubgraphResponse:
        body = orjson.dumps({"query": query, "variables": variables or {}})
        request_headers = {"Content-Type": "application/json", "Accept": "application/json", **(headers or {})}
        request_headers.update(call.headers())
        try:
            async with asyncio.timeout(timeout), self._turn(url):
                status, payload = await self._post(url, body, request_headers)
                call.answered(status)
            if status != 200 and not payload.startswith(b"{"):
                raise SourceFailure(ERROR, f"the source answered HTTP {status}")
        except TimeoutError:
            raise SourceFailure(TIMEOUT, f"no answer within {timeout:g} s") from None
        except aiohttp.ClientConnectionError as error:
            raise SourceFailure(ERROR, f"the source is unreachable ({type(error).__name__})") from None
        except aiohttp.ClientError as error:
            raise SourceFailure(ERROR, f"HTTP error talking to the source ({type(error).__name__})") from None
        return parse_response(payload)

    async def _post(self, url: str, body: bytes, headers: dict[str, str]) -> tuple[int, bytes]:
        """Status and body of one POST, sent once more when a stale pooled connection failed it."""
        try:
            return await self._post_once(url, body, headers)
        except aiohttp.ClientError as error:
            if not stale_connection(error):
                raise
        return await self._post_once(url, body, headers)

    async def _post_once(self, url: str, body: bytes, headers: dict[str, str]) -> tuple[int, bytes]:
        async with self.session.post(url, data=body, headers=headers) as response:
            return response.status, await self._read(response)

    async def _read(self, response: aiohttp.ClientResponse) -> bytes:
        chunks = []
        size = 0
        async for chunk in response.content.iter_chunked(64 * 1024):
            size += len(chunk)
            if size > self.max_response_bytes:
                raise SourceFailure(ERROR, f"the source's answer exceeds {self.max_response_bytes} bytes")
            chunks.append(chunk)
        return b"".join(chunks)
