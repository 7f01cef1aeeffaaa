"""The results as Markdown (table, targets, machine, versions, profiles), a PNG chart, and raw JSON."""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import asdict, dataclass
from pathlib import Path

from . import environment
from .config import APOLLO, HIVE, LABELS, LIMIT, OURS, BenchConfig
from .guild import GuildRun
from .guild import find as find_run
from .measure import Measurement
from .profiling import Profile
from .replicas import markdown as replicas_table
from .run import Results

MIN_RESPONSES = 100  # fewer completed responses make the percentiles and req/s rough


@dataclass(frozen=True)
class Target:
    name: str
    value: float | None  # None: not measured in this run
    required: str
    met: bool | None


def find(measurements: Sequence[Measurement], scenario: str, target: str) -> Measurement | None:
    return next((m for m in measurements if m.scenario == scenario and m.target == target), None)


def guild_targets(runs: Sequence[GuildRun]) -> list[Target]:
    """B0: ours (subgraph dedup, its default) ≥ 4 × @apollo/gateway; with inbound dedup ≥ Hive's with it."""
    found = list(runs)
    ours, apollo = find_run(found, "ours"), find_run(found, "apollo-gateway")
    ours_inbound, hive = find_run(found, "ours-inbound-dedup"), find_run(found, "hive-gateway")
    ours_none, hive_none = find_run(found, "ours-no-dedup"), find_run(found, "hive-gateway-nodedup")
    rows = []
    for mine, other, name, required in (
        (ours, apollo, "B0 req/s, ours ÷ @apollo/gateway", 4.0),
        (ours_inbound, hive, "B0 req/s, both with inbound in-flight dedup: ours ÷ @graphql-hive/gateway", 1.0),
    ):
        ratio = mine.rps / other.rps if mine and other and other.rps else None
        rows.append(Target(name, ratio, f"≥ {required:g}", None if ratio is None else ratio >= required))
    for mine, other, name in (
        (ours, apollo, "B0 requests per gateway CPU-second, ours ÷ @apollo/gateway"),
        (ours_none, apollo, "B0 req/s, ours without any dedup ÷ @apollo/gateway"),
        (ours_none, hive_none, "B0 req/s, neither with dedup: ours ÷ @graphql-hive/gateway"),
    ):
        if "CPU" in name:
            ratio = (
                mine.req_per_gw_cpu_s / other.req_per_gw_cpu_s if mine and other and other.req_per_gw_cpu_s else None
            )
        else:
            ratio = mine.rps / other.rps if mine and other and other.rps else None
        rows.append(Target(name, ratio, "(reported)", None))
    return rows


def guild_table(runs: Sequence[GuildRun]) -> str:
    if not runs:
        return "_not run_"
    lines = [
        "| gateway | req/s | p50 ms | p95 ms | p99 ms | ok / non-2xx / errors / wrong | gateway CPU busy "
        "| CPU ms per request | subgraph calls per request | subgraphs + load generator |",
        "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for r in runs:
        lines.append(
            f"| {r.title} | {r.rps:,.1f} | {r.p50_ms:.1f} | {r.p95_ms:.1f} | {r.p99_ms:.1f} "
            f"| {r.ok} / {r.non2xx} / {r.errors} / {r.check_failures} | {100 * r.gateway_cpu:.0f} % "
            f"| {r.cpu_ms_per_request:.2f} | {r.subgraph_calls_per_req:.2f} "
            f"| {100 * r.subgraphs_cpu:.0f} % + {100 * r.loadgen_cpu:.0f} % |"
        )
    loads = ", ".join(f"{r.loadavg_after:.1f}" for r in runs)
    lines += ["", f"Load average after each run: {loads}."]
    return "\n".join(lines)


def targets(measurements: Sequence[Measurement]) -> list[Target]:
    ours1, apollo, hive = (find(measurements, "B1", t) for t in (OURS, APOLLO, HIVE))
    ours2, limit = find(measurements, "B2", OURS), find(measurements, "B2", LIMIT)
    rows = []
    for other, label, required in ((apollo, "@apollo/gateway", 4), (hive, "@graphql-hive/gateway", 1.2)):
        ratio = ours1.rps / other.rps if ours1 and other and other.rps else None
        rows.append(
            Target(f"B1 req/s, ours ÷ {label}", ratio, f"≥ {required}", None if ratio is None else ratio >= required)
        )
    if ours1 and apollo and hive:
        lower = ours1.p95_ms < min(apollo.p95_ms, hive.p95_ms)
        rows.append(
            Target(
                "B1 p95, ours ÷ the lower of the other two",
                ours1.p95_ms / min(apollo.p95_ms, hive.p95_ms),
                "< 1",
                lower,
            )
        )
    ratio = ours2.rps / limit.rps if ours2 and limit and limit.rps else None
    rows.append(Target("B2 req/s, ours ÷ direct-client limit", ratio, "≥ 0.8", None if ratio is None else ratio >= 0.8))
    return rows


def _met(value: bool | None) -> str:
    return "not measured" if value is None else ("**met**" if value else "**not met**")


def _row(m: Measurement) -> str:
    clean = m.errors + m.non2xx + m.mismatches
    few = f" (⚠ only {m.responses} responses in the window)" if m.responses < MIN_RESPONSES else ""
    return (
        f"| {LABELS.get(m.target, m.target)}{few} | {m.rps:,.0f} | {m.p50_ms:.1f} | {m.p95_ms:.1f} | {m.p99_ms:.1f} "
        f"| {m.errors} / {m.non2xx} / {m.mismatches}{'' if clean == 0 else ' ⚠'} | {m.cpu_ms_per_request:.2f} "
        f"| {m.peak_rss_mb:.0f} | {100 * m.subgraph_cpu_util:.0f} % + {100 * m.driver_cpu_util:.0f} % |"
    )


TABLE_HEAD = (
    "| target | req/s | p50 ms | p95 ms | p99 ms | errors / non-2xx / wrong body | CPU ms per request | peak RSS MiB "
    "| subgraphs + load generator (other core) |\n|---|---:|---:|---:|---:|---:|---:|---:|---:|"
)


def scenario_table(measurements: Sequence[Measurement], scenario: str) -> str:
    rows = [_row(m) for m in measurements if m.scenario == scenario]
    return "\n".join([TABLE_HEAD, *rows]) if rows else "_not run_"


def direct_table(measurements: Sequence[Measurement]) -> str:
    rows = [m for m in measurements if m.scenario == "direct"]
    lines = [
        "| subgraph (memoised) | req/s | p50 ms | p99 ms | bytes per answer | subgraph process busy "
        "| load generator busy |",
        "|---|---:|---:|---:|---:|---:|---:|",
    ]
    lines += [
        f"| {m.target} | {m.rps:,.0f} | {m.p50_ms:.2f} | {m.p99_ms:.2f} | {m.bytes_per_response:,.0f} "
        f"| {100 * m.target_cpu_util:.0f} % | {100 * m.driver_cpu_util:.0f} % |"
        for m in rows
    ]
    return "\n".join(lines)


def profile_section(profile: Profile, top: int = 12) -> str:
    lines = [
        f"**{profile.scenario}** — {profile.samples} samples in {profile.seconds:.0f} s "
        f"(the gateway ran Python {100 * profile.busy:.0f} % of the time; idle waiting is not sampled).",
        "",
        "| by self time | self % | total % | | by total time | total % |",
        "|---|---:|---:|---|---|---:|",
    ]
    for own, whole in zip(profile.by_self[:top], profile.by_total[:top], strict=False):
        left = f"| `{own.function}` | {own.self_pct:.1f} | {own.total_pct:.1f} |"
        lines.append(f"{left} | `{whole.function}` | {whole.total_pct:.1f} |")
    return "\n".join(lines)


def markdown(config: BenchConfig, results: Results) -> str:
    m = results.measurements
    host = environment.machine()
    versions = environment.python_versions() | environment.node_versions()
    target_lines = ["| target | this run | required | |", "|---|---:|---:|---|"]
    for t in guild_targets(results.guild) + targets(m):
        target_lines.append(
            f"| {t.name} | {'–' if t.value is None else f'{t.value:.2f}'} | {t.required} "
            f"| {'' if t.required == '(reported)' else _met(t.met)} |"
        )
    busiest = max((x.subgraph_cpu_util + x.driver_cpu_util for x in m if x.scenario in ("B1", "B2")), default=0.0)
    parts = [
        "# Benchmark: vum-gateway, @apollo/gateway, @graphql-hive/gateway and the direct-client limit",
        "",
        f"{host['date']}; {'quick smoke run' if config.quick else 'full run'}: {config.duration:g} s measured after "
        f"{config.warmup:g} s warm-up per run, closed loop at concurrency {config.concurrency}. "
        + (f'Our gateway with `engine = "{config.engine}"`. ' if config.engine else "")
        + "Produced by `python -m bench`; the raw figures are in `latest.json`.",
        "",
        "## Targets",
        "",
        *target_lines,
        "",
        *(f"> **{note}**\n" for note in results.notes),
        "## B0: The Guild's gateway benchmark",
        "",
        "The field's standard benchmark query (`../shared/federation/guild-bench`, its four subgraphs in Node, "
        "answers memoised): `users` and `topProducts` with reviews, products, authors and their reviews, 85.5 KiB "
        "of answer over `accounts`, `inventory` (`@requires`), `products` and `reviews` (`@provides`). Each "
        "gateway is checked for the exact expected answer first, then loaded by autocannon at the fixed "
        "concurrency; every gateway alone on one core. Identical in-flight requests: Hive Gateway's default "
        "configuration in the kit merges inbound ones; ours merges identical subgraph requests by default "
        "(`--no-deduplicate-subgraph` turns it off) and inbound ones with `--deduplicate-inbound`. The "
        "benchmark sends one query on every connection, so inbound deduplication dominates wherever it is on; "
        "requests per gateway CPU-second are less sensitive to other load on the machine than req/s.",
        "",
        guild_table(results.guild),
        "",
        "## B1: entity join",
        "",
        "One organisation subgraph returns 100 job-seeker match profiles; the codelijsten subgraph adds the "
        "occupation label (`omschrijvingBeroepsnaam`) through `_entities` on `Beroep`. The query selects 29 "
        "record fields. Ours is asked the public `werkzoekendeProfielMatches(first: 100)`; the Node gateways, "
        "which see only the subgraph SDL, `bronWerkzoekendeProfielMatches`: the same fields, the same labels. "
        "Ours additionally issues a vumID (AES-GCM) per record, orders the results per search and pages them. "
        f"The gateways take turns in {config.b1_rounds} round(s), a share of the measured time each; latency "
        "percentiles are the median of the rounds', the round-by-round ratios are listed under the targets.",
        "",
        scenario_table(m, "B1"),
        "",
        "## B2: fan-out",
        "",
        "The same query over 10 organisations × 100 matching profiles (`first: 1000`), and the labels of all of "
        "them. The limit is a plain client in the gateway's place (same core, same aiohttp on uvloop, same "
        "connection pool size) that sends the 10 searches and the `_entities` request at once and joins the "
        "answers; it parses, orders, pseudonymises and projects nothing.",
        "",
        scenario_table(m, "B2"),
        "",
        "## The subgraphs were not the bottleneck",
        "",
        "All subgraphs run in one process on the other core, each on its own port behind a memoising front "
        "(answers kept per request body after the first; `_entities` answers also per representation). "
        "Direct throughput, with the load generator on the idle gateway core (where the subgraph process is "
        "not near 100 % busy, the load generator was the limit and the figure is a lower bound):",
        "",
        direct_table(m),
        "",
        f"During the gateway runs the other core (subgraphs + load generator) was at most {100 * busiest:.0f} % busy.",
        "",
        "## How it was measured",
        "",
        f"- Each gateway is pinned to core {config.gateway_core} (`taskset`); subgraphs, load generator and harness "
        f"to core {config.other_core}. One process per gateway: `vum-gateway serve` (uvicorn, uvloop), "
        "`@apollo/gateway` in `@apollo/server`'s standalone server, `hive-gateway supergraph` "
        "(default options, one process); both Node gateways with NODE_ENV=production.",
        "- Supergraph for the Node gateways: `@apollo/composition` over the SDL the subgraphs serve "
        "(`_service { sdl }`).",
        "- Load: `autocannon`, closed loop, fixed concurrency, keep-alive. Latency percentiles over every response of "
        "the measured window. Every response is checked (HTTP 2xx, no GraphQL `errors`, at least 90 % of the size "
        "of the checked answer); before each run, one answer per gateway is checked field by field against the "
        "records the organisations hold and the labels in the BO&C list.",
        "- CPU ms per request: the target's user + system CPU time (whole process tree, from /proc) during the "
        "measured window divided by the responses in it. Peak RSS: VmHWM of the process tree at the end.",
        "",
        "## Machine and versions",
        "",
        f"- CPU: {host['cpu']}, {host['cores']} cores, {host['memory']} memory, Linux {host['kernel']}",
        f"- Python {host['python']}, Node.js {host['node']}; vum-gateway at {host['revision']}",
        "- " + ", ".join(f"{name} {version}" for name, version in versions.items()),
    ]
    if results.profiles:
        parts += ["", "## Profile of our gateway (py-spy)", ""]
        for profile in results.profiles:
            parts += [profile_section(profile), ""]
    return "\n".join(parts).rstrip() + "\n"


def chart(results: Results, path: Path, concurrency: int) -> None:
    """Requests per second and latency percentiles, B1 and B2."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    figure, axes = plt.subplots(2, 2, figsize=(11, 7.5))
    colours = {OURS: "#1f77b4", APOLLO: "#7f7f7f", HIVE: "#ff7f0e", LIMIT: "#2ca02c"}
    for column, scenario in enumerate(("B1", "B2")):
        rows = [m for m in results.measurements if m.scenario == scenario]
        if not rows:
            continue
        names = [LABELS.get(m.target, m.target) for m in rows]
        throughput, latency = axes[0][column], axes[1][column]
        bars = throughput.bar(names, [m.rps for m in rows], color=[colours.get(m.target, "#9467bd") for m in rows])
        throughput.bar_label(bars, fmt="%.0f")
        throughput.set_title(f"{scenario}: requests per second (higher is better)")
        width = 0.25
        for offset, (label, values) in enumerate(
            (("p50", [m.p50_ms for m in rows]), ("p95", [m.p95_ms for m in rows]), ("p99", [m.p99_ms for m in rows]))
        ):
            latency.bar([i + (offset - 1) * width for i in range(len(rows))], values, width, label=label)
        latency.set_xticks(range(len(rows)), names)
        latency.set_ylabel("ms")
        latency.set_title(f"{scenario}: latency (lower is better)")
        latency.legend()
        for axis in (throughput, latency):
            axis.tick_params(axis="x", labelsize=8)
    figure.suptitle(f"VUM gateway benchmark (each target on one core, same subgraphs, concurrency {concurrency})")
    figure.tight_layout()
    figure.savefig(path, dpi=110)
    plt.close(figure)


def write(config: BenchConfig, results: Results, directory: Path) -> Path:
    directory.mkdir(parents=True, exist_ok=True)
    (directory / "latest.md").write_text(markdown(config, results), encoding="utf-8")
    chart(results, directory / "latest.png", config.concurrency)
    raw = {
        "config": {k: str(v) for k, v in asdict(config).items()},
        "measurements": [m.as_dict() for m in results.measurements],
        "profiles": [asdict(p) for p in results.profiles],
        "guild": [r.as_dict() for r in results.guild],
    }
    (directory / "latest.json").write_text(json.dumps(raw, indent=1), encoding="utf-8")
    return directory / "latest.md"


def replicas_markdown(config: BenchConfig, results: Results) -> str:
    host = environment.machine()
    return (
        "\n".join(
            [
                "# Benchmark scenario R: gateway replicas behind HAProxy",
                "",
                f"{host['date']}; {'quick smoke run' if config.quick else 'full run'}: {config.duration:g} s measured "
                f"after {config.warmup:g} s warm-up per run, closed loop at concurrency {config.concurrency}, through "
                "HAProxy (Debian's package, round robin). Produced by `python -m bench --scenarios R`; the raw figures "
                "are in `replicas.json`.",
                "",
                "The B1 workload (one organisation returning 100 profiles, labels from codelijsten through "
                "`_entities`) against `vum-gateway serve` replicas that share the pseudonym and signing keys "
                "(files), the processing log (PostgreSQL: one row per disclosed profile) and the detail quota (Redis). "
                f"Replica 1 is pinned to core {config.gateway_core}; replica 2 to core {config.other_core}, which also "
                "carries the subgraphs, HAProxy and the load generator. PostgreSQL and Redis are not pinned.",
                "",
                replicas_table(results.replicas, int(host["cores"])),
                "",
                "What limits the second replica here: the machine has two cores, and the second replica shares its "
                "core with everything else the run needs (see the busy columns). On separate machines or cores, "
                "replicas share nothing but PostgreSQL and Redis.",
                "",
                f"- CPU: {host['cpu']}, {host['cores']} cores, {host['memory']} memory, Linux {host['kernel']}",
                f"- Python {host['python']}; vum-gateway at {host['revision']}",
            ]
        )
        + "\n"
    )


def write_replicas(config: BenchConfig, results: Results, directory: Path) -> Path:
    directory.mkdir(parents=True, exist_ok=True)
    (directory / "replicas.md").write_text(replicas_markdown(config, results), encoding="utf-8")
    raw = [{**asdict(run), "measurement": run.measurement.as_dict()} for run in results.replicas]
    (directory / "replicas.json").write_text(json.dumps(raw, indent=1), encoding="utf-8")
    return directory / "replicas.md"
