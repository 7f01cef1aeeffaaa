"""The bench subgraphs: organisation subgraphs (SDK + InMemoryAdapter) and codelijsten, one process.

`python -m bench.subgraphs SPEC.json` serves every subgraph of the spec from one event loop
(uvloop) behind the memoising front (`bench.memo`), prints READY, and runs until SIGTERM: each on
its own port, or (`by_path`) many organisations on one port at `/org/<id>/graphql`, each with its
own data, app and memo (B3's 300 organisations). The harness pins this process to the core the
gateways do not use.
"""

from __future__ import annotations

import asyncio
import contextlib
import gc
import json
import signal
import sys
from collections.abc import AsyncIterator, Callable
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

import uvicorn
import uvloop
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from gateway.demo.runner import ChildlessServer
from subgraphs.codelijsten.app import create_app as codelijsten_app
from subgraphs.sdk.adapter import InMemoryAdapter
from subgraphs.sdk.app import SubgraphSettings, create_app
from subgraphs.sdk.identity import GatewayTrust
from vumschema import load_contract

from . import identity
from .data import read_records
from .memo import Memo, MemoProtocol, Traffic, org_path

READY = "READY"


@dataclass(frozen=True)
class SubgraphSpec:
    name: str
    port: int
    records: str | None  # JSON file of Werkzoekende records; None for codelijsten
    oin: str  # the organisation's OIN: the audience of the gateway's tokens
    by_path: bool = False  # shares its port with others, at `org_path(name)`


@dataclass(frozen=True)
class ServerSpec:
    postcodes: str
    beroepen: str
    subgraphs: list[SubgraphSpec]
    work: str  # where bench.identity wrote the keys
    jwks_port: int  # where this process publishes the gateway's and the issuer's JWKS
    # Freeze what start-up loaded: at B3's 300 organisations a full collection among it paused every
    # stand-in for 3.5–5 s now and then (`bench.startup` and B3 set it).
    freeze_gc: bool = False

    def write(self, path: Path) -> None:
        path.write_text(json.dumps(asdict(self), indent=1), encoding="utf-8")

    @classmethod
    def read(cls, path: Path) -> ServerSpec:
        raw: dict[str, Any] = json.loads(path.read_text(encoding="utf-8"))
        subgraphs = [SubgraphSpec(**s) for s in raw["subgraphs"]]
        return cls(
            raw["postcodes"], raw["beroepen"], subgraphs, raw["work"], raw["jwks_port"], raw.get("freeze_gc", False)
        )


def build_app(spec: SubgraphSpec, server: ServerSpec, contract: Any) -> Starlette:
    trust = GatewayTrust(f"http://127.0.0.1:{server.jwks_port}/{identity.GATEWAY_JWKS}", spec.oin)
    if spec.records is None:
        return codelijsten_app(Path(server.beroepen), trust, identity.CALLER)
    adapter = InMemoryAdapter(read_records(Path(spec.records)))
    settings = SubgraphSettings(
        name=spec.name, postcodes=Path(server.postcodes), oin=spec.oin, trust=trust, anonymous_caller=identity.CALLER
    )
    return create_app(adapter, settings, contract)


def jwks_app(work: Path) -> Starlette:
    """The two JWKS documents bench.identity wrote, over HTTP (the gateway's, the issuer's)."""

    async def document(request: Request) -> Response:
        name = request.path_params["name"]
        if name not in (identity.GATEWAY_JWKS, identity.ISSUER_JWKS):
            return Response(status_code=404)
        return Response((work / name).read_bytes(), media_type="application/json")

    return Starlette(routes=[Route("/{name}", document)])


def protocol_factory(memo: Memo, by_path: dict[bytes, Memo] | None = None) -> Callable[[], MemoProtocol]:
    traffic = Traffic()  # one per listener: what all its connections served
    return lambda: MemoProtocol(memo, by_path, traffic)


@contextlib.asynccontextmanager
async def serving(server: ServerSpec) -> AsyncIterator[None]:
    """Every subgraph's lifespan entered and its port listening."""
    contract = load_contract()
    loop = asyncio.get_running_loop()
    async with contextlib.AsyncExitStack() as stack:
        shared: dict[int, dict[bytes, Memo]] = {}  # port -> path -> memo of the organisations by path
        for spec in server.subgraphs:
            app = build_app(spec, server, contract)
            await stack.enter_async_context(app.router.lifespan_context(app))
            memo = Memo(app)
            if spec.by_path:
                shared.setdefault(spec.port, {})[org_path(spec.name).encode()] = memo
                continue
            listener = await loop.create_server(protocol_factory(memo), "127.0.0.1", spec.port, backlog=1024)
            stack.callback(listener.close)
        for port, memos in shared.items():
            first = next(iter(memos.values()))
            listener = await loop.create_server(protocol_factory(first, memos), "127.0.0.1", port, backlog=4096)
            stack.callback(listener.close)
        config = uvicorn.Config(
            jwks_app(Path(server.work)), host="127.0.0.1", port=server.jwks_port, log_level="warning"
        )
        jwks = ChildlessServer(config)  # signals stay with main()
        task = asyncio.create_task(jwks.serve())
        while not jwks.started:  # noqa: ASYNC110 - uvicorn offers no event for it
            await asyncio.sleep(0.01)
        yield
        jwks.should_exit = True
        await task


async def main(spec_file: Path) -> None:
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for stop_signal in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(stop_signal, stop.set)
    spec = ServerSpec.read(spec_file)
    async with serving(spec):
        if spec.freeze_gc:
            gc.collect()
            gc.freeze()
        print(READY, flush=True)
        await stop.wait()


if __name__ == "__main__":
    uvloop.run(main(Path(sys.argv[1])))
