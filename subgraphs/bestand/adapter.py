"""The file adapter: an organisation's export (JSON or CSV) served as a subgraph.

The export is re-read when its modification time or size changes, so the organisation only has
to overwrite the file. A new export that cannot be read keeps the previous records in service
(and says so in the log). A JSON export is an array of standard records. A CSV export has one row
per record and one column per field, named by its path (`mobiliteit.bemiddelingspostcode`);
a cell of a list or object field holds JSON (`[{"codeSoortRijbewijs": "B"}]`).

Records leave as stored, empty strings and empty lists included. CSV cannot tell an empty
string from no value, so in a CSV export an empty cell is an absent field. An empty list or
object, or one holding empty strings, is a JSON cell and keeps them (`[]`, `{}`,
`[{"toelichtingOpleiding": ""}]`): `write_csv_records` writes an object that way when flattening
it would lose something, and refuses a record with an empty string in a text column (export JSON
for such records).
"""

from __future__ import annotations

import asyncio
import csv
import io
import json
import logging
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from graphql import ListTypeNode, NonNullTypeNode

from subgraphs.sdk.adapter import InMemoryAdapter, SearchResult, valid_records
from subgraphs.sdk.records import RecordFileError, read_json_records
from subgraphs.sdk.selectievraag import Record, Selectievraag
from vumschema import Contract, load_contract
from vumschema.contract import named_type
from vumschema.policy import CONSENT_FIELD

log = logging.getLogger("vum.subgraph.bestand")


def _cell(contract: Contract, type_name: str, path: list[str], cell: str) -> Any:
    """A CSV cell as the JSON value of the field at `path`, typed by the contract (consent
    columns, `toestemming.<categorie>.datum` / `.vastgelegdDoor`, are text; `toestemming` is JSON)."""
    if path[0] == CONSENT_FIELD and type_name == "Werkzoekende":
        return json.loads(cell) if len(path) == 1 else cell
    field = contract.field(type_name, path[0])
    if len(path) > 1:
        return _cell(contract, named_type(field.type), path[1:], cell)
    type_node = field.type.type if isinstance(field.type, NonNullTypeNode) else field.type
    target = named_type(type_node)
    if isinstance(type_node, ListTypeNode) or not (contract.is_scalar(target) or contract.is_enum(target)):
        return json.loads(cell)
    if target == "Int" or (contract.is_enum(target) and contract.enum_codes(target).wire_type == "INT"):
        return int(cell)
    if target == "Boolean":
        return cell.strip().lower() == "true"
    return cell


def csv_records(text: str, type_name: str, contract: Contract) -> list[Any]:
    """Rows of a CSV export as nested records; a row that cannot be typed becomes None (skipped)."""
    records: list[Any] = []
    for line, row in enumerate(csv.DictReader(io.StringIO(text)), start=2):
        record: dict[str, Any] = {}
        try:
            for column, cell in row.items():
                if column is None or cell is None or cell == "":
                    continue
                path = column.strip().split(".")
                target = record
                for step in path[:-1]:
                    target = target.setdefault(step, {})
                target[path[-1]] = _cell(contract, type_name, path, cell)
        except (KeyError, ValueError) as error:
            log.warning("line %d: skipped, %s", line, type(error).__name__)
            record = None  # type: ignore[assignment]
        records.append(record)
    return records


class CsvExportError(ValueError):
    """A record cannot be written to CSV without losing a value."""


def _keeps_only_as_json(value: Mapping[str, Any]) -> bool:
    """True for an object that flattening into columns would change: empty, or holding an empty
    string or an empty object outside its lists (empty cells read back as absent)."""
    return not value or any(
        item == "" or (isinstance(item, Mapping) and _keeps_only_as_json(item)) for item in value.values()
    )


def _flatten(record: Mapping[str, Any], prefix: str = "") -> dict[str, str]:
    cells: dict[str, str] = {}
    for key, value in record.items():
        column = f"{prefix}{key}"
        if isinstance(value, Mapping) and not _keeps_only_as_json(value):
            cells.update(_flatten(value, f"{column}."))
        elif isinstance(value, list | Mapping):
            cells[column] = json.dumps(value, ensure_ascii=False)
        elif value == "":
            raise CsvExportError(f"{column} is an empty string, which CSV cannot tell from absent: export JSON")
        elif value is not None:
            cells[column] = str(value)
    return cells


def write_csv_records(records: Iterable[Mapping[str, Any]], type_name: str) -> str:
    """Records as a CSV export in the format `csv_records` reads (columns in first-seen order).

    Raises `CsvExportError` (naming the record's position and field) for a record with an empty
    string in a text column; every other value reads back as written."""
    rows = []
    for position, record in enumerate(records):
        try:
            rows.append(_flatten(record))
        except CsvExportError as error:
            raise CsvExportError(f"{type_name}[{position}].{error}") from None
    columns = list(dict.fromkeys(column for row in rows for column in row))
    output = io.StringIO()
    writer = csv.DictWriter(output, fieldnames=columns, lineterminator="\n")
    writer.writeheader()
    writer.writerows(rows)
    return output.getvalue()


def read_export(path: Path, type_name: str) -> list[dict[str, Any]]:
    """A JSON or CSV export (by suffix), validated; invalid records are skipped and logged."""
    if path.suffix.lower() == ".json":
        return read_json_records(path, type_name)
    if path.suffix.lower() == ".csv":
        try:
            text = path.read_text(encoding="utf-8-sig")
        except OSError as error:
            raise RecordFileError(f"cannot read {path}: {error.strerror}") from error
        return valid_records(csv_records(text, type_name, load_contract()), type_name, path.name)
    raise RecordFileError(f"{path}: expected a .json or .csv export")


@dataclass
class WatchedFile:
    """A file and the version of it that was last read."""

    path: Path
    type_name: str
    version: tuple[float, int] | None = None

    def changed(self) -> bool:
        try:
            stat = self.path.stat()
        except OSError:
            return False  # a missing file keeps the last records; the exporter may be rewriting it
        return (stat.st_mtime, stat.st_size) != self.version

    def read(self) -> list[dict[str, Any]]:
        stat = self.path.stat()
        records = read_export(self.path, self.type_name)
        self.version = (stat.st_mtime, stat.st_size)
        return records


class BestandAdapter(InMemoryAdapter):
    """Records from export files, reloaded when a file changes."""

    def __init__(self, werkzoekenden: Path | None, vacatures: Path | None) -> None:
        super().__init__()
        self.files = {
            kind: WatchedFile(path, type_name)
            for kind, path, type_name in (
                ("werkzoekenden", werkzoekenden, "Werkzoekende"),
                ("vacatures", vacatures, "Vacature"),
            )
            if path is not None
        }
        self._lock = asyncio.Lock()

    async def startup(self) -> None:
        for kind, watched in self.files.items():
            self._install(kind, await asyncio.to_thread(watched.read))

    def _install(self, kind: str, records: list[dict[str, Any]]) -> None:
        if kind == "werkzoekenden":
            self.replace(records, self.vacatures.values())
        else:
            self.replace(self.werkzoekenden.values(), records)
        log.info("%s: %d records in service", self.files[kind].path.name, len(records))

    async def refresh(self) -> None:
        """Re-read every export whose file changed since it was last read."""
        async with self._lock:
            for kind, watched in self.files.items():
                if not watched.changed():
                    continue
                try:
                    self._install(kind, await asyncio.to_thread(watched.read))
                except (RecordFileError, OSError) as error:
                    log.error("%s: new export not used, previous records stay in service: %s", watched.path.name, error)
                    stat = watched.path.stat()
                    watched.version = (stat.st_mtime, stat.st_size)

    async def search_werkzoekenden(self, vraag: Selectievraag, limit: int) -> SearchResult:
        await self.refresh()
        return await super().search_werkzoekenden(vraag, limit)

    async def get_werkzoekende(self, id_werkzoekende: str) -> Record | None:
        await self.refresh()
        return await super().get_werkzoekende(id_werkzoekende)

    async def search_vacatures(self, vraag: Selectievraag, limit: int) -> SearchResult:
        await self.refresh()
        return await super().search_vacatures(vraag, limit)

    async def get_vacature(self, id_vacature: str) -> Record | None:
        await self.refresh()
        return await super().get_vacature(id_vacature)
