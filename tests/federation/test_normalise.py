"""Normalising walks each fragment once per type: a fragment bomb costs work linear in its text."""

from __future__ import annotations

from pathlib import Path

from gateway.federation.planning import QueryPlanner
from gateway.federation.supergraph import load_supergraph

SUPERGRAPH = Path(__file__).parent / "shop" / "supergraph.graphql"


def doubling(levels: int, body: str) -> str:
    fragments = [f"fragment F0 on Query {{ {body} }}"]
    fragments += [f"fragment F{i} on Query {{ ...F{i - 1} ...F{i - 1} }}" for i in range(1, levels + 1)]
    return f"query Bomb {{ ...F{levels} }}\n" + "\n".join(fragments)


def test_a_fragment_spread_twice_per_level_is_walked_once_per_level() -> None:
    planner = QueryPlanner(load_supergraph(SUPERGRAPH))
    for body, keys in (("__typename", ["__typename"]), ("a: __typename b: warehouseName", ["a", "b"])):
        operation = planner.operation(doubling(22, body), None)
        assert [f.key for f in operation.root.fields("Query")] == keys
        assert operation.work <= 10 * 22, operation.work  # was 3 × 2**22 (12.6 million)


def test_a_spread_fragment_with_a_sub_selection_merges_its_occurrence_once() -> None:
    planner = QueryPlanner(load_supergraph(SUPERGRAPH))
    operation = planner.operation(doubling(20, "products { upc }"), None)
    (field,) = operation.root.fields("Query")
    assert field.key == "products" and field.selection is not None
    assert [f.key for f in field.selection.fields(field.selection.type_name)] == ["upc"]
    assert operation.work <= 10 * 20, operation.work
