"""The selectievraag semantics of koppelvlak 3.0, implemented once.

A selectievraag (the typed GraphQL input, in plain form with the standard's codes) is parsed into
a `Selectievraag`: a tuple of small criterion objects. Each criterion says whether a record (the
standard's JSON) matches, with MongoDB semantics as the standard prescribes: a criterion on a
field the record lacks does not match. `subgraphs.sdk.sql` translates the same objects to SQL.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Literal

from .geo import PostcodeTable, pc4

Record = Mapping[str, Any]
Path = tuple[str, ...]
Operator = Literal["eq", "lt", "lte", "gte"]

WERKZOEKENDE = "werkzoekende"
VACATURE = "vacature"

# Extensions to koppelvlak 3.0 (marked `@extension` in schema.graphql), by selectievraag field.
EXTENSIONS = frozenset(
    {"typeOvereenkomst", "vervoermiddel", "competentie", "interesse", "respecteerMaximaleReisafstand"}
)
NOT_AVAILABLE_FOR_COMMUTING = 2  # indicatieBeschikbaarVoorWoonWerkverkeer: Nee
WERK_EN_DENKNIVEAU_ONBEKEND = "7"


class SelectievraagError(ValueError):
    """The selectievraag is well-typed but cannot be answered as asked."""


def lookup(record: Record, path: Path) -> Any:
    """The value at a dotted path, or None when any step is missing."""
    value: Any = record
    for step in path:
        if not isinstance(value, Mapping):
            return None
        value = value.get(step)
    return value


def elements(record: Record, path: Path) -> list[Mapping[str, Any]]:
    value = lookup(record, path)
    return [item for item in value if isinstance(item, Mapping)] if isinstance(value, list) else []


def _same_kind(a: Any, b: Any) -> bool:
    """MongoDB compares only within a type bracket; bool is not a number here."""
    if isinstance(a, bool) or isinstance(b, bool):
        return False
    return (isinstance(a, int) and isinstance(b, int)) or (isinstance(a, str) and isinstance(b, str))


@dataclass(frozen=True)
class Criterion:
    """One criterion of a selectievraag; `name` is its field in the selectievraag input."""

    name: str

    def matches(self, record: Record) -> bool:
        raise NotImplementedError


@dataclass(frozen=True)
class InArea(Criterion):
    """The record's postcode lies in one of the PC4 areas within the selectiegebied."""

    path: Path
    areas: frozenset[str]

    def matches(self, record: Record) -> bool:
        postcode = lookup(record, self.path)
        return isinstance(postcode, str) and pc4(postcode) in self.areas


@dataclass(frozen=True)
class Compare(Criterion):
    """`{path: {$op: value}}` on a single value."""

    path: Path
    op: Operator
    value: int | str

    def matches(self, record: Record) -> bool:
        actual = lookup(record, self.path)
        if actual is None or not _same_kind(actual, self.value):
            return False
        if self.op == "eq":
            return bool(actual == self.value)
        if self.op == "lt":
            return bool(actual < self.value)
        if self.op == "lte":
            return bool(actual <= self.value)
        return bool(actual >= self.value)


@dataclass(frozen=True)
class AnyElement(Criterion):
    """`{array: {$elemMatch: {$or: [{key: {$eq: v}}, ...]}}}`: some element has one of the values."""

    path: Path
    key: str
    values: frozenset[int | str]

    def matches(self, record: Record) -> bool:
        return any(item.get(self.key) in self.values for item in elements(record, self.path))


@dataclass(frozen=True)
class EveryValue(Criterion):
    """`{array: {$all: [{$elemMatch: {key: {$eq: v}}}, ...]}}`: every value is present."""

    path: Path
    key: str
    values: frozenset[int | str]

    def matches(self, record: Record) -> bool:
        present = {item.get(self.key) for item in elements(record, self.path)}
        return self.values <= present


@dataclass(frozen=True)
class Taaleis:
    """One language with optional minimum levels (codes 2, 3 or 4)."""

    code_taal: str
    minimaal_mondeling: int | None = None
    minimaal_schriftelijk: int | None = None

    def met_by(self, item: Mapping[str, Any]) -> bool:
        return (
            item.get("codeTaal") == self.code_taal
            and _at_least(item.get("codeNiveauTaalbeheersingMondeling"), self.minimaal_mondeling)
            and _at_least(item.get("codeNiveauTaalbeheersingSchriftelijk"), self.minimaal_schriftelijk)
        )


def _at_least(level: Any, minimum: int | None) -> bool:
    if minimum is None:
        return True
    return isinstance(level, int) and not isinstance(level, bool) and level >= minimum


@dataclass(frozen=True)
class Languages(Criterion):
    """`{array: {$all: [{$elemMatch: {codeTaal, ...Mondeling: {$gte}, ...}}]}}`."""

    path: Path
    eisen: tuple[Taaleis, ...]

    def matches(self, record: Record) -> bool:
        items = elements(record, self.path)
        return all(any(eis.met_by(item) for item in items) for eis in self.eisen)


@dataclass(frozen=True)
class Transport(Criterion):
    """Extension: every listed means of transport is present (and, for job seekers, not marked
    as unavailable for commuting)."""

    path: Path
    codes: frozenset[int]
    for_commuting: bool

    def matches(self, record: Record) -> bool:
        available = {
            item.get("codeVervoermiddel")
            for item in elements(record, self.path)
            if not (
                self.for_commuting
                and item.get("indicatieBeschikbaarVoorWoonWerkverkeer") == NOT_AVAILABLE_FOR_COMMUTING
            )
        }
        return self.codes <= available


@dataclass(frozen=True)
class TextContains(Criterion):
    """Extension: some element's text contains one of the words (case-insensitive)."""

    path: Path
    key: str
    words: tuple[str, ...]

    def matches(self, record: Record) -> bool:
        for item in elements(record, self.path):
            text = item.get(self.key)
            if isinstance(text, str) and any(word in text.casefold() for word in self.words):
                return True
        return False


@dataclass(frozen=True)
class WithinOwnReach(Criterion):
    """Extension: the selectiegebied's centre lies within the job seeker's own
    `maximaleReisafstand` (records without one are not restricted)."""

    postcode_path: Path
    reach_path: Path
    centre: str
    table: PostcodeTable = field(compare=False, repr=False)

    def matches(self, record: Record) -> bool:
        reach = lookup(record, self.reach_path)
        if not isinstance(reach, int) or isinstance(reach, bool):
            return True
        postcode = lookup(record, self.postcode_path)
        if not isinstance(postcode, str):
            return False
        distance = self.table.distance_km(postcode, self.centre)
        return distance is not None and distance <= reach


@dataclass(frozen=True)
class Selectievraag:
    """A parsed selectievraag: all criteria must match.

    `values` keeps the selectievraag as given (plain data, the standard's codes) for adapters that
    pass it on to another system, such as an existing VUM source.
    """

    soort: str  # WERKZOEKENDE or VACATURE
    criteria: tuple[Criterion, ...]
    values: Mapping[str, Any] = field(default_factory=dict, compare=False)

    def matches(self, record: Record) -> bool:
        return all(criterion.matches(record) for criterion in self.criteria)

    @property
    def extensions(self) -> frozenset[str]:
        """The extension criteria this selectievraag uses."""
        return frozenset(c.name for c in self.criteria if c.name in EXTENSIONS)


# -- parsing ----------------------------------------------------------------------------------


def _area(values: Mapping[str, Any], path: Path, table: PostcodeTable) -> InArea:
    gebied = values["selectiegebied"]
    postcode, afstand = gebied["postcode"], gebied["afstand"]
    if pc4(postcode) not in table:
        raise SelectievraagError(f"selectiegebied.postcode {postcode}: unknown postcode area {pc4(postcode)}")
    return InArea("selectiegebied", path, table.areas_within(postcode, afstand))


def _hours(values: Mapping[str, Any], path: Path) -> list[Criterion]:
    uren = values.get("aantalWerkurenPerWeek") or {}
    criteria: list[Criterion] = []
    if uren.get("minimaal") is not None:
        criteria.append(
            Compare("aantalWerkurenPerWeek", (*path, "aantalWerkurenPerWeekMaximaal"), "gte", uren["minimaal"])
        )
    if uren.get("maximaal") is not None:
        criteria.append(
            Compare("aantalWerkurenPerWeek", (*path, "aantalWerkurenPerWeekMinimaal"), "lte", uren["maximaal"])
        )
    return criteria


def _languages(values: Mapping[str, Any], path: Path) -> list[Criterion]:
    eisen = tuple(
        Taaleis(item["codeTaal"], item.get("minimaalMondeling"), item.get("minimaalSchriftelijk"))
        for item in values.get("taalbeheersing") or ()
    )
    for eis in eisen:
        for level in (eis.minimaal_mondeling, eis.minimaal_schriftelijk):
            if level is not None and level not in (2, 3, 4):
                raise SelectievraagError(
                    f"taalbeheersing {eis.code_taal}: a minimum level must be REDELIJK, GOED or UITSTEKEND"
                )
    return [Languages("taalbeheersing", path, eisen)] if eisen else []


def _set(values: Mapping[str, Any], name: str) -> frozenset[Any]:
    return frozenset(values.get(name) or ())


def _common(values: Mapping[str, Any], paths: Mapping[str, Path]) -> list[Criterion]:
    """Criteria that mean the same for job seekers and vacancies, at their own paths."""
    criteria: list[Criterion] = []
    if values.get("indicatieOnregelmatigWerkOfPloegendienst") is not None:
        criteria.append(
            Compare(
                "indicatieOnregelmatigWerkOfPloegendienst",
                paths["onregelmatig"],
                "eq",
                values["indicatieOnregelmatigWerkOfPloegendienst"],
            )
        )
    if _set(values, "rijbewijs"):
        criteria.append(EveryValue("rijbewijs", paths["rijbewijs"], "codeSoortRijbewijs", _set(values, "rijbewijs")))
    criteria += _languages(values, paths["taalbeheersing"])
    criteria += _hours(values, ("werktijden",))
    if _set(values, "typeOvereenkomst"):
        criteria.append(
            AnyElement("typeOvereenkomst", ("contractvorm",), "codeTypeOvereenkomst", _set(values, "typeOvereenkomst"))
        )
    if _set(values, "competentie"):
        criteria.append(AnyElement("competentie", paths["competentie"], "codeCompetentie", _set(values, "competentie")))
    return criteria


WERKZOEKENDE_PATHS: dict[str, Path] = {
    "postcode": ("mobiliteit", "bemiddelingspostcode"),
    "onregelmatig": ("flexibiliteit", "indicatieOnregelmatigWerkOfPloegendienst"),
    "rijbewijs": ("arbeidsmarktkwalificatie", "rijbewijs"),
    "taalbeheersing": ("arbeidsmarktkwalificatie", "taalbeheersing"),
    "competentie": ("arbeidsmarktkwalificatie", "competentiebeheersing"),
}

VACATURE_PATHS: dict[str, Path] = {
    "postcode": ("adres", "postcode"),
    "onregelmatig": ("flexibiliteit", "indicatieOnregelmatigWerkOfPloegendienst"),
    "rijbewijs": ("rijbewijs",),
    "taalbeheersing": ("taalbeheersing",),
    "competentie": ("competentiebeheersing",),
}


def parse_werkzoekende_vraag(values: Mapping[str, Any], table: PostcodeTable) -> Selectievraag:
    """A `WerkzoekendeSelectievraag` (plain values, wire codes) as criteria."""
    paths = WERKZOEKENDE_PATHS
    criteria: list[Criterion] = [_area(values, paths["postcode"], table)]
    if _set(values, "bemiddelingsberoep"):
        criteria.append(
            AnyElement(
                "bemiddelingsberoep", ("bemiddelingsberoep",), "codeBeroepsnaam", _set(values, "bemiddelingsberoep")
            )
        )
    if _set(values, "contractvorm"):
        criteria.append(
            AnyElement("contractvorm", ("contractvorm",), "codeTypeArbeidscontract", _set(values, "contractvorm"))
        )
    if values.get("datumAanvangBeschikbaarVoorWerk") is not None:
        criteria.append(
            Compare(
                "datumAanvangBeschikbaarVoorWerk",
                ("flexibiliteit", "datumAanvangBeschikbaarVoorWerk"),
                "lte",
                values["datumAanvangBeschikbaarVoorWerk"],
            )
        )
    if values.get("indicatieKantoortijden") is not None:
        criteria.append(
            Compare(
                "indicatieKantoortijden",
                ("werktijden", "indicatieKantoortijden"),
                "eq",
                values["indicatieKantoortijden"],
            )
        )
    criteria += _common(values, paths)
    if _set(values, "vervoermiddel"):
        criteria.append(
            Transport("vervoermiddel", ("vervoermiddel",), _set(values, "vervoermiddel"), for_commuting=True)
        )
    words = tuple(word.casefold() for word in values.get("interesse") or () if word.strip())
    if words:
        criteria.append(TextContains("interesse", ("arbeidsmarktkwalificatie", "interesse"), "naamInteresse", words))
    if values.get("respecteerMaximaleReisafstand"):
        centre = values["selectiegebied"]["postcode"]
        criteria.append(
            WithinOwnReach(
                "respecteerMaximaleReisafstand", paths["postcode"], ("mobiliteit", "maximaleReisafstand"), centre, table
            )
        )
    return Selectievraag(WERKZOEKENDE, tuple(criteria), values)


def parse_vacature_vraag(values: Mapping[str, Any], table: PostcodeTable) -> Selectievraag:
    """A `VacatureSelectievraag` (plain values, wire codes) as criteria."""
    paths = VACATURE_PATHS
    criteria: list[Criterion] = [_area(values, paths["postcode"], table)]
    if values.get("beroep") is not None:
        criteria.append(Compare("beroep", ("beroep", "codeBeroepsnaam"), "eq", values["beroep"]))
    criteria += _werk_en_denkniveau(values.get("codeWerkEnDenkniveauMinimaal"))
    if values.get("datumAanvangWerkzaamheden") is not None:
        criteria.append(
            Compare(
                "datumAanvangWerkzaamheden",
                ("arbeidsVoorwaarden", "datumAanvangWerkzaamheden"),
                "gte",
                values["datumAanvangWerkzaamheden"],
            )
        )
    criteria += _common(values, paths)
    if _set(values, "vervoermiddel"):
        criteria.append(
            Transport("vervoermiddel", ("vervoermiddel",), _set(values, "vervoermiddel"), for_commuting=False)
        )
    return Selectievraag(VACATURE, tuple(criteria), values)


def _werk_en_denkniveau(selectie: Mapping[str, Any] | None) -> list[Criterion]:
    if selectie is None:
        return []
    name, path = "codeWerkEnDenkniveauMinimaal", ("codeWerkEnDenkniveauMinimaal",)
    vanaf = selectie.get("vanaf")
    if selectie.get("nietBekend"):
        if vanaf is not None:
            raise SelectievraagError("codeWerkEnDenkniveauMinimaal: give either vanaf or nietBekend, not both")
        return [Compare(name, path, "eq", WERK_EN_DENKNIVEAU_ONBEKEND)]
    criteria: list[Criterion] = [Compare(name, path, "lt", WERK_EN_DENKNIVEAU_ONBEKEND)]
    if vanaf is not None:
        if vanaf in ("0", WERK_EN_DENKNIVEAU_ONBEKEND):
            raise SelectievraagError("codeWerkEnDenkniveauMinimaal.vanaf must be a level from 1 to 6")
        criteria.append(Compare(name, path, "gte", vanaf))
    return criteria


def first_sorted(
    records: Sequence[Record], id_field: str, vraag: Selectievraag, limit: int
) -> tuple[list[Record], bool]:
    """The first `limit` matching records in id order, and whether there were more."""
    matching = sorted((r for r in records if vraag.matches(r)), key=lambda r: str(r.get(id_field)))
    return matching[:limit], len(matching) > limit
