"""The VUM subgraphs' SDLs as the adapter SDK serves them at `_service { sdl }`: the fixture of
`vum-gateway compose` composes these, and a test checks that the fixture still matches them."""

from __future__ import annotations

from typing import Any

ROUTING_URLS = {"organisatie": "http://127.0.0.1:4101/graphql", "codelijsten": "http://127.0.0.1:4100/graphql"}


def _sdl_of(schema: Any) -> str:
    return str(schema.execute_sync("{ _service { sdl } }").data["_service"]["sdl"])


def vum_subgraph_sdls() -> dict[str, str]:
    """`organisatie` (what every organisation serves) and `codelijsten` (reference data)."""
    from subgraphs.codelijsten.app import Codelijsten, read_beroepen
    from subgraphs.sdk.adapter import InMemoryAdapter
    from subgraphs.sdk.app import SourceService, SubgraphSettings, build_schema, organisation_schema
    from subgraphs.sdk.geo import PostcodeTable
    from subgraphs.sdk.types import contract_types
    from vumschema import data, load_contract

    contract = load_contract()
    settings = SubgraphSettings(name="organisatie", postcodes=data.POSTCODES)
    service = SourceService(InMemoryAdapter(), PostcodeTable.from_csv(data.POSTCODES), settings, contract)
    codelijsten = Codelijsten(read_beroepen(data.BEROEPEN))
    return {
        "organisatie": _sdl_of(organisation_schema(service, contract)),
        "codelijsten": _sdl_of(build_schema(contract_types(contract, "codelijsten", codelijsten.resolve), {})),
    }
