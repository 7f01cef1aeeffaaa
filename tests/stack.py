"""A gateway with real subgraphs over HTTP, all on localhost in the test's event loop."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import aiohttp
from starlette.applications import Starlette

from gateway.config import new_key, parse_config
from gateway.http.app import create_http_app
from gateway.pseudonym import Pseudonymiser, RecordRef
from gateway.server import Gateway
from subgraphs.codelijsten.app import create_app as codelijsten_app
from subgraphs.sdk.adapter import Adapter
from subgraphs.sdk.app import SubgraphSettings, create_app

from .conftest import BEROEPEN, POSTCODES
from .servers import LiveServer


def organisation_app(adapter: Adapter, name: str, **settings: Any) -> Starlette:
    return create_app(adapter, SubgraphSettings(name=name, postcodes=POSTCODES, **settings))


@dataclass
class Source:
    id: str
    app: Any
    kind: str = "gemeente"
    timeout: float = 5.0


@dataclass
class Stack:
    """Running subgraphs and a gateway in front of them."""

    gateway: Gateway
    server: LiveServer
    subgraphs: dict[str, LiveServer]
    key: str
    session: aiohttp.ClientSession = field(default_factory=aiohttp.ClientSession)

    async def post(self, payload: Any, headers: dict[str, str] | None = None) -> tuple[int, Any]:
        async with self.session.post(self.server.url, json=payload, headers=headers) as response:
            return response.status, await response.json(content_type=None)

    async def query(self, query: str, variables: dict[str, Any] | None = None) -> dict[str, Any]:
        status, body = await self.post({"query": query, "variables": variables or {}})
        assert status in (200, 400), (status, body)
        return body  # type: ignore[no-any-return]

    def open_vumid(self, kind: str, vumid: str) -> RecordRef:
        from gateway.config import PseudonymConfig

        return Pseudonymiser(PseudonymConfig(key=self.key).keys()).open(kind, vumid)

    async def close(self) -> None:
        await self.session.close()
        await self.server.stop()
        for server in self.subgraphs.values():
            await server.stop()


async def start_stack(sources: list[Source], *, codelijsten: bool = True, **gateway: Any) -> Stack:
    """Serve every source over HTTP, then a gateway whose registry lists them (codelijsten too)."""
    servers = {source.id: await LiveServer(source.app).start() for source in sources}
    organisations = [
        {
            "id": s.id,
            "name": f"Organisatie {s.id}",
            "oin": f"{index + 1:020d}",
            "kind": s.kind,
            "url": servers[s.id].url,
            "timeout": s.timeout,
        }
        for index, s in enumerate(sources)
    ]
    if codelijsten:
        servers["codelijsten"] = await LiveServer(codelijsten_app(BEROEPEN)).start()
        organisations.append(
            {
                "id": "codelijsten",
                "name": "Codelijsten",
                "oin": "00000000000000000099",
                "kind": "codelijsten",
                "url": servers["codelijsten"].url,
            }
        )
    key = new_key()
    config = parse_config({"gateway": gateway, "pseudonym": {"key": key}, "organisations": organisations})
    gateway_app = Gateway(config)
    server = await LiveServer(create_http_app(gateway_app)).start()
    return Stack(gateway_app, server, servers, key)
