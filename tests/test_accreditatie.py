"""The VUM accreditation cases through the gateway's GraphQL API.

The 1,000 profiles and 485 vacancies of the accreditation environment are spread over five
organisations behind every adapter kind: SQL on SQLite (two), SQL on PostgreSQL, and file exports
(JSON and CSV). As the accreditation environment judges a source, every expected result must be
among the answers, equal after removing empty values, and the detail must be equal likewise.
"""

from __future__ import annotations

import json
import tempfile
from collections.abc import AsyncIterator, Iterator
from pathlib import Path
from typing import Any

import pytest
import pytest_asyncio

from gateway.vraagobject import vacature_selectievraag, werkzoekende_selectievraag
from gateway.wire import full_selection, standard_json
from subgraphs.bestand.adapter import BestandAdapter, write_csv_records
from subgraphs.sql.adapter import SqlAdapter

from .accreditation import Match, failures, judge_cases, tally
from .conftest import fresh_database, report
from .stack import CORRECTNESS_TIMEOUT, ENGINES, Source, Stack, consented, organisation_app, start_stack

ORGANISATIONS = 5


@pytest.fixture(scope="module")
def postgres_for_accreditation(postgres_server: str) -> Iterator[str]:
    yield from fresh_database(postgres_server)


@pytest_asyncio.fixture(scope="module", params=ENGINES)
async def accreditation(
    request: pytest.FixtureRequest,
    werkzoekenden_upload: list[dict[str, Any]],
    vacatures_upload: list[dict[str, Any]],
    postgres_for_accreditation: str,
) -> AsyncIterator[Stack]:
    share = [
        (consented(werkzoekenden_upload[i::ORGANISATIONS]), vacatures_upload[i::ORGANISATIONS])
        for i in range(ORGANISATIONS)
    ]
    with tempfile.TemporaryDirectory() as tmp:
        directory = Path(tmp)
        sources = []
        for index, dsn in enumerate(
            [f"sqlite:///{directory / 'a.sqlite'}", f"sqlite:///{directory / 'b.sqlite'}", postgres_for_accreditation]
        ):
            adapter = SqlAdapter(dsn)
            adapter.load(*share[index])
            sources.append(Source(f"sql-{index}", organisation_app(adapter, f"sql-{index}")))
        for index, fmt in ((3, "json"), (4, "csv")):
            files = []
            for kind, type_name, records in (
                ("w", "Werkzoekende", share[index][0]),
                ("v", "Vacature", share[index][1]),
            ):
                path = directory / f"{kind}.{index}.{fmt}"
                if fmt == "csv":
                    path.write_text(write_csv_records(records, type_name), encoding="utf-8")
                else:
                    path.write_text(json.dumps(records), encoding="utf-8")
                files.append(path)
            sources.append(Source(f"bestand-{fmt}", organisation_app(BestandAdapter(*files), f"bestand-{fmt}")))
        stack = await start_stack(sources, source_timeout=CORRECTNESS_TIMEOUT, engine=request.param)
        yield stack
        await stack.close()


KINDS = {
    "werkzoekende": (
        "werkzoekendeProfielMatches",
        "WerkzoekendeSelectievraag",
        "WerkzoekendeProfielMatch",
        "idWerkzoekende",
        "werkzoekendeProfiel",
        "Werkzoekende",
        werkzoekende_selectievraag,
    ),
    "vacature": (
        "vacatureMatches",
        "VacatureSelectievraag",
        "VacatureMatch",
        "idVacature",
        "vacature",
        "Vacature",
        vacature_selectievraag,
    ),
}


async def _search(stack: Stack, kind: str, zoekvraag: dict[str, Any]) -> dict[str, Any]:
    root, input_type, match_type, _, _, _, translate = KINDS[kind]
    contract, schema = stack.gateway.contract, stack.gateway.schema
    query = (
        f"query Zoek($s: {input_type}!) {{ {root}(selectievraag: $s, first: 1000) {{ "
        "totalCount maximumAantalResultatenBereikt "
        "bronnen { bronID status aantal maximumAantalResultatenBereikt melding } "
        f"edges {{ bronID node {{ vumID {full_selection(schema, contract, match_type)} }} }} }} }}"
    )
    body = await stack.query(query, {"s": translate(contract, zoekvraag)})
    assert "errors" not in body, body.get("errors")
    return body["data"][root]  # type: ignore[no-any-return]


def _matches(stack: Stack, kind: str, result: dict[str, Any]) -> list[Match]:
    """(vumID, the match profile in the standard's JSON) per edge, in the answer's order."""
    match_type = KINDS[kind][2]
    contract, schema = stack.gateway.contract, stack.gateway.schema
    matches = []
    for edge in result["edges"]:
        node = dict(edge["node"])
        vumid = node.pop("vumID")
        assert stack.open_vumid(kind, vumid).bron_id == edge["bronID"]
        matches.append((vumid, standard_json(schema, contract, match_type, node)))
    return matches


async def _detail(stack: Stack, kind: str, vumid: str) -> dict[str, Any]:
    _, _, _, _, detail_root, detail_type, _ = KINDS[kind]
    contract, schema = stack.gateway.contract, stack.gateway.schema
    fields = full_selection(schema, contract, detail_type)
    query = f"query D($v: ID!) {{ {detail_root}(vumID: $v) {{ bronID {kind} {{ {fields} }} }} }}"
    body = await stack.query(query, {"v": vumid})
    assert "errors" not in body, body.get("errors")
    return standard_json(schema, contract, detail_type, body["data"][detail_root][kind])  # type: ignore[no-any-return]


@pytest.mark.postgres
@pytest.mark.parametrize("kind", ["werkzoekende", "vacature"])
async def test_every_accreditation_case_passes_through_graphql(accreditation: Stack, kind: str) -> None:
    async def search(zoekvraag: dict[str, Any]) -> list[Match]:
        result = await _search(accreditation, kind, zoekvraag)
        assert all(b["status"] == "OK" for b in result["bronnen"]), result["bronnen"]
        return _matches(accreditation, kind, result)

    async def detail(vumid: str) -> dict[str, Any]:
        return await _detail(accreditation, kind, vumid)

    results = await judge_cases(kind, search, detail)
    report(tally(f"GraphQL ({accreditation.engine} engine)", kind, results))
    assert not failures(results), failures(results)


@pytest.mark.postgres
async def test_accreditation_data_is_spread_over_every_adapter_kind(accreditation: Stack) -> None:
    result = await _search(accreditation, "werkzoekende", {"selectiegebied": {"postcode": "3511AA", "afstand": 999}})
    counts = {b["bronID"]: b["aantal"] for b in result["bronnen"]}
    assert set(counts) == {"sql-0", "sql-1", "sql-2", "bestand-json", "bestand-csv"}
    assert all(count == 100 for count in counts.values())  # every source is capped at the VUM default
    assert result["maximumAantalResultatenBereikt"] is True
    assert result["totalCount"] == 500
