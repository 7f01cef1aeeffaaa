"""CompetentNL's occupation list: the labels of the occupation URIs that koppelvlak 3.0 uses.

Koppelvlak 3.0 codes an occupation as a CompetentNL URI
(`https://linkeddata.competentnl.nl/uwv/id/occupation/<id>`). CompetentNL publishes its occupations
as SKOS (Turtle, RDF/XML, N-Triples or JSON-LD; rdflib reads each): per occupation concept its
preferred label (`skos:prefLabel`, Dutch preferred), alternative labels (`skos:altLabel`) and, where
given, a mapping to the UWV BO&C occupation code and the ISCO group (any `skos:*Match`,
`skos:broader` or `skos:notation` whose value is a BO&C or ISCO code or URI).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

OCCUPATION = re.compile(r"https?://linkeddata\.competentnl\.nl/.*/occupation/[^/]+")  # matched whole (fullmatch)
BOC = re.compile(r"(?:urn:uwv:boc:|/boc/(?:id/)?(?:beroep/|occupation/)?)([0-9]+)$", re.IGNORECASE)
ISCO = re.compile(r"(?:isco(?:08)?[/:#](?:C)?|/isco/C)([0-9]{1,4})$", re.IGNORECASE)
FORMATS = {".ttl": "turtle", ".nt": "nt", ".rdf": "xml", ".xml": "xml", ".owl": "xml", ".jsonld": "json-ld"}


class OccupationListError(ValueError):
    """The occupation list cannot be read."""


@dataclass(frozen=True)
class Occupation:
    """One CompetentNL occupation."""

    uri: str
    label: str
    alt_labels: tuple[str, ...] = ()
    boc_code: str | None = None
    isco_code: str | None = None


def _dutch_first(literals: list[object]) -> list[str]:
    """Labels with Dutch (or untagged) ones first, each once."""
    ranked = sorted(literals, key=lambda lit: 0 if getattr(lit, "language", None) in ("nl", None) else 1)
    return list(dict.fromkeys(str(lit).strip() for lit in ranked if str(lit).strip()))


def read_occupations(path: Path) -> dict[str, Occupation]:
    """The occupations in a CompetentNL SKOS export, by URI."""
    import rdflib
    from rdflib.namespace import SKOS

    rdf_format = FORMATS.get(path.suffix.lower())
    if rdf_format is None:
        raise OccupationListError(f"{path}: expected a SKOS file ({', '.join(sorted(FORMATS))})")
    graph = rdflib.Graph()
    try:
        graph.parse(path, format=rdf_format)
    except OSError as error:
        raise OccupationListError(f"cannot read {path}: {error.strerror}") from error
    except Exception as error:  # rdflib raises parser-specific errors
        raise OccupationListError(f"{path} is not valid {rdf_format}: {str(error)[:300]}") from error
    links = (SKOS.exactMatch, SKOS.closeMatch, SKOS.broadMatch, SKOS.narrowMatch, SKOS.relatedMatch)
    result = {}
    for subject in set(graph.subjects(SKOS.prefLabel, None)):
        uri = str(subject)
        if not OCCUPATION.fullmatch(uri):
            continue
        labels = _dutch_first(list(graph.objects(subject, SKOS.prefLabel)))
        targets = [str(o) for p in (*links, SKOS.broader, SKOS.notation) for o in graph.objects(subject, p)]
        result[uri] = Occupation(
            uri,
            labels[0],
            tuple(a for a in _dutch_first(list(graph.objects(subject, SKOS.altLabel))) if a != labels[0]),
            next((m.group(1) for t in targets if (m := BOC.search(t))), None),
            next((m.group(1) for t in targets if (m := ISCO.search(t))), None),
        )
    if not result:
        raise OccupationListError(f"{path}: no CompetentNL occupation with a skos:prefLabel")
    return result
