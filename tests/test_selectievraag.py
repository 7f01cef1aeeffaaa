"""The selectievraag semantics of koppelvlak 3.0, criterion by criterion, and SQL agreeing with memory."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import create_engine

from subgraphs.sdk import sql
from subgraphs.sdk.geo import PostcodeTable
from subgraphs.sdk.selectievraag import (
    VACATURE,
    WERKZOEKENDE,
    SelectievraagError,
    parse_vacature_vraag,
    parse_werkzoekende_vraag,
)

EINDHOVEN = {"postcode": "5611AB", "afstand": 10}


def wz(**fields: Any) -> dict[str, Any]:
    return {"idWerkzoekende": "w", "mobiliteit": {"bemiddelingspostcode": "5612AB"}, **fields}


def vac(**fields: Any) -> dict[str, Any]:
    return {"idVacature": "v", "adres": {"postcode": "5612AB"}, **fields}


def matches_wz(postcodes: PostcodeTable, record: dict[str, Any], **criteria: Any) -> bool:
    return parse_werkzoekende_vraag({"selectiegebied": EINDHOVEN, **criteria}, postcodes).matches(record)


def matches_vac(postcodes: PostcodeTable, record: dict[str, Any], **criteria: Any) -> bool:
    return parse_vacature_vraag({"selectiegebied": EINDHOVEN, **criteria}, postcodes).matches(record)


def test_selectiegebied_is_great_circle_distance_between_pc4_centroids(postcodes: PostcodeTable) -> None:
    distance = postcodes.distance_km("5611AB", "5041AA")  # Eindhoven - Tilburg
    assert distance is not None and 30 < distance < 36
    near = {"selectiegebied": {"postcode": "5611AB", "afstand": int(distance) + 1}}
    far = {"selectiegebied": {"postcode": "5611AB", "afstand": int(distance) - 1}}
    tilburg = wz(mobiliteit={"bemiddelingspostcode": "5041ZZ"})
    assert parse_werkzoekende_vraag(near, postcodes).matches(tilburg)
    assert not parse_werkzoekende_vraag(far, postcodes).matches(tilburg)
    assert parse_werkzoekende_vraag({"selectiegebied": {"postcode": "5611AB", "afstand": 0}}, postcodes).matches(
        wz(mobiliteit={"bemiddelingspostcode": "5611ZZ"})
    ), "the same PC4 area is at distance 0"


def test_a_record_outside_the_table_or_without_postcode_never_matches(postcodes: PostcodeTable) -> None:
    assert not matches_wz(postcodes, wz(mobiliteit={"bemiddelingspostcode": "0000AA"}))
    assert not matches_wz(postcodes, {"idWerkzoekende": "w"})


def test_unknown_postcode_area_in_the_selectievraag_is_an_error(postcodes: PostcodeTable) -> None:
    with pytest.raises(SelectievraagError, match="unknown postcode area 0000"):
        parse_werkzoekende_vraag({"selectiegebied": {"postcode": "0000AA", "afstand": 5}}, postcodes)


def test_occupation_and_contract_type_are_any_of(postcodes: PostcodeTable) -> None:
    record = wz(
        bemiddelingsberoep=[{"codeBeroepsnaam": "u:1"}, {"codeBeroepsnaam": "u:2"}],
        contractvorm=[{"codeTypeArbeidscontract": "B"}],
    )
    assert matches_wz(postcodes, record, bemiddelingsberoep=["u:2", "u:9"])
    assert not matches_wz(postcodes, record, bemiddelingsberoep=["u:9"])
    assert matches_wz(postcodes, record, contractvorm=["O", "B"])
    assert not matches_wz(postcodes, record, contractvorm=["O"])
    assert not matches_wz(postcodes, wz(), contractvorm=["B"]), "a missing array does not match"


def test_driving_licences_are_all_of(postcodes: PostcodeTable) -> None:
    record = wz(arbeidsmarktkwalificatie={"rijbewijs": [{"codeSoortRijbewijs": "B"}, {"codeSoortRijbewijs": "C"}]})
    assert matches_wz(postcodes, record, rijbewijs=["B", "C"])
    assert not matches_wz(postcodes, record, rijbewijs=["B", "D"])
    assert matches_vac(postcodes, vac(rijbewijs=[{"codeSoortRijbewijs": "T"}]), rijbewijs=["T"])


def test_languages_are_all_of_each_within_one_entry(postcodes: PostcodeTable) -> None:
    taal = [
        {"codeTaal": "nld", "codeNiveauTaalbeheersingMondeling": 4, "codeNiveauTaalbeheersingSchriftelijk": 2},
        {"codeTaal": "eng", "codeNiveauTaalbeheersingMondeling": 2},
    ]
    record = wz(arbeidsmarktkwalificatie={"taalbeheersing": taal})
    nld_good = {"codeTaal": "nld", "minimaalMondeling": 3, "minimaalSchriftelijk": 2}
    assert matches_wz(postcodes, record, taalbeheersing=[nld_good, {"codeTaal": "eng"}])
    assert not matches_wz(postcodes, record, taalbeheersing=[{"codeTaal": "nld", "minimaalSchriftelijk": 3}])
    assert not matches_wz(postcodes, record, taalbeheersing=[{"codeTaal": "eng", "minimaalSchriftelijk": 2}]), (
        "level missing"
    )
    assert not matches_wz(postcodes, record, taalbeheersing=[nld_good, {"codeTaal": "deu"}])


def test_language_levels_compare_as_codes_so_nvt_is_above_every_minimum(postcodes: PostcodeTable) -> None:
    record = wz(
        arbeidsmarktkwalificatie={"taalbeheersing": [{"codeTaal": "ngt", "codeNiveauTaalbeheersingSchriftelijk": 8}]}
    )
    assert matches_wz(postcodes, record, taalbeheersing=[{"codeTaal": "ngt", "minimaalSchriftelijk": 4}])


def test_a_minimum_language_level_must_be_redelijk_goed_or_uitstekend(postcodes: PostcodeTable) -> None:
    with pytest.raises(SelectievraagError, match="REDELIJK, GOED or UITSTEKEND"):
        matches_wz(postcodes, wz(), taalbeheersing=[{"codeTaal": "nld", "minimaalMondeling": 1}])


@pytest.mark.parametrize(
    ("record_hours", "wanted", "expected"),
    [
        ((24, 32), (32, 40), True),  # touching counts
        ((24, 32), (33, 40), False),
        ((24, 32), (10, 24), True),
        ((24, 32), (10, 23), False),
        ((24, 32), (26, 28), True),
        ((24, 32), (None, 30), True),
        ((24, 32), (40, None), False),
        ((None, 32), (10, 20), False),  # the record lacks its minimum: $lte on a missing field
    ],
)
def test_hours_per_week_is_inclusive_interval_overlap(
    postcodes: PostcodeTable,
    record_hours: tuple[int | None, int | None],
    wanted: tuple[int | None, int | None],
    expected: bool,
) -> None:
    werktijden = {
        k: v
        for k, v in zip(("aantalWerkurenPerWeekMinimaal", "aantalWerkurenPerWeekMaximaal"), record_hours, strict=True)
        if v is not None
    }
    uren = {k: v for k, v in zip(("minimaal", "maximaal"), wanted, strict=True) if v is not None}
    assert matches_wz(postcodes, wz(werktijden=werktijden), aantalWerkurenPerWeek=uren) is expected
    assert matches_vac(postcodes, vac(werktijden=werktijden), aantalWerkurenPerWeek=uren) is expected


def test_indications_and_dates(postcodes: PostcodeTable) -> None:
    record = wz(
        flexibiliteit={"indicatieOnregelmatigWerkOfPloegendienst": 1, "datumAanvangBeschikbaarVoorWerk": "2026-12-01"},
        werktijden={"indicatieKantoortijden": 2},
    )
    assert matches_wz(postcodes, record, indicatieOnregelmatigWerkOfPloegendienst=1, indicatieKantoortijden=2)
    assert not matches_wz(postcodes, record, indicatieKantoortijden=1)
    assert matches_wz(postcodes, record, datumAanvangBeschikbaarVoorWerk="2026-12-01"), "available on the date"
    assert not matches_wz(postcodes, record, datumAanvangBeschikbaarVoorWerk="2026-11-30")
    job = vac(arbeidsVoorwaarden={"datumAanvangWerkzaamheden": "2027-01-01"})
    assert matches_vac(postcodes, job, datumAanvangWerkzaamheden="2027-01-01")
    assert not matches_vac(postcodes, job, datumAanvangWerkzaamheden="2027-01-02")


@pytest.mark.parametrize(
    ("level", "selectie", "expected"),
    [
        ("3", {}, True),
        ("0", {}, True),
        ("7", {}, False),
        ("3", {"vanaf": "3"}, True),
        ("2", {"vanaf": "3"}, False),
        ("7", {"vanaf": "3"}, False),
        ("7", {"nietBekend": True}, True),
        ("5", {"nietBekend": True}, False),
        (None, {}, False),
    ],
)
def test_werk_en_denkniveau_of_vacancies(
    postcodes: PostcodeTable, level: str | None, selectie: dict[str, Any], expected: bool
) -> None:
    record = vac(codeWerkEnDenkniveauMinimaal=level) if level else vac()
    assert matches_vac(postcodes, record, codeWerkEnDenkniveauMinimaal=selectie) is expected


def test_werk_en_denkniveau_refuses_contradictions(postcodes: PostcodeTable) -> None:
    with pytest.raises(SelectievraagError, match="either vanaf or nietBekend"):
        matches_vac(postcodes, vac(), codeWerkEnDenkniveauMinimaal={"vanaf": "3", "nietBekend": True})
    with pytest.raises(SelectievraagError, match="from 1 to 6"):
        matches_vac(postcodes, vac(), codeWerkEnDenkniveauMinimaal={"vanaf": "0"})


def test_extension_kind_of_work_transport_competences_interests(postcodes: PostcodeTable) -> None:
    henk = wz(
        contractvorm=[{"codeTypeOvereenkomst": "03"}],
        vervoermiddel=[
            {"codeVervoermiddel": 5, "indicatieBeschikbaarVoorWoonWerkverkeer": 1},
            {"codeVervoermiddel": 1, "indicatieBeschikbaarVoorWoonWerkverkeer": 2},
        ],
        arbeidsmarktkwalificatie={
            "competentiebeheersing": [{"codeCompetentie": "c:1"}],
            "interesse": [{"naamInteresse": "Kleding maken"}],
        },
    )
    assert matches_wz(postcodes, henk, typeOvereenkomst=["02", "03"])
    assert not matches_wz(postcodes, henk, typeOvereenkomst=["01"])
    assert matches_wz(postcodes, henk, vervoermiddel=[5])
    assert not matches_wz(postcodes, henk, vervoermiddel=[1]), "a car he cannot use for commuting does not count"
    assert matches_wz(postcodes, henk, competentie=["c:1", "c:2"])
    assert matches_wz(postcodes, henk, interesse=["KLEDING"])
    assert not matches_wz(postcodes, henk, interesse=["koken"])
    assert matches_vac(
        postcodes,
        vac(vervoermiddel=[{"codeVervoermiddel": 5, "indicatieBeschikbaarVoorWoonWerkverkeer": 2}]),
        vervoermiddel=[5],
    )


def test_extension_respects_the_job_seekers_own_travel_distance(postcodes: PostcodeTable) -> None:
    distance = postcodes.distance_km("5504AA", "5041AA")  # Veldhoven - Tilburg
    assert distance is not None
    area = {"postcode": "5041AA", "afstand": 60}
    close_by = wz(mobiliteit={"bemiddelingspostcode": "5504AA", "maximaleReisafstand": int(distance) - 2})
    willing = wz(mobiliteit={"bemiddelingspostcode": "5504AA", "maximaleReisafstand": int(distance) + 2})
    unknown = wz(mobiliteit={"bemiddelingspostcode": "5504AA"})
    vraag = parse_werkzoekende_vraag({"selectiegebied": area, "respecteerMaximaleReisafstand": True}, postcodes)
    assert [vraag.matches(r) for r in (close_by, willing, unknown)] == [False, True, True]
    standard = parse_werkzoekende_vraag({"selectiegebied": area}, postcodes)
    assert standard.matches(close_by), "without the option, only the selectiegebied counts"
    assert vraag.extensions == {"respecteerMaximaleReisafstand"}


# -- SQL pushdown agrees with memory ----------------------------------------------------------

CODES = {"beroep": ["u:1", "u:2", "u:3"], "contract": ["B", "O"], "rijbewijs": ["B", "C", "D"], "taal": ["nld", "eng"]}


@st.composite
def werkzoekende_records(draw: st.DrawFn) -> list[dict[str, Any]]:
    records = []
    for index in range(draw(st.integers(5, 25))):
        record: dict[str, Any] = {
            "idWerkzoekende": f"w{index:03d}",
            "mobiliteit": {"bemiddelingspostcode": draw(st.sampled_from(["5611AB", "5041CD", "1012EF", "9711GH"]))},
        }
        if draw(st.booleans()):
            record["bemiddelingsberoep"] = [
                {"codeBeroepsnaam": c} for c in draw(st.lists(st.sampled_from(CODES["beroep"]), max_size=3))
            ]
        if draw(st.booleans()):
            record["contractvorm"] = [
                {"codeTypeArbeidscontract": c, "codeTypeOvereenkomst": draw(st.sampled_from(["01", "02", "03"]))}
                for c in draw(st.lists(st.sampled_from(CODES["contract"]), max_size=2))
            ]
        if draw(st.booleans()):
            low = draw(st.integers(0, 40))
            record["werktijden"] = {
                "aantalWerkurenPerWeekMinimaal": low,
                "aantalWerkurenPerWeekMaximaal": low + draw(st.integers(0, 20)),
                "indicatieKantoortijden": draw(st.sampled_from([0, 1, 2])),
            }
        if draw(st.booleans()):
            record["flexibiliteit"] = {
                "indicatieOnregelmatigWerkOfPloegendienst": draw(st.sampled_from([0, 1, 2])),
                "datumAanvangBeschikbaarVoorWerk": draw(st.sampled_from(["2026-01-01", "2026-06-01", "2027-01-01"])),
            }
        if draw(st.booleans()):
            record["arbeidsmarktkwalificatie"] = {
                "rijbewijs": [
                    {"codeSoortRijbewijs": c} for c in draw(st.lists(st.sampled_from(CODES["rijbewijs"]), max_size=3))
                ],
                "taalbeheersing": [
                    {
                        "codeTaal": t,
                        "codeNiveauTaalbeheersingMondeling": draw(st.sampled_from([0, 2, 3, 4, 8])),
                        "codeNiveauTaalbeheersingSchriftelijk": draw(st.sampled_from([1, 2, 4])),
                    }
                    for t in draw(st.lists(st.sampled_from(CODES["taal"]), max_size=2))
                ],
                "interesse": [{"naamInteresse": draw(st.sampled_from(["Kleding", "koken", "Sport"]))}],
            }
        if draw(st.booleans()):
            record["vervoermiddel"] = [
                {
                    "codeVervoermiddel": draw(st.sampled_from([1, 3, 5])),
                    "indicatieBeschikbaarVoorWoonWerkverkeer": draw(st.sampled_from([0, 1, 2])),
                }
            ]
        records.append(record)
    return records


@st.composite
def werkzoekende_vragen(draw: st.DrawFn) -> dict[str, Any]:
    vraag: dict[str, Any] = {
        "selectiegebied": {
            "postcode": draw(st.sampled_from(["5611AB", "1012EF"])),
            "afstand": draw(st.sampled_from([5, 50, 300])),
        }
    }
    optional = {
        "bemiddelingsberoep": st.lists(st.sampled_from(CODES["beroep"]), min_size=1, max_size=2),
        "contractvorm": st.lists(st.sampled_from(CODES["contract"]), min_size=1, max_size=2),
        "rijbewijs": st.lists(st.sampled_from(CODES["rijbewijs"]), min_size=1, max_size=2),
        "indicatieKantoortijden": st.sampled_from([1, 2]),
        "indicatieOnregelmatigWerkOfPloegendienst": st.sampled_from([1, 2]),
        "datumAanvangBeschikbaarVoorWerk": st.sampled_from(["2026-03-01", "2026-12-31"]),
        "aantalWerkurenPerWeek": st.fixed_dictionaries(
            {}, optional={"minimaal": st.integers(1, 50), "maximaal": st.integers(1, 50)}
        ),
        "taalbeheersing": st.lists(
            st.fixed_dictionaries(
                {"codeTaal": st.sampled_from(CODES["taal"])}, optional={"minimaalMondeling": st.sampled_from([2, 3, 4])}
            ),
            min_size=1,
            max_size=2,
        ),
        "typeOvereenkomst": st.lists(st.sampled_from(["01", "02", "03"]), min_size=1, max_size=2),
        "vervoermiddel": st.lists(st.sampled_from([1, 3, 5]), min_size=1, max_size=2),
        "interesse": st.lists(st.sampled_from(["kled", "KOKEN"]), min_size=1, max_size=1),
        "respecteerMaximaleReisafstand": st.booleans(),
    }
    for name, strategy in optional.items():
        if draw(st.booleans()):
            vraag[name] = draw(strategy)
    return vraag


@pytest.fixture(scope="module")
def sqlite_engine() -> Iterator[Any]:
    engine = create_engine("sqlite://")
    sql.layout()[0].create_all(engine)
    yield engine
    engine.dispose()


def sql_agrees_with_memory(
    engine: Any, postcodes: PostcodeTable, records: list[dict[str, Any]], values: dict[str, Any], limit: int
) -> None:
    vraag = parse_werkzoekende_vraag(values, postcodes)
    with engine.begin() as connection:
        sql.replace_records(connection, WERKZOEKENDE, records)
        found, more = sql.search(connection, vraag, limit)
    expected = sorted((r for r in records if vraag.matches(r)), key=lambda r: r["idWerkzoekende"])
    assert [r["idWerkzoekende"] for r in found] == [r["idWerkzoekende"] for r in expected[:limit]]
    assert more is (len(expected) > limit)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(records=werkzoekende_records(), values=werkzoekende_vragen(), limit=st.integers(1, 30))
def test_sql_pushdown_returns_what_memory_returns_on_sqlite(
    sqlite_engine: Any, postcodes: PostcodeTable, records: list[dict[str, Any]], values: dict[str, Any], limit: int
) -> None:
    sql_agrees_with_memory(sqlite_engine, postcodes, records, values, limit)


@pytest.mark.postgres
@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(records=werkzoekende_records(), values=werkzoekende_vragen(), limit=st.integers(1, 30))
def test_sql_pushdown_returns_what_memory_returns_on_postgresql(
    postgres_engine: Any, postcodes: PostcodeTable, records: list[dict[str, Any]], values: dict[str, Any], limit: int
) -> None:
    sql_agrees_with_memory(postgres_engine, postcodes, records, values, limit)


@pytest.fixture(scope="module")
def postgres_engine(postgres_server: str) -> Iterator[Any]:
    from .conftest import fresh_database

    for dsn in fresh_database(postgres_server):
        engine = create_engine(dsn)
        sql.layout()[0].create_all(engine)
        yield engine
        engine.dispose()


def test_sql_pushes_the_standard_criteria_down(postcodes: PostcodeTable) -> None:
    tables = sql.layout()[1][WERKZOEKENDE]
    vraag = parse_werkzoekende_vraag(
        {
            "selectiegebied": EINDHOVEN,
            "contractvorm": ["B"],
            "rijbewijs": ["B"],
            "taalbeheersing": [{"codeTaal": "nld"}],
            "aantalWerkurenPerWeek": {"minimaal": 20},
            "interesse": ["x"],
        },
        postcodes,
    )
    pushed, residual = sql.to_sql(tables, vraag)
    assert len(pushed) == 5
    assert [c.name for c in residual] == ["interesse"], "only free-text interest stays in memory"
    vacature = parse_vacature_vraag(
        {"selectiegebied": EINDHOVEN, "beroep": "u:1", "codeWerkEnDenkniveauMinimaal": {"vanaf": "2"}}, postcodes
    )
    assert sql.to_sql(sql.layout()[1][VACATURE], vacature)[1] == []
