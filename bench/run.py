"""The whole benchmark: data, subgraphs, each gateway in turn on the same subgraphs, the limit, profiles."""

from __future__ import annotations

import asyncio
import json
import sys
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from statistics import geometric_mean, median
from typing import Any

import orjson

from gateway.plan.nodes import Search
from gateway.plan.planner import Planner
from gateway.public_schema import build_public_schema
from vumschema import load_contract

from . import environment, identity
from .config import (
    APOLLO,
    COMPARED,
    HIVE,
    LIMIT,
    NODE_DIR,
    NODE_GATEWAY_HEADERS,
    OURS,
    ROOT,
    BenchConfig,
    our_gateway_headers,
)
from .data import Organisation, write_organisations
from .guild import GuildRun, run_b0
from .measure import Measurement, loadgen_spec, node_driver, run_driver
from .national import NationalRun, run_b3
from .procs import BenchError, Proc, free_port, start, wait_http
from .profiling import Profile, start_profiler, summarise
from .replicas import ReplicaRun, run_replicas
from .scenario import (
    PER_SOURCE,
    SELECTIEVRAAG,
    SUBGRAPH_FIELDS,
    Expected,
    WrongAnswer,
    body,
    check_limit,
    check_ours,
    check_source_answer,
    ours_query,
    source_query,
)
from .subgraphs import READY, ServerSpec, SubgraphSpec
from .targets import Target, first_answer, post, start_apollo, start_hive, start_ours

CODELIJSTEN = "codelijsten"
CODELIJSTEN_OIN = "99100000000000000099"
B2_MIN_WINDOW = 15.0  # seconds: at concurrency 50 one B2 request of ours takes seconds; a shorter window sees none
RE_WARMUP = 2.0  # seconds of load before a later round of B1: new connections, caches and JIT already warm
MIN_BYTES_SHARE = 0.9  # an answer shorter than this share of the checked answer counts as a mismatch


def log(message: str) -> None:
    print(f"[{time.strftime('%H:%M:%S')}] {message}", flush=True)


@dataclass
class Stack:
    """The running subgraph process and where each subgraph listens."""

    proc: Proc
    organisations: list[Organisation]
    ports: dict[str, int]
    jwks_port: int  # the gateway's and the caller issuer's keys

    def url(self, name: str) -> str:
        return f"http://127.0.0.1:{self.ports[name]}/graphql"


@dataclass
class Results:
    measurements: list[Measurement] = field(default_factory=list)
    profiles: list[Profile] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    replicas: list[ReplicaRun] = field(default_factory=list)  # scenario R
    guild: list[GuildRun] = field(default_factory=list)  # B0
    national: NationalRun | None = None  # B3


def start_subgraphs(config: BenchConfig, organisations: Sequence[Organisation]) -> Stack:
    ports = {CODELIJSTEN: free_port(), **{o.id: free_port() for o in organisations}}
    specs = [SubgraphSpec(CODELIJSTEN, ports[CODELIJSTEN], None, CODELIJSTEN_OIN)]
    specs += [SubgraphSpec(o.id, ports[o.id], str(o.records), o.oin) for o in organisations]
    spec_file = config.work / "subgraphs.json"
    identity.create(config.work)
    jwks_port = free_port()
    ServerSpec(str(config.postcodes), str(config.beroepen), specs, str(config.work), jwks_port).write(spec_file)
    command = [sys.executable, "-m", "bench.subgraphs", str(spec_file)]
    proc = start("subgraphs", command, config.other_core, config.work / "subgraphs.log", cwd=ROOT, stdout_pipe=True)
    assert proc.popen.stdout is not None
    line = proc.popen.stdout.readline().decode().strip()
    if line != READY:
        raise BenchError(f"the subgraphs did not start:\n{proc.tail()}")
    wait_http(f"http://127.0.0.1:{ports[CODELIJSTEN]}/health", proc)
    return Stack(proc, list(organisations), ports, jwks_port)


def reference(config: BenchConfig, stack: Stack) -> Expected:
    """Every organisation's answer, asked directly: the data each gateway must return."""
    raw = {}
    for organisation in stack.organisations:
        status, payload = post(stack.url(organisation.id), body(source_query(SUBGRAPH_FIELDS)), NODE_GATEWAY_HEADERS)
        matches = payload["data"]["bronWerkzoekendeProfielMatches"]["matches"] if status == 200 else None
        if not matches or len(matches) != PER_SOURCE:
            raise BenchError(f"{organisation.id} does not return {PER_SOURCE} matches: {str(payload)[:300]}")
        raw[organisation.id] = matches
    return Expected.build(raw, config.beroepen)


def compose_supergraph(config: BenchConfig, stack: Stack, organisation: Organisation) -> Path:
    """Fetch the SDL of one organisation and of codelijsten; compose with @apollo/composition."""
    args = []
    for name in (organisation.id, CODELIJSTEN):
        status, payload = post(stack.url(name), orjson.dumps({"query": "{ _service { sdl } }"}), NODE_GATEWAY_HEADERS)
        if status != 200:
            raise BenchError(f"cannot read the SDL of {name}: {payload}")
        sdl_file = config.work / f"{name}.graphql"
        sdl_file.write_text(payload["data"]["_service"]["sdl"], encoding="utf-8")
        args.append(f"{name}={stack.url(name)}={sdl_file}")
    supergraph = config.work / "supergraph.graphql"
    command = ["node", str(NODE_DIR / "compose.mjs"), str(supergraph), *args]
    composer = start("compose", command, config.other_core, config.work / "compose.log")
    if composer.popen.wait() != 0:
        raise BenchError(f"composition failed:\n{composer.tail()}")
    return supergraph


def measure_target(
    config: BenchConfig,
    scenario: str,
    target: Target,
    request: bytes,
    headers: dict[str, str],
    checked_size: int,
    stack: Stack,
    on_measure_start: Callable[[], None] | None = None,
    duration: float | None = None,
    warmup: float | None = None,
) -> Measurement:
    min_bytes = int(checked_size * MIN_BYTES_SHARE)
    spec = loadgen_spec(
        config, target.url, request, headers, min_bytes, config.warmup if warmup is None else warmup,
        duration or config.duration,
    )  # fmt: skip
    driver = node_driver(config, f"{scenario}-{target.name}", spec, config.other_core)
    return run_driver(driver, scenario, target.name, target.proc.pid, stack.proc.pid, on_measure_start)


# -- subgraphs alone ------------------------------------------------------------------------


def direct_throughput(config: BenchConfig, stack: Stack, expected: Expected) -> list[Measurement]:
    """Each subgraph loaded directly (the driver on the idle gateway core): their headroom."""
    organisation = stack.organisations[0].id
    representations = [{"__typename": "Beroep", "codeBeroepsnaam": key} for key in expected.keys([organisation])]
    entities = "query($representations: [_Any!]!) { _entities(representations: $representations) "
    entities += "{ ... on Beroep { omschrijvingBeroepsnaam } } }"
    requests = {
        organisation: body(source_query(SUBGRAPH_FIELDS)),
        CODELIJSTEN: orjson.dumps({"query": entities, "variables": {"representations": representations}}),
    }
    results = []
    for name, request in requests.items():
        status, payload = post(stack.url(name), request, NODE_GATEWAY_HEADERS)
        if status != 200 or "errors" in payload:
            raise BenchError(f"{name} answers with errors: {str(payload)[:300]}")
        size = len(orjson.dumps(payload))
        spec = loadgen_spec(
            config, stack.url(name), request, NODE_GATEWAY_HEADERS, int(size * MIN_BYTES_SHARE), 1.0, 5.0
        )
        driver = node_driver(config, f"direct-{name}", spec, config.gateway_core)
        label = "organisation subgraph" if name == organisation else "codelijsten subgraph"
        results.append(run_driver(driver, "direct", label, stack.proc.pid, stack.proc.pid))
        log(f"  {label}: {results[-1].rps:,.0f} req/s")
    return results


# -- B1 and B2 ------------------------------------------------------------------------------


def b1(config: BenchConfig, stack: Stack, expected: Expected, results: Results) -> None:
    """Every gateway started and checked, then measured in rounds, taking turns (the order reversed
    every other round): a machine whose speed drifts during the run slows each alike."""
    organisation = stack.organisations[0]
    records = expected.labelled([organisation.id])
    supergraph = compose_supergraph(config, stack, organisation) if set(config.gateways) - {OURS} else None
    running: list[Contender] = []
    trees = compared(config.compare)
    try:
        for name in [*config.gateways, *trees]:
            log(f"B1: {name}" + (f" ({trees[name]})" if name in trees else ""))
            contender = _b1_contender(config, stack, name, organisation, supergraph, trees.get(name))
            running.append(contender)
            try:
                (check_source_answer if name in (APOLLO, HIVE) else check_ours)(contender.answer, records)
            except WrongAnswer as error:
                running.pop().target.proc.stop()
                results.notes.append(f"B1 {name} not measured: its answer is wrong ({error})")
                log(results.notes[-1])
        rounds: dict[str, list[Measurement]] = {c.name: [] for c in running}
        for index in range(config.b1_rounds):
            for contender in running if index % 2 == 0 else reversed(running):
                measured = measure_target(
                    config, "B1", contender.target, contender.request, contender.headers, contender.size, stack,
                    duration=config.duration / config.b1_rounds, warmup=config.warmup if index == 0 else RE_WARMUP,
                )  # fmt: skip
                rounds[contender.name].append(measured)
        for contender in running:
            results.measurements.append(combined(rounds[contender.name]))
            _log_measurement(results.measurements[-1])
        results.notes += round_ratios(rounds)
        ours = next((c for c in running if c.name == OURS), None)
        if ours is not None and config.profile:
            results.profiles.append(profile(config, "B1", ours.target, ours.request, ours.headers, ours.size, stack))
    finally:
        for contender in running:
            contender.target.proc.stop()


@dataclass
class Contender:
    """A gateway of B1, running, with its request and its first answer."""

    name: str
    target: Target
    request: bytes
    headers: dict[str, str]
    answer: Any
    size: int


def compared(trees: Sequence[Path]) -> dict[str, Path]:
    """B1's name of our gateway from each other checkout: "ours@" and its directory's name (numbered
    when two have the same)."""
    names: dict[str, Path] = {}
    for index, tree in enumerate(trees):
        name = f"{COMPARED}{tree.name}"
        names[name if name not in names else f"{name}-{index + 1}"] = tree
    return names


def _b1_contender(
    config: BenchConfig,
    stack: Stack,
    name: str,
    organisation: Organisation,
    supergraph: Path | None,
    tree: Path | None = None,
) -> Contender:
    if name == OURS or tree is not None:
        label = "b1" if tree is None else f"b1-{name.removeprefix(COMPARED)}"
        target = start_ours(
            config,
            label,
            [(organisation, stack.url(organisation.id))],
            stack.url(CODELIJSTEN),
            stack.jwks_port,
            tree or ROOT,
            name,
        )
        request, headers = body(ours_query(PER_SOURCE)), our_gateway_headers()
    else:
        assert supergraph is not None
        target = (start_apollo if name == APOLLO else start_hive)(config, supergraph)
        request, headers = body(source_query()), NODE_GATEWAY_HEADERS
    try:
        answer = first_answer(target, request, headers)
    except BaseException:
        target.proc.stop()
        raise
    return Contender(name, target, request, headers, answer, len(orjson.dumps(answer)))


def combined(rounds: Sequence[Measurement]) -> Measurement:
    """One target's rounds as one measurement: counts and time summed, CPU per request and shares
    weighted, the latency percentiles the median of the rounds' (the rounds' samples are not kept)."""
    first, seconds = rounds[0], sum(m.seconds for m in rounds)
    responses = sum(m.responses for m in rounds)
    per_second, per_response = seconds or 1.0, responses or 1

    def by_time(value: Callable[[Measurement], float]) -> float:
        return sum(value(m) * m.seconds for m in rounds) / per_second

    return Measurement(
        scenario=first.scenario,
        target=first.target,
        rps=responses / per_second,
        p50_ms=median(m.p50_ms for m in rounds),
        p95_ms=median(m.p95_ms for m in rounds),
        p99_ms=median(m.p99_ms for m in rounds),
        responses=responses,
        errors=sum(m.errors for m in rounds),
        non2xx=sum(m.non2xx for m in rounds),
        mismatches=sum(m.mismatches for m in rounds),
        bytes_per_response=sum(m.bytes_per_response * m.responses for m in rounds) / per_response,
        cpu_ms_per_request=sum(m.cpu_ms_per_request * m.responses for m in rounds) / per_response,
        target_cpu_util=by_time(lambda m: m.target_cpu_util),
        peak_rss_mb=max(m.peak_rss_mb for m in rounds),
        subgraph_cpu_util=by_time(lambda m: m.subgraph_cpu_util),
        driver_cpu_util=by_time(lambda m: m.driver_cpu_util),
        seconds=seconds,
    )


def round_ratios(rounds: dict[str, list[Measurement]]) -> list[str]:
    """Ours ÷ each other gateway, round by round: how much the ratio moved within the run. Against
    our gateway from another checkout (`--compare`) also the CPU per request, with the rounds'
    geometric mean: the A/B's figure."""
    ours = rounds.get(OURS, [])
    notes = []
    for name, theirs in rounds.items():
        if name == OURS or not ours or (len(ours) < 2 and not name.startswith(COMPARED)):
            continue
        ratios = ", ".join(f"{o.rps / t.rps:.2f}" if t.rps else "–" for o, t in zip(ours, theirs, strict=True))
        notes.append(f"B1 req/s, ours ÷ {name}, round by round: {ratios}")
        if name.startswith(COMPARED):
            cpu = [o.cpu_ms_per_request / t.cpu_ms_per_request for o, t in zip(ours, theirs, strict=True)]
            listed = ", ".join(f"{ratio:.3f}" for ratio in cpu)
            notes.append(
                f"B1 CPU per request, ours ÷ {name}, round by round: {listed}; geometric mean {geometric_mean(cpu):.3f}"
            )
    return notes


def b2(config: BenchConfig, stack: Stack, expected: Expected, results: Results) -> None:
    ids = [o.id for o in stack.organisations]
    first = PER_SOURCE * len(ids)
    log(f"B2: ours ({len(ids)} organisations)")
    organisations = [(o, stack.url(o.id)) for o in stack.organisations]
    target = start_ours(config, "b2", organisations, stack.url(CODELIJSTEN), stack.jwks_port)
    request, headers = body(ours_query(first)), our_gateway_headers()
    try:
        answer = first_answer(target, request, headers)
        size = len(orjson.dumps(answer))
        check_ours(answer, expected.labelled(ids))
        window = max(config.duration, B2_MIN_WINDOW)
        results.measurements.append(measure_target(config, "B2", target, request, headers, size, stack, None, window))
        _log_measurement(results.measurements[-1])
        if config.profile:
            results.profiles.append(profile(config, "B2", target, request, headers, size, stack))
    except WrongAnswer as error:
        results.notes.append(f"B2 ours not measured: its answer is wrong ({error})")
        log(results.notes[-1])
    finally:
        target.proc.stop()
    log("B2: the limit (direct client)")
    results.measurements.append(limit(config, stack, expected, ids, first))
    _log_measurement(results.measurements[-1])


def replicas(config: BenchConfig, stack: Stack, expected: Expected, results: Results) -> None:
    """R: the B1 workload through HAProxy to 1, then 2 replicas sharing PostgreSQL and Redis."""
    organisation = stack.organisations[0]
    results.replicas = asyncio.run(
        run_replicas(
            config,
            (organisation.id, organisation.oin, stack.url(organisation.id)),
            (CODELIJSTEN_OIN, stack.url(CODELIJSTEN)),
            stack.jwks_port,
            stack.proc.pid,
            expected,
            log,
        )
    )
    for run in results.replicas:
        _log_measurement(run.measurement)


def gateway_operations(first: int) -> tuple[str, str]:
    """The subgraph operations our gateway sends for the benchmark query (from its own planner)."""
    contract = load_contract()
    plan = Planner(contract, build_public_schema(contract), 10, 100_000).plan(ours_query(first), None, identity.CALLER)
    search = plan.roots[0]
    assert isinstance(search, Search) and len(search.flatten) == 1
    return search.fan_out.fetch.operation, search.flatten[0].fetch.operation


def limit(config: BenchConfig, stack: Stack, expected: Expected, ids: list[str], first: int) -> Measurement:
    source_operation, entities_operation = gateway_operations(first)
    representations = [{"__typename": "Beroep", "codeBeroepsnaam": key} for key in expected.keys(ids)]
    sample = config.work / "limit-sample.txt"
    spec = {
        "source_urls": [stack.url(i) for i in ids],
        "source_body": json.dumps({"query": source_operation, "variables": {"selectievraag": SELECTIEVRAAG}}),
        "entities_url": stack.url(CODELIJSTEN),
        "entities_body": json.dumps({"query": entities_operation, "variables": {"representations": representations}}),
        "concurrency": config.concurrency,
        "warmup": config.warmup,
        "duration": config.duration,
        "sample": str(sample),
    }
    spec_file = config.work / "limit.json"
    spec_file.write_text(json.dumps(spec), encoding="utf-8")
    command = [sys.executable, "-m", "bench.limit", str(spec_file)]
    driver = start("limit", command, config.gateway_core, config.work / "limit.log", cwd=ROOT, stdout_pipe=True)
    measurement = run_driver(driver, "B2", LIMIT, driver.pid, stack.proc.pid)
    check_limit(sample.read_bytes(), expected, ids)
    return measurement


def profile(
    config: BenchConfig, scenario: str, target: Target, request: bytes, headers: dict[str, str], size: int, stack: Stack
) -> Profile:
    """A second loaded run of the same gateway process with py-spy attached (its figures are not reported)."""
    raw = config.work / f"profile-{scenario}.txt"
    raw.unlink(missing_ok=True)
    profilers: list[Proc] = []

    def attach() -> None:
        profilers.append(start_profiler(config, target.proc.pid, config.profile_duration, raw))

    log(f"{scenario}: profiling ours for {config.profile_duration:.0f} s")
    measure_target(config, f"{scenario}-profile", target, request, headers, size, stack, attach,
                   duration=config.profile_duration + 2)  # fmt: skip
    for profiler in profilers:
        profiler.popen.wait(60)
    if not raw.exists():
        raise BenchError(f"py-spy wrote no profile:\n{profilers[0].tail() if profilers else ''}")
    return summarise(scenario, raw, config.profile_duration)


def _log_measurement(m: Measurement) -> None:
    log(
        f"  {m.scenario} {m.target}: {m.rps:,.0f} req/s, p50 {m.p50_ms:.1f} ms, p95 {m.p95_ms:.1f} ms, "
        f"p99 {m.p99_ms:.1f} ms, {m.cpu_ms_per_request:.2f} CPU ms/req, peak RSS {m.peak_rss_mb:.0f} MiB, "
        f"errors {m.errors}, non-2xx {m.non2xx}, mismatches {m.mismatches}, subgraph core "
        f"{100 * (m.subgraph_cpu_util + m.driver_cpu_util):.0f} % busy"
    )


def run(config: BenchConfig) -> Results:
    """Set up, run every scenario, and return the figures (the caller writes the report)."""
    environment.ensure_python_packages()
    environment.ensure_node_modules()
    environment.compile_project()
    config.work.mkdir(parents=True, exist_ok=True)
    results = Results()
    if "B0" in config.scenarios:
        results.guild, notes = run_b0(config, log)
        results.notes += notes
    if "B3" in config.scenarios:
        results.national = run_b3(config, log)
    if not {"B1", "B2"} & set(config.scenarios):
        return results
    count = config.b2_organisations if "B2" in config.scenarios else 1
    log(f"generating {count} organisations × {config.profiles_per_organisation} profiles")
    organisations = write_organisations(
        config.work, config.seed, count, config.profiles_per_organisation, config.postcodes, config.beroepen
    )
    stack = start_subgraphs(config, organisations)
    try:
        expected = reference(config, stack)
        log("subgraph direct throughput")
        results.measurements += direct_throughput(config, stack, expected)
        if "B1" in config.scenarios:
            b1(config, stack, expected, results)
        if "B2" in config.scenarios:
            b2(config, stack, expected, results)
        if "R" in config.scenarios:
            replicas(config, stack, expected, results)
    finally:
        stack.proc.stop()
    return results
