"""Real HTTP servers for tests: uvicorn serving an ASGI app on a free localhost port, in the test's loop."""

from __future__ import annotations

import asyncio
from typing import Any

import aiohttp
import uvicorn

from gateway.demo.runner import ChildlessServer

# uvicorn closes an idle connection after 5 s; a long-lived test client closes its own before, so
# no request goes out on a connection the server is just hanging up (ServerDisconnectedError).
KEEPALIVE_SECONDS = 4.0


def client_session(**connector: Any) -> aiohttp.ClientSession:
    """An HTTP client for a test's servers, for as long as the test needs (`connector`: more
    TCPConnector options, e.g. `ssl`)."""
    return aiohttp.ClientSession(connector=aiohttp.TCPConnector(keepalive_timeout=KEEPALIVE_SECONDS, **connector))


class LiveServer:
    """An ASGI app served over HTTP on 127.0.0.1; `url` is known once started."""

    def __init__(self, app: Any, path: str = "/graphql", **options: Any) -> None:
        self.app = app
        self.path = path
        self.options = options  # more uvicorn.Config options, e.g. the gateway's `server_options`
        self.server: uvicorn.Server | None = None
        self.task: asyncio.Task[None] | None = None
        self.port = 0

    @property
    def base_url(self) -> str:
        scheme = "https" if self.options.get("ssl_certfile") else "http"
        return f"{scheme}://127.0.0.1:{self.port}"

    @property
    def url(self) -> str:
        return self.base_url + self.path

    async def start(self, port: int = 0) -> LiveServer:
        config = uvicorn.Config(
            self.app,
            host="127.0.0.1",
            port=port or self.port,
            log_level="warning",
            lifespan="on",
            interface="asgi3",
            **self.options,
        )
        self.server = ChildlessServer(config)
        self.task = asyncio.create_task(self.server.serve())
        while not self.server.started:
            if self.task.done():
                self.task.result()
            await asyncio.sleep(0.01)
        self.port = self.server.servers[0].sockets[0].getsockname()[1]
        return self

    async def stop(self) -> None:
        if self.server is not None and self.task is not None:
            self.server.should_exit = True
            await self.task
            self.server = self.task = None


async def read_body(receive: Any) -> tuple[bytes, Any]:
    """An ASGI request's whole body, and a `receive` that delivers it again to the wrapped app
    (for middleware in tests that looks at a request before passing it on)."""
    body = b""
    more = True
    while more:
        message = await receive()
        body += message.get("body", b"")
        more = message.get("more_body", False)
    delivered = False

    async def replay() -> Any:
        nonlocal delivered
        if delivered:
            return await receive()
        delivered = True
        return {"type": "http.request", "body": body, "more_body": False}

    return body, replay


class WatchedSubgraph:
    """A subgraph app (`factory(trust)`) behind `handle`, which sees each HTTP request's body first:
    the tests' stand-ins count, hold or fail requests by overriding it."""

    def __init__(self, factory: Any) -> None:
        self.factory = factory

    def __call__(self, trust: Any) -> Any:
        self.app = self.factory(trust)
        return self.asgi

    async def asgi(self, scope: Any, receive: Any, send: Any) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        body, replay = await read_body(receive)
        await self.handle(body, scope, replay, send)

    async def handle(self, body: bytes, scope: Any, replay: Any, send: Any) -> None:
        await self.app(scope, replay, send)
