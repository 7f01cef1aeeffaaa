"""`vum-gateway compose` gives what `@apollo/composition` 2.14.1 gives, byte for byte.

Each case under `tests/data/federation/compose/<group>/<case>/` holds the subgraphs and Apollo's
answer (`python -m bench.compose_fixtures` regenerates them with Node): the 46 suites of the
federation audit, the Guild's benchmark, the VUM subgraphs, hand-written features and the common
composition errors. The supergraph must be equal as text, not merely equivalent: the runtime, the
audit harness and other gateways read it, and a byte-equal file is what makes `compose` a drop-in
replacement for `rover supergraph compose`.
"""

from __future__ import annotations

import difflib
import json
from functools import lru_cache
from pathlib import Path
from typing import Any

import pytest

from bench.compose_fixtures.vum import vum_subgraph_sdls
from gateway.federation.compose import CompositionResult, SubgraphInput, compose
from gateway.federation.compose.printer import collation_key
from gateway.federation.compose.values import js_number

FIXTURES = Path(__file__).resolve().parent.parent / "data" / "federation" / "compose"
CASES = sorted(path.parent for path in FIXTURES.glob("*/*/subgraphs.json"))
COMPOSING = [case for case in CASES if (case / "supergraph.graphql").is_file()]
FAILING = [case for case in CASES if (case / "errors.json").is_file()]
# hints that only Apollo's satisfiability check (not done here, see the README) produces
SATISFIABILITY_HINTS = {"INCONSISTENT_RUNTIME_TYPES_FOR_SHAREABLE_RETURN"}


def case_id(case: Path) -> str:
    return f"{case.parent.name}/{case.name}"


@lru_cache(maxsize=128)
def composed(case: Path) -> CompositionResult:
    subgraphs = json.loads((case / "subgraphs.json").read_text(encoding="utf-8"))
    return compose(SubgraphInput(s["name"], s["url"], s["sdl"]) for s in subgraphs)


def test_the_fixtures_cover_the_audit_the_benchmark_vum_features_and_errors() -> None:
    groups = {case.parent.name for case in CASES}
    assert groups == {"audit", "guild-bench", "vum", "features", "errors"}
    assert len([c for c in CASES if c.parent.name == "audit"]) == 46


@pytest.mark.parametrize("case", COMPOSING, ids=case_id)
def test_the_supergraph_is_apollos_byte_for_byte(case: Path) -> None:
    result = composed(case)
    expected = (case / "supergraph.graphql").read_text(encoding="utf-8")
    assert result.errors == []
    assert result.supergraph_sdl is not None
    if result.supergraph_sdl != expected:
        diff = difflib.unified_diff(
            expected.splitlines(), result.supergraph_sdl.splitlines(), "apollo", "ours", lineterm="", n=2
        )
        pytest.fail("the supergraph differs from @apollo/composition's:\n" + "\n".join(list(diff)[:80]))


@pytest.mark.parametrize("case", FAILING, ids=case_id)
def test_composition_fails_with_apollos_errors(case: Path) -> None:
    result = composed(case)
    expected = json.loads((case / "errors.json").read_text(encoding="utf-8"))
    assert result.supergraph_sdl is None
    assert [{"code": e.code, "message": e.message} for e in result.errors] == expected


@pytest.mark.parametrize("case", COMPOSING, ids=case_id)
def test_the_hints_are_apollos(case: Path) -> None:
    expected = json.loads((case / "hints.json").read_text(encoding="utf-8"))
    expected = [h for h in expected if h["code"] not in SATISFIABILITY_HINTS]
    assert [{"code": str(h.code), "message": h.message} for h in composed(case).hints] == expected


def test_the_vum_fixture_is_what_the_sdk_serves_today() -> None:
    """When the contract changes, the VUM fixture must be regenerated (`python -m bench.compose_fixtures`)."""
    subgraphs = json.loads((FIXTURES / "vum" / "vum" / "subgraphs.json").read_text(encoding="utf-8"))
    assert {s["name"]: s["sdl"] for s in subgraphs} == vum_subgraph_sdls()


def test_the_vum_supergraph_carries_the_contract_and_joins_beroep_through_its_key() -> None:
    sdl = (FIXTURES / "vum" / "vum" / "supergraph.graphql").read_text(encoding="utf-8")
    result = composed(FIXTURES / "vum" / "vum")
    assert result.supergraph_sdl == sdl
    assert '@join__type(graph: CODELIJSTEN, key: "codeBeroepsnaam")' in sdl
    assert '@join__type(graph: ORGANISATIE, key: "codeBeroepsnaam", resolvable: false)' in sdl
    assert "bronWerkzoekendeProfielMatches(" in sdl


# --- errors a user meets, in words ---------------------------------------------------------------


def compose_sdls(**sdls: str) -> CompositionResult:
    return compose(SubgraphInput(name, f"http://{name}.example/graphql", sdl) for name, sdl in sdls.items())


FED2 = 'extend schema @link(url: "https://specs.apollo.dev/federation/v2.3", import: ["@key", "@shareable"])\n'


def test_a_field_resolved_by_two_subgraphs_must_be_shareable_and_the_error_names_both() -> None:
    result = compose_sdls(
        users=FED2 + 'type Query { me: User } type User @key(fields: "id") { id: ID! name: String }',
        profiles=FED2 + 'type User @key(fields: "id") { id: ID! name: String }',
    )
    assert [e.code for e in result.errors] == ["INVALID_FIELD_SHARING"]
    assert 'field "User.name"' in result.errors[0].message
    assert 'subgraphs "profiles" and "users"' in result.errors[0].message


def test_a_syntax_error_names_the_subgraph_and_where() -> None:
    result = compose_sdls(broken="type Query { a: }")
    assert [e.code for e in result.errors] == ["INVALID_GRAPHQL"]
    assert result.errors[0].message.startswith('[broken] Syntax Error: Expected Name, found "}".')
    assert "(line 1, column 17)" in result.errors[0].message


def test_two_subgraphs_of_one_name_are_refused() -> None:
    result = compose(
        [
            SubgraphInput("a", "http://a", "type Query { a: Int }"),
            SubgraphInput("a", "http://b", "type Query { b: Int }"),
        ]
    )
    assert [e.code for e in result.errors] == ["INVALID_SUBGRAPH_NAME"]
    assert '"a"' in result.errors[0].message


def test_a_misspelt_federation_directive_gets_a_suggestion() -> None:
    result = compose_sdls(a=FED2 + "type Query { a: Int @sharable }")
    assert [e.code for e in result.errors] == ["INVALID_GRAPHQL"]
    assert result.errors[0].message == '[a] Unknown directive "@sharable". Did you mean "@shareable"?'


def test_a_federation_directive_used_without_import_says_how_to_import_it() -> None:
    result = compose_sdls(a=FED2 + 'type Query { t: T } type T @key(fields: "id") { id: ID! x: Int @external }')
    assert 'add "@external" to the `import` argument of the @link' in result.errors[0].message


def test_composition_is_deterministic_whatever_the_order_of_the_subgraphs() -> None:
    subgraphs: list[dict[str, Any]] = json.loads((FIXTURES / "audit" / "abstract-types" / "subgraphs.json").read_text())
    inputs = [SubgraphInput(s["name"], s["url"], s["sdl"]) for s in subgraphs]
    assert compose(inputs).supergraph_sdl == compose(reversed(inputs)).supergraph_sdl


# --- the printing details that make the output byte-equal ----------------------------------------


def test_names_sort_as_javascripts_locale_compare() -> None:
    names = [
        "Query",
        "join__Graph",
        "ArbeidsVoorwaarden",
        "Arbeidsmarktkwalificatie",
        "link__Import",
        "_Any",
        "a1",
        "A2",
    ]
    assert sorted(names, key=collation_key) == [
        "_Any",
        "a1",
        "A2",
        "Arbeidsmarktkwalificatie",
        "ArbeidsVoorwaarden",
        "join__Graph",
        "link__Import",
        "Query",
    ]


@pytest.mark.parametrize(
    ("number", "printed"),
    [
        (1.0, "1"),
        (1.5, "1.5"),
        (0.000001, "0.000001"),
        (1e-7, "1e-7"),
        (1e21, "1e+21"),
        (1e16, "10000000000000000"),
        (-2.25, "-2.25"),
        (10, "10"),
    ],
)
def test_numbers_print_as_javascript_prints_them(number: float, printed: str) -> None:
    assert js_number(number) == printed
