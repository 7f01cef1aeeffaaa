"""B0: The Guild's gateway benchmark (`../shared/federation/guild-bench`), side by side in one run.

The kit starts its four Node subgraphs and one gateway at a time, checks the gateway's answer to
the benchmark query against the expected 85 KiB answer, runs autocannon and prints one `BENCH`
line. We run it for `@apollo/gateway`, `@graphql-hive/gateway` with and without its inbound
in-flight deduplication, and our federation runtime (`python -m gateway.federation serve`) with
subgraph-request deduplication (its default), with inbound deduplication too, and with none.
The kit is copied into the work directory first, so the shared copy is never written to.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
import time
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

from .config import APOLLO, HIVE, OURS, ROOT, SHARED, BenchConfig
from .procs import BenchError

KIT = Path(os.environ.get("VUM_GUILD_BENCH") or SHARED / "federation" / "guild-bench")
BENCH_LINE = re.compile(r"^BENCH (?P<label>[\w.-]+): (?P<fields>.*)$")
OUR_COMMAND = (
    f'exec env PYTHONPATH="{ROOT}" "{sys.executable}" -m gateway.federation serve '
    '--supergraph "$SUPERGRAPH" --host 127.0.0.1 --port 4000'
)


@dataclass(frozen=True)
class Variant:
    label: str  # the kit's LABEL, and ours in the report
    gateway: str  # OURS, APOLLO or HIVE (what `--gateways` selects)
    title: str
    argument: str  # a gateway folder of the kit, or a command string
    env: tuple[tuple[str, str], ...] = ()


VARIANTS = (
    Variant("apollo-gateway", APOLLO, "@apollo/gateway", "gateways/apollo-gateway"),
    Variant("hive-gateway", HIVE, "@graphql-hive/gateway, inbound in-flight dedup", "gateways/hive-gateway"),
    Variant(
        "hive-gateway-nodedup", HIVE, "@graphql-hive/gateway, no dedup", "gateways/hive-gateway", (("HIVE_DEDUP", "0"),)
    ),
    Variant("ours", OURS, "ours, subgraph-request dedup (default)", OUR_COMMAND),
    Variant("ours-inbound-dedup", OURS, "ours, + inbound in-flight dedup", OUR_COMMAND + " --deduplicate-inbound"),
    Variant("ours-no-dedup", OURS, "ours, no dedup", OUR_COMMAND + " --no-deduplicate-subgraph"),
)


@dataclass(frozen=True)
class GuildRun:
    """One `BENCH` line of the kit."""

    label: str
    title: str
    rps: float
    p50_ms: float
    p95_ms: float
    p99_ms: float
    ok: int
    non2xx: int
    errors: int
    check_failures: int
    gateway_cpu: float  # share of one core
    req_per_gw_cpu_s: float
    subgraphs_cpu: float
    subgraph_calls_per_req: float
    loadgen_cpu: float
    loadavg_after: float

    @property
    def cpu_ms_per_request(self) -> float:
        return 1000.0 / self.req_per_gw_cpu_s if self.req_per_gw_cpu_s else float("nan")

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


def parse_bench_line(line: str, title: str) -> GuildRun:
    """A `BENCH label: key=value …` line as figures (ms and % suffixes dropped, % as a share)."""
    match = BENCH_LINE.match(line.strip())
    if match is None:
        raise BenchError(f"not a BENCH line: {line!r}")
    values: dict[str, str] = dict(item.split("=", 1) for item in match["fields"].split())

    def number(key: str) -> float:
        raw = values.get(key)
        if raw is None:
            raise BenchError(f"the BENCH line has no {key}: {line!r}")
        share = raw.endswith("%")
        value = float(raw.removesuffix("ms").removesuffix("%"))
        return value / 100 if share else value

    return GuildRun(
        label=match["label"],
        title=title,
        rps=number("rps"),
        p50_ms=number("p50"),
        p95_ms=number("p95"),
        p99_ms=number("p99"),
        ok=int(number("ok")),
        non2xx=int(number("non2xx")),
        errors=int(number("errors")),
        check_failures=int(number("check_failures")),
        gateway_cpu=number("gateway_cpu"),
        req_per_gw_cpu_s=number("req_per_gw_cpu_s"),
        subgraphs_cpu=number("subgraphs_cpu"),
        subgraph_calls_per_req=number("subgraph_calls_per_req"),
        loadgen_cpu=number("loadgen_cpu"),
        loadavg_after=number("loadavg_after"),
    )


def prepare_kit(work: Path) -> Path:
    """A writable copy of the kit (its script installs Node 22 and its packages into it)."""
    if not (KIT / "run-bench.sh").is_file():
        raise BenchError(f"the guild benchmark kit is not at {KIT} (set VUM_GUILD_BENCH)")
    copy = work / "guild-bench"
    if not (copy / "run-bench.sh").is_file():
        shutil.copytree(KIT, copy, ignore=shutil.ignore_patterns("node_modules", ".node22", "results"))
    return copy


def run_b0(config: BenchConfig, log: Any) -> tuple[list[GuildRun], list[str]]:
    """Every selected variant once, in the order of `VARIANTS`; notes for what could not be measured."""
    kit = prepare_kit(config.work)
    runs: list[GuildRun] = []
    notes: list[str] = []
    for variant in VARIANTS:
        if variant.gateway not in config.gateways:
            continue
        log(f"B0: {variant.title}")
        env = {
            **os.environ,
            "LABEL": variant.label,
            "DURATION": f"{config.duration:g}",
            "WARMUP": f"{config.warmup:g}",
            "CONNECTIONS": str(config.concurrency),
            "GATEWAY_CPUS": str(config.gateway_core),
            "LOAD_CPUS": str(config.other_core),
            **dict(variant.env),
        }
        started = time.monotonic()
        completed = subprocess.run(
            ["bash", str(kit / "run-bench.sh"), variant.argument],
            cwd=kit,
            env=env,
            capture_output=True,
            text=True,
            timeout=900,
            check=False,
        )
        (config.work / f"b0-{variant.label}.log").write_text(completed.stdout + completed.stderr, encoding="utf-8")
        lines = [line for line in completed.stdout.splitlines() if line.startswith("BENCH ")]
        if completed.returncode != 0 or not lines:
            tail = (completed.stdout + completed.stderr).strip().splitlines()[-6:]
            notes.append(f"B0 {variant.title} not measured (exit {completed.returncode}): {' / '.join(tail)}")
            log(notes[-1])
            continue
        runs.append(parse_bench_line(lines[-1], variant.title))
        log(f"  {lines[-1]} ({time.monotonic() - started:.0f} s)")
    return runs, notes


def find(runs: list[GuildRun], label: str) -> GuildRun | None:
    return next((r for r in runs if r.label == label), None)
