"""An extension subgraph composed in by configuration only (federation engine), over real HTTP.

`plaatsen` (subgraphs/plaatsen) adds `plaats` to `Adres` through `Adres @key(fields: "postcode")`,
its consent category declared as `@policy`. No gateway code knows it: the configuration names
its URL, OIN and SDL, the federation engine composes it into the VUM supergraph at start, and the
planner reaches it from a vacancy's address like codelijsten from an occupation.
"""

from __future__ import annotations

import csv
import re
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest
import pytest_asyncio

from gateway.config import ConfigError, new_key, parse_config
from gateway.demo.synthetic import generate, read_beroepen, read_postcodes
from subgraphs.plaatsen.app import build_schema, create_app, read_places
from subgraphs.sdk.adapter import InMemoryAdapter
from vumschema import data

from .conftest import BEROEPEN, POSTCODES
from .stack import Extension, Source, Stack, consented, organisation_app, start_stack

SEARCH = """
query($s: VacatureSelectievraag!) {
  vacatureMatches(selectievraag: $s, first: 50) {
    edges { node { vumID adres { postcode plaats } } }
  }
}
"""
DETAIL = "query($v: ID!) { vacature(vumID: $v) { vacature { adres { postcode p: plaats } } } }"
EVERYWHERE = {"selectiegebied": {"postcode": "5611AB", "afstand": 999}}


def places() -> dict[str, str]:
    with data.POSTCODES.open(encoding="utf-8", newline="") as handle:
        return {row["pc4"]: row["plaats"] for row in csv.DictReader(handle)}


@pytest_asyncio.fixture(scope="module")
async def stack(tmp_path_factory: pytest.TempPathFactory) -> AsyncIterator[Stack]:
    sdl = build_schema(read_places()).execute_sync("{ _service { sdl } }").data
    schema_file = tmp_path_factory.mktemp("plaatsen") / "plaatsen.graphql"
    schema_file.write_text(sdl["_service"]["sdl"] if sdl else "", encoding="utf-8")
    generated = generate(11, ["gemeente"], read_postcodes(POSTCODES), read_beroepen(BEROEPEN), werkzoekenden_per_bron=5)
    adapter = InMemoryAdapter(consented(generated[0].werkzoekenden), generated[0].vacatures)
    running = await start_stack(
        [Source("gemeente", organisation_app(adapter, "gemeente"))],
        engine="federation",
        extensions=[Extension("plaatsen", lambda trust: create_app(trust), schema_file)],
    )
    yield running
    await running.close()


async def test_the_extension_adds_the_place_of_each_address_in_a_search_and_a_detail(stack: Stack) -> None:
    body = await stack.query(SEARCH, {"s": EVERYWHERE})
    assert "errors" not in body, body.get("errors")
    addresses = [e["node"]["adres"] for e in body["data"]["vacatureMatches"]["edges"] if e["node"]["adres"]]
    assert len(addresses) >= 5
    known = places()
    assert all(a["plaats"] == known.get(a["postcode"][:4]) for a in addresses)
    assert sum(a["plaats"] is not None for a in addresses) >= 5  # the synthetic areas are real ones
    vumid = next(e["node"]["vumID"] for e in body["data"]["vacatureMatches"]["edges"] if e["node"]["adres"])
    detail = await stack.query(DETAIL, {"v": vumid})
    adres = detail["data"]["vacature"]["vacature"]["adres"]
    assert adres["p"] == known.get(adres["postcode"][:4]) and adres["p"]


async def test_the_extension_field_is_in_the_served_schema_and_the_source_side_is_not(stack: Stack) -> None:
    body = await stack.query(
        '{ __type(name: "Adres") { fields { name } } q: __type(name: "Query") { fields { name } } }'
    )
    assert {f["name"] for f in body["data"]["__type"]["fields"]} >= {"postcode", "plaats"}
    assert "plaatsenGebieden" not in {f["name"] for f in body["data"]["q"]["fields"]}  # @inaccessible there


def test_extensions_need_the_federation_engine(tmp_path: Path) -> None:
    schema_file = tmp_path / "plaatsen.graphql"
    schema_file.write_text("type Query { a: Int }", encoding="utf-8")
    extension = {"name": "plaatsen", "url": "http://127.0.0.1:4199/graphql", "oin": "0" * 20}
    config: dict[str, Any] = {
        "gateway": {"engine": "vum"},
        "pseudonym": {"key": new_key()},
        "extensions": [extension | {"schema_file": schema_file}],
    }
    with pytest.raises(ConfigError, match=re.escape("extensions: need gateway.engine = 'federation'")):
        parse_config(config)
    del config["gateway"]  # the default engine: federation
    config["extensions"][0]["name"] = "codelijsten"
    with pytest.raises(ConfigError, match=re.escape("the name(s) codelijsten are taken")):
        parse_config(config)
