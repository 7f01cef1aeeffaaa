"""Scenario R: throughput of 1 and 2 gateway replicas behind HAProxy, sharing state as in production.

The B1 workload (one organisation, 100 profiles, labels from codelijsten) through HAProxy to
`vum-gateway serve` replicas that share the processing log in PostgreSQL and the detail quota in
Redis (the cluster of the replica test, `tests/cluster.py`). One replica runs on the gateway core;
the second on the other core, which also carries the subgraphs, HAProxy and the load generator:
on a two-core machine that is what there is, so the second replica competes with them, and
PostgreSQL (not pinned) with everything. The report shows how busy each part was.
"""

from __future__ import annotations

import asyncio
import os
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass

import orjson
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

from tests.cluster import Cluster, ClusterError, ClusterSpec

from . import identity
from .config import BenchConfig, our_gateway_headers
from .measure import Measurement, event_of, loadgen_spec, node_driver
from .procs import BenchError, CpuSample, Proc, peak_rss_mb
from .scenario import PER_SOURCE, Expected, WrongAnswer, body, check_ours, ours_query

REPLICA_COUNTS = (1, 2)


@dataclass(frozen=True)
class ReplicaRun:
    """One measured run of scenario R, with where the CPU went."""

    measurement: Measurement
    replicas: int
    replica_cpu_util: list[float]  # share of one core, per replica
    haproxy_cpu_util: float
    machine_cpu_util: float  # all cores together, 0..cores: PostgreSQL and Redis included


@contextmanager
def fresh_database(server_dsn: str) -> Iterator[str]:
    """An empty PostgreSQL database for the run's processing log, dropped afterwards."""
    name = f"vum_bench_{uuid.uuid4().hex[:12]}"
    admin = create_engine(server_dsn, isolation_level="AUTOCOMMIT")
    try:
        with admin.connect() as connection:
            connection.execute(text(f'CREATE DATABASE "{name}"'))
    except Exception as error:
        admin.dispose()
        shown = make_url(server_dsn).render_as_string(hide_password=True)
        raise BenchError(f"scenario R needs PostgreSQL ({shown}): {type(error).__name__}") from None
    try:
        yield make_url(server_dsn).set(database=name).render_as_string(hide_password=False)
    finally:
        with admin.connect() as connection:
            connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


def machine_busy_seconds() -> tuple[float, float]:
    """(busy, total) CPU seconds of the whole machine so far, from /proc/stat."""
    fields = [int(v) for v in open("/proc/stat", encoding="ascii").readline().split()[1:]]  # noqa: SIM115
    idle = fields[3] + fields[4]
    ticks = os.sysconf("SC_CLK_TCK")
    return (sum(fields) - idle) / ticks, sum(fields) / ticks


async def measure_cluster(
    config: BenchConfig, cluster: Cluster, request: bytes, size: int, subgraph_pid: int
) -> ReplicaRun:
    headers = our_gateway_headers()
    spec = loadgen_spec(config, cluster.url, request, headers, int(size * 0.9), config.warmup, config.duration)
    driver = node_driver(config, f"R{len(cluster.replicas)}", spec, config.other_core)
    pids = [r.process.pid for r in cluster.replicas if r.process is not None]
    assert cluster.haproxy.process is not None
    haproxy = cluster.haproxy.process.pid
    return await asyncio.to_thread(_follow, driver, pids, haproxy, subgraph_pid, len(cluster.replicas))


def _follow(driver: Proc, replicas: list[int], haproxy: int, subgraph_pid: int, count: int) -> ReplicaRun:
    """Follow the driver's events; CPU of every part sampled when measuring starts and ends."""
    assert driver.popen.stdout is not None
    pids = [*replicas, haproxy, subgraph_pid, driver.pid]
    before = after = None
    machine_before = machine_after = (0.0, 0.0)
    result = None
    for line in driver.popen.stdout:
        event = event_of(line)
        if event.get("event") == "measure-start":
            before, machine_before = CpuSample.take(pids), machine_busy_seconds()
        elif event.get("event") == "measure-end":
            after, machine_after = CpuSample.take(pids), machine_busy_seconds()
        elif event.get("event") == "result":
            result = event
    driver.popen.wait()
    if before is None or after is None or result is None:
        raise BenchError(f"the load driver for R{count} ended without a result:\n{driver.tail()}")
    wall = after.wall - before.wall
    used = {pid: after.used_since(before, pid) for pid in pids}
    responses = int(result["responses"])
    label = f"{count} replica{'s' if count > 1 else ''}"
    measurement = Measurement(
        scenario="R",
        target=label,
        rps=float(result["rps"]),
        p50_ms=float(result["p50"] or 0),
        p95_ms=float(result["p95"] or 0),
        p99_ms=float(result["p99"] or 0),
        responses=responses,
        errors=int(result["errors"]) + int(result["timeouts"]),
        non2xx=int(result["non2xx"]),
        mismatches=int(result["mismatches"]),
        bytes_per_response=float(result["bytesPerResponse"]),
        cpu_ms_per_request=1000 * sum(used[p] for p in replicas) / responses if responses else 0.0,
        target_cpu_util=sum(used[p] for p in replicas) / wall,
        peak_rss_mb=sum(peak_rss_mb(p) for p in replicas),
        subgraph_cpu_util=used[subgraph_pid] / wall,
        driver_cpu_util=used[driver.pid] / wall,
        seconds=float(result["seconds"]),
    )
    busy = (machine_after[0] - machine_before[0]) / wall
    return ReplicaRun(measurement, count, [used[p] / wall for p in replicas], used[haproxy] / wall, busy)


async def run_replicas(
    config: BenchConfig,
    organisation: tuple[str, str, str],  # id, OIN, subgraph URL
    codelijsten: tuple[str, str],  # OIN, URL
    jwks_port: int,
    subgraph_pid: int,
    expected: Expected,
    log: Callable[[str], None],
) -> list[ReplicaRun]:
    """R1 and R2 in turn, each with a fresh processing log."""
    runs = []
    request = body(ours_query(PER_SOURCE))
    organisations = [
        {
            "id": organisation[0],
            "name": organisation[0],
            "oin": organisation[1],
            "kind": "gemeente",
            "url": organisation[2],
        },
        {
            "id": "codelijsten",
            "name": "Codelijsten",
            "oin": codelijsten[0],
            "kind": "codelijsten",
            "url": codelijsten[1],
        },
    ]
    issuer = {
        "issuer": identity.ISSUER,
        "audience": identity.AUDIENCE,
        "jwks_url": f"http://127.0.0.1:{jwks_port}/{identity.ISSUER_JWKS}",
    }
    for count in REPLICA_COUNTS:
        with fresh_database(config.postgres) as dsn:
            spec = ClusterSpec(
                config.work / f"replicas-{count}",
                organisations,
                issuer,
                processing_log_dsn=dsn,
                quota_redis_url=config.redis,
                replicas=count,
                cores=[config.gateway_core, config.other_core][:count],
                haproxy_core=config.other_core,
                signing_key_file=config.work / identity.GATEWAY_KEY,
                rate_limit={"enabled": False},  # one load generator is one caller (see targets.ours_config)
            )
            cluster = Cluster(spec)
            try:
                log(f"R: {count} replica{'s' if count > 1 else ''} behind HAProxy")
                await cluster.start_haproxy()
                await cluster.start_replicas()
                answer = await _first_answer(cluster, request)
                check_ours(orjson.loads(answer), expected.labelled([organisation[0]]))
                runs.append(await measure_cluster(config, cluster, request, len(answer), subgraph_pid))
            except ClusterError as error:
                raise BenchError(f"{error}\n{cluster.logs()}") from None
            except WrongAnswer as error:
                raise BenchError(f"R{count}: the answer through HAProxy is wrong ({error})") from None
            finally:
                await cluster.stop()
    return runs


async def _first_answer(cluster: Cluster, request: bytes) -> bytes:
    async with cluster.session.post(cluster.url, data=request, headers=our_gateway_headers()) as response:
        answer = await response.read()
        if response.status != 200:
            raise BenchError(f"HAProxy → gateway answered {response.status}: {answer[:300]!r}")
        return answer


def markdown(runs: list[ReplicaRun], cores: int) -> str:
    """The section of the report on scenario R."""
    lines = [
        "| replicas | req/s | p50 ms | p95 ms | p99 ms | errors / non-2xx / wrong body | CPU ms per request "
        "| each replica busy | HAProxy busy | subgraphs + load generator | whole machine busy |",
        "|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for run in runs:
        m = run.measurement
        each = " + ".join(f"{100 * u:.0f} %" for u in run.replica_cpu_util)
        lines.append(
            f"| {run.replicas} | {m.rps:,.0f} | {m.p50_ms:.1f} | {m.p95_ms:.1f} | {m.p99_ms:.1f} "
            f"| {m.errors} / {m.non2xx} / {m.mismatches} | {m.cpu_ms_per_request:.2f} | {each} "
            f"| {100 * run.haproxy_cpu_util:.0f} % | {100 * (m.subgraph_cpu_util + m.driver_cpu_util):.0f} % "
            f"| {100 * run.machine_cpu_util / cores:.0f} % of {cores} cores |"
        )
    if len(runs) == 2 and runs[0].measurement.rps:
        ratio = runs[1].measurement.rps / runs[0].measurement.rps
        lines += ["", f"2 replicas ÷ 1 replica: **{ratio:.2f}×** requests per second."]
    return "\n".join(lines)
