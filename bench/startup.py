"""`python -m bench.startup`: issue 11's start-up figure (target < 3 s), measured K times.

Starts B3's stand-ins once (`--organisations N`, one port by path, memoised, on the other core),
warms them with one start of our gateway, then starts the gateway `--runs K` times (pinned to its
core, as B3 does) and prints per start the seconds from process start until

- listening: its port accepts connections (imports, configuration, the gateway built),
- serving: `/health` answers (processing log opened, engines started, uvicorn up),
- checked: `/ready` names every source CONFORM (the first round of schema checks),
- complete: the first complete search answer (B3's start-up figure, `wait_complete`),

with the gateway's CPU seconds by then, and their medians. `--tree DIR` (repeatable) starts the
gateway of another checkout (a snapshot: `git archive HEAD | tar -x -C DIR`) with this tree's
stand-ins; with several trees the starts alternate, so a changing load on the machine hits each
alike. `--importtime` adds one start of each tree under `python -X importtime` (not counted) and
prints where its import time goes; `--profile` one under py-spy (its samples until the first
complete search and a little after, idle left out), printed by total and by own time. Works in
`bench/.work/startup/` (its own keys and logs: a B3 run beside it is not disturbed).
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import dataclasses
import gc
import os
import re
import statistics
import sys
import time
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import aiohttp

from . import environment
from .config import ROOT, WORK, BenchConfig, our_gateway_headers
from .data import write_organisations
from .national import Stand, gateway_config, start_gateway, start_stand, wait_complete
from .procs import BenchError, Proc, cpu_seconds, free_port
from .profiling import ProfileRow, summarise

PHASES = ("listening", "serving", "checked", "complete")
CPU = " cpu"  # suffix of a phase's key for the gateway's CPU seconds by then
POLL = 0.02  # seconds between probes of a phase
IMPORT_LINE = re.compile(r"import time:\s+(\d+) \|\s+(\d+) \| (\s*)(\S+)")
PROFILE_RATE = 250  # samples per second while profiling a start


@dataclass
class Tree:
    """A checkout whose gateway is started, and its figures per start."""

    path: Path
    starts: list[dict[str, float]] = field(default_factory=list)

    def median(self, phase: str) -> float:
        return statistics.median(s[phase] for s in self.starts)


def _reached(found: dict[str, float], phase: str, started: float, proc: Proc) -> None:
    found[phase] = time.monotonic() - started
    found[phase + CPU] = cpu_seconds(proc.pid)


async def _phases(port: int, proc: Proc, sources: int) -> dict[str, float]:
    """Seconds from now until each phase but `complete`, probing every `POLL` seconds."""
    started = time.monotonic()
    found: dict[str, float] = {}
    while proc.alive():
        try:
            _, writer = await asyncio.open_connection("127.0.0.1", port)
            writer.close()
            break
        except OSError:
            await asyncio.sleep(POLL)
    _reached(found, "listening", started, proc)
    base = f"http://127.0.0.1:{port}"
    async with aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=30)) as session:
        while "serving" not in found:
            with contextlib.suppress(aiohttp.ClientError):
                async with session.get(f"{base}/health") as response:
                    if response.status == 200:
                        _reached(found, "serving", started, proc)
            await asyncio.sleep(POLL)
        while "checked" not in found:
            with contextlib.suppress(aiohttp.ClientError):
                async with session.get(f"{base}/ready") as response:
                    statuses = (await response.json()).get("sources", {})
                    if len(statuses) == sources and set(statuses.values()) == {"CONFORM"}:
                        _reached(found, "checked", started, proc)
            await asyncio.sleep(2 * POLL)
    return found


async def _measure(config: BenchConfig, stand: Stand, port: int, proc: Proc) -> dict[str, float]:
    """The phases of one start of the gateway at `port` over `stand` (its organisations and codelijsten)."""
    sources, headers = len(stand.organisations) + 1, our_gateway_headers(config.work)
    probe = asyncio.create_task(_phases(port, proc, sources))
    try:
        complete, _ = await wait_complete(f"http://127.0.0.1:{port}/graphql", sources - 1, proc, headers)
        cpu = cpu_seconds(proc.pid)
        found = await asyncio.wait_for(probe, 10.0)  # checked before complete: a search needs every source
    finally:
        probe.cancel()
    return {**found, "complete": complete, "complete" + CPU: cpu}


def start_once(
    config: BenchConfig, stand: Stand, tree: Path, prefix: tuple[str, ...] = (sys.executable,), log: Path | None = None
) -> dict[str, float]:
    """One start of the gateway of `tree`: its phases' seconds; stopped afterwards."""
    port = free_port()
    config_file = gateway_config(config, stand, port)
    proc = start_gateway(config, config_file, tree, prefix, log or config.work / "gateway-startup.log")
    try:
        return asyncio.run(_measure(config, stand, port, proc))
    finally:
        proc.stop()


def profile_once(config: BenchConfig, stand: Stand, tree: Path, seconds: int) -> str:
    """One start under py-spy, which records `seconds` and then stops the gateway; its summary."""
    raw = config.work / "startup-profile.txt"
    raw.unlink(missing_ok=True)
    py_spy = str(Path(sys.executable).parent / "py-spy")
    prefix = [py_spy, "record", "--rate", str(PROFILE_RATE), "--duration", str(seconds), "--format", "raw"]
    prefix += ["--nolineno", "--output", str(raw), "--", sys.executable]
    log = config.work / "gateway-profile.log"
    port = free_port()
    proc = start_gateway(config, gateway_config(config, stand, port), tree, tuple(prefix), log)
    try:
        figures = asyncio.run(_measure(config, stand, port, proc))
        proc.popen.wait(seconds + 30)  # py-spy writes its samples when its time is up
    finally:
        proc.stop()
    if not raw.is_file():
        raise BenchError(f"py-spy wrote no profile:\n{proc.tail()}")
    profile = summarise("start-up", raw, seconds, top=25)
    busy = profile.samples / PROFILE_RATE

    def rows(which: str, ranked: list[ProfileRow]) -> list[str]:
        lines = [f"  by {which} (seconds of {busy:.2f} s sampled):"]
        lines += [f"    {r.total_pct * busy / 100:5.2f} {r.self_pct * busy / 100:5.2f}  {r.function}" for r in ranked]
        return lines

    head = f"{tree}: under py-spy: complete {figures['complete']:.2f} s; columns: total, own seconds"
    return "\n".join([head, *rows("total", profile.by_total), *rows("own time", profile.by_self)])


def importtime_once(config: BenchConfig, stand: Stand, tree: Path) -> str:
    """One start under `python -X importtime`: its figure and where its import time went."""
    log = config.work / f"gateway-importtime-{tree.name}.log"
    log.unlink(missing_ok=True)
    figures = start_once(config, stand, tree, (sys.executable, "-X", "importtime"), log)
    return f"{tree}: under -X importtime: complete {figures['complete']:.2f} s\n{import_breakdown(log)}"


def import_breakdown(log: Path, top: int = 15) -> str:
    """Import time of one start (`-X importtime` lines in its log): the total and the largest
    packages by their modules' own time (a package's dependencies count under their own name)."""
    own: dict[str, int] = defaultdict(int)
    total = 0
    for line in log.read_text(errors="replace").splitlines():
        match = IMPORT_LINE.match(line)
        if not match:
            continue
        self_us, cumulative_us, indent, name = int(match[1]), int(match[2]), match[3], match[4]
        if not indent:
            total += cumulative_us
        parts = name.split(".")
        own[".".join(parts[:2]) if parts[0] == "gateway" else parts[0]] += self_us
    largest = sorted(own.items(), key=lambda item: -item[1])[:top]
    rows = [f"    {name:<32} {us / 1000:7.1f} ms" for name, us in largest]
    return "\n".join([f"  imports: {total / 1000:.0f} ms in all (under -X importtime); by package, own time:", *rows])


def _phase_figures(figure: Callable[[str], float]) -> str:
    return "  ".join(f"{phase} {figure(phase):5.2f} s (CPU {figure(phase + CPU):4.2f})" for phase in PHASES)


def _print_start(tree: Tree, run: int, figures: dict[str, float]) -> None:
    print(f"{tree.path}: start {run}: {_phase_figures(figures.__getitem__)}", flush=True)


def stand_in(config: BenchConfig) -> Stand:
    """B3's stand-ins for `config.b3_organisations`, started on the other core (this driver too)."""
    count = config.b3_organisations
    config.work.mkdir(parents=True, exist_ok=True)
    print(f"generating {count} organisations × {config.profiles_per_organisation} profiles", flush=True)
    data = config.work / "organisations"
    data.mkdir(exist_ok=True)
    organisations = write_organisations(
        data, config.seed, count, config.profiles_per_organisation, config.postcodes, config.beroepen
    )
    os.sched_setaffinity(0, {config.other_core})  # the driver stays off the gateway's core
    gc.collect()
    gc.freeze()  # nor does the driver pause to scan what it has made so far
    return start_stand(config, organisations, freeze_gc=True)  # no stand-in pauses of seconds


def measure(config: BenchConfig, trees: list[Tree], runs: int, importtime: bool, profile: bool) -> None:
    stand = stand_in(config)
    try:
        warm = start_once(config, stand, trees[0].path)
        print(f"warming the stand-ins: first complete search after {warm['complete']:.2f} s", flush=True)
        for run in range(1, runs + 1):
            for tree in trees:
                tree.starts.append(start_once(config, stand, tree.path))
                _print_start(tree, run, tree.starts[-1])
        for tree in trees if importtime else ():
            print(importtime_once(config, stand, tree.path))
        for tree in trees if profile else ():
            print(profile_once(config, stand, tree.path, round(max(tree.median("complete"), 1.0) + 3)))
    finally:
        stand.proc.stop()
    print(f"\nmedians of {runs} starts, {config.b3_organisations} organisations, ", end="")
    print(f"load average {os.getloadavg()[0]:.1f} now:")
    for tree in trees:
        print(f"  {tree.path}: {_phase_figures(tree.median)}")


def parser() -> argparse.ArgumentParser:
    result = argparse.ArgumentParser(prog="python -m bench.startup", description=__doc__.split("\n\n")[0])
    result.add_argument("--organisations", type=int, default=300, help="organisations (default 300)")
    result.add_argument("--runs", type=int, default=5, help="measured starts per tree (default 5)")
    result.add_argument("--tree", type=Path, action="append", help="a checkout to start (repeat; default: this one)")
    result.add_argument("--importtime", action="store_true", help="one more start per tree under -X importtime")
    result.add_argument("--profile", action="store_true", help="one more start per tree under py-spy")
    return result


def main() -> int:
    args = parser().parse_args()
    trees = [Tree(path.resolve()) for path in args.tree or [ROOT]]
    config = dataclasses.replace(BenchConfig(), b3_organisations=args.organisations, work=WORK / "startup")
    try:
        for tree in trees:  # as `python -m bench` does: a start must not measure the compiler
            if tree.path != ROOT:
                environment.compile_tree(tree.path)
        environment.compile_project()
        measure(config, trees, args.runs, args.importtime, args.profile)
    except BenchError as error:
        print(f"bench.startup: {error}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
