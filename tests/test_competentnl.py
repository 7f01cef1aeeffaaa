"""Occupation labels for the standard's codes: the codelijsten subgraph reads CompetentNL's
occupation list (SKOS) first and keeps the UWV BO&C list as the second source.

The real CompetentNL list is not available here (nor in any package on PyPI or npm), so the reader
is tested with a small file in the published structure (tests/data/competentnl/, invented labels).
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest
import pytest_asyncio
from starlette.applications import Starlette

from subgraphs.codelijsten.app import Codelijsten, create_app, read_beroepen
from subgraphs.codelijsten.competentnl import Occupation, OccupationListError, read_occupations
from subgraphs.sdk.adapter import InMemoryAdapter
from subgraphs.sdk.identity import GatewayTrust

from .conftest import BEROEPEN, DATA
from .stack import Source, Stack, consented, organisation_app, start_stack

SAMPLE = DATA / "competentnl" / "occupations-sample.ttl"
CNL = "https://linkeddata.competentnl.nl/uwv/id/occupation/"


def test_the_reader_takes_uri_labels_and_the_links_to_boc_and_isco() -> None:
    occupations = read_occupations(SAMPLE)
    assert set(occupations) == {CNL + "5A3DAB1EB4", CNL + "4D2B24EB18", CNL + "62FB418140"}, "occupations only"
    assert occupations[CNL + "5A3DAB1EB4"] == Occupation(
        CNL + "5A3DAB1EB4",
        "Fictief testberoep A",
        ("Testberoep A, andere naam", "Testberoep A (kort)"),
        boc_code="721",
        isco_code="7412",
    )
    assert occupations[CNL + "4D2B24EB18"].isco_code == "5223" and occupations[CNL + "4D2B24EB18"].boc_code is None
    assert occupations[CNL + "62FB418140"].label == "Fictief testberoep C", "the Dutch label first"


def test_competentnl_first_then_boc() -> None:
    codelijsten = Codelijsten(read_beroepen(BEROEPEN), read_occupations(SAMPLE))

    def resolve(uri: str) -> dict[str, Any]:
        return codelijsten.resolve("Beroep", {"codeBeroepsnaam": uri})

    linked = resolve(CNL + "5A3DAB1EB4")
    assert linked["omschrijvingBeroepsnaam"] == "Fictief testberoep A"
    assert linked["referentieberoep"] == {"code": "9990", "omschrijving": "Monteur elektrotechnische panelen"}
    assert resolve(CNL + "4D2B24EB18") == {
        "codeBeroepsnaam": CNL + "4D2B24EB18",
        "omschrijvingBeroepsnaam": "Fictief testberoep B",
        "referentieberoep": None,
    }
    assert resolve(CNL + "87C7A2585F")["omschrijvingBeroepsnaam"] is None, "unknown to both lists"
    assert resolve(CNL + "721")["omschrijvingBeroepsnaam"] is None, "a CompetentNL id is no BO&C code"
    demo = resolve("urn:uwv:boc:1000408470")
    assert demo["omschrijvingBeroepsnaam"] == "magazijnmedewerker bederfelijke goederen", "the demo's labels still work"


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        ("list.csv", "a;b\n", "expected a SKOS file"),
        (
            "broken.ttl",
            "@prefix skos: <http://www.w3.org/2004/02/skos/core#> .\n<a> skos:prefLabel",
            "not valid turtle",
        ),
        ("empty.ttl", "@prefix skos: <http://www.w3.org/2004/02/skos/core#> .\n", "no CompetentNL occupation"),
    ],
)
def test_a_bad_list_is_refused_with_the_reason(tmp_path: Path, name: str, content: str, message: str) -> None:
    path = tmp_path / name
    path.write_text(content, encoding="utf-8")
    with pytest.raises(OccupationListError, match=message):
        read_occupations(path)
    with pytest.raises(OccupationListError, match="cannot read"):
        read_occupations(tmp_path / "missing.ttl")


@pytest_asyncio.fixture(scope="module")
async def accreditation(werkzoekenden_upload: list[dict[str, Any]]) -> AsyncIterator[Stack]:
    def codelijsten(trust: GatewayTrust) -> Starlette:
        return create_app(BEROEPEN, trust, competentnl=SAMPLE)

    sources = [
        Source("accreditatie", organisation_app(InMemoryAdapter(consented(werkzoekenden_upload)), "accreditatie")),
        Source("codelijsten", codelijsten, kind="codelijsten"),
    ]
    running = await start_stack(sources, codelijsten=False)
    yield running
    await running.close()


async def test_a_search_over_the_accreditation_data_labels_every_occupation_the_list_knows(
    accreditation: Stack,
) -> None:
    known = {uri: o.label for uri, o in read_occupations(SAMPLE).items()}
    body = await accreditation.query(
        """{ werkzoekendeProfielMatches(selectievraag: {selectiegebied: {postcode: "3511AA", afstand: 999}}, first: 1000) {
             totalCount edges { node { bemiddelingsberoep { codeBeroepsnaam omschrijvingBeroepsnaam } } } } }"""
    )
    assert "errors" not in body, body.get("errors")
    found = body["data"]["werkzoekendeProfielMatches"]
    beroepen = [b for e in found["edges"] for b in e["node"]["bemiddelingsberoep"] or []]
    assert found["totalCount"] >= 100 and len(beroepen) > 100  # a source returns at most 100 (its cap)
    labelled = [b for b in beroepen if b["codeBeroepsnaam"] in known]
    assert len({b["codeBeroepsnaam"] for b in labelled}) == len(known), "each listed occupation occurs"
    assert all(b["omschrijvingBeroepsnaam"] == known[b["codeBeroepsnaam"]] for b in labelled)
    assert all(b["omschrijvingBeroepsnaam"] is None for b in beroepen if b["codeBeroepsnaam"] not in known)
