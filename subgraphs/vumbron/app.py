"""The vumbron subgraph: the SDK's organisation app, with the caller visible to the adapter."""

from __future__ import annotations

from starlette.applications import Starlette

from subgraphs.sdk.app import SubgraphSettings, create_app
from vumschema import Contract

from .adapter import VumBronAdapter
from .caller import CallerScope


def create_vumbron_app(
    adapter: VumBronAdapter, settings: SubgraphSettings, contract: Contract | None = None
) -> Starlette:
    """`create_app` for a VUM-Bron source; the adapter tells the source whether each caller is a SUWI party."""
    app = create_app(adapter, settings, contract)
    app.add_middleware(CallerScope)  # outermost: the SDK's GatewayOnly sets the caller in the same scope
    return app
