"""Where the VUM graph's subgraphs are, per request: many organisations, one codelijsten.

`organisatie` is served by every connected organisation (the registry's usable ones). A root
fetch of it fans out to the organisations the root field asks (`Fanout.asked`: all of them for a
search, the owner for a detail), each within its own timeout and with a token the gateway signs
for that organisation; every answer is merged (`fans_out`), also with one organisation or none,
by the root field's `Fanout.merge` (a search: order the keys, choose the page; see `search.py`).
The records `Fanout.records` finds in an answer are marked with their source when it arrives
(`BRON`), which vumID and the processing log read; a search marks its page's records itself, as
it merges tens of thousands of keys. `codelijsten` is the registry's reference source of that kind.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from vumschema.policy import Caller

from ..auth.signing import GatewaySigner
from ..federation import Hooks, RequestContext, Supergraph
from ..federation.execution.transport import Endpoint, SubgraphFailure, SubgraphResponse
from ..registry import Registry, SourceState
from .computed import BRON
from .supergraph import CODELIJSTEN, ORGANISATIE

FANOUT = "vum.fanout"  # RequestContext attribute: the root field's `Fanout`
VUM_CALLER = "vum.caller"  # RequestContext attribute: the VUM caller (tokens are signed on its behalf)
NOWHERE = Endpoint("http://codelijsten.invalid/graphql", 1.0)  # no codelijsten connected: fails as a source does


@dataclass(frozen=True)
class Answered:
    """One organisation's answer to a fan-out (or why there is none), and how long it took."""

    state: SourceState
    answer: SubgraphResponse | SubgraphFailure
    duration_ms: float


@dataclass
class Fanout:
    """One root field's fetch from the organisations: whom it asks, and how their answers merge."""

    asked: list[SourceState]
    records: Callable[[Mapping[str, Any]], list[dict[str, Any]]]  # the records in one answer's data
    merge: Callable[[list[Answered]], SubgraphResponse]
    vraag_id: str | None = None
    started: dict[str, float] = field(default_factory=dict)  # by URL: when the request left

    def __post_init__(self) -> None:
        self._by_url = {s.config.url: s for s in reversed(self.asked)}  # the first of a URL, as a scan finds

    def state(self, endpoint: Endpoint) -> SourceState:
        return self._by_url[endpoint.url]  # by URL: hundreds of organisations answer one fan-out


class VumHooks(Hooks):
    """The registry's organisations as instances of `organisatie`; codelijsten from the registry."""

    def __init__(
        self,
        supergraph: Supergraph,
        services: Callable[[], tuple[Registry, GatewaySigner]],
        extensions: Mapping[str, tuple[Endpoint, str]] | None = None,
    ) -> None:
        super().__init__(supergraph)
        self.services = services  # read per request: a reload swaps the registry
        self.extensions = dict(extensions or {})  # extension subgraphs: where, and the OIN of their tokens

    def endpoint(self, subgraph: str, context: RequestContext) -> Endpoint:
        if subgraph in self.extensions:
            return self.extensions[subgraph][0]
        if subgraph != CODELIJSTEN:
            return super().endpoint(subgraph, context)
        state = self.services()[0].reference(CODELIJSTEN)
        return Endpoint(state.config.url, state.config.timeout) if state is not None else NOWHERE

    def instances(self, subgraph: str, context: RequestContext) -> Sequence[Endpoint]:
        if subgraph != ORGANISATIE:
            return super().instances(subgraph, context)
        fanout: Fanout = context.attributes[FANOUT]
        return [Endpoint(s.config.url, s.config.timeout) for s in fanout.asked]

    def fans_out(self, subgraph: str, context: RequestContext) -> bool:
        return subgraph == ORGANISATIE

    def headers(self, subgraph: str, endpoint: Endpoint, context: RequestContext) -> Mapping[str, str] | None:
        registry, signer = self.services()
        caller: Caller | None = context.attributes.get(VUM_CALLER)
        if subgraph in self.extensions:
            return {"Authorization": f"Bearer {signer.token(caller, self.extensions[subgraph][1])}"}
        if subgraph == CODELIJSTEN:
            state = registry.reference(CODELIJSTEN)
            return {"Authorization": f"Bearer {signer.token(caller, state.config.oin)}"} if state else None
        fanout: Fanout = context.attributes[FANOUT]
        fanout.started[endpoint.url] = time.perf_counter()
        headers = {"Authorization": f"Bearer {signer.token(caller, fanout.state(endpoint).config.oin)}"}
        if fanout.vraag_id:
            headers["X-VUM-vraagID"] = fanout.vraag_id
        return headers

    def received(self, subgraph: str, endpoint: Endpoint, response: SubgraphResponse, context: RequestContext) -> None:
        if subgraph != ORGANISATIE or not response.data:
            return
        fanout: Fanout = context.attributes[FANOUT]
        bron_id = fanout.state(endpoint).config.id
        for record in fanout.records(response.data):
            record[BRON] = bron_id

    def merge_instances(
        self,
        subgraph: str,
        answers: Sequence[tuple[Endpoint, SubgraphResponse | SubgraphFailure]],
        context: RequestContext,
    ) -> SubgraphResponse:
        fanout: Fanout = context.attributes[FANOUT]
        now = time.perf_counter()
        return fanout.merge(
            [
                Answered(fanout.state(endpoint), answer, (now - fanout.started.get(endpoint.url, now)) * 1000)
                for endpoint, answer in answers
            ]
        )
