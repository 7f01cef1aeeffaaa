"""Snapshots of printed query plans, as Apollo Router's planner tests keep them.

For every operation of the federation audit (46 supergraphs that exercise keys, @requires,
@provides, @override, interfaces, unions, interface objects, …) and the guild benchmark query,
the printed plan (or the planning error) is compared with `snapshots/<suite>.txt`. A change in
planning shows as a readable diff. The plans were checked by running them: the audit passes
199/199 with them. After an intended change, `UPDATE_SNAPSHOTS=1 pytest tests/federation/test_plan_snapshots.py`
rewrites the files; review the diff before committing it.
"""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

from gateway.federation.errors import FederationError
from gateway.federation.planning import QueryPlanner, print_plan
from gateway.federation.supergraph import load_supergraph

HERE = Path(__file__).parent
SUITES = sorted(p.name for p in (HERE / "audit").iterdir() if p.is_dir())
# The audit's supergraphs are the compose fixtures (composed by @apollo/composition); the guild
# benchmark's supergraph is the one its kit ships, kept beside its query.
COMPOSED_AUDIT = HERE.parent / "data" / "federation" / "compose" / "audit"


def supergraph_of(suite: str) -> Path:
    composed = COMPOSED_AUDIT / suite / "supergraph.graphql"
    return composed if composed.is_file() else HERE / "audit" / suite / "supergraph.graphql"


def printed_plans(suite: str) -> str:
    planner = QueryPlanner(load_supergraph(supergraph_of(suite)))
    tests = json.loads((HERE / "audit" / suite / "tests.json").read_text(encoding="utf-8"))
    parts = []
    for index, test in enumerate(tests):
        try:
            printed = print_plan(planner.plan(test["query"]))
        except FederationError as error:
            printed = f"error {error.code}: {error.message}"
        parts.append(f"### {suite}_{index}\n{test['query'].strip()}\n\n{printed}\n")
    return "\n".join(parts)


@pytest.mark.parametrize("suite", SUITES)
def test_plans_match_their_snapshot(suite: str) -> None:
    snapshot = HERE / "snapshots" / f"{suite}.txt"
    printed = printed_plans(suite)
    if os.environ.get("UPDATE_SNAPSHOTS"):
        snapshot.write_text(printed, encoding="utf-8")
    assert snapshot.exists(), f"no snapshot for {suite}: run with UPDATE_SNAPSHOTS=1 and review it"
    assert printed == snapshot.read_text(encoding="utf-8")


def test_every_suite_has_a_snapshot_and_no_stale_ones() -> None:
    assert sorted(p.stem for p in (HERE / "snapshots").glob("*.txt")) == SUITES
