"""The gateway's long-lived parts, wired from the configuration, and their lifecycle.

Start: open the HTTP client pool and the processing log, check every subgraph's schema, keep
re-checking; ready once every source was checked or `READY_WITHIN` passed. Reload (SIGHUP or
`Gateway.reload()`): read the configuration again and swap in a new registry once its sources are
checked, so requests in flight finish on the old one; the participant register and the CAs of
forwarded client certificates are read again too.
"""

from __future__ import annotations

import asyncio
import contextlib
import hashlib
import logging
import time
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

from graphql import GraphQLSchema
from sqlalchemy.engine import make_url
from sqlalchemy.exc import SQLAlchemyError

from vumschema import Contract, load_contract

from .auth.certificates import ClientCertificates
from .auth.keys import KeyFileError
from .auth.participants import ParticipantRegister
from .auth.signing import GatewaySigner
from .auth.tokens import CallerAuthenticator
from .config import FEDERATION_ENGINE, ConfigError, GatewayConfig, load_config
from .cursor import Cursors
from .execute.executor import Services
from .limits import Limits
from .metrics import PLANNING_WORK
from .plan.planner import Planner
from .processing_log import LogUnavailable, ProcessingLog, log_key
from .pseudonym import Pseudonymiser
from .public_schema import build_public_schema
from .quota import DetailQuota, MemoryQuota, RedisQuota
from .rate_limit import MemoryRateLimiter, RateLimiter, RedisRateLimiter, Unlimited
from .registry import Registry, SourceState
from .subgraph_client import SubgraphClient
from .tracing import Tracing

if TYPE_CHECKING:
    from .vum.engine import FederationEngine

log = logging.getLogger("vum.gateway")

PURGE_INTERVAL = 24 * 3600.0
# Ready once every source was checked, or this long after start: at hundreds of sources a slow
# few must not hold the others back; until checked, a source is named "not checked yet" in answers.
READY_WITHIN = 3.0


class Gateway:
    """Everything a request needs, plus start, stop and reload."""

    def __init__(
        self,
        config: GatewayConfig,
        config_file: Path | None = None,
        contract: Contract | None = None,
        *,
        demo: bool = False,
    ) -> None:
        self.config = config
        self.config_file = config_file
        self.demo = demo
        self.contract = contract or load_contract()
        self.schema = build_public_schema(self.contract)
        server, auth = config.gateway, config.auth
        self.planner = Planner(
            self.contract,
            self.schema,
            server.plan_cache_size,
            server.limits.max_tokens,
            _operation_limits(config),
            server.plan_cache_bytes,
        )
        self.tracing = Tracing(config.tracing)
        self.client = SubgraphClient(
            server.max_source_response_bytes,
            config.source_connections,
            self.tracing,
            per_source=server.source_concurrency,
        )
        # Schema checks have a pool of their own: requests queueing for connections never delay them.
        self.check_client = SubgraphClient(server.max_source_response_bytes, connections=20)
        try:
            self.authenticator = CallerAuthenticator(auth, demo=demo)
        except ValueError as error:
            raise ConfigError(str(error)) from None
        self.certificates = ClientCertificates(auth.client_certificates)
        self.participants = ParticipantRegister(auth.participants)
        try:
            self.signer = GatewaySigner(
                auth.gateway_issuer, auth.gateway_oin, auth.subgraph_token_seconds, auth.signing_key_file
            )
        except KeyFileError as error:
            raise ConfigError(f"auth.signing_key_file: {error}") from None
        keys = config.pseudonym.keys()
        self.processing_log = ProcessingLog(
            config.processing_log.dsn,
            config.processing_log.retention_days,
            log_key(keys[0]),
        )
        self.quota: DetailQuota = (
            RedisQuota(auth.detail_quota, auth.quota_redis_url)
            if auth.quota_redis_url
            else MemoryQuota(auth.detail_quota)
        )
        self.rate_limiter = _rate_limiter(config)
        self.services = self._services(config)
        self.engine = self._engine(config)
        self.started = False
        self.started_at = 0.0
        self.draining = False  # stopping: not ready, still serving (see serving.py)
        self.graphiql_presets: dict[str, dict[str, str]] = {}  # the demo's headers per role
        self._tasks: list[asyncio.Task[Any]] = []

    def _services(self, config: GatewayConfig) -> Services:
        keys = config.pseudonym.keys()
        return Services(
            schema=self.schema,
            contract=self.contract,
            registry=Registry(config.sources, self.contract, self.check_client, self._gateway_headers),
            client=self.client,
            pseudonyms=Pseudonymiser(keys),
            order_key=hashlib.blake2b(b"vum-order", key=keys[0], digest_size=32).digest(),
            max_page_size=config.gateway.max_page_size,
            signer=self.signer,
            processing_log=self.processing_log,
            quota=self.quota,
            cursors=Cursors(keys),
            max_subgraph_calls=config.gateway.limits.max_subgraph_calls,
            detail_source_id=config.auth.detail_source_id,
        )

    def _engine(self, config: GatewayConfig) -> FederationEngine | None:
        """The federation engine when configured (None: the bespoke one, `planner` and `services`)."""
        if config.gateway.engine != FEDERATION_ENGINE:
            return None
        from .vum.engine import FederationEngine  # composes the VUM supergraph: only when chosen
        from .vum.keylist import KeyLists

        server = config.gateway
        keys = KeyLists(
            config.pseudonym.keys()[0],
            server.search_cache_entries,
            server.search_cache_bytes,
            server.search_cache_seconds,
            server.search_cache_redis_url,
        )
        return FederationEngine(
            self.schema,
            lambda: self.services,
            self._front_door,
            server.plan_cache_size,
            config.extensions,
            server.plan_cache_bytes,
            keys,
        )

    def _front_door(self, schema: GraphQLSchema) -> Callable[[str], None]:
        """The bespoke planner's checks of a document (tokens, limits, validation) against `schema`,
        what measuring the limits cost counted in `vum_planning_work_total` (as the bespoke engine does)."""
        planner = self.planner
        if schema is not self.schema:
            server = self.config.gateway
            limits = _operation_limits(self.config)
            planner = Planner(
                self.contract, schema, server.plan_cache_size, server.limits.max_tokens, limits, server.plan_cache_bytes
            )

        def check(query: str) -> None:
            before = planner.limit_work
            try:
                planner.check(query)
            finally:
                PLANNING_WORK.labels("limits").inc(planner.limit_work - before)

        return check

    def _gateway_headers(self, state: SourceState) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.signer.token(None, state.config.oin)}"}

    async def start(self) -> None:
        """Open what requests need; the subgraphs are checked in the background, because they
        fetch this gateway's keys (so it must be listening) to accept its first call. Starting
        again is a no-op, so a command can start the gateway before its server does."""
        if self.started:
            return
        try:
            await self.processing_log.start()
        except (LogUnavailable, SQLAlchemyError) as error:
            raise ConfigError(self._log_failure(error)) from None
        await self.client.start()
        await self.check_client.start()
        if self.engine is not None:
            await self.engine.start()
        self._tasks = [asyncio.create_task(self._keep_checking()), asyncio.create_task(self._keep_purging())]
        self.started, self.started_at = True, time.monotonic()

    def _log_failure(self, error: Exception) -> str:
        """One line: which log (without its password) and the database's own first line of why."""
        where = make_url(self.config.processing_log.dsn).render_as_string(hide_password=True)
        reason = str(getattr(error, "orig", None) or error).strip().splitlines()[0]
        return f"processing_log.dsn {where}: cannot open the processing log: {reason}"

    @property
    def ready(self) -> bool:
        if not self.started or self.draining:
            return False
        return self.services.registry.checked or time.monotonic() - self.started_at >= READY_WITHIN

    async def _keep_checking(self) -> None:
        await self.services.registry.keep_checking(self.config.gateway.schema_check_interval)

    async def _keep_purging(self) -> None:
        while True:
            await asyncio.sleep(PURGE_INTERVAL)
            with contextlib.suppress(Exception):  # a failed purge is retried tomorrow; writes fail closed anyway
                await self.processing_log.purge()

    async def stop(self) -> None:
        for task in self._tasks:
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await task
        await self.client.close()
        await self.check_client.close()
        if self.engine is not None:
            await self.engine.close()
        await self.authenticator.close()
        await self.quota.close()
        await self.rate_limiter.close()
        self.processing_log.close()
        await asyncio.to_thread(self.tracing.shutdown)  # exports what is queued; may wait for the collector

    async def reload(self) -> None:
        """Re-read the configuration file and re-check every source; keep serving meanwhile."""
        if self.config_file is None:
            await self.services.registry.check_all()
            return
        config = load_config(self.config_file)
        services = self._services(config)
        await services.registry.check_all()
        services.registry.checked = True
        old_tasks = self._tasks
        self.config, self.services = config, services
        self.certificates = ClientCertificates(config.auth.client_certificates)
        self.participants = ParticipantRegister(config.auth.participants)  # admissions change without a restart
        self._tasks = [asyncio.create_task(self._keep_checking()), *old_tasks[1:]]
        old_tasks[0].cancel()
        log.info("configuration reloaded: %d sources", len(services.registry.states))


def _rate_limiter(config: GatewayConfig) -> RateLimiter:
    limit = config.gateway.rate_limit
    if not limit.enabled:
        return Unlimited()
    if limit.redis_url:
        return RedisRateLimiter(limit.requests_per_second, limit.burst, limit.redis_url, limit.max_callers)
    return MemoryRateLimiter(limit.requests_per_second, limit.burst, limit.max_callers)


def _operation_limits(config: GatewayConfig) -> Limits:
    limits = config.gateway.limits
    return Limits(
        limits.max_depth,
        limits.max_height,
        limits.max_aliases,
        limits.max_root_fields,
        limits.max_directives,
        limits.max_repeated_fields,
    )
