"""Paging cursors over HTTP: opaque, authenticated, bound to one search and one organisation.

Issue 9, finding 1: a cursor was base64 of `vraagID:position`, so a caller chose the vraagID by
forging one, linked records across searches through their edge cursors, and spent another
organisation's detail quota under its vraagID.
"""

from __future__ import annotations

import base64
from collections.abc import AsyncIterator
from typing import Any

import pytest_asyncio

from gateway.demo.synthetic import generate, read_beroepen, read_postcodes
from subgraphs.sdk.adapter import InMemoryAdapter
from vumschema.policy import Caller

from .conftest import BEROEPEN, POSTCODES
from .issuer import ALL_SCOPES, MEDIATOR
from .stack import Source, Stack, consented, organisation_app, start_stack

SEARCH = """query Zoek($s: WerkzoekendeSelectievraag!, $first: Int, $after: String) {
  werkzoekendeProfielMatches(selectievraag: $s, first: $first, after: $after) {
    vraagID totalCount edges { cursor node { vumID } } pageInfo { hasNextPage endCursor }
  }
}"""
DETAIL = "query($v: ID!) { werkzoekendeProfiel(vumID: $v) { bronID } }"
EINDHOVEN = {"selectiegebied": {"postcode": "5611AB", "afstand": 40}}
ELSEWHERE = Caller("bart", "00000001008888888000", "bemiddelaar", ALL_SCOPES, suwi=True, purpose="arbeidsbemiddeling")
FORGED_VRAAG_ID = "c0ffee00" + "0" * 24


@pytest_asyncio.fixture(scope="module")
async def stack() -> AsyncIterator[Stack]:
    data = generate(5, ["gemeente"], read_postcodes(POSTCODES), read_beroepen(BEROEPEN), werkzoekenden_per_bron=60)
    adapter = InMemoryAdapter(consented(data[0].werkzoekenden), data[0].vacatures)
    running = await start_stack([Source("gemeente", organisation_app(adapter, "gemeente"))], codelijsten=False)
    yield running
    await running.close()


async def page(stack: Stack, caller: Caller = MEDIATOR, **variables: Any) -> dict[str, Any]:
    return await stack.query(SEARCH, {"s": EINDHOVEN, "first": 5, **variables}, caller=caller)


def refused(body: dict[str, Any]) -> bool:
    codes = [e["extensions"]["code"] for e in body.get("errors", ())]
    return (body["data"] or {}).get("werkzoekendeProfielMatches") is None and codes == ["BAD_USER_INPUT"]


async def test_a_forged_cursor_cannot_choose_the_vraagid(stack: Stack) -> None:
    forged = base64.urlsafe_b64encode(f"{FORGED_VRAAG_ID}:0000000000000000".encode()).decode().rstrip("=")
    body = await page(stack, after=forged)
    assert refused(body), body
    assert "after" in body["errors"][0]["message"]
    assert FORGED_VRAAG_ID not in str(body)


async def test_a_changed_cursor_is_refused_and_a_real_one_pages_on(stack: Stack) -> None:
    first = (await page(stack))["data"]["werkzoekendeProfielMatches"]
    cursor = first["pageInfo"]["endCursor"]
    changed = cursor[:-3] + ("AAA" if cursor[-3:] != "AAA" else "BBB")
    assert refused(await page(stack, after=changed))
    second = (await page(stack, after=cursor))["data"]["werkzoekendeProfielMatches"]
    assert second["vraagID"] == first["vraagID"]
    assert not {e["node"]["vumID"] for e in first["edges"]} & {e["node"]["vumID"] for e in second["edges"]}


async def test_a_cursor_works_only_for_the_organisation_and_the_question_it_was_issued_for(stack: Stack) -> None:
    cursor = (await page(stack))["data"]["werkzoekendeProfielMatches"]["pageInfo"]["endCursor"]
    assert refused(await page(stack, ELSEWHERE, after=cursor)), "another organisation"
    other_question = {"s": {"selectiegebied": {"postcode": "5611AB", "afstand": 30}}}
    body = await stack.query(SEARCH, {**other_question, "first": 5, "after": cursor})
    assert refused(body) and "selectievraag" in body["errors"][0]["message"]
    vacancies = await stack.query(
        "query($s: VacatureSelectievraag!, $a: String) { vacatureMatches(selectievraag: $s, after: $a) { vraagID } }",
        {"s": EINDHOVEN, "a": cursor},
    )
    assert vacancies["data"] is None and "after" in vacancies["errors"][0]["message"], "another kind of search"


async def test_edge_cursors_link_nothing_across_searches(stack: Stack) -> None:
    first = (await page(stack, first=100))["data"]["werkzoekendeProfielMatches"]
    second = (await page(stack, first=100))["data"]["werkzoekendeProfielMatches"]
    assert first["vraagID"] != second["vraagID"]
    assert first["totalCount"] == second["totalCount"] > 5
    assert not {e["cursor"] for e in first["edges"]} & {e["cursor"] for e in second["edges"]}
    assert all(len(e["cursor"]) <= 100 for e in first["edges"])


async def test_another_organisation_cannot_spend_a_searchs_detail_quota(stack: Stack) -> None:
    mine = (await page(stack, first=20))["data"]["werkzoekendeProfielMatches"]
    # The attack: page on with the victim's cursor, get vumIDs under its vraagID, spend its ten details.
    stolen = await page(stack, ELSEWHERE, first=20, after=mine["edges"][0]["cursor"])
    for edge in ((stolen["data"] or {}).get("werkzoekendeProfielMatches") or {"edges": []})["edges"][:10]:
        await stack.query(DETAIL, {"v": edge["node"]["vumID"]}, caller=ELSEWHERE)
    for edge in mine["edges"][:10]:
        body = await stack.query(DETAIL, {"v": edge["node"]["vumID"]})
        assert body["data"]["werkzoekendeProfiel"] is not None, body
    assert refused(stolen)
