"""The MongoDB-style vraagObject of koppelvlak 3.0 as the typed selectievraag."""

from __future__ import annotations

from typing import Any

import pytest

from gateway.vraagobject import VraagObjectError, vacature_selectievraag, werkzoekende_selectievraag
from vumschema import Contract

AREA = {"selectiegebied": {"afstand": 30, "postcode": "8531PK"}}


def test_every_documented_job_seeker_criterion(contract: Contract) -> None:
    vraag = {
        **AREA,
        "bemiddelingsberoep": {
            "$elemMatch": {
                "$or": [{"beroep.codeBeroepsnaam": {"$eq": "u:1"}}, {"beroep.codeBeroepsnaam": {"$eq": "u:2"}}]
            }
        },
        "contractvorm": {
            "$elemMatch": {
                "$or": [{"codeTypeArbeidscontract": {"$eq": "B"}}, {"codeTypeArbeidscontract": {"$eq": "B"}}]
            }
        },
        "flexibiliteit.indicatieOnregelmatigWerkOfPloegendienst": {"$eq": 2},
        "arbeidsmarktkwalificatie.rijbewijs": {"$all": [{"$elemMatch": {"codeSoortRijbewijs": {"$eq": "B+"}}}]},
        "arbeidsmarktkwalificatie.taalbeheersing": {
            "$all": [{"$elemMatch": {"codeTaal": {"$eq": "nld"}, "codeNiveauTaalbeheersingMondeling": {"$gte": 3}}}]
        },
        "datumAanvangBeschikbaarVoorWerk": {"$lte": "2026-12-01"},
        "werktijden.indicatieKantoortijden": {"$eq": 1},
        "werktijden.aantalWerkurenPerWeekMaximaal": {"$gte": 24},
        "werktijden.aantalWerkurenPerWeekMinimaal": {"$lte": 32},
    }
    assert werkzoekende_selectievraag(contract, vraag) == {
        "selectiegebied": {"postcode": "8531PK", "afstand": 30},
        "bemiddelingsberoep": ["u:1", "u:2"],
        "contractvorm": ["BEPAALDE_TIJD"],
        "indicatieOnregelmatigWerkOfPloegendienst": "NEE",
        "rijbewijs": ["B_PLUS"],
        "taalbeheersing": [{"codeTaal": "nld", "minimaalMondeling": "GOED"}],
        "datumAanvangBeschikbaarVoorWerk": "2026-12-01",
        "indicatieKantoortijden": "JA",
        "aantalWerkurenPerWeek": {"minimaal": 24, "maximaal": 32},
    }


@pytest.mark.parametrize(
    ("criterion", "expected"),
    [
        ({"$lt": "7"}, {}),
        ({"$lt": "7", "$gte": "3"}, {"vanaf": "VMBO_NIVEAU"}),
        ({"$eq": "7"}, {"nietBekend": True}),
    ],
)
def test_werk_en_denkniveau_forms(contract: Contract, criterion: dict[str, Any], expected: dict[str, Any]) -> None:
    result = vacature_selectievraag(contract, {**AREA, "codeWerkEnDenkniveauMinimaal": criterion})
    assert result["codeWerkEnDenkniveauMinimaal"] == expected


def test_vacancy_criteria(contract: Contract) -> None:
    vraag = {
        **AREA,
        "beroep.codeBeroepsnaam": {"$eq": "u:9"},
        "datumAanvangWerkzaamheden": {"$gte": "2027-01-01"},
        "rijbewijs": {"$all": [{"$elemMatch": {"codeSoortRijbewijs": {"$eq": "C"}}}]},
    }
    assert vacature_selectievraag(contract, vraag) == {
        "selectiegebied": {"postcode": "8531PK", "afstand": 30},
        "beroep": "u:9",
        "datumAanvangWerkzaamheden": "2027-01-01",
        "rijbewijs": ["C"],
    }


def test_unknown_criteria_and_operators_are_accepted_and_ignored(contract: Contract) -> None:
    vraag = {
        **AREA,
        "toekomstigVeld": {"$eq": 1},
        "werktijden.indicatieKantoortijden": {"$ne": 1},
        "contractvorm": {"$size": 2},
    }
    assert werkzoekende_selectievraag(contract, vraag) == {"selectiegebied": {"postcode": "8531PK", "afstand": 30}}


@pytest.mark.parametrize(
    ("vraag", "criterion"),
    [
        ({}, "selectiegebied"),
        ({"selectiegebied": {"postcode": "8531PK"}}, "selectiegebied"),
        ({"selectiegebied": {"postcode": "85311PK", "afstand": 3}}, "selectiegebied.postcode"),
        ({"selectiegebied": {"postcode": "8531PK", "afstand": 1000}}, "selectiegebied.afstand"),
        ({**AREA, "werktijden.indicatieKantoortijden": {"$eq": 3}}, "werktijden.indicatieKantoortijden"),
        ({**AREA, "contractvorm": {"$elemMatch": {"$or": []}}}, "contractvorm"),
        (
            {**AREA, "contractvorm": {"$elemMatch": {"$or": [{"codeTypeArbeidscontract": {"$eq": "X"}}]}}},
            "contractvorm",
        ),
        ({**AREA, "werktijden.aantalWerkurenPerWeekMaximaal": {"$gte": 0}}, "werktijden.aantalWerkurenPerWeekMaximaal"),
        ({**AREA, "datumAanvangBeschikbaarVoorWerk": {"$lte": "morgen"}}, "datumAanvangBeschikbaarVoorWerk"),
        (
            {
                **AREA,
                "arbeidsmarktkwalificatie.taalbeheersing": {
                    "$all": [{"$elemMatch": {"codeNiveauTaalbeheersingMondeling": {"$gte": 3}}}]
                },
            },
            "arbeidsmarktkwalificatie.taalbeheersing",
        ),
        (
            {
                **AREA,
                "arbeidsmarktkwalificatie.taalbeheersing": {
                    "$all": [
                        {"$elemMatch": {"codeTaal": {"$eq": "nld"}, "codeNiveauTaalbeheersingMondeling": {"$gte": 1}}}
                    ]
                },
            },
            "codeNiveauTaalbeheersingMondeling",
        ),
        ([1, 2], "vraagObject"),
    ],
)
def test_malformed_documented_criteria_are_named(contract: Contract, vraag: Any, criterion: str) -> None:
    with pytest.raises(VraagObjectError) as error:
        werkzoekende_selectievraag(contract, vraag)
    assert criterion in str(error.value)


def test_malformed_werk_en_denkniveau_is_named(contract: Contract) -> None:
    with pytest.raises(VraagObjectError, match="codeWerkEnDenkniveauMinimaal"):
        vacature_selectievraag(contract, {**AREA, "codeWerkEnDenkniveauMinimaal": {"$lt": "6"}})
