"""The VUM supergraph (`gateway/vum/supergraph.py`): the contract's shares, composed in Python."""

from __future__ import annotations

import logging
from pathlib import Path

import pytest
from graphql import GraphQLSchema, lexicographic_sort_schema, print_schema

from gateway.federation.compose import SubgraphInput, compose
from gateway.public_schema import build_public_schema
from gateway.vum import supergraph as module
from gateway.vum.supergraph import (
    CODELIJSTEN,
    ORGANISATIE,
    REGENERATE,
    STORED,
    codelijsten_sdl,
    compose_vum,
    organisatie_sdl,
    stored_document,
    vum_supergraph,
)
from vumschema import load_contract
from vumschema.contract import directive_args

FIXTURE = Path(__file__).parent / "data" / "federation" / "compose" / "vum" / "vum"
URLS = {ORGANISATIE: "http://127.0.0.1:4101/graphql", CODELIJSTEN: "http://127.0.0.1:4100/graphql"}


def test_the_plain_shares_compose_to_what_apollo_composes_of_the_sdks_subgraphs() -> None:
    """`@apollo/composition`'s supergraph of the SDK's `organisatie` and `codelijsten`, byte for byte."""
    contract = load_contract()
    result = compose(
        [
            SubgraphInput(CODELIJSTEN, URLS[CODELIJSTEN], codelijsten_sdl(contract)),
            SubgraphInput(ORGANISATIE, URLS[ORGANISATIE], organisatie_sdl(contract, gateway_view=False)),
        ]
    )
    assert result.errors == []
    assert result.supergraph_sdl == (FIXTURE / "supergraph.graphql").read_text(encoding="utf-8")


def _type_system(schema: GraphQLSchema, leave_out: frozenset[str] = frozenset()) -> str:
    """The schema's types in name order, without directive definitions: the contract's own
    (`@categorie`, `@code`, ...) describe the contract, and a federation API schema carries no
    custom directive that is not composed in."""
    types = [t for name, t in schema.type_map.items() if name not in leave_out]
    return print_schema(lexicographic_sort_schema(GraphQLSchema(query=schema.query_type, types=types, directives=[])))


def test_the_supergraph_serves_todays_public_schema() -> None:
    public = build_public_schema(load_contract())
    served = _type_system(vum_supergraph().api_schema)
    # `Scope` is the argument type of the contract's `@requiresScopes` definition, used by nothing else
    assert served == _type_system(public, leave_out=frozenset({"Scope"}))
    assert "BronWerkzoekendeProfielMatches" not in served and "bronVacature" not in served


def test_the_source_side_and_the_gateway_fields_are_where_they_belong() -> None:
    supergraph = vum_supergraph()
    query = supergraph.schema.query_type
    assert query is not None
    assert "bronWerkzoekendeProfielMatches" in query.fields  # in the supergraph, for the organisations
    assert "bronWerkzoekendeProfielMatches" not in (supergraph.api_schema.query_type or query).fields
    assert set(supergraph.subgraphs) == {"gateway", CODELIJSTEN, ORGANISATIE}
    sdl = compose_vum(load_contract())
    assert '@join__type(graph: GATEWAY, key: "idWerkzoekende", resolvable: false)' in sdl
    vum_id = '  vumID: ID! @join__field(graph: GATEWAY) @policy(policies: [["MATCHPROFIEL"]])\n'
    assert vum_id in sdl  # computed by the gateway, never asked of a source


def test_the_supergraph_carries_the_contracts_authorisation_and_categories() -> None:
    """What the runtime's Authorizer applies is what the contract says, field by field."""
    contract, supergraph = load_contract(), vum_supergraph()
    checked = 0
    for type_name, meta in supergraph.types.items():
        if type_name not in contract.types:
            continue
        for field_name, field_meta in meta.fields.items():
            if field_name not in contract.fields(type_name):
                continue
            node = contract.field(type_name, field_name)
            scopes = directive_args(node, "requiresScopes")
            category = contract.category(type_name, field_name)
            want = tuple(tuple(s) for s in scopes["scopes"]) if scopes else ()
            assert field_meta.authorization.scopes == want, (type_name, field_name)
            assert field_meta.authorization.authenticated == (directive_args(node, "authenticated") is not None)
            assert field_meta.authorization.policies == (((category,),) if category else ()), (type_name, field_name)
            checked += bool(want or category)
    assert checked > 50


def test_the_shipped_supergraph_is_what_composing_the_contract_gives_now() -> None:
    """The gateway reads `supergraph.graphql` at start instead of composing: it must be current."""
    if STORED.read_text(encoding="utf-8") != stored_document(load_contract()):
        pytest.fail(f"{STORED} is not what composing schema.graphql gives now: run `{REGENERATE}`", pytrace=False)


def test_the_gateway_reads_the_shipped_supergraph_without_composing(monkeypatch: pytest.MonkeyPatch) -> None:
    def compose_refused(*args: object, **kwargs: object) -> str:
        raise AssertionError(f"composed at start: is {STORED.name} current? (`{REGENERATE}`)")

    monkeypatch.setattr(module, "compose_vum", compose_refused)
    assert vum_supergraph.__wrapped__().sdl == compose_vum(load_contract())


def test_a_supergraph_of_another_contract_is_composed_again(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    """schema.graphql edited and `supergraph.graphql` not regenerated: the gateway composes it at
    start, as before there was a file, and says how to regenerate it."""
    stale = tmp_path / "supergraph.graphql"
    stale.write_text(STORED.read_text(encoding="utf-8").replace("sha256 ", "sha256 0", 1), encoding="utf-8")
    monkeypatch.setattr(module, "STORED", stale)
    with caplog.at_level(logging.WARNING, "vum.federation"):
        composed = vum_supergraph.__wrapped__()
    assert composed.sdl == compose_vum(load_contract())
    assert REGENERATE in caplog.text
    monkeypatch.setattr(module, "STORED", tmp_path / "missing.graphql")
    assert vum_supergraph.__wrapped__().sdl == composed.sdl
