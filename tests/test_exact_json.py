"""What a source stores leaves the gateway as stored: empty strings and empty lists are values.

One job seeker and one vacancy full of empty strings, lists and objects are served by every
adapter kind (SQL, a JSON export, a CSV export, an existing VUM-Bron source behind vumbron) and
asked for through both fronts. The detail must equal the stored record exactly and the match
profile the record's match part exactly, as the accreditation collection compares them. A CSV
export cannot tell an empty string in a text column from an absent one, so its records hold
their empty strings only inside lists and objects (see `subgraphs/bestand/adapter.py`).
"""

from __future__ import annotations

import json
import tempfile
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest
import pytest_asyncio

from gateway.wire import full_selection, standard_json
from subgraphs.bestand.adapter import BestandAdapter, CsvExportError, write_csv_records
from subgraphs.sdk.adapter import valid_records
from subgraphs.sdk.geo import PostcodeTable
from subgraphs.sql.adapter import SqlAdapter
from subgraphs.vumbron.adapter import VumBronAdapter
from subgraphs.vumbron.bron_server import BronAccess, BronService, create_bron_app, standard_part
from vumschema import Contract

from .servers import LiveServer
from .stack import Source, Stack, consented, organisation_app, start_stack
from .test_rest_contract import EXCHANGE_OIN, bemiddelaar_client
from .test_vumbron import vumbron_app

WERKZOEKENDE: dict[str, Any] = {
    "idWerkzoekende": "leeg-1",
    "indicatieBeschikbaarheidContactgegevens": 1,
    "indicatieLdrRegistratie": 2,
    "persoonlijkePresentatie": "",
    "eisAanWerk": {},
    "mobiliteit": {"bemiddelingspostcode": "5611AB", "maximaleReisafstand": 10},
    "vervoermiddel": [],
    "flexibiliteit": {},
    "werktijden": {"indicatieKantoortijden": 1},
    "contractvorm": [{}],
    "sector": [],
    "bemiddelingsberoep": [],
    "arbeidsmarktkwalificatie": {
        "opleiding": [{"codeNiveauOpleiding": 4, "toelichtingOpleiding": ""}],
        "cursus": [],
        "interesse": [{"naamInteresse": ""}],
        "werkervaring": [],
        "competentiebeheersing": [],
        "taalbeheersing": [],
        "rijbewijs": [],
    },
    "emailadres": [],
    "telefoonnummer": [],
    "webadres": [],
    "contactpersoon": [{"naamContactpersoonAfdeling": ""}],
}
VACATURE: dict[str, Any] = {
    "idVacature": "leeg-v",
    "naamVacature": "",
    "omschrijvingVacature": "",
    "adres": {"postcode": "5611AB", "huisnummertoevoeging": ""},
    "arbeidsVoorwaarden": {"salarisIndicatie": ""},
    "flexibiliteit": {},
    "contractvorm": [],
    "opleiding": [{"toelichtingOpleiding": ""}],
    "sollicitatiewijze": [],
    "vervoermiddel": [],
    "werkgever": {
        "handelsnaamOrganisatie": "",
        "sector": [],
        "webadres": [],
        "contactpersoon": [{"emailadres": [], "telefoonnummer": []}],
    },
}
TEXT_COLUMNS = {"persoonlijkePresentatie", "naamVacature", "omschrijvingVacature"}  # "" at the top: not in CSV
KINDS = {  # kind -> (record, resource path, GraphQL search root, match type, detail root, record type, id field)
    "werkzoekende": (
        WERKZOEKENDE,
        "werkzoekendeProfielen",
        "werkzoekendeProfielMatches",
        "WerkzoekendeProfielMatch",
        "werkzoekendeProfiel",
        "Werkzoekende",
        "idWerkzoekende",
    ),
    "vacature": (VACATURE, "vacatures", "vacatureMatches", "VacatureMatch", "vacature", "Vacature", "idVacature"),
}
SOURCES = ("sql", "bestand-json", "bestand-csv", "vumbron")
VRAAG = {"selectiegebied": {"postcode": "5611AB", "afstand": 5}}


def csv_safe(record: dict[str, Any]) -> dict[str, Any]:
    return {key: value for key, value in record.items() if key not in TEXT_COLUMNS}


def stored(source: str, kind: str) -> dict[str, Any]:
    """The record as `source` holds it."""
    record = KINDS[kind][0]
    return csv_safe(record) if source == "bestand-csv" else record


class ExactStack:
    def __init__(self, stack: Stack, bron: LiveServer) -> None:
        self.stack, self.bron = stack, bron
        self.rest = bemiddelaar_client(stack.session, stack.server.base_url, stack.issuer)

    async def close(self) -> None:
        await self.stack.close()
        await self.bron.stop()


@pytest_asyncio.fixture(scope="module")
async def exact(postcodes: PostcodeTable) -> AsyncIterator[ExactStack]:
    werkzoekenden, vacatures = consented([WERKZOEKENDE]), [VACATURE]
    with tempfile.TemporaryDirectory() as tmp:
        directory = Path(tmp)
        sql = SqlAdapter(f"sqlite:///{directory / 'exact.sqlite'}")
        sql.load(werkzoekenden, vacatures)
        json_files = [directory / "w.json", directory / "v.json"]
        for path, records in zip(json_files, (werkzoekenden, vacatures), strict=True):
            path.write_text(json.dumps(records), encoding="utf-8")
        csv_files = [directory / "w.csv", directory / "v.csv"]
        for path, records, type_name in zip(
            csv_files, (werkzoekenden, vacatures), ("Werkzoekende", "Vacature"), strict=True
        ):
            path.write_text(write_csv_records([csv_safe(r) for r in records], type_name), encoding="utf-8")
        bron_oin = "00000000000000000004"
        service, access = (
            BronService([WERKZOEKENDE], [VACATURE], postcodes),
            BronAccess(bron_oin, frozenset({EXCHANGE_OIN})),
        )
        bron = await LiveServer(create_bron_app(service, access), path="").start()
        sources = [
            Source("sql", organisation_app(sql, "sql")),
            Source("bestand-json", organisation_app(BestandAdapter(*json_files), "bestand-json")),
            Source("bestand-csv", organisation_app(BestandAdapter(*csv_files), "bestand-csv")),
            Source("vumbron", vumbron_app(VumBronAdapter(bron.base_url, EXCHANGE_OIN, bron_oin), "vumbron")),
        ]
        stack = ExactStack(await start_stack(sources), bron)
        yield stack
        await stack.close()


def test_the_records_conform_to_the_standard() -> None:
    assert valid_records([WERKZOEKENDE], "Werkzoekende", "test") == [WERKZOEKENDE]
    assert valid_records([VACATURE], "Vacature", "test") == [VACATURE]


def test_a_csv_export_refuses_an_empty_string_it_could_not_read_back() -> None:
    with pytest.raises(CsvExportError, match=r"Werkzoekende\[0\]\.persoonlijkePresentatie"):
        write_csv_records([WERKZOEKENDE], "Werkzoekende")


def _match_part(contract: Contract, kind: str, record: dict[str, Any]) -> dict[str, Any]:
    _, _, _, match_type, _, _, id_field = KINDS[kind]
    part: dict[str, Any] = standard_part(contract, match_type, record, id_field)
    return {key: value for key, value in part.items() if key != id_field}


@pytest.mark.parametrize("kind", ["werkzoekende", "vacature"])
async def test_rest_answers_what_every_source_stores(exact: ExactStack, contract: Contract, kind: str) -> None:
    _, path, *_ = KINDS[kind]
    search = await exact.rest.call("POST", f"/{path}/matches", body={"vraagObject": VRAAG})
    assert search.status == 200, search.body
    by_source = {exact.stack.open_vumid(kind, m["vumID"]).bron_id: m for m in search.body["matches"]}
    assert set(by_source) == set(SOURCES)
    for source, match in by_source.items():
        profile = {key: value for key, value in match.items() if key != "vumID"}
        assert profile == _match_part(contract, kind, stored(source, kind)), source
        detail = await exact.rest.call("GET", f"/{path}/{match['vumID']}")
        assert detail.status == 200, detail.body
        assert detail.body[kind] == stored(source, kind), source


@pytest.mark.parametrize("kind", ["werkzoekende", "vacature"])
async def test_graphql_answers_what_every_source_stores(exact: ExactStack, contract: Contract, kind: str) -> None:
    _, _, root, match_type, detail_root, record_type, _ = KINDS[kind]
    schema = exact.stack.gateway.schema
    input_type = "WerkzoekendeSelectievraag" if kind == "werkzoekende" else "VacatureSelectievraag"
    search = await exact.stack.query(
        f"query($s: {input_type}!) {{ {root}(selectievraag: $s) {{ edges {{ bronID node {{ vumID "
        f"{full_selection(schema, contract, match_type)} }} }} }} }}",
        {"s": VRAAG},
    )
    assert "errors" not in search, search["errors"]
    edges = search["data"][root]["edges"]
    assert {edge["bronID"] for edge in edges} == set(SOURCES)
    fields = full_selection(schema, contract, record_type)
    detail_query = f"query($v: ID!) {{ {detail_root}(vumID: $v) {{ {kind} {{ {fields} }} }} }}"
    for edge in edges:
        node = {key: value for key, value in edge["node"].items() if key != "vumID"}
        expected = stored(edge["bronID"], kind)
        assert standard_json(schema, contract, match_type, node) == _match_part(contract, kind, expected)
        detail = await exact.stack.query(detail_query, {"v": edge["node"]["vumID"]})
        assert "errors" not in detail, detail["errors"]
        record = detail["data"][detail_root][kind]
        assert record["persoonlijkePresentatie" if kind == "werkzoekende" else "sollicitatiewijze"] == (
            expected.get("persoonlijkePresentatie") if kind == "werkzoekende" else []
        ), "GraphQL answers an empty value as empty, an absent one as null"
        assert standard_json(schema, contract, record_type, record) == expected, edge["bronID"]
