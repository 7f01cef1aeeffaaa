"""GraphQL errors of execution, shaped once: a subgraph's own (re-pathed), and the executor's."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from ..errors import ErrorCode
from .transport import SubgraphFailure

DOWNSTREAM = "DOWNSTREAM_SERVICE_ERROR"


def from_subgraph(error: Mapping[str, Any], subgraph: str, path: Sequence[str | int] | None) -> dict[str, Any]:
    """A subgraph's error as the client sees it: its message and code, the response path, the subgraph."""
    result: dict[str, Any] = {"message": error.get("message", "")}
    if path:
        result["path"] = list(path)
    given = error.get("extensions")
    extensions = dict(given) if isinstance(given, dict) else {}
    extensions.setdefault("code", DOWNSTREAM)
    extensions["serviceName"] = subgraph
    result["extensions"] = extensions
    return result


def failure(failure: SubgraphFailure, path: Sequence[str] | None = None) -> dict[str, Any]:
    """A subgraph that gave no usable answer (its fields stay null)."""
    return executor_error(f"subgraph {failure.subgraph}: {failure.message}", failure.code, failure.subgraph, path)


def executor_error(message: str, code: ErrorCode, subgraph: str, path: Sequence[str] | None = None) -> dict[str, Any]:
    error: dict[str, Any] = {"message": message}
    if path:
        error["path"] = [p for p in path if p != "@"]
    error["extensions"] = {"code": str(code), "serviceName": subgraph}
    return error
