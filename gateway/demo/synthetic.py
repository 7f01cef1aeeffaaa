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
    return [_postcode_uit_rij(r) for r in rows if _is_pc4(r.get("pc4", ""))]


def _postcode_uit_rij(rij: dict[str, str]) -> Postcodegebied:
    return Postcodegebied(
        pc4=rij["pc4"].strip(),
        lat=float(rij["lat"]),
        lon=float(rij["lon"]),
        plaats=rij["plaats"].strip(),
    )


def _is_pc4(waarde: str | None) -> bool:
    return re.fullmatch(r"[1-9][0-9]{3}", (waarde or "").strip()) is not None


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
class _Regio:
    """PC4 range (inclusive) with a sampling weight; first match wins."""

    naam: str
    van: int
    tot: int
    gewicht: int


_REGIOS: tuple[_Regio, ...] = (
    _Regio("Eindhoven", 5611, 5658, 26),
    _Regio("Veldhoven", 5500, 5509, 8),
    _Regio("Tilburg e.o.", 5000, 5049, 14),
    _Regio("Oirschot", 5688, 5689, 4),
    _Regio("Best", 5680, 5685, 4),
    _Regio("Helmond", 5700, 5709, 7),
    _Regio("Geldrop, Nuenen, Son", 5660, 5694, 4),
    _Regio("Overig Noord-Brabant", 4600, 5799, 13),
)
_GEWICHT_OVERIG_NL = 20
_VERBODEN_LETTERS = frozenset({"SA", "SD", "SS"})  # not issued by PostNL

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

_ALGEMEEN_INT: tuple[str, ...] = (
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
class _Vakgebied:
    """A line of work: BO&C keywords plus matching sector, courses, interests."""

    trefwoorden: tuple[str, ...]
    sbi: tuple[int, ...]
    interesses: tuple[str, ...]
    cursussen: tuple[str, ...]
    niveaus: tuple[str, ...]  # typical minimal werk- en denkniveau
    bedrijven: tuple[str, ...]  # prefixes for fake company names


_VAKGEBIEDEN: tuple[_Vakgebied, ...] = (
    _Vakgebied(
        ("naai", "confectie"),
        (1412, 1413),
        ("kleding", "naaien", "mode", "textiel"),
        ("Basiscursus industrieel naaien", "Patroontekenen"),
        ("2", "3"),
        ("Kledingatelier", "Confectiebedrijf", "Textielatelier"),
    ),
    _Vakgebied(
        ("magazijn", "logistiek"),
        (5210, 4941, 5229),
        ("techniek", "logistiek", "auto's"),
        ("Heftruckcertificaat", "VCA Basis", "Reachtruckcertificaat"),
        ("2", "3"),
        ("Distributiecentrum", "Logistiek Centrum", "Transportbedrijf"),
    ),
    _Vakgebied(
        ("kassa",),
        (4711, 4719, 4771),
        ("winkel", "mode", "klantcontact", "kleding"),
        ("Kassatraining", "Klantvriendelijk werken"),
        ("2", "3"),
        ("Supermarkt", "Bouwmarkt", "Modewinkel"),
    ),
    _Vakgebied(
        ("schoonma",),
        (8121, 8122),
        ("opruimen", "zorg", "sport"),
        ("Vakdiploma Schoonmaak", "Veilig werken met schoonmaakmiddelen"),
        ("1", "2"),
        ("Schoonmaakbedrijf", "Facilitair Bedrijf"),
    ),
    _Vakgebied(
        ("productie",),
        (1071, 2562, 2229, 1013),
        ("techniek", "bouwen", "sleutelen"),
        ("VCA Basis", "Orderpicken", "Lean basis"),
        ("2", "3"),
        ("Metaalwarenfabriek", "Voedingsmiddelenfabriek", "Kunststoffabriek"),
    ),
    _Vakgebied(
        ("kok",),
        (5610, 5621, 5630),
        ("koken", "eten", "gastvrijheid"),
        ("HACCP-hygiënecode", "Sociale Hygiëne"),
        ("2", "3"),
        ("Restaurant", "Eetcafé", "Cateraar"),
    ),
    _Vakgebied(
        ("administratie",),
        (6920, 8211, 8411),
        ("computers", "cijfers", "organiseren"),
        ("Basiscursus Excel", "Praktijkdiploma Boekhouden"),
        ("3", "4"),
        ("Administratiekantoor", "Accountantskantoor", "Servicebureau"),
    ),
    _Vakgebied(
        ("zorg",),
        (8710, 8810, 8730),
        ("zorg", "mensen helpen", "ouderen", "kinderen"),
        ("BHV", "EHBO", "Omgaan met dementie"),
        ("3", "4"),
        ("Zorggroep", "Thuiszorg", "Woonzorgcentrum"),
    ),
)
# Fallback for occupations outside the keyword list (random BO&C picks).
_ALGEMEEN = _Vakgebied(
    (),
    (4690, 7022, 8299),
    ("sport", "muziek", "computers"),
    ("BHV", "VCA Basis"),
    ("3", "4"),
    ("Handelsonderneming", "Dienstverlening", "Bedrijvengroep"),
)
_TREFWOORDEN = tuple(t for v in _VAKGEBIEDEN for t in v.trefwoorden)
_KANS_WILLEKEURIG_BEROEP = 0.15
# Keyword pools skip managerial and specialist titles: the demo is about
# practical jobs for people with a distance to the labour market.
_NIET_IN_POOL: tuple[str, ...] = (
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

_VOORNAMEN: tuple[str, ...] = (
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
_ACHTERNAMEN: tuple[str, ...] = (
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
_STRATEN: tuple[str, ...] = (
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
_RECHTSVORMEN: tuple[str, ...] = ("B.V.", "B.V.", "V.O.F.", "")

# Telephone area codes by leading PC4 digits (fallback: 088 company number).
_NETNUMMERS: tuple[tuple[str, str], ...] = (
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

_INSTITUTEN: dict[int, tuple[str, ...]] = {
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
_NIVEAU_GEWICHTEN: tuple[tuple[int, int], ...] = (
    (1, 4),
    (2, 22),
    (3, 8),
    (4, 38),
    (5, 14),
    (6, 5),
    (9, 3),
)
_DENKNIVEAU_BIJ_OPLEIDING: dict[int, int] = {1: 2, 2: 3, 3: 4, 4: 4, 5: 5, 6: 6, 9: 7}
_OPLEIDINGSDUUR: dict[int, int] = {1: 8, 2: 4, 3: 5, 4: 3, 5: 4, 6: 5, 9: 3}

_EIGENSCHAPPEN: tuple[str, ...] = (
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


def _kans(rng: random.Random, p: float) -> bool:
    """True with probability p."""
    return rng.random() < p


def _gewogen(rng: random.Random, opties: Sequence[tuple[T, int]]) -> T:
    """Pick a value from (value, weight) pairs."""
    return rng.choices([o for o, _ in opties], weights=[g for _, g in opties])[0]


def _datum(dagen_na_referentie: int) -> str:
    """ISO date relative to the reference date."""
    return (REFERENTIEDATUM + timedelta(days=dagen_na_referentie)).isoformat()


_LEEG: tuple[object, ...] = (None, "", [], {})


def _zonder_leeg(record: Record) -> Record:
    """Drop absent values (None, "", [] and {} count as absent in VUM)."""
    return {k: v for k, v in record.items() if v not in _LEEG}


def _slug(tekst: str, max_lengte: int = 40) -> str:
    """Lower-case ASCII slug for e-mail and web addresses."""
    slug = re.sub(r"[^a-z0-9]+", "-", tekst.lower()).strip("-")
    return slug[:max_lengte].strip("-") or "demo"


def _veilig_id(tekst: str) -> str:
    """Make text usable inside a SafeID (^[a-zA-Z0-9_.-]{0,200}$)."""
    return re.sub(r"[^a-zA-Z0-9_.-]", "-", tekst)[:150] or "bron"


def _hoofdletter(tekst: str) -> str:
    return tekst[:1].upper() + tekst[1:]


def _kleine_letter(tekst: str) -> str:
    """Lower-case the first letter unless the word is an acronym."""
    return tekst if tekst[1:2].isupper() else tekst[:1].lower() + tekst[1:]


def _competenties(rng: random.Random, aantal: int) -> list[Record]:
    """Demo competence URNs (no real CompetentNL skill list is available)."""
    slugs = rng.sample(_COMPETENTIES, k=aantal)
    return [{"codeCompetentie": f"urn:vum:demo:competentie:{s}"} for s in slugs]


def _beroep(beroep: Beroepsnaam | None) -> Record | None:
    return None if beroep is None else {"codeBeroepsnaam": beroep_uri(beroep.code)}


def _naam(rng: random.Random) -> tuple[str, str]:
    return rng.choice(_VOORNAMEN), rng.choice(_ACHTERNAMEN)


def _telefoon(rng: random.Random, pc4: str | None = None) -> str:
    """Dutch landline ("040 1234567") or mobile ("06 12345678"), max 14 chars."""
    netnummer = "06" if pc4 is None else _netnummer(pc4)
    cijfers = 10 - len(netnummer)
    eerste = rng.randint(1, 9) if netnummer == "06" else rng.randint(2, 9)
    rest = "".join(str(rng.randint(0, 9)) for _ in range(cijfers - 1))
    return f"{netnummer} {eerste}{rest}"


def _netnummer(pc4: str) -> str:
    for prefix, nummer in _NETNUMMERS:
        if pc4.startswith(prefix):
            return nummer
    return "088"


def _bedrijfsnaam(rng: random.Random, vak: _Vakgebied) -> str:
    """Fake company name such as 'Distributiecentrum Van Dijk B.V.'."""
    naam = f"{rng.choice(vak.bedrijven)} {_hoofdletter(rng.choice(_ACHTERNAMEN))}"
    return f"{naam} {rng.choice(_RECHTSVORMEN)}".strip()[:70]


# --------------------------------------------------------------------------
# Samplers for postcodes and occupations
# --------------------------------------------------------------------------


class _Postcodekiezer:
    """Draws PC4 areas with a Noord-Brabant-heavy regional distribution."""

    def __init__(self, postcodes: Sequence[Postcodegebied]) -> None:
        if not postcodes:
            raise ValueError("de postcodetabel is leeg")
        self._alle = list(postcodes)
        self._pools = _verdeel_over_regios(self._alle)

    def kies(self, rng: random.Random) -> Postcodegebied:
        pool = _gewogen(rng, [(p, g) for g, p in self._pools])
        return rng.choice(pool)

    def zoek(self, voorkeur: Sequence[str], prefix: str) -> Postcodegebied:
        """First preferred PC4 present in the table, else any with the prefix."""
        per_pc4 = {p.pc4: p for p in self._alle}
        for pc4 in voorkeur:
            if pc4 in per_pc4:
                return per_pc4[pc4]
        kandidaten = [p for p in self._alle if p.pc4.startswith(prefix)]
        return kandidaten[0] if kandidaten else self._alle[0]


def _verdeel_over_regios(
    postcodes: Sequence[Postcodegebied],
) -> list[tuple[int, list[Postcodegebied]]]:
    """Group PC4 areas per region; the rest of the country is one group."""
    pools: list[list[Postcodegebied]] = [[] for _ in _REGIOS]
    rest: list[Postcodegebied] = []
    for gebied in postcodes:
        index = _regio_index(int(gebied.pc4))
        (rest if index is None else pools[index]).append(gebied)
    paren = [(r.gewicht, p) for r, p in zip(_REGIOS, pools, strict=True)]
    paren.append((_GEWICHT_OVERIG_NL, rest))
    return [(g, p) for g, p in paren if p]


def _regio_index(pc4: int) -> int | None:
    for index, regio in enumerate(_REGIOS):
        if regio.van <= pc4 <= regio.tot:
            return index
    return None


def _postcode(rng: random.Random, gebied: Postcodegebied) -> str:
    """Full postcode: real PC4 plus two random capitals (never SA/SD/SS)."""
    while True:
        letters = "".join(rng.choice("ABCDEFGHIJKLMNOPQRSTUVWXYZ") for _ in range(2))
        if letters not in _VERBODEN_LETTERS:
            return f"{gebied.pc4}{letters}"


class _Beroepenkiezer:
    """Draws BO&C occupations, preferring persona-relevant keywords."""

    def __init__(self, beroepen: Sequence[Beroepsnaam]) -> None:
        self._alle = list(beroepen)
        self._per_trefwoord = {t: _pool(self._alle, t) for t in _TREFWOORDEN}

    def kies(self, rng: random.Random, vak: _Vakgebied) -> Beroepsnaam | None:
        """Occupation for a line of work; sometimes (or if none) a random one."""
        if not self._alle:
            return None
        pools = [p for t in vak.trefwoorden if (p := self._per_trefwoord[t])]
        if pools and not _kans(rng, _KANS_WILLEKEURIG_BEROEP):
            return rng.choice(rng.choice(pools))
        return rng.choice(self._alle)

    def zoek(self, *namen: str) -> Beroepsnaam | None:
        """Best match per name in order: equal, starts with, contains."""
        for naam in namen:
            gevonden = self._zoek_een(naam.lower())
            if gevonden is not None:
                return gevonden
        return None

    def _zoek_een(self, naam: str) -> Beroepsnaam | None:
        for past in _VERGELIJKINGEN:
            for beroep in self._alle:
                if past(beroep.omschrijving.lower(), naam):
                    return beroep
        return None


def _pool(beroepen: Sequence[Beroepsnaam], trefwoord: str) -> list[Beroepsnaam]:
    """Practical occupations containing the keyword (all of them if none remain)."""
    alle = [b for b in beroepen if trefwoord in b.omschrijving.lower()]
    praktisch = [b for b in alle if not any(w in b.omschrijving.lower() for w in _NIET_IN_POOL)]
    return praktisch or alle


# Occupation name tests, strictest first: (omschrijving, gezochte naam) -> bool.
_VERGELIJKINGEN: tuple[Callable[[str, str], bool], ...] = (
    lambda omschrijving, naam: omschrijving == naam,
    lambda omschrijving, naam: omschrijving.startswith(naam),
    lambda omschrijving, naam: naam in omschrijving,
)


@dataclass(frozen=True)
class _Context:
    postcodes: _Postcodekiezer
    beroepen: _Beroepenkiezer


# --------------------------------------------------------------------------
# Random job seekers (werkzoekenden)
# --------------------------------------------------------------------------


def _werkzoekende(rng: random.Random, ctx: _Context, id_: str, bron: str) -> Record:
    """One random job-seeker profile in the Werkzoekende detail format."""
    gebied = ctx.postcodes.kies(rng)
    vakken = rng.sample(_VAKGEBIEDEN, k=rng.choice((1, 1, 2)))
    kwalificatie = _arbeidsmarktkwalificatie(rng, ctx, vakken)
    rijbewijzen = [r["codeSoortRijbewijs"] for r in kwalificatie.get("rijbewijs", [])]
    aantal_beroepen = rng.randint(1, 3)
    beroepen = [ctx.beroepen.kies(rng, rng.choice(vakken)) for _ in range(aantal_beroepen)]
    record: Record = {
        "idWerkzoekende": id_,
        "indicatieLdrRegistratie": _ldr(rng),
        "persoonlijkePresentatie": _presentatie(rng, gebied, beroepen[0]),
        "eisAanWerk": _eis_aan_werk(rng),
        "mobiliteit": _mobiliteit(rng, gebied),
        "vervoermiddel": _vervoermiddelen(rng, rijbewijzen),
        "flexibiliteit": _flexibiliteit(rng),
        "werktijden": _werktijden(rng),
        "contractvorm": _contractvormen(rng),
        "sector": [{"codeSbi": rng.choice(v.sbi)} for v in vakken if _kans(rng, 0.6)],
        "bemiddelingsberoep": _uniek([b for b in map(_beroep, beroepen) if b]),
        "arbeidsmarktkwalificatie": kwalificatie,
    }
    record.update(_contactgegevens(rng, id_, gebied, bron))
    return _zonder_leeg(record)


def _uniek(items: list[Record]) -> list[Record]:
    """Remove duplicates, keeping the first occurrence (arrays are sets)."""
    gezien: list[Record] = []
    for item in items:
        if item not in gezien:
            gezien.append(item)
    return gezien


def _ldr(rng: random.Random) -> int | None:
    """Landelijk doelgroepregister: often unknown, mostly 'nee'."""
    return _gewogen(rng, [(None, 45), (1, 8), (2, 47)])


def _presentatie(rng: random.Random, gebied: Postcodegebied, beroep: Beroepsnaam | None) -> str | None:
    """Short Dutch self-presentation, left empty for about half."""
    if not _kans(rng, 0.5):
        return None
    eigen1, eigen2 = rng.sample(_EIGENSCHAPPEN, k=2)
    wens = f"als {beroep.omschrijving}" if beroep else "in een fijn team"
    return (
        f"Ik ben een {eigen1} en {eigen2} werker. Ik zoek werk {wens} "
        f"in de omgeving van {gebied.plaats}. Ik leer snel en pak graag aan."
    )


def _eis_aan_werk(rng: random.Random) -> Record | None:
    """Needs for adapted work, coaching or variation for about a fifth."""
    if not _kans(rng, 0.2):
        return None
    opties = [(0, 2), (1, 3), (2, 5)]
    return {
        "indicatieAanpassingWerkomgeving": _gewogen(rng, opties),
        "indicatieBegeleiding": _gewogen(rng, opties),
        "indicatieWerkvariatie": _gewogen(rng, opties),
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


def _mobiliteit(rng: random.Random, gebied: Postcodegebied) -> Record:
    afstand = _gewogen(rng, _REISAFSTANDEN)
    reistijd = rng.choice((30, 45, 60, 90)) if _kans(rng, 0.3) else None
    return _zonder_leeg(
        {
            "bemiddelingspostcode": _postcode(rng, gebied),
            "maximaleReisafstand": afstand,
            "maximaleReistijd": reistijd,
        }
    )


def _vervoer(code: int, woonwerk: int | None, uitvoering: int | None = None) -> Record:
    return _zonder_leeg(
        {
            "codeVervoermiddel": code,
            "indicatieBeschikbaarVoorWoonWerkverkeer": woonwerk,
            "indicatieBeschikbaarVoorUitvoeringWerk": uitvoering,
        }
    )


def _vervoermiddelen(rng: random.Random, rijbewijzen: Sequence[str]) -> list[Record]:
    """Car only with a B licence; bike and public transport are common."""
    middelen: list[Record] = []
    heeft_auto = "B" in rijbewijzen and _kans(rng, 0.8)
    if heeft_auto:
        middelen.append(_vervoer(1, 1, rng.choice((None, 1, 2))))
    if "AM" in rijbewijzen:
        middelen.append(_vervoer(2, 1))
    if _kans(rng, 0.7):
        middelen.append(_vervoer(3, 1))
    if not heeft_auto or _kans(rng, 0.4):
        middelen.append(_vervoer(5, 1))
    return middelen if _kans(rng, 0.9) else []


def _flexibiliteit(rng: random.Random) -> Record | None:
    if not _kans(rng, 0.85):
        return None
    return _zonder_leeg(
        {
            "datumAanvangBeschikbaarVoorWerk": _datum(rng.randint(-60, 90)),
            "indicatieOnregelmatigWerkOfPloegendienst": _gewogen(rng, [(None, 10), (0, 10), (1, 35), (2, 45)]),
        }
    )


def _werktijden(rng: random.Random) -> Record | None:
    """Hours per week between 16 and 40."""
    if not _kans(rng, 0.9):
        return None
    minimaal = rng.choice((16, 20, 24, 24, 28, 32, 32, 36))
    maximaal = min(40, minimaal + rng.choice((0, 4, 8, 8, 12)))
    kantoor = _gewogen(rng, [(None, 10), (0, 10), (1, 45), (2, 35)])
    return _zonder_leeg(
        {
            "aantalWerkurenPerWeekMinimaal": minimaal,
            "aantalWerkurenPerWeekMaximaal": maximaal,
            "indicatieKantoortijden": kantoor,
        }
    )


def _contractvorm(rng: random.Random) -> Record:
    """Regular jobs dominate; learning, volunteer and work-experience places mix in."""
    overeenkomst = _gewogen(rng, [("01", 78), ("02", 8), ("03", 6), ("04", 8)])
    contract = _gewogen(rng, [("B", 60), ("O", 35), (None, 5)])
    if overeenkomst == "03":
        contract = None  # volunteers have no employment contract
    return _zonder_leeg({"codeTypeArbeidscontract": contract, "codeTypeOvereenkomst": overeenkomst})


def _contractvormen(rng: random.Random) -> list[Record]:
    return _uniek([_contractvorm(rng) for _ in range(rng.choice((1, 1, 2)))])


def _contactgegevens(rng: random.Random, id_: str, gebied: Postcodegebied, bron: str) -> Record:
    """Own contact data and/or the mediator's contact person, or nothing."""
    if not _kans(rng, 0.7):
        return {"indicatieBeschikbaarheidContactgegevens": 2}
    route = _gewogen(rng, [("eigen", 40), ("contactpersoon", 30), ("beide", 30)])
    voornaam, achternaam = _naam(rng)
    gegevens: Record = {"indicatieBeschikbaarheidContactgegevens": 1}
    if route != "contactpersoon":
        adres = f"{_slug(voornaam)}.{_slug(achternaam)}{rng.randint(1, 99)}@example.org"
        gegevens["emailadres"] = [adres]
        gegevens["telefoonnummer"] = [_telefoon(rng)]
        if _kans(rng, 0.15):
            cv = f"https://cv.example.org/{id_}"
            gegevens["webadres"] = [{"codeWebadres": 2, "url": cv}]
    if route != "eigen":
        gegevens["contactpersoon"] = [_klantmanager(rng, gebied, bron)]
    return gegevens


def _klantmanager(rng: random.Random, gebied: Postcodegebied, bron: str) -> Record:
    """Job-seeker domain contact person: single e-mail and phone strings."""
    voornaam, achternaam = _naam(rng)
    return {
        "naamContactpersoonAfdeling": f"Klantmanager {voornaam[0]}. {achternaam}"[:35],
        "emailadres": f"klantmanager.{_slug(achternaam)}@{_slug(bron)}.example.org",
        "telefoonnummer": _telefoon(rng, gebied.pc4),
    }


# --------------------------------------------------------------------------
# Arbeidsmarktkwalificatie of random job seekers
# --------------------------------------------------------------------------


def _arbeidsmarktkwalificatie(rng: random.Random, ctx: _Context, vakken: Sequence[_Vakgebied]) -> Record:
    opleidingen, denkniveau = _opleidingen(rng)
    interesses = sorted({i for v in vakken for i in v.interesses}.union(_ALGEMEEN_INT))
    return _zonder_leeg(
        {
            "codeWerkEnDenkniveauWerkzoekende": denkniveau if _kans(rng, 0.85) else None,
            "opleiding": opleidingen,
            "cursus": _cursussen(rng, vakken),
            "werkervaring": _werkervaringen(rng, ctx, vakken),
            "competentiebeheersing": _competenties(rng, rng.randint(0, 4)),
            "interesse": [{"naamInteresse": i} for i in rng.sample(interesses, k=rng.randint(0, 3))],
            "taalbeheersing": _talen(rng),
            "rijbewijs": [{"codeSoortRijbewijs": c} for c in _rijbewijzen(rng)],
        }
    )


def _opleidingen(rng: random.Random) -> tuple[list[Record], int]:
    """Zero to two educations and the resulting werk- en denkniveau."""
    if not _kans(rng, 0.9):
        return [], rng.choice((1, 2, 7))
    aantal = rng.choice((1, 1, 2))
    niveaus = sorted({_gewogen(rng, _NIVEAU_GEWICHTEN) for _ in range(aantal)})
    opleidingen = [_opleiding(rng, n) for n in niveaus]
    afgerond = [n for n, o in zip(niveaus, opleidingen, strict=True) if o["codeStatusOpleiding"] == 1]
    hoogste = max(afgerond) if afgerond else min(niveaus)
    return [_zonder_leeg(o) for o in opleidingen], _DENKNIVEAU_BIJ_OPLEIDING[hoogste]


def _opleiding(rng: random.Random, niveau: int) -> Record:
    """One education with consistent status, diploma and dates."""
    status = _gewogen(rng, [(1, 75), (2, 15), (3, 10 if niveau in (4, 5, 6) else 0)])
    eindjaar = 2027 if status == 3 else rng.randint(1990, 2025)
    begin = date(eindjaar - _OPLEIDINGSDUUR[niveau], 9, 1)
    einde = date(eindjaar, 7, rng.randint(1, 15))
    if status == 2:
        einde = begin + timedelta(days=rng.randint(120, 700))
    return {
        "codeNiveauOpleiding": niveau,
        "codeStatusOpleiding": status,
        "indicatieDiploma": {1: 1, 2: 2, 3: 2}[status],
        "datumAanvangVolgenOpleiding": begin.isoformat(),
        "datumEindeVolgenOpleiding": einde.isoformat() if status != 3 else None,
        "datumDiploma": einde.isoformat() if status == 1 else None,
        "naamOpleidingsinstituut": rng.choice(_INSTITUTEN[niveau]),
        "toelichtingOpleiding": _toelichting_opleiding(rng, niveau),
    }


def _toelichting_opleiding(rng: random.Random, niveau: int) -> str | None:
    opties = _TOELICHTING_OPLEIDING.get(niveau)
    return rng.choice(opties) if opties and _kans(rng, 0.7) else None


def _cursussen(rng: random.Random, vakken: Sequence[_Vakgebied]) -> list[Record]:
    namen = sorted({c for v in vakken for c in v.cursussen})
    aantal = min(len(namen), rng.choice((0, 0, 1, 2)))
    return [_cursus(rng, n) for n in rng.sample(namen, k=aantal)]


def _cursus(rng: random.Random, naam: str) -> Record:
    behaald = _kans(rng, 0.8)
    einde = date(rng.randint(2005, 2026), rng.randint(1, 10), rng.randint(1, 28))
    return _zonder_leeg(
        {
            "naamCursus": naam,
            "indicatieCertificaat": 1 if behaald else 2,
            "datumEindeVolgenCursus": einde.isoformat(),
            "datumCertificaat": einde.isoformat() if behaald else None,
        }
    )


def _werkervaringen(rng: random.Random, ctx: _Context, vakken: Sequence[_Vakgebied]) -> list[Record]:
    """Jobs going back in time from a recent end date."""
    einde = REFERENTIEDATUM - timedelta(days=rng.randint(30, 1200))
    lopend = _kans(rng, 0.1)  # a small part-time job next to the search
    ervaringen: list[Record] = []
    for _ in range(rng.choice((0, 1, 1, 2, 2, 3, 4))):
        begin = einde - timedelta(days=rng.randint(90, 2500))
        vak = rng.choice(vakken)
        tot = None if lopend else einde
        ervaringen.append(_werkervaring(rng, ctx, vak, begin, tot))
        lopend = False
        einde = begin - timedelta(days=rng.randint(14, 400))
    return ervaringen


def _werkervaring(rng: random.Random, ctx: _Context, vak: _Vakgebied, begin: date, einde: date | None) -> Record:
    return _zonder_leeg(
        {
            "beroep": _beroep(ctx.beroepen.kies(rng, vak)),
            "datumAanvangWerkzaamheden": begin.isoformat(),
            "datumEindeWerkzaamheden": einde.isoformat() if einde else None,
            "naamOrganisatie": _bedrijfsnaam(rng, vak) if _kans(rng, 0.8) else None,
        }
    )


_MOEDERTALEN: tuple[tuple[str, int], ...] = (
    ("nld", 80),
    ("tur", 5),
    ("ara", 5),
    ("pol", 5),
    ("eng", 3),
    ("deu", 2),
)


def _talen(rng: random.Random) -> list[Record]:
    """Dutch always present; some native speakers of other languages; some English."""
    moedertaal = _gewogen(rng, _MOEDERTALEN)
    talen = [_taal(rng, "nld", moedertaal == "nld")]
    if moedertaal != "nld":
        talen.append(_taal(rng, moedertaal, True))
    for extra, p in (("eng", 0.35), ("deu", 0.08)):
        if extra != moedertaal and _kans(rng, p):
            talen.append(_taal(rng, extra, False))
    return talen


def _taal(rng: random.Random, code: str, moedertaal: bool) -> Record:
    """Levels: 2 redelijk, 3 goed, 4 uitstekend; some levels left empty."""
    niveaus = (3, 4, 4) if moedertaal else (2, 2, 3)
    taal: Record = {"codeTaal": code}
    for veld in ("Mondeling", "Schriftelijk", "Lezen", "Luisteren"):
        if veld == "Mondeling" or _kans(rng, 0.7):
            taal[f"codeNiveauTaalbeheersing{veld}"] = rng.choice(niveaus)
    return taal


def _rijbewijzen(rng: random.Random) -> list[str]:
    """Mostly B; a few trailer, truck, moped and motorcycle licences."""
    codes: list[str] = []
    if _kans(rng, 0.65):
        codes.append("B")
        extra = (("BE", 0.12), ("C", 0.06), ("A", 0.06))
        codes += [c for c, p in extra if _kans(rng, p)]
        if "C" in codes and _kans(rng, 0.6):
            codes.append("CE")
    elif _kans(rng, 0.15):
        codes.append("AM")
    return codes


# --------------------------------------------------------------------------
# Random vacancies
# --------------------------------------------------------------------------


def _vacature(rng: random.Random, ctx: _Context, id_: str, nummer: str) -> Record:
    """One random vacancy in the Vacature detail format."""
    gebied = ctx.postcodes.kies(rng)
    beroep = ctx.beroepen.kies(rng, rng.choice(_VAKGEBIEDEN))
    vak = _vakgebied_van(beroep)  # employer and sector must fit the occupation
    werkgever = _werkgever(rng, vak, gebied)
    uren = _werktijden(rng) or {}
    niveau = rng.choice(vak.niveaus)
    sluiting = _datum(rng.randint(14, 90)) if _kans(rng, 0.8) else None
    record: Record = {
        "idVacature": id_,
        "naamVacature": _vacaturenaam(beroep, uren),
        "nummerVacature": nummer,
        "omschrijvingVacature": _vacaturetekst(rng, werkgever, beroep, gebied, uren),
        "codeWerkEnDenkniveauMinimaal": niveau if _kans(rng, 0.85) else None,
        "sluitingsdatumVacature": sluiting,
        "adres": _adres(rng, gebied),
        "arbeidsVoorwaarden": _arbeidsvoorwaarden(rng, niveau),
        "beroep": _beroep(beroep),
        "sector": {"codeSbi": werkgever["sector"][0]["codeSbi"]},
        "contractvorm": _contractvormen(rng),
        "werktijden": uren,
        "flexibiliteit": _vacatureflexibiliteit(rng),
        "opleiding": _opleidingseis(rng, niveau),
        "cursus": _cursuseis(rng, vak),
        "werkervaring": _ervaringseis(rng),
        "competentiebeheersing": _competenties(rng, rng.randint(1, 3)),
        "taalbeheersing": _taaleisen(rng),
        "rijbewijs": _rijbewijseis(rng, vak),
        "vervoermiddel": [_vervoer(5, 1)] if _kans(rng, 0.5) else [],
        "sollicitatiewijze": _sollicitatiewijzen(rng, werkgever, id_),
        "werkgever": werkgever,
    }
    return _zonder_leeg(record)


def _vakgebied_van(beroep: Beroepsnaam | None) -> _Vakgebied:
    """Line of work of an occupation (general if no keyword matches)."""
    omschrijving = beroep.omschrijving.lower() if beroep else ""
    for vak in _VAKGEBIEDEN:
        if any(t in omschrijving for t in vak.trefwoorden):
            return vak
    return _ALGEMEEN


def _vacaturenaam(beroep: Beroepsnaam | None, uren: Record) -> str:
    titel = _hoofdletter(beroep.omschrijving) if beroep else "Medewerker"
    van = uren.get("aantalWerkurenPerWeekMinimaal")
    tot = uren.get("aantalWerkurenPerWeekMaximaal")
    if van is None or tot is None:
        return titel[:120]
    uren_tekst = f"{van}" if van == tot else f"{van}-{tot}"
    return f"{titel[:100]} ({uren_tekst} uur)"


def _vacaturetekst(
    rng: random.Random,
    werkgever: Record,
    beroep: Beroepsnaam | None,
    gebied: Postcodegebied,
    uren: Record,
) -> str | None:
    """Dutch vacancy text from a few building blocks."""
    if not _kans(rng, 0.9):
        return None
    functie = _kleine_letter(beroep.omschrijving) if beroep else "medewerker"
    bedrijf = werkgever["handelsnaamOrganisatie"]
    zinnen = [f"{bedrijf} in {gebied.plaats} zoekt een {functie}."]
    if (maximaal := uren.get("aantalWerkurenPerWeekMaximaal")) is not None:
        zinnen.append(f"Je werkt maximaal {maximaal} uur per week.")
    zinnen += rng.sample(_VACATUREZINNEN, k=2)
    return " ".join(zinnen)


_VACATUREZINNEN: tuple[str, ...] = (
    "Je werkt in een klein en gezellig team.",
    "Ervaring is mooi meegenomen, maar niet noodzakelijk.",
    "Je krijgt een goede inwerkperiode met een vaste collega als maatje.",
    "Wij bieden ruimte om een opleiding of cursus te volgen.",
    "Het bedrijf is goed bereikbaar met het openbaar vervoer.",
    "Je bent flexibel inzetbaar, ook op zaterdag.",
)


def _adres(rng: random.Random, gebied: Postcodegebied) -> Record:
    """Work location: postcode always, street and number mostly."""
    postcode = _postcode(rng, gebied)
    if not _kans(rng, 0.85):
        return {"postcode": postcode}
    toevoeging = rng.choice(("A", "B", "-2")) if _kans(rng, 0.1) else None
    return _zonder_leeg(
        {
            "postcode": postcode,
            "straatnaam": rng.choice(_STRATEN),
            "huisnummer": rng.randint(1, 250),
            "huisnummertoevoeging": toevoeging,
        }
    )


def _arbeidsvoorwaarden(rng: random.Random, niveau: str) -> Record:
    """Start date, optional end date, conditions and an hourly wage indication."""
    aanvang = rng.randint(14, 120)
    basis = 14.75 + 1.5 * max(0, int(niveau) - 2) + rng.choice((0.0, 0.5, 1.0))
    loon = f"€ {basis:.2f} - € {basis + rng.choice((1.5, 2.5, 3.5)):.2f} bruto per uur"
    return _zonder_leeg(
        {
            "datumAanvangWerkzaamheden": _datum(aanvang),
            "datumEindeWerkzaamheden": _datum(aanvang + 182) if _kans(rng, 0.2) else None,
            "omschrijvingArbeidsvoorwaarden": rng.choice(
                (
                    "Salaris volgens cao, 8% vakantiegeld en reiskostenvergoeding.",
                    "Contract voor zes maanden met uitzicht op een vast dienstverband.",
                    "Goede pensioenregeling en ruimte voor opleiding.",
                    None,
                )
            ),
            "salarisIndicatie": loon.replace(".", ",") if _kans(rng, 0.7) else None,
        }
    )


def _werkgever(rng: random.Random, vak: _Vakgebied, gebied: Postcodegebied) -> Record:
    """Employer with fake web address and a contact person (arrays of contact data)."""
    naam = _bedrijfsnaam(rng, vak)
    domein = f"{_slug(naam)}.example.com"
    voornaam, achternaam = _naam(rng)
    contact = _zonder_leeg(
        {
            "naamContactpersoonAfdeling": f"{voornaam} {achternaam} (HR)"[:35],
            "emailadres": [f"vacatures@{domein}"],
            "telefoonnummer": [_telefoon(rng, gebied.pc4)] if _kans(rng, 0.7) else [],
        }
    )
    website = {"codeWebadres": 3, "url": f"https://www.{domein}"}
    return _zonder_leeg(
        {
            "handelsnaamOrganisatie": naam,
            "sector": [{"codeSbi": rng.choice(vak.sbi)}],
            "webadres": [website] if _kans(rng, 0.6) else [],
            "contactpersoon": [contact] if _kans(rng, 0.8) else [],
        }
    )


def _vacatureflexibiliteit(rng: random.Random) -> Record | None:
    onregelmatig = _gewogen(rng, [(None, 30), (1, 30), (2, 40)])
    if onregelmatig is None:
        return None
    return {"indicatieOnregelmatigWerkOfPloegendienst": onregelmatig}


def _opleidingseis(rng: random.Random, niveau: str) -> list[Record]:
    """Education requirement for about half of the vacancies."""
    if not _kans(rng, 0.5):
        return []
    code = {"1": 2, "2": 2, "3": 2, "4": 4, "5": 5, "6": 6}.get(niveau, 4)
    diploma = rng.choice((1, 2))
    toelichting = "Diploma is een pré, maar niet verplicht." if diploma == 2 else None
    return [
        _zonder_leeg(
            {
                "codeNiveauOpleiding": code,
                "indicatieDiploma": diploma,
                "toelichtingOpleiding": toelichting,
            }
        )
    ]


def _ervaringseis(rng: random.Random) -> list[Record]:
    if not _kans(rng, 0.4):
        return []
    return [{"aantalJarenWerkzaamInBeroep": rng.choice((1, 1, 2, 3, 5))}]


def _cursuseis(rng: random.Random, vak: _Vakgebied) -> list[Record]:
    if not _kans(rng, 0.3):
        return []
    naam = rng.choice(vak.cursussen)
    return [{"naamCursus": naam, "indicatieCertificaat": rng.choice((1, 2))}]


def _taaleisen(rng: random.Random) -> list[Record]:
    nld: Record = {
        "codeTaal": "nld",
        "codeNiveauTaalbeheersingMondeling": rng.choice((2, 3)),
    }
    eisen = [nld]
    if _kans(rng, 0.3):
        nld["codeNiveauTaalbeheersingSchriftelijk"] = rng.choice((2, 3))
    if _kans(rng, 0.15):
        eisen.append({"codeTaal": "eng", "codeNiveauTaalbeheersingMondeling": 2})
    return eisen if _kans(rng, 0.8) else []


def _rijbewijseis(rng: random.Random, vak: _Vakgebied) -> list[Record]:
    if "logistiek" in vak.trefwoorden and _kans(rng, 0.35):
        return [{"codeSoortRijbewijs": rng.choice(("B", "C", "CE"))}]
    return [{"codeSoortRijbewijs": "B"}] if _kans(rng, 0.08) else []


def _sollicitatiewijzen(rng: random.Random, werkgever: Record, id_: str) -> list[Record]:
    """E-mail, online form (with URL) and/or phone."""
    domein = f"{_slug(werkgever['handelsnaamOrganisatie'])}.example.com"
    formulier: Record = {
        "codeSollicitatiewijze": "4",
        "webadres": {"codeWebadres": 4, "url": f"https://www.{domein}/vacatures/{id_}"},
    }
    email: Record = {"codeSollicitatiewijze": "3"}
    telefoon: Record = {"codeSollicitatiewijze": "2"}
    opties = [email, formulier, telefoon]
    return rng.sample(opties, k=rng.choice((0, 1, 1, 2)))


# --------------------------------------------------------------------------
# Personas: Henk and Jessica (job seekers), Mehmet (employer)
# --------------------------------------------------------------------------


def _taal_nld(mondeling: int, schriftelijk: int) -> Record:
    return {
        "codeTaal": "nld",
        "codeNiveauTaalbeheersingMondeling": mondeling,
        "codeNiveauTaalbeheersingSchriftelijk": schriftelijk,
        "codeNiveauTaalbeheersingLezen": schriftelijk,
        "codeNiveauTaalbeheersingLuisteren": mondeling,
    }


def _vaste_competenties(*slugs: str) -> list[Record]:
    return [{"codeCompetentie": f"urn:vum:demo:competentie:{s}"} for s in slugs]


def _interesses(*namen: str) -> list[Record]:
    return [{"naamInteresse": n} for n in namen]


def _ervaring(
    ctx: _Context,
    namen: Sequence[str],
    periode: tuple[str, str],
    organisatie: str,
    toelichting: str | None = None,
) -> Record:
    """Fixed work experience; the occupation is looked up in the BO&C list."""
    return _zonder_leeg(
        {
            "beroep": _beroep(ctx.beroepen.zoek(*namen)),
            "datumAanvangWerkzaamheden": periode[0],
            "datumEindeWerkzaamheden": periode[1],
            "naamOrganisatie": organisatie,
            "toelichtingWerkervaring": toelichting,
        }
    )


def _beroepen(ctx: _Context, *zoeknamen: Sequence[str]) -> list[Record]:
    gevonden = [_beroep(ctx.beroepen.zoek(*namen)) for namen in zoeknamen]
    return _uniek([b for b in gevonden if b])


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
    gebied = ctx.postcodes.zoek(("5504",), "550")
    return _zonder_leeg(
        {
            "idWerkzoekende": "henk",
            "indicatieBeschikbaarheidContactgegevens": 1,
            "persoonlijkePresentatie": _HENK_PRESENTATIE,
            "mobiliteit": {
                "bemiddelingspostcode": _postcode(rng, gebied),
                "maximaleReisafstand": 25,
                "maximaleReistijd": 45,
            },
            "vervoermiddel": [_vervoer(5, 1, 2), _vervoer(3, 1, 2)],
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
            _ervaring(
                ctx,
                ("magazijnmedewerker", "magazijn"),
                ("2002-09-01", "2010-12-31"),
                "Distributiecentrum De Kempen B.V.",
                "Orderpicken, laden en lossen, werken met de heftruck.",
            ),
            _ervaring(
                ctx,
                ("productiemedewerker", "productie"),
                ("2011-01-15", "2019-02-28"),
                "Kunststofverwerking Zuid B.V.",
                "Machines bedienen en kwaliteitscontrole; einde door reorganisatie.",
            ),
        ],
        "competentiebeheersing": _vaste_competenties("samenwerken", "nauwkeurig", "betrouwbaar"),
        "interesse": _interesses("techniek", "fietsen", "koken"),
        "taalbeheersing": [_taal_nld(4, 3)],
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
    gebied = ctx.postcodes.zoek(("5688",), "568")
    return _zonder_leeg(
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
                "bemiddelingspostcode": _postcode(rng, gebied),
                "maximaleReisafstand": 50,
                "maximaleReistijd": 60,
            },
            "vervoermiddel": [_vervoer(5, 1), _vervoer(3, 1)],
            "flexibiliteit": {
                "datumAanvangBeschikbaarVoorWerk": _datum(14),
                "indicatieOnregelmatigWerkOfPloegendienst": 2,
            },
            "werktijden": {
                "aantalWerkurenPerWeekMinimaal": 16,
                "aantalWerkurenPerWeekMaximaal": 28,
                "indicatieKantoortijden": 1,
            },
            "contractvorm": [
                {"codeTypeOvereenkomst": "03"},  # vrijwilligerswerk: no contract
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
_JESSICA_BANEN: tuple[tuple[tuple[str, ...], tuple[str, str], str], ...] = (
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
        "werkervaring": [_ervaring(ctx, namen, periode, organisatie) for namen, periode, organisatie in _JESSICA_BANEN],
        "competentiebeheersing": _vaste_competenties("klantgericht", "communicatief", "leergierig"),
        "interesse": _interesses("kleding", "mode", "winkel", "creatief bezig zijn"),
        "taalbeheersing": [
            _taal_nld(4, 4),
            {
                "codeTaal": "eng",
                "codeNiveauTaalbeheersingMondeling": 2,
                "codeNiveauTaalbeheersingSchriftelijk": 2,
            },
        ],
        "rijbewijs": [{"codeSoortRijbewijs": "B"}],
    }


_MEHMET_BEDRIJF = "Confectieatelier Mehmet B.V."
_MEHMET_DOMEIN = "confectieatelier-mehmet.example.com"
_MEHMET_KANS = (
    "Mehmet geeft mensen graag een nieuwe kans, ook als je een tijd niet hebt "
    "gewerkt of geen diploma hebt. Motivatie en een goede klik met het team "
    "vinden wij belangrijker dan je cv."
)


@dataclass(frozen=True)
class _MehmetVacature:
    id_: str
    nummer: str
    pc4: tuple[str, ...]  # preferred PC4 areas
    prefix: str  # fallback PC4 prefix
    straat: str
    huisnummer: int
    telefoon: str
    beroepen: tuple[str, ...]
    titel: str
    niveau: str
    contract: tuple[str, str]  # (codeTypeArbeidscontract, codeTypeOvereenkomst)
    tekst: str
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
    """One vacancy of Mehmet's clothing manufacturer (no diploma, reachable by OV)."""
    gebied = ctx.postcodes.zoek(spec.pc4, spec.prefix)
    arbeidscontract, overeenkomst = spec.contract
    return _zonder_leeg(
        {
            "idVacature": spec.id_,
            "naamVacature": spec.titel,
            "nummerVacature": spec.nummer,
            "omschrijvingVacature": f"{_MEHMET_BEDRIJF[:-5]} maakt bedrijfskleding. {spec.tekst} {_MEHMET_KANS}",
            "codeWerkEnDenkniveauMinimaal": spec.niveau,
            "sluitingsdatumVacature": _datum(60),
            "adres": {
                "postcode": _postcode(rng, gebied),
                "straatnaam": spec.straat,
                "huisnummer": spec.huisnummer,
            },
            "arbeidsVoorwaarden": _mehmet_arbeidsvoorwaarden(),
            "beroep": _beroep(ctx.beroepen.zoek(*spec.beroepen)),
            "sector": {"codeSbi": spec.sbi},
            "contractvorm": [
                {
                    "codeTypeArbeidscontract": arbeidscontract,
                    "codeTypeOvereenkomst": overeenkomst,
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
            "competentiebeheersing": _vaste_competenties("nauwkeurig", "samenwerken", "leergierig"),
            "taalbeheersing": [{"codeTaal": "nld", "codeNiveauTaalbeheersingMondeling": 2}],
            "vervoermiddel": [_vervoer(5, 1), _vervoer(3, 1)],
            "sollicitatiewijze": [
                {"codeSollicitatiewijze": "2"},
                {"codeSollicitatiewijze": "3"},
            ],
            "werkgever": _mehmet_werkgever(spec),
        }
    )


def _mehmet_arbeidsvoorwaarden() -> Record:
    return {
        "datumAanvangWerkzaamheden": _datum(30),
        "omschrijvingArbeidsvoorwaarden": "Contract voor een jaar met uitzicht op "
        "een vaste baan; vaste dagdiensten, werktijden in overleg.",
        "salarisIndicatie": "€ 14,75 - € 16,50 bruto per uur",
    }


def _mehmet_werkgever(spec: _MehmetVacature) -> Record:
    """Vacancy-domain employer: contact e-mail and phone are arrays."""
    return {
        "handelsnaamOrganisatie": _MEHMET_BEDRIJF,
        "sector": [{"codeSbi": 1412}, {"codeSbi": 1413}],
        "webadres": [{"codeWebadres": 3, "url": f"https://www.{_MEHMET_DOMEIN}"}],
        "contactpersoon": [
            {
                "naamContactpersoonAfdeling": "Mehmet (directeur)",
                "emailadres": [f"mehmet@{_MEHMET_DOMEIN}"],
                "telefoonnummer": [spec.telefoon],
            }
        ],
    }


# --------------------------------------------------------------------------
# Entry point
# --------------------------------------------------------------------------


def _organisatie(seed: int, bron_id: str, ctx: _Context, aantal_wz: int, aantal_vac: int) -> DemoOrganisatie:
    """Random records of one organisation, from its own seeded generator."""
    rng = random.Random(f"{seed}/{bron_id}")
    sleutel = _veilig_id(bron_id)
    werkzoekenden = [_werkzoekende(rng, ctx, f"wz-{sleutel}-{i:04d}", bron_id) for i in range(1, aantal_wz + 1)]
    vacatures = [
        _vacature(rng, ctx, f"vac-{sleutel}-{i:04d}", f"V2026-{i % 100000:05d}") for i in range(1, aantal_vac + 1)
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
    ctx = _Context(_Postcodekiezer(postcodes), _Beroepenkiezer(beroepen))
    organisaties = [_organisatie(seed, b, ctx, werkzoekenden_per_bron, vacatures_per_bron) for b in bron_ids]
    rng = random.Random(f"{seed}/personas")
    organisaties[0].werkzoekenden[:0] = [_henk(rng, ctx), _jessica(rng, ctx)]
    organisaties[-1].vacatures[:0] = _mehmet_vacatures(rng, ctx)
    return organisaties
