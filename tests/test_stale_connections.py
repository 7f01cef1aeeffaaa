"""A pooled connection the source closes as a request goes out on it is asked again, once.

Servers end idle keep-alive connections (uvicorn after 5 s); on a busy machine the close crosses the
next request on that connection, which then fails with a reset or a disconnect although the source
is fine. The source here answers the first request on each connection and drops the connection at
the second, as such a race looks from the client: deterministic, over real TCP.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from typing import Literal

import orjson
import pytest
import pytest_asyncio

from gateway.subgraph_client import SourceFailure, SubgraphClient
from subgraphs.sdk.geo import PostcodeTable
from subgraphs.sdk.selectievraag import parse_werkzoekende_vraag
from subgraphs.vumbron.adapter import VumBronAdapter

ANSWER = orjson.dumps({"data": {"ok": True}, "maximumAantalResultatenBereikt": False, "matches": []})


class DroppingSource:
    """HTTP/1.1 over asyncio streams: answers with keep-alive, then drops the connection at its
    `answered`-th request (by a reset or a close), or at every request when `answered` is 0."""

    def __init__(self, answered: int, drop: Literal["reset", "close"]) -> None:
        self.answered = answered
        self.drop = drop
        self.requests = 0
        self.connections = 0
        self.server: asyncio.Server | None = None

    @property
    def url(self) -> str:
        assert self.server is not None
        return f"http://127.0.0.1:{self.server.sockets[0].getsockname()[1]}"

    async def start(self) -> DroppingSource:
        self.server = await asyncio.start_server(self._connection, "127.0.0.1", 0)
        return self

    async def stop(self) -> None:
        assert self.server is not None
        self.server.close()
        await self.server.wait_closed()

    async def _connection(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        self.connections += 1
        served = 0
        try:
            while True:
                head = await reader.readuntil(b"\r\n\r\n")
                length = next(
                    (
                        int(line.split(b":")[1])
                        for line in head.split(b"\r\n")
                        if line.lower().startswith(b"content-length")
                    ),
                    0,
                )
                await reader.readexactly(length)
                self.requests += 1
                if served == self.answered:
                    if self.drop == "reset":
                        writer.transport.abort()
                    else:
                        writer.close()
                    return
                served += 1
                writer.write(
                    b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nConnection: keep-alive\r\n"
                    + f"Content-Length: {len(ANSWER)}\r\n\r\n".encode()
                    + ANSWER
                )
                await writer.drain()
        except (asyncio.IncompleteReadError, ConnectionError):
            writer.close()


@pytest_asyncio.fixture
async def client() -> AsyncIterator[SubgraphClient]:
    subgraph_client = SubgraphClient(max_response_bytes=1024 * 1024)
    await subgraph_client.start()
    yield subgraph_client
    await subgraph_client.close()


@pytest.mark.parametrize("drop", ["reset", "close"])
async def test_the_gateway_asks_again_when_a_pooled_connection_was_closed(client: SubgraphClient, drop: str) -> None:
    source = await DroppingSource(answered=1, drop=drop).start()  # type: ignore[arg-type]
    try:
        for _ in range(3):
            answer = await client.query(f"{source.url}/graphql", "{ ok }", None, timeout=5)
            assert answer.data == {"ok": True}
        assert source.requests == 5 and source.connections == 3, "each drop cost one request, asked again once"
    finally:
        await source.stop()


async def test_a_source_that_keeps_dropping_is_asked_twice_then_reported(client: SubgraphClient) -> None:
    source = await DroppingSource(answered=0, drop="close").start()
    try:
        with pytest.raises(SourceFailure, match=r"the source is unreachable \(ServerDisconnectedError\)"):
            await client.query(f"{source.url}/graphql", "{ ok }", None, timeout=5)
        assert source.requests == 2
    finally:
        await source.stop()


async def test_a_source_that_cannot_be_reached_is_not_asked_again(client: SubgraphClient) -> None:
    source = await DroppingSource(answered=1, drop="close").start()
    url = source.url
    await source.stop()  # nothing listens there now
    with pytest.raises(SourceFailure, match=r"unreachable \(ClientConnectorError\)"):
        await client.query(f"{url}/graphql", "{ ok }", None, timeout=5)


async def test_the_vumbron_adapter_asks_its_source_again_when_a_pooled_connection_was_closed(
    postcodes: PostcodeTable,
) -> None:
    source = await DroppingSource(answered=1, drop="reset").start()
    adapter = VumBronAdapter(source.url, "00000000000000000001", "00000000000000000002")
    await adapter.startup()
    try:
        vraag = parse_werkzoekende_vraag({"selectiegebied": {"postcode": "5611AB", "afstand": 5}}, postcodes)
        for _ in range(3):
            result = await adapter.search_werkzoekenden(vraag, 10)
            assert list(result.records) == [] and not result.more
        assert source.requests == 5 and source.connections == 3
    finally:
        await adapter.shutdown()
        await source.stop()
