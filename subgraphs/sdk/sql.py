"""The selectievraag pushed down into SQL, on a small table layout for the standard's records.

Each record is stored whole (its JSON) beside the columns the criteria need: one row per record
with its single-valued search fields, one row per value of its multi-valued fields, one row per
language. `to_sql` turns the criteria of a `Selectievraag` into a WHERE clause over that layout;
the criteria it cannot push down are returned and evaluated in memory on the candidates. The
same code runs on SQLite and PostgreSQL (SQLAlchemy Core).
"""

from __future__ import annotations

import functools
import json
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import (
    Column,
    ColumnElement,
    Connection,
    Index,
    Integer,
    MetaData,
    String,
    Table,
    Text,
    and_,
    delete,
    exists,
    func,
    insert,
    select,
    true,
)

from .geo import pc4
from .selectievraag import (
    VACATURE,
    WERKZOEKENDE,
    AnyElement,
    Compare,
    Criterion,
    EveryValue,
    InArea,
    Languages,
    Path,
    Record,
    Selectievraag,
    Transport,
    elements,
    lookup,
)

# Single-valued search fields: path in the record -> column (all are indexed).
SCALAR_COLUMNS: dict[str, dict[Path, tuple[str, type[Integer] | type[String]]]] = {
    WERKZOEKENDE: {
        ("flexibiliteit", "indicatieOnregelmatigWerkOfPloegendienst"): ("onregelmatig", Integer),
        ("flexibiliteit", "datumAanvangBeschikbaarVoorWerk"): ("beschikbaar_vanaf", String),
        ("werktijden", "indicatieKantoortijden"): ("kantoortijden", Integer),
        ("werktijden", "aantalWerkurenPerWeekMinimaal"): ("uren_min", Integer),
        ("werktijden", "aantalWerkurenPerWeekMaximaal"): ("uren_max", Integer),
    },
    VACATURE: {
        ("flexibiliteit", "indicatieOnregelmatigWerkOfPloegendienst"): ("onregelmatig", Integer),
        ("arbeidsVoorwaarden", "datumAanvangWerkzaamheden"): ("aanvang_werkzaamheden", String),
        ("werktijden", "aantalWerkurenPerWeekMinimaal"): ("uren_min", Integer),
        ("werktijden", "aantalWerkurenPerWeekMaximaal"): ("uren_max", Integer),
        ("beroep", "codeBeroepsnaam"): ("beroep", String),
        ("codeWerkEnDenkniveauMinimaal",): ("werk_en_denkniveau", String),
    },
}

# Multi-valued search fields: (array path, key) -> name of the value set in the values table.
VALUE_SETS: dict[str, dict[tuple[Path, str], str]] = {
    WERKZOEKENDE: {
        (("bemiddelingsberoep",), "codeBeroepsnaam"): "beroep",
        (("contractvorm",), "codeTypeArbeidscontract"): "arbeidscontract",
        (("contractvorm",), "codeTypeOvereenkomst"): "overeenkomst",
        (("arbeidsmarktkwalificatie", "rijbewijs"), "codeSoortRijbewijs"): "rijbewijs",
        (("arbeidsmarktkwalificatie", "competentiebeheersing"), "codeCompetentie"): "competentie",
        (("vervoermiddel",), "codeVervoermiddel"): "vervoermiddel",
    },
    VACATURE: {
        (("contractvorm",), "codeTypeOvereenkomst"): "overeenkomst",
        (("rijbewijs",), "codeSoortRijbewijs"): "rijbewijs",
        (("competentiebeheersing",), "codeCompetentie"): "competentie",
        (("vervoermiddel",), "codeVervoermiddel"): "vervoermiddel",
    },
}
COMMUTING_SET = "vervoermiddel_woonwerk"  # means of transport not marked unavailable for commuting

POSTCODE_PATH = {WERKZOEKENDE: ("mobiliteit", "bemiddelingspostcode"), VACATURE: ("adres", "postcode")}
ID_FIELD = {WERKZOEKENDE: "idWerkzoekende", VACATURE: "idVacature"}
LANGUAGE_PATH = {WERKZOEKENDE: ("arbeidsmarktkwalificatie", "taalbeheersing"), VACATURE: ("taalbeheersing",)}


@dataclass(frozen=True)
class RecordTables:
    """The tables of one kind of record (werkzoekende or vacature)."""

    soort: str
    records: Table
    values: Table
    languages: Table


def _tables(metadata: MetaData, soort: str) -> RecordTables:
    scalar_columns = [Column(name, column_type, index=True) for name, column_type in SCALAR_COLUMNS[soort].values()]
    records = Table(
        soort,
        metadata,
        Column("id", String(200), primary_key=True),
        Column("pc4", String(4), index=True),
        Column("record", Text, nullable=False),
        *scalar_columns,
    )
    values = Table(
        f"{soort}_waarde",
        metadata,
        Column("record_id", String(200), nullable=False, index=True),
        Column("veld", String(40), nullable=False),
        Column("waarde", String(200), nullable=False),
        Index(f"ix_{soort}_waarde_veld_waarde", "veld", "waarde"),
    )
    languages = Table(
        f"{soort}_taal",
        metadata,
        Column("record_id", String(200), nullable=False, index=True),
        Column("taal", String(3), nullable=False, index=True),
        Column("mondeling", Integer),
        Column("schriftelijk", Integer),
    )
    return RecordTables(soort, records, values, languages)


@functools.cache
def layout() -> tuple[MetaData, dict[str, RecordTables]]:
    """The table layout (one MetaData per process)."""
    metadata = MetaData()
    return metadata, {soort: _tables(metadata, soort) for soort in (WERKZOEKENDE, VACATURE)}


# -- writing ----------------------------------------------------------------------------------


def _scalar(value: Any) -> Any:
    return value if isinstance(value, int | str) and not isinstance(value, bool) else None


def _rows(soort: str, record: Record) -> tuple[dict[str, Any], list[dict[str, Any]], list[dict[str, Any]]]:
    record_id = str(record[ID_FIELD[soort]])
    postcode = lookup(record, POSTCODE_PATH[soort])
    row: dict[str, Any] = {
        "id": record_id,
        "pc4": pc4(postcode) if isinstance(postcode, str) else None,
        "record": json.dumps(record, ensure_ascii=False, separators=(",", ":")),
    }
    for path, (column, _) in SCALAR_COLUMNS[soort].items():
        row[column] = _scalar(lookup(record, path))
    values = [
        {"record_id": record_id, "veld": veld, "waarde": str(item[key])}
        for (path, key), veld in VALUE_SETS[soort].items()
        for item in elements(record, path)
        if _scalar(item.get(key)) is not None
    ]
    if soort == WERKZOEKENDE:
        values += [
            {"record_id": record_id, "veld": COMMUTING_SET, "waarde": str(item["codeVervoermiddel"])}
            for item in elements(record, ("vervoermiddel",))
            if _scalar(item.get("codeVervoermiddel")) is not None
            and item.get("indicatieBeschikbaarVoorWoonWerkverkeer") != 2
        ]
    languages = [
        {
            "record_id": record_id,
            "taal": item["codeTaal"],
            "mondeling": _scalar(item.get("codeNiveauTaalbeheersingMondeling")),
            "schriftelijk": _scalar(item.get("codeNiveauTaalbeheersingSchriftelijk")),
        }
        for item in elements(record, LANGUAGE_PATH[soort])
        if isinstance(item.get("codeTaal"), str)
    ]
    return row, values, languages


def replace_records(connection: Connection, soort: str, records: Iterable[Record]) -> int:
    """Replace every record of one kind (an organisation's full export)."""
    tables = layout()[1][soort]
    for table in (tables.values, tables.languages, tables.records):
        connection.execute(delete(table))
    rows, values, languages = [], [], []
    for record in records:
        row, record_values, record_languages = _rows(soort, record)
        rows.append(row)
        values += record_values
        languages += record_languages
    for table, batch in ((tables.records, rows), (tables.values, values), (tables.languages, languages)):
        if batch:
            connection.execute(insert(table), batch)
    return len(rows)


# -- reading ----------------------------------------------------------------------------------


def _in_set(tables: RecordTables, veld: str, values: Iterable[Any]) -> ColumnElement[bool]:
    v = tables.values
    return exists().where(
        and_(v.c.record_id == tables.records.c.id, v.c.veld == veld, v.c.waarde.in_([str(x) for x in values]))
    )


def _compare(tables: RecordTables, criterion: Compare) -> ColumnElement[bool] | None:
    mapped = SCALAR_COLUMNS[tables.soort].get(criterion.path)
    if mapped is None:
        return None
    column = tables.records.c[mapped[0]]
    if isinstance(criterion.value, int) != (mapped[1] is Integer):
        return None  # a value of another type never matches in memory either; let memory decide
    operators = {"eq": column.__eq__, "lt": column.__lt__, "lte": column.__le__, "gte": column.__ge__}
    return operators[criterion.op](criterion.value)


def _language(tables: RecordTables, criterion: Languages) -> ColumnElement[bool]:
    t = tables.languages
    clauses = []
    for eis in criterion.eisen:
        conditions = [t.c.record_id == tables.records.c.id, t.c.taal == eis.code_taal]
        if eis.minimaal_mondeling is not None:
            conditions.append(t.c.mondeling >= eis.minimaal_mondeling)
        if eis.minimaal_schriftelijk is not None:
            conditions.append(t.c.schriftelijk >= eis.minimaal_schriftelijk)
        clauses.append(exists().where(and_(*conditions)))
    return and_(*clauses)


def criterion_sql(tables: RecordTables, criterion: Criterion) -> ColumnElement[bool] | None:
    """The criterion as a SQL condition on `tables.records`, or None when it stays in memory."""
    sets = VALUE_SETS[tables.soort]
    if isinstance(criterion, InArea):
        return tables.records.c.pc4.in_(sorted(criterion.areas)) if criterion.areas else ~true()
    if isinstance(criterion, Compare):
        return _compare(tables, criterion)
    if isinstance(criterion, AnyElement) and (criterion.path, criterion.key) in sets:
        return _in_set(tables, sets[(criterion.path, criterion.key)], criterion.values)
    if isinstance(criterion, EveryValue) and (criterion.path, criterion.key) in sets:
        veld = sets[(criterion.path, criterion.key)]
        return and_(*(_in_set(tables, veld, [value]) for value in criterion.values))
    if isinstance(criterion, Transport):
        veld = COMMUTING_SET if criterion.for_commuting else sets[(criterion.path, "codeVervoermiddel")]
        return and_(*(_in_set(tables, veld, [code]) for code in criterion.codes))
    if isinstance(criterion, Languages):
        return _language(tables, criterion)
    return None


def to_sql(tables: RecordTables, vraag: Selectievraag) -> tuple[list[ColumnElement[bool]], list[Criterion]]:
    """WHERE conditions for the criteria SQL can answer, and the criteria left for memory."""
    pushed: list[ColumnElement[bool]] = []
    residual: list[Criterion] = []
    for criterion in vraag.criteria:
        condition = criterion_sql(tables, criterion)
        if condition is None:
            residual.append(criterion)
        else:
            pushed.append(condition)
    return pushed, residual


def search(connection: Connection, vraag: Selectievraag, limit: int) -> tuple[list[dict[str, Any]], bool]:
    """The first `limit` matching records in id order, and whether there are more."""
    tables = layout()[1][vraag.soort]
    pushed, residual = to_sql(tables, vraag)
    query = select(tables.records.c.record).where(and_(true(), *pushed)).order_by(tables.records.c.id)
    if not residual:  # SQL answers exactly: let it stop after one more than the limit
        query = query.limit(limit + 1)
    records: list[dict[str, Any]] = []
    for (text,) in connection.execute(query):
        record = json.loads(text)
        if all(criterion.matches(record) for criterion in residual):
            records.append(record)
            if len(records) > limit:
                break
    return records[:limit], len(records) > limit


def fetch(connection: Connection, soort: str, record_id: str) -> dict[str, Any] | None:
    tables = layout()[1][soort]
    text = connection.execute(select(tables.records.c.record).where(tables.records.c.id == record_id)).scalar()
    return json.loads(text) if text is not None else None


def count(connection: Connection, soort: str) -> int:
    tables = layout()[1][soort]
    return int(connection.execute(select(func.count()).select_from(tables.records)).scalar_one())


def all_records(connection: Connection, soort: str) -> Sequence[Mapping[str, Any]]:
    tables = layout()[1][soort]
    return [json.loads(text) for (text,) in connection.execute(select(tables.records.c.record))]
