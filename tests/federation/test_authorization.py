"""Authorisation before planning: what a caller may not see is never fetched, is null, and is named."""

from __future__ import annotations

from typing import Any

import orjson
import pytest

from gateway.federation.authorization import Authorizer, Caller
from gateway.federation.execution.hooks import RequestContext
from gateway.federation.runtime import FederationRuntime
from tests.federation.conftest import Shop

ALICE = Caller(authenticated=True, scopes=frozenset({"users:email"}), policies=lambda name: name == "internal")
BOB = Caller(authenticated=True)


def authorized_runtime(shop: Shop, *, reject: bool = False) -> FederationRuntime:
    runtime = FederationRuntime(shop.supergraph, authorizer=Authorizer(shop.supergraph, reject_unauthorized=reject))
    return runtime


async def ask(runtime: FederationRuntime, query: str, caller: Caller | None) -> tuple[int, dict[str, Any]]:
    context = RequestContext(attributes={"caller": caller} if caller else {})
    answer = await runtime.handle(query, context=context)
    return answer.status, orjson.loads(answer.body)


async def test_a_field_without_its_scope_is_null_with_an_error_and_never_fetched(shop: Shop) -> None:
    runtime = authorized_runtime(shop)
    await runtime.start()
    try:
        status, result = await ask(runtime, "{ me { name email } }", BOB)
        assert status == 200
        assert result == {
            "errors": [
                {
                    "message": "Unauthorized field or type: User.email",
                    "path": ["me", "email"],
                    "extensions": {"code": "UNAUTHORIZED_FIELD_OR_TYPE"},
                }
            ],
            "data": {"me": {"name": "Ada Lovelace", "email": None}},
        }
        plan = runtime.planner.plan("{ me { name email } }", caller=BOB)
        assert all("email" not in fetch.operation for fetch in plan.fetches)
        status, result = await ask(runtime, "{ me { name email } }", ALICE)
        assert result == {"data": {"me": {"name": "Ada Lovelace", "email": "ada@example.org"}}}
    finally:
        await runtime.close()


async def test_policies_and_authentication_on_interface_object_fields(shop: Shop) -> None:
    runtime = authorized_runtime(shop)
    await runtime.start()
    try:
        query = "{ accounts { id balance ... on Bot { model } } }"
        _, anonymous = await ask(runtime, query, None)
        # balance is Int!: denied, it nulls each account, and [Account!]! nulls the whole answer
        assert anonymous["data"] is None
        assert {e["path"][-1] for e in anonymous["errors"]} >= {"balance", "model"}
        _, bob = await ask(runtime, "{ accounts { id balance } }", BOB)
        assert bob == {
            "data": {
                "accounts": [{"id": "u1", "balance": 120}, {"id": "u2", "balance": -5}, {"id": "b1", "balance": 0}]
            }
        }
        _, bob = await ask(runtime, query, BOB)  # model is String!: denied, the null reaches the root
        assert bob["data"] is None
        assert bob["errors"] == [
            {
                "message": "Unauthorized field or type: Bot.model",
                "path": ["accounts", "model"],
                "extensions": {"code": "UNAUTHORIZED_FIELD_OR_TYPE"},
            }
        ]
        _, alice = await ask(runtime, query, ALICE)
        assert alice == {
            "data": {
                "accounts": [
                    {"id": "u1", "balance": 120},
                    {"id": "u2", "balance": -5},
                    {"id": "b1", "balance": 0, "model": "T-800"},
                ]
            }
        }
    finally:
        await runtime.close()


async def test_plans_are_cached_per_set_of_denied_fields(shop: Shop) -> None:
    runtime = authorized_runtime(shop)
    query = "{ me { name email } }"
    first, second = (
        runtime.planner.plan(query, caller=BOB),
        runtime.planner.plan(query, caller=Caller(authenticated=True, scopes=frozenset({"other"}))),
    )
    assert first is second  # the same fields denied: the same plan
    assert runtime.planner.plan(query, caller=ALICE) is not first


async def test_reject_unauthorized_refuses_the_whole_operation(shop: Shop) -> None:
    runtime = authorized_runtime(shop, reject=True)
    status, result = await ask(runtime, "{ me { name email } }", BOB)
    assert status == 403
    assert result["errors"][0]["extensions"]["code"] == "FORBIDDEN"
    assert "User.email" in result["errors"][0]["message"]
    assert "data" not in result


@pytest.mark.parametrize("caller", [None, BOB, ALICE])
async def test_unprotected_fields_need_nothing(shop: Shop, caller: Caller | None) -> None:
    runtime = authorized_runtime(shop)
    await runtime.start()
    try:
        _, result = await ask(runtime, '{ product(upc: "p3") { name } }', caller)
        assert result == {"data": {"product": {"name": "Lamp"}}}
    finally:
        await runtime.close()
