"""B3, national: one search screen (`first: 20`, pages 1 and 2) over hundreds of organisations.

`--organisations N` organisations (default 300) with 120 profiles each are served by one process on
one port, by path (`/org/<id>/graphql`, `bench.subgraphs`), memoised; codelijsten on its own port.
Our gateway (pinned to the gateway core, source timeout 60 s as in issue 11, so that every source
answers) is started once to warm the stand-ins, then again and asked the search until one answer
is complete: that is its start-up time.
Then its idle CPU over 10 s, then closed loops of page 1 and of page 2 (`after:` the endCursor of
one page 1) at 4 and 20 concurrent searches, driven from this process on the other core. Per
window: searches, incomplete ones (errors, a source not OK, fewer than 20 edges), gateway CPU per
search (from /proc), p50/p95, subgraph calls and bytes per search (counted by the stand-ins), peak
RSS. Beside it, the limit (`bench.national_limit`): a plain client doing query-then-fetch itself.
Writes `results/b3/latest.{md,json}`.
"""

from __future__ import annotations

import asyncio
import json
import os
import sys
import time
import urllib.request
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

import aiohttp
import orjson

from . import identity
from .config import ROOT, BenchConfig, our_gateway_headers
from .data import Organisation, write_organisations
from .limit import percentile
from .memo import org_path
from .procs import BenchError, Proc, cpu_seconds, free_port, peak_rss_mb, start
from .scenario import FIELDS, SELECTIEVRAAG
from .subgraphs import READY, ServerSpec, SubgraphSpec
from .targets import ours_config

PAGE = 20
CONCURRENCIES = (4, 20)
SOURCE_TIMEOUT = 60.0
STARTUP_LIMIT = 300.0  # seconds before start-up counts as failed
IDLE_SECONDS = 10.0
CODELIJSTEN_OIN = "99100000000000000099"

QUERY = (
    "query Zoekscherm($selectievraag: WerkzoekendeSelectievraag!, $after: String) {\n"
    f"  werkzoekendeProfielMatches(selectievraag: $selectievraag, first: {PAGE}, after: $after) {{\n"
    "    totalCount pageInfo { endCursor hasNextPage } bronnen { bronID status }\n"
    f"    edges {{ node {{ vumID {FIELDS}\n    }} }}\n"
    "  }\n}"
)
KEYS_QUERY = (
    "query VumKeys($selectievraag: WerkzoekendeSelectievraag!) { bronWerkzoekendeProfielMatches("
    "selectievraag: $selectievraag, maximumAantal: 100) { maximumAantalResultatenBereikt matches "
    "{ idWerkzoekende toestemmingen } } }"
)
ENTITIES_QUERY = (
    "query VumEntities($representations: [_Any!]!) { _entities(representations: $representations) "
    "{ ... on Beroep { omschrijvingBeroepsnaam } } }"
)


@dataclass
class Window:
    """One measured closed loop: who, which page, how many at once, and what it cost."""

    target: str  # "ours" or "limit"
    page: int
    concurrency: int
    searches: int
    incomplete: int
    seconds: float
    cpu_ms_per_search: float
    p50_ms: float
    p95_ms: float
    calls_per_search: float
    kib_per_search: float
    peak_rss_mb: float


@dataclass
class NationalRun:
    organisations: int
    load_average: float  # of the machine, 1 minute, when B3 started
    startup_seconds: float | None = None
    idle_cpu_percent: float | None = None
    windows: list[Window] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)

    def window(self, target: str, page: int, concurrency: int) -> Window | None:
        return next((w for w in self.windows if (w.target, w.page, w.concurrency) == (target, page, concurrency)), None)


@dataclass
class Stand:
    """The organisations by path on one port, codelijsten on another."""

    proc: Proc
    organisations: list[Organisation]
    port: int
    codelijsten_port: int
    jwks_port: int

    def url(self, organisation: str) -> str:
        return f"http://127.0.0.1:{self.port}{org_path(organisation)}"

    @property
    def codelijsten_url(self) -> str:
        return f"http://127.0.0.1:{self.codelijsten_port}/graphql"

    def traffic(self) -> tuple[int, int]:
        """Requests and response bytes served so far, by every stand-in."""
        requests = sent = 0
        for port in (self.port, self.codelijsten_port):
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/memo-stats", timeout=10) as response:
                stats = json.loads(response.read())
            requests, sent = requests + stats["requests"], sent + stats["bytes"]
        return requests, sent


def start_stand(config: BenchConfig, organisations: list[Organisation], freeze_gc: bool = False) -> Stand:
    port, codelijsten_port, jwks_port = free_port(), free_port(), free_port()
    specs = [SubgraphSpec("codelijsten", codelijsten_port, None, CODELIJSTEN_OIN)]
    specs += [SubgraphSpec(o.id, port, str(o.records), o.oin, by_path=True) for o in organisations]
    identity.create(config.work)
    spec_file = config.work / "b3-subgraphs.json"
    server = ServerSpec(str(config.postcodes), str(config.beroepen), specs, str(config.work), jwks_port, freeze_gc)
    server.write(spec_file)
    command = [sys.executable, "-m", "bench.subgraphs", str(spec_file)]
    proc = start(
        "b3 subgraphs", command, config.other_core, config.work / "b3-subgraphs.log", cwd=ROOT, stdout_pipe=True
    )
    assert proc.popen.stdout is not None
    if proc.popen.stdout.readline().decode().strip() != READY:
        raise BenchError(f"the B3 subgraphs did not start:\n{proc.tail()}")
    return Stand(proc, organisations, port, codelijsten_port, jwks_port)


def gateway_config(config: BenchConfig, stand: Stand, port: int) -> Path:
    organisations = [(o, stand.url(o.id)) for o in stand.organisations]
    text = ours_config(config, port, organisations, stand.codelijsten_url, stand.jwks_port, "b3", SOURCE_TIMEOUT)
    text = text.replace("[gateway.rate_limit]", "[gateway.limits]\nmax_subgraph_calls = 10000\n\n[gateway.rate_limit]")
    if "engine =" not in text:  # query-then-fetch and the kept key lists are the federation engine's
        text = text.replace("[gateway]\n", '[gateway]\nengine = "federation"\n', 1)
    path = config.work / "gateway-b3.toml"
    path.write_text(text, encoding="utf-8")
    return path


# -- driving our gateway --------------------------------------------------------------------


def complete(payload: Any, organisations: int) -> bool:
    """A whole page: no errors, every source OK, 20 records of all organisations' 100."""
    if not isinstance(payload, dict) or payload.get("errors"):
        return False
    result = (payload.get("data") or {}).get("werkzoekendeProfielMatches") or {}
    statuses = [b["status"] for b in result.get("bronnen", ())]
    return (
        len(statuses) == organisations
        and set(statuses) == {"OK"}
        and len(result.get("edges", ())) == PAGE
        and result.get("totalCount") == 100 * organisations
    )


async def ask(session: aiohttp.ClientSession, url: str, after: str | None) -> Any:
    body = orjson.dumps({"query": QUERY, "variables": {"selectievraag": SELECTIEVRAAG, "after": after}})
    async with session.post(url, data=body) as response:
        return orjson.loads(await response.read())


async def wait_complete(
    url: str, organisations: int, proc: Proc, headers: dict[str, str] | None = None
) -> tuple[float, Any]:
    """Seconds from now until a search is answered completely, and that answer; `headers`: the
    caller's (default `our_gateway_headers()`, the work directory's token)."""
    started = time.monotonic()
    async with aiohttp.ClientSession(headers=headers or our_gateway_headers()) as session:
        while time.monotonic() - started < STARTUP_LIMIT:
            if not proc.alive():
                raise BenchError(f"our gateway stopped during start:\n{proc.tail()}")
            try:
                payload = await ask(session, url, None)
                if complete(payload, organisations):
                    return time.monotonic() - started, payload
            except (aiohttp.ClientError, orjson.JSONDecodeError):
                pass
            await asyncio.sleep(0.1)
    raise BenchError(f"no complete search within {STARTUP_LIMIT:.0f} s:\n{proc.tail()}")


async def closed_loop(
    url: str, after: str | None, concurrency: int, seconds: float, organisations: int
) -> tuple[list[float], int]:
    """Latencies (ms) and incomplete answers of `concurrency` searchers for `seconds`."""
    latencies: list[float] = []
    incomplete = 0
    deadline = time.perf_counter() + seconds
    connector = aiohttp.TCPConnector(limit=concurrency)
    timeout = aiohttp.ClientTimeout(total=SOURCE_TIMEOUT * 2)
    async with aiohttp.ClientSession(connector=connector, headers=our_gateway_headers(), timeout=timeout) as session:

        async def searcher() -> None:
            nonlocal incomplete
            while time.perf_counter() < deadline:
                started = time.perf_counter()
                try:
                    ok = complete(await ask(session, url, after), organisations)
                except (aiohttp.ClientError, TimeoutError, orjson.JSONDecodeError):
                    ok = False
                latencies.append((time.perf_counter() - started) * 1000)
                incomplete += not ok

        await asyncio.gather(*(searcher() for _ in range(concurrency)))
    return latencies, incomplete


def measure_ours(
    config: BenchConfig, stand: Stand, proc: Proc, url: str, page: int, after: str | None, concurrency: int
) -> Window:
    count = len(stand.organisations)
    asyncio.run(closed_loop(url, after, concurrency, config.warmup, count))
    cpu, (calls, sent) = cpu_seconds(proc.pid), stand.traffic()
    latencies, incomplete = asyncio.run(closed_loop(url, after, concurrency, config.duration, count))
    cpu, (calls_after, sent_after) = cpu_seconds(proc.pid) - cpu, stand.traffic()
    searches = max(len(latencies), 1)
    return Window(
        "ours", page, concurrency, len(latencies), incomplete, config.duration, 1000 * cpu / searches,
        percentile(latencies, 50) or 0.0, percentile(latencies, 95) or 0.0,
        (calls_after - calls) / searches, (sent_after - sent) / searches / 1024, peak_rss_mb(proc.pid),
    )  # fmt: skip


# -- the limit ------------------------------------------------------------------------------


def record_fields() -> str:
    """One record's selection as our gateway asks its sources (from its own planner)."""
    from .run import gateway_operations

    operation, _ = gateway_operations(PAGE)
    selection = operation[operation.index("matches {") + len("matches {") : operation.rindex("} } }")]
    return selection.strip()


def measure_limit(config: BenchConfig, stand: Stand, concurrency: int) -> Window:
    spec = {
        "sources": {o.id: stand.url(o.id) for o in stand.organisations},
        "keys_body": json.dumps({"query": KEYS_QUERY, "variables": {"selectievraag": SELECTIEVRAAG}}),
        "record_fields": record_fields(),
        "entities_url": stand.codelijsten_url,
        "entities_query": ENTITIES_QUERY,
        "first": PAGE,
        "concurrency": concurrency,
        "warmup": config.warmup,
        "duration": config.duration,
    }
    spec_file = config.work / "b3-limit.json"
    spec_file.write_text(json.dumps(spec), encoding="utf-8")
    command = [sys.executable, "-m", "bench.national_limit", str(spec_file)]
    proc = start("b3 limit", command, config.gateway_core, config.work / "b3-limit.log", cwd=ROOT, stdout_pipe=True)
    assert proc.popen.stdout is not None
    line = proc.popen.stdout.readline()
    proc.popen.wait(60)
    if not line:
        raise BenchError(f"the B3 limit client failed:\n{proc.tail()}")
    result = json.loads(line)  # its own counts: the stand-ins' would include its warm-up
    searches = max(result["searches"], 1)
    latencies = result["latencies"]
    return Window(
        "limit", 1, concurrency, result["searches"], result["errors"], result["seconds"],
        1000 * result["cpu_seconds"] / searches, percentile(latencies, 50) or 0.0, percentile(latencies, 95) or 0.0,
        result["calls"] / searches, result["received"] / searches / 1024, result["peak_rss_mb"],
    )  # fmt: skip


# -- the scenario ---------------------------------------------------------------------------


def run_b3(config: BenchConfig, log: Callable[[str], None]) -> NationalRun:
    count = config.b3_organisations
    run = NationalRun(count, os.getloadavg()[0])
    work = config.work / "b3"
    work.mkdir(parents=True, exist_ok=True)
    log(f"B3: generating {count} organisations × {config.profiles_per_organisation} profiles")
    organisations = write_organisations(
        work, config.seed, count, config.profiles_per_organisation, config.postcodes, config.beroepen
    )
    os.sched_setaffinity(0, {config.other_core})  # the driver stays off the gateway's core
    stand = start_stand(config, organisations, freeze_gc=True)  # no pauses of seconds in the stand-ins
    try:
        _measure_gateway(config, stand, run, log)
        for concurrency in CONCURRENCIES:
            log(f"B3: the limit (query-then-fetch client) at {concurrency} concurrent")
            run.windows.append(measure_limit(config, stand, concurrency))
            log_window(log, run.windows[-1])
    finally:
        stand.proc.stop()
    return run


def start_gateway(
    config: BenchConfig,
    config_file: Path,
    tree: Path = ROOT,
    prefix: Sequence[str] = (sys.executable,),
    log: Path | None = None,
) -> Proc:
    """Our gateway of `tree` (this checkout, or a snapshot of another commit), pinned to its core;
    `prefix`: the command before `-m gateway.cli` (the interpreter, its flags, a profiler)."""
    for stale in config.work.glob("verwerkingen-b3.sqlite*"):
        stale.unlink()
    command = [*prefix, "-m", "gateway.cli", "--log-level", "warning", "serve", "--config", str(config_file)]
    return start("vum-gateway (b3)", command, config.gateway_core, log or config.work / "gateway-b3.log", cwd=tree)


def _measure_gateway(config: BenchConfig, stand: Stand, run: NationalRun, log: Callable[[str], None]) -> None:
    port = free_port()
    config_file = gateway_config(config, stand, port)
    url, count = f"http://127.0.0.1:{port}/graphql", len(stand.organisations)
    # A first start warms the stand-ins: each organisation's first SDL and search are answered by its
    # real SDK app (tens of ms each, 300 of them, on the other core), every later one by its memo.
    log(f"B3: warming the stand-ins with a first start of our gateway ({count} organisations)")
    proc = start_gateway(config, config_file)
    try:
        cold, _ = asyncio.run(wait_complete(url, count, proc))
    finally:
        proc.stop()
    run.notes.append(
        f"Start-up with cold stand-ins (each organisation's first SDL and search answered by its SDK app, "
        f"not its memo): {cold:.1f} s; the figure above is a second start, stand-ins warm."
    )
    log(f"B3: starting our gateway again (cold stand-ins took {cold:.1f} s)")
    proc = start_gateway(config, config_file)
    try:
        run.startup_seconds, first = asyncio.run(wait_complete(url, count, proc))
        log(f"B3: first complete search {run.startup_seconds:.1f} s after start")
        time.sleep(2.0)  # the first search's stragglers
        cpu = cpu_seconds(proc.pid)
        time.sleep(IDLE_SECONDS)
        run.idle_cpu_percent = 100 * (cpu_seconds(proc.pid) - cpu) / IDLE_SECONDS
        log(f"B3: idle CPU {run.idle_cpu_percent:.1f} % of a core")
        after = first["data"]["werkzoekendeProfielMatches"]["pageInfo"]["endCursor"]
        for concurrency in CONCURRENCIES:
            for page, cursor in ((1, None), (2, after)):
                log(f"B3: ours, page {page}, {concurrency} concurrent")
                run.windows.append(measure_ours(config, stand, proc, url, page, cursor, concurrency))
                log_window(log, run.windows[-1])
    finally:
        proc.stop()


def log_window(log: Callable[[str], None], w: Window) -> None:
    log(
        f"  {w.target} page {w.page} ×{w.concurrency}: {w.searches} searches ({w.incomplete} incomplete), "
        f"{w.cpu_ms_per_search:.1f} CPU ms/search, p50 {w.p50_ms:.0f} ms, p95 {w.p95_ms:.0f} ms, "
        f"{w.calls_per_search:.0f} calls and {w.kib_per_search:.0f} KiB per search, peak RSS {w.peak_rss_mb:.0f} MiB"
    )


# -- the report -----------------------------------------------------------------------------


def targets(run: NationalRun) -> list[tuple[str, str, str, bool | None]]:
    """(what, figure, target, met) for each of issue 11's B3 targets."""
    rows: list[tuple[str, str, str, bool | None]] = []
    for c in CONCURRENCIES:
        ours, limit = run.window("ours", 1, c), run.window("limit", 1, c)
        if ours and limit:
            ratio = ours.cpu_ms_per_search / limit.cpu_ms_per_search
            figure = f"{ours.cpu_ms_per_search:.0f} ÷ {limit.cpu_ms_per_search:.1f} ms = {ratio:.1f}×"
            rows.append((f"CPU per search, ours ÷ limit ({c} concurrent)", figure, "≤ 1.5×", ratio <= 1.5))
        page2 = run.window("ours", 2, c)
        if ours and page2:
            share = page2.cpu_ms_per_search / ours.cpu_ms_per_search
            rows.append((f"page 2 CPU ÷ page 1 ({c} concurrent)", f"{100 * share:.0f} %", "≤ 10 %", share <= 0.1))
    incomplete = sum(w.incomplete for w in run.windows if w.target == "ours")
    rows.append(("incomplete searches (sources answer in time)", str(incomplete), "0", incomplete == 0))
    if run.idle_cpu_percent is not None:
        idle = run.idle_cpu_percent
        rows.append(("idle CPU, share of a core over 10 s", f"{idle:.1f} %", "< 2 %", idle < 2))
    if run.startup_seconds is not None:
        startup = run.startup_seconds
        rows.append(("start-up: process start to first complete search", f"{startup:.1f} s", "< 3 s", startup < 3))
    return rows


def write_b3(run: NationalRun, directory: Path) -> Path:
    directory.mkdir(parents=True, exist_ok=True)
    (directory / "latest.json").write_text(json.dumps(asdict(run), indent=1), encoding="utf-8")
    lines = [
        f"# B3, national: {run.organisations} organisations × 100 matches, `first: {PAGE}`",
        "",
        f"Machine: {os.cpu_count()} cores, 1-minute load average {run.load_average:.1f} when B3 started "
        "(shared with other work). Gateway pinned to core 0; stand-ins (one process, by path, memoised) "
        f"and the driver on core 1. Source timeout {SOURCE_TIMEOUT:.0f} s.",
        "",
        "| who | page | concurrent | searches | incomplete | CPU ms / search | p50 ms | p95 ms | calls / search "
        "| KiB / search | peak RSS MiB |",
        "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for w in run.windows:
        lines.append(
            f"| {w.target} | {w.page} | {w.concurrency} | {w.searches} | {w.incomplete} | {w.cpu_ms_per_search:.1f} "
            f"| {w.p50_ms:.0f} | {w.p95_ms:.0f} | {w.calls_per_search:.1f} | {w.kib_per_search:,.0f} "
            f"| {w.peak_rss_mb:.0f} |"
        )
    lines += ["", "| target (issue 11) | figure | target | met |", "|---|---:|---:|---|"]
    for what, figure, target, met in targets(run):
        lines.append(f"| {what} | {figure} | {target} | {'yes' if met else 'no (missed)'} |")
    lines += [
        "",
        "Calls per search include the gateway's periodic schema checks that fell in the window "
        f"({run.organisations} sources, at most 5 checks a second, spread); bytes are response bodies (ours: with HTTP "
        "heads). Quick runs measure few searches per window at hundreds of organisations: read the CPU "
        "figures as ±15 %.",
        *run.notes,
    ]
    report = directory / "latest.md"
    report.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return report
