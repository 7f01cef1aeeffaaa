"""A failing source never fails a search: it is missing from the answer, and the answer says why."""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator
from typing import Any

import orjson
import pytest
import pytest_asyncio
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from subgraphs.sdk.adapter import InMemoryAdapter, SearchResult
from subgraphs.sdk.app import SubgraphSettings, create_app
from subgraphs.sdk.identity import GatewayTrust
from subgraphs.sdk.selectievraag import Selectievraag
from vumschema import Contract

from .conftest import POSTCODES
from .servers import read_body
from .stack import AppFactory, Source, Stack, consented, organisation_app, start_stack

QUERY = """query($s: WerkzoekendeSelectievraag!) { werkzoekendeProfielMatches(selectievraag: $s, first: 100) {
  totalCount bronnen { bronID status aantal melding duurMs }
  edges { bronID node { vumID mobiliteit { bemiddelingspostcode } bemiddelingsberoep { codeBeroepsnaam omschrijvingBeroepsnaam } } } } }"""
AREA = {"s": {"selectiegebied": {"postcode": "5611AB", "afstand": 50}}}


def profile(record_id: str, postcode: str = "5612AB", beroep: str = "urn:uwv:boc:7737") -> dict[str, Any]:
    return {
        "idWerkzoekende": record_id,
        "mobiliteit": {"bemiddelingspostcode": postcode},
        "bemiddelingsberoep": [{"codeBeroepsnaam": beroep}],
    }


def healthy(prefix: str) -> AppFactory:
    return organisation_app(InMemoryAdapter(consented([profile(f"{prefix}-{i}") for i in range(3)])), prefix)


class SlowAdapter(InMemoryAdapter):
    async def search_werkzoekenden(self, vraag: Selectievraag, limit: int) -> SearchResult:
        await asyncio.sleep(3)
        return await super().search_werkzoekenden(vraag, limit)


def garbling(factory: AppFactory, body: bytes, status: int = 200) -> AppFactory:
    """A subgraph whose schema is fine but whose search answers are not (`body` instead)."""
    return lambda trust: _garbling(factory(trust), body, status)


def _garbling(app: Any, body: bytes, status: int) -> Any:
    async def asgi(scope: Any, receive: Any, send: Any) -> None:
        if scope["type"] == "http":
            request_body, replay = await read_body(receive)
            if b"bronWerkzoekendeProfielMatches" in request_body:
                await Response(body, status_code=status, media_type="application/json")(scope, receive, send)
                return
            if b"_entities" in request_body:  # the page's records (query-then-fetch): as garbled as the search
                entities = _entities_of(body, orjson.loads(request_body)["variables"]["representations"])
                await Response(entities, status_code=status, media_type="application/json")(scope, receive, send)
                return
            await app(scope, replay, send)
            return
        await app(scope, receive, send)

    return asgi


def _entities_of(body: bytes, representations: list[dict[str, Any]]) -> bytes:
    """What the garbling source answers for its records by key: the same records it found."""
    try:
        matches = orjson.loads(body)["data"]["bronWerkzoekendeProfielMatches"]["matches"]
    except (orjson.JSONDecodeError, KeyError, TypeError):
        return body
    by_id = {m.get("idWerkzoekende"): m for m in matches if isinstance(m, dict)}
    found = [by_id.get(r["idWerkzoekende"]) for r in representations]
    return orjson.dumps(
        {"data": {"_entities": [{"__typename": "WerkzoekendeProfielMatch", **m} if m else None for m in found]}}
    )


def sources(*extra: Source) -> list[Source]:
    return [Source("gezond-a", healthy("a")), Source("gezond-b", healthy("b")), *extra]


async def answer(stack: Stack) -> tuple[dict[str, Any], dict[str, dict[str, Any]]]:
    body = await stack.query(QUERY, AREA)
    assert "errors" not in body, body
    result = body["data"]["werkzoekendeProfielMatches"]
    return result, {b["bronID"]: b for b in result["bronnen"]}


def assert_healthy_ones_answered(result: dict[str, Any], statuses: dict[str, dict[str, Any]]) -> None:
    assert statuses["gezond-a"]["status"] == statuses["gezond-b"]["status"] == "OK"
    assert {e["bronID"] for e in result["edges"]} == {"gezond-a", "gezond-b"}
    assert result["totalCount"] == 6


@pytest_asyncio.fixture
async def stack_with_stoppable_source() -> AsyncIterator[Stack]:
    stack = await start_stack(sources(Source("gaat-uit", healthy("c"))))
    yield stack
    await stack.close()


async def test_a_stopped_source_is_named_and_the_others_still_answer(stack_with_stoppable_source: Stack) -> None:
    stack = stack_with_stoppable_source
    result, statuses = await answer(stack)
    assert statuses["gaat-uit"]["status"] == "OK" and result["totalCount"] == 9
    await stack.subgraphs["gaat-uit"].stop()
    result, statuses = await answer(stack)
    assert_healthy_ones_answered(result, statuses)
    assert statuses["gaat-uit"]["status"] == "ERROR"
    assert "unreachable" in statuses["gaat-uit"]["melding"]


async def test_a_source_slower_than_its_timeout_is_given_up() -> None:
    slow = organisation_app(SlowAdapter(consented([profile("traag-1")])), "traag")
    stack = await start_stack(sources(Source("traag", slow, timeout=0.5)))
    try:
        started = time.monotonic()
        result, statuses = await answer(stack)
        elapsed = time.monotonic() - started
    finally:
        await stack.close()
    assert_healthy_ones_answered(result, statuses)
    assert statuses["traag"]["status"] == "TIMEOUT"
    assert statuses["traag"]["melding"] == "no answer within 0.5 s"
    assert 400 <= statuses["traag"]["duurMs"] < 2000
    assert elapsed < 2.5, "the slow source must not hold up the answer beyond its timeout"


@pytest.mark.parametrize(
    ("body", "status", "message"),
    [
        (b"{this is not json", 200, "invalid JSON"),
        (b"<html>Bad gateway</html>", 502, "HTTP 502"),
        (b'["a list"]', 200, "not a GraphQL response"),
        (b'{"data": {"bronWerkzoekendeProfielMatches": {"matches": "nope"}}}', 200, "lacks its matches"),
        (b'{"errors": [{"message": "database on fire"}]}', 200, "database on fire"),
    ],
    ids=["invalid-json", "http-error", "not-graphql", "bad-shape", "graphql-error"],
)
async def test_a_source_answering_garbage_is_reported(body: bytes, status: int, message: str) -> None:
    broken = garbling(healthy("x"), body, status)
    stack = await start_stack(sources(Source("kapot", broken)))
    try:
        result, statuses = await answer(stack)
    finally:
        await stack.close()
    assert_healthy_ones_answered(result, statuses)
    assert statuses["kapot"]["status"] == "ERROR"
    assert message in statuses["kapot"]["melding"]


async def test_records_that_break_the_contract_are_left_out_with_an_error() -> None:
    bad_records = (
        b'{"data": {"bronWerkzoekendeProfielMatches": {"maximumAantalResultatenBereikt": false, "matches": ['
        b'{"idWerkzoekende": "ok-1", "toestemmingen": ["MATCHPROFIEL"], "mobiliteit": {"bemiddelingspostcode": "5611AB"}},'
        b'{"idWerkzoekende": "geen-mobiliteit", "toestemmingen": ["MATCHPROFIEL"]},'
        b'{"idWerkzoekende": "fout type", "toestemmingen": ["MATCHPROFIEL"], "mobiliteit": {"bemiddelingspostcode": "5611AB"}},'
        b'{"idWerkzoekende": "ok-2", "toestemmingen": ["MATCHPROFIEL"], "mobiliteit": {"bemiddelingspostcode": 5611}},'
        b'{"idWerkzoekende": "ok-3", "toestemmingen": ["MATCHPROFIEL"], "mobiliteit": {"bemiddelingspostcode": "5611AB"}, "bemiddelingsberoep": [{"codeBeroepsnaam": 1}]}'
        b"]}}}"
    )
    stack = await start_stack([Source("vreemd", garbling(healthy("v"), bad_records))])
    try:
        body = await stack.query(QUERY, AREA)
    finally:
        await stack.close()
    result = body["data"]["werkzoekendeProfielMatches"]
    kept = {stack.open_vumid("werkzoekende", e["node"]["vumID"]).record_id for e in result["edges"]}
    assert kept == {"ok-1", "ok-3"}, "records without a required value, or with a bad id, are left out"
    codes = {e["extensions"]["code"] for e in body["errors"]}
    assert codes == {"INVALID_SOURCE_DATA"}
    assert "1 result(s) without a valid idWerkzoekende left out" in result["bronnen"][0]["melding"]
    ok_3 = next(e for e in result["edges"] if stack.open_vumid("werkzoekende", e["node"]["vumID"]).record_id == "ok-3")
    assert ok_3["node"]["bemiddelingsberoep"] is None, "a bad value nulls the nearest nullable field"


def nonconforming(contract: Contract, change: tuple[str, str]) -> AppFactory:
    """A subgraph built from a changed contract (as a vendor's out-of-date SDK would serve)."""

    assert change[0] in contract.sdl, "the change applies to the contract"

    def build(trust: GatewayTrust) -> Starlette:
        settings = SubgraphSettings(name="afwijkend", postcodes=POSTCODES, oin=trust.audience, trust=trust)
        return create_app(
            InMemoryAdapter(consented([profile("n-1")])), settings, Contract(contract.sdl.replace(*change))
        )

    return build


@pytest.mark.parametrize(
    ("change", "problem"),
    [
        (
            (
                '  "Koppelvlak 3.0: de Nederlandse telefoonnummers van de werkzoekende, elk hooguit 14 tekens."\n'
                "  telefoonnummer: [String!] @constraint(maxLength: 14) @categorie(naam: CONTACTGEGEVENS)"
                ' @requiresScopes(scopes: [["werkzoekenden:contactgegevens"]])\n',
                "",
            ),
            "Werkzoekende.telefoonnummer is missing",
        ),
        (
            ("  aantalWerkurenPerWeekMinimaal: Int", "  aantalWerkurenPerWeekMinimaal: String"),
            "has type String, expected Int",
        ),
        (
            (
                "  persoonlijkePresentatie: String @constraint(maxLength: 2000) @categorie(naam: DETAIL)",
                "  persoonlijkePresentatie: String @constraint(maxLength: 2000) @categorie(naam: MATCHPROFIEL)",
            ),
            "@categorie",
        ),
    ],
    ids=["missing-field", "wrong-type", "wrong-category"],
)
async def test_a_nonconforming_source_is_refused_with_a_clear_message(
    contract: Contract, change: tuple[str, str], problem: str
) -> None:
    stack = await start_stack(sources(Source("afwijkend", nonconforming(contract, change))))
    try:
        result, statuses = await answer(stack)
        states = await stack.query("{ organisaties { bronID schemaStatus melding } }")
    finally:
        await stack.close()
    assert_healthy_ones_answered(result, statuses)
    assert statuses["afwijkend"]["status"] == "ERROR"
    state = next(o for o in states["data"]["organisaties"] if o["bronID"] == "afwijkend")
    assert state["schemaStatus"] == "NOT_CONFORMING"
    assert problem in state["melding"]
    assert problem in statuses["afwijkend"]["melding"]


async def test_a_source_that_comes_up_later_is_taken_into_service() -> None:
    late = Source("later", healthy("l"))
    stack = await start_stack(sources(late), schema_check_interval=0.2)
    try:
        port = stack.subgraphs["later"].port
        await stack.subgraphs["later"].stop()
        await stack.gateway.services.registry.check_all()
        _, statuses = await answer(stack)
        assert statuses["later"]["status"] == "ERROR" and "not queried" in statuses["later"]["melding"]
        await stack.subgraphs["later"].start(port)
        # Rechecked on its own schedule: backing off while unreachable, at most a round (a few
        # sources at `CHECKS_PER_SECOND`: under a second) after it came up; 10 s for a loaded machine.
        state = stack.gateway.services.registry.states["later"]
        deadline = time.monotonic() + 10
        while not state.usable and time.monotonic() < deadline:  # noqa: ASYNC110 - a property, no event
            await asyncio.sleep(0.05)
        assert state.usable, f"not taken into service within 10 s: {state.schema_status}"
        result, statuses = await answer(stack)
        assert statuses["later"]["status"] == "OK"
        assert result["totalCount"] == 9
    finally:
        await stack.close()


async def test_reference_data_down_leaves_labels_empty_with_one_error() -> None:
    stack = await start_stack(sources())
    try:
        await stack.subgraphs["codelijsten"].stop()
        body = await stack.query(QUERY, AREA)
    finally:
        await stack.close()
    result = body["data"]["werkzoekendeProfielMatches"]
    assert result["totalCount"] == 6
    assert all(b["omschrijvingBeroepsnaam"] is None for e in result["edges"] for b in e["node"]["bemiddelingsberoep"])
    assert [e["extensions"]["code"] for e in body["errors"]] == ["REFERENCE_DATA_UNAVAILABLE"]
    assert "codelijsten" in body["errors"][0]["message"]


async def test_invalid_json_from_a_raw_source_at_schema_check_is_reported() -> None:
    async def garbage(request: Request) -> Response:
        return Response(b"\x00\xff not json", media_type="application/json")

    app = Starlette(routes=[Route("/graphql", garbage, methods=["POST"])])
    stack = await start_stack(sources(Source("onzin", lambda trust: app)))
    try:
        result, statuses = await answer(stack)
    finally:
        await stack.close()
    assert_healthy_ones_answered(result, statuses)
    assert statuses["onzin"]["status"] == "ERROR"
    assert "invalid JSON" in statuses["onzin"]["melding"]
