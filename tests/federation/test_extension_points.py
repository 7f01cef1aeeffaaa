"""The extension points a deployment builds on (VUM's organisations, query-then-fetch, tokens)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import orjson
import pytest

from gateway.federation.errors import OperationError
from gateway.federation.execution.hooks import Hooks, RequestContext
from gateway.federation.execution.transport import Endpoint, SubgraphFailure, SubgraphResponse
from gateway.federation.extensions import RELEASE, ComputedField, Release, ReleaseRules
from gateway.federation.planning import print_plan
from gateway.federation.runtime import FederationRuntime
from tests.federation.conftest import Shop
from tests.federation.stubs import entities, shop_runtime


async def test_objects_given_by_key_are_completed_from_their_subgraphs(shop: Shop) -> None:
    """Query-then-fetch: keys come from somewhere else; the record's fields are entity fetches."""
    runtime = FederationRuntime(shop.supergraph)
    await runtime.start()
    try:
        plan = runtime.planner.plan_entities(
            "Product", "{ name shippingEstimate reviews { author { name } } }", ["upc"]
        )
        assert 'Flatten(path: "_entities.@")' in print_plan(plan)
        given = [{"__typename": "Product", "upc": "p3"}, {"__typename": "Product", "upc": "p2"}]
        completed, errors = await runtime.executor.complete_entities(plan, given)
        assert errors == []
        assert completed == [
            {"name": "Lamp", "shippingEstimate": 4, "reviews": [{"author": {"name": "Ada Lovelace"}}]},
            {"name": "Chair", "shippingEstimate": 10, "reviews": []},
        ]
        assert (
            runtime.planner.plan_entities("Product", "{ name shippingEstimate reviews { author { name } } }", ["upc"])
            is plan
        )
    finally:
        await runtime.close()


async def test_objects_a_subgraph_gave_are_completed_from_the_others(shop: Shop) -> None:
    """Query-then-fetch where the first query returns the objects themselves (VUM: a search that
    every organisation serves): the plan says what to ask that subgraph for, at any depth, and
    completes the rest; the objects are never fetched again from it."""
    runtime = FederationRuntime(shop.supergraph)
    await runtime.start()
    try:
        selection = "{ name shippingEstimate reviews { body author { name } } }"
        plan = runtime.planner.plan_entities("Product", selection, [], given_from="products")
        assert plan.given == '{__typename name upc price(currency: "EUR") weight}'  # with what the others need
        assert 'Fetch(service: "products")' not in print_plan(plan)
        given = [{"__typename": "Product", "upc": "p3", "name": "Lamp", "price": 30, "weight": 2}]
        completed, errors = await runtime.executor.complete_entities(plan, given)
        assert errors == []
        reviews = [{"body": "Bright", "author": {"name": "Ada Lovelace"}}]
        assert completed == [{"name": "Lamp", "shippingEstimate": 4, "reviews": reviews}]
        assert runtime.planner.plan_entities("Product", selection, [], given_from="products") is plan
    finally:
        await runtime.close()


def test_objects_can_only_be_given_from_a_subgraph_of_the_supergraph(shop: Shop) -> None:
    with pytest.raises(OperationError, match="'nope' is not a subgraph"):
        FederationRuntime(shop.supergraph).planner.plan_entities("Product", "{ name }", [], given_from="nope")


@pytest.mark.parametrize(
    ("type_name", "selection", "message"),
    [
        ("Nope", "{ name }", "not an object or interface type"),
        ("Product", "{ nope }", "Cannot query field 'nope'"),
        ("Product", "{ name", "Syntax Error"),
    ],
)
def test_an_entity_selection_is_validated(shop: Shop, type_name: str, selection: str, message: str) -> None:
    with pytest.raises(OperationError, match=message):
        FederationRuntime(shop.supergraph).planner.plan_entities(type_name, selection, ["upc"])


class TwoInventories(Hooks):
    """`inventory` served by two instances: each owns some products; both answer root fetches."""

    EAST = Endpoint("http://east")
    WEST = Endpoint("http://west")

    def instances(self, subgraph: str, context: RequestContext) -> Sequence[Endpoint]:
        return (self.EAST, self.WEST) if subgraph == "inventory" else super().instances(subgraph, context)

    def route(
        self,
        subgraph: str,
        representations: Sequence[dict[str, Any]],
        objects: Sequence[dict[str, Any]],
        context: RequestContext,
    ) -> Sequence[tuple[Endpoint, Sequence[int]]] | None:
        if subgraph != "inventory":
            return None
        east = [i for i, r in enumerate(representations) if r["upc"] in ("p1", "p3")]
        west = [i for i, r in enumerate(representations) if r["upc"] not in ("p1", "p3")]
        return ((self.EAST, east), (self.WEST, west))

    def merge_instances(
        self,
        subgraph: str,
        answers: Sequence[tuple[Endpoint, SubgraphResponse | SubgraphFailure]],
        context: RequestContext,
    ) -> SubgraphResponse:
        names = [a.data["warehouseName"] for _, a in answers if isinstance(a, SubgraphResponse) and a.data]
        return SubgraphResponse({"warehouseName": " + ".join(names)})

    def headers(self, subgraph: str, endpoint: Endpoint, context: RequestContext) -> Mapping[str, str] | None:
        return {"authorization": f"Bearer for-{endpoint.url}"}


async def test_representations_are_routed_to_the_instance_that_owns_them() -> None:
    seen: dict[str, list[str]] = {}

    def inventory(query: str, variables: dict[str, Any]) -> Any:
        return entities(lambda r: {"inStock": True})(query, variables)

    runtime, stub = shop_runtime(
        {
            "products": lambda q, v: {
                "data": {"products": [{"__typename": "Product", "upc": u} for u in ("p1", "p2", "p3")]}
            },
            "inventory": inventory,
        }
    )
    hooks = TwoInventories(runtime.supergraph)
    runtime.executor.hooks = runtime.executor.fetcher.hooks = hooks
    original = stub.post

    async def recording(
        subgraph: str, endpoint: Endpoint, body: bytes, headers: Mapping[str, str] | None = None
    ) -> SubgraphResponse:
        if subgraph == "inventory":
            seen[endpoint.url] = [r["upc"] for r in orjson.loads(body)["variables"]["representations"]]
            assert headers == {"authorization": f"Bearer for-{endpoint.url}"}
        return await original(subgraph, endpoint, body, headers)

    stub.post = recording  # type: ignore[method-assign]
    answer = await runtime.handle("{ products { upc inStock } }")
    assert b'"inStock":true' in answer.body and answer.body.count(b"inStock") == 3
    assert seen == {"http://east": ["p1", "p3"], "http://west": ["p2"]}


async def test_a_root_fetch_goes_to_every_instance_and_their_answers_merge() -> None:
    runtime, stub = shop_runtime({"inventory": lambda q, v: {"data": {"warehouseName": "W"}}})
    hooks = TwoInventories(runtime.supergraph)
    runtime.executor.hooks = runtime.executor.fetcher.hooks = hooks
    answer = await runtime.handle("{ warehouseName }")
    assert answer.body == b'{"data":{"warehouseName":"W + W"}}'
    assert len(stub.sent) == 2


class OneInventory(TwoInventories):
    """A subgraph that fans out, served by one instance (or none) for now: its answers still merge."""

    def __init__(self, supergraph: Any, endpoints: Sequence[Endpoint]) -> None:
        super().__init__(supergraph)
        self.served = tuple(endpoints)

    def instances(self, subgraph: str, context: RequestContext) -> Sequence[Endpoint]:
        return self.served if subgraph == "inventory" else super().instances(subgraph, context)

    def fans_out(self, subgraph: str, context: RequestContext) -> bool:
        return subgraph == "inventory"

    def merge_instances(
        self,
        subgraph: str,
        answers: Sequence[tuple[Endpoint, SubgraphResponse | SubgraphFailure]],
        context: RequestContext,
    ) -> SubgraphResponse:
        merged = super().merge_instances(subgraph, answers, context)
        return SubgraphResponse({"warehouseName": f"{len(answers)}: {merged.data and merged.data['warehouseName']}"})


@pytest.mark.parametrize(("endpoints", "merged"), [((TwoInventories.EAST,), b"1: W"), ((), b"0: ")])
async def test_a_subgraph_that_fans_out_merges_one_answer_or_none(endpoints: Any, merged: bytes) -> None:
    runtime, stub = shop_runtime({"inventory": lambda q, v: {"data": {"warehouseName": "W"}}})
    hooks = OneInventory(runtime.supergraph, endpoints)
    runtime.executor.hooks = runtime.executor.fetcher.hooks = hooks
    answer = await runtime.handle("{ warehouseName }")
    assert answer.body == b'{"data":{"warehouseName":"' + merged + b'"}}'
    assert len(stub.sent) == len(endpoints)


def test_a_computed_field_is_never_asked_of_a_subgraph_and_gets_what_it_requires(shop: Shop) -> None:
    seen: list[dict[str, Any]] = []

    def signature(values: Mapping[str, Any], obj: Mapping[str, Any], context: Any) -> str:
        seen.append(dict(values))
        return f"{values['username']}#{values['id']}{context.attributes.get('suffix', '')}"

    computed = ComputedField("User", "name", "id username", signature)
    runtime = FederationRuntime(shop.supergraph, computed=[computed])
    plan = runtime.planner.plan("{ latestReviews { author { name } } }")
    assert all(" name" not in f.operation for f in plan.fetches)  # provided by reviews: one fetch, no name
    assert [f.subgraph for f in plan.fetches] == ["reviews"]


async def test_computed_fields_in_the_answer(shop: Shop) -> None:
    computed = ComputedField(
        "User",
        "name",
        "id username",
        lambda values, obj, context: f"{values['username']}#{values['id']}{context.attributes['suffix']}",
    )
    runtime = FederationRuntime(shop.supergraph, computed=[computed])
    await runtime.start()
    try:
        context = RequestContext(attributes={"suffix": "!"})
        answer = await runtime.handle("{ me { id name } latestReviews { author { name } } }", context=context)
        result = orjson.loads(answer.body)
        assert result["data"]["me"] == {"id": "u1", "name": "ada#u1!"}
        assert [r["author"]["name"] for r in result["data"]["latestReviews"]] == ["ada#u1!", "alan#u2!", "ada#u1!"]
    finally:
        await runtime.close()


class Consent(Hooks):
    """Marks every user `accounts` answers with what it may release: its profile, not its e-mail."""

    def received(self, subgraph: str, endpoint: Endpoint, response: SubgraphResponse, context: RequestContext) -> None:
        if subgraph == "accounts" and response.data:
            for user in response.data.get("users", []):
                user[RELEASE] = Release(frozenset({"profile"}))
                context.attributes.setdefault("releases", []).append(user[RELEASE])


RULES = ReleaseRules({("User", "name"): "profile", ("User", "email"): "contact"})


@pytest.mark.parametrize("compiled", [True, False])
async def test_release_rules_withhold_and_record(shop: Shop, compiled: bool) -> None:
    runtime = FederationRuntime(shop.supergraph, hooks=Consent(shop.supergraph), release=RULES)
    if not compiled:
        runtime.executor.general_path_only()
    await runtime.start()
    try:
        context = RequestContext()
        answer = await runtime.handle("{ users { id name email reviews { body } } }", context=context)
        result = orjson.loads(answer.body)
        assert [(u["name"], u["email"]) for u in result["data"]["users"]] == [
            ("Ada Lovelace", None),
            ("Alan Turing", None),
        ]
        assert "errors" not in result
        releases = context.attributes["releases"]
        assert [sorted(r.released) for r in releases] == [["profile"], ["profile"]]
        assert [r.withheld for r in releases] == [["contact"], ["contact"]]  # accounts sent the address anyway
    finally:
        await runtime.close()
