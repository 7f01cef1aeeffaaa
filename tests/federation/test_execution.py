"""The executor: merging, null propagation, wrong values, abstract types, errors, deduplication.

Subgraphs are stubs here (`stubs.py`), so each test can make a subgraph answer exactly what the
case needs, including answers no well-behaved subgraph gives.
"""

from __future__ import annotations

import asyncio
from typing import Any

import orjson
import pytest

from gateway.federation.execution.compiled import Compiler
from tests.federation.stubs import entities, shop_runtime, unreachable

PRODUCTS = {
    "data": {
        "products": [
            {"__typename": "Product", "upc": "p1", "name": "Table"},
            {"__typename": "Product", "upc": "p2", "name": None},
        ]
    }
}


def products(answer: Any = PRODUCTS) -> Any:
    return lambda query, variables: answer


async def answer(runtime: Any, query: str, variables: dict[str, Any] | None = None) -> dict[str, Any]:
    result = await runtime.handle(query, variables)
    decoded: dict[str, Any] = orjson.loads(result.body)
    return decoded


async def test_entity_answers_are_merged_into_the_objects_they_came_from() -> None:
    runtime, stub = shop_runtime(
        {"products": products(), "inventory": entities(lambda r: {"inStock": r["upc"] == "p1"})}
    )
    result = await answer(runtime, "{ products { upc inStock } }")
    assert result == {"data": {"products": [{"upc": "p1", "inStock": True}, {"upc": "p2", "inStock": False}]}}
    assert [s for s, _, _ in stub.sent] == ["products", "inventory"]
    assert stub.sent[1][2]["representations"] == [
        {"__typename": "Product", "upc": "p1"},
        {"__typename": "Product", "upc": "p2"},
    ]


async def test_one_representation_per_distinct_object() -> None:
    reviews = {
        "data": {
            "latestReviews": [
                {"product": {"__typename": "Product", "upc": "p1"}},
                {"product": {"__typename": "Product", "upc": "p1"}},
                {"product": {"__typename": "Product", "upc": "p2"}},
            ]
        }
    }
    runtime, stub = shop_runtime(
        {"reviews": products(reviews), "products": entities(lambda r: {"name": r["upc"].upper()})}
    )
    result = await answer(runtime, "{ latestReviews { product { name } } }")
    assert [r["product"]["name"] for r in result["data"]["latestReviews"]] == ["P1", "P1", "P2"]
    assert len(stub.sent[1][2]["representations"]) == 2


async def test_a_null_in_a_non_null_field_nulls_the_nearest_nullable_parent() -> None:
    # Product.inStock is Boolean!: a missing value nulls the product, and products is [Product!]! -> data null
    runtime, _ = shop_runtime({"products": products(), "inventory": entities(lambda r: {"inStock": None})})
    result = await answer(runtime, "{ products { upc inStock } }")
    assert result["data"] is None
    assert result["errors"][0]["path"] == ["products", 0, "inStock"]
    runtime, _ = shop_runtime(
        {
            "products": products({"data": {"product": {"__typename": "Product", "upc": "p1"}}}),
            "inventory": entities(lambda r: {"inStock": None}),
        }
    )
    result = await answer(runtime, '{ product(upc: "p1") { upc inStock } }')
    assert result["data"] == {"product": None}  # product is nullable: the null stops there
    assert [e["path"] for e in result["errors"]] == [["product", "inStock"]]


async def test_a_value_of_the_wrong_type_becomes_null_with_an_error() -> None:
    bad = {"data": {"products": [{"upc": "p1", "name": 7, "price": "cheap", "weight": 2**40}]}}
    runtime, _ = shop_runtime({"products": products(bad)})
    result = await answer(runtime, "{ products { upc name price weight } }")
    assert result["data"] == {"products": [{"upc": "p1", "name": None, "price": None, "weight": None}]}
    assert sorted(tuple(e["path"]) for e in result["errors"]) == [
        ("products", 0, "name"),
        ("products", 0, "price"),
        ("products", 0, "weight"),
    ]
    assert {e["extensions"]["code"] for e in result["errors"]} == {"INVALID_GRAPHQL_VALUE"}


async def test_abstract_positions_follow_the_objects_typename() -> None:
    found = {
        "data": {
            "search": [{"__typename": "Category", "id": "c1"}, {"__typename": "Product", "upc": "p1", "name": "Table"}]
        }
    }
    runtime, _ = shop_runtime({"products": products(found)})
    result = await answer(
        runtime, '{ search(term: "x") { __typename ... on Product { upc name } ... on Category { id } } }'
    )
    assert result == {
        "data": {
            "search": [{"__typename": "Category", "id": "c1"}, {"__typename": "Product", "upc": "p1", "name": "Table"}]
        }
    }
    found = {"data": {"search": [{"__typename": "Review", "id": "r1"}]}}  # not a SearchResult
    runtime, _ = shop_runtime({"products": products(found)})
    result = await answer(runtime, '{ search(term: "x") { __typename } }')
    assert result["data"] is None and "Review" in result["errors"][0]["message"]


async def test_entity_errors_are_given_the_path_of_the_object_they_concern() -> None:
    def inventory(query: str, variables: dict[str, Any]) -> Any:
        return {
            "data": {"_entities": [{"flaky": "ok"}, None]},
            "errors": [{"message": "boom", "path": ["_entities", 1, "flaky"], "extensions": {"code": "STOCK"}}],
        }

    runtime, _ = shop_runtime({"products": products(), "inventory": inventory})
    result = await answer(runtime, "{ products { upc flaky } }")
    assert result["data"] == {"products": [{"upc": "p1", "flaky": "ok"}, {"upc": "p2", "flaky": None}]}
    assert result["errors"] == [
        {
            "message": "boom",
            "path": ["products", 1, "flaky"],
            "extensions": {"code": "STOCK", "serviceName": "inventory"},
        }
    ]


async def test_an_unreachable_subgraph_leaves_the_rest_of_the_answer() -> None:
    runtime, _ = shop_runtime({"products": products(), "inventory": unreachable("inventory")})
    result = await answer(runtime, "{ products { upc name flaky } }")
    assert result["data"] == {
        "products": [{"upc": "p1", "name": "Table", "flaky": None}, {"upc": "p2", "name": None, "flaky": None}]
    }
    assert result["errors"][0]["extensions"] == {"code": "SUBREQUEST_HTTP_ERROR", "serviceName": "inventory"}
    assert "inventory" in result["errors"][0]["message"]


@pytest.mark.parametrize("reply", [b"<html>oops", b"[1, 2]", b'{"data": 3}', b'{"errors": [{"nope": 1}]}'])
async def test_a_malformed_subgraph_answer_is_an_error_not_a_crash(reply: bytes) -> None:
    runtime, _ = shop_runtime({"products": products(reply)})
    result = await answer(runtime, '{ product(upc: "p1") { name } }')
    assert result["data"] == {"product": None}
    assert result["errors"][0]["extensions"]["code"] == "INVALID_SUBGRAPH_RESPONSE"


async def test_entities_of_the_wrong_length_are_refused() -> None:
    runtime, _ = shop_runtime(
        {"products": products(), "inventory": lambda q, v: {"data": {"_entities": [{"inStock": True}]}}}
    )
    result = await answer(runtime, "{ products { upc flaky } }")
    assert "2 representations" in result["errors"][0]["message"]
    assert [p["flaky"] for p in result["data"]["products"]] == [None, None]


async def test_identical_subgraph_requests_in_flight_are_sent_once() -> None:
    runtime, stub = shop_runtime({"products": products()}, deduplicate=True)
    stub.delay = 0.05
    results = await asyncio.gather(*(answer(runtime, "{ products { upc } }") for _ in range(5)))
    assert all(r == results[0] for r in results)
    assert len(stub.sent) == 1 and stub.stats.deduplicated == 4
    runtime, stub = shop_runtime({"products": products()}, deduplicate=False)
    stub.delay = 0.05
    await asyncio.gather(*(answer(runtime, "{ products { upc } }") for _ in range(5)))
    assert len(stub.sent) == 5


async def test_identical_inbound_queries_in_flight_run_once_when_enabled() -> None:
    runtime, stub = shop_runtime({"products": products()}, deduplicate=False, deduplicate_inbound_requests=True)
    stub.delay = 0.05
    bodies = await asyncio.gather(*(runtime.handle("{ products { upc } }") for _ in range(5)))
    assert len({b.body for b in bodies}) == 1
    assert len(stub.sent) == 1
    await asyncio.gather(runtime.handle("{ products { upc } }", {"x": 1}), runtime.handle("{ products { upc } }"))
    assert len(stub.sent) == 3  # other variables: another execution


CASES = [
    ("{ products { upc name inStock } }", {"inventory": entities(lambda r: {"inStock": True})}),
    ("{ products { upc name inStock } }", {"inventory": entities(lambda r: {"inStock": None})}),
    ("{ products { upc name price } }", {}),
    ("query($a: Boolean!) { products { upc name @include(if: $a) price @skip(if: $a) } }", {}),
]


@pytest.mark.parametrize(("query", "extra"), CASES)
@pytest.mark.parametrize("value", [True, False])
async def test_compiled_projection_answers_exactly_as_the_general_path(
    query: str, extra: dict[str, Any], value: bool
) -> None:
    weird = {
        "data": {
            "products": [
                {"__typename": "Product", "upc": "p1", "name": "Table", "price": 3},
                {"__typename": "Product", "upc": "p2", "name": 5, "price": None},
            ]
        }
    }
    handlers = {"products": products(weird), **extra}
    compiled_runtime, _ = shop_runtime(handlers)
    general_runtime, _ = shop_runtime(handlers)
    general_runtime.executor.general_path_only()
    variables = {"a": value} if "$a" in query else None
    assert await answer(compiled_runtime, query, variables) == await answer(general_runtime, query, variables)
    assert isinstance(compiled_runtime.executor.compiled, Compiler)
