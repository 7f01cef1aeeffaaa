"""Tests for the synthetic VUM demo data generator (gateway.demo.synthetic)."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from datetime import date
from functools import cache
from typing import Any

import pytest
import yaml
from jsonschema import Draft4Validator

from gateway.demo.synthetic import (
    Beroepsnaam,
    DemoOrganisatie,
    Postcodegebied,
    beroep_uri,
    generate,
    read_beroepen,
    read_postcodes,
)
from vumschema.data import BEROEPEN, POSTCODES

from .conftest import CONTRACTS

BRONNEN = ("gemeente-eindhoven", "uwv-zuidoost-brabant", "reintegratie-tilburg")
POSTCODE = re.compile(r"[0-9]{4}[A-Z]{2}")  # matched whole: `$` would allow a final newline
SAFE_ID = re.compile(r"[a-zA-Z0-9_.-]{1,200}")

Record = dict[str, Any]


@cache
def postcodes() -> list[Postcodegebied]:
    return read_postcodes(POSTCODES)


@cache
def beroepen() -> list[Beroepsnaam]:
    return read_beroepen(BEROEPEN)


@cache
def organisaties(seed: int = 42) -> list[DemoOrganisatie]:
    return generate(seed, BRONNEN, postcodes(), beroepen())


def validator(contract: str, schema: str) -> Draft4Validator:
    doc = yaml.safe_load((CONTRACTS / contract).read_text(encoding="utf-8"))
    ref = {"$ref": f"#/components/schemas/{schema}", "components": doc["components"]}
    return Draft4Validator(ref)


def werkzoekenden() -> Iterator[Record]:
    for org in organisaties():
        yield from org.werkzoekenden


def vacatures() -> Iterator[Record]:
    for org in organisaties():
        yield from org.vacatures


def by_id(records: list[Record], key: str, id_: str) -> Record:
    matches = [r for r in records if r[key] == id_]
    assert len(matches) == 1, f"{id_} expected exactly once"
    return matches[0]


def walk(value: Any, path: str = "") -> Iterator[tuple[str, Any]]:
    """All (path, leaf) pairs of a JSON value."""
    if isinstance(value, dict):
        for key, item in value.items():
            yield from walk(item, f"{path}.{key}")
    elif isinstance(value, list):
        for item in value:
            yield from walk(item, f"{path}[]")
    else:
        yield path, value


def dump(value: Any) -> str:
    return json.dumps(value, sort_keys=True, ensure_ascii=False)


def as_json(orgs: list[DemoOrganisatie]) -> str:
    return dump([[o.bron_id, o.werkzoekenden, o.vacatures] for o in orgs])


# --- readers -----------------------------------------------------------------


def test_readers_parse_reference_files() -> None:
    assert len(postcodes()) > 4000
    assert all(re.fullmatch(r"[0-9]{4}", p.pc4) for p in postcodes())
    assert any(p.pc4 == "5504" for p in postcodes())
    assert len(beroepen()) > 24000
    magazijn = [b for b in beroepen() if b.code == "7737"]
    assert magazijn and magazijn[0].omschrijving == "Magazijnmedewerker"
    assert beroep_uri("7737") == "urn:uwv:boc:7737"


# --- determinism -----------------------------------------------------------------


def test_same_seed_gives_identical_output() -> None:
    again = generate(42, BRONNEN, postcodes(), beroepen())
    assert as_json(again) == as_json(organisaties())


def test_other_seed_gives_different_output() -> None:
    other = generate(43, BRONNEN, postcodes(), beroepen())
    assert as_json(other) != as_json(organisaties())


def test_counts_and_organisations() -> None:
    orgs = organisaties()
    assert [o.bron_id for o in orgs] == list(BRONNEN)
    assert len(orgs[0].werkzoekenden) == 60 + 2  # plus Henk and Jessica
    assert [len(o.werkzoekenden) for o in orgs[1:]] == [60, 60]
    assert [len(o.vacatures) for o in orgs[:-1]] == [30, 30]
    assert len(orgs[-1].vacatures) == 30 + 3  # plus Mehmet's vacancies
    assert generate(1, [], postcodes(), beroepen()) == []


# --- contract validity -------------------------------------------------------------


def test_werkzoekenden_validate_against_contract() -> None:
    schema = validator("VUM-Bron-WerkzoekendeProfielen.yaml", "Werkzoekende")
    for record in werkzoekenden():
        errors = [e.message for e in schema.iter_errors(record)]
        assert not errors, (record["idWerkzoekende"], errors)


def test_vacatures_validate_against_contract() -> None:
    schema = validator("VUM-Bron-Vacatures.yaml", "Vacature")
    for record in vacatures():
        errors = [e.message for e in schema.iter_errors(record)]
        assert not errors, (record["idVacature"], errors)


def test_dates_are_valid_iso_dates() -> None:
    # Draft 4 has no "date" format checker, so check explicitly.
    for record in [*werkzoekenden(), *vacatures()]:
        for path, value in walk(record):
            if path.split(".")[-1].startswith(("datum", "sluitingsdatum")):
                assert date.fromisoformat(value).isoformat() == value, (path, value)


def test_dutch_language_always_present() -> None:
    for record in werkzoekenden():
        talen = record.get("arbeidsmarktkwalificatie", {}).get("taalbeheersing", [])
        assert any(t["codeTaal"] == "nld" for t in talen), record["idWerkzoekende"]


def test_no_empty_values() -> None:
    for record in [*werkzoekenden(), *vacatures()]:
        assert "[]" not in dump(record) and "{}" not in dump(record)
        assert all(value != "" for _, value in walk(record))


# --- identifiers and postcodes ---------------------------------------------------


def test_ids_unique_per_organisation_and_safe() -> None:
    for org in organisaties():
        wz_ids = [r["idWerkzoekende"] for r in org.werkzoekenden]
        vac_ids = [r["idVacature"] for r in org.vacatures]
        assert len(set(wz_ids)) == len(wz_ids)
        assert len(set(vac_ids)) == len(vac_ids)
        assert all(SAFE_ID.fullmatch(i) for i in wz_ids + vac_ids)


def test_postcodes_use_real_pc4_areas() -> None:
    bekend = {p.pc4 for p in postcodes()}
    gevonden = [r["mobiliteit"]["bemiddelingspostcode"] for r in werkzoekenden()]
    gevonden += [r["adres"]["postcode"] for r in vacatures()]
    for postcode in gevonden:
        assert POSTCODE.fullmatch(postcode), postcode
        assert postcode[:4] in bekend, postcode


def test_records_cluster_in_noord_brabant() -> None:
    pc4s = [int(r["mobiliteit"]["bemiddelingspostcode"][:4]) for r in werkzoekenden()]
    brabant = [p for p in pc4s if 4600 <= p <= 5799]
    assert len(brabant) > len(pc4s) / 2
    assert len(brabant) < len(pc4s)  # some spread over the rest of the country


def test_contact_details_are_fake() -> None:
    for record in [*werkzoekenden(), *vacatures()]:
        for path, value in walk(record):
            if path.endswith((".emailadres", ".emailadres[]")):
                assert value.endswith(("example.org", "example.com")), value
            if "telefoonnummer" in path:
                assert len(value) <= 14, value
                assert re.fullmatch(r"0[0-9]{1,3} [0-9]{6,8}", value), value


def test_codes_are_demo_urns() -> None:
    for record in [*werkzoekenden(), *vacatures()]:
        for path, value in walk(record):
            if path.endswith(".codeCompetentie"):
                assert value.startswith("urn:vum:demo:competentie:"), value
            if path.endswith(".codeBeroepsnaam"):
                assert re.fullmatch(r"urn:uwv:boc:[0-9]+", value), value


# --- personas ----------------------------------------------------------------------


def test_henk() -> None:
    henk = by_id(organisaties()[0].werkzoekenden, "idWerkzoekende", "henk")
    assert henk["mobiliteit"]["bemiddelingspostcode"].startswith("5504")
    assert henk["mobiliteit"]["maximaleReisafstand"] == 25
    werktijden = henk["werktijden"]
    assert werktijden["aantalWerkurenPerWeekMinimaal"] == 16
    assert werktijden["aantalWerkurenPerWeekMaximaal"] == 24
    assert werktijden["indicatieKantoortijden"] == 1
    vervoer = {v["codeVervoermiddel"]: v for v in henk["vervoermiddel"]}
    assert vervoer[5]["indicatieBeschikbaarVoorWoonWerkverkeer"] == 1
    assert vervoer[3]["indicatieBeschikbaarVoorWoonWerkverkeer"] == 1
    assert 1 not in vervoer
    kwalificatie = henk["arbeidsmarktkwalificatie"]
    assert "rijbewijs" not in kwalificatie
    assert kwalificatie["werkervaring"] and kwalificatie["interesse"]
    assert {c["codeTypeOvereenkomst"] for c in henk["contractvorm"]} == {"01"}
    assert henk["indicatieBeschikbaarheidContactgegevens"] == 1
    assert henk["contactpersoon"]
    assert "emailadres" not in henk and "telefoonnummer" not in henk
    assert henk["persoonlijkePresentatie"]


def test_jessica() -> None:
    jessica = by_id(organisaties()[0].werkzoekenden, "idWerkzoekende", "jessica")
    assert jessica["mobiliteit"]["bemiddelingspostcode"].startswith("5688")
    assert jessica["mobiliteit"]["maximaleReisafstand"] == 50
    soorten = {c["codeTypeOvereenkomst"] for c in jessica["contractvorm"]}
    assert soorten >= {"01", "02", "03"}
    kwalificatie = jessica["arbeidsmarktkwalificatie"]
    mbo = [o for o in kwalificatie["opleiding"] if o["codeNiveauOpleiding"] == 4]
    assert mbo and mbo[0]["codeStatusOpleiding"] == 1
    assert len(kwalificatie["werkervaring"]) >= 5
    assert kwalificatie["interesse"]
    assert jessica["eisAanWerk"]["indicatieBegeleiding"] == 1
    assert jessica["indicatieLdrRegistratie"] == 2
    assert jessica["emailadres"] and jessica["telefoonnummer"]


def test_personas_only_in_first_organisation() -> None:
    for org in organisaties()[1:]:
        ids = {r["idWerkzoekende"] for r in org.werkzoekenden}
        assert not {"henk", "jessica"} & ids


@pytest.mark.parametrize(
    ("id_", "prefix"),
    [
        ("mehmet-eindhoven-naaister", "56"),
        ("mehmet-tilburg-naaister", "50"),
        ("mehmet-eindhoven-magazijn", "56"),
    ],
)
def test_mehmet_vacancies(id_: str, prefix: str) -> None:
    vacature = by_id(organisaties()[-1].vacatures, "idVacature", id_)
    assert vacature["adres"]["postcode"].startswith(prefix)
    assert vacature["adres"]["straatnaam"] and vacature["adres"]["huisnummer"]
    werkgever = vacature["werkgever"]
    assert werkgever["handelsnaamOrganisatie"] == "Confectieatelier Mehmet B.V."
    contact = werkgever["contactpersoon"][0]
    assert isinstance(contact["emailadres"], list)
    assert isinstance(contact["telefoonnummer"], list)
    assert vacature["codeWerkEnDenkniveauMinimaal"] in ("2", "3")
    assert all(o.get("indicatieDiploma") == 2 for o in vacature.get("opleiding", []))
    assert 5 in {v["codeVervoermiddel"] for v in vacature["vervoermiddel"]}
    werktijden = vacature["werktijden"]
    assert werktijden["aantalWerkurenPerWeekMinimaal"] >= 24
    assert werktijden["aantalWerkurenPerWeekMaximaal"] <= 32
    assert "nieuwe kans" in vacature["omschrijvingVacature"]


def test_mehmet_contract_forms() -> None:
    laatste = organisaties()[-1].vacatures
    vacs = [r for r in laatste if r["idVacature"].startswith("mehmet-")]
    soorten = {c["codeTypeOvereenkomst"] for v in vacs for c in v["contractvorm"]}
    assert soorten == {"01", "02"}
    for org in organisaties()[:-1]:
        assert not any(r["idVacature"].startswith("mehmet-") for r in org.vacatures)


def test_single_organisation_gets_all_personas() -> None:
    [org] = generate(7, ["enige-bron"], postcodes(), beroepen(), 5, 5)
    ids = {r["idWerkzoekende"] for r in org.werkzoekenden}
    assert {"henk", "jessica"} <= ids and len(ids) == 7
    assert len({r["idVacature"] for r in org.vacatures}) == 8
