"""Issue 9's smaller findings, each reproduced over HTTP as the outside probe found it.

5. A detail refused because the processing log was down spent quota.
6. The purpose header overrode the token's purpose claim.
7. The detail's own `idWerkzoekende` went to employers (linking lookups across searches); a
   partial REST answer did not say which source was missing; `text/plain; charset=json` passed as
   JSON; a postcode with a trailing newline was accepted.
8. Malformed criteria reached a 500 or GraphQL's internals; a vumID with a newline answered a
   plain-text 404 without the X-VUM headers; an unresolvable vumID answered 401.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

import pytest
import pytest_asyncio
from sqlalchemy import text

from subgraphs.sdk.adapter import InMemoryAdapter
from vumschema.policy import Caller

from .issuer import ALL_SCOPES, MEDIATOR
from .stack import Source, Stack, consented, organisation_app, start_stack
from .test_rest_contract import ContractClient, bemiddelaar_client, party_headers

AREA = {"selectiegebied": {"postcode": "5611AB", "afstand": 10}}
SEARCH = """query($s: WerkzoekendeSelectievraag!, $first: Int) { werkzoekendeProfielMatches(selectievraag: $s,
  first: $first) { vraagID edges { node { vumID } } } }"""
DETAIL = "query($v: ID!) { werkzoekendeProfiel(vumID: $v) { bronID werkzoekende { idWerkzoekende } } }"
EMPLOYER = Caller(
    "mehmet",
    "00000001007777777000",
    "werkgever",
    frozenset({"werkzoekenden:zoeken", "werkzoekenden:detail"}),
    purpose="werkgeversdienstverlening",
)
# A mediator of an organisation that is no SUWI party and lacks the scope for contact details.
UITZENDBUREAU = Caller(
    "bart",
    "00000001008888888000",
    "bemiddelaar",
    ALL_SCOPES - {"werkzoekenden:contactgegevens"},
    suwi=False,
    purpose="arbeidsbemiddeling",
)


def records(prefix: str, count: int) -> list[dict[str, Any]]:
    return [{"idWerkzoekende": f"{prefix}{i}", "mobiliteit": {"bemiddelingspostcode": "5611AB"}} for i in range(count)]


STACK_RECORDS = records("w", 30)


@pytest_asyncio.fixture(scope="module")
async def stack() -> AsyncIterator[Stack]:
    adapter = InMemoryAdapter(consented(STACK_RECORDS))
    running = await start_stack([Source("gemeente", organisation_app(adapter, "gemeente"))], codelijsten=False)
    yield running
    await running.close()


@pytest.fixture
def client(stack: Stack) -> ContractClient:
    return bemiddelaar_client(stack.session, stack.server.base_url, stack.issuer)


async def vumids(stack: Stack, caller: Caller = MEDIATOR) -> list[str]:
    body = await stack.query(SEARCH, {"s": AREA, "first": 100}, caller=caller)
    return [edge["node"]["vumID"] for edge in body["data"]["werkzoekendeProfielMatches"]["edges"]]


# -- 5. quota ---------------------------------------------------------------------------------------


async def test_a_detail_refused_because_the_log_is_down_spends_no_quota(stack: Stack) -> None:
    found = await vumids(stack)
    engine = stack.gateway.processing_log.engine
    with engine.begin() as connection:
        connection.execute(text("ALTER TABLE verwerking_wachtrij RENAME TO weg"))
    try:
        for vumid in found[:3]:
            status, body = await stack.post({"query": DETAIL, "variables": {"v": vumid}}, stack.issuer.headers())
            assert status == 503 and body["errors"][0]["extensions"]["code"] == "PROCESSING_LOG_UNAVAILABLE"
    finally:
        with engine.begin() as connection:
            connection.execute(text("ALTER TABLE weg RENAME TO verwerking_wachtrij"))
    for vumid in found[3:13]:  # ten others: the search still has all ten of its details
        body = await stack.query(DETAIL, {"v": vumid})
        assert body["data"]["werkzoekendeProfiel"] is not None, body
    eleventh = await stack.query(DETAIL, {"v": found[13]})
    assert eleventh["errors"][0]["extensions"]["code"] == "QUOTA_EXCEEDED"


# -- 6. purpose -------------------------------------------------------------------------------------


async def test_the_purpose_in_the_token_binds_the_request(stack: Stack, client: ContractClient) -> None:
    query = {"query": SEARCH, "variables": {"s": AREA}}
    marketing = {**stack.issuer.headers(MEDIATOR, doelbinding="marketing"), "X-VUM-Doelbinding": "arbeidsbemiddeling"}
    status, body = await stack.post(query, marketing)
    assert status == 403 and body["errors"][0]["extensions"]["code"] == "FORBIDDEN"
    assert "marketing" in body["errors"][0]["message"]
    same = {**stack.issuer.headers(MEDIATOR, doelbinding="arbeidsbemiddeling")}
    assert (await stack.post(query, same))[0] == 200
    token_only = {"Authorization": stack.issuer.headers(MEDIATOR, doelbinding="re-integratie")["Authorization"]}
    assert (await stack.post(query, token_only))[0] == 200
    rest = await client.call(
        "POST",
        "/werkzoekendeProfielen/matches",
        body={"vraagObject": AREA},
        headers={**party_headers(MEDIATOR.oin), **marketing},
    )
    assert (rest.status, rest.body["code"]) == (401, "401")


# -- 7. what a detail carries, partial REST answers, media types, postcodes -------------------------


async def test_a_detail_gives_employers_a_pseudonym_for_the_source_id(stack: Stack) -> None:
    first, second = await vumids(stack, EMPLOYER), await vumids(stack, EMPLOYER)
    assert first and second

    async def shown_id(vumid: str, caller: Caller) -> str:
        body = await stack.query(DETAIL, {"v": vumid}, caller=caller)
        return str(body["data"]["werkzoekendeProfiel"]["werkzoekende"]["idWerkzoekende"])

    by_record: dict[str, list[str]] = {}
    for vumid in first[:3] + second[:3]:
        record = stack.open_vumid("werkzoekende", vumid).record_id
        by_record.setdefault(record, []).append(await shown_id(vumid, EMPLOYER))
    shown = [value for values in by_record.values() for value in values]
    source_ids = {r["idWerkzoekende"] for r in STACK_RECORDS}  # a pseudonym may start with "w": whole ids
    assert not source_ids & set(shown), "never the source's own id"
    assert len(set(shown)) == len(shown), "the same record gets another pseudonym in another search"
    assert await shown_id(first[0], EMPLOYER) == by_record[stack.open_vumid("werkzoekende", first[0]).record_id][0]
    mediator = (await vumids(stack))[0]
    assert await shown_id(mediator, MEDIATOR) == stack.open_vumid("werkzoekende", mediator).record_id


async def test_with_detail_source_id_owner_only_the_own_organisation_sees_the_source_id() -> None:
    adapter = InMemoryAdapter(consented(records("w", 3)))
    running = await start_stack(
        [Source("gemeente", organisation_app(adapter, "gemeente"))],
        codelijsten=False,
        auth={"detail_source_id": "owner"},
    )
    try:
        own = Caller("klantmanager", running.oins["gemeente"], "bemiddelaar", ALL_SCOPES, True, "arbeidsbemiddeling")
        for caller, sees_source_id in ((MEDIATOR, False), (own, True)):
            vumid = (await vumids(running, caller))[0]
            body = await running.query(DETAIL, {"v": vumid}, caller=caller)
            shown = body["data"]["werkzoekendeProfiel"]["werkzoekende"]["idWerkzoekende"]
            assert (shown == running.open_vumid("werkzoekende", vumid).record_id) is sees_source_id
    finally:
        await running.close()


async def test_a_partial_rest_answer_names_the_missing_source_in_a_header() -> None:
    running = await start_stack(
        [
            Source("gemeente", organisation_app(InMemoryAdapter(consented(records("g", 3))), "gemeente")),
            Source("uwv", organisation_app(InMemoryAdapter(consented(records("u", 3))), "uwv")),
        ],
        codelijsten=False,
    )
    try:
        await running.subgraphs["uwv"].stop()
        client = bemiddelaar_client(running.session, running.server.base_url, running.issuer)
        exchange = await client.call("POST", "/werkzoekendeProfielen/matches", body={"vraagObject": AREA})
    finally:
        await running.close()
    assert exchange.status == 200 and len(exchange.body["matches"]) == 3
    headers = {key.lower(): value for key, value in exchange.headers.items()}
    assert headers["x-vum-ontbrekendebronnen"] == "uwv=ERROR"


async def rest_post(stack: Stack, path: str, body: bytes, content_type: str) -> tuple[int, dict[str, Any]]:
    """A facade request sent as is (the contract client would set its own Content-Type)."""
    headers = {**stack.issuer.headers(), **party_headers(MEDIATOR.oin), "Content-Type": content_type}
    async with stack.session.post(f"{stack.server.base_url}/api/v3{path}", data=body, headers=headers) as response:
        return response.status, await response.json()


async def test_a_body_is_json_only_when_its_media_type_says_so(stack: Stack) -> None:
    query = b'{"query": "{ __typename }"}'
    for content_type, status in (
        ("text/plain; charset=json", 415),
        ("text/json", 415),
        ("application/json; charset=latin-1", 415),
        ("application/json; charset=utf-8", 200),
    ):
        async with stack.session.post(stack.server.url, data=query, headers={"Content-Type": content_type}) as response:
            assert response.status == status, content_type
    body = b'{"vraagObject": {"selectiegebied": {"postcode": "5611AB", "afstand": 10}}}'
    status, answer = await rest_post(stack, "/werkzoekendeProfielen/matches", body, "text/plain; charset=json")
    assert (status, answer["code"]) == (400, "400.01")
    assert (await rest_post(stack, "/werkzoekendeProfielen/matches", body, "application/json"))[0] == 200


async def test_a_postcode_with_a_trailing_newline_is_refused(stack: Stack) -> None:
    body = await stack.query(SEARCH, {"s": {"selectiegebied": {"postcode": "5611AB\n", "afstand": 10}}})
    assert body["errors"][0]["extensions"]["code"] == "BAD_USER_INPUT"
    # openapi-core matches patterns as Python does (`$` before a final newline), so it is sent as is
    vraag = b'{"vraagObject": {"selectiegebied": {"postcode": "5611AB\\n", "afstand": 10}}}'
    status, answer = await rest_post(stack, "/werkzoekendeProfielen/matches", vraag, "application/json")
    assert (status, answer["code"]) == (400, "400.01")
    assert "selectiegebied.postcode" in answer["message"]


# -- 8. malformed criteria, odd paths, the error that counts ----------------------------------------

MALFORMED = [
    ("werkzoekendeProfielen", "flexibiliteit.indicatieOnregelmatigWerkOfPloegendienst", {"$eq": {}}),
    ("werkzoekendeProfielen", "werktijden.indicatieKantoortijden", {"$eq": []}),
    ("werkzoekendeProfielen", "werktijden.indicatieKantoortijden", {"$eq": None}),
    ("werkzoekendeProfielen", "contractvorm", {"$elemMatch": {"$or": [{"codeTypeArbeidscontract": {"$eq": {}}}]}}),
    ("werkzoekendeProfielen", "contractvorm", {"$elemMatch": {"$or": None}}),
    (
        "werkzoekendeProfielen",
        "arbeidsmarktkwalificatie.rijbewijs",
        {"$all": [{"$elemMatch": {"codeSoortRijbewijs": {"$eq": []}}}]},
    ),
    ("werkzoekendeProfielen", "datumAanvangBeschikbaarVoorWerk", {"$lte": "2026-13-45"}),
    ("vacatures", "rijbewijs", {"$all": [{"$elemMatch": {"codeSoortRijbewijs": {"$eq": {"x": 1}}}}]}),
    ("vacatures", "datumAanvangWerkzaamheden", {"$gte": "2026-02-30"}),
    ("vacatures", "codeWerkEnDenkniveauMinimaal", {"$lt": None}),
]


@pytest.mark.parametrize(("resource", "criterion", "value"), MALFORMED)
async def test_every_malformed_criterion_is_400_01_naming_it(
    client: ContractClient, resource: str, criterion: str, value: Any
) -> None:
    vraag = {**AREA, criterion: value}
    exchange = await client.call("POST", f"/{resource}/matches", body={"vraagObject": vraag}, valid_request=False)
    assert (exchange.status, exchange.body["code"]) == (400, "400.01"), exchange.body
    assert criterion in exchange.body["message"] and "Variable" not in exchange.body["message"]


async def test_a_vumid_with_a_newline_answers_in_the_contracts_model(stack: Stack) -> None:
    url = f"{stack.server.base_url}/api/v3/vacatures/a%0Ab"
    headers = {**stack.issuer.headers(), **party_headers(MEDIATOR.oin)}
    async with stack.session.get(url, headers=headers) as response:
        assert response.status == 400 and response.content_type == "application/json"
        assert (await response.json())["code"] == "400.01"
        assert response.headers["X-VUM-berichtVersie"] == "3.0.0" and response.headers["X-VUM-toParty"] == MEDIATOR.oin


async def test_an_unresolvable_vumid_is_400_01_even_when_fields_are_withheld(stack: Stack) -> None:
    client = bemiddelaar_client(stack.session, stack.server.base_url, stack.issuer, UITZENDBUREAU)
    exchange = await client.call("GET", "/werkzoekendeProfielen/onbekend-id")
    assert (exchange.status, exchange.body["code"]) == (400, "400.01"), exchange.body
