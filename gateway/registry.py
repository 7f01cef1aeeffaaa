"""The organisation registry: which subgraphs exist, and whether their schema conforms.

At start, on reload and then periodically, each enabled subgraph's `_service { sdl }` is read and
checked against its share of `schema.graphql`. A non-conforming or unreachable subgraph is not
queried (and says why in every answer's source status); the others keep serving.

The gateway's own load must never take a healthy source out of service: the checks travel over
their own connection pool (the gateway gives the registry a client of its own), so they never
queue behind requests; they wait at least `CHECK_TIMEOUT` (a source's timeout is for searches,
and a loaded gateway may take a while to read an answer); and a source that conformed is marked
unreachable only when a second check, a moment later, fails too.

At hundreds of sources the comparison itself is the cost (8–9 s of CPU per round at 300), so a
verdict is kept per (subgraph, sha256 of the SDL): an unchanged SDL, or one another source serves
too, is not compared again. Periodic checks are spread over the interval (each source at its own
jittered offset) with at most `CHECKS_IN_FLIGHT` at once; a failed source is rechecked sooner.
Reading an SDL still costs about 2 ms of CPU, so the round is stretched to at most
`CHECKS_PER_SECOND` (300 sources: every 60 s instead of 30), and a source whose answer to a
search failed is checked at once instead (`check_soon`): a schema that changed is noticed by the
first search it breaks, not by the next round.
"""

from __future__ import annotations

import asyncio
import contextlib
import hashlib
import logging
import random
import time
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass, field

from vumschema import Contract
from vumschema.conformance import check_conformance

from .config import REFERENCE_KINDS, OrganisationConfig
from .metrics import SCHEMA_CHECKS
from .subgraph_client import SourceFailure, SubgraphClient

log = logging.getLogger("vum.registry")

CONFORM = "CONFORM"
NOT_CONFORMING = "NOT_CONFORMING"
UNREACHABLE = "UNREACHABLE"
DISABLED = "DISABLED"
UNCHECKED = "UNREACHABLE"  # before the first check a source is treated as unreachable

SDL_QUERY = "query VumSchemaCheck { _service { sdl } }"
MAX_PROBLEMS_SHOWN = 5
# A source's timeout is for its answers to callers, and may be tight; its schema check runs in the
# background and is its first call (it fetches the gateway's keys then), so it gets at least this.
CHECK_TIMEOUT = 10.0
CHECKS_BEFORE_DOWN = 2  # consecutive failed checks before a conforming source is taken out of service
RECHECK_DELAY = 1.0  # seconds between them
CHECKS_IN_FLIGHT = 16  # schema checks at once: a round of hundreds must not flood the check pool or the CPU
VERDICTS_KEPT = 256  # distinct (subgraph, SDL) verdicts remembered; most sources serve the SDK's SDL
JITTER = 0.1  # share of the interval by which each source's next check moves, so checks stay spread
FIRST_BACKOFF = 0.5  # seconds before an unreachable source is checked again, doubling up to the interval
CHECKS_PER_SECOND = 5.0  # periodic checks at most: the round is stretched beyond the interval when needed
SOON_AFTER = 5.0  # seconds: a source is checked on a failed answer at most this often


@dataclass
class SourceState:
    """A source from the registry and what the gateway last learnt about its schema."""

    config: OrganisationConfig
    schema_status: str = UNCHECKED
    message: str | None = "not checked yet"
    checked_at: float = 0.0
    sdl_digest: str | None = None  # sha256 of the SDL last read
    matches_seen: dict[str, int] = field(default_factory=dict)  # per kind: the count of its last search answer
    wake: asyncio.Event = field(default_factory=asyncio.Event)  # set: check now (`Registry.check_soon`)

    @property
    def usable(self) -> bool:
        return self.config.enabled and self.schema_status == CONFORM


class Registry:
    """The sources of one configuration, with their schema states."""

    def __init__(
        self,
        sources: list[OrganisationConfig],
        contract: Contract,
        client: SubgraphClient,
        headers: Callable[[SourceState], dict[str, str]] = lambda state: {},
    ) -> None:
        self.contract = contract
        self.client = client
        self.headers = headers  # the gateway's own token for each source
        self.states = {source.id: SourceState(source) for source in sources}
        self.checked = False  # True once every source was checked at least once
        self.conformance_checks = 0  # SDLs actually compared with the contract (not answered from a verdict)
        self._verdicts: OrderedDict[tuple[str, str], tuple[str, ...]] = OrderedDict()
        self._in_flight = asyncio.Semaphore(CHECKS_IN_FLIGHT)
        for state in self.states.values():
            if not state.config.enabled:
                state.schema_status, state.message = DISABLED, "disabled in the registry"

    @property
    def organisations(self) -> list[SourceState]:
        """Enabled organisations (not reference data), in registry order."""
        return [s for s in self.states.values() if s.config.enabled and s.config.kind not in REFERENCE_KINDS]

    def reference(self, subgraph: str) -> SourceState | None:
        return next((s for s in self.states.values() if s.config.enabled and s.config.kind == subgraph), None)

    async def check(self, state: SourceState) -> None:
        """Read the source's SDL and compare it with the contract."""
        attempts = CHECKS_BEFORE_DOWN if state.schema_status == CONFORM else 1
        for attempt in range(1, attempts + 1):
            try:
                sdl = await self._sdl(state)
                break
            except SourceFailure as failure:
                if attempt == attempts:
                    self._set(state, UNREACHABLE, failure.message)
                    return
                await asyncio.sleep(RECHECK_DELAY)
        problems = self._problems(state, sdl)
        if problems:
            shown = "; ".join(problems[:MAX_PROBLEMS_SHOWN])
            more = f" (and {len(problems) - MAX_PROBLEMS_SHOWN} more)" if len(problems) > MAX_PROBLEMS_SHOWN else ""
            self._set(state, NOT_CONFORMING, f"schema does not conform to schema.graphql: {shown}{more}")
        else:
            self._set(state, CONFORM, None)

    def _problems(self, state: SourceState, sdl: str) -> tuple[str, ...]:
        """The conformance verdict on `sdl`, compared only when no verdict on the same text is kept."""
        state.sdl_digest = hashlib.sha256(sdl.encode()).hexdigest()
        key = (state.config.subgraph, state.sdl_digest)
        problems = self._verdicts.get(key)
        if problems is not None:
            self._verdicts.move_to_end(key)
            SCHEMA_CHECKS.labels("unchanged").inc()
            return problems
        problems = tuple(check_conformance(self.contract, sdl, state.config.subgraph))
        self.conformance_checks += 1
        SCHEMA_CHECKS.labels("compared").inc()
        self._verdicts[key] = problems
        if len(self._verdicts) > VERDICTS_KEPT:
            self._verdicts.popitem(last=False)
        return problems

    async def _sdl(self, state: SourceState) -> str:
        source = state.config
        timeout = max(source.timeout, CHECK_TIMEOUT)
        response = await self.client.query(source.url, SDL_QUERY, None, timeout, self.headers(state))
        sdl = ((response.data or {}).get("_service") or {}).get("sdl")
        if not isinstance(sdl, str):
            raise SourceFailure("ERROR", "the source does not answer _service { sdl }")
        return sdl

    def _set(self, state: SourceState, status: str, message: str | None) -> None:
        if (status, message) != (state.schema_status, state.message):
            level = logging.INFO if status == CONFORM else logging.WARNING
            log.log(level, "source %s: schema %s%s", state.config.id, status, f" ({message})" if message else "")
        state.schema_status, state.message, state.checked_at = status, message, time.monotonic()

    async def check_bounded(self, state: SourceState) -> None:
        async with self._in_flight:
            await self.check(state)

    async def check_all(self) -> None:
        """Check every enabled source now (at most `CHECKS_IN_FLIGHT` at once)."""
        await asyncio.gather(*(self.check_bounded(s) for s in self.states.values() if s.config.enabled))

    async def keep_checking(self, interval: float) -> None:
        """Check every source, then again periodically (a source may come up, or change its
        schema), each on its own schedule: soon while it is unreachable, backing off to `interval`
        (stretched to at most `CHECKS_PER_SECOND`), and at once when `check_soon` asks."""
        enabled = [s for s in self.states.values() if s.config.enabled]
        unchecked = {s.config.id for s in enabled}
        if not unchecked:
            self._all_checked()
        round_seconds = max(interval, len(enabled) / CHECKS_PER_SECOND)
        if round_seconds > interval:
            log.info(
                "%d sources: each schema checked every %.0f s (at most %g checks a second), and at once after "
                "a failed answer",
                len(enabled),
                round_seconds,
                CHECKS_PER_SECOND,
            )
        await asyncio.gather(*(self._keep_checking(state, round_seconds, unchecked) for state in enabled))

    def check_soon(self, state: SourceState) -> None:
        """Check this source now (its answer to a search failed), unless it was checked moments ago."""
        if state.config.enabled and time.monotonic() - state.checked_at >= SOON_AFTER:
            state.wake.set()

    def _all_checked(self) -> None:
        self.checked = True
        usable = sum(1 for s in self.states.values() if s.usable)
        log.info("gateway ready: %d of %d sources usable", usable, len(self.states))  # the demo waits for it

    async def _keep_checking(self, state: SourceState, interval: float, unchecked: set[str]) -> None:
        await self.check_bounded(state)
        unchecked.discard(state.config.id)
        if not unchecked and not self.checked:
            self._all_checked()
        delay = random.uniform(0, interval)  # its own offset, so checks stay spread
        backoff = FIRST_BACKOFF
        while True:
            if state.schema_status == UNREACHABLE:
                delay, backoff = min(delay, backoff), min(backoff * 2, interval)
            else:
                backoff = FIRST_BACKOFF
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(state.wake.wait(), delay)
            state.wake.clear()
            await self.check_bounded(state)
            delay = interval * random.uniform(1 - JITTER, 1 + JITTER)
