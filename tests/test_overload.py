"""One caller must not degrade the service for everyone (issue 9, finding 4).

The probe sent 300 aliased searches in one document: 1,500 source calls, 1,021 timeouts, and two
healthy organisations marked unreachable (and not queried) for every caller for about ten
seconds. Now such an operation is refused before anything is asked (root fields, aliases,
subgraph calls per operation), each caller has a rate limit (shared by replicas through Redis),
and the gateway's own overload never takes a healthy source out of service.
"""

from __future__ import annotations

import asyncio
import os
import time
import uuid
from collections import Counter
from collections.abc import AsyncIterator, Iterator
from typing import Any

import pytest
import pytest_asyncio
import redis

from gateway.config import FEDERATION_ENGINE, ServerConfig
from subgraphs.sdk.adapter import InMemoryAdapter
from vumschema.policy import Caller

from .conftest import need
from .issuer import ALL_SCOPES, MEDIATOR
from .servers import WatchedSubgraph
from .stack import ENGINE_VARIABLE, AppFactory, Source, Stack, consented, organisation_app, start_stack
from .test_rest_contract import bemiddelaar_client

AREA = {"selectiegebied": {"postcode": "5611AB", "afstand": 10}}
ONE = "werkzoekendeProfielMatches(selectievraag: $s) { totalCount bronnen { bronID status } }"
OPEN_LIMITS = {"max_root_fields": 10_000, "max_aliases": 10_000, "max_height": 100_000, "max_subgraph_calls": 100_000}


def aliased_searches(count: int, one: str = ONE) -> str:
    return "query($s: WerkzoekendeSelectievraag!) { " + " ".join(f"z{i}: {one}" for i in range(count)) + " }"


FLOOD = aliased_searches(300, "werkzoekendeProfielMatches(selectievraag: $s) { bronnen { status } }")  # < 5000 tokens


def records(prefix: str) -> list[dict[str, Any]]:
    return [{"idWerkzoekende": f"{prefix}{i}", "mobiliteit": {"bemiddelingspostcode": "5611AB"}} for i in range(3)]


class Observed(WatchedSubgraph):
    """A subgraph that counts its requests by kind, and can hold searches for a while."""

    def __init__(self, factory: AppFactory) -> None:
        super().__init__(factory)
        self.calls: Counter[str] = Counter()
        self.hold = 0.0  # seconds each search waits before it is answered

    async def handle(self, body: bytes, scope: Any, replay: Any, send: Any) -> None:
        kind = "schema" if b"_service" in body else "search" if b"Matches" in body else "other"
        self.calls[kind] += 1
        if kind == "search" and self.hold:
            await asyncio.sleep(self.hold)
        await self.app(scope, replay, send)


def observed(name: str) -> Observed:
    return Observed(organisation_app(InMemoryAdapter(consented(records(name[0]))), name))


# -- limits per operation ---------------------------------------------------------------------------


async def test_three_hundred_aliased_searches_are_refused_before_any_source_is_asked() -> None:
    sources = {name: observed(name) for name in ("gemeente", "uwv")}
    stack = await start_stack([Source(name, app) for name, app in sources.items()], codelijsten=False)
    try:
        before = {name: app.calls["search"] for name, app in sources.items()}
        status, body = await stack.post({"query": FLOOD, "variables": {"s": AREA}}, stack.issuer.headers())
        assert status == 400
        assert {e["extensions"]["code"] for e in body["errors"]} == {"MAX_ROOT_FIELDS_LIMIT", "MAX_ALIASES_LIMIT"}
        assert {name: app.calls["search"] for name, app in sources.items()} == before
    finally:
        await stack.close()


async def test_an_operation_that_would_send_too_many_subgraph_requests_is_refused() -> None:
    sources = {name: observed(name) for name in ("gemeente", "uwv", "reintegratie")}
    # the federation engine asks per search every organisation for keys, then each owner of the
    # page's records (query-then-fetch): 3 + 3 requests a search, where the bespoke engine sends 3
    engine = os.environ.get(ENGINE_VARIABLE) or ServerConfig.model_fields["engine"].default
    federation = engine == FEDERATION_ENGINE
    per_search = 6 if federation else 3
    stack = await start_stack(
        [Source(name, app) for name, app in sources.items()],
        codelijsten=False,
        limits={"max_subgraph_calls": per_search + 2},
    )
    try:
        status, body = await stack.post(
            {"query": aliased_searches(2), "variables": {"s": AREA}}, stack.issuer.headers()
        )
        assert status == 400 and body["errors"][0]["extensions"]["code"] == "MAX_SUBGRAPH_CALLS_LIMIT"
        assert f"{2 * per_search} requests" in body["errors"][0]["message"]
        assert sum(app.calls["search"] for app in sources.values()) == 0
        status, body = await stack.post(
            {"query": aliased_searches(1), "variables": {"s": AREA}}, stack.issuer.headers()
        )
        assert status == 200 and body["data"]["z0"]["totalCount"] == 9
    finally:
        await stack.close()


# -- rate limits per caller -------------------------------------------------------------------------

TYPENAME = {"query": "{ __typename }"}


async def test_a_caller_over_its_rate_is_refused_and_others_are_not() -> None:
    stack = await start_stack(
        [Source("gemeente", observed("gemeente"))],
        codelijsten=False,
        rate_limit={"requests_per_second": 0.2, "burst": 3},
    )
    try:
        anja = stack.issuer.headers()
        statuses = [(await stack.post(TYPENAME, anja))[0] for _ in range(4)]
        assert statuses == [200, 200, 200, 429]
        async with stack.session.post(stack.server.url, json=TYPENAME, headers=anja) as response:
            body = await response.json()
            assert response.status == 429 and int(response.headers["Retry-After"]) >= 1
        assert body["errors"][0]["extensions"]["code"] == "RATE_LIMITED"
        colleague = Caller("piet", MEDIATOR.oin, "bemiddelaar", ALL_SCOPES, suwi=True, purpose="arbeidsbemiddeling")
        assert (await stack.post(TYPENAME, stack.issuer.headers(colleague)))[0] == 200, "a bucket per person"
        client = bemiddelaar_client(stack.session, stack.server.base_url, stack.issuer)
        exchange = await client.call("POST", "/werkzoekendeProfielen/matches", body={"vraagObject": AREA})
        assert (exchange.status, exchange.body["code"]) == (429, "429.01"), "the REST facade spends the same bucket"
    finally:
        await stack.close()


@pytest.fixture
def redis_url() -> Iterator[str]:
    url = os.environ.get("VUM_TEST_REDIS_URL", "redis://127.0.0.1:6379/15")
    try:
        redis.Redis.from_url(url, socket_connect_timeout=1).ping()
    except redis.RedisError:
        need(f"Redis is not reachable at {url} (start it with `redis-server --daemonize yes`)")
    yield url


async def test_replicas_share_each_callers_rate_through_redis(redis_url: str) -> None:
    limit = {"requests_per_second": 0.2, "burst": 4, "redis_url": redis_url}
    replicas = [
        await start_stack([Source("gemeente", observed("gemeente"))], codelijsten=False, rate_limit=limit)
        for _ in range(2)
    ]
    caller = Caller(
        f"tester-{uuid.uuid4().hex[:8]}", MEDIATOR.oin, "bemiddelaar", ALL_SCOPES, True, "arbeidsbemiddeling"
    )
    try:
        statuses = [(await replicas[i % 2].post(TYPENAME, replicas[i % 2].issuer.headers(caller)))[0] for i in range(5)]
    finally:
        for replica in replicas:
            await replica.close()
    assert statuses == [200, 200, 200, 200, 429], "four in all, whichever replica answers"


async def test_without_redis_each_replica_limits_on_its_own() -> None:
    limit = {"requests_per_second": 0.2, "burst": 2, "redis_url": "redis://127.0.0.1:1/0"}  # nothing listens
    stack = await start_stack([Source("gemeente", observed("gemeente"))], codelijsten=False, rate_limit=limit)
    try:
        statuses = [(await stack.post(TYPENAME, stack.issuer.headers()))[0] for _ in range(3)]
    finally:
        await stack.close()
    assert statuses == [200, 200, 429]


# -- the gateway's own overload ---------------------------------------------------------------------


@pytest_asyncio.fixture
async def flooded() -> AsyncIterator[tuple[Stack, dict[str, Observed]]]:
    sources = {name: observed(name) for name in ("gemeente", "uwv")}
    stack = await start_stack(
        [Source(name, app, timeout=1.0) for name, app in sources.items()],
        codelijsten=False,
        schema_check_interval=0.3,
        limits=OPEN_LIMITS,
        rate_limit={"enabled": False},
    )
    yield stack, sources
    await stack.close()


async def test_the_gateways_own_overload_never_takes_a_healthy_source_out_of_service(
    flooded: tuple[Stack, dict[str, Observed]],
) -> None:
    """The probe's attack with the limits lifted: 300 searches of two organisations in one
    operation fill the gateway's connection pool for seconds; schema checks meanwhile must still
    reach the sources, and afterwards every caller's search asks both."""
    stack, sources = flooded
    for app in sources.values():
        app.hold = 1.5  # each search holds its connection longer than the source's timeout
    checks_before = sum(app.calls["schema"] for app in sources.values())
    status, body = await stack.post({"query": FLOOD, "variables": {"s": AREA}}, stack.issuer.headers())
    assert status == 200
    statuses = Counter(b["status"] for root in body["data"].values() for b in root["bronnen"])
    assert statuses["TIMEOUT"] > 100, statuses  # the pool was full: most searches waited past their timeout
    assert sum(app.calls["schema"] for app in sources.values()) > checks_before, "checks ran during the flood"
    for app in sources.values():
        app.hold = 0.0
    states = await stack.query("{ organisaties { bronID schemaStatus melding } }")
    assert {o["bronID"]: o["schemaStatus"] for o in states["data"]["organisaties"]} == {
        "gemeente": "CONFORM",
        "uwv": "CONFORM",
    }
    # every search after the flood asks both (none is skipped as out of service); the flood's last
    # held requests still finishing in this process may make the first answers late on a busy machine
    deadline = time.monotonic() + 10
    while True:
        asked = {name: app.calls["search"] for name, app in sources.items()}
        after = await stack.query(aliased_searches(1), {"s": AREA})
        assert all(app.calls["search"] > asked[name] for name, app in sources.items()), "both were asked"
        answered = [b["status"] for b in after["data"]["z0"]["bronnen"]]
        if answered == ["OK", "OK"] or time.monotonic() > deadline:
            break
        await asyncio.sleep(0.2)
    assert answered == ["OK", "OK"]


async def test_a_source_that_is_really_down_is_still_taken_out_of_service() -> None:
    stack = await start_stack(
        [Source(name, observed(name), timeout=1.0) for name in ("gemeente", "uwv")], codelijsten=False
    )
    try:
        await stack.subgraphs["uwv"].stop()
        await stack.gateway.services.registry.check_all()  # two failed checks, a second apart
        states = await stack.query("{ organisaties { bronID schemaStatus } }")
    finally:
        await stack.close()
    assert {o["bronID"]: o["schemaStatus"] for o in states["data"]["organisaties"]}["uwv"] == "UNREACHABLE"
