"""The codelijsten subgraph: extends the `Beroep` entity with its label and reference occupation.

Two sources, in this order:
1. CompetentNL's occupation list (its SKOS export, `competentnl.py`), optional: koppelvlak 3.0
   codes occupations as CompetentNL URIs, and the list gives their label; where it links an
   occupation to a BO&C code, the reference occupation comes from the BO&C list.
2. The UWV BO&C occupation list (CSV: code; omschrijving; code referentieberoep; omschrijving
   referentieberoep). Any other URI's last segment (after `/`, `:` or `#`) is looked up as a BO&C
   code, so `urn:uwv:boc:7737` and a bare `7737` both resolve.
Unknown codes resolve to an occupation without label (null), never to an error.
"""

from __future__ import annotations

import csv
import re
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from starlette.applications import Starlette

from subgraphs.sdk.app import build_schema, http_app
from subgraphs.sdk.identity import GatewayTrust
from subgraphs.sdk.types import contract_types
from vumschema import load_contract
from vumschema.policy import Caller

from .competentnl import OCCUPATION, Occupation, read_occupations

SUBGRAPH = "codelijsten"
HEADER = [
    "UWV beroep code",
    "Omschrijving",
    "Code Bovenliggend Referentie Beroep",
    "Omschrijving Bovenliggend Referentie Beroep",
]


class BeroepenListError(ValueError):
    """The occupation list cannot be read."""


@dataclass(frozen=True)
class Beroepsnaam:
    omschrijving: str
    referentie_code: str
    referentie_omschrijving: str


def read_beroepen(path: Path) -> dict[str, Beroepsnaam]:
    """The BO&C list by occupation code."""
    try:
        with path.open(encoding="utf-8-sig", newline="") as handle:
            rows = list(csv.reader(handle, delimiter=";"))
    except OSError as error:
        raise BeroepenListError(f"cannot read {path}: {error.strerror}") from error
    if not rows or rows[0] != HEADER:
        raise BeroepenListError(f"{path}: expected the BO&C columns {'; '.join(HEADER)}")
    result = {}
    for line, row in enumerate(rows[1:], start=2):
        if len(row) != len(HEADER):
            raise BeroepenListError(f"{path}:{line}: expected {len(HEADER)} columns")
        result[row[0]] = Beroepsnaam(row[1], row[2], row[3])
    return result


def code_of(uri: str) -> str:
    """The BO&C code in an occupation URI: its last segment."""
    return re.split(r"[/:#]", uri)[-1]


class Codelijsten:
    """Answers `_entities` for `Beroep` from the occupation lists: CompetentNL first, BO&C second."""

    def __init__(self, beroepen: dict[str, Beroepsnaam], occupations: Mapping[str, Occupation] | None = None) -> None:
        self.beroepen = beroepen
        self.occupations = occupations or {}

    def resolve(self, type_name: str, representation: Mapping[str, Any]) -> dict[str, Any]:
        uri = str(representation.get("codeBeroepsnaam", ""))
        occupation = self.occupations.get(uri)
        if occupation is not None:
            boc = self.beroepen.get(occupation.boc_code) if occupation.boc_code else None
        else:  # a CompetentNL id is no BO&C code, even when it happens to look like one
            boc = None if OCCUPATION.fullmatch(uri) else self.beroepen.get(code_of(uri))
        parent = boc is not None and boc.referentie_code not in ("", "n.v.t", "n.v.t.")
        label = occupation.label if occupation else boc.omschrijving if boc else None
        return {
            "codeBeroepsnaam": uri,
            "omschrijvingBeroepsnaam": label,
            "referentieberoep": {"code": boc.referentie_code, "omschrijving": boc.referentie_omschrijving}
            if boc and parent
            else None,
        }


def create_app(
    beroepen_csv: Path, trust: GatewayTrust | None, anonymous: Caller | None = None, competentnl: Path | None = None
) -> Starlette:
    """The subgraph; like every subgraph it answers the gateway only (`trust`). `competentnl`:
    CompetentNL's occupation list (SKOS), when at hand."""
    occupations = read_occupations(competentnl) if competentnl else None
    codelijsten = Codelijsten(read_beroepen(beroepen_csv), occupations)
    types = contract_types(load_contract(), SUBGRAPH, codelijsten.resolve)
    schema = build_schema(types, {})

    async def ready() -> bool:
        return bool(codelijsten.beroepen)

    return http_app(schema, SUBGRAPH, ready, trust, anonymous)
