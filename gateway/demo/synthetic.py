"""Deterministic generator of synthetic VUM job-seeker profiles and vacancies.

Records follow the koppelvlak 3.0 JSON schemas ``Werkzoekende`` and ``Vacature``
(Bron contracts). Everything is derived from ``random.Random`` seeded by the
caller and a fixed reference date, so the same inputs always give the same data.
Postcodes use real PC4 areas from the supplied table; occupations come from the
supplied UWV BO&C list. Contact data is fake (example.org / example.com).

The personas of the VUM stories are added on top of the random records: the job
seekers Henk and Jessica in the first organisation, the vacancies of employer
Mehmet in the last one.
"""

from __future__ import annotations

import csv
import random
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path
from typing import Any, TypeVar

__all__ = [
    "REFERENTIEDATUM",
    "Beroepsnaam",
    "DemoOrganisatie",
    "Postcodegebied",
    "beroep_uri",
    "generate",
    "read_beroepen",
    "read_postcodes",
]

T = TypeVar("T")
Record = dict[str, Any]

# Fixed "today" of the demo world; never read the clock.
REFERENTIEDATUM = date(2026, 11, 1)


# --------------------------------------------------------------------------
# Public input types and readers
# --------------------------------------------------------------------------


@dataclass(frozen=True)
class Postcodegebied:
    """A Dutch four-digit postcode area with its centroid."""

    pc4: str
    lat: float
    lon: float
    plaats: str


@dataclass(frozen=True)
class Beroepsnaam:
    """A BO&C occupation (UWV beroep code and description)."""

    code: str
    omschrijving: str


@dataclass
class DemoOrganisatie:
    """Generated data of one source organisation (bron)."""

    bron_id: str
    werkzoekenden: list[dict[str, Any]]
    vacatures: list[dict[str, Any]]


def read_postcodes(path: Path) -> list[Postcodegebied]:
    """Read a PC4 centroid CSV with columns pc4,lat,lon,plaats."""
    with path.open(encoding="utf-8-sig", newline="") as fh:
        rows = list(csv.DictReader(fh))
    return [_postcode_from_row(r) for r in rows if _is_pc4(r.get("pc4", ""))]


def _postcode_from_row(row: dict[str, str]) -> Postcodegebied:
    return Postcodegebied(
        pc4=row["pc4"].strip(),
        lat=float(row["lat"]),
        lon=float(row["lon"]),
        plaats=row["plaats"].strip(),
    )


def _is_pc4(value: str | None) -> bool:
    return re.fullmatch(r"[1-9][0-9]{3}", (value or "").strip()) is not None


def read_beroepen(path: Path) -> list[Beroepsnaam]:
    """Read the `;`-separated BO&C list (code; omschrijving; parent code; parent)."""
    with path.open(encoding="utf-8-sig", newline="") as fh:
        rows = list(csv.reader(fh, delimiter=";"))
    return [
        Beroepsnaam(code=r[0].strip(), omschrijving=r[1].strip())
        for r in rows[1:]
        if len(r) >= 2 and r[0].strip().isdigit() and r[1].strip()
    ]


def beroep_uri(code: str) -> str:
    """BO&C code as URN (no offline CompetentNL mapping exists)."""
    return f"urn:uwv:boc:{code}"


# --------------------------------------------------------------------------
# Code lists and vocabularies used by the generator
# --------------------------------------------------------------------------


@dataclass(frozen=True)
class _Region:
    """PC4 range (inclusive) with a sampling weight; first match wins."""

    name: str
    first: int
    last: int
    weight: int


_REGIONS: tuple[_Region, ...] = (
    _Region("Eindhoven", 5611, 5658, 26),
    _Region("Veldhoven", 5500, 5509, 8),
    _Region("Tilburg e.o.", 5000, 5049, 14),
    _Region("Oirschot", 5688, 5689, 4),
    _Region("Best", 5680, 5685, 4),
    _Region("Helmond", 5700, 5709, 7),
    _Region("Geldrop, Nuenen, Son", 5660, 5694, 4),
    _Region("Overig Noord-Brabant", 4600, 5799, 13),
)
_REST_OF_NL_WEIGHT = 20
_FORBIDDEN_LETTERS = frozenset({"SA", "SD", "SS"})  # not issued by PostNL

_COMPETENTIES: tuple[str, ...] = (
    "samenwerken",
    "klantgericht",
    "nauwkeurig",
    "zelfstandig",
    "flexibel",
    "communicatief",
    "betrouwbaar",
    "leergierig",
    "stressbestendig",
    "oplossingsgericht",
    "plannen-en-organiseren",
    "instructies-opvolgen",
)

_COMMON_INTERESSES: tuple[str, ...] = (
    "sport",
    "muziek",
    "tuinieren",
    "fietsen",
    "dieren",
    "computers",
    "koken",
    "techniek",
)


@dataclass(frozen=True)
class _Trade:
    """A line of work: BO&C keywords plus matching sector, courses, interests."""

    keywords: tuple[str, ...]
    sbi: tuple[int, ...]
    interesses: tuple[str, ...]
    cursussen: tuple[str, ...]
    levels: tuple[str, ...]  # typical minimal werk- en denkniveau
    companies: tuple[str, ...]  # prefixes for fake company names


_TRADES: tuple[_Trade, ...] = (
    _Trade(
        ("naai", "confectie"),
        (1412, 1413),
        ("kleding", "naaien", "mode", "textiel"),
        ("Basiscursus industrieel naaien", "Patroontekenen"),
        ("2", "3"),
        ("Kledingatelier", "Confectiebedrijf", "Textielatelier"),
    ),
    _Trade(
        ("magazijn", "logistiek"),
        (5210, 4941, 5229),
        ("techniek", "logistiek", "auto's"),
        ("Heftruckcertificaat", "VCA Basis", "Reachtruckcertificaat"),
        ("2", "3"),
        ("Distributiecentrum", "Logistiek Centrum", "Transportbedrijf"),
    ),
    _Trade(
        ("kassa",),
        (4711, 4719, 4771),
        ("winkel", "mode", "klantcontact", "kleding"),
        ("Kassatraining", "Klantvriendelijk werken"),
        ("2", "3"),
        ("Supermarkt", "Bouwmarkt", "Modewinkel"),
    ),
    _Trade(
        ("schoonma",),
        (8121, 8122),
        ("opruimen", "zorg", "sport"),
        ("Vakdiploma Schoonmaak", "Veilig werken met schoonmaakmiddelen"),
        ("1", "2"),
        ("Schoonmaakbedrijf", "Facilitair Bedrijf"),
    ),
    _Trade(
        ("productie",),
        (1071, 2562, 2229, 1013),
        ("techniek", "bouwen", "sleutelen"),
        ("VCA Basis", "Orderpicken", "Lean basis"),
        ("2", "3"),
        ("Metaalwarenfabriek", "Voedingsmiddelenfabriek", "Kunststoffabriek"),
    ),
    _Trade(
        ("kok",),
        (5610, 5621, 5630),
        ("koken", "eten", "gastvrijheid"),
        ("HACCP-hygiënecode", "Sociale Hygiëne"),
        ("2", "3"),
        ("Restaurant", "Eetcafé", "Cateraar"),
    ),
    _Trade(
        ("administratie",),
        (6920, 8211, 8411),
        ("computers", "cijfers", "organiseren"),
        ("Basiscursus Excel", "Praktijkdiploma Boekhouden"),
        ("3", "4"),
        ("Administratiekantoor", "Accountantskantoor", "Servicebureau"),
    ),
    _Trade(
        ("zorg",),
        (8710, 8810, 8730),
        ("zorg", "mensen helpen", "ouderen", "kinderen"),
        ("BHV", "EHBO", "Omgaan met dementie"),
        ("3", "4"),
        ("Zorggroep", "Thuiszorg", "Woonzorgcentrum"),
    ),
)
# Fallback for occupations outside the keyword list (random BO&C picks).
_GENERAL_TRADE = _Trade(
    (),
    (4690, 7022, 8299),
    ("sport", "muziek", "computers"),
    ("BHV", "VCA Basis"),
    ("3", "4"),
    ("Handelsonderneming", "Dienstverlening", "Bedrijvengroep"),
)
_KEYWORDS = tuple(k for trade in _TRADES for k in trade.keywords)
_RANDOM_BEROEP_CHANCE = 0.15
# Keyword pools skip managerial and specialist titles: the demo is about
# practical jobs for people with a distance to the labour market.
_EXCLUDED_FROM_POOLS: tuple[str, ...] = (
    "manager",
    "hoofd",
    "directeur",
    "leider",
    "leidinggevende",
    "docent",
    "luitenant",
    "officier",
    "adviseur",
    "coördinator",
    "specialist",
    "ingenieur",
    "inspecteur",
    "functionaris",
    "consulent",
    "chef",
    "beleids",
    "onderzoeker",
    "architect",
    "opzichter",
    "controller",
    "deskundige",
    "analist",
    "commandant",
    "bestuurder",
    "ontwerper",
    "arts",
    "psycholoog",
    "supervisor",
    "praktijkopleider",
    "instructeur",
    "accountant",
    "jurist",
)

_FIRST_NAMES: tuple[str, ...] = (
    "Anouk",
    "Bram",
    "Daan",
    "Emma",
    "Fatima",
    "Gijs",
    "Hanna",
    "Ilse",
    "Joost",
    "Kevin",
    "Lisa",
    "Mohamed",
    "Noor",
    "Okan",
    "Piotr",
    "Roos",
    "Sanne",
    "Tim",
    "Yusuf",
    "Zeynep",
    "Agnieszka",
    "Marco",
    "Ahmed",
    "Esra",
    "Kim",
    "Ruud",
    "Wendy",
    "Bas",
    "Nadia",
    "Thijs",
)
_LAST_NAMES: tuple[str, ...] = (
    "de Vries",
    "Jansen",
    "van den Berg",
    "Bakker",
    "Visser",
    "Smits",
    "Meijer",
    "de Jong",
    "van Dijk",
    "Peeters",
    "van Gils",
    "Hendriks",
    "Yilmaz",
    "Kaya",
    "El Amrani",
    "Bouzid",
    "Kowalski",
    "Nowak",
    "van der Heijden",
    "Verhoeven",
    "Claassen",
    "van Rooij",
    "Willems",
    "Martens",
)
_STRAATNAMEN: tuple[str, ...] = (
    "Industrieweg",
    "Kerkstraat",
    "Stationsweg",
    "Dorpsstraat",
    "Molenstraat",
    "Ambachtsweg",
    "Nijverheidsweg",
    "Hoofdstraat",
    "Marktstraat",
    "Schoolstraat",
    "Koestraat",
    "Lindenlaan",
    "Havenweg",
    "Europalaan",
    "Transportweg",
)
_LEGAL_FORMS: tuple[str, ...] = ("B.V.", "B.V.", "V.O.F.", "")

# Telephone area codes by leading PC4 digits (fallback: 088 company number).
_AREA_CODES: tuple[tuple[str, str], ...] = (
    ("55", "040"),
    ("56", "040"),
    ("50", "013"),
    ("57", "0492"),
    ("52", "073"),
    ("48", "076"),
    ("10", "020"),
    ("30", "010"),
    ("35", "030"),
    ("25", "070"),
)

_OPLEIDINGSINSTITUTEN: dict[int, tuple[str, ...]] = {
    1: ("Basisschool De Regenboog", "Basisschool Het Palet"),
    2: ("Vmbo De Kempen", "Scholengemeenschap Zuid"),
    3: ("Lyceum Brabant", "Scholengemeenschap Zuid"),
    4: ("ROC Zuidoost-Brabant", "ROC Midden-Brabant", "ROC De Peel"),
    5: ("Hogeschool Brabant", "Hogeschool Zuid"),
    6: ("Universiteit Zuid-Nederland",),
    9: ("Opleiding in het buitenland", "Taalschool Brabant"),
}
_TOELICHTING_OPLEIDING: dict[int, tuple[str, ...]] = {
    2: ("Vmbo basisberoepsgerichte leerweg", "Vmbo kaderberoepsgerichte leerweg"),
    3: ("Havo, profiel Economie en Maatschappij", "Vwo, profiel Natuur en Techniek"),
    4: (
        "Mbo Logistiek medewerker (niveau 2)",
        "Mbo Verzorgende IG (niveau 3)",
        "Mbo Zelfstandig werkend kok (niveau 3)",
        "Mbo Medewerker mode/maatkleding (niveau 3)",
        "Mbo Financieel administratief medewerker (niveau 3)",
        "Mbo Verkoopspecialist (niveau 3)",
    ),
    5: ("Hbo Bedrijfskunde", "Hbo Verpleegkunde", "Hbo Logistiek"),
    6: ("Master Economie", "Master Werktuigbouwkunde"),
    9: ("Diploma uit het land van herkomst, niet gewaardeerd",),
}
# codeNiveauOpleiding with weight; the highest level drives werk- en denkniveau.
_NIVEAU_OPLEIDING_WEIGHTS: tuple[tuple[int, int], ...] = (
    (1, 4),
    (2, 22),
    (3, 8),
    (4, 38),
    (5, 14),
    (6, 5),
    (9, 3),
)
_DENKNIVEAU_BY_OPLEIDING: dict[int, int] = {1: 2, 2: 3, 3: 4, 4: 4, 5: 5, 6: 6, 9: 7}
_OPLEIDING_YEARS: dict[int, int] = {1: 8, 2: 4, 3: 5, 4: 3, 5: 4, 6: 5, 9: 3}

_TRAITS: tuple[str, ...] = (
    "betrouwbare",
    "gemotiveerde",
    "nauwkeurige",
    "vrolijke",
    "rustige",
    "harde",
    "leergierige",
    "sociale",
)


# --------------------------------------------------------------------------
# Small helpers
# --------------------------------------------------------------------------


def _chance(rng: random.Random, p: float) -> bool:
    """True with probability p."""
    return rng.random() < p


def _weighted(rng: random.Random, options: Sequence[tuple[T, int]]) -> T:
    """Pick a value from (value, weight) pairs."""
    return rng.choices([o for o, _ in options], weights=[w for _, w in options])[0]


def _iso_date(offset_days: int) -> str:
    """ISO date relative to the reference date."""
    return (REFERENTIEDATUM + timedelta(days=offset_days)).isoformat()


_EMPTY: tuple[object, ...] = (None, "", [], {})


def _without_empty(record: Record) -> Record:
    """Drop absent values (None, "", [] and {} count as absent in VUM)."""
    return {k: v for k, v in record.items() if v not in _EMPTY}


def _slug(text: str, max_length: int = 40) -> str:
    """Lower-case ASCII slug for e-mail and web addresses."""
    slug = re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")
    return slug[:max_length].strip("-") or "demo"


def _safe_id(text: str) -> str:
    """Make text usable inside a SafeID (^[a-zA-Z0-9_.-]{0,200}$)."""
    return re.sub(r"[^a-zA-Z0-9_.-]", "-", text)[:150] or "bron"


def _capitalize(text: str) -> str:
    return text[:1].upper() + text[1:]


def _uncapitalize(text: str) -> str:
    """Lower-case the first letter unless the word is an acronym."""
    return text if text[1:2].isupper() else text[:1].lower() + text[1:]


def _competenties(rng: random.Random, count: int) -> list[Record]:
    """Demo competence URNs (no real CompetentNL skill list is available)."""
    slugs = rng.sample(_COMPETENTIES, k=count)
    return [{"codeCompetentie": f"urn:vum:demo:competentie:{s}"} for s in slugs]


def _beroep(beroep: Beroepsnaam | None) -> Record | None:
    return None if beroep is None else {"codeBeroepsnaam": beroep_uri(beroep.code)}


def _random_name(rng: random.Random) -> tuple[str, str]:
    return rng.choice(_FIRST_NAMES), rng.choice(_LAST_NAMES)


def _telefoonnummer(rng: random.Random, pc4: str | None = None) -> str:
    """Dutch landline ("040 1234567") or mobile ("06 12345678"), max 14 chars."""
    area_code = "06" if pc4 is None else _area_code(pc4)
    digit_count = 10 - len(area_code)
    first_digit = rng.randint(1, 9) if area_code == "06" else rng.randint(2, 9)
    rest = "".join(str(rng.randint(0, 9)) for _ in range(digit_count - 1))
    return f"{area_code} {first_digit}{rest}"


def _area_code(pc4: str) -> str:
    for prefix, code in _AREA_CODES:
        if pc4.startswith(prefix):
            return code
    return "088"


def _company_name(rng: random.Random, trade: _Trade) -> str:
    """Fake company name such as 'Distributiecentrum Van Dijk B.V.'."""
    name = f"{rng.choice(trade.companies)} {_capitalize(rng.choice(_LAST_NAMES))}"
    return f"{name} {rng.choice(_LEGAL_FORMS)}".strip()[:70]


# --------------------------------------------------------------------------
# Samplers for postcodes and occupations
# --------------------------------------------------------------------------


class _PostcodeSampler:
    """Draws PC4 areas with a Noord-Brabant-heavy regional distribution."""

    def __init__(self, postcodes: Sequence[Postcodegebied]) -> None:
        if not postcodes:
            raise ValueError("the postcode table is empty")
        self._all = list(postcodes)
        self._pools = _group_by_region(self._all)

    def pick(self, rng: random.Random) -> Postcodegebied:
        pool = _weighted(rng, [(p, w) for w, p in self._pools])
        return rng.choice(pool)

    def find(self, preferred: Sequence[str], prefix: str) -> Postcodegebied:
        """First preferred PC4 present in the table, else any with the prefix."""
        by_pc4 = {p.pc4: p for p in self._all}
        for pc4 in preferred:
            if pc4 in by_pc4:
                return by_pc4[pc4]
        candidates = [p for p in self._all if p.pc4.startswith(prefix)]
        return candidates[0] if candidates else self._all[0]


def _group_by_region(
    postcodes: Sequence[Postcodegebied],
) -> list[tuple[int, list[Postcodegebied]]]:
    """Group PC4 areas per region; the rest of the country is one group."""
    pools: list[list[Postcodegebied]] = [[] for _ in _REGIONS]
    rest: list[Postcodegebied] = []
    for area in postcodes:
        index = _region_index(int(area.pc4))
        (rest if index is None else pools[index]).append(area)
    pairs = [(r.weight, p) for r, p in zip(_REGIONS, pools, strict=True)]
    pairs.append((_REST_OF_NL_WEIGHT, rest))
    return [(w, p) for w, p in pairs if p]


def _region_index(pc4: int) -> int | None:
    for index, region in enumerate(_REGIONS):
        if region.first <= pc4 <= region.last:
            return index
    return None


def _postcode(rng: random.Random, area: Postcodegebied) -> str:
    """Full postcode: real PC4 plus two random capitals (never SA/SD/SS)."""
    while True:
        letters = "".join(rng.choice("ABCDEFGHIJKLMNOPQRSTUVWXYZ") for _ in range(2))
        if letters not in _FORBIDDEN_LETTERS:
            return f"{area.pc4}{letters}"


class _BeroepSampler:
    """Draws BO&C occupations, preferring persona-relevant keywords."""

    def __init__(self, beroepen: Sequence[Beroepsnaam]) -> None:
        self._all = list(beroepen)
        self._by_keyword = {k: _pool(self._all, k) for k in _KEYWORDS}

    def pick(self, rng: random.Random, trade: _Trade) -> Beroepsnaam | None:
        """Occupation for a line of work; sometimes (or if none) a random one."""
        if not self._all:
            return None
        pools = [p for k in trade.keywords if (p := self._by_keyword[k])]
        if pools and not _chance(rng, _RANDOM_BEROEP_CHANCE):
            return rng.choice(rng.choice(pools))
        return rng.choice(self._all)

    def find(self, *names: str) -> Beroepsnaam | None:
        """Best match per name in order: equal, starts with, contains."""
        for name in names:
            found = self._find_one(name.lower())
            if found is not None:
                return found
        return None

    def _find_one(self, name: str) -> Beroepsnaam | None:
        for matches in _NAME_MATCHERS:
            for beroep in self._all:
                if matches(beroep.omschrijving.lower(), name):
                    return beroep
        return None


def _pool(beroepen: Sequence[Beroepsnaam], keyword: str) -> list[Beroepsnaam]:
    """Practical occupations containing the keyword (all of them if none remain)."""
    matching = [b for b in beroepen if keyword in b.omschrijving.lower()]
    practical = [b for b in matching if not any(w in b.omschrijving.lower() for w in _EXCLUDED_FROM_POOLS)]
    return practical or matching


# Occupation name tests, strictest first: (omschrijving, searched name) -> bool.
_NAME_MATCHERS: tuple[Callable[[str, str], bool], ...] = (
    lambda omschrijving, name: omschrijving == name,
    lambda omschrijving, name: omschrijving.startswith(name),
    lambda omschrijving, name: name in omschrijving,
)


@dataclass(frozen=True)
class _Context:
    postcodes: _PostcodeSampler
    beroepen: _BeroepSampler


# --------------------------------------------------------------------------
# Random job seekers (werkzoekenden)
# --------------------------------------------------------------------------


def _werkzoekende(rng: random.Random, ctx: _Context, id_: str, bron: str) -> Record:
    """One random job-seeker profile in the Werkzoekende detail format."""
    area = ctx.postcodes.pick(rng)
    trades = rng.sample(_TRADES, k=rng.choice((1, 1, 2)))
    kwalificatie = _arbeidsmarktkwalificatie(rng, ctx, trades)
    rijbewijzen = [r["codeSoortRijbewijs"] for r in kwalificatie.get("rijbewijs", [])]
    beroepen = [ctx.beroepen.pick(rng, rng.choice(trades)) for _ in range(rng.randint(1, 3))]
    record: Record = {
        "idWerkzoekende": id_,
        "indicatieLdrRegistratie": _ldr(rng),
        "persoonlijkePresentatie": _persoonlijke_presentatie(rng, area, beroepen[0]),
        "eisAanWerk": _eis_aan_werk(rng),
        "mobiliteit": _mobiliteit(rng, area),
        "vervoermiddel": _vervoermiddelen(rng, rijbewijzen),
        "flexibiliteit": _flexibiliteit(rng),
        "werktijden": _werktijden(rng),
        "contractvorm": _contractvormen(rng),
        "sector": [{"codeSbi": rng.choice(t.sbi)} for t in trades if _chance(rng, 0.6)],
        "bemiddelingsberoep": _unique([b for b in map(_beroep, beroepen) if b]),
        "arbeidsmarktkwalificatie": kwalificatie,
    }
    record.update(_contactgegevens(rng, id_, area, bron))
    return _without_empty(record)


def _unique(items: list[Record]) -> list[Record]:
    """Remove duplicates, keeping the first occurrence (arrays are sets)."""
    seen: list[Record] = []
    for item in items:
        if item not in seen:
            seen.append(item)
    return seen


def _ldr(rng: random.Random) -> int | None:
    """Landelijk doelgroepregister: often unknown, mostly 'nee'."""
    return _weighted(rng, [(None, 45), (1, 8), (2, 47)])


def _persoonlijke_presentatie(rng: random.Random, area: Postcodegebied, beroep: Beroepsnaam | None) -> str | None:
    """Short Dutch self-presentation, left empty for about half."""
    if not _chance(rng, 0.5):
        return None
    trait1, trait2 = rng.sample(_TRAITS, k=2)
    wish = f"als {beroep.omschrijving}" if beroep else "in een fijn team"
    return (
        f"Ik ben een {trait1} en {trait2} werker. Ik zoek werk {wish} "
        f"in de omgeving van {area.plaats}. Ik leer snel en pak graag aan."
    )


def _eis_aan_werk(rng: random.Random) -> Record | None:
    """Needs for adapted work, coaching or variation for about a fifth."""
    if not _chance(rng, 0.2):
        return None
    options = [(0, 2), (1, 3), (2, 5)]
    return {
        "indicatieAanpassingWerkomgeving": _weighted(rng, options),
        "indicatieBegeleiding": _weighted(rng, options),
        "indicatieWerkvariatie": _weighted(rng, options),
    }


# Maximum travel distance in km with weight (None: not filled in).
_REISAFSTANDEN: tuple[tuple[int | None, int], ...] = (
    (5, 6),
    (10, 14),
    (15, 14),
    (20, 12),
    (25, 14),
    (30, 10),
    (40, 8),
    (50, 8),
    (None, 6),
)


def _mobiliteit(rng: random.Random, area: Postcodegebied) -> Record:
    distance = _weighted(rng, _REISAFSTANDEN)
    travel_time = rng.choice((30, 45, 60, 90)) if _chance(rng, 0.3) else None
    return _without_empty(
        {
            "bemiddelingspostcode": _postcode(rng, area),
            "maximaleReisafstand": distance,
            "maximaleReistijd": travel_time,
        }
    )


def _vervoermiddel(code: int, commute: int | None, at_work: int | None = None) -> Record:
    return _without_empty(
        {
            "codeVervoermiddel": code,
            "indicatieBeschikbaarVoorWoonWerkverkeer": commute,
            "indicatieBeschikbaarVoorUitvoeringWerk": at_work,
        }
    )


def _vervoermiddelen(rng: random.Random, rijbewijzen: Sequence[str]) -> list[Record]:
    """Car only with a B licence; bike and public transport are common."""
    result: list[Record] = []
    has_car = "B" in rijbewijzen and _chance(rng, 0.8)
    if has_car:
        result.append(_vervoermiddel(1, 1, rng.choice((None, 1, 2))))
    if "AM" in rijbewijzen:
        result.append(_vervoermiddel(2, 1))
    if _chance(rng, 0.7):
        result.append(_vervoermiddel(3, 1))
    if not has_car or _chance(rng, 0.4):
        result.append(_vervoermiddel(5, 1))
    return result if _chance(rng, 0.9) else []


def _flexibiliteit(rng: random.Random) -> Record | None:
    if not _chance(rng, 0.85):
        return None
    return _without_empty(
        {
            "datumAanvangBeschikbaarVoorWerk": _iso_date(rng.randint(-60, 90)),
            "indicatieOnregelmatigWerkOfPloegendienst": _weighted(rng, [(None, 10), (0, 10), (1, 35), (2, 45)]),
        }
    )


def _werktijden(rng: random.Random) -> Record | None:
    """Hours per week between 16 and 40."""
    if not _chance(rng, 0.9):
        return None
    min_hours = rng.choice((16, 20, 24, 24, 28, 32, 32, 36))
    max_hours = min(40, min_hours + rng.choice((0, 4, 8, 8, 12)))
    office_hours = _weighted(rng, [(None, 10), (0, 10), (1, 45), (2, 35)])
    return _without_empty(
        {
            "aantalWerkurenPerWeekMinimaal": min_hours,
            "aantalWerkurenPerWeekMaximaal": max_hours,
            "indicatieKantoortijden": office_hours,
        }
    )


def _contractvorm(rng: random.Random) -> Record:
    """Regular jobs dominate; learning, volunteer and work-experience places mix in."""
    agreement = _weighted(rng, [("01", 78), ("02", 8), ("03", 6), ("04", 8)])
    contract = _weighted(rng, [("B", 60), ("O", 35), (None, 5)])
    if agreement == "03":
        contract = None  # volunteers have no employment contract
    return _without_empty({"codeTypeArbeidscontract": contract, "codeTypeOvereenkomst": agreement})


def _contractvormen(rng: random.Random) -> list[Record]:
    return _unique([_contractvorm(rng) for _ in range(rng.choice((1, 1, 2)))])


def _contactgegevens(rng: random.Random, id_: str, area: Postcodegebied, bron: str) -> Record:
    """Own contact data and/or the mediator's contact person, or nothing."""
    if not _chance(rng, 0.7):
        return {"indicatieBeschikbaarheidContactgegevens": 2}
    route = _weighted(rng, [("own", 40), ("contactpersoon", 30), ("both", 30)])
    first_name, last_name = _random_name(rng)
    result: Record = {"indicatieBeschikbaarheidContactgegevens": 1}
    if route != "contactpersoon":
        email = f"{_slug(first_name)}.{_slug(last_name)}{rng.randint(1, 99)}@example.org"
        result["emailadres"] = [email]
        result["telefoonnummer"] = [_telefoonnummer(rng)]
        if _chance(rng, 0.15):
            cv = f"https://cv.example.org/{id_}"
            result["webadres"] = [{"codeWebadres": 2, "url": cv}]
    if route != "own":
        result["contactpersoon"] = [_case_manager(rng, area, bron)]
    return result


def _case_manager(rng: random.Random, area: Postcodegebied, bron: str) -> Record:
    """Klantmanager as job-seeker domain contactpersoon: single e-mail and phone strings."""
    first_name, last_name = _random_name(rng)
    return {
        "naamContactpersoonAfdeling": f"Klantmanager {first_name[0]}. {last_name}"[:35],
        "emailadres": f"klantmanager.{_slug(last_name)}@{_slug(bron)}.example.org",
        "telefoonnummer": _telefoonnummer(rng, area.pc4),
    }


# --------------------------------------------------------------------------
# Arbeidsmarktkwalificatie of random job seekers
# --------------------------------------------------------------------------


def _arbeidsmarktkwalificatie(rng: random.Random, ctx: _Context, trades: Sequence[_Trade]) -> Record:
    opleidingen, denkniveau = _opleidingen(rng)
    interesses = sorted({i for t in trades for i in t.interesses}.union(_COMMON_INTERESSES))
    return _without_empty(
        {
            "codeWerkEnDenkniveauWerkzoekende": denkniveau if _chance(rng, 0.85) else None,
            "opleiding": opleidingen,
            "cursus": _cursussen(rng, trades),
            "werkervaring": _werkervaringen(rng, ctx, trades),
            "competentiebeheersing": _competenties(rng, rng.randint(0, 4)),
            "interesse": [{"naamInteresse": i} for i in rng.sample(interesses, k=rng.randint(0, 3))],
            "taalbeheersing": _taalbeheersingen(rng),
            "rijbewijs": [{"codeSoortRijbewijs": c} for c in _rijbewijzen(rng)],
        }
    )


def _opleidingen(rng: random.Random) -> tuple[list[Record], int]:
    """Zero to two educations and the resulting werk- en denkniveau."""
    if not _chance(rng, 0.9):
        return [], rng.choice((1, 2, 7))
    count = rng.choice((1, 1, 2))
    levels = sorted({_weighted(rng, _NIVEAU_OPLEIDING_WEIGHTS) for _ in range(count)})
    opleidingen = [_opleiding(rng, n) for n in levels]
    completed = [n for n, o in zip(levels, opleidingen, strict=True) if o["codeStatusOpleiding"] == 1]
    highest = max(completed) if completed else min(levels)
    return [_without_empty(o) for o in opleidingen], _DENKNIVEAU_BY_OPLEIDING[highest]


def _opleiding(rng: random.Random, level: int) -> Record:
    """One education with consistent status, diploma and dates."""
    status = _weighted(rng, [(1, 75), (2, 15), (3, 10 if level in (4, 5, 6) else 0)])
    end_year = 2027 if status == 3 else rng.randint(1990, 2025)
    start = date(end_year - _OPLEIDING_YEARS[level], 9, 1)
    end = date(end_year, 7, rng.randint(1, 15))
    if status == 2:
        end = start + timedelta(days=rng.randint(120, 700))
    return {
        "codeNiveauOpleiding": level,
        "codeStatusOpleiding": status,
        "indicatieDiploma": {1: 1, 2: 2, 3: 2}[status],
        "datumAanvangVolgenOpleiding": start.isoformat(),
        "datumEindeVolgenOpleiding": end.isoformat() if status != 3 else None,
        "datumDiploma": end.isoformat() if status == 1 else None,
        "naamOpleidingsinstituut": rng.choice(_OPLEIDINGSINSTITUTEN[level]),
        "toelichtingOpleiding": _toelichting_opleiding(rng, level),
    }


def _toelichting_opleiding(rng: random.Random, level: int) -> str | None:
    options = _TOELICHTING_OPLEIDING.get(level)
    return rng.choice(options) if options and _chance(rng, 0.7) else None


def _cursussen(rng: random.Random, trades: Sequence[_Trade]) -> list[Record]:
    names = sorted({c for t in trades for c in t.cursussen})
    count = min(len(names), rng.choice((0, 0, 1, 2)))
    return [_cursus(rng, n) for n in rng.sample(names, k=count)]


def _cursus(rng: random.Random, name: str) -> Record:
    certified = _chance(rng, 0.8)
    end = date(rng.randint(2005, 2026), rng.randint(1, 10), rng.randint(1, 28))
    return _without_empty(
        {
            "naamCursus": name,
            "indicatieCertificaat": 1 if certified else 2,
            "datumEindeVolgenCursus": end.isoformat(),
            "datumCertificaat": end.isoformat() if certified else None,
        }
    )


def _werkervaringen(rng: random.Random, ctx: _Context, trades: Sequence[_Trade]) -> list[Record]:
    """Jobs going back in time from a recent end date."""
    end = REFERENTIEDATUM - timedelta(days=rng.randint(30, 1200))
    ongoing = _chance(rng, 0.1)  # a small part-time job next to the search
    werkervaringen: list[Record] = []
    for _ in range(rng.choice((0, 1, 1, 2, 2, 3, 4))):
        start = end - timedelta(days=rng.randint(90, 2500))
        trade = rng.choice(trades)
        until = None if ongoing else end
        werkervaringen.append(_werkervaring(rng, ctx, trade, start, until))
        ongoing = False
        end = start - timedelta(days=rng.randint(14, 400))
    return werkervaringen


def _werkervaring(rng: random.Random, ctx: _Context, trade: _Trade, start: date, end: date | None) -> Record:
    return _without_empty(
        {
            "beroep": _beroep(ctx.beroepen.pick(rng, trade)),
            "datumAanvangWerkzaamheden": start.isoformat(),
            "datumEindeWerkzaamheden": end.isoformat() if end else None,
            "naamOrganisatie": _company_name(rng, trade) if _chance(rng, 0.8) else None,
        }
    )


_NATIVE_LANGUAGES: tuple[tuple[str, int], ...] = (
    ("nld", 80),
    ("tur", 5),
    ("ara", 5),
    ("pol", 5),
    ("eng", 3),
    ("deu", 2),
)


def _taalbeheersingen(rng: random.Random) -> list[Record]:
    """Dutch always present; some native speakers of other languages; some English."""
    native = _weighted(rng, _NATIVE_LANGUAGES)
    result = [_taalbeheersing(rng, "nld", native == "nld")]
    if native != "nld":
        result.append(_taalbeheersing(rng, native, True))
    for extra, p in (("eng", 0.35), ("deu", 0.08)):
        if extra != native and _chance(rng, p):
            result.append(_taalbeheersing(rng, extra, False))
    return result


def _taalbeheersing(rng: random.Random, code: str, native: bool) -> Record:
    """Levels: 2 redelijk, 3 goed, 4 uitstekend; some levels left empty."""
    levels = (3, 4, 4) if native else (2, 2, 3)
    record: Record = {"codeTaal": code}
    for skill in ("Mondeling", "Schriftelijk", "Lezen", "Luisteren"):
        if skill == "Mondeling" or _chance(rng, 0.7):
            record[f"codeNiveauTaalbeheersing{skill}"] = rng.choice(levels)
    return record


def _rijbewijzen(rng: random.Random) -> list[str]:
    """Mostly B; a few trailer, truck, moped and motorcycle licences."""
    codes: list[str] = []
    if _chance(rng, 0.65):
        codes.append("B")
        extra = (("BE", 0.12), ("C", 0.06), ("A", 0.06))
        codes += [c for c, p in extra if _chance(rng, p)]
        if "C" in codes and _chance(rng, 0.6):
            codes.append("CE")
    elif _chance(rng, 0.15):
        codes.append("AM")
    return codes


# --------------------------------------------------------------------------
# Random vacancies
# --------------------------------------------------------------------------


def _vacature(rng: random.Random, ctx: _Context, id_: str, number: str) -> Record:
    """One random vacancy in the Vacature detail format."""
    area = ctx.postcodes.pick(rng)
    beroep = ctx.beroepen.pick(rng, rng.choice(_TRADES))
    trade = _trade_of(beroep)  # employer and sector must fit the occupation
    werkgever = _werkgever(rng, trade, area)
    werktijden = _werktijden(rng) or {}
    level = rng.choice(trade.levels)
    closing = _iso_date(rng.randint(14, 90)) if _chance(rng, 0.8) else None
    record: Record = {
        "idVacature": id_,
        "naamVacature": _naam_vacature(beroep, werktijden),
        "nummerVacature": number,
        "omschrijvingVacature": _omschrijving_vacature(rng, werkgever, beroep, area, werktijden),
        "codeWerkEnDenkniveauMinimaal": level if _chance(rng, 0.85) else None,
        "sluitingsdatumVacature": closing,
        "adres": _adres(rng, area),
        "arbeidsVoorwaarden": _arbeidsvoorwaarden(rng, level),
        "beroep": _beroep(beroep),
        "sector": {"codeSbi": werkgever["sector"][0]["codeSbi"]},
        "contractvorm": _contractvormen(rng),
        "werktijden": werktijden,
        "flexibiliteit": _vacature_flexibiliteit(rng),
        "opleiding": _required_opleiding(rng, level),
        "cursus": _required_cursus(rng, trade),
        "werkervaring": _required_werkervaring(rng),
        "competentiebeheersing": _competenties(rng, rng.randint(1, 3)),
        "taalbeheersing": _required_taalbeheersing(rng),
        "rijbewijs": _required_rijbewijs(rng, trade),
        "vervoermiddel": [_vervoermiddel(5, 1)] if _chance(rng, 0.5) else [],
        "sollicitatiewijze": _sollicitatiewijzen(rng, werkgever, id_),
        "werkgever": werkgever,
    }
    return _without_empty(record)


def _trade_of(beroep: Beroepsnaam | None) -> _Trade:
    """Line of work of an occupation (general if no keyword matches)."""
    text = beroep.omschrijving.lower() if beroep else ""
    for trade in _TRADES:
        if any(k in text for k in trade.keywords):
            return trade
    return _GENERAL_TRADE


def _naam_vacature(beroep: Beroepsnaam | None, werktijden: Record) -> str:
    title = _capitalize(beroep.omschrijving) if beroep else "Medewerker"
    low = werktijden.get("aantalWerkurenPerWeekMinimaal")
    high = werktijden.get("aantalWerkurenPerWeekMaximaal")
    if low is None or high is None:
        return title[:120]
    hours = f"{low}" if low == high else f"{low}-{high}"
    return f"{title[:100]} ({hours} uur)"


def _omschrijving_vacature(
    rng: random.Random,
    werkgever: Record,
    beroep: Beroepsnaam | None,
    area: Postcodegebied,
    werktijden: Record,
) -> str | None:
    """Dutch vacancy text from a few building blocks."""
    if not _chance(rng, 0.9):
        return None
    job = _uncapitalize(beroep.omschrijving) if beroep else "medewerker"
    company = werkgever["handelsnaamOrganisatie"]
    sentences = [f"{company} in {area.plaats} zoekt een {job}."]
    if (max_hours := werktijden.get("aantalWerkurenPerWeekMaximaal")) is not None:
        sentences.append(f"Je werkt maximaal {max_hours} uur per week.")
    sentences += rng.sample(_VACATURE_SENTENCES, k=2)
    return " ".join(sentences)


_VACATURE_SENTENCES: tuple[str, ...] = (
    "Je werkt in een klein en gezellig team.",
    "Ervaring is mooi meegenomen, maar niet noodzakelijk.",
    "Je krijgt een goede inwerkperiode met een vaste collega als maatje.",
    "Wij bieden ruimte om een opleiding of cursus te volgen.",
    "Het bedrijf is goed bereikbaar met het openbaar vervoer.",
    "Je bent flexibel inzetbaar, ook op zaterdag.",
)


def _adres(rng: random.Random, area: Postcodegebied) -> Record:
    """Work location: postcode always, street and number mostly."""
    postcode = _postcode(rng, area)
    if not _chance(rng, 0.85):
        return {"postcode": postcode}
    suffix = rng.choice(("A", "B", "-2")) if _chance(rng, 0.1) else None
    return _without_empty(
        {
            "postcode": postcode,
            "straatnaam": rng.choice(_STRAATNAMEN),
            "huisnummer": rng.randint(1, 250),
            "huisnummertoevoeging": suffix,
        }
    )


def _arbeidsvoorwaarden(rng: random.Random, level: str) -> Record:
    """Start date, optional end date, conditions and an hourly wage indication."""
    start_offset = rng.randint(14, 120)
    base = 14.75 + 1.5 * max(0, int(level) - 2) + rng.choice((0.0, 0.5, 1.0))
    wage = f"€ {base:.2f} - € {base + rng.choice((1.5, 2.5, 3.5)):.2f} bruto per uur"
    return _without_empty(
        {
            "datumAanvangWerkzaamheden": _iso_date(start_offset),
            "datumEindeWerkzaamheden": _iso_date(start_offset + 182) if _chance(rng, 0.2) else None,
            "omschrijvingArbeidsvoorwaarden": rng.choice(
                (
                    "Salaris volgens cao, 8% vakantiegeld en reiskostenvergoeding.",
                    "Contract voor zes maanden met uitzicht op een vast dienstverband.",
                    "Goede pensioenregeling en ruimte voor opleiding.",
                    None,
                )
            ),
            "salarisIndicatie": wage.replace(".", ",") if _chance(rng, 0.7) else None,
        }
    )


def _werkgever(rng: random.Random, trade: _Trade, area: Postcodegebied) -> Record:
    """Employer with fake web address and a contact person (arrays of contact data)."""
    name = _company_name(rng, trade)
    domain = f"{_slug(name)}.example.com"
    first_name, last_name = _random_name(rng)
    contact = _without_empty(
        {
            "naamContactpersoonAfdeling": f"{first_name} {last_name} (HR)"[:35],
            "emailadres": [f"vacatures@{domain}"],
            "telefoonnummer": [_telefoonnummer(rng, area.pc4)] if _chance(rng, 0.7) else [],
        }
    )
    website = {"codeWebadres": 3, "url": f"https://www.{domain}"}
    return _without_empty(
        {
            "handelsnaamOrganisatie": name,
            "sector": [{"codeSbi": rng.choice(trade.sbi)}],
            "webadres": [website] if _chance(rng, 0.6) else [],
            "contactpersoon": [contact] if _chance(rng, 0.8) else [],
        }
    )


def _vacature_flexibiliteit(rng: random.Random) -> Record | None:
    irregular = _weighted(rng, [(None, 30), (1, 30), (2, 40)])
    if irregular is None:
        return None
    return {"indicatieOnregelmatigWerkOfPloegendienst": irregular}


def _required_opleiding(rng: random.Random, level: str) -> list[Record]:
    """Education requirement for about half of the vacancies."""
    if not _chance(rng, 0.5):
        return []
    code = {"1": 2, "2": 2, "3": 2, "4": 4, "5": 5, "6": 6}.get(level, 4)
    diploma = rng.choice((1, 2))
    note = "Diploma is een pré, maar niet verplicht." if diploma == 2 else None
    return [
        _without_empty(
            {
                "codeNiveauOpleiding": code,
                "indicatieDiploma": diploma,
                "toelichtingOpleiding": note,
            }
        )
    ]


def _required_werkervaring(rng: random.Random) -> list[Record]:
    if not _chance(rng, 0.4):
        return []
    return [{"aantalJarenWerkzaamInBeroep": rng.choice((1, 1, 2, 3, 5))}]


def _required_cursus(rng: random.Random, trade: _Trade) -> list[Record]:
    if not _chance(rng, 0.3):
        return []
    name = rng.choice(trade.cursussen)
    return [{"naamCursus": name, "indicatieCertificaat": rng.choice((1, 2))}]


def _required_taalbeheersing(rng: random.Random) -> list[Record]:
    nld: Record = {
        "codeTaal": "nld",
        "codeNiveauTaalbeheersingMondeling": rng.choice((2, 3)),
    }
    result = [nld]
    if _chance(rng, 0.3):
        nld["codeNiveauTaalbeheersingSchriftelijk"] = rng.choice((2, 3))
    if _chance(rng, 0.15):
        result.append({"codeTaal": "eng", "codeNiveauTaalbeheersingMondeling": 2})
    return result if _chance(rng, 0.8) else []


def _required_rijbewijs(rng: random.Random, trade: _Trade) -> list[Record]:
    if "logistiek" in trade.keywords and _chance(rng, 0.35):
        return [{"codeSoortRijbewijs": rng.choice(("B", "C", "CE"))}]
    return [{"codeSoortRijbewijs": "B"}] if _chance(rng, 0.08) else []


def _sollicitatiewijzen(rng: random.Random, werkgever: Record, id_: str) -> list[Record]:
    """E-mail, online form (with URL) and/or phone."""
    domain = f"{_slug(werkgever['handelsnaamOrganisatie'])}.example.com"
    form: Record = {
        "codeSollicitatiewijze": "4",
        "webadres": {"codeWebadres": 4, "url": f"https://www.{domain}/vacatures/{id_}"},
    }
    email: Record = {"codeSollicitatiewijze": "3"}
    phone: Record = {"codeSollicitatiewijze": "2"}
    options = [email, form, phone]
    return rng.sample(options, k=rng.choice((0, 1, 1, 2)))


# --------------------------------------------------------------------------
# Personas: Henk and Jessica (job seekers), Mehmet (employer)
# --------------------------------------------------------------------------


def _taalbeheersing_nld(spoken: int, written: int) -> Record:
    return {
        "codeTaal": "nld",
        "codeNiveauTaalbeheersingMondeling": spoken,
        "codeNiveauTaalbeheersingSchriftelijk": written,
        "codeNiveauTaalbeheersingLezen": written,
        "codeNiveauTaalbeheersingLuisteren": spoken,
    }


def _fixed_competenties(*slugs: str) -> list[Record]:
    return [{"codeCompetentie": f"urn:vum:demo:competentie:{s}"} for s in slugs]


def _interesses(*names: str) -> list[Record]:
    return [{"naamInteresse": n} for n in names]


def _fixed_werkervaring(
    ctx: _Context,
    names: Sequence[str],
    period: tuple[str, str],
    organisation: str,
    note: str | None = None,
) -> Record:
    """Fixed work experience; the occupation is looked up in the BO&C list."""
    return _without_empty(
        {
            "beroep": _beroep(ctx.beroepen.find(*names)),
            "datumAanvangWerkzaamheden": period[0],
            "datumEindeWerkzaamheden": period[1],
            "naamOrganisatie": organisation,
            "toelichtingWerkervaring": note,
        }
    )


def _beroepen(ctx: _Context, *search_names: Sequence[str]) -> list[Record]:
    found = [_beroep(ctx.beroepen.find(*names)) for names in search_names]
    return _unique([b for b in found if b])


_HENK_PRESENTATIE = (
    "Ik ben Henk, vader van een dochter van acht. Vanaf mijn achttiende heb ik "
    "gewerkt, vooral in magazijnen en in de productie. Ik zoek werk voor "
    "maximaal drie dagen per week (ongeveer 24 uur), overdag, zodat ik voor "
    "mijn dochter kan blijven zorgen. Ik heb geen auto; mijn werk moet goed "
    "bereikbaar zijn met het openbaar vervoer of de fiets. Ik kom pas echt tot "
    "mijn recht op de werkvloer, niet in een sollicitatiegesprek. Ik bepaal "
    "graag zelf welke gegevens ik deel; contact loopt via mijn klantmanager."
)


def _henk(rng: random.Random, ctx: _Context) -> Record:
    """Henk, 42, Veldhoven: max. 3 days a week, no car, contact via klantmanager."""
    area = ctx.postcodes.find(("5504",), "550")
    return _without_empty(
        {
            "idWerkzoekende": "henk",
            "indicatieBeschikbaarheidContactgegevens": 1,
            "persoonlijkePresentatie": _HENK_PRESENTATIE,
            "mobiliteit": {
                "bemiddelingspostcode": _postcode(rng, area),
                "maximaleReisafstand": 25,
                "maximaleReistijd": 45,
            },
            "vervoermiddel": [_vervoermiddel(5, 1, 2), _vervoermiddel(3, 1, 2)],
            "flexibiliteit": {
                "datumAanvangBeschikbaarVoorWerk": REFERENTIEDATUM.isoformat(),
                "indicatieOnregelmatigWerkOfPloegendienst": 2,
            },
            "werktijden": {
                "aantalWerkurenPerWeekMinimaal": 16,
                "aantalWerkurenPerWeekMaximaal": 24,
                "indicatieKantoortijden": 1,
            },
            "contractvorm": [
                {"codeTypeArbeidscontract": "O", "codeTypeOvereenkomst": "01"},
                {"codeTypeArbeidscontract": "B", "codeTypeOvereenkomst": "01"},
            ],
            "sector": [{"codeSbi": 5210}, {"codeSbi": 2229}],
            "bemiddelingsberoep": _beroepen(
                ctx,
                ("magazijnmedewerker", "magazijn"),
                ("productiemedewerker", "productie"),
                ("medewerker inpakafdeling", "inpak"),
            ),
            "arbeidsmarktkwalificatie": _henk_kwalificatie(ctx),
            # No own e-mail or phone: Henk does not want to share more than needed.
            "contactpersoon": [
                {
                    "naamContactpersoonAfdeling": "Klantmanager gemeente Veldhoven",
                    "emailadres": "klantmanager.werk@veldhoven.example.org",
                    "telefoonnummer": "040 1234567",
                }
            ],
        }
    )


def _henk_kwalificatie(ctx: _Context) -> Record:
    return {
        "codeWerkEnDenkniveauWerkzoekende": 3,
        "opleiding": [
            {
                "codeNiveauOpleiding": 2,
                "codeStatusOpleiding": 1,
                "indicatieDiploma": 1,
                "datumAanvangVolgenOpleiding": "1996-09-01",
                "datumEindeVolgenOpleiding": "2000-07-01",
                "datumDiploma": "2000-07-01",
                "toelichtingOpleiding": "Vmbo basisberoepsgerichte leerweg, techniek",
            },
            {
                "codeNiveauOpleiding": 4,
                "codeStatusOpleiding": 2,
                "indicatieDiploma": 2,
                "datumAanvangVolgenOpleiding": "2000-09-01",
                "datumEindeVolgenOpleiding": "2002-03-01",
                "toelichtingOpleiding": "Mbo Logistiek medewerker (niveau 2), gestopt om te gaan werken",
            },
        ],
        "cursus": [
            {
                "naamCursus": "Heftruckcertificaat",
                "indicatieCertificaat": 1,
                "datumCertificaat": "2005-03-15",
            },
            {
                "naamCursus": "VCA Basis",
                "indicatieCertificaat": 1,
                "datumCertificaat": "2013-06-10",
            },
        ],
        "werkervaring": [
            _fixed_werkervaring(
                ctx,
                ("magazijnmedewerker", "magazijn"),
                ("2002-09-01", "2010-12-31"),
                "Distributiecentrum De Kempen B.V.",
                "Orderpicken, laden en lossen, werken met de heftruck.",
            ),
            _fixed_werkervaring(
                ctx,
                ("productiemedewerker", "productie"),
                ("2011-01-15", "2019-02-28"),
                "Kunststofverwerking Zuid B.V.",
                "Machines bedienen en kwaliteitscontrole; einde door reorganisatie.",
            ),
        ],
        "competentiebeheersing": _fixed_competenties("samenwerken", "nauwkeurig", "betrouwbaar"),
        "interesse": _interesses("techniek", "fietsen", "koken"),
        "taalbeheersing": [_taalbeheersing_nld(4, 3)],
    }


_JESSICA_PRESENTATIE = (
    "Ik ben Jessica, alleenstaande moeder van twee kinderen. Na mijn "
    "mbo-diploma heb ik bij verschillende werkgevers gewerkt, vaak in korte "
    "banen. Door fysieke en psychische klachten ben ik minder flexibel; een "
    "werkgever met begrip daarvoor en begeleiding op de werkvloer helpen mij. "
    "Ik sta open voor werk verder van huis en wil eventueel eerst beginnen "
    "met vrijwilligerswerk of een leerbaan. Een baan waarvoor geen diploma of "
    "ervaring nodig is, vind ik prima. Kleding en mode vind ik erg leuk."
)


def _jessica(rng: random.Random, ctx: _Context) -> Record:
    """Jessica, 39, Oirschot: mbo, many short jobs, needs coaching, open to more."""
    area = ctx.postcodes.find(("5688",), "568")
    return _without_empty(
        {
            "idWerkzoekende": "jessica",
            "indicatieBeschikbaarheidContactgegevens": 1,
            "indicatieLdrRegistratie": 2,
            "persoonlijkePresentatie": _JESSICA_PRESENTATIE,
            "eisAanWerk": {
                "indicatieAanpassingWerkomgeving": 0,
                "indicatieBegeleiding": 1,
                "indicatieWerkvariatie": 1,
            },
            "mobiliteit": {
                "bemiddelingspostcode": _postcode(rng, area),
                "maximaleReisafstand": 50,
                "maximaleReistijd": 60,
            },
            "vervoermiddel": [_vervoermiddel(5, 1), _vervoermiddel(3, 1)],
            "flexibiliteit": {
                "datumAanvangBeschikbaarVoorWerk": _iso_date(14),
                "indicatieOnregelmatigWerkOfPloegendienst": 2,
            },
            "werktijden": {
                "aantalWerkurenPerWeekMinimaal": 16,
                "aantalWerkurenPerWeekMaximaal": 28,
                "indicatieKantoortijden": 1,
            },
            "contractvorm": [
                {"codeTypeOvereenkomst": "03"},  # volunteer work: no employment contract
                {"codeTypeArbeidscontract": "B", "codeTypeOvereenkomst": "02"},
                {"codeTypeArbeidscontract": "B", "codeTypeOvereenkomst": "01"},
            ],
            "sector": [{"codeSbi": 4711}, {"codeSbi": 1413}],
            "bemiddelingsberoep": _beroepen(
                ctx,
                ("kassamedewerker winkel", "kassa"),
                ("winkelmedewerker supermarkt",),
                ("productiemedewerker textiel", "naaister kleding", "confectie"),
            ),
            "arbeidsmarktkwalificatie": _jessica_kwalificatie(ctx),
            "emailadres": ["jessica.demo@example.org"],
            "telefoonnummer": ["06 12345678"],
        }
    )


# Jessica's first job and many short jobs: (search names, period, organisation).
_JESSICA_JOBS: tuple[tuple[tuple[str, ...], tuple[str, str], str], ...] = (
    (
        ("administratief medewerker", "administratie"),
        ("2006-09-01", "2013-03-31"),
        "Administratiekantoor Van Gils B.V.",
    ),
    (("kassamedewerker winkel", "kassa"), ("2014-04-01", "2014-12-31"), "Supermarkt De Linde"),
    (
        ("medewerker schoonmaak (hotel, instelling)", "schoonma"),
        ("2015-03-01", "2015-09-30"),
        "Schoonmaakbedrijf Van Rooij",
    ),
    (("productiemedewerker wasserij", "productie"), ("2016-01-15", "2016-06-30"), "Uitzendbureau Kempenland"),
    (("vakkenvuller",), ("2017-02-01", "2017-10-31"), "Supermarkt Het Hoefblad"),
    (("keukenhulp (horeca)", "kok"), ("2018-05-01", "2018-12-31"), "Eetcafé De Brabander"),
    (("magazijnmedewerker webshop", "magazijn"), ("2019-09-01", "2020-03-31"), "Webwinkel Zuid B.V."),
    (("winkelmedewerker supermarkt",), ("2021-06-01", "2022-01-31"), "Supermarkt De Linde"),
)


def _jessica_kwalificatie(ctx: _Context) -> Record:
    return {
        "codeWerkEnDenkniveauWerkzoekende": 4,
        "opleiding": [
            {
                "codeNiveauOpleiding": 4,
                "codeStatusOpleiding": 1,
                "indicatieDiploma": 1,
                "datumAanvangVolgenOpleiding": "2003-09-01",
                "datumEindeVolgenOpleiding": "2006-07-01",
                "datumDiploma": "2006-07-01",
                "naamOpleidingsinstituut": "ROC Zuidoost-Brabant",
                "toelichtingOpleiding": "Mbo Financieel administratief medewerker",
            }
        ],
        "cursus": [
            {
                "naamCursus": "Basiscursus Excel",
                "indicatieCertificaat": 1,
                "datumCertificaat": "2012-05-20",
            },
            {"naamCursus": "Kassatraining", "indicatieCertificaat": 2},
        ],
        "werkervaring": [_fixed_werkervaring(ctx, *job) for job in _JESSICA_JOBS],
        "competentiebeheersing": _fixed_competenties("klantgericht", "communicatief", "leergierig"),
        "interesse": _interesses("kleding", "mode", "winkel", "creatief bezig zijn"),
        "taalbeheersing": [
            _taalbeheersing_nld(4, 4),
            {
                "codeTaal": "eng",
                "codeNiveauTaalbeheersingMondeling": 2,
                "codeNiveauTaalbeheersingSchriftelijk": 2,
            },
        ],
        "rijbewijs": [{"codeSoortRijbewijs": "B"}],
    }


_MEHMET_COMPANY = "Confectieatelier Mehmet B.V."
_MEHMET_DOMAIN = "confectieatelier-mehmet.example.com"
_MEHMET_PITCH = (
    "Mehmet geeft mensen graag een nieuwe kans, ook als je een tijd niet hebt "
    "gewerkt of geen diploma hebt. Motivatie en een goede klik met het team "
    "vinden wij belangrijker dan je cv."
)


@dataclass(frozen=True)
class _MehmetVacature:
    id_: str
    number: str
    pc4: tuple[str, ...]  # preferred PC4 areas
    prefix: str  # fallback PC4 prefix
    street: str
    house_number: int
    phone: str
    beroepen: tuple[str, ...]
    title: str
    level: str
    contract: tuple[str, str]  # (codeTypeArbeidscontract, codeTypeOvereenkomst)
    text: str
    sbi: int


_MEHMET_VACATURES: tuple[_MehmetVacature, ...] = (
    _MehmetVacature(
        "mehmet-eindhoven-naaister",
        "CM-2026-001",
        ("5652", "5651", "5623"),
        "56",
        "Kleermakersweg",
        12,
        "040 7654321",
        ("naaister kleding", "naai"),
        "Naaister/naaier bedrijfskleding (24-32 uur)",
        "2",
        ("B", "01"),
        "Voor onze vestiging in Eindhoven zoeken we een naaister of naaier. Je naait "
        "bedrijfskleding voor politiekorpsen en hotel- en restaurantketens. Ervaring "
        "of een diploma is niet nodig: je leert het vak bij ons op de werkvloer.",
        1412,
    ),
    _MehmetVacature(
        "mehmet-tilburg-naaister",
        "CM-2026-002",
        ("5048", "5047", "5015"),
        "50",
        "Wolspinnersstraat",
        7,
        "013 7654321",
        ("naaister kleding", "naai"),
        "Leerbaan naaister/naaier confectie Tilburg (24-32 uur)",
        "2",
        ("B", "02"),
        "In onze vestiging in Tilburg bieden we een leerbaan: je leert naaien op "
        "industriële naaimachines, met begeleiding van een ervaren collega. Een "
        "diploma is niet nodig.",
        1413,
    ),
    _MehmetVacature(
        "mehmet-eindhoven-magazijn",
        "CM-2026-003",
        ("5652", "5651", "5623"),
        "56",
        "Kleermakersweg",
        12,
        "040 7654321",
        ("magazijnmedewerker", "magazijn"),
        "Magazijnmedewerker kledinglogistiek (24-32 uur)",
        "3",
        ("B", "01"),
        "Voor ons magazijn in Eindhoven zoeken we een magazijnmedewerker die orders "
        "verzamelt, inpakt en klaarzet voor onze zakelijke klanten. Ervaring is "
        "niet nodig; je wordt goed ingewerkt.",
        1412,
    ),
)


def _mehmet_vacatures(rng: random.Random, ctx: _Context) -> list[Record]:
    return [_mehmet_vacature(rng, ctx, spec) for spec in _MEHMET_VACATURES]


def _mehmet_vacature(rng: random.Random, ctx: _Context, spec: _MehmetVacature) -> Record:
    """One vacancy of Mehmet's clothing manufacturer (no diploma, reachable by public transport)."""
    area = ctx.postcodes.find(spec.pc4, spec.prefix)
    contract, agreement = spec.contract
    return _without_empty(
        {
            "idVacature": spec.id_,
            "naamVacature": spec.title,
            "nummerVacature": spec.number,
            "omschrijvingVacature": f"{_MEHMET_COMPANY[:-5]} maakt bedrijfskleding. {spec.text} {_MEHMET_PITCH}",
            "codeWerkEnDenkniveauMinimaal": spec.level,
            "sluitingsdatumVacature": _iso_date(60),
            "adres": {
                "postcode": _postcode(rng, area),
                "straatnaam": spec.street,
                "huisnummer": spec.house_number,
            },
            "arbeidsVoorwaarden": _mehmet_arbeidsvoorwaarden(),
            "beroep": _beroep(ctx.beroepen.find(*spec.beroepen)),
            "sector": {"codeSbi": spec.sbi},
            "contractvorm": [
                {
                    "codeTypeArbeidscontract": contract,
                    "codeTypeOvereenkomst": agreement,
                }
            ],
            "werktijden": {
                "aantalWerkurenPerWeekMinimaal": 24,
                "aantalWerkurenPerWeekMaximaal": 32,
                "indicatieKantoortijden": 1,
            },
            "flexibiliteit": {"indicatieOnregelmatigWerkOfPloegendienst": 2},
            "opleiding": [
                {
                    "indicatieDiploma": 2,
                    "toelichtingOpleiding": "Geen diploma nodig; je leert het vak bij ons.",
                }
            ],
            "competentiebeheersing": _fixed_competenties("nauwkeurig", "samenwerken", "leergierig"),
            "taalbeheersing": [{"codeTaal": "nld", "codeNiveauTaalbeheersingMondeling": 2}],
            "vervoermiddel": [_vervoermiddel(5, 1), _vervoermiddel(3, 1)],
            "sollicitatiewijze": [
                {"codeSollicitatiewijze": "2"},
                {"codeSollicitatiewijze": "3"},
            ],
            "werkgever": _mehmet_werkgever(spec),
        }
    )


def _mehmet_arbeidsvoorwaarden() -> Record:
    return {
        "datumAanvangWerkzaamheden": _iso_date(30),
        "omschrijvingArbeidsvoorwaarden": "Contract voor een jaar met uitzicht op "
        "een vaste baan; vaste dagdiensten, werktijden in overleg.",
        "salarisIndicatie": "€ 14,75 - € 16,50 bruto per uur",
    }


def _mehmet_werkgever(spec: _MehmetVacature) -> Record:
    """Vacancy-domain employer: contact e-mail and phone are arrays."""
    return {
        "handelsnaamOrganisatie": _MEHMET_COMPANY,
        "sector": [{"codeSbi": 1412}, {"codeSbi": 1413}],
        "webadres": [{"codeWebadres": 3, "url": f"https://www.{_MEHMET_DOMAIN}"}],
        "contactpersoon": [
            {
                "naamContactpersoonAfdeling": "Mehmet (directeur)",
                "emailadres": [f"mehmet@{_MEHMET_DOMAIN}"],
                "telefoonnummer": [spec.phone],
            }
        ],
    }


# --------------------------------------------------------------------------
# Entry point
# --------------------------------------------------------------------------


def _organisation(seed: int, bron_id: str, ctx: _Context, n_werkzoekenden: int, n_vacatures: int) -> DemoOrganisatie:
    """Random records of one organisation, from its own seeded generator."""
    rng = random.Random(f"{seed}/{bron_id}")
    key = _safe_id(bron_id)
    werkzoekenden = [_werkzoekende(rng, ctx, f"wz-{key}-{i:04d}", bron_id) for i in range(1, n_werkzoekenden + 1)]
    vacatures = [
        _vacature(rng, ctx, f"vac-{key}-{i:04d}", f"V2026-{i % 100000:05d}") for i in range(1, n_vacatures + 1)
    ]
    return DemoOrganisatie(bron_id, werkzoekenden, vacatures)


def generate(
    seed: int,
    bron_ids: Sequence[str],
    postcodes: Sequence[Postcodegebied],
    beroepen: Sequence[Beroepsnaam],
    werkzoekenden_per_bron: int = 60,
    vacatures_per_bron: int = 30,
) -> list[DemoOrganisatie]:
    """Generate demo data per organisation; deterministic for equal inputs.

    Henk and Jessica are prepended to the job seekers of the first organisation,
    Mehmet's three vacancies to the vacancies of the last one.
    """
    if not bron_ids:
        return []
    ctx = _Context(_PostcodeSampler(postcodes), _BeroepSampler(beroepen))
    organisations = [_organisation(seed, b, ctx, werkzoekenden_per_bron, vacatures_per_bron) for b in bron_ids]
    rng = random.Random(f"{seed}/personas")
    organisations[0].werkzoekenden[:0] = [_henk(rng, ctx), _jessica(rng, ctx)]
    organisations[-1].vacatures[:0] = _mehmet_vacatures(rng, ctx)
    return organisations
