"""Reading an organisation's records from standard JSON files, validated against the contract."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from .adapter import valid_records


class RecordFileError(ValueError):
    """A records file cannot be read."""


def read_json_records(path: Path, type_name: str) -> list[dict[str, Any]]:
    """A JSON array of `Werkzoekende` or `Vacature` records; invalid records are skipped (logged)."""
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except OSError as error:
        raise RecordFileError(f"cannot read {path}: {error.strerror}") from error
    except json.JSONDecodeError as error:
        raise RecordFileError(f"{path}: not valid JSON (line {error.lineno}, column {error.colno})") from error
    if not isinstance(data, list):
        raise RecordFileError(f"{path}: expected a JSON array of {type_name} records")
    return valid_records(data, type_name, path.name)
