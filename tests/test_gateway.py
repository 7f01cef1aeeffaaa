"""The gateway over HTTP with real subgraphs over HTTP: search, paging, detail, errors at the edge."""

from __future__ import annotations

import json
import tempfile
from collections import Counter
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import aiohttp
import pytest
import pytest_asyncio

from gateway.config import new_key
from gateway.demo.synthetic import generate, read_beroepen, read_postcodes
from subgraphs.bestand.adapter import BestandAdapter
from subgraphs.sdk.adapter import InMemoryAdapter
from subgraphs.sql.adapter import SqlAdapter

from .conftest import BEROEPEN, POSTCODES
from .servers import WatchedSubgraph
from .stack import ENGINES, AppFactory, Source, Stack, consented, organisation_app, start_stack

SEARCH = """
query Zoek($s: WerkzoekendeSelectievraag!, $first: Int, $after: String) {
  werkzoekendeProfielMatches(selectievraag: $s, first: $first, after: $after) {
    vraagID totalCount maximumAantalResultatenBereikt
    bronnen { bronID naam oin status aantal duurMs melding nietOndersteundeCriteria maximumAantalResultatenBereikt }
    edges { cursor bronID node { vumID mobiliteit { bemiddelingspostcode } bemiddelingsberoep { codeBeroepsnaam omschrijvingBeroepsnaam referentieberoep { code omschrijving } } } }
    pageInfo { hasNextPage hasPreviousPage startCursor endCursor }
  }
}
"""
EINDHOVEN = {"selectiegebied": {"postcode": "5611AB", "afstand": 40}}


class Counting(WatchedSubgraph):
    """Counts the GraphQL requests a subgraph receives, by the root field they ask for."""

    def __init__(self, factory: AppFactory) -> None:
        super().__init__(factory)
        self.calls: Counter[str] = Counter()

    async def handle(self, body: bytes, scope: Any, replay: Any, send: Any) -> None:
        for field in ("bronWerkzoekendeProfielMatches", "bronWerkzoekendeProfiel(", "_service", "_entities"):
            if field.encode() in body:
                self.calls[field] += 1
        await self.app(scope, replay, send)


@pytest_asyncio.fixture(scope="module", params=ENGINES)
async def stack(request: pytest.FixtureRequest) -> AsyncIterator[Stack]:
    ids = ["gemeente", "reintegratie", "uwv"]
    data = generate(7, ids, read_postcodes(POSTCODES), read_beroepen(BEROEPEN), werkzoekenden_per_bron=80)
    with tempfile.TemporaryDirectory() as tmp:
        sql = SqlAdapter("sqlite://")
        sql.load(consented(data[0].werkzoekenden), data[0].vacatures)
        export = Path(tmp) / "werkzoekenden.json"
        export.write_text(json.dumps(consented(data[1].werkzoekenden)), encoding="utf-8")
        memory = InMemoryAdapter(consented(data[2].werkzoekenden), data[2].vacatures)
        memory.unsupported_extensions = frozenset({"interesse"})
        apps = {
            "gemeente": Counting(organisation_app(sql, "gemeente")),
            "reintegratie": Counting(organisation_app(BestandAdapter(export, None), "reintegratie")),
            "uwv": Counting(organisation_app(memory, "uwv")),
        }
        running = await start_stack([Source(i, apps[i]) for i in ids], engine=request.param)
        running.apps = apps  # type: ignore[attr-defined]
        yield running
        await running.close()


async def search(stack: Stack, selectievraag: dict[str, Any], **variables: Any) -> dict[str, Any]:
    body = await stack.query(SEARCH, {"s": selectievraag, **variables})
    assert "errors" not in body, body["errors"]
    return body["data"]["werkzoekendeProfielMatches"]  # type: ignore[no-any-return]


async def test_one_search_answers_from_every_organisation_with_labels_and_status(stack: Stack) -> None:
    result = await search(stack, EINDHOVEN, first=1000)
    by_source = Counter(edge["bronID"] for edge in result["edges"])
    assert set(by_source) == {"gemeente", "reintegratie", "uwv"}
    statuses = {b["bronID"]: b for b in result["bronnen"]}
    for bron_id, count in by_source.items():
        assert statuses[bron_id]["status"] == "OK"
        assert statuses[bron_id]["aantal"] == count
        assert statuses[bron_id]["duurMs"] > 0
        assert statuses[bron_id]["oin"].isdigit()
    assert result["totalCount"] == sum(by_source.values())
    beroepen = [b for edge in result["edges"] for b in edge["node"]["bemiddelingsberoep"] or ()]
    assert beroepen and all(b["codeBeroepsnaam"].startswith("urn:uwv:boc:") for b in beroepen)
    assert all(b["omschrijvingBeroepsnaam"] for b in beroepen), "codelijsten labels every BO&C occupation"


async def test_pages_are_stable_complete_and_share_the_vraagid(stack: Stack) -> None:
    seen: list[str] = []
    vraag_ids = set()
    after = None
    total = None
    while True:
        page = await search(stack, EINDHOVEN, first=7, after=after)
        vraag_ids.add(page["vraagID"])
        total = page["totalCount"]
        records = [stack.open_vumid("werkzoekende", e["node"]["vumID"]) for e in page["edges"]]
        seen += [f"{r.bron_id}/{r.record_id}" for r in records]
        assert page["pageInfo"]["hasPreviousPage"] is (after is not None)
        if not page["pageInfo"]["hasNextPage"]:
            break
        after = page["pageInfo"]["endCursor"]
    assert len(vraag_ids) == 1
    assert len(seen) == len(set(seen)) == total
    again = await search(stack, EINDHOVEN, first=7, after=after)
    assert [stack.open_vumid("werkzoekende", e["node"]["vumID"]).record_id for e in again["edges"]] == [
        s.split("/")[1] for s in seen[-len(again["edges"]) :]
    ]


async def test_vumids_differ_per_search_for_the_same_record(stack: Stack) -> None:
    first = await search(stack, EINDHOVEN, first=1000)
    second = await search(stack, EINDHOVEN, first=1000)
    assert first["vraagID"] != second["vraagID"]
    ids_first = {e["node"]["vumID"] for e in first["edges"]}
    ids_second = {e["node"]["vumID"] for e in second["edges"]}
    assert not ids_first & ids_second
    assert all(len(v) <= 500 and v.replace("-", "").replace("_", "").isalnum() for v in ids_first)


DETAIL = """query D($v: ID!) { werkzoekendeProfiel(vumID: $v) {
  vumID bronID werkzoekende { idWerkzoekende persoonlijkePresentatie mobiliteit { bemiddelingspostcode }
  bemiddelingsberoep { codeBeroepsnaam omschrijvingBeroepsnaam } } } }"""


async def test_detail_is_asked_of_the_owning_organisation_only(stack: Stack) -> None:
    result = await search(stack, EINDHOVEN, first=1000)
    edge = next(e for e in result["edges"] if e["bronID"] == "reintegratie")
    before = {name: Counter(app.calls) for name, app in stack.apps.items()}  # type: ignore[attr-defined]
    body = await stack.query(DETAIL, {"v": edge["node"]["vumID"]})
    assert "errors" not in body
    detail = body["data"]["werkzoekendeProfiel"]
    assert detail["bronID"] == "reintegratie"
    assert detail["werkzoekende"]["idWerkzoekende"] == stack.open_vumid("werkzoekende", edge["node"]["vumID"]).record_id
    assert detail["werkzoekende"]["bemiddelingsberoep"][0]["omschrijvingBeroepsnaam"]
    after = {name: app.calls for name, app in stack.apps.items()}  # type: ignore[attr-defined]
    asked = {
        name for name in after if after[name]["bronWerkzoekendeProfiel("] > before[name]["bronWerkzoekendeProfiel("]
    }
    assert asked == {"reintegratie"}


@pytest.mark.parametrize(
    "mangle",
    [
        lambda v: v[:-2] + ("A" if v[-2] != "A" else "B") + v[-1],
        lambda v: v[:20],
        lambda v: "not a vumID!",
        lambda v: "",
    ],
    ids=["tampered", "truncated", "garbage", "empty"],
)
async def test_a_tampered_vumid_is_a_clear_error(stack: Stack, mangle: Any) -> None:
    result = await search(stack, EINDHOVEN, first=1)
    body = await stack.query(DETAIL, {"v": mangle(result["edges"][0]["node"]["vumID"])})
    assert body["data"]["werkzoekendeProfiel"] is None
    assert body["errors"][0]["extensions"]["code"] == "INVALID_VUMID"
    assert body["errors"][0]["path"] == ["werkzoekendeProfiel"]


async def test_a_foreign_vumid_or_one_of_another_kind_is_refused(stack: Stack) -> None:
    from gateway.config import PseudonymConfig
    from gateway.pseudonym import Pseudonymiser, RecordRef

    foreign = Pseudonymiser(PseudonymConfig(key=new_key()).keys()).issue("werkzoekende", RecordRef("uwv", "x"))
    body = await stack.query(DETAIL, {"v": foreign})
    assert body["errors"][0]["extensions"]["code"] == "INVALID_VUMID"
    result = await search(stack, EINDHOVEN, first=1)
    vacature = await stack.query(
        "query($v: ID!) { vacature(vumID: $v) { bronID } }", {"v": result["edges"][0]["node"]["vumID"]}
    )
    assert vacature["data"]["vacature"] is None
    assert vacature["errors"][0]["extensions"]["code"] == "INVALID_VUMID"


async def test_an_unsupported_extension_is_reported_per_source(stack: Stack) -> None:
    result = await search(stack, {**EINDHOVEN, "interesse": ["kleding"]}, first=1000)
    statuses = {b["bronID"]: b for b in result["bronnen"]}
    assert statuses["uwv"]["status"] == "UNSUPPORTED_CRITERION"
    assert statuses["uwv"]["nietOndersteundeCriteria"] == ["interesse"]
    assert statuses["uwv"]["aantal"] == 0
    assert {statuses["gemeente"]["status"], statuses["reintegratie"]["status"]} == {"OK"}
    assert {e["bronID"] for e in result["edges"]} <= {"gemeente", "reintegratie"}


@pytest.mark.parametrize(
    ("variables", "code", "fragment"),
    [
        ({"s": {"selectiegebied": {"postcode": "56111AB", "afstand": 10}}}, "BAD_USER_INPUT", "Postcode"),
        ({"s": {"selectiegebied": {"postcode": "5611AB", "afstand": 1000}}}, "BAD_USER_INPUT", "afstand"),
        (
            {"s": {"selectiegebied": {"postcode": "5611AB", "afstand": 10}, "taalbeheersing": [{"codeTaal": "NL"}]}},
            "BAD_USER_INPUT",
            "codeTaal",
        ),
        ({"s": {"selectiegebied": {"postcode": "5611AB", "afstand": 10}}, "first": 0}, "BAD_USER_INPUT", "first"),
        ({"s": {"selectiegebied": {"postcode": "5611AB", "afstand": 10}}, "first": 1001}, "BAD_USER_INPUT", "first"),
        (
            {"s": {"selectiegebied": {"postcode": "5611AB", "afstand": 10}}, "after": "bm9wZQ"},
            "BAD_USER_INPUT",
            "cursor",
        ),
        ({"s": {"selectiegebied": {"postcode": "5611AB"}}}, "BAD_USER_INPUT", "afstand"),
        (
            {"s": {"selectiegebied": {"postcode": "5611AB", "afstand": 10}, "contractvorm": ["X"]}},
            "BAD_USER_INPUT",
            "TypeArbeidscontract",
        ),
    ],
    ids=["postcode", "afstand", "taalcode", "first-0", "first-1001", "cursor", "missing-afstand", "enum"],
)
async def test_bad_input_gets_a_clear_error_with_a_code(
    stack: Stack, variables: dict[str, Any], code: str, fragment: str
) -> None:
    body = await stack.query(SEARCH, variables)
    assert (body.get("data") or {}).get("werkzoekendeProfielMatches") is None
    assert body["errors"][0]["extensions"]["code"] == code
    assert fragment in body["errors"][0]["message"]


async def test_unknown_postcode_area_is_a_clear_error(stack: Stack) -> None:
    body = await stack.query(SEARCH, {"s": {"selectiegebied": {"postcode": "0000AA", "afstand": 10}}})
    assert body["errors"][0]["extensions"]["code"] == "BAD_USER_INPUT"
    assert "unknown postcode area 0000" in body["errors"][0]["message"]


async def test_fragments_aliases_and_conditions_shape_the_answer(stack: Stack) -> None:
    query = """
    query Q($s: WerkzoekendeSelectievraag!, $labels: Boolean!, $codes: Boolean!) {
      eerste: werkzoekendeProfielMatches(selectievraag: $s, first: 2) { ...Telling edges { node { ...Profiel } } }
      __typename
    }
    fragment Telling on WerkzoekendeProfielMatches { aantal: totalCount }
    fragment Profiel on WerkzoekendeProfielMatch {
      id: vumID
      postcode: mobiliteit { pc: bemiddelingspostcode }
      bemiddelingsberoep @include(if: $codes) { codeBeroepsnaam }
      bemiddelingsberoep @include(if: $labels) { label: omschrijvingBeroepsnaam }
      __typename
    }
    """
    for labels, codes in ((True, False), (False, True), (True, True), (False, False)):
        body = await stack.query(query, {"s": EINDHOVEN, "labels": labels, "codes": codes})
        assert "errors" not in body, body
        data = body["data"]
        assert data["__typename"] == "Query"
        assert set(data["eerste"]) == {"aantal", "edges"}
        node = data["eerste"]["edges"][0]["node"]
        assert node["__typename"] == "WerkzoekendeProfielMatch"
        assert set(node["postcode"]) == {"pc"}
        if labels or codes:
            occupation = node["bemiddelingsberoep"][0]
            expected = ({"codeBeroepsnaam"} if codes else set()) | ({"label"} if labels else set())
            assert set(occupation) == expected
        else:
            assert "bemiddelingsberoep" not in node


def test_the_configured_engine_answers(stack: Stack) -> None:
    """The parity tests run on each engine: the federation engine only when configured."""
    assert (stack.gateway.engine is not None) == (stack.engine == "federation")


async def test_introspection_organisaties_and_typename(stack: Stack) -> None:
    body = await stack.query(
        "{ __schema { queryType { fields { name } } } organisaties { bronID soort actief schemaStatus } }"
    )
    fields = {f["name"] for f in body["data"]["__schema"]["queryType"]["fields"]}
    assert fields == {
        "werkzoekendeProfielMatches",
        "werkzoekendeProfiel",
        "vacatureMatches",
        "vacature",
        "organisaties",
        "verwerkingen",
    }
    states = {o["bronID"]: o["schemaStatus"] for o in body["data"]["organisaties"]}
    assert states == {"gemeente": "CONFORM", "reintegratie": "CONFORM", "uwv": "CONFORM", "codelijsten": "CONFORM"}


async def test_the_public_schema_hides_the_source_side(stack: Stack) -> None:
    body = await stack.query('{ __type(name: "WerkzoekendeProfielMatch") { fields { name } } }')
    names = {f["name"] for f in body["data"]["__type"]["fields"]}
    assert "vumID" in names and "idWerkzoekende" not in names
    body = await stack.query('{ bronWerkzoekendeProfiel(idWerkzoekende: "x") { idWerkzoekende } }')
    assert body["errors"][0]["extensions"]["code"] == "GRAPHQL_VALIDATION_FAILED"


@pytest.mark.parametrize(
    ("data", "headers", "status", "code"),
    [
        (b"{not json", {"Content-Type": "application/json"}, 400, "BAD_REQUEST"),
        (b'{"query": 1}', {"Content-Type": "application/json"}, 400, "BAD_REQUEST"),
        (
            b'{"query": "{ organisaties { bronID } }", "variables": []}',
            {"Content-Type": "application/json"},
            400,
            "BAD_REQUEST",
        ),
        (b"query=1", {"Content-Type": "application/x-www-form-urlencoded"}, 415, "UNSUPPORTED_MEDIA_TYPE"),
        (b'{"query": "' + b"x" * 300_000 + b'"}', {"Content-Type": "application/json"}, 413, "PAYLOAD_TOO_LARGE"),
        (
            b'{"query": "{ organisaties { bronID "}',
            {"Content-Type": "application/json"},
            400,
            "GRAPHQL_VALIDATION_FAILED",
        ),
        (b'{"query": "mutation { x }"}', {"Content-Type": "application/json"}, 400, "GRAPHQL_VALIDATION_FAILED"),
    ],
    ids=["not-json", "query-not-string", "variables-not-object", "form", "too-large", "syntax", "mutation"],
)
async def test_bad_requests_are_refused_at_the_edge(
    stack: Stack, data: bytes, headers: dict[str, str], status: int, code: str
) -> None:
    async with (
        aiohttp.ClientSession() as session,
        session.post(stack.server.url, data=data, headers=headers) as response,
    ):
        body = await response.json(content_type=None)
    assert response.status == status
    assert body["errors"][0]["extensions"]["code"] == code
    assert "data" not in body


async def test_graphiql_health_and_ready(stack: Stack) -> None:
    async with aiohttp.ClientSession() as session:
        async with session.get(stack.server.url, headers={"Accept": "text/html"}) as response:
            page = await response.text()
        assert response.status == 200 and "GraphiQL" in page and "werkzoekendeProfielMatches" in page
        async with session.get(stack.server.base_url + "/health") as response:
            assert response.status == 200 and (await response.json())["status"] == "ok"
        async with session.get(stack.server.base_url + "/ready") as response:
            ready = await response.json()
        assert response.status == 200 and ready["sources"]["gemeente"] == "CONFORM"
        query = "{ organisaties { bronID } }"
        async with session.get(stack.server.url, params={"query": query}, headers=stack.issuer.headers()) as response:
            assert (await response.json())["data"]["organisaties"]
