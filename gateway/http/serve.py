"""Serving the gateway with uvicorn, and stopping it without failing a request.

On SIGTERM (Kubernetes deleting a pod, systemd stopping a unit) the gateway first drains:
`/ready` answers 503 for `gateway.shutdown_delay` seconds while requests are still served, so the
load balancer stops sending new ones; only then does uvicorn stop accepting and finish the
requests in flight. Without the delay, requests the balancer sends between the signal and its
next health check would meet a closed port. A second signal stops at once.
"""

from __future__ import annotations

import logging
import signal
import threading
from types import FrameType

import uvicorn
from starlette.applications import Starlette

from ..server import Gateway
from .transport import server_options

log = logging.getLogger("vum.http")


class DrainingServer(uvicorn.Server):
    """uvicorn's server, draining for `delay` seconds before a graceful stop."""

    def __init__(self, config: uvicorn.Config, gateway: Gateway, delay: float) -> None:
        super().__init__(config)
        self.gateway = gateway
        self.delay = delay

    def handle_exit(self, sig: int, frame: FrameType | None) -> None:
        if self.delay <= 0 or self.gateway.draining:
            super().handle_exit(sig, frame)
            return
        self.gateway.draining = True
        log.info("%s: draining for %g s (/ready answers 503), then stopping", signal.Signals(sig).name, self.delay)
        timer = threading.Timer(self.delay, super().handle_exit, (sig, frame))
        timer.daemon = True
        timer.start()


def serve(app: Starlette, gateway: Gateway, host: str, port: int, log_level: str) -> None:
    """Serve until stopped (SIGTERM or Ctrl-C drains first when `gateway.shutdown_delay` is set)."""
    options = server_options(gateway.config)
    config = uvicorn.Config(app, host=host, port=port, log_level=log_level, access_log=False, **options)
    DrainingServer(config, gateway, gateway.config.gateway.shutdown_delay).run()
