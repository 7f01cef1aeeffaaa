"""The standard's own words in schema.graphql, generated from the attribute lists of
gegevensstandaard 1.5 (docs/gegevensstandaard/*.xlsx: entities and attributes with their
"Description Text", "Norminstantie", "Toelichting" and list of values).

Each field of the contract that is an attribute or a data group (entiteit) of the standard gets the
standard's Dutch definition, its explanation and its source as description; each code of a code list
gets the standard's label. Fields the standard does not have (the gateway's own, and the search
criteria of koppelvlak 3.0) keep their written description, which says where they come from.

    python -m vumschema.gegevensstandaard          # rewrite schema.graphql from the lists
    python -m vumschema.gegevensstandaard --check  # exit 1 when schema.graphql is not up to date

Needs openpyxl (a development dependency): the lists are read here, never at run time.
"""

from __future__ import annotations

import argparse
import re
import sys
import textwrap
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

from graphql import (
    EnumTypeDefinitionNode,
    FieldDefinitionNode,
    Node,
    ObjectTypeDefinitionNode,
    StringValueNode,
    parse,
)

from .contract import named_type

ROOT = Path(__file__).resolve().parent.parent
LISTS = ROOT / "docs" / "gegevensstandaard"
WERKZOEKENDE, VACATURE = "werkzoekende", "vacature"
FILES = {
    WERKZOEKENDE: "entiteiten-attributen-werkzoekende-profiel-v1.5.xlsx",
    VACATURE: "entiteiten-attributen-vacatures-v1.5.xlsx",
}
SOURCE = "Gegevensstandaard 1.5"
WIDTH = 100  # of a description line in schema.graphql
NO_DEFINITION = "de standaard geeft hier geen definitie bij"

# The data group (list, entiteit) of the standard that each type of the contract renders.
TYPE_ENTITY: dict[str, tuple[str, str]] = {
    "Werkzoekende": (WERKZOEKENDE, "Werkzoekende"),
    "WerkzoekendeProfielMatch": (WERKZOEKENDE, "Werkzoekende"),
    "Mobiliteit": (WERKZOEKENDE, "Mobiliteit"),
    "Vervoermiddel": (WERKZOEKENDE, "Vervoermiddel"),
    "Flexibiliteit": (WERKZOEKENDE, "Flexibiliteit"),
    "Werktijden": (WERKZOEKENDE, "Werktijden"),
    "Contractvorm": (WERKZOEKENDE, "Contractvorm"),
    "Sector": (WERKZOEKENDE, "Sector beroeps- en bedrijfsleven"),
    "Beroep": (WERKZOEKENDE, "Beroep"),
    "Arbeidsmarktkwalificatie": (WERKZOEKENDE, "Arbeidsmarktkwalificatie"),
    "Opleiding": (WERKZOEKENDE, "Opleiding"),
    "Cursus": (WERKZOEKENDE, "Cursus"),
    "Werkervaring": (WERKZOEKENDE, "Werkervaring"),
    "Competentiebeheersing": (WERKZOEKENDE, "Competentiebeheersing"),
    "Interesse": (WERKZOEKENDE, "Interesse"),
    "Taalbeheersing": (WERKZOEKENDE, "Taalbeheersing"),
    "Rijbewijs": (WERKZOEKENDE, "Rijbewijs"),
    "EisAanWerk": (WERKZOEKENDE, "Eis aan werk"),
    "Webadres": (WERKZOEKENDE, "Webadres"),
    "Contactpersoon": (WERKZOEKENDE, "Contactpersoon/-afdeling"),
    "Vacature": (VACATURE, "Vacature"),
    "VacatureMatch": (VACATURE, "Vacature"),
    "Adres": (VACATURE, "Adres"),
    "ArbeidsVoorwaarden": (VACATURE, "Arbeidsvoorwaarden"),
    "VacatureFlexibiliteit": (VACATURE, "Flexibiliteit"),
    "VacatureOpleiding": (VACATURE, "Opleiding"),
    "VacatureCursus": (VACATURE, "Cursus"),
    "VacatureWerkervaring": (VACATURE, "Werkervaring"),
    "Sollicitatiewijze": (VACATURE, "Sollicitatiewijze"),
    "WerkgeverProfiel": (VACATURE, "Werkgever"),
    "Werkgever": (VACATURE, "Werkgever"),
    "VacatureContactpersoon": (VACATURE, "Contactpersoon/-afdeling"),
}


def key(name: str) -> str:
    """A name of the lists as a JSON name, lower-cased for comparison:
    `Code werk- en denkniveau werkzoekende` -> `codewerkendenkniveauwerkzoekende`,
    `E-mail adres` -> `emailadres`, `Sector beroeps- en bedrijfsleven` -> `sectorberoepsenbedrijfsleven`."""
    return re.sub(r"[^0-9a-zà-ÿ]", "", name.lower())


def clean(text: object) -> str:
    """A cell's text without Excel's `_x000D_` escapes, trailing blanks and placeholder dashes."""
    value = str(text or "").replace("_x000D_", "").replace("\r", "").strip()
    return "" if value in ("-", "–") else re.sub(r"\n{3,}", "\n\n", value)


@dataclass
class Definition:
    """The standard's words for one entity or attribute."""

    name: str
    definition: str
    norminstantie: str = ""
    toelichting: str = ""
    values: dict[str, str] = field(default_factory=dict)  # code -> label

    def description(self, kind: str) -> str:
        parts = [self.definition or f"{self.name}: {NO_DEFINITION}."]
        if self.toelichting:
            parts.append(f"Toelichting: {self.toelichting}")
        source = f"{SOURCE}, {kind} '{self.name}'"
        parts.append(f"{source} (norminstantie {self.norminstantie})." if self.norminstantie else f"{source}.")
        return "\n\n".join(parts)


@dataclass
class Standard:
    """Entities and attributes per list (werkzoekende, vacature)."""

    entities: dict[tuple[str, str], Definition] = field(default_factory=dict)
    attributes: dict[tuple[str, str, str], Definition] = field(default_factory=dict)

    def entity(self, which: str, name: str) -> Definition | None:
        return self.entities.get((which, key(name)))

    def attribute(self, which: str, entity: str, name: str) -> Definition | None:
        return self.attributes.get((which, key(entity), key(name)))


def _split_norminstantie(text: str) -> tuple[str, str]:
    """The vacancy list writes `Norminstantie: X` inside the definition."""
    found = re.search(r"\s*Norminstantie:\s*([^\n]+?)\s*$", text)
    return (text[: found.start()].strip(), found.group(1)) if found else (text, "")


def _values(text: str) -> dict[str, str]:
    """`02\t= Leerbaan` or `02\tLeerbaan` or `A = Zware motor`, one per line -> {code: label}."""
    result = {}
    for line in text.splitlines():
        found = re.match(r"^\s*([0-9A-Z+]{1,4})(?:\s*=\s*|\t+)(.+?)\s*$", line)
        if found:
            result[found.group(1)] = found.group(2)
    return result


def _rows(sheet: object) -> Iterator[dict[str, object]]:
    rows = sheet.iter_rows(values_only=True)  # type: ignore[attr-defined]
    header = [str(h or "") for h in next(rows)]
    for row in rows:
        if any(row):
            yield dict(zip(header, row, strict=False))


def read_standard(lists: Path = LISTS) -> Standard:
    """Both attribute lists of gegevensstandaard 1.5."""
    import openpyxl  # a development dependency: only this generator and its test read the lists

    standard = Standard()
    for which, file in FILES.items():
        book = openpyxl.load_workbook(lists / file, read_only=True)
        for row in _rows(book["Entiteiten"]):
            name = clean(row["Entiteit"])
            definition, norm = _split_norminstantie(clean(row.get("Entiteit Description Text")))
            note = clean(row.get("Entiteit Annotation Text"))
            standard.entities[(which, key(name))] = Definition(name, definition, norm, note)
        for row in _rows(book["Attributen"]):
            entity, name = clean(row["Entiteit"]), clean(row["Attribuut"])
            definition, norm = _split_norminstantie(clean(row.get("Description Text")))
            norm = clean(row.get("Norminstantie")) or norm
            note = clean(row.get("Toelichting") or row.get("Annotation Text"))
            values = _values(clean(row.get("List of Values")))
            standard.attributes[(which, key(entity), key(name))] = Definition(name, definition, norm, note, values)
        book.close()
    return standard


# -- the words for each element of the contract ------------------------------------------------


def field_definition(
    standard: Standard, type_name: str, field_node: FieldDefinitionNode
) -> tuple[Definition, str] | None:
    """The standard's attribute behind a field, or for a field that holds a data group its entity
    (by the field's name, else by its type's): (definition, "attribuut" or "entiteit")."""
    if type_name not in TYPE_ENTITY:
        return None
    which, entity = TYPE_ENTITY[type_name]
    name = field_node.name.value
    attribute = standard.attribute(which, entity, name)
    if attribute is not None:
        return attribute, "attribuut"
    target = TYPE_ENTITY.get(named_type(field_node.type))
    if target is None:
        return None
    group = standard.entity(which, name) or standard.entity(which, target[1]) or standard.entity(*target)
    return (group, "entiteit") if group is not None else None


def descriptions(sdl: str, standard: Standard) -> dict[tuple[str, str | None], str]:
    """The generated description per (type, field) and (type, None) for the type itself, and
    per (enum, value) for the codes of a list of values."""
    document = parse(sdl)
    result: dict[tuple[str, str | None], str] = {}
    code_lists: dict[str, dict[str, str]] = {}
    for node in document.definitions:
        if not isinstance(node, ObjectTypeDefinitionNode) or node.name.value not in TYPE_ENTITY:
            continue
        type_name = node.name.value
        entity = standard.entity(*TYPE_ENTITY[type_name])
        if entity is not None:
            result[(type_name, None)] = entity.description("entiteit")
        for field_node in node.fields or ():
            found = field_definition(standard, type_name, field_node)
            if found is None:
                continue
            definition, kind = found
            result[(type_name, field_node.name.value)] = definition.description(kind)
            if definition.values:
                code_lists.setdefault(named_type(field_node.type), definition.values)
    for node in document.definitions:
        if isinstance(node, EnumTypeDefinitionNode) and node.name.value in code_lists:
            labels = code_lists[node.name.value]
            for value in node.values or ():
                code = _code(value)
                if code in labels:
                    result[(node.name.value, value.name.value)] = f"{labels[code].rstrip('.')} (code {code})."
    return result


def _code(value: Node) -> str | None:
    for directive in getattr(value, "directives", None) or ():
        if directive.name.value == "code":
            argument = directive.arguments[0].value
            return argument.value if isinstance(argument, StringValueNode) else None
    return None


def _lines(text: str, indent: str) -> list[str]:
    """The text's lines, each wrapped to the schema's width (the standard writes long lines)."""
    result = []
    for line in text.splitlines():
        line = re.sub(r" {2,}", " ", line.strip())
        result += textwrap.wrap(line, WIDTH - len(indent), break_on_hyphens=False, break_long_words=False) or [""]
    return result


def _block(text: str, indent: str) -> str:
    if "\n" not in text and len(text) + len(indent) + 2 <= WIDTH and '"' not in text:
        return f'{indent}"{text}"'
    body = "\n".join(f"{indent}{line}" if line else "" for line in _lines(text.replace('"""', '\\"""'), indent))
    return f'{indent}"""\n{body}\n{indent}"""'


def rewrite(sdl: str, standard: Standard) -> str:
    """schema.graphql with the standard's words in place of the descriptions they replace."""
    words = descriptions(sdl, standard)
    edits: list[tuple[int, int, str]] = []  # (start, end, text) in the SDL
    for node in parse(sdl).definitions:
        type_name = getattr(getattr(node, "name", None), "value", None)
        if type_name is None:
            continue
        members = list(getattr(node, "fields", None) or ()) + list(getattr(node, "values", None) or ())
        targets = [(node, (type_name, None), "")] + [(m, (type_name, m.name.value), "  ") for m in members]
        for target, where, indent in targets:
            if where not in words:
                continue
            text = _block(words[where], indent)
            described = getattr(target, "description", None)
            assert target.loc is not None
            if described is not None and described.loc is not None:
                start = sdl.rfind("\n", 0, described.loc.start) + 1
                edits.append((start, described.loc.end, text))
            else:
                start = sdl.rfind("\n", 0, target.loc.start) + 1
                edits.append((start, start, text + "\n"))
    for start, end, text in sorted(edits, reverse=True):
        sdl = sdl[:start] + text + sdl[end:]
    return sdl


def main() -> None:
    parser = argparse.ArgumentParser(description="Write the standard's words into schema.graphql.")
    parser.add_argument("--schema", type=Path, default=ROOT / "schema.graphql")
    parser.add_argument("--check", action="store_true", help="only check; exit 1 when not up to date")
    args = parser.parse_args()
    current = args.schema.read_text(encoding="utf-8")
    updated = rewrite(current, read_standard())
    if args.check:
        if updated != current:
            sys.exit(f"{args.schema} is not up to date: run python -m vumschema.gegevensstandaard")
        print(f"{args.schema}: the standard's words are up to date")
        return
    args.schema.write_text(updated, encoding="utf-8")
    print(f"{args.schema}: {'updated' if updated != current else 'already up to date'}")


if __name__ == "__main__":
    main()
