"""The runtime's subgraph requests, sent as the gateway sends every request to a source.

The federation runtime has its own HTTP transport; VUM's sources are called through the
gateway's `SubgraphClient` instead, so both engines treat a source alike: its own timeout, the
bound on requests in flight per source, a retry on a stale pooled connection, a trace span per
call named by the source's bronID, and a failure said in the words `bronnen` reports.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping

import orjson

from ..federation import ErrorCode
from ..federation.execution.transport import Endpoint, SubgraphFailure, SubgraphResponse, Transport
from ..registry import Registry
from ..subgraph_client import TIMEOUT, SourceFailure, SubgraphClient


class SourceTransport(Transport):
    """A `Transport` over the gateway's subgraph client (which the gateway starts and stops)."""

    def __init__(self, client: Callable[[], SubgraphClient], registry: Callable[[], Registry]) -> None:
        super().__init__(deduplicate=False)  # every call carries its own caller's token
        self.client = client
        self.registry = registry
        self._names: tuple[Registry | None, dict[str, str]] = (None, {})

    async def start(self) -> None:
        """Nothing to open: the gateway's client is started with the gateway."""

    async def close(self) -> None:
        """Nothing to close: the gateway closes its client."""

    async def post(
        self, subgraph: str, endpoint: Endpoint, body: bytes, headers: Mapping[str, str] | None = None
    ) -> SubgraphResponse:
        request = orjson.loads(body)
        try:
            answer = await self.client().query(
                endpoint.url,
                request["query"],
                request.get("variables"),
                endpoint.timeout,
                dict(headers or {}),
                source=self._name(endpoint.url) or subgraph,
            )
        except SourceFailure as failure:
            code = ErrorCode.SUBREQUEST_TIMEOUT if failure.status == TIMEOUT else ErrorCode.SUBREQUEST_HTTP_ERROR
            raise SubgraphFailure(subgraph, code, failure.message) from None
        self.stats.requests += 1
        return SubgraphResponse(answer.data, answer.errors)

    def _name(self, url: str) -> str | None:
        """The bronID of the source at `url` (re-read when a reload swapped the registry)."""
        registry = self.registry()
        if self._names[0] is not registry:
            self._names = (registry, {s.config.url: s.config.id for s in registry.states.values()})
        return self._names[1].get(url)
