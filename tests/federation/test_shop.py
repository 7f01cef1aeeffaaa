"""The runtime over real HTTP against real subgraphs (the shop): what a client relies on, feature by feature."""

from __future__ import annotations

import hashlib
import json

from tests.federation.conftest import HERE, Shop
from tests.federation.shop import SUBGRAPHS, sdl


def test_shop_supergraph_is_current() -> None:
    """The stored supergraph was composed from the subgraphs as they are (else: write_supergraph)."""
    recorded = json.loads((HERE / "shop" / "sdl-digests.json").read_text(encoding="utf-8"))
    current = {name: hashlib.sha256(sdl(name).encode()).hexdigest() for name in sorted(SUBGRAPHS)}
    assert current == recorded, "a shop subgraph changed: run `python -m tests.federation.shop.write_supergraph`"


async def test_entity_join_across_three_subgraphs(shop: Shop) -> None:
    result = await shop.post("{ products { upc name inStock reviews { body author { username } } } }")
    assert result == {
        "data": {
            "products": [
                {
                    "upc": "p1",
                    "name": "Table",
                    "inStock": True,
                    "reviews": [
                        {"body": "Sturdy", "author": {"username": "ada"}},
                        {"body": "Wobbly", "author": {"username": "alan"}},
                    ],
                },
                {"upc": "p2", "name": "Chair", "inStock": False, "reviews": []},
                {
                    "upc": "p3",
                    "name": "Lamp",
                    "inStock": True,
                    "reviews": [{"body": "Bright", "author": {"username": "ada"}}],
                },
            ]
        }
    }


async def test_requires_sends_the_required_price_even_when_the_client_asks_another_currency(shop: Shop) -> None:
    result = await shop.post('{ product(upc: "p2") { dollars: price(currency: "USD") price shippingEstimate } }')
    assert result == {"data": {"product": {"dollars": 44, "price": 40, "shippingEstimate": 10}}}
    result = await shop.post('{ product(upc: "p1") { price(currency: "USD") shippingEstimate } }')
    assert result == {"data": {"product": {"price": 110, "shippingEstimate": 0}}}


async def test_provides_answers_the_username_without_asking_accounts(shop: Shop) -> None:
    plan = shop.runtime.planner.plan("{ latestReviews { author { username } } }")  # type: ignore[union-attr]
    assert [f.subgraph for f in plan.fetches] == ["reviews"]
    result = await shop.post("{ latestReviews { author { username name } } }")
    assert result["data"]["latestReviews"][0] == {"author": {"username": "ada", "name": "Ada Lovelace"}}


async def test_override_takes_the_field_from_the_new_owner(shop: Shop) -> None:
    result = await shop.post('{ product(upc: "p1") { averageRating } }')
    assert result == {"data": {"product": {"averageRating": 3.5}}}


async def test_union_members_are_completed_from_other_subgraphs(shop: Shop) -> None:
    query = '{ search(term: "l") { __typename ... on Product { name reviews { rating } } ... on Category { title: name } } }'
    result = await shop.post(query)
    assert result == {
        "data": {
            "search": [
                {"__typename": "Product", "name": "Table", "reviews": [{"rating": 5}, {"rating": 2}]},
                {"__typename": "Product", "name": "Lamp", "reviews": [{"rating": 4}]},
                {"__typename": "Category", "title": "Lighting"},
            ]
        }
    }


async def test_interface_object_fields_and_the_real_type_behind_them(shop: Shop) -> None:
    result = await shop.post("{ accounts { __typename id balance ... on Bot { model } } }")
    assert result == {
        "data": {
            "accounts": [
                {"__typename": "User", "id": "u1", "balance": 120},
                {"__typename": "User", "id": "u2", "balance": -5},
                {"__typename": "Bot", "id": "b1", "balance": 0, "model": "T-800"},
            ]
        }
    }
    result = await shop.post("{ inDebt { id balance __typename ... on User { name } } }")
    assert result == {"data": {"inDebt": [{"id": "u2", "balance": -5, "__typename": "User", "name": "Alan Turing"}]}}


async def test_mutations_run_one_after_the_other_across_subgraphs(shop: Shop) -> None:
    result = await shop.post("mutation { a: increment(by: 1) b: double c: increment(by: 3) d: double }")
    assert result == {"data": {"a": 1, "b": 2, "c": 5, "d": 10}}


async def test_inaccessible_fields_are_not_in_the_api(shop: Shop) -> None:
    result = await shop.post("{ me { internalCode } }")
    assert result["errors"][0]["extensions"]["code"] == "GRAPHQL_VALIDATION_FAILED"
    assert "internalCode" in result["errors"][0]["message"]
    assert "data" not in result


async def test_a_failing_field_is_null_with_an_error_at_its_path(shop: Shop) -> None:
    result = await shop.post("{ products { upc flaky } }")
    assert result["data"] == {
        "products": [
            {"upc": "p1", "flaky": "counted p1"},
            {"upc": "p2", "flaky": "counted p2"},
            {"upc": "p3", "flaky": None},
        ]
    }
    assert [e["path"] for e in result["errors"]] == [["products", 2, "flaky"]]
    assert result["errors"][0]["extensions"]["serviceName"] == "inventory"


async def test_variables_fragments_aliases_and_conditions(shop: Shop) -> None:
    query = """
      query Shop($upc: String!, $withReviews: Boolean!, $currency: String! = "USD") {
        item: product(upc: $upc) { ...Basics reviews @include(if: $withReviews) { body } }
      }
      fragment Basics on Product { upc label: name cost: price(currency: $currency) }
    """
    result = await shop.post(query, {"upc": "p3", "withReviews": False})
    assert result == {"data": {"item": {"upc": "p3", "label": "Lamp", "cost": 28}}}
    result = await shop.post(query, {"upc": "p3", "withReviews": True, "currency": "EUR"})
    assert result == {"data": {"item": {"upc": "p3", "label": "Lamp", "cost": 25, "reviews": [{"body": "Bright"}]}}}


async def test_introspection_is_answered_from_the_api_schema(shop: Shop) -> None:
    result = await shop.post('{ __typename t: __type(name: "User") { fields { name } } products { upc } }')
    names = [f["name"] for f in result["data"]["t"]["fields"]]
    assert "internalCode" not in names and "email" in names
    assert list(result["data"]) == ["__typename", "t", "products"]
    assert result["data"]["__typename"] == "Query"
