"""`subgraphs.vumbron`: an existing VUM source (VUM-Bron REST API) as a subgraph, and the Bron server.

The vraagObject translation of the vumbron package is cross-checked against the gateway's
(`gateway.vraagobject`) on every accreditation case; the Bron server's and the adapter's
exchanges are validated against the VUM-Bron contracts; the adapter's handling of caps, timeouts,
invalid records, refusals, unsupported criteria, consent and the caller's SUWI status is checked
through a real gateway and real tokens.
"""

from __future__ import annotations

import asyncio
import dataclasses
import datetime
import json
import os
import socket
import sys
from collections.abc import AsyncIterator, Iterator
from pathlib import Path
from typing import Any

import aiohttp
import pytest
import pytest_asyncio
from openapi_core.testing import MockRequest
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Route
from starlette.types import ASGIApp, Receive, Scope, Send

from gateway.config import PseudonymConfig
from gateway.pseudonym import Pseudonymiser, RecordRef
from gateway.vraagobject import VraagObjectError as GatewayVraagObjectError
from gateway.vraagobject import vacature_selectievraag, werkzoekende_selectievraag
from subgraphs.sdk.app import SubgraphSettings
from subgraphs.sdk.geo import PostcodeTable
from subgraphs.sdk.identity import GatewayTrust
from subgraphs.sdk.selectievraag import SelectievraagError, parse_vacature_vraag, parse_werkzoekende_vraag
from subgraphs.vumbron.adapter import VumBronAdapter
from subgraphs.vumbron.app import create_vumbron_app
from subgraphs.vumbron.bron_server import BronAccess, BronService, create_bron_app, standard_part
from subgraphs.vumbron.vraagobject import (
    VraagObjectError,
    vacature_values,
    vacature_vraag_object,
    werkzoekende_values,
    werkzoekende_vraag_object,
)
from vumschema import Contract
from vumschema.constraints import ValueChecker
from vumschema.contract import named_type
from vumschema.policy import ALL_CATEGORIES, read_toestemming

from .conftest import ACCREDITATIE, POSTCODES, ROOT, read_json
from .issuer import MEDIATOR
from .issuer import TestIssuer as IdentityProvider  # aliased: pytest collects names starting with Test
from .servers import LiveServer, read_body
from .stack import AppFactory, Source, Stack, start_stack
from .test_rest_contract import BRON, EXCHANGE_OIN, HEADERS, bron_client
from .test_rest_contract import contract as openapi_contract

CASES = {
    "werkzoekende": read_json(ACCREDITATIE / "werkzoekenden-cases.json"),
    "vacature": read_json(ACCREDITATIE / "vacatures-cases.json"),
}
# kind -> (selectievraag input type, gateway translation, vumbron decode, vumbron encode, SDK parse)
KINDS: dict[str, Any] = {
    "werkzoekende": (
        "WerkzoekendeSelectievraag",
        werkzoekende_selectievraag,
        werkzoekende_values,
        werkzoekende_vraag_object,
        parse_werkzoekende_vraag,
    ),
    "vacature": (
        "VacatureSelectievraag",
        vacature_selectievraag,
        vacature_values,
        vacature_vraag_object,
        parse_vacature_vraag,
    ),
}
SOURCE_OIN = "00000009876543210000"
NOT_SUWI = dataclasses.replace(MEDIATOR, subject="bart", suwi=False)
BRON_HEADERS = {**HEADERS, "X-VUM-fromParty": EXCHANGE_OIN, "X-VUM-toParty": SOURCE_OIN, "X-VUM-SUWIparty": "false"}
ACCESS = BronAccess(SOURCE_OIN, frozenset({EXCHANGE_OIN}))  # the Bron stand-in answers the exchange only
WIDE = {"selectiegebied": {"postcode": "3511AA", "afstand": 999}}


def as_codes(contract: Contract, type_name: str, value: Any) -> Any:
    """A GraphQL input value (enum names) as plain values with the standard's codes."""
    if isinstance(value, list):
        return [as_codes(contract, type_name, item) for item in value]
    if contract.is_enum(type_name):
        return contract.enum_codes(type_name).code_by_value[value]
    if not isinstance(value, dict):
        return value
    fields = contract.fields(type_name)
    return {key: as_codes(contract, named_type(fields[key].type), item) for key, item in value.items()}


def vumbron_app(adapter: VumBronAdapter, name: str, **settings: Any) -> AppFactory:
    """The vumbron subgraph as `python -m subgraphs.vumbron` builds it, for a test stack."""

    def build(trust: GatewayTrust) -> Starlette:
        subgraph = SubgraphSettings(name=name, postcodes=POSTCODES, oin=trust.audience, trust=trust, **settings)
        return create_vumbron_app(adapter, subgraph)

    return build


# -- the vraagObject translation ------------------------------------------------------------------


@pytest.mark.parametrize("kind", ["werkzoekende", "vacature"])
def test_vumbron_reads_every_accreditation_vraag_object_as_the_gateway_does(contract: Contract, kind: str) -> None:
    input_type, gateway_translate, decode, _, _ = KINDS[kind]
    for case in CASES[kind]:
        from_gateway = as_codes(contract, input_type, gateway_translate(contract, case["zoekvraag"]))
        assert decode(case["zoekvraag"]) == from_gateway, case["zoekvraag"]


@pytest.mark.parametrize("kind", ["werkzoekende", "vacature"])
def test_encoding_the_values_gives_back_the_same_selectievraag(contract: Contract, kind: str) -> None:
    input_type, gateway_translate, decode, encode, _ = KINDS[kind]
    for case in CASES[kind]:
        values = decode(case["zoekvraag"])
        sent = encode(values)
        assert decode(sent) == values
        assert as_codes(contract, input_type, gateway_translate(contract, sent)) == values


FULL = {
    "werkzoekende": {
        "selectiegebied": {"postcode": "5611AB", "afstand": 25},
        "bemiddelingsberoep": ["https://linkeddata.competentnl.nl/uwv/id/occupation/57D17BDAA8"],
        "contractvorm": ["B", "O"],
        "indicatieOnregelmatigWerkOfPloegendienst": 1,
        "rijbewijs": ["B", "CE"],
        "taalbeheersing": [{"codeTaal": "nld", "minimaalMondeling": 3, "minimaalSchriftelijk": 2}, {"codeTaal": "eng"}],
        "datumAanvangBeschikbaarVoorWerk": "2026-09-01",
        "indicatieKantoortijden": 2,
        "aantalWerkurenPerWeek": {"minimaal": 24, "maximaal": 32},
    },
    "vacature": {
        "selectiegebied": {"postcode": "5611AB", "afstand": 25},
        "beroep": "https://linkeddata.competentnl.nl/uwv/id/occupation/57D17BDAA8",
        "codeWerkEnDenkniveauMinimaal": {"vanaf": "3"},
        "datumAanvangWerkzaamheden": "2026-09-01",
        "indicatieOnregelmatigWerkOfPloegendienst": 2,
        "rijbewijs": ["B"],
        "taalbeheersing": [{"codeTaal": "nld", "minimaalSchriftelijk": 4}],
        "aantalWerkurenPerWeek": {"maximaal": 20},
    },
}


@pytest.mark.parametrize("kind", ["werkzoekende", "vacature"])
def test_every_criterion_of_the_standard_travels_both_ways(contract: Contract, kind: str) -> None:
    input_type, gateway_translate, decode, encode, _ = KINDS[kind]
    sent = encode(FULL[kind])
    assert len(sent) == len(FULL[kind]) + (1 if kind == "werkzoekende" else 0)  # hours are two criteria
    assert decode(sent) == FULL[kind]
    assert as_codes(contract, input_type, gateway_translate(contract, sent)) == FULL[kind]
    request = MockRequest(
        "https://bron.vumdevelopment.nl",
        "post",
        f"/api/v3/{'werkzoekendeProfielen' if kind == 'werkzoekende' else 'vacatures'}/matches",
        headers=BRON_HEADERS,
        data=json.dumps({"vraagObject": sent}).encode(),
    )
    contract_name = BRON["werkzoekendeProfielen" if kind == "werkzoekende" else "vacatures"]
    openapi_contract(contract_name).validate_request(request)


@pytest.mark.parametrize(
    "niveau", [{}, {"vanaf": "6"}, {"nietBekend": True}, {"nietBekend": False}, {"vanaf": "2", "nietBekend": False}]
)
def test_werk_en_denkniveau_travels_both_ways(niveau: dict[str, Any]) -> None:
    values = {**WIDE, "codeWerkEnDenkniveauMinimaal": niveau}
    expected = {k: v for k, v in niveau.items() if v is not False}
    assert vacature_values(vacature_vraag_object(values))["codeWerkEnDenkniveauMinimaal"] == expected


def test_extension_criteria_have_no_vraag_object_form() -> None:
    values = {**WIDE, "interesse": ["koken"], "typeOvereenkomst": ["02"], "respecteerMaximaleReisafstand": False}
    assert werkzoekende_vraag_object(values) == WIDE


MALFORMED = [
    ("werkzoekende", {"selectiegebied": {"postcode": "5611AB"}}),
    ("werkzoekende", {**WIDE, "contractvorm": {"$elemMatch": {"$or": []}}}),
    ("werkzoekende", {**WIDE, "contractvorm": {"$elemMatch": {"$or": [{"codeTypeArbeidscontract": {"$eq": "X"}}]}}}),
    ("werkzoekende", {**WIDE, "arbeidsmarktkwalificatie.rijbewijs": {"$all": "B"}}),
    ("werkzoekende", {**WIDE, "arbeidsmarktkwalificatie.taalbeheersing": {"$all": [{"$elemMatch": {}}]}}),
    ("werkzoekende", {**WIDE, "werktijden.aantalWerkurenPerWeekMaximaal": {"$gte": 100}}),
    ("werkzoekende", {**WIDE, "werktijden.indicatieKantoortijden": {"$eq": 3}}),
    ("werkzoekende", {**WIDE, "datumAanvangBeschikbaarVoorWerk": {"$lte": "1-1-2026"}}),
    ("werkzoekende", {"contractvorm": {}}),
    ("vacature", {**WIDE, "codeWerkEnDenkniveauMinimaal": {"$lt": "6"}}),
    ("vacature", {**WIDE, "codeWerkEnDenkniveauMinimaal": {"$eq": "3"}}),
    ("vacature", {**WIDE, "codeWerkEnDenkniveauMinimaal": {"$gte": "9", "$lt": "7"}}),
    ("vacature", {**WIDE, "beroep.codeBeroepsnaam": {"$eq": "x" * 201}}),
    ("vacature", {**WIDE, "selectiegebied": {"postcode": "5611AB", "afstand": 1000}}),
    ("vacature", {**WIDE, "taalbeheersing": {"$all": [{"$elemMatch": {"codeTaal": {"$eq": "NL"}}}]}}),
]


@pytest.mark.parametrize(("kind", "vraag"), MALFORMED)
def test_both_translations_refuse_the_same_malformed_vraag_objects(
    contract: Contract, postcodes: PostcodeTable, kind: str, vraag: dict[str, Any]
) -> None:
    input_type, gateway_translate, decode, _, parse = KINDS[kind]
    with pytest.raises(GatewayVraagObjectError):
        gateway_translate(contract, vraag)
    try:  # the vumbron side checks structure, then values (contract), then semantics (SDK), as the Bron server does
        values = decode(vraag)
        problems = ValueChecker(contract, wire=True).check(input_type, values, "vraagObject")
        if not problems:
            parse(values, postcodes)
    except (VraagObjectError, SelectievraagError):
        return
    assert problems, f"vumbron accepted {vraag}"


# -- the Bron server against the VUM-Bron contracts ---------------------------------------------


@pytest_asyncio.fixture(scope="module")
async def bron(
    werkzoekenden_upload: list[dict[str, Any]], vacatures_upload: list[dict[str, Any]], postcodes: PostcodeTable
) -> AsyncIterator[LiveServer]:
    service = BronService(werkzoekenden_upload[:300], vacatures_upload[:120], postcodes)
    server = await LiveServer(create_bron_app(service, ACCESS), path="").start()
    yield server
    await server.stop()


@pytest_asyncio.fixture(scope="module")
async def session() -> AsyncIterator[aiohttp.ClientSession]:
    async with aiohttp.ClientSession() as client:
        yield client


@pytest.mark.parametrize(("kind", "resource"), [("werkzoekende", "werkzoekendeProfielen"), ("vacature", "vacatures")])
async def test_the_bron_server_answers_every_case_per_the_bron_contract(
    bron: LiveServer, session: aiohttp.ClientSession, kind: str, resource: str
) -> None:
    client = bron_client(session, bron.base_url)
    id_field = "idWerkzoekende" if kind == "werkzoekende" else "idVacature"
    for case in CASES[kind][:10]:
        exchange = await client.call(
            "POST", f"/{resource}/matches", body={"vraagObject": case["zoekvraag"]}, headers=BRON_HEADERS
        )
        assert exchange.status == 200 and len(exchange.body["matches"]) <= 100
        for match in exchange.body["matches"][:2]:
            detail = await client.call("GET", f"/{resource}/{match[id_field]}", headers=BRON_HEADERS)
            assert detail.status == 200 and detail.body[id_field] == match[id_field]


async def test_the_bron_server_caps_and_keeps_detail_fields_out_of_matches(
    bron: LiveServer, session: aiohttp.ClientSession
) -> None:
    client = bron_client(session, bron.base_url)
    exchange = await client.call(
        "POST", "/werkzoekendeProfielen/matches", body={"vraagObject": WIDE}, headers=BRON_HEADERS
    )
    assert exchange.body["maximumAantalResultatenBereikt"] is True and len(exchange.body["matches"]) == 100
    detail_only = {"emailadres", "telefoonnummer", "contactpersoon", "webadres", "indicatieLdrRegistratie"}
    assert not any(detail_only & match.keys() for match in exchange.body["matches"])


def test_the_bron_server_serves_only_the_standards_fields(
    contract: Contract, werkzoekenden_upload: list[dict[str, Any]]
) -> None:
    record = {**werkzoekenden_upload[0], "toestemming": {"detail": True}, "interneNotitie": "x"}
    detail = standard_part(contract, "Werkzoekende", record, "idWerkzoekende")
    assert detail == werkzoekenden_upload[0]
    match = standard_part(contract, "WerkzoekendeProfielMatch", record, "idWerkzoekende")
    assert "idWerkzoekende" in match and not {"emailadres", "indicatieLdrRegistratie", "toestemming"} & match.keys()


async def test_the_bron_server_refuses_incomplete_and_malformed_requests(
    bron: LiveServer, session: aiohttp.ClientSession
) -> None:
    client = bron_client(session, bron.base_url)
    headers = {k: v for k, v in BRON_HEADERS.items() if k != "X-VUM-SUWIparty"}
    missing = await client.call(
        "POST", "/vacatures/matches", body={"vraagObject": WIDE}, headers=headers, valid_request=False
    )
    assert (missing.status, missing.body["code"]) == (400, "400.02") and "X-VUM-SUWIparty" in missing.body["message"]
    vraag = {**WIDE, "rijbewijs": {"$all": [{"$elemMatch": {"codeSoortRijbewijs": {"$eq": "Z"}}}]}}
    malformed = await client.call(
        "POST", "/vacatures/matches", body={"vraagObject": vraag}, headers=BRON_HEADERS, valid_request=False
    )
    assert (malformed.status, malformed.body["code"]) == (400, "400.01") and "rijbewijs" in malformed.body["message"]


async def test_the_bron_server_answers_only_its_parties(bron: LiveServer, session: aiohttp.ClientSession) -> None:
    """A test stand-in, but like a real Bron it answers only the exchange it has agreements with."""
    client = bron_client(session, bron.base_url)
    for party, value in (("X-VUM-fromParty", "00000001234567890000"), ("X-VUM-toParty", EXCHANGE_OIN)):
        exchange = await client.call(
            "POST", "/vacatures/matches", body={"vraagObject": WIDE}, headers={**BRON_HEADERS, party: value}
        )
        assert (exchange.status, exchange.body["code"]) == (401, "401"), party
        assert "matches" not in exchange.body


async def test_the_bron_server_answers_an_unknown_id_with_404(bron: LiveServer, session: aiohttp.ClientSession) -> None:
    # the Bron contract has no answer for an unknown id; the server (and the adapter) use 404
    async with session.get(f"{bron.base_url}/vacatures/unknown-id", headers=BRON_HEADERS) as response:
        assert response.status == 404
        assert (await response.json())["code"] == "404"


# -- the adapter through a gateway ----------------------------------------------------------------


class Recorder:
    """ASGI middleware keeping every request a Bron server receives."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app
        self.requests: list[tuple[str, str, dict[str, str], bytes]] = []

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        body, replay = await read_body(receive)
        headers = {k.decode(): v.decode() for k, v in scope["headers"]}
        self.requests.append((scope["method"], scope["path"], headers, body))
        await self.app(scope, replay, send)


SEARCH = """query($s: WerkzoekendeSelectievraag!) { werkzoekendeProfielMatches(selectievraag: $s, first: 1000) {
  totalCount maximumAantalResultatenBereikt edges { node { vumID } }
  bronnen { bronID status aantal maximumAantalResultatenBereikt melding nietOndersteundeCriteria } } }"""
DETAIL = "query($v: ID!) { werkzoekendeProfiel(vumID: $v) { bronID werkzoekende { idWerkzoekende } } }"


async def _gateway_over(
    bron_app: Any, *, name: str = "vumbron", max_results: int = 100, **adapter: Any
) -> tuple[Stack, LiveServer]:
    server = await LiveServer(bron_app, path="").start()
    vumbron = VumBronAdapter(server.base_url, EXCHANGE_OIN, SOURCE_OIN, **adapter)
    app = vumbron_app(vumbron, name, max_results=max_results)
    return await start_stack([Source(name, app, kind="reintegratiebureau")], codelijsten=False), server


async def _search(stack: Stack, selectievraag: dict[str, Any], caller: Any = MEDIATOR) -> dict[str, Any]:
    body = await stack.query(SEARCH, {"s": selectievraag}, caller)
    assert "errors" not in body, body
    return body["data"]["werkzoekendeProfielMatches"]  # type: ignore[no-any-return]


@pytest_asyncio.fixture
async def recorded(werkzoekenden_upload: list[dict[str, Any]], postcodes: PostcodeTable) -> AsyncIterator[Any]:
    recorder = Recorder(create_bron_app(BronService(werkzoekenden_upload[:400], [], postcodes, max_results=5), ACCESS))
    stack, server = await _gateway_over(recorder, suwi_party=True)
    yield stack, recorder
    await stack.close()
    await server.stop()


async def test_the_adapter_asks_per_the_bron_contract_and_honours_its_cap(recorded: Any) -> None:
    stack, recorder = recorded
    vraag = {
        **WIDE,
        "contractvorm": ["ONBEPAALDE_TIJD", "BEPAALDE_TIJD"],
        "taalbeheersing": [{"codeTaal": "nld", "minimaalMondeling": "GOED"}],
    }
    result = await _search(stack, vraag)
    [bron] = result["bronnen"]
    assert (bron["status"], bron["aantal"], bron["maximumAantalResultatenBereikt"]) == ("OK", 5, True)
    detail = await stack.query(DETAIL, {"v": result["edges"][0]["node"]["vumID"]})
    assert detail["data"]["werkzoekendeProfiel"]["bronID"] == "vumbron"
    # the search (POST, keys and then the page's records through the same adapter), then the detail
    (search_request, *_) = [request for request in recorder.requests if request[0] == "POST"][-1:]
    detail_request = recorder.requests[-1]
    for method, path, headers, body in (search_request, detail_request):
        request = MockRequest(
            "https://bron.vumdevelopment.nl", method.lower(), "/api/v3" + path, headers=headers, data=body or None
        )
        openapi_contract(BRON["werkzoekendeProfielen"]).validate_request(request)
        assert headers["x-vum-suwiparty"] == "true"
        assert (headers["x-vum-fromparty"], headers["x-vum-toparty"]) == (EXCHANGE_OIN, SOURCE_OIN)
    sent = json.loads(search_request[3])["vraagObject"]
    assert sent["contractvorm"] == {
        "$elemMatch": {"$or": [{"codeTypeArbeidscontract": {"$eq": "O"}}, {"codeTypeArbeidscontract": {"$eq": "B"}}]}
    }
    assert sent["arbeidsmarktkwalificatie.taalbeheersing"] == {
        "$all": [{"$elemMatch": {"codeTaal": {"$eq": "nld"}, "codeNiveauTaalbeheersingMondeling": {"$gte": 3}}}]
    }


async def test_the_source_is_told_the_callers_own_suwi_status(recorded: Any) -> None:
    stack, recorder = recorded  # configured with suwi_party=True: only a fallback
    result = await _search(stack, WIDE, NOT_SUWI)
    assert result["totalCount"] == 5  # the records it shared are released to another organisation
    assert recorder.requests[-1][2]["x-vum-suwiparty"] == "false"
    await _search(stack, WIDE, MEDIATOR)
    assert recorder.requests[-1][2]["x-vum-suwiparty"] == "true"


async def test_the_adapter_marks_what_the_source_shares_as_consented_by_the_source(
    bron: LiveServer, postcodes: PostcodeTable
) -> None:
    adapter = VumBronAdapter(bron.base_url, EXCHANGE_OIN, SOURCE_OIN)
    await adapter.startup()
    try:
        found = await adapter.search_werkzoekenden(parse_werkzoekende_vraag(WIDE, postcodes), 10)
        detail = await adapter.get_werkzoekende(str(found.records[0]["idWerkzoekende"]))
        vacancies = await adapter.search_vacatures(parse_vacature_vraag(WIDE, postcodes), 10)
    finally:
        await adapter.shutdown()
    assert found.records and detail is not None
    for record in (*found.records, detail):
        consent = read_toestemming(record["toestemming"])
        assert consent.granted == ALL_CATEGORIES
        assert {(v.datum, v.vastgelegd_door) for v in consent.categories.values()} == {
            (datetime.date.today(), SOURCE_OIN)
        }
    assert vacancies.records and not any("toestemming" in record for record in vacancies.records)


async def test_an_extension_criterion_is_not_sent_but_reported_unsupported(recorded: Any) -> None:
    stack, recorder = recorded
    before = len(recorder.requests)
    [bron] = (await _search(stack, {**WIDE, "interesse": ["koken"]}))["bronnen"]
    assert bron["status"] == "UNSUPPORTED_CRITERION" and bron["nietOndersteundeCriteria"] == ["interesse"]
    assert len(recorder.requests) == before


async def test_an_unknown_id_at_the_source_is_a_null_detail(recorded: Any) -> None:
    stack, _ = recorded
    gone = RecordRef("vumbron", "gone", "vraag-1", MEDIATOR.oin)  # a vumID issued to this caller
    vumid = Pseudonymiser(PseudonymConfig(key=stack.key).keys()).issue("werkzoekende", gone)
    body = await stack.query(DETAIL, {"v": vumid})
    assert body["data"]["werkzoekendeProfiel"] is None and "errors" not in body


async def test_the_subgraph_cap_applies_below_the_sources_cap(
    werkzoekenden_upload: list[dict[str, Any]], postcodes: PostcodeTable
) -> None:
    stack, server = await _gateway_over(
        create_bron_app(BronService(werkzoekenden_upload[:40], [], postcodes), ACCESS), max_results=3
    )
    try:
        [bron] = (await _search(stack, WIDE))["bronnen"]
        assert (bron["aantal"], bron["maximumAantalResultatenBereikt"]) == (3, True)
    finally:
        await stack.close()
        await server.stop()


def _fake_bron(matches: list[Any], status: int = 200, delay: float = 0.0) -> Starlette:
    async def search(request: Request) -> JSONResponse:
        await asyncio.sleep(delay)
        if status != 200:
            return JSONResponse({"code": "500.1", "message": "Interne serverfout: database offline"}, status)
        return JSONResponse({"maximumAantalResultatenBereikt": False, "matches": matches})

    return Starlette(routes=[Route("/werkzoekendeProfielen/matches", search, methods=["POST"])])


async def test_records_that_do_not_conform_are_dropped(werkzoekenden_upload: list[dict[str, Any]]) -> None:
    good = {k: v for k, v in werkzoekenden_upload[0].items() if k not in ("emailadres", "telefoonnummer")}
    bad = {**werkzoekenden_upload[1], "mobiliteit": {"bemiddelingspostcode": "ABCD12"}}
    odd = {**werkzoekenden_upload[2], "werktijden": {"aantalWerkurenPerWeekMaximaal": "veel"}}
    stack, server = await _gateway_over(_fake_bron([good, bad, odd, "not a record"]))
    try:
        result = await _search(stack, WIDE)
        assert result["bronnen"][0]["status"] == "OK" and result["totalCount"] == 1
    finally:
        await stack.close()
        await server.stop()


@pytest.mark.parametrize(
    ("bron_app", "fragment"),
    [
        (_fake_bron([], delay=2.0), "did not answer within 0.3 s"),
        (_fake_bron([], status=500), "HTTP 500: 500.1 Interne serverfout: database offline"),
    ],
    ids=["timeout", "refusal"],
)
async def test_a_slow_or_failing_source_is_reported_with_a_clear_message(bron_app: Starlette, fragment: str) -> None:
    stack, server = await _gateway_over(bron_app, timeout=0.3)
    try:
        [bron] = (await _search(stack, WIDE))["bronnen"]
        assert bron["status"] == "ERROR" and fragment in bron["melding"], bron
    finally:
        await stack.close()
        await server.stop()


# -- the command line -----------------------------------------------------------------------------


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@pytest.fixture
def records_files(tmp_path: Path, werkzoekenden_upload: list[dict[str, Any]]) -> Iterator[Path]:
    path = tmp_path / "w.json"
    path.write_text(json.dumps(werkzoekenden_upload[:30]), encoding="utf-8")
    yield path


async def _wait_for(session: aiohttp.ClientSession, url: str, process: asyncio.subprocess.Process) -> None:
    for _ in range(200):
        assert process.returncode is None, f"{url}: the process ended"
        try:
            async with session.get(url) as response:
                if response.status < 500:
                    return
        except aiohttp.ClientConnectionError:
            await asyncio.sleep(0.05)
    raise AssertionError(f"{url} did not come up")


async def test_the_bron_server_and_the_subgraph_run_from_the_command_line(
    records_files: Path, session: aiohttp.ClientSession
) -> None:
    gateway = await IdentityProvider().start()  # stands in for the gateway's keys: the subgraph answers its tokens only
    bron_port, subgraph_port = _free_port(), _free_port()
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    common = ["--postcodes", str(POSTCODES), "--log-level", "warning"]
    bron_cmd = ["-m", "subgraphs.vumbron.bron_server", "--werkzoekenden", str(records_files), "--port", str(bron_port)]
    bron_cmd += ["--oin", SOURCE_OIN, "--allow-party", EXCHANGE_OIN]
    subgraph_cmd = [
        "-m",
        "subgraphs.vumbron",
        "--bron-url",
        f"http://127.0.0.1:{bron_port}",
        "--port",
        str(subgraph_port),
    ]
    parties = ["--from-party", EXCHANGE_OIN, "--to-party", SOURCE_OIN]
    parties += ["--gateway-jwks", gateway.jwks_url, "--oin", SOURCE_OIN]
    processes = [
        await asyncio.create_subprocess_exec(sys.executable, *bron_cmd, *common, env=env),
        await asyncio.create_subprocess_exec(sys.executable, *subgraph_cmd, *parties, *common, env=env),
    ]
    try:
        await _wait_for(session, f"http://127.0.0.1:{bron_port}/vacatures/x", processes[0])
        await _wait_for(session, f"http://127.0.0.1:{subgraph_port}/health", processes[1])
        query = "query($s: WerkzoekendeSelectievraag!) { bronWerkzoekendeProfielMatches(selectievraag: $s) { matches { idWerkzoekende } } }"
        url, payload = f"http://127.0.0.1:{subgraph_port}/graphql", {"query": query, "variables": {"s": WIDE}}
        async with session.post(url, json=payload) as response:
            assert response.status == 401  # not the gateway
        token = gateway.token(MEDIATOR, iss="urn:vum:gateway", aud=SOURCE_OIN)
        async with session.post(url, json=payload, headers={"Authorization": f"Bearer {token}"}) as response:
            body = await response.json()
        assert len(body["data"]["bronWerkzoekendeProfielMatches"]["matches"]) == 30, body
    finally:
        for process in processes:  # only the processes this test started
            process.terminate()
            await asyncio.wait_for(process.wait(), 10)
        await gateway.server.stop()
