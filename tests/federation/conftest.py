"""Fixtures of the federation tests: the shop's subgraphs and a gateway over real HTTP.

Every subgraph is a real strawberry federation server on a free localhost port; the gateway reads
the stored supergraph (composed by @apollo/composition) with their URLs filled in, and serves it
over HTTP too. No Node runs in the tests.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import aiohttp
import orjson
import pytest

from gateway.federation.runtime import FederationRuntime, RuntimeOptions
from gateway.federation.server.app import create_app
from gateway.federation.server.config import GatewayConfig
from gateway.federation.supergraph import Supergraph, read_supergraph
from tests.federation.shop import SUBGRAPHS, app, data
from tests.servers import LiveServer

HERE = Path(__file__).parent
SHOP_SUPERGRAPH = HERE / "shop" / "supergraph.graphql"


@dataclass
class Shop:
    """The running shop: subgraph servers, the gateway, and a client."""

    subgraphs: dict[str, LiveServer]
    supergraph: Supergraph
    sdl: str
    gateway: LiveServer | None = None
    runtime: FederationRuntime | None = None
    session: aiohttp.ClientSession | None = None
    extra: list[LiveServer] = field(default_factory=list)

    async def post(self, query: str, variables: dict[str, Any] | None = None, **extra: Any) -> dict[str, Any]:
        status, body = await self.raw({"query": query, "variables": variables, **extra})
        assert status in (200, 400), (status, body)
        result: dict[str, Any] = orjson.loads(body)
        return result

    async def raw(self, payload: Any, headers: dict[str, str] | None = None) -> tuple[int, bytes]:
        assert self.session is not None and self.gateway is not None
        body = payload if isinstance(payload, bytes) else orjson.dumps(payload)
        request_headers = {"Content-Type": "application/json", **(headers or {})}
        async with self.session.post(self.gateway.url, data=body, headers=request_headers) as response:
            return response.status, await response.read()


def shop_sdl(ports: dict[str, int]) -> str:
    text = SHOP_SUPERGRAPH.read_text(encoding="utf-8")
    for name, port in ports.items():
        text = text.replace(f"http://127.0.0.1:0/{name}/graphql", f"http://127.0.0.1:{port}/graphql")
    return text


async def start_gateway(shop: Shop, options: RuntimeOptions | None = None) -> LiveServer:
    runtime = FederationRuntime(shop.supergraph, options or RuntimeOptions())
    server = await LiveServer(create_app(runtime, GatewayConfig(supergraph="inline"))).start()
    shop.runtime = runtime
    return server


@pytest.fixture(scope="session")
async def shop_servers() -> AsyncIterator[dict[str, LiveServer]]:
    servers = {name: await LiveServer(app(name)).start() for name in SUBGRAPHS}
    yield servers
    for server in servers.values():
        await server.stop()


@pytest.fixture
async def shop(shop_servers: dict[str, LiveServer]) -> AsyncIterator[Shop]:
    """A fresh gateway over the running subgraphs (the shared counter reset)."""
    data.COUNTER["value"] = 0
    sdl = shop_sdl({name: server.port for name, server in shop_servers.items()})
    shop = Shop(shop_servers, read_supergraph(sdl), sdl)
    shop.gateway = await start_gateway(shop)
    shop.session = aiohttp.ClientSession()
    yield shop
    await shop.session.close()
    await shop.gateway.stop()
    for server in shop.extra:
        await server.stop()
