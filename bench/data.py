"""The benchmark's organisations and their generated job-seeker profiles."""

from __future__ import annotations

import datetime
import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from gateway.demo.synthetic import generate, read_beroepen, read_postcodes
from vumschema.policy import Toestemming, write_toestemming

Record = dict[str, Any]
# Every benchmark profile consented to share everything: the benchmark measures the gateway, not consent.
EVERYTHING = write_toestemming(Toestemming.everything(datetime.date(2026, 10, 1), "bench"))


@dataclass(frozen=True)
class Organisation:
    """One benchmark organisation: its registry entry and where its records are written."""

    id: str
    name: str
    oin: str
    records: Path


def organisation_ids(count: int) -> list[str]:
    return [f"bench-org-{index:02d}" for index in range(1, count + 1)]


def write_organisations(
    work: Path, seed: int, count: int, per_organisation: int, postcodes: Path, beroepen: Path
) -> list[Organisation]:
    """Generate `per_organisation` profiles for each of `count` organisations and write them as JSON."""
    ids = organisation_ids(count)
    generated = generate(seed, ids, read_postcodes(postcodes), read_beroepen(beroepen), per_organisation, 0)
    organisations = []
    for index, data in enumerate(generated):
        path = work / f"{data.bron_id}.json"
        consented = [{**record, "toestemming": EVERYTHING} for record in data.werkzoekenden]
        path.write_text(json.dumps(consented, ensure_ascii=False), encoding="utf-8")
        oin = f"{99100000000000000000 + index + 1:020d}"
        organisations.append(Organisation(data.bron_id, f"Bench organisation {index + 1}", oin, path))
    return organisations


def read_records(path: Path) -> list[Record]:
    records: list[Record] = json.loads(path.read_text(encoding="utf-8"))
    return records
