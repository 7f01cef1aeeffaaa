"""The gateway's long-lived parts, wired from the configuration, and their lifecycle.

Start: open the HTTP client pool, check every subgraph's schema, keep re-checking. Reload (SIGHUP
or `Gateway.reload()`): read the configuration again and swap in a new registry once its sources
are checked, so requests in flight finish on the old one.
"""

from __future__ import annotations

import asyncio
import contextlib
import hashlib
import logging
from pathlib import Path
from typing import Any

from vumschema import Contract, load_contract

from .config import GatewayConfig, load_config
from .execute.executor import Services
from .plan.planner import Planner
from .pseudonym import Pseudonymiser
from .public_schema import build_public_schema
from .registry import Registry
from .subgraph_client import SubgraphClient

log = logging.getLogger("vum.gateway")


class Gateway:
    """Everything a request needs, plus start, stop and reload."""

    def __init__(
        self, config: GatewayConfig, config_file: Path | None = None, contract: Contract | None = None
    ) -> None:
        self.config = config
        self.config_file = config_file
        self.contract = contract or load_contract()
        self.schema = build_public_schema(self.contract)
        server = config.gateway
        self.planner = Planner(self.contract, self.schema, server.plan_cache_size, server.max_query_tokens)
        self.client = SubgraphClient(server.max_source_response_bytes)
        self.services = self._services(config)
        self.started = False
        self._checker: asyncio.Task[Any] | None = None

    def _services(self, config: GatewayConfig) -> Services:
        keys = config.pseudonym.keys()
        return Services(
            schema=self.schema,
            contract=self.contract,
            registry=Registry(config.sources, self.contract, self.client),
            client=self.client,
            pseudonyms=Pseudonymiser(keys),
            order_key=hashlib.blake2b(b"vum-order", key=keys[0], digest_size=32).digest(),
            max_page_size=config.gateway.max_page_size,
        )

    async def start(self) -> None:
        await self.client.start()
        await self.services.registry.check_all()
        self._checker = asyncio.create_task(self._keep_checking())
        self.started = True
        usable = [s.config.id for s in self.services.registry.states.values() if s.usable]
        log.info("gateway ready: %d of %d sources usable", len(usable), len(self.services.registry.states))

    async def _keep_checking(self) -> None:
        while True:
            await asyncio.sleep(self.config.gateway.schema_check_interval)
            await self.services.registry.check_all()

    async def stop(self) -> None:
        if self._checker is not None:
            self._checker.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._checker
        await self.client.close()

    async def reload(self) -> None:
        """Re-read the configuration file and re-check every source; keep serving meanwhile."""
        if self.config_file is None:
            await self.services.registry.check_all()
            return
        config = load_config(self.config_file)
        services = self._services(config)
        await services.registry.check_all()
        self.config, self.services = config, services
        log.info("configuration reloaded: %d sources", len(services.registry.states))
