"""Progressive override: a label decides which subgraph resolves an overridden field, per request."""

from __future__ import annotations

from pathlib import Path

from gateway.federation.planning import QueryPlanner
from gateway.federation.supergraph import load_supergraph

SUPERGRAPH = Path(__file__).parent / "data" / "progressive-override.graphql"  # composed by @apollo/composition
QUERY = "{ posts { id createdAt } }"


def subgraphs(planner: QueryPlanner, labels: frozenset[str]) -> list[str]:
    return [fetch.subgraph for fetch in planner.plan(QUERY, labels=labels).fetches]


def test_the_label_moves_the_field_to_the_overriding_subgraph() -> None:
    planner = QueryPlanner(load_supergraph(SUPERGRAPH))
    assert planner.supergraph.override_labels == {"percent(25)"}
    assert subgraphs(planner, frozenset()) == ["a"]
    assert subgraphs(planner, frozenset({"percent(25)"})) == ["a", "b"]


def test_a_percentage_label_is_drawn_per_request_at_its_share() -> None:
    planner = QueryPlanner(load_supergraph(SUPERGRAPH))
    drawn = sum("percent(25)" in planner.labels_for() for _ in range(4000))
    assert 800 < drawn < 1200  # 25 % of 4000, well within chance
    assert planner.labels_for(frozenset({"percent(25)", "unknown"})) >= {"percent(25)"}
