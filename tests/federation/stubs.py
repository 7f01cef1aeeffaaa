"""A transport that answers from Python functions instead of HTTP, for executor unit tests."""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Mapping
from typing import Any

import orjson

from gateway.federation.errors import ErrorCode
from gateway.federation.execution.transport import Endpoint, SubgraphFailure, Transport
from gateway.federation.runtime import FederationRuntime, RuntimeOptions
from gateway.federation.supergraph import read_supergraph
from tests.federation.conftest import SHOP_SUPERGRAPH

Handler = Callable[[str, dict[str, Any]], Any]  # (query, variables) -> response JSON, or an exception


class StubTransport(Transport):
    """Answers each subgraph with its handler; records every request (subgraph, query, variables)."""

    def __init__(self, handlers: Mapping[str, Handler], *, deduplicate: bool = True, delay: float = 0.0) -> None:
        super().__init__(deduplicate=deduplicate)
        self.handlers = dict(handlers)
        self.delay = delay
        self.sent: list[tuple[str, str, dict[str, Any]]] = []

    async def _send(self, subgraph: str, endpoint: Endpoint, body: bytes, headers: Mapping[str, str] | None) -> bytes:
        request = orjson.loads(body)
        self.sent.append((subgraph, request["query"], request["variables"]))
        self.stats.requests += 1
        if self.delay:
            await asyncio.sleep(self.delay)
        answer = self.handlers[subgraph](request["query"], request["variables"])
        if isinstance(answer, BaseException):
            raise answer
        return answer if isinstance(answer, bytes) else orjson.dumps(answer)


def shop_runtime(handlers: Mapping[str, Handler], **options: Any) -> tuple[FederationRuntime, StubTransport]:
    """A runtime over the shop's supergraph whose subgraphs are the given handlers."""
    dedup = options.pop("deduplicate", True)
    runtime = FederationRuntime(read_supergraph(SHOP_SUPERGRAPH.read_text(encoding="utf-8")), RuntimeOptions(**options))
    stub = StubTransport(handlers, deduplicate=dedup)
    runtime.transport = runtime.executor.transport = stub
    return runtime, stub


def unreachable(subgraph: str) -> Handler:
    def handler(query: str, variables: dict[str, Any]) -> Any:
        return SubgraphFailure(
            subgraph, ErrorCode.SUBREQUEST_HTTP_ERROR, "the subgraph is unreachable (ClientConnectorError)"
        )

    return handler


def entities(resolve: Callable[[dict[str, Any]], Any]) -> Handler:
    """A handler answering `_entities` by resolving each representation."""

    def handler(query: str, variables: dict[str, Any]) -> Any:
        return {"data": {"_entities": [resolve(r) for r in variables["representations"]]}}

    return handler
