"""The subgraph pool at hundreds of sources: a limit of requests in flight per source, not per host."""

from __future__ import annotations

import asyncio
from collections import Counter

import orjson
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from gateway.subgraph_client import SubgraphClient

from .servers import LiveServer

ANSWER = orjson.dumps({"data": {"ok": True}})


class Organisations:
    """Many organisations on one host, by path; each counts its requests in flight."""

    def __init__(self) -> None:
        self.in_flight: Counter[str] = Counter()
        self.most: Counter[str] = Counter()
        self.release = asyncio.Event()

    def app(self) -> Starlette:
        async def graphql(request: Request) -> Response:
            org = request.path_params["org"]
            self.in_flight[org] += 1
            self.most[org] = max(self.most[org], self.in_flight[org])
            try:
                await self.release.wait()
            finally:
                self.in_flight[org] -= 1
            return Response(ANSWER, media_type="application/json")

        return Starlette(routes=[Route("/org/{org}/graphql", graphql, methods=["POST"])])


async def test_a_slow_source_holds_at_most_its_share_and_the_others_still_get_through() -> None:
    organisations = Organisations()
    server = await LiveServer(organisations.app(), path="").start()
    client = SubgraphClient(1024 * 1024, connections=100, per_source=3)
    await client.start()
    try:
        slow = [client.query(f"{server.url}/org/traag/graphql", "{ ok }", None, 30.0) for _ in range(10)]
        others = [client.query(f"{server.url}/org/org-{i}/graphql", "{ ok }", None, 30.0) for i in range(5)]
        calls = [asyncio.ensure_future(call) for call in [*slow, *others]]
        while sum(organisations.in_flight.values()) < 3 + 5:  # noqa: ASYNC110 - the server counts, no event
            await asyncio.sleep(0.01)
        assert organisations.in_flight["traag"] == 3, "the slow source's other requests wait their turn"
        assert all(organisations.in_flight[f"org-{i}"] == 1 for i in range(5)), "the others are not held up"
        organisations.release.set()
        answers = await asyncio.gather(*calls)
    finally:
        await client.close()
        await server.stop()
    assert all(a.data == {"ok": True} for a in answers)
    assert organisations.most["traag"] == 3
