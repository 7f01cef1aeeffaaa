"""A gateway with real subgraphs over HTTP and a real identity provider, all on localhost."""

from __future__ import annotations

import asyncio
import datetime
import os
import time
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import aiohttp
from starlette.applications import Starlette

from gateway.config import PseudonymConfig, new_key, parse_config
from gateway.http.app import create_http_app
from gateway.http.transport import server_options
from gateway.pseudonym import Pseudonymiser, RecordRef
from gateway.server import Gateway
from gateway.serving import free_port
from subgraphs.codelijsten.app import create_app as codelijsten_app
from subgraphs.sdk.adapter import Adapter
from subgraphs.sdk.app import SubgraphSettings, create_app
from subgraphs.sdk.identity import GatewayTrust
from vumschema.policy import Caller, Toestemming, write_toestemming

from .conftest import BEROEPEN, POSTCODES
from .issuer import AUDIENCE, ISSUER, MEDIATOR, TestIssuer
from .servers import LiveServer

# Tests of what the sources answer, not how fast (latency is the benchmark's): the most a source may
# take, the configuration's maximum, when every server runs in the test's one process on a busy machine.
CORRECTNESS_TIMEOUT = 60.0
ENGINES = ("vum", "federation")  # every engine a parity test runs on (gateway.engine)
ENGINE_VARIABLE = "VUM_TEST_ENGINE"  # the engine of every other stack (default: the configuration's)
READY_SECONDS = 120.0  # at most, for the gateway to check its subgraphs; seconds on an idle machine
AppFactory = Callable[[GatewayTrust], Any]  # builds a subgraph's ASGI app once the gateway is known


def consented(records: Iterable[dict[str, Any]], toestemming: Toestemming | None = None) -> list[dict[str, Any]]:
    """Job seekers with consent in every category (or the given one), as the demo imports them."""
    consent = toestemming or Toestemming.everything(datetime.date(2026, 10, 1), "klantmanager")
    return [{**record, "toestemming": write_toestemming(consent)} for record in records]


def organisation_app(adapter: Adapter, name: str, **settings: Any) -> AppFactory:
    def build(trust: GatewayTrust) -> Starlette:
        return create_app(
            adapter, SubgraphSettings(name=name, postcodes=POSTCODES, oin=trust.audience, trust=trust, **settings)
        )

    return build


def oin_of(index: int) -> str:
    return f"{index + 1:020d}"


@dataclass
class Source:
    id: str
    app: AppFactory
    kind: str = "gemeente"
    timeout: float = 5.0


def new_session() -> aiohttp.ClientSession:
    """The tests' client: a new connection per request. A pooled one can be closed by the gateway's
    uvicorn (idle keep-alive, 5 s) just as the next request goes out on a busy machine, and these
    tests judge answers, not a client's connection reuse (the gateway's own: test_stale_connections)."""
    return aiohttp.ClientSession(connector=aiohttp.TCPConnector(force_close=True))


@dataclass
class Extension:
    """An extension subgraph for a stack on the federation engine: its app and its SDL's file."""

    name: str
    app: AppFactory
    schema_file: Path


@dataclass
class Stack:
    """Running subgraphs, an identity provider and a gateway in front of them."""

    gateway: Gateway
    server: LiveServer
    subgraphs: dict[str, LiveServer]
    issuer: TestIssuer
    key: str
    oins: dict[str, str]
    session: aiohttp.ClientSession = field(default_factory=new_session)

    @property
    def engine(self) -> str:
        """What answers operations (`gateway.engine`): "vum" or "federation"."""
        return self.gateway.config.gateway.engine

    async def post(self, payload: Any, headers: dict[str, str] | None = None) -> tuple[int, Any]:
        async with self.session.post(self.server.url, json=payload, headers=headers) as response:
            return response.status, await response.json(content_type=None)

    async def query(
        self, query: str, variables: dict[str, Any] | None = None, caller: Caller | None = MEDIATOR
    ) -> dict[str, Any]:
        headers = self.issuer.headers(caller) if caller is not None else {}
        status, body = await self.post({"query": query, "variables": variables or {}}, headers)
        assert status in (200, 400), (status, body)
        return body  # type: ignore[no-any-return]

    def open_vumid(self, kind: str, vumid: str) -> RecordRef:
        return Pseudonymiser(PseudonymConfig(key=self.key).keys()).open(kind, vumid)

    async def close(self) -> None:
        await self.session.close()
        await self.server.stop()
        for server in self.subgraphs.values():
            await server.stop()
        await self.issuer.server.stop()


def _serving(gateway: Gateway, wait_for_checks: bool) -> bool:
    return gateway.ready and (gateway.services.registry.checked or not wait_for_checks)


async def start_stack(
    sources: list[Source],
    *,
    codelijsten: bool = True,
    auth: dict[str, Any] | None = None,
    demo: bool = False,
    tracing: dict[str, Any] | None = None,
    gateway_ca: Path | None = None,
    uvicorn_options: dict[str, Any] | None = None,
    source_timeout: float | None = None,
    extensions: Sequence[Extension] = (),
    wait_for_checks: bool = True,
    **gateway: Any,
) -> Stack:
    """Serve every source over HTTP (trusting the gateway to come), then the gateway (in demo
    mode with `demo`, as `vum-gateway demo` runs it; over HTTPS with `tls` among the `gateway`
    settings: the subgraphs then trust `gateway_ca` for its keys). `source_timeout` overrides every
    source's timeout (codelijsten too): for tests of what is answered, not how fast, so a starved
    machine (every server in this one process) does not fail them. Without `wait_for_checks` it
    returns once the gateway is ready, which may be before every source was checked."""
    issuer = await TestIssuer().start()
    port = free_port()
    jwks = f"{'https' if gateway.get('tls') else 'http'}://127.0.0.1:{port}/.well-known/jwks.json"
    oins = {source.id: oin_of(index) for index, source in enumerate(sources)}
    servers = {
        s.id: await LiveServer(s.app(GatewayTrust(jwks, oins[s.id], ca_file=gateway_ca))).start() for s in sources
    }
    organisations = [
        {
            "id": s.id,
            "name": f"Organisatie {s.id}",
            "oin": oins[s.id],
            "kind": s.kind,
            "url": servers[s.id].url,
            "timeout": source_timeout or s.timeout,
        }
        for s in sources
    ]
    if codelijsten:
        oins["codelijsten"] = "00000000000000000099"
        servers["codelijsten"] = await LiveServer(
            codelijsten_app(BEROEPEN, GatewayTrust(jwks, oins["codelijsten"], ca_file=gateway_ca))
        ).start()
        organisations.append(
            {
                "id": "codelijsten",
                "name": "Codelijsten",
                "oin": oins["codelijsten"],
                "kind": "codelijsten",
                "url": servers["codelijsten"].url,
                "timeout": source_timeout or 5.0,
            }
        )
    if "engine" not in gateway and os.environ.get(ENGINE_VARIABLE):
        gateway["engine"] = os.environ[ENGINE_VARIABLE]  # a whole test file on one engine, for parity runs
    extension_config = []
    for index, extension in enumerate(extensions):
        oins[extension.name] = f"0000000000000000{index + 80:04d}"
        trust = GatewayTrust(jwks, oins[extension.name], ca_file=gateway_ca)
        servers[extension.name] = await LiveServer(extension.app(trust)).start()
        extension_config.append(
            {"name": extension.name, "url": servers[extension.name].url, "oin": oins[extension.name]}
            | {"schema_file": str(extension.schema_file), "timeout": source_timeout or 5.0}
        )
    key = new_key()
    auth_config = {"issuers": [{"issuer": ISSUER, "jwks_url": issuer.jwks_url, "audience": AUDIENCE}], **(auth or {})}
    config = parse_config(
        {
            "gateway": {"port": port, **gateway},
            "pseudonym": {"key": key},
            "auth": auth_config,
            "processing_log": {"dsn": "sqlite://"},
            "tracing": tracing or {},
            "organisations": organisations,
            "extensions": extension_config,
        }
    )
    gateway_app = Gateway(config, demo=demo)
    options = {**server_options(config), **(uvicorn_options or {})}
    server = await LiveServer(create_http_app(gateway_app), **options).start(port)
    deadline = time.monotonic() + READY_SECONDS
    while not _serving(gateway_app, wait_for_checks) and time.monotonic() < deadline:  # noqa: ASYNC110 - a property
        await asyncio.sleep(0.05)  # it checks its subgraphs once it listens; tests want every verdict
    return Stack(gateway_app, server, servers, issuer, key, oins)
