"""One measured run: a load driver against a target, with CPU and memory read around the measured window."""

from __future__ import annotations

import json
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

from .config import NODE_DIR, BenchConfig
from .procs import BenchError, CpuSample, Proc, peak_rss_mb, start


@dataclass(frozen=True)
class Measurement:
    """The figures of one run, as reported."""

    scenario: str
    target: str
    rps: float
    p50_ms: float
    p95_ms: float
    p99_ms: float
    responses: int
    errors: int  # connection errors and timeouts
    non2xx: int
    mismatches: int  # answers that failed the body check (GraphQL errors, too short)
    bytes_per_response: float
    cpu_ms_per_request: float  # the target's CPU time per request
    target_cpu_util: float  # share of one core the target used
    peak_rss_mb: float
    subgraph_cpu_util: float  # share of one core the subgraph process used
    driver_cpu_util: float  # share of one core the load generator used
    seconds: float

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


def loadgen_spec(
    config: BenchConfig, url: str, body: bytes, headers: dict[str, str], min_bytes: int, warmup: float, duration: float
) -> dict[str, Any]:
    return {
        "url": url,
        "body": body.decode(),
        "headers": headers,
        "connections": config.concurrency,
        "warmup": warmup,
        "duration": duration,
        "minBytes": min_bytes,
    }


def node_driver(config: BenchConfig, name: str, spec: dict[str, Any], core: int) -> Proc:
    """The autocannon driver on `core`, its JSON events on stdout."""
    spec_file = config.work / f"loadgen-{name}.json"
    spec_file.write_text(json.dumps(spec), encoding="utf-8")
    command = ["node", str(NODE_DIR / "loadgen.mjs"), str(spec_file)]
    return start(f"loadgen ({name})", command, core, config.work / f"loadgen-{name}.log", stdout_pipe=True)


def run_driver(
    driver: Proc,
    scenario: str,
    target_name: str,
    target_pid: int,
    subgraph_pid: int,
    on_measure_start: Callable[[], None] | None = None,
) -> Measurement:
    """Follow the driver's events; sample CPU when measuring starts and ends."""
    pids: Sequence[int] = sorted({target_pid, subgraph_pid, driver.pid})
    before = after = None
    rss = 0.0
    result: dict[str, Any] | None = None
    assert driver.popen.stdout is not None
    for line in driver.popen.stdout:
        event = event_of(line)
        if event.get("event") == "measure-start":
            before = CpuSample.take(pids)
            if on_measure_start:
                on_measure_start()
        elif event.get("event") == "measure-end":
            after = CpuSample.take(pids)
            rss = peak_rss_mb(target_pid)  # now: the limit driver is the target and exits after its result
        elif event.get("event") == "result":
            result = event
    driver.popen.wait()
    if before is None or after is None or result is None:
        raise BenchError(f"the load driver for {target_name} ended without a result:\n{driver.tail()}")
    return _measurement(scenario, target_name, result, (before, after), rss, (target_pid, subgraph_pid, driver.pid))


def event_of(line: bytes) -> dict[str, Any]:
    """One JSON event line of a load driver ({} when the line is not one)."""
    try:
        event = json.loads(line)
    except ValueError:
        return {}
    return event if isinstance(event, dict) else {}


def _measurement(
    scenario: str,
    target: str,
    result: dict[str, Any],
    samples: tuple[CpuSample, CpuSample],
    rss: float,
    pids: tuple[int, int, int],
) -> Measurement:
    before, after = samples
    target_pid, subgraph_pid, driver_pid = pids
    wall = after.wall - before.wall
    target_cpu = after.used_since(before, target_pid)
    responses = int(result["responses"])
    return Measurement(
        scenario=scenario,
        target=target,
        rps=float(result["rps"]),
        p50_ms=float(result["p50"] or 0),
        p95_ms=float(result["p95"] or 0),
        p99_ms=float(result["p99"] or 0),
        responses=responses,
        errors=int(result["errors"]) + int(result["timeouts"]),
        non2xx=int(result["non2xx"]),
        mismatches=int(result["mismatches"]),
        bytes_per_response=float(result["bytesPerResponse"]),
        cpu_ms_per_request=1000 * target_cpu / responses if responses else 0.0,
        target_cpu_util=target_cpu / wall,
        peak_rss_mb=rss,
        subgraph_cpu_util=after.used_since(before, subgraph_pid) / wall if subgraph_pid != target_pid else 0.0,
        driver_cpu_util=after.used_since(before, driver_pid) / wall if driver_pid != target_pid else 0.0,
        seconds=float(result["seconds"]),
    )


def save(measurements: Sequence[Measurement], path: Path) -> None:
    path.write_text(json.dumps([m.as_dict() for m in measurements], indent=1), encoding="utf-8")
