"""The VUM accreditation cases through the REST facade (VUM-Bemiddelaar contracts).

The 1,000 profiles and 485 vacancies are spread over five organisations: SQL on SQLite, SQL on
PostgreSQL, a JSON export, and two organisations that already serve the VUM-Bron REST API
(`subgraphs.vumbron` in front of the small Bron server). The first three hold consent in every
category; the vumbron adapter marks what a Bron shares as consented. The caller is a SUWI
mediator of another organisation, with a real token; every request and response is validated
against the contracts; the cases are judged as the accreditation environment judges a source.
"""

from __future__ import annotations

import json
import tempfile
from collections import Counter
from collections.abc import AsyncIterator, Iterator
from pathlib import Path
from typing import Any

import pytest
import pytest_asyncio

from subgraphs.bestand.adapter import BestandAdapter
from subgraphs.sdk.geo import PostcodeTable
from subgraphs.sql.adapter import SqlAdapter
from subgraphs.vumbron.adapter import VumBronAdapter
from subgraphs.vumbron.bron_server import BronAccess, BronService, create_bron_app

from .accreditation import CASES, Match, failures, judge_cases, tally
from .conftest import fresh_database, report
from .servers import LiveServer
from .stack import CORRECTNESS_TIMEOUT, Source, Stack, consented, organisation_app, start_stack
from .test_rest_contract import EXCHANGE_OIN, ContractClient, bemiddelaar_client
from .test_vumbron import vumbron_app

ORGANISATIONS = 5
# kind -> (resource path, id field, detail record field)
KINDS = {
    "werkzoekende": ("werkzoekendeProfielen", "idWerkzoekende", "werkzoekende"),
    "vacature": ("vacatures", "idVacature", "vacature"),
}


class RestStack:
    """The stack, the Bron servers behind it and a contract-validating REST client."""

    def __init__(self, stack: Stack, bronnen: list[LiveServer]) -> None:
        self.stack = stack
        self.bronnen = bronnen
        self.client: ContractClient = bemiddelaar_client(stack.session, stack.server.base_url, stack.issuer)

    async def close(self) -> None:
        await self.stack.close()
        for bron in self.bronnen:
            await bron.stop()


@pytest.fixture(scope="module")
def postgres_for_rest(postgres_server: str) -> Iterator[str]:
    yield from fresh_database(postgres_server)


async def _vumbron_source(
    index: int, share: tuple[list[Any], list[Any]], postcodes: PostcodeTable
) -> tuple[Source, LiveServer]:
    oin = f"{index + 1:020d}"
    access = BronAccess(oin, frozenset({EXCHANGE_OIN}))
    bron = await LiveServer(create_bron_app(BronService(*share, postcodes), access), path="").start()  # no consent
    adapter = VumBronAdapter(bron.base_url, EXCHANGE_OIN, oin, timeout=CORRECTNESS_TIMEOUT - 5)
    return Source(f"vumbron-{index}", vumbron_app(adapter, f"vumbron-{index}"), kind="reintegratiebureau"), bron


@pytest_asyncio.fixture(scope="module")
async def rest(
    werkzoekenden_upload: list[dict[str, Any]],
    vacatures_upload: list[dict[str, Any]],
    postcodes: PostcodeTable,
    postgres_for_rest: str,
) -> AsyncIterator[RestStack]:
    share = [(werkzoekenden_upload[i::ORGANISATIONS], vacatures_upload[i::ORGANISATIONS]) for i in range(ORGANISATIONS)]
    held = [(consented(werkzoekenden), vacatures) for werkzoekenden, vacatures in share]  # as the demo imports them
    with tempfile.TemporaryDirectory() as tmp:
        directory = Path(tmp)
        sources, bronnen = [], []
        for index, dsn in ((0, f"sqlite:///{directory / 'a.sqlite'}"), (1, postgres_for_rest)):
            adapter = SqlAdapter(dsn)
            adapter.load(*held[index])
            sources.append(Source(f"sql-{index}", organisation_app(adapter, f"sql-{index}")))
        files = [directory / "w.json", directory / "v.json"]
        for path, records in zip(files, held[2], strict=True):
            path.write_text(json.dumps(records), encoding="utf-8")
        sources.append(Source("bestand-2", organisation_app(BestandAdapter(*files), "bestand-2")))
        for index in (3, 4):
            source, bron = await _vumbron_source(index, share[index], postcodes)
            sources.append(source)
            bronnen.append(bron)
        stack = RestStack(await start_stack(sources, source_timeout=CORRECTNESS_TIMEOUT), bronnen)
        yield stack
        await stack.close()


async def _search(rest: RestStack, kind: str, vraag: dict[str, Any]) -> dict[str, Any]:
    path = KINDS[kind][0]
    exchange = await rest.client.call("POST", f"/{path}/matches", body={"vraagObject": vraag})
    assert exchange.status == 200, exchange.body
    return exchange.body  # type: ignore[no-any-return]


def _found(rest: RestStack, kind: str, answer: dict[str, Any]) -> dict[str, tuple[str, dict[str, Any]]]:
    """Record id -> (vumID, the match profile with the source's id instead of the vumID)."""
    id_field = KINDS[kind][1]
    found = {}
    for match in answer["matches"]:
        profile = dict(match)
        vumid = profile.pop("vumID")
        record_id = rest.stack.open_vumid(kind, vumid).record_id
        found[record_id] = (vumid, {id_field: record_id, **profile})
    return found


async def _detail(rest: RestStack, kind: str, vumid: str) -> dict[str, Any]:
    path, _, record_field = KINDS[kind]
    exchange = await rest.client.call("GET", f"/{path}/{vumid}")
    assert exchange.status == 200, exchange.body
    assert set(exchange.body) == {"bronID", record_field}
    return exchange.body[record_field]  # type: ignore[no-any-return]


@pytest.mark.postgres
@pytest.mark.parametrize("kind", ["werkzoekende", "vacature"])
async def test_every_accreditation_case_passes_through_rest(rest: RestStack, kind: str) -> None:
    async def search(vraag: dict[str, Any]) -> list[Match]:
        answer = await _search(rest, kind, vraag)
        return [(match["vumID"], {k: v for k, v in match.items() if k != "vumID"}) for match in answer["matches"]]

    async def detail(vumid: str) -> dict[str, Any]:
        return await _detail(rest, kind, vumid)

    results = await judge_cases(kind, search, detail)
    report(tally("REST", kind, results))
    assert not failures(results), failures(results)


@pytest.mark.postgres
@pytest.mark.parametrize(("kind", "per_source", "capped"), [("werkzoekende", 100, True), ("vacature", 97, False)])
async def test_every_organisation_answers_through_rest_up_to_its_cap(
    rest: RestStack, kind: str, per_source: int, capped: bool
) -> None:
    answer = await _search(rest, kind, {"selectiegebied": {"postcode": "3511AA", "afstand": 999}})
    sources = Counter(rest.stack.open_vumid(kind, m["vumID"]).bron_id for m in answer["matches"])
    assert set(sources) == {"sql-0", "sql-1", "bestand-2", "vumbron-3", "vumbron-4"}
    # 200 of the 1,000 profiles per source, capped at the VUM default of 100 (vumbron too); 97 vacancies each
    assert all(count == per_source for count in sources.values()), sources
    assert answer["maximumAantalResultatenBereikt"] is capped


@pytest.mark.postgres
async def test_a_vumid_from_rest_is_one_of_the_gateway_and_unlinkable_across_searches(rest: RestStack) -> None:
    vraag = CASES["werkzoekende"][0]["zoekvraag"]
    first = _found(rest, "werkzoekende", await _search(rest, "werkzoekende", vraag))
    second = _found(rest, "werkzoekende", await _search(rest, "werkzoekende", vraag))
    shared = first.keys() & second.keys()
    assert shared and all(first[key][0] != second[key][0] for key in shared)
