"""The REST facade's headers, authentication and error model, every answer validated against the contracts.

One test (or a small family) per error code: 400.01 Ongeldige aanroep, 400.02 Onvolledige aanroep,
401, 429.01, 500.1 and 503 (500.3), with real tokens from the test identity provider. The gateway
refuses whole GraphQL operations with a forbidden field (`reject_unauthorized_operations`); the
facade answers what the caller may see. The mapping of every GraphQL error code, and the
unexpected 500, are produced with a stubbed `run_graphql`.
"""

from __future__ import annotations

import dataclasses
import datetime
from collections.abc import AsyncIterator
from typing import Any

import pytest
import pytest_asyncio
from starlette.applications import Starlette
from starlette.requests import Request

from gateway.rest import Runner, rest_routes
from gateway.server import Gateway
from gateway.vraagobject import werkzoekende_selectievraag
from subgraphs.sdk.adapter import InMemoryAdapter
from vumschema.policy import Caller, Toestemming, Vastlegging

from .issuer import MEDIATOR
from .servers import LiveServer
from .stack import Source, Stack, consented, organisation_app, start_stack
from .test_rest_contract import EXCHANGE_OIN, HEADERS, MEDIATOR_OIN, ContractClient, bemiddelaar_client, party_headers

WIDE = {"selectiegebied": {"postcode": "3511AA", "afstand": 999}}
SEARCH = "/werkzoekendeProfielen/matches"
Reply = tuple[int, dict[str, Any]]
MATCH_ONLY = 3  # the first job seekers (by id) share their match profile only
# A mediator of an organisation that is no SUWI party and may not see contact details.
UITZENDBUREAU = Caller(
    "bart",
    "00000001008888888000",
    "bemiddelaar",
    MEDIATOR.scopes - {"werkzoekenden:contactgegevens", "werkzoekenden:bijzonder"},
    suwi=False,
    purpose="arbeidsbemiddeling",
)
CONTACT = {"emailadres", "telefoonnummer", "webadres", "contactpersoon"}


def held(records: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Every job seeker consented in every category, the first few (by id) in their match profile only."""
    ordered = sorted(records, key=lambda record: str(record["idWerkzoekende"]))
    match_only = Toestemming({"MATCHPROFIEL": Vastlegging(datetime.date(2026, 10, 1), "klantmanager")})
    return consented(ordered[:MATCH_ONLY], match_only) + consented(ordered[MATCH_ONLY:])


@pytest_asyncio.fixture(scope="module")
async def stack(
    werkzoekenden_upload: list[dict[str, Any]], vacatures_upload: list[dict[str, Any]]
) -> AsyncIterator[Stack]:
    adapter = InMemoryAdapter(held(werkzoekenden_upload[:150]), vacatures_upload[:60])
    running = await start_stack(
        [Source("gemeente-a", organisation_app(adapter, "gemeente-a"))],
        codelijsten=False,
        auth={"reject_unauthorized_operations": True},  # GraphQL callers: all or nothing; REST: what they may see
    )
    yield running
    await running.close()


@pytest.fixture
def client(stack: Stack) -> ContractClient:
    return bemiddelaar_client(stack.session, stack.server.base_url, stack.issuer)


def _ids(stack: Stack, kind: str, answer: dict[str, Any]) -> set[str]:
    return {stack.open_vumid(kind, match["vumID"]).record_id for match in answer["matches"]}


async def _a_vumid(client: ContractClient, resource: str = "werkzoekendeProfielen") -> str:
    """A vumID from a fresh search (each search has its own detail quota)."""
    exchange = await client.call("POST", f"/{resource}/matches", body={"vraagObject": WIDE})
    assert exchange.status == 200 and exchange.body["matches"], exchange.body
    return str(exchange.body["matches"][0]["vumID"])


def _header(exchange: Any, name: str) -> str:
    return str(next(value for key, value in exchange.headers.items() if key.lower() == name.lower()))


def _error(exchange: Any, status: int, code: str, fragment: str = "") -> None:
    assert exchange.status == status, exchange.body
    assert exchange.body["code"] == code
    assert fragment in exchange.body["message"], exchange.body


# -- 200: shapes and headers ----------------------------------------------------------------------


async def test_a_search_and_a_detail_answer_with_the_contracts_headers(stack: Stack, client: ContractClient) -> None:
    exchange = await client.call("POST", SEARCH, body={"vraagObject": WIDE})
    assert exchange.status == 200
    assert set(exchange.body) == {"vraagID", "maximumAantalResultatenBereikt", "matches"}
    assert exchange.body["maximumAantalResultatenBereikt"] is True  # 150 profiles, capped at 100
    headers = {key.lower(): value for key, value in exchange.headers.items()}
    assert headers["x-vum-fromparty"] == EXCHANGE_OIN  # the answer comes from the party that was asked
    assert headers["x-vum-toparty"] == MEDIATOR_OIN
    assert headers["x-vum-viaparty"] == MEDIATOR_OIN
    assert headers["x-vum-berichtversie"] == headers["api-version"] == "3.0.0"
    detail = await client.call("GET", f"/werkzoekendeProfielen/{exchange.body['matches'][0]['vumID']}")
    assert detail.status == 200 and detail.body["bronID"] == "gemeente-a"


async def test_unknown_criteria_and_operators_are_accepted_and_ignored(stack: Stack, client: ContractClient) -> None:
    plain = await client.call("POST", "/vacatures/matches", body={"vraagObject": WIDE})
    extended = {**WIDE, "salaris": {"$gte": 3000}, "rijbewijs": {"$size": 2}, "beroep.codeBeroepsnaam": {"$in": ["x"]}}
    answer = await client.call("POST", "/vacatures/matches", body={"vraagObject": extended})
    assert answer.status == 200
    assert _ids(stack, "vacature", answer.body) == _ids(stack, "vacature", plain.body)


async def test_the_vacature_request_allows_more_than_the_vraag_object_as_its_contract_does(
    client: ContractClient,
) -> None:
    exchange = await client.call("POST", "/vacatures/matches", body={"vraagObject": WIDE, "toelichting": "x"})
    assert exchange.status == 200


async def test_the_facade_executes_the_graphql_plan_of_the_vraag_object(stack: Stack) -> None:
    """The vraagObject becomes the same selectievraag the GraphQL path takes (gateway.vraagobject)."""
    calls: list[tuple[str, dict[str, Any]]] = []

    async def record(
        gateway: Gateway,
        request: Request,
        query: str,
        variables: dict[str, Any],
        name: str | None,
        *,
        caller: Caller | None = None,
        lenient: bool = False,
    ) -> Reply:
        assert caller is not None and caller.oin == MEDIATOR_OIN and lenient  # authenticated once, by the facade
        calls.append((query, variables))
        empty = {"vraagID": "v", "maximumAantalResultatenBereikt": False, "totalCount": 0, "edges": []}
        return 200, {"data": {"result": {**empty, "bronnen": [{"bronID": "a", "status": "OK", "melding": None}]}}}

    vraag = {**WIDE, "contractvorm": {"$elemMatch": {"$or": [{"codeTypeArbeidscontract": {"$eq": "B"}}]}}}
    async with _stubbed(stack, record) as client:
        exchange = await client.call("POST", SEARCH, body={"vraagObject": vraag})
    assert exchange.status == 200 and exchange.body["matches"] == []
    query, variables = calls[0]
    assert "werkzoekendeProfielMatches(selectievraag: $selectievraag, first: $first)" in query
    assert variables == {"selectievraag": werkzoekende_selectievraag(stack.gateway.contract, vraag), "first": 1000}


async def test_a_partial_result_is_answered_and_its_errors_are_not_the_callers(stack: Stack) -> None:
    async def partial(
        gateway: Gateway, request: Request, query: str, variables: dict[str, Any], *_: Any, **__: Any
    ) -> Reply:
        result = {"bronID": "gemeente-a", "werkzoekende": {"idWerkzoekende": "w1", "indicatieLdrRegistratie": None}}
        error = {"message": "not for this caller", "extensions": {"code": "FORBIDDEN_FIELD"}}
        return 200, {"data": {"result": result}, "errors": [error]}

    async with _stubbed(stack, partial) as client:
        exchange = await client.call("GET", "/werkzoekendeProfielen/abc")
    assert exchange.status == 200
    assert exchange.body == {"bronID": "gemeente-a", "werkzoekende": {"idWerkzoekende": "w1"}}


# -- 400.01 Ongeldige aanroep ---------------------------------------------------------------------


@pytest.mark.parametrize(
    ("criterion", "value"),
    [
        ("werktijden.aantalWerkurenPerWeekMaximaal", {"$gte": 120}),
        ("contractvorm", {"$elemMatch": {"$or": [{"codeTypeArbeidscontract": {"$eq": "X"}}]}}),
        ("selectiegebied", {"postcode": "12345", "afstand": 10}),
        (
            "arbeidsmarktkwalificatie.taalbeheersing",
            {"$all": [{"$elemMatch": {"codeNiveauTaalbeheersingMondeling": {"$gte": 2}}}]},
        ),
        ("datumAanvangBeschikbaarVoorWerk", {"$lte": "morgen"}),
    ],
)
async def test_a_malformed_criterion_is_400_01_naming_it(client: ContractClient, criterion: str, value: Any) -> None:
    vraag = {**WIDE, criterion: value}
    exchange = await client.call("POST", SEARCH, body={"vraagObject": vraag}, valid_request=False)
    _error(exchange, 400, "400.01", f"vraagObject.{criterion}")


async def test_a_wrong_version_header_is_400_01(client: ContractClient) -> None:
    headers = {**HEADERS, "API-Version": "2.0.2"}
    exchange = await client.call("POST", SEARCH, body={"vraagObject": WIDE}, headers=headers, valid_request=False)
    _error(exchange, 400, "400.01", "API-Version must be 3.0.0")


async def test_a_property_besides_vraag_object_is_400_01_for_werkzoekenden(client: ContractClient) -> None:
    exchange = await client.call("POST", SEARCH, body={"vraagObject": WIDE, "extra": 1}, valid_request=False)
    _error(exchange, 400, "400.01", "extra")


async def test_a_body_that_is_not_json_is_400_01(client: ContractClient) -> None:
    exchange = await client.call("POST", SEARCH, raw=b'{"vraagObject": ', valid_request=False)
    _error(exchange, 400, "400.01", "not valid JSON")


async def test_a_vumid_that_does_not_resolve_is_400_01(client: ContractClient) -> None:
    foreign = await client.call("GET", "/werkzoekendeProfielen/bm90LW9uZS1vZi1vdXJz")
    _error(foreign, 400, "400.01", "vumID")
    vacature = await _a_vumid(client, "vacatures")
    wrong_kind = await client.call("GET", f"/werkzoekendeProfielen/{vacature}")
    _error(wrong_kind, 400, "400.01", "vumID")
    malformed = await client.call("GET", "/werkzoekendeProfielen/not~a~vumid", valid_request=False)
    _error(malformed, 400, "400.01", "vumID")


# -- 400.02 Onvolledige aanroep -------------------------------------------------------------------


@pytest.mark.parametrize("header", sorted(HEADERS))
async def test_a_missing_header_is_400_02_naming_it(client: ContractClient, header: str) -> None:
    headers = {key: value for key, value in HEADERS.items() if key != header}
    exchange = await client.call(
        "POST", SEARCH, body={"vraagObject": WIDE}, headers=headers, valid_request=False, all_headers=False
    )
    _error(exchange, 400, "400.02", header)


@pytest.mark.parametrize(
    ("body", "fragment"),
    [
        (None, "no body"),
        ({}, "vraagObject"),
        ({"vraagObject": {"contractvorm": {}}}, "selectiegebied"),
        ({"vraagObject": {"selectiegebied": {"postcode": "3511AA"}}}, "postcode and afstand"),
    ],
)
async def test_missing_required_input_is_400_02(client: ContractClient, body: Any, fragment: str) -> None:
    exchange = await client.call("POST", SEARCH, body=body, valid_request=False)
    _error(exchange, 400, "400.02", fragment)


# -- 401, 400.02 and 429.01: tokens, parties, purpose, scopes, consent, quota --------------------


async def test_a_caller_without_a_valid_token_gets_401(stack: Stack, client: ContractClient) -> None:
    anonymous = client.as_caller(None)
    for path in ("/vacatures/abc", "/werkzoekendeProfielen/abc"):
        exchange = await anonymous.call("GET", path)
        _error(exchange, 401, "401", "needs a client certificate")
        assert _header(exchange, "WWW-Authenticate").startswith("Bearer")
    _error(await anonymous.call("POST", SEARCH, body={"vraagObject": WIDE}), 401, "401", "needs a client certificate")
    forged = {**HEADERS, "Authorization": "Bearer not.a.token"}
    _error(await client.call("POST", SEARCH, body={"vraagObject": WIDE}, headers=forged), 401, "401", "JWT")
    expired = {**HEADERS, "Authorization": f"Bearer {stack.issuer.token(MEDIATOR, exp=1)}"}
    _error(await client.call("POST", SEARCH, body={"vraagObject": WIDE}, headers=expired), 401, "401")


async def test_the_party_headers_must_name_the_tokens_organisation(stack: Stack, client: ContractClient) -> None:
    other = "00000001007777777000"
    credentials = stack.issuer.headers(MEDIATOR)
    claimed = await client.call(
        "POST", SEARCH, body={"vraagObject": WIDE}, headers={**party_headers(other), **credentials}
    )
    _error(claimed, 401, "401", f"X-VUM-fromParty {other} is not the organisation of the token (OIN {MEDIATOR_OIN})")
    # a verwerker sending with its own token for another organisation: the mandate cannot be checked
    own_token = {**party_headers(other, via=MEDIATOR_OIN), **credentials}
    _error(await client.call("GET", "/vacatures/abc", headers=own_token), 401, "401", "not its own")
    # a verwerker sending the organisation's caller's request, with that caller's token
    via = await client.call(
        "POST", SEARCH, body={"vraagObject": WIDE}, headers={**party_headers(MEDIATOR_OIN, via=other), **credentials}
    )
    assert via.status == 200 and via.body["matches"]
    assert (_header(via, "X-VUM-viaParty"), _header(via, "X-VUM-toParty")) == (other, MEDIATOR_OIN)


async def test_a_caller_without_a_purpose_gets_400_02(client: ContractClient) -> None:
    aimless = client.as_caller(dataclasses.replace(MEDIATOR, purpose=None))
    _error(await aimless.call("POST", SEARCH, body={"vraagObject": WIDE}), 400, "400.02", "doelbinding")
    elsewhere = client.as_caller(dataclasses.replace(MEDIATOR, purpose="marketing"))
    _error(await elsewhere.call("POST", SEARCH, body={"vraagObject": WIDE}), 400, "400.02", "'marketing'")


async def test_a_caller_without_the_operations_scope_gets_401(client: ContractClient) -> None:
    searcher = client.as_caller(dataclasses.replace(MEDIATOR, scopes=frozenset({"werkzoekenden:zoeken"})))
    vumid = await _a_vumid(searcher)
    _error(await searcher.call("GET", f"/werkzoekendeProfielen/{vumid}"), 401, "401")
    _error(await searcher.call("POST", "/vacatures/matches", body={"vraagObject": WIDE}), 401, "401")


async def _matches(stack: Stack, client: ContractClient) -> dict[str, dict[str, Any]]:
    """Record id -> its match in a fresh search (with the vumID)."""
    search = await client.call("POST", SEARCH, body={"vraagObject": WIDE})
    assert search.status == 200, search.body
    return {stack.open_vumid("werkzoekende", m["vumID"]).record_id: m for m in search.body["matches"]}


async def test_fields_the_caller_may_not_see_are_absent_where_graphql_refuses_the_operation(
    stack: Stack, client: ContractClient, werkzoekenden_upload: list[dict[str, Any]]
) -> None:
    uitzendbureau = client.as_caller(UITZENDBUREAU)
    matches = await _matches(stack, uitzendbureau)
    with_contact = {str(r["idWerkzoekende"]) for r in werkzoekenden_upload if r.get("emailadres")}
    record_id = next(i for i in sorted(matches)[MATCH_ONLY:] if i in with_contact)  # consented in every category
    match = matches[record_id]
    detail = await uitzendbureau.call("GET", f"/werkzoekendeProfielen/{match['vumID']}")
    assert detail.status == 200
    assert detail.body["werkzoekende"]["idWerkzoekende"] == record_id
    assert not (CONTACT | {"indicatieLdrRegistratie"}) & detail.body["werkzoekende"].keys()
    full = await client.call("GET", f"/werkzoekendeProfielen/{(await _matches(stack, client))[record_id]['vumID']}")
    assert CONTACT & full.body["werkzoekende"].keys()  # a SUWI mediator with every scope sees them
    graphql = "query($v: ID!) { werkzoekendeProfiel(vumID: $v) { werkzoekende { idWerkzoekende emailadres } } }"
    status, body = await stack.post(
        {"query": graphql, "variables": {"v": match["vumID"]}}, stack.issuer.headers(UITZENDBUREAU)
    )
    assert status == 403 and body["errors"][0]["extensions"]["code"] == "FORBIDDEN_FIELD"


async def test_a_job_seeker_who_shares_the_match_profile_only_is_found_without_details(
    stack: Stack, client: ContractClient
) -> None:
    matches = await _matches(stack, client)
    ids = sorted(matches)
    reserved, shared = matches[ids[0]], matches[ids[MATCH_ONLY]]
    detail = await client.call("GET", f"/werkzoekendeProfielen/{reserved['vumID']}")
    assert detail.status == 200
    assert detail.body["werkzoekende"].keys() <= (reserved.keys() - {"vumID"}) | {"idWerkzoekende"}
    open_detail = await client.call("GET", f"/werkzoekendeProfielen/{shared['vumID']}")
    assert CONTACT & open_detail.body["werkzoekende"].keys()


async def test_the_detail_quota_per_search_is_429_01(client: ContractClient) -> None:
    search = await client.call("POST", SEARCH, body={"vraagObject": WIDE})
    vumids = [match["vumID"] for match in search.body["matches"]]
    for vumid in vumids[:10]:  # auth.detail_quota: 10 profiles per vraagID
        assert (await client.call("GET", f"/werkzoekendeProfielen/{vumid}")).status == 200
    _error(await client.call("GET", f"/werkzoekendeProfielen/{vumids[10]}"), 429, "429.01")


# -- every GraphQL error code, and the unexpected 500, through a stubbed run_graphql ----------------


class _Stubbed:
    """The facade alone (no GraphQL endpoint), served over HTTP, with `run_graphql` replaced."""

    def __init__(self, stack: Stack, run: Runner) -> None:
        self.stack = stack
        self.server = LiveServer(Starlette(routes=rest_routes(stack.gateway, run=run)), path="")

    async def __aenter__(self) -> ContractClient:
        await self.server.start()
        return bemiddelaar_client(self.stack.session, self.server.base_url, self.stack.issuer)

    async def __aexit__(self, *exc: object) -> None:
        await self.server.stop()


def _stubbed(stack: Stack, run: Runner) -> _Stubbed:
    return _Stubbed(stack, run)


def _failing_with(code: str, message: str) -> Runner:
    async def run(
        gateway: Gateway, request: Request, query: str, variables: dict[str, Any], *_: Any, **__: Any
    ) -> Reply:
        return 200, {"data": {"result": None}, "errors": [{"message": message, "extensions": {"code": code}}]}

    return run


async def test_an_unexpected_failure_is_500_without_a_stack_trace(stack: Stack) -> None:
    async def broken(
        gateway: Gateway, request: Request, query: str, variables: dict[str, Any], *_: Any, **__: Any
    ) -> Reply:
        raise RuntimeError("secret internals")

    async with _stubbed(stack, broken) as client:
        exchange = await client.call("POST", SEARCH, body={"vraagObject": WIDE})
        _error(exchange, 500, "500.1")
        assert "secret" not in str(exchange.body)
    async with _stubbed(stack, _failing_with("SOMETHING_NEW", "the source sent nonsense")) as client:
        _error(await client.call("GET", "/vacatures/abc"), 500, "500.1", "nonsense")


@pytest.mark.parametrize(
    ("code", "status", "vum_code"),
    [
        ("UNAUTHENTICATED", 401, "401"),
        ("FORBIDDEN", 401, "401"),
        ("FORBIDDEN_FIELD", 401, "401"),
        ("QUOTA_EXCEEDED", 429, "429.01"),
        ("QUOTA_UNAVAILABLE", 503, "500.3"),
        ("PURPOSE_REQUIRED", 400, "400.02"),
        ("BAD_USER_INPUT", 400, "400.01"),
        ("GRAPHQL_VALIDATION_FAILED", 400, "400.01"),
        ("INVALID_VUMID", 400, "400.01"),
        ("SOURCE_UNAVAILABLE", 503, "500.3"),
        ("PROCESSING_LOG_UNAVAILABLE", 503, "500.3"),
        ("SOURCE_ERROR", 500, "500.1"),
    ],
)
async def test_every_graphql_error_code_maps_onto_the_error_model(
    stack: Stack, code: str, status: int, vum_code: str
) -> None:
    async with _stubbed(stack, _failing_with(code, f"because {code}")) as client:
        _error(await client.call("POST", SEARCH, body={"vraagObject": WIDE}), status, vum_code, f"because {code}")


# -- 503 (500.3) Service niet beschikbaar ---------------------------------------------------------


async def test_an_unreachable_source_is_503(werkzoekenden_upload: list[dict[str, Any]]) -> None:
    adapter = InMemoryAdapter(consented(werkzoekenden_upload[:20]))
    own = await start_stack([Source("gemeente-b", organisation_app(adapter, "gemeente-b"))], codelijsten=False)
    try:
        client = bemiddelaar_client(own.session, own.server.base_url, own.issuer)
        vumid = await _a_vumid(client)
        await own.subgraphs["gemeente-b"].stop()
        _error(await client.call("GET", f"/werkzoekendeProfielen/{vumid}"), 503, "500.3")
        search = await client.call("POST", SEARCH, body={"vraagObject": WIDE})
        _error(search, 503, "500.3", "no organisation could answer")
        assert "gemeente-b: ERROR" in search.body["details"]
    finally:
        await own.close()
