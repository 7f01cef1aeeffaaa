"""Schemathesis, an independent contract fuzzer, against the REST facade of a running gateway.

The VUM-Bemiddelaar contracts have no links, so `linked_contract` writes a copy with one: a
search's first `vumID` feeds the detail lookup, which gives Schemathesis's stateful phase its
scenario (search, then the detail of a returned vumID). `fuzz` runs every phase (examples,
coverage, fuzzing, stateful) with every check and both positive and negative data, in a worker
thread (the engine is synchronous; the gateway under test runs in the caller's event loop), and
returns what it found as plain data.
"""

from __future__ import annotations

import json
import shutil
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml
from schemathesis.config import SchemathesisConfig
from schemathesis.engine import from_schema
from schemathesis.engine.events import EngineFinished, FatalError, NonFatalError, ScenarioFinished
from schemathesis.openapi import from_path

from .conftest import CONTRACTS

DETAIL_OPERATIONS = {"werkzoekendeProfielen": "getWerkzoekendeProfiel", "vacatures": "getVacature"}


def linked_contract(name: str, resource: str, directory: Path) -> Path:
    """A copy of contract `name` in `directory` whose search links its first match to the detail."""
    document = yaml.safe_load((CONTRACTS / f"{name}.yaml").read_text(encoding="utf-8"))
    search = document["paths"][f"/{resource}/matches"]["post"]
    detail = next(p["get"] for path, p in document["paths"].items() if path != f"/{resource}/matches")
    assert detail["operationId"] == DETAIL_OPERATIONS[resource], detail["operationId"]
    search["responses"]["200"]["links"] = {
        "Detail": {
            "operationId": detail["operationId"],
            "parameters": {"vumID": "$response.body#/matches/0/vumID"},
            "description": "The detail of a returned match (added for the tests: the contract has no links).",
        }
    }
    target = directory / f"{name}.yaml"
    target.write_text(yaml.safe_dump(document, sort_keys=False, allow_unicode=True), encoding="utf-8")
    shutil.copy(CONTRACTS / "components.yaml", directory / "components.yaml")
    return target


@dataclass(frozen=True)
class Found:
    """One failed check: which, where, and the exchange that failed it."""

    check: str
    operation: str
    status: int | None
    code: str | None  # the facade's error code in the answer, when it answered one
    answer: str  # the facade's error message, when it answered one
    details: str  # and its details (for a 503: each source's status)
    message: str
    request: str


@dataclass
class Outcome:
    """What one run found."""

    requests: int = 0
    checks: Counter[str] = field(default_factory=Counter)
    phases: Counter[str] = field(default_factory=Counter)  # scenarios per phase
    failures: list[Found] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)


def _answered(body: bytes | None) -> tuple[str | None, str, str]:
    """The error model's code, message and details of a response body, if it has them."""
    try:
        decoded = json.loads(body or b"")
    except ValueError:
        return None, "", ""
    if not isinstance(decoded, dict) or "code" not in decoded:
        return None, "", ""
    return str(decoded["code"]), str(decoded.get("message", "")), str(decoded.get("details", ""))


def fuzz(contract: Path, base_url: str, headers: dict[str, str], parameters: dict[str, str], seconds: int) -> Outcome:
    """Run Schemathesis against `base_url` (every phase, check and mode); blocking."""
    config = SchemathesisConfig.from_dict(
        {
            "seed": 2026,
            "max-time": seconds,
            "base-url": base_url,
            "headers": headers,
            "parameters": parameters,
            "continue-on-failure": True,
            "request-timeout": 30,
            "generation": {"mode": "all", "max-examples": 40, "database": "none"},
            "checks": {"enabled": True},
            "phases": {"stateful": {"max-steps": 40}},
        }
    )
    schema = from_path(contract, config=config)
    outcome = Outcome()
    for event in from_schema(schema).execute():
        if isinstance(event, ScenarioFinished):
            _read(event, outcome)
        elif isinstance(event, NonFatalError | FatalError):
            outcome.errors.append(str(getattr(event, "value", None) or getattr(event, "exception", event)))
        elif isinstance(event, EngineFinished):
            break
    return outcome


def _read(event: ScenarioFinished, outcome: Outcome) -> None:
    recorder = event.recorder
    outcome.phases[str(event.phase.value)] += 1
    outcome.requests += sum(1 for i in recorder.interactions.values() if i.response is not None)
    for case_id, nodes in recorder.checks.items():
        for node in nodes:
            outcome.checks[node.name] += 1
            if node.failure_info is None:
                continue
            interaction = recorder.interactions.get(case_id)
            response = interaction.response if interaction else None
            request = f"{interaction.request.method} {interaction.request.uri}" if interaction else "?"
            body = interaction.request.body if interaction else None
            failure = node.failure_info.failure
            code, answer, details = _answered(response.content) if response else (None, "", "")
            outcome.failures.append(
                Found(
                    check=node.name,
                    operation=str(failure.operation or recorder.label),
                    status=response.status_code if response else None,
                    code=code,
                    answer=answer,
                    details=details,
                    message=f"{failure.title}: {failure.message}"[:500],
                    request=f"{request} {body[:300]!r}" if body else request,
                )
            )


def summary(outcome: Outcome) -> dict[str, Any]:
    return {"requests": outcome.requests, "checks": dict(outcome.checks), "phases": dict(outcome.phases)}
