"""The benchmark queries and the check that a gateway's answer holds the expected data.

Our gateway is asked the public `werkzoekendeProfielMatches`; the Node gateways, which see only
the subgraph SDL, are asked `bronWerkzoekendeProfielMatches`. Both select the same ~30 record
fields, including the occupation label that the codelijsten subgraph adds through `_entities`.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import orjson

from subgraphs.codelijsten.app import code_of, read_beroepen

from .procs import BenchError

Record = dict[str, Any]

SELECTIEVRAAG = {"selectiegebied": {"postcode": "5611AB", "afstand": 999}}
PER_SOURCE = 100  # what a source returns at most (the SDK's default cap)

# A search screen: where, how far, when, how many hours, which work, which qualifications (29 fields).
FIELDS = """
      indicatieBeschikbaarheidContactgegevens
      mobiliteit { bemiddelingspostcode maximaleReisafstand maximaleReistijd }
      vervoermiddel { codeVervoermiddel indicatieBeschikbaarVoorUitvoeringWerk indicatieBeschikbaarVoorWoonWerkverkeer }
      flexibiliteit {
        datumAanvangBeschikbaarVoorWerk datumEindeBeschikbaarVoorWerk indicatieOnregelmatigWerkOfPloegendienst
      }
      werktijden { aantalWerkurenPerWeekMinimaal aantalWerkurenPerWeekMaximaal indicatieKantoortijden }
      contractvorm { codeTypeArbeidscontract codeTypeOvereenkomst }
      sector { codeSbi }
      bemiddelingsberoep { codeBeroepsnaam omschrijvingBeroepsnaam }
      arbeidsmarktkwalificatie {
        codeWerkEnDenkniveauWerkzoekende
        opleiding { codeNiveauOpleiding codeStatusOpleiding indicatieDiploma }
        werkervaring { datumAanvangWerkzaamheden datumEindeWerkzaamheden naamOrganisatie }
        taalbeheersing { codeTaal codeNiveauTaalbeheersingMondeling codeNiveauTaalbeheersingSchriftelijk }
        rijbewijs { codeSoortRijbewijs }
      }"""
SUBGRAPH_FIELDS = FIELDS.replace("codeBeroepsnaam omschrijvingBeroepsnaam", "codeBeroepsnaam")


def ours_query(first: int) -> str:
    return (
        "query Zoekscherm($selectievraag: WerkzoekendeSelectievraag!) {\n"
        f"  werkzoekendeProfielMatches(selectievraag: $selectievraag, first: {first}) {{\n"
        "    totalCount maximumAantalResultatenBereikt\n"
        f"    edges {{ node {{ vumID {FIELDS}\n    }} }}\n"
        "  }\n}"
    )


def source_query(fields: str = FIELDS) -> str:
    """The same search on the source side: what the Node gateways (and the reference check) ask."""
    return (
        "query Zoekscherm($selectievraag: WerkzoekendeSelectievraag!) {\n"
        f"  bronWerkzoekendeProfielMatches(selectievraag: $selectievraag, maximumAantal: {PER_SOURCE}) {{\n"
        f"    maximumAantalResultatenBereikt matches {{ idWerkzoekende {fields}\n    }}\n"
        "  }\n}"
    )


def body(query: str) -> bytes:
    return orjson.dumps({"query": query, "variables": {"selectievraag": SELECTIEVRAAG}})


class WrongAnswer(BenchError):
    """A gateway's answer does not hold the expected data."""


@dataclass(frozen=True)
class Expected:
    """What the organisations hold for the benchmark query (asked directly) and the BO&C labels."""

    raw: dict[str, list[Record]]  # organisation id -> its answer's records, in source order, no labels
    labels: dict[str, str | None]  # codeBeroepsnaam -> label as the BO&C list has it

    @classmethod
    def build(cls, raw: dict[str, list[Record]], beroepen_csv: Path) -> Expected:
        """Labels are read from the list itself, independently of the codelijsten subgraph."""
        names = {code: entry.omschrijving for code, entry in read_beroepen(beroepen_csv).items()}
        keys = {
            b["codeBeroepsnaam"]: None for rs in raw.values() for r in rs for b in r.get("bemiddelingsberoep") or ()
        }
        return cls(raw, {uri: names.get(code_of(uri)) for uri in keys})

    def labelled(self, sources: Sequence[str]) -> list[Record]:
        """The records of `sources` as a gateway should answer them: with the occupation labels."""
        records: list[Record] = orjson.loads(orjson.dumps([r for s in sources for r in self.raw[s]]))
        for record in records:
            for beroep in record.get("bemiddelingsberoep") or ():
                beroep["omschrijvingBeroepsnaam"] = self.labels[beroep["codeBeroepsnaam"]]
        return records

    def keys(self, sources: Sequence[str]) -> list[str]:
        """The distinct occupation codes of `sources`, in record order (what `_entities` is asked)."""
        found = {
            b["codeBeroepsnaam"]: None for s in sources for r in self.raw[s] for b in r.get("bemiddelingsberoep") or ()
        }
        return list(found)


def _canonical(records: Sequence[Mapping[str, Any]]) -> list[bytes]:
    return sorted(orjson.dumps(r, option=orjson.OPT_SORT_KEYS) for r in records)


def check_source_answer(payload: Any, expected: list[Record]) -> None:
    """A Node gateway's answer: exactly the organisation's records, in its order, with labels."""
    if not isinstance(payload, dict) or payload.get("errors"):
        raise WrongAnswer(f"errors in the answer: {str(payload)[:300]}")
    matches = payload["data"]["bronWerkzoekendeProfielMatches"]["matches"]
    if matches != expected:
        raise WrongAnswer(f"{len(matches)} matches differ from the {len(expected)} expected records")


def check_ours(payload: Any, expected: list[Record]) -> None:
    """Our answer: the same records (in the gateway's own order), each with a vumID, and the total."""
    if not isinstance(payload, dict) or payload.get("errors"):
        raise WrongAnswer(f"errors in the answer: {str(payload)[:300]}")
    result = payload["data"]["werkzoekendeProfielMatches"]
    nodes = [edge["node"] for edge in result["edges"]]
    vumids = [node.pop("vumID") for node in nodes]
    if len(set(vumids)) != len(nodes) or not all(isinstance(v, str) and v for v in vumids):
        raise WrongAnswer("vumIDs missing or not unique")
    if result["totalCount"] != len(expected):
        raise WrongAnswer(f"totalCount {result['totalCount']}, expected {len(expected)}")
    without_ids = [{k: v for k, v in record.items() if k != "idWerkzoekende"} for record in expected]
    if _canonical(nodes) != _canonical(without_ids):
        raise WrongAnswer(f"{len(nodes)} nodes differ from the {len(expected)} expected records")


def check_limit(concatenated: bytes, expected: Expected, sources: Sequence[str]) -> None:
    """The direct client's concatenation: every organisation's answer, then codelijsten's labels."""
    *answers, entities = [orjson.loads(part) for part in concatenated.split(b"\n")]
    records = [r for a in answers for r in a["data"]["bronWerkzoekendeProfielMatches"]["matches"]]
    for record in records:
        record.pop("toestemmingen", None)  # the consent the source states: for the gateway, not the answer
    if records != [r for s in sources for r in expected.raw[s]]:
        raise WrongAnswer("the direct client's records differ from the expected records")
    found = [e.get("omschrijvingBeroepsnaam") for e in entities["data"]["_entities"]]
    if found != [expected.labels[key] for key in expected.keys(sources)]:
        raise WrongAnswer("the direct client's labels differ from the BO&C list")
