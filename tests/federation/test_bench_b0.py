"""B0's reading of the guild kit's BENCH lines, and the targets it derives from them."""

from __future__ import annotations

import pytest

from bench.guild import VARIANTS, parse_bench_line
from bench.procs import BenchError
from bench.report import guild_table, guild_targets

LINE = (
    "BENCH ours: rps=68.7 p50=598.88ms p95=1608.39ms p99=1767.1ms ok=699 non2xx=0 errors=0 check_failures=0 "
    "gateway_cpu=26% req_per_gw_cpu_s=264.8 subgraphs_cpu=3% subgraph_calls_per_req=0.69 loadgen_cpu=5% "
    "loadavg_after=10.62"
)


def test_a_bench_line_becomes_figures() -> None:
    run = parse_bench_line(LINE, "ours")
    assert (run.label, run.rps, run.p95_ms, run.ok, run.gateway_cpu) == ("ours", 68.7, 1608.39, 699, 0.26)
    assert run.cpu_ms_per_request == pytest.approx(1000 / 264.8)
    with pytest.raises(BenchError, match="not a BENCH line"):
        parse_bench_line("[bench] ready", "x")
    with pytest.raises(BenchError, match="no rps"):
        parse_bench_line("BENCH x: p50=1ms", "x")


def test_targets_compare_the_right_variants() -> None:
    def run(label: str, rps: float, per_cpu: float) -> str:
        return (
            LINE.replace("BENCH ours:", f"BENCH {label}:")
            .replace("rps=68.7", f"rps={rps}")
            .replace("req_per_gw_cpu_s=264.8", f"req_per_gw_cpu_s={per_cpu}")
        )

    runs = [
        parse_bench_line(run("apollo-gateway", 50, 60), "apollo"),
        parse_bench_line(run("hive-gateway", 900, 1400), "hive"),
        parse_bench_line(run("ours", 210, 270), "ours"),
        parse_bench_line(run("ours-inbound-dedup", 1000, 2500), "ours inbound"),
    ]
    by_name = {t.name: t for t in guild_targets(runs)}
    assert by_name["B0 req/s, ours ÷ @apollo/gateway"].value == pytest.approx(4.2)
    assert by_name["B0 req/s, ours ÷ @apollo/gateway"].met is True
    both = by_name["B0 req/s, both with inbound in-flight dedup: ours ÷ @graphql-hive/gateway"]
    assert both.value == pytest.approx(1000 / 900) and both.met is True
    assert by_name["B0 req/s, ours without any dedup ÷ @apollo/gateway"].value is None  # not run
    assert "| ours | 210.0 |" in guild_table(runs)


def test_every_variant_of_ours_runs_our_federation_runtime() -> None:
    ours = [v for v in VARIANTS if v.gateway == "ours"]
    assert {v.label for v in ours} == {"ours", "ours-inbound-dedup", "ours-no-dedup"}
    assert all("-m gateway.federation serve" in v.argument and '"$SUPERGRAPH"' in v.argument for v in ours)
