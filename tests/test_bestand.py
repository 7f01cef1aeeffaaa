"""The file adapter: JSON and CSV exports, re-read when the organisation overwrites them."""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

from subgraphs.bestand.adapter import BestandAdapter, csv_records, write_csv_records
from subgraphs.sdk.adapter import PER_CALLER_FIELDS
from subgraphs.sdk.geo import PostcodeTable
from subgraphs.sdk.selectievraag import parse_werkzoekende_vraag
from vumschema import Contract
from vumschema.constraints import ValueChecker

from .conftest import ACCREDITATIE, read_json


def profile(record_id: str) -> dict[str, Any]:
    return {"idWerkzoekende": record_id, "mobiliteit": {"bemiddelingspostcode": "5611AB"}}


def write(path: Path, records: list[dict[str, Any]], bump: int) -> None:
    path.write_text(json.dumps(records), encoding="utf-8")
    os.utime(path, (1_700_000_000 + bump, 1_700_000_000 + bump))  # a new version even within one clock tick


async def test_a_changed_export_is_read_again_and_a_broken_one_keeps_the_last(
    tmp_path: Path, postcodes: PostcodeTable
) -> None:
    path = tmp_path / "werkzoekenden.json"
    write(path, [profile("a")], 1)
    adapter = BestandAdapter(path, None)
    await adapter.startup()
    vraag = parse_werkzoekende_vraag({"selectiegebied": {"postcode": "5611AB", "afstand": 1}}, postcodes)
    assert [r["idWerkzoekende"] for r in (await adapter.search_werkzoekenden(vraag, 10)).records] == ["a"]
    write(path, [profile("a"), profile("b")], 2)
    assert [r["idWerkzoekende"] for r in (await adapter.search_werkzoekenden(vraag, 10)).records] == ["a", "b"]
    path.write_text("[{broken", encoding="utf-8")
    os.utime(path, (1_700_000_003, 1_700_000_003))
    assert len((await adapter.search_werkzoekenden(vraag, 10)).records) == 2, "the previous export stays in service"
    assert await adapter.get_werkzoekende("b") is not None


def test_csv_export_round_trips_the_accreditation_records(contract: Contract) -> None:
    for name, type_name in (("werkzoekenden-upload.json", "Werkzoekende"), ("vacatures-upload.json", "Vacature")):
        records = read_json(ACCREDITATIE / name)
        again = csv_records(write_csv_records(records, type_name), type_name, contract)
        assert again == records
        checker = ValueChecker(contract, wire=True, skip=PER_CALLER_FIELDS)
        assert all(not checker.check(type_name, record) for record in again)


def test_csv_cells_are_typed_by_the_contract(contract: Contract) -> None:
    text = (
        "idWerkzoekende,mobiliteit.bemiddelingspostcode,mobiliteit.maximaleReisafstand,werktijden.indicatieKantoortijden,"
        "contractvorm,arbeidsmarktkwalificatie.rijbewijs\n"
        'w1,5611AB,25,1,"[{""codeTypeOvereenkomst"": ""02""}]","[{""codeSoortRijbewijs"": ""B""}]"\n'
        "w2,5611AB,veel,,,\n"
    )
    records = csv_records(text, "Werkzoekende", contract)
    assert records[0] == {
        "idWerkzoekende": "w1",
        "mobiliteit": {"bemiddelingspostcode": "5611AB", "maximaleReisafstand": 25},
        "werktijden": {"indicatieKantoortijden": 1},
        "contractvorm": [{"codeTypeOvereenkomst": "02"}],
        "arbeidsmarktkwalificatie": {"rijbewijs": [{"codeSoortRijbewijs": "B"}]},
    }
    assert records[1] is None, "a cell that cannot be typed makes the row unusable"
