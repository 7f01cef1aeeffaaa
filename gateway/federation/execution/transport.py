"""Requests to subgraphs: one pooled aiohttp session, a timeout per subgraph, identical requests merged.

Every way a subgraph can fail (unreachable, slow, HTTP error, a body that is not a GraphQL
response) becomes one `SubgraphFailure` with a code, so one broken subgraph never breaks the
whole response. When `deduplicate` is on, a request identical to one still in flight (same
subgraph, body and headers) waits for that one's answer instead of being sent again, as Apollo
Router's `deduplicate_query`; waiters share the raw bytes and each parses its own copy, because
the executor merges parsed answers into its response tree in place.
"""

from __future__ import annotations

import asyncio
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

import aiohttp
import orjson

from ..errors import ErrorCode

MAX_MESSAGE = 300


class SubgraphFailure(Exception):
    """A subgraph gave no usable answer."""

    def __init__(self, subgraph: str, code: ErrorCode, message: str) -> None:
        super().__init__(message)
        self.subgraph = subgraph
        self.code = code
        self.message = message[:MAX_MESSAGE]


@dataclass
class SubgraphResponse:
    data: dict[str, Any] | None
    errors: list[dict[str, Any]] = field(default_factory=list)


@dataclass(frozen=True)
class Endpoint:
    url: str
    timeout: float = 30.0


@dataclass
class TransportStats:
    requests: int = 0  # sent over HTTP
    deduplicated: int = 0  # answered by an identical request in flight
    failures: int = 0


def parse_response(subgraph: str, body: bytes) -> SubgraphResponse:
    """Validate the shape of a subgraph's GraphQL response."""
    try:
        payload = orjson.loads(body)
    except orjson.JSONDecodeError:
        raise SubgraphFailure(subgraph, ErrorCode.INVALID_SUBGRAPH_RESPONSE, "the answer is not JSON") from None
    if type(payload) is not dict:
        raise SubgraphFailure(subgraph, ErrorCode.INVALID_SUBGRAPH_RESPONSE, "the answer is not a GraphQL response")
    data = payload.get("data")
    errors = payload.get("errors") or []
    if (data is not None and type(data) is not dict) or type(errors) is not list:
        raise SubgraphFailure(subgraph, ErrorCode.INVALID_SUBGRAPH_RESPONSE, "the answer is not a GraphQL response")
    for error in errors:
        if type(error) is not dict or not isinstance(error.get("message"), str):
            raise SubgraphFailure(subgraph, ErrorCode.INVALID_SUBGRAPH_RESPONSE, "the answer's errors are malformed")
    if data is None and not errors:
        raise SubgraphFailure(subgraph, ErrorCode.INVALID_SUBGRAPH_RESPONSE, "the answer has neither data nor errors")
    return SubgraphResponse(data, errors)


class Transport:
    """A pooled HTTP client for GraphQL requests to subgraphs."""

    def __init__(
        self,
        *,
        max_response_bytes: int = 64 * 1024 * 1024,
        connections: int = 512,
        deduplicate: bool = True,
    ) -> None:
        self.max_response_bytes = max_response_bytes
        self.connections = connections
        self.deduplicate = deduplicate
        self.stats = TransportStats()
        self._session: aiohttp.ClientSession | None = None
        self._in_flight: dict[tuple[str, bytes, tuple[tuple[str, str], ...]], asyncio.Future[bytes]] = {}

    async def start(self) -> None:
        if self._session is None:
            connector = aiohttp.TCPConnector(limit=self.connections, limit_per_host=0, ttl_dns_cache=300)
            self._session = aiohttp.ClientSession(connector=connector, raise_for_status=False)

    async def close(self) -> None:
        if self._session is not None:
            await self._session.close()
            self._session = None

    async def post(
        self, subgraph: str, endpoint: Endpoint, body: bytes, headers: Mapping[str, str] | None = None
    ) -> SubgraphResponse:
        """POST a GraphQL request body; raise `SubgraphFailure` unless a GraphQL response arrives in time."""
        return parse_response(subgraph, await self.post_raw(subgraph, endpoint, body, headers))

    async def post_raw(
        self, subgraph: str, endpoint: Endpoint, body: bytes, headers: Mapping[str, str] | None = None
    ) -> bytes:
        if not self.deduplicate:
            return await self._send(subgraph, endpoint, body, headers)
        key = (endpoint.url, body, tuple(sorted(headers.items())) if headers else ())
        waiting = self._in_flight.get(key)
        if waiting is not None:
            self.stats.deduplicated += 1
            return await asyncio.shield(waiting)
        future: asyncio.Future[bytes] = asyncio.get_running_loop().create_future()
        self._in_flight[key] = future
        try:
            answer = await self._send(subgraph, endpoint, body, headers)
        except BaseException as error:
            future.set_exception(error)
            future.exception()  # retrieved: no "never retrieved" warning when nobody waited
            raise
        else:
            future.set_result(answer)
            return answer
        finally:
            del self._in_flight[key]

    async def _send(self, subgraph: str, endpoint: Endpoint, body: bytes, headers: Mapping[str, str] | None) -> bytes:
        if self._session is None:
            await self.start()
        assert self._session is not None
        request_headers = {"Content-Type": "application/json", "Accept": "application/json"}
        if headers:
            request_headers.update(headers)
        self.stats.requests += 1
        try:
            async with asyncio.timeout(endpoint.timeout):
                async with self._session.post(endpoint.url, data=body, headers=request_headers) as response:
                    payload = await self._read(subgraph, response)
                    if response.status != 200 and not payload.lstrip().startswith(b"{"):
                        raise SubgraphFailure(
                            subgraph, ErrorCode.SUBREQUEST_HTTP_ERROR, f"HTTP {response.status} from the subgraph"
                        )
                    return payload
        except TimeoutError:
            self.stats.failures += 1
            raise SubgraphFailure(
                subgraph, ErrorCode.SUBREQUEST_TIMEOUT, f"no answer within {endpoint.timeout:g} s"
            ) from None
        except aiohttp.ClientError as error:
            self.stats.failures += 1
            raise SubgraphFailure(
                subgraph, ErrorCode.SUBREQUEST_HTTP_ERROR, f"the subgraph is unreachable ({type(error).__name__})"
            ) from None

    async def _read(self, subgraph: str, response: aiohttp.ClientResponse) -> bytes:
        length = response.content_length
        if length is not None and length > self.max_response_bytes:
            raise SubgraphFailure(
                subgraph, ErrorCode.INVALID_SUBGRAPH_RESPONSE, f"the answer exceeds {self.max_response_bytes} bytes"
            )
        chunks = []
        size = 0
        async for chunk in response.content.iter_chunked(256 * 1024):
            size += len(chunk)
            if size > self.max_response_bytes:
                raise SubgraphFailure(
                    subgraph, ErrorCode.INVALID_SUBGRAPH_RESPONSE, f"the answer exceeds {self.max_response_bytes} bytes"
                )
            chunks.append(chunk)
        return b"".join(chunks)
