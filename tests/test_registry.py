"""Schema checks at scale: a verdict kept per SDL, checks bounded in flight, a failing source taken down."""

from __future__ import annotations

import asyncio
import contextlib
from dataclasses import dataclass

import orjson
import pytest
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from gateway import registry as registry_module
from gateway import server as server_module
from gateway.config import OrganisationConfig
from gateway.registry import CONFORM, NOT_CONFORMING, SDL_QUERY, UNREACHABLE, Registry, SourceState
from gateway.subgraph_client import SubgraphClient
from subgraphs.sdk.adapter import InMemoryAdapter
from vumschema import Contract

from .servers import LiveServer
from .stack import Source, Stack, consented, oin_of, organisation_app, start_stack
from .test_failures import AREA, QUERY, profile

NOT_THE_CONTRACT = "type Query { iets: Int }"


@dataclass
class SdlSource:
    """A source that serves whatever SDL it is given (or fails with HTTP 500), counting its checks."""

    sdl: str = NOT_THE_CONTRACT
    failing: bool = False
    in_flight: int = 0
    most_in_flight: int = 0
    delay: float = 0.0
    gate: asyncio.Event | None = None  # when given, no answer before it is set
    asked: int = 0

    def app(self) -> Starlette:
        async def graphql(request: Request) -> Response:
            self.asked += 1
            self.in_flight += 1
            self.most_in_flight = max(self.most_in_flight, self.in_flight)
            try:
                await asyncio.sleep(self.delay)
                if self.gate is not None:
                    await self.gate.wait()
            finally:
                self.in_flight -= 1
            if self.failing:
                return Response(b"down", status_code=500)
            return Response(orjson.dumps({"data": {"_service": {"sdl": self.sdl}}}), media_type="application/json")

        return Starlette(routes=[Route("/graphql", graphql, methods=["POST"])])


async def with_mirror(mirror: SdlSource) -> Stack:
    """A gateway with one SDK organisation (`echt`) and the mirror (`spiegel`)."""
    echt = organisation_app(InMemoryAdapter(consented([profile("e-1")])), "echt")
    return await start_stack([Source("echt", echt), Source("spiegel", lambda trust: mirror.app())], codelijsten=False)


async def served_sdl(stack: Stack, source_id: str) -> str:
    registry = stack.gateway.services.registry
    state = registry.states[source_id]
    response = await registry.client.query(state.config.url, SDL_QUERY, None, 10.0, registry.headers(state))
    assert response.data is not None
    sdl: str = response.data["_service"]["sdl"]
    return sdl


async def conforming(stack: Stack, mirror: SdlSource) -> SourceState:
    """The mirror (`spiegel`) serving echt's SDL, checked: in service."""
    spiegel = stack.gateway.services.registry.states["spiegel"]
    mirror.sdl = await served_sdl(stack, "echt")
    await stack.gateway.services.registry.check(spiegel)
    assert spiegel.schema_status == CONFORM
    return spiegel


def organisations(url: str, count: int = 40) -> list[OrganisationConfig]:
    """`count` organisations served by one process at `url`."""
    return [
        OrganisationConfig(id=f"org-{i}", name=f"Org {i}", oin=oin_of(i), kind="gemeente", url=url)
        for i in range(count)
    ]


async def test_an_unchanged_sdl_is_not_compared_again_and_a_changed_one_is() -> None:
    mirror = SdlSource()
    stack = await with_mirror(mirror)
    try:
        registry = stack.gateway.services.registry
        spiegel = registry.states["spiegel"]
        assert registry.states["echt"].schema_status == CONFORM
        assert spiegel.schema_status == NOT_CONFORMING
        compared = registry.conformance_checks
        assert compared == 2, "the SDK's SDL and the mirror's, each compared once"

        await registry.check_all()
        assert registry.conformance_checks == compared, "nothing changed: every verdict kept"
        assert spiegel.schema_status == NOT_CONFORMING

        mirror.sdl = "type Query { anders: String }"
        await registry.check_all()
        assert registry.conformance_checks == compared + 1, "the changed SDL, and only it, compared"
        assert spiegel.schema_status == NOT_CONFORMING

        mirror.sdl = await served_sdl(stack, "echt") + "\n# een nieuwe versie\n"
        await registry.check_all()
        assert registry.conformance_checks == compared + 2
        assert spiegel.schema_status == CONFORM, "a source whose SDL now conforms is taken into service"
        assert spiegel.sdl_digest is not None and spiegel.sdl_digest != registry.states["echt"].sdl_digest
    finally:
        await stack.close()


async def test_sources_serving_the_same_sdl_share_one_comparison() -> None:
    mirror = SdlSource()
    stack = await with_mirror(mirror)
    try:
        registry = stack.gateway.services.registry
        mirror.sdl = await served_sdl(stack, "echt")
        before = registry.conformance_checks
        await registry.check(registry.states["spiegel"])
        assert registry.states["spiegel"].schema_status == CONFORM
        assert registry.conformance_checks == before, "the same text as echt's: echt's verdict"
    finally:
        await stack.close()


async def test_a_conforming_source_that_fails_twice_goes_down_and_once_does_not() -> None:
    mirror = SdlSource()
    stack = await with_mirror(mirror)
    try:
        registry = stack.gateway.services.registry
        spiegel = await conforming(stack, mirror)

        mirror.failing = True
        recovery = asyncio.create_task(registry.check(spiegel))
        await asyncio.sleep(registry_module.RECHECK_DELAY / 2)  # within the pause before the second try
        mirror.failing = False
        await recovery
        assert spiegel.schema_status == CONFORM, "one failed check is not enough"

        mirror.failing = True
        await registry.check(spiegel)
        assert spiegel.schema_status == UNREACHABLE
        assert spiegel.message is not None and "HTTP 500" in spiegel.message
    finally:
        await stack.close()


async def test_checks_of_many_sources_are_bounded_in_flight(contract: Contract) -> None:
    """Forty sources served by one process: at most CHECKS_IN_FLIGHT checks at once, one comparison."""
    mirror = SdlSource(delay=0.2)
    server = await LiveServer(mirror.app()).start()
    client = SubgraphClient(1024 * 1024)
    await client.start()
    try:
        registry = Registry(organisations(server.url), contract, client)
        await registry.check_all()
    finally:
        await client.close()
        await server.stop()
    states: list[SourceState] = list(registry.states.values())
    assert all(s.schema_status == NOT_CONFORMING for s in states)
    assert 1 < mirror.most_in_flight <= registry_module.CHECKS_IN_FLIGHT
    assert registry.conformance_checks == 1


async def test_the_gateway_serves_before_a_source_that_hangs_is_checked(monkeypatch: pytest.MonkeyPatch) -> None:
    """Start-up does not wait on every source: ready after READY_WITHIN, the unchecked one named."""
    monkeypatch.setattr(server_module, "READY_WITHIN", 0.5)
    mirror = SdlSource(gate=asyncio.Event())
    stack = await start_stack(
        [Source("echt", organisation_app(InMemoryAdapter(consented([profile("e-1")])), "echt")),
         Source("spiegel", lambda trust: mirror.app())],
        codelijsten=False,
        wait_for_checks=False,
    )  # fmt: skip
    try:
        assert stack.gateway.ready and not stack.gateway.services.registry.checked
        body = await stack.query(QUERY, AREA)  # no labels without codelijsten: an error beside the data
        statuses = {b["bronID"]: b for b in body["data"]["werkzoekendeProfielMatches"]["bronnen"]}
        assert statuses["echt"]["status"] == "OK"
        assert statuses["spiegel"]["status"] == "ERROR" and "not checked yet" in statuses["spiegel"]["melding"]
    finally:
        assert mirror.gate is not None
        mirror.gate.set()
        await stack.close()


async def test_periodic_checks_of_many_sources_are_stretched_to_at_most_checks_per_second(
    contract: Contract, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Forty sources, an interval of 0.2 s, at most 20 checks a second: a round takes 2 s, not 0.2."""
    monkeypatch.setattr(registry_module, "CHECKS_PER_SECOND", 20.0)
    mirror = SdlSource()
    server = await LiveServer(mirror.app()).start()
    client = SubgraphClient(1024 * 1024)
    await client.start()
    try:
        checking = asyncio.create_task(Registry(organisations(server.url), contract, client).keep_checking(0.2))
        await asyncio.sleep(3.0)
        checking.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await checking
    finally:
        await client.close()
        await server.stop()
    # 40 at start, then each source once per 2 s round (its first at a random offset in it): at most 2 more each
    assert 40 < mirror.asked <= 40 * 3, f"{mirror.asked} checks in 3 s (unstretched: about {40 + 40 * 3 / 0.2:.0f})"


async def test_a_source_whose_search_answer_fails_is_checked_at_once(monkeypatch: pytest.MonkeyPatch) -> None:
    """A source that changed its schema is noticed by the first search it fails, not by the next round."""
    monkeypatch.setattr(registry_module, "SOON_AFTER", 0.0)
    mirror = SdlSource()
    stack = await with_mirror(mirror)
    try:
        spiegel = await conforming(stack, mirror)
        mirror.sdl = NOT_THE_CONTRACT  # changed; its search answers (an SDL, no matches) fail
        body = await stack.query(QUERY, AREA)
        statuses = {b["bronID"]: b["status"] for b in body["data"]["werkzoekendeProfielMatches"]["bronnen"]}
        assert statuses == {"echt": "OK", "spiegel": "ERROR"}
        for _ in range(100):
            if spiegel.schema_status == NOT_CONFORMING:
                break
            await asyncio.sleep(0.05)
        assert spiegel.schema_status == NOT_CONFORMING, "checked right after the failed answer"
    finally:
        await stack.close()
