"""The explorer as the gateway serves it, without a browser: its page, files and security headers,
the persona searches against the demo's data, and how a detail says what was withheld and why.

The browser test (tests/test_explorer.py) drives the same page in Chromium.
"""

from __future__ import annotations

import datetime
import json
import re
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import aiohttp
import pytest
import pytest_asyncio
from graphql import parse, validate

from gateway.http.explorer import REQUIRED, STATIC, content_security_policy, explorer_response
from gateway.public_schema import build_public_schema
from subgraphs.sdk.adapter import InMemoryAdapter
from vumschema import load_contract
from vumschema.policy import Caller, Toestemming, Vastlegging

from .issuer import ALL_SCOPES
from .personas import MEHMET, anja, persona_query, query_files, start_demo_data_stack
from .stack import Source, Stack, consented, organisation_app, start_stack

DATE = datetime.date(2026, 10, 1)
MATCH_ONLY = Toestemming({"MATCHPROFIEL": Vastlegging(DATE, "klantmanager")})
PROFILE = {
    "mobiliteit": {"bemiddelingspostcode": "5611AB"},
    "persoonlijkePresentatie": "Ik werk graag met mijn handen.",
    "indicatieLdrRegistratie": 2,
    "emailadres": ["demo@example.org"],
}
SEARCH = """query { werkzoekendeProfielMatches(selectievraag: {selectiegebied: {postcode: "5611AB", afstand: 5}}) {
  edges { node { vumID } } } }"""


@pytest_asyncio.fixture(scope="module")
async def demo_data() -> AsyncIterator[Stack]:
    running = await start_demo_data_stack()
    running.gateway.graphiql_presets = {"Anja": {"Authorization": "Bearer secret-demo-token"}}
    yield running
    await running.close()


@pytest_asyncio.fixture(scope="module")
async def consent_mix() -> AsyncIterator[Stack]:
    records = consented([{"idWerkzoekende": "alleen-match", **PROFILE}], MATCH_ONLY) + consented(
        [{"idWerkzoekende": "alles", **PROFILE}]
    )
    running = await start_stack([Source("gemeente", organisation_app(InMemoryAdapter(records), "gemeente"))])
    yield running
    await running.close()


async def _page(stack: Stack) -> tuple[aiohttp.ClientResponse, str]:
    async with stack.session.get(stack.server.url, headers={"Accept": "text/html"}) as response:
        return response, await response.text()


def _config(page: str) -> dict[str, Any]:
    found = re.search(r'<script id="vum-config" type="application/json">(.*?)</script>', page, re.S)
    assert found, "the page carries its configuration as JSON"
    return json.loads(found.group(1))  # type: ignore[no-any-return]


async def test_the_page_allows_nothing_but_the_gateway_itself(demo_data: Stack) -> None:
    response, page = await _page(demo_data)
    assert response.status == 200
    policy = response.headers["Content-Security-Policy"]
    nonce = _config(page)["styleNonce"]
    assert policy == content_security_policy(nonce)
    directives = dict(part.split(" ", 1) for part in policy.split("; "))
    assert directives["default-src"] == "'none'" and directives["script-src"] == "'self'"
    assert directives["connect-src"] == "'self'" and directives["style-src"] == f"'self' 'nonce-{nonce}'"
    assert "http" not in policy and "unsafe" not in policy, "no other host, no inline script or eval"
    assert re.findall(r'src="([^"]+)"', page) == ["/explorer/static/explorer.js"], "one script, from the gateway"
    assert "<script>" not in page, "no inline script (the configuration is inert JSON)"
    assert response.headers["Cache-Control"] == "no-store"
    _, second = await _page(demo_data)
    assert _config(second)["styleNonce"] != nonce, "a fresh nonce per page"


async def test_the_explorer_files_and_the_map_come_from_the_gateway(demo_data: Stack) -> None:
    base = demo_data.server.base_url
    for name in REQUIRED:
        async with demo_data.session.get(f"{base}/explorer/static/{name}") as response:
            assert response.status == 200, name
            assert (await response.read()) == (STATIC / name).read_bytes()
    async with demo_data.session.get(f"{base}/explorer/pc4.json") as response:
        areas = await response.json()
    assert len(areas) > 4000, "one point per four-digit postcode area draws the country"
    assert any(a[0] == "5611" and a[3] == "Eindhoven" for a in areas)
    css = (STATIC / "explorer.css").read_text(encoding="utf-8")
    assert "data:" not in css, "fonts and images are files, so the CSP needs no data: URLs"
    for url in re.findall(r"url\(([^)]+)\)", css):
        assert url.startswith("assets/") and (STATIC / url).is_file(), url


async def test_demo_tokens_are_offered_only_in_demo_mode(demo_data: Stack) -> None:
    assert not demo_data.gateway.demo
    _, page = await _page(demo_data)
    assert _config(page)["presets"] == {}, "outside `vum-gateway demo` the page asks for a token"
    assert "secret-demo-token" not in page
    demo_data.gateway.demo = True  # as `vum-gateway demo` runs it
    try:
        _, page = await _page(demo_data)
    finally:
        demo_data.gateway.demo = False
    assert _config(page)["presets"] == {"Anja": {"Authorization": "Bearer secret-demo-token"}}


def test_a_broken_install_gets_a_page_that_says_how_to_fix_it(tmp_path: Path) -> None:
    (tmp_path / "explorer.css").write_text("body {}")
    response = explorer_response("/graphql", {}, ["arbeidsbemiddeling"], static=tmp_path)
    page = bytes(response.body).decode()
    assert response.status_code == 503
    assert "explorer.js" in page and str(tmp_path) in page, "names what is missing and where"
    assert "pip install" in page and "npm ci" in page and "npm run build" in page, "and how to fix it"
    assert "wordt geladen" not in page, "never a page that loads forever"


def test_every_query_of_the_explorer_is_valid_against_the_public_schema() -> None:
    schema = build_public_schema(load_contract())
    files = query_files()
    assert {f.stem for f in files} >= {"anja-henk", "jessica-soort-werk", "mehmet-competentie", "detail-werkzoekende"}
    for file in files:
        assert validate(schema, parse(file.read_text(encoding="utf-8"))) == [], file.name


def _labelled(body: dict[str, Any], root: str) -> list[dict[str, Any]]:
    edges = body["data"][root]["edges"]
    beroepen = [e["node"].get("beroep") for e in edges] + [
        b for e in edges for b in e["node"].get("bemiddelingsberoep") or []
    ]
    return [b for b in beroepen if b]


@pytest.mark.parametrize(
    ("name", "role", "expect"),
    [
        ("anja-henk", "anja", "Magazijnmedewerker kledinglogistiek"),  # Mehmet's vacancy, another organisation
        ("jessica-soort-werk", "anja", "Leerbaan naaister"),
        ("mehmet-competentie", "mehmet", None),
    ],
)
async def test_each_persona_search_finds_matches_in_the_demo_data(
    demo_data: Stack, name: str, role: str, expect: str | None
) -> None:
    caller = anja(demo_data) if role == "anja" else MEHMET
    body = await demo_data.query(persona_query(name), caller=caller)
    root = next(iter(body["data"]))
    found = body["data"][root]
    assert "errors" not in body, body.get("errors")
    assert found["totalCount"] > 0 and found["edges"]
    assert {b["status"] for b in found["bronnen"]} == {"OK"}
    assert len({e["bronID"] for e in found["edges"]}) > 1, "an answer from more than one organisation"
    if expect:  # among all matches: the order is random per search, so page 1 need not hold it
        assert "first: 25" in persona_query(name)
        everything = await demo_data.query(persona_query(name).replace("first: 25", "first: 1000"), caller=caller)
        edges = everything["data"][root]["edges"]
        assert len(edges) == found["totalCount"]
        assert any(expect in (e["node"].get("naamVacature") or "") for e in edges), expect
    beroepen = _labelled(body, root)
    assert beroepen and all(b["omschrijvingBeroepsnaam"] for b in beroepen), "every occupation has its label"


async def _detail_of(stack: Stack, record_id: str, caller: Caller) -> dict[str, Any]:
    found = await stack.query(SEARCH, caller=caller)
    vumids = [e["node"]["vumID"] for e in found["data"]["werkzoekendeProfielMatches"]["edges"]]
    vumid = next(v for v in vumids if stack.open_vumid("werkzoekende", v).record_id == record_id)
    return await stack.query(persona_query("detail-werkzoekende"), {"vumID": vumid}, caller=caller)


def _withheld(body: dict[str, Any]) -> dict[str, str]:
    entries = (body.get("extensions") or {}).get("achtergehouden", [])
    assert all(e["path"] == ["werkzoekendeProfiel", "werkzoekende"] for e in entries)
    return {e["categorie"]: e["reden"] for e in entries}


async def test_a_detail_says_which_categories_were_withheld_and_why(consent_mix: Stack) -> None:
    body = await _detail_of(consent_mix, "alleen-match", MEHMET)
    record = body["data"]["werkzoekendeProfiel"]["werkzoekende"]
    assert record["mobiliteit"] == {
        "bemiddelingspostcode": "5611AB",
        "maximaleReisafstand": None,
        "maximaleReistijd": None,
    }
    assert record["persoonlijkePresentatie"] is None
    assert _withheld(body) == {"DETAIL": "GEEN_TOESTEMMING", "CONTACTGEGEVENS": "ROL", "BIJZONDER": "ROL"}
    detail = next(e for e in body["extensions"]["achtergehouden"] if e["categorie"] == "DETAIL")
    assert detail["velden"] == ["persoonlijkePresentatie", "eisAanWerk"]

    everything = await _detail_of(consent_mix, "alles", MEHMET)
    assert everything["data"]["werkzoekendeProfiel"]["werkzoekende"]["persoonlijkePresentatie"]
    assert _withheld(everything) == {"CONTACTGEGEVENS": "ROL", "BIJZONDER": "ROL"}, "consent cannot widen a role"

    other = Caller(
        "bemiddelaar", "00000001009999999000", "bemiddelaar", ALL_SCOPES, suwi=False, purpose="arbeidsbemiddeling"
    )
    assert _withheld(await _detail_of(consent_mix, "alles", other)) == {"BIJZONDER": "GEEN_SUWI"}
    own = anja(consent_mix)
    mine = await _detail_of(consent_mix, "alleen-match", own)
    assert "extensions" not in mine, "the own organisation's SUWI mediator sees everything"
    assert mine["data"]["werkzoekendeProfiel"]["werkzoekende"]["emailadres"] == ["demo@example.org"]
