"""Gateway replicas behind a real HAProxy, as processes: what the replica test and the benchmark's
scenario R run.

Each replica is started the way an operator starts one: `vum-gateway serve --config replica-N.toml`,
its secrets in files (pseudonym key, signing key, processing-log DSN), sharing the processing log
(PostgreSQL) and the detail quota (Redis) with the others. HAProxy (Debian's package) balances
round robin, checks `/ready`, sends a request whose connection failed to another replica
(redispatch), names the replica that answered (`X-VUM-Replica`), and logs one line per request
with the client's `X-Request-ID`, the replica, the status and how the request ended, so a test can
account for every request.
"""

from __future__ import annotations

import asyncio
import contextlib
import csv
import io
import json
import os
import shutil
import signal
import sys
import time
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import aiohttp

from gateway.auth.keys import new_private_key, write_private_key
from gateway.config import new_key
from gateway.serving import free_port

HAPROXY = os.environ.get("VUM_TEST_HAPROXY", "haproxy")
READY_TIMEOUT = 90.0  # seconds: on two busy cores a replica's start (imports, schema checks) takes a while
REQUEST_ID = "X-Request-ID"
REPLICA_HEADER = "X-VUM-Replica"


def haproxy_binary() -> str | None:
    return shutil.which(HAPROXY)


def toml(value: Any) -> str:
    """A TOML value (JSON's strings, numbers, booleans and arrays are TOML's)."""
    return json.dumps(value)


def toml_table(name: str, values: dict[str, Any], array: bool = False) -> str:
    header = f"[[{name}]]" if array else f"[{name}]"
    return "\n".join([header, *(f"{key} = {toml(value)}" for key, value in values.items())]) + "\n"


@dataclass
class ClusterSpec:
    """What the replicas share and serve."""

    work: Path
    organisations: list[dict[str, Any]]  # [[organisations]] tables
    issuer: dict[str, Any]  # one [[auth.issuers]] table: the callers' identity provider
    processing_log_dsn: str  # PostgreSQL: one log for every replica
    quota_redis_url: str  # Redis: one detail quota for every replica
    replicas: int = 3
    gateway: dict[str, Any] = field(default_factory=dict)  # more [gateway] settings
    rate_limit: dict[str, Any] = field(default_factory=dict)  # [gateway.rate_limit] settings
    auth: dict[str, Any] = field(default_factory=dict)  # more [auth] settings
    cores: Sequence[int] | None = None  # pin replica i to cores[i % len(cores)] (the benchmark)
    haproxy_core: int | None = None
    signing_key_file: Path | None = None  # the gateway's key when its subgraphs already trust one; else a new one


@dataclass
class Replica:
    """One `vum-gateway serve` process."""

    name: str
    port: int
    config_file: Path
    log_file: Path
    core: int | None
    process: asyncio.subprocess.Process | None = None
    starts: int = 0

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def alive(self) -> bool:
        return self.process is not None and self.process.returncode is None

    @property
    def command(self) -> list[str]:
        """The operator's command; `-m gateway.cli` is `vum-gateway` of this checkout."""
        command = [sys.executable, "-m", "gateway.cli", "--log-level", "warning", "serve"]
        command += ["--config", str(self.config_file)]
        return ["taskset", "-c", str(self.core), *command] if self.core is not None else command

    async def start(self) -> None:
        with self.log_file.open("ab") as log:
            self.process = await asyncio.create_subprocess_exec(
                *self.command, stdout=log, stderr=log, stdin=asyncio.subprocess.DEVNULL, start_new_session=True
            )
        self.starts += 1

    async def wait_ready(self, session: aiohttp.ClientSession, sources: int) -> None:
        """Until `/ready` answers 200 with every source conforming."""
        deadline = time.monotonic() + READY_TIMEOUT
        last: Any = None
        while time.monotonic() < deadline:
            if not self.alive:
                raise ClusterError(f"{self.name} stopped during start:\n{self.tail()}")
            with contextlib.suppress(aiohttp.ClientError, TimeoutError):
                async with session.get(f"{self.base_url}/ready", timeout=aiohttp.ClientTimeout(total=2)) as response:
                    last = await response.json(content_type=None)
                    states = last.get("sources", {})
                    if (
                        response.status == 200
                        and len(states) == sources
                        and all(s == "CONFORM" for s in states.values())
                    ):
                        return
            await asyncio.sleep(0.2)
        raise ClusterError(f"{self.name} not ready within {READY_TIMEOUT:.0f} s (last: {last}):\n{self.tail()}")

    def signal(self, signum: signal.Signals) -> None:
        assert self.process is not None
        with contextlib.suppress(ProcessLookupError):
            os.kill(self.process.pid, signum)

    async def stop(self, grace: float = 15.0) -> int | None:
        """SIGTERM, SIGKILL after `grace` seconds; the exit code."""
        if self.process is None:
            return None
        if self.alive:
            self.signal(signal.SIGTERM)
            try:
                await asyncio.wait_for(self.process.wait(), grace)
            except TimeoutError:
                self.signal(signal.SIGKILL)
        return await self.process.wait()

    def tail(self, lines: int = 30) -> str:
        with contextlib.suppress(OSError):
            return "\n".join(self.log_file.read_text(errors="replace").splitlines()[-lines:])
        return ""


def write_secret(path: Path, value: str) -> None:
    path.write_text(value + "\n", encoding="utf-8")
    path.chmod(0o600)


class ClusterError(RuntimeError):
    """The cluster could not be started; the message says why, with the logs."""


@dataclass(frozen=True)
class LoggedRequest:
    """HAProxy's log line of one request."""

    request_id: str
    replica: str  # the server that answered, or <NOSRV>
    status: int  # -1: no answer
    termination: str  # HAProxy's termination state, e.g. "----" (normal), "SH--" (server aborted)
    retries: str  # connection retries; a leading "+" means it was redispatched to another replica


HAPROXY_LOG = "rid=%[capture.req.hdr(0)] srv=%s status=%ST term=%tsc retries=%rc"


class HAProxy:
    """HAProxy in front of the replicas, its log on stdout in a file, its stats as CSV."""

    def __init__(self, work: Path, replicas: Sequence[Replica], core: int | None = None) -> None:
        self.work = work
        self.replicas = replicas
        self.port = free_port()
        self.stats_port = free_port()
        self.config_file = work / "haproxy.cfg"
        self.log_file = work / "haproxy.log"
        self.core = core
        self.process: asyncio.subprocess.Process | None = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def config(self) -> str:
        servers = "\n".join(
            f"    server {r.name} 127.0.0.1:{r.port} check inter 500ms fall 2 rise 2" for r in self.replicas
        )
        return f"""global
    log stdout format raw local0 info
    maxconn 2000

defaults
    mode http
    log global
    option httplog
    log-format "{HAPROXY_LOG}"
    timeout connect 2s
    timeout client 60s
    timeout server 60s
    timeout check 3s
    retries 3
    option redispatch 1

frontend vum
    bind 127.0.0.1:{self.port}
    http-request capture req.hdr({REQUEST_ID}) len 64
    default_backend gateways

frontend stats
    bind 127.0.0.1:{self.stats_port}
    stats enable
    stats uri /stats
    no log

backend gateways
    balance roundrobin
    option httpchk GET /ready
    http-check expect status 200
    http-response set-header {REPLICA_HEADER} %s
{servers}
"""

    async def start(self) -> None:
        self.config_file.write_text(self.config(), encoding="utf-8")
        check = await asyncio.create_subprocess_exec(
            HAPROXY,
            "-c",
            "-q",
            "-f",
            str(self.config_file),
            stdout=asyncio.subprocess.PIPE,
            stderr=asyncio.subprocess.STDOUT,
        )
        output, _ = await check.communicate()
        if check.returncode != 0:
            raise ClusterError(f"HAProxy refuses its configuration:\n{output.decode(errors='replace')}")
        command = [HAPROXY, "-db", "-f", str(self.config_file)]
        if self.core is not None:
            command = ["taskset", "-c", str(self.core), *command]
        with self.log_file.open("ab") as log:
            self.process = await asyncio.create_subprocess_exec(
                *command, stdout=log, stderr=log, stdin=asyncio.subprocess.DEVNULL, start_new_session=True
            )

    async def server_states(self, session: aiohttp.ClientSession) -> dict[str, str]:
        """Each replica's state as HAProxy sees it: UP, DOWN, …"""
        async with session.get(f"http://127.0.0.1:{self.stats_port}/stats;csv") as response:
            text = await response.text()
        rows = csv.DictReader(io.StringIO(text.lstrip("# ")))
        return {
            row["svname"]: row["status"]
            for row in rows
            if row["pxname"] == "gateways" and row["svname"] not in ("BACKEND", "FRONTEND")
        }

    async def wait_states(self, session: aiohttp.ClientSession, wanted: dict[str, str], within: float = 30.0) -> None:
        deadline = time.monotonic() + within
        states: dict[str, str] = {}
        while time.monotonic() < deadline:
            with contextlib.suppress(aiohttp.ClientError):
                states = await self.server_states(session)
                if all(states.get(name, "").startswith(state) for name, state in wanted.items()):
                    return
            await asyncio.sleep(0.1)
        raise ClusterError(f"HAProxy sees {states}, not {wanted} within {within:.0f} s")

    def logged(self) -> dict[str, LoggedRequest]:
        """Every request HAProxy logged so far, by request id."""
        result = {}
        for line in self.log_file.read_text(errors="replace").splitlines():
            if not line.startswith("rid="):
                continue
            fields = dict(part.split("=", 1) for part in line.split() if "=" in part)
            request_id = fields["rid"].strip("{}")
            status = int(fields["status"]) if fields["status"].lstrip("-").isdigit() else -1
            result[request_id] = LoggedRequest(request_id, fields["srv"], status, fields["term"], fields["retries"])
        return result

    async def logged_all(self, request_ids: Iterable[str], within: float = 10.0) -> dict[str, LoggedRequest]:
        """Every request HAProxy logged, once `request_ids` are all in it: HAProxy writes a request's
        line when its stream closes, which can be just after the client has read the answer."""
        wanted = set(request_ids)
        deadline = time.monotonic() + within
        while True:
            logged = self.logged()
            if wanted <= logged.keys() or time.monotonic() > deadline:
                return logged
            await asyncio.sleep(0.05)

    async def stop(self) -> None:
        if self.process is not None and self.process.returncode is None:
            with contextlib.suppress(ProcessLookupError):
                self.process.terminate()
            await self.process.wait()


class Cluster:
    """`spec.replicas` gateway replicas behind HAProxy; start with `await cluster.start()`."""

    def __init__(self, spec: ClusterSpec) -> None:
        self.spec = spec
        spec.work.mkdir(parents=True, exist_ok=True)
        cores = spec.cores
        self.replicas = [
            Replica(
                f"gw{index + 1}",
                free_port(),
                spec.work / f"replica-{index + 1}.toml",
                spec.work / f"replica-{index + 1}.log",
                cores[index % len(cores)] if cores else None,
            )
            for index in range(spec.replicas)
        ]
        self.haproxy = HAProxy(spec.work, self.replicas, spec.haproxy_core)
        self.session = aiohttp.ClientSession()

    @property
    def url(self) -> str:
        """The front door: GraphQL through HAProxy."""
        return f"{self.haproxy.url}/graphql"

    @property
    def jwks_url(self) -> str:
        """The gateway's keys as the subgraphs fetch them: through the load balancer, from any replica."""
        return f"{self.haproxy.url}/.well-known/jwks.json"

    def replica(self, name: str) -> Replica:
        return next(r for r in self.replicas if r.name == name)

    def write_configuration(self) -> None:
        """Shared secrets as files (0600), as a Kubernetes Secret would mount them; one config per replica."""
        secrets = self.spec.work / "secrets"
        secrets.mkdir(exist_ok=True)
        key = secrets / "pseudonym-key"
        if not key.exists():  # made once: every replica, and a restarted one, shares it
            write_secret(key, new_key())
        write_secret(secrets / "processing-log-dsn", self.spec.processing_log_dsn)
        signing_key = self.spec.signing_key_file or secrets / "gateway-signing.pem"
        if not signing_key.exists():
            write_private_key(new_private_key(), signing_key)
        for replica in self.replicas:
            text = toml_table("gateway", {"host": "127.0.0.1", "port": replica.port, **self.spec.gateway})
            if self.spec.rate_limit:
                text += toml_table("gateway.rate_limit", self.spec.rate_limit)
            text += toml_table("pseudonym", {"key_file": str(secrets / "pseudonym-key")})
            auth = {"signing_key_file": str(signing_key), "quota_redis_url": self.spec.quota_redis_url}
            text += toml_table("auth", {**auth, **self.spec.auth})
            text += toml_table("auth.issuers", self.spec.issuer, array=True)
            text += toml_table("processing_log", {"dsn_file": str(secrets / "processing-log-dsn")})
            for organisation in self.spec.organisations:
                text += toml_table("organisations", organisation, array=True)
            replica.config_file.write_text(text, encoding="utf-8")

    async def start_haproxy(self) -> None:
        """HAProxy first: the subgraphs fetch the gateway's keys through it."""
        if haproxy_binary() is None:
            raise ClusterError(f"HAProxy not found ({HAPROXY}); apt-get install haproxy")
        self.write_configuration()
        await self.haproxy.start()

    async def start_replicas(self) -> None:
        await asyncio.gather(*(replica.start() for replica in self.replicas))
        await asyncio.gather(*(self.wait_serving(replica) for replica in self.replicas))

    async def wait_serving(self, replica: Replica) -> None:
        """Until the replica is ready and HAProxy sends it requests."""
        await replica.wait_ready(self.session, len(self.spec.organisations))
        await self.haproxy.wait_states(self.session, {replica.name: "UP"})

    async def restart(self, replica: Replica) -> None:
        await replica.start()
        await self.wait_serving(replica)

    async def stop(self) -> None:
        await asyncio.gather(*(replica.stop() for replica in self.replicas))
        await self.haproxy.stop()
        await self.session.close()

    def logs(self) -> str:
        return "\n".join(f"--- {r.name}\n{r.tail()}" for r in self.replicas)
