"""Serving the gateway: its port bound before anything starts, the gateway started before uvicorn.

uvicorn (asyncio's `create_server`) binds with SO_REUSEADDR, so the connections a run that just
stopped leaves in TIME_WAIT do not block a restart; a check without it calls such a port taken.
Binding the socket first and handing it to uvicorn tells a taken port in one line before a
subgraph or the processing log is started; starting the gateway before uvicorn's lifespan tells a
processing log that cannot be opened in one line too, instead of a traceback from the lifespan.

On SIGTERM (Kubernetes deleting a pod, systemd stopping a unit) the gateway first drains:
`/ready` answers 503 for `gateway.shutdown_delay` seconds while requests are still served, so the
load balancer stops sending new ones; only then does uvicorn stop accepting and finish the
requests in flight. Without the delay, requests the balancer sends between the signal and its
next health check would meet a closed port. A second signal stops at once.
"""

from __future__ import annotations

import errno
import logging
import signal
import socket
import threading
from types import FrameType
from typing import TYPE_CHECKING

import uvicorn

if TYPE_CHECKING:
    from .server import Gateway

log = logging.getLogger("vum.gateway")

BACKLOG = 2048  # uvicorn's default


class StartError(Exception):
    """A command cannot start what it serves; the message says why and what to do, in one line."""


class CannotListen(StartError):
    """The port cannot be bound; the message says which and why, in one line."""

    def __init__(self, host: str, port: int, reason: str) -> None:
        super().__init__(f"cannot listen on {host}:{port}: {reason}")
        self.host = host
        self.port = port


def _socket(host: str) -> socket.socket:
    sock = socket.socket(socket.AF_INET6 if ":" in host else socket.AF_INET)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    return sock


def listening_socket(host: str, port: int) -> socket.socket:
    """A socket listening on host:port, for `uvicorn.Server.serve(sockets=[...])`."""
    sock = _socket(host)
    try:
        sock.bind((host, port))
        sock.listen(BACKLOG)
    except OSError as error:
        sock.close()
        if error.errno == errno.EADDRINUSE:
            raise CannotListen(host, port, "the port is in use by another program") from None
        raise CannotListen(host, port, error.strerror or str(error)) from None
    return sock


def port_free(port: int, host: str = "127.0.0.1") -> bool:
    """Whether a server (uvicorn) could bind this port now."""
    with _socket(host) as probe:
        try:
            probe.bind((host, port))
        except OSError:
            return False
    return True


def free_port(host: str = "127.0.0.1") -> int:
    """A port no one listens on, chosen by the system."""
    with socket.socket() as probe:
        probe.bind((host, 0))
        return int(probe.getsockname()[1])


class GatewayServer(uvicorn.Server):
    """uvicorn serving the gateway's app, with the gateway started first (its lifespan then finds
    it started; a start that fails raises its `ConfigError` out of `run()`), draining for
    `gateway.shutdown_delay` seconds before a graceful stop."""

    def __init__(self, gateway: Gateway, config: uvicorn.Config) -> None:
        super().__init__(config)
        self.gateway = gateway
        self.delay = gateway.config.gateway.shutdown_delay

    def handle_exit(self, sig: int, frame: FrameType | None) -> None:
        if self.delay <= 0 or self.gateway.draining:
            super().handle_exit(sig, frame)
            return
        self.gateway.draining = True
        log.info("%s: draining for %g s (/ready answers 503), then stopping", signal.Signals(sig).name, self.delay)
        timer = threading.Timer(self.delay, super().handle_exit, (sig, frame))
        timer.daemon = True
        timer.start()

    async def serve(self, sockets: list[socket.socket] | None = None) -> None:
        await self.gateway.start()
        for sock in sockets or ():  # uvicorn names the address only when it binds itself
            host, port = sock.getsockname()[:2]
            log.info("serving on http://%s:%d (Ctrl-C stops)", host, port)
        await super().serve(sockets)
