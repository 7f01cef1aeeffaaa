"""`python -m bench`: set up from the registries, run every scenario, write bench/results/latest.*"""

from __future__ import annotations

import argparse
import dataclasses
import sys
import time
from pathlib import Path

from .config import GATEWAYS, OURS, RESULTS, SCENARIOS, WORK, BenchConfig
from .procs import BenchError


def parser() -> argparse.ArgumentParser:
    result = argparse.ArgumentParser(prog="python -m bench", description=__doc__)
    result.add_argument("--quick", action="store_true", help="smoke test: 5 s runs, 2 s warm-up (~3 minutes)")
    result.add_argument("--duration", type=float, help="measured seconds per run (default 20; quick 5)")
    result.add_argument("--warmup", type=float, help="seconds of load before measuring (default 5; quick 2)")
    result.add_argument("--concurrency", type=int, default=50, help="requests in flight (default 50)")
    result.add_argument(
        "--scenarios",
        default="B0,B1,B2",
        help="comma-separated: B0 (guild benchmark), B1, B2, B3 (national), R (replicas behind HAProxy); "
        "default B0,B1,B2",
    )
    result.add_argument("--organisations", type=int, help="B3: organisations (default 300; a quick run: 50)")
    result.add_argument(
        "--gateways", default=",".join(GATEWAYS), help="gateways of B0 and B1 (default ours,apollo,hive)"
    )
    result.add_argument(
        "--compare",
        type=Path,
        action="append",
        default=[],
        metavar="DIR",
        help="B1: also run our gateway from the checkout DIR (e.g. `git worktree add DIR HEAD~1`), in the same "
        "rounds: an A/B of two commits under the same drift (repeatable)",
    )
    result.add_argument("--rounds", type=int, help="B1: rounds the gateways take turns in (default 3; quick 1)")
    result.add_argument("--no-profile", action="store_true", help="skip the py-spy profiles of our gateway")
    result.add_argument(
        "--engine", choices=("federation", "vum"), help="our gateway's [gateway] engine (default: its own default)"
    )
    result.add_argument("--postcodes", type=Path, help="PC4 centroid CSV (default: the packaged vumschema/data/…)")
    result.add_argument("--beroepen", type=Path, help="UWV BO&C list (default: the packaged vumschema/data/…)")
    result.add_argument("--postgres", help="R: PostgreSQL server DSN (default $VUM_TEST_POSTGRES_DSN or local)")
    result.add_argument("--redis", help="R: Redis URL (default $VUM_TEST_REDIS_URL or redis://127.0.0.1:6379/15)")
    result.add_argument(
        "--results", type=Path, help="where to write latest.md/.png/.json (default bench/results; quick: bench/.work)"
    )
    return result


def config_from(args: argparse.Namespace) -> BenchConfig:
    config = BenchConfig()
    if args.quick:
        config = dataclasses.replace(config, duration=5.0, warmup=2.0, profile_duration=4.0, b1_rounds=1, quick=True)
    changes: dict[str, object] = {
        "concurrency": args.concurrency,
        "scenarios": tuple(s.strip().upper() for s in args.scenarios.split(",") if s.strip()),
        "gateways": tuple(g.strip().lower() for g in args.gateways.split(",") if g.strip()),
        "profile": not args.no_profile,
        "results": args.results or (WORK / "results-quick" if args.quick else RESULTS),
    }
    for name in ("duration", "warmup", "postcodes", "beroepen", "postgres", "redis", "engine"):
        if getattr(args, name) is not None:
            changes[name] = getattr(args, name)
    if args.organisations is not None:
        changes["b3_organisations"] = args.organisations
    if args.rounds is not None:
        changes["b1_rounds"] = args.rounds
    changes["compare"] = tuple(path.resolve() for path in args.compare)
    return dataclasses.replace(config, **changes)  # type: ignore[arg-type]


def main() -> int:
    config = config_from(parser().parse_args())
    unknown = set(config.gateways) - set(GATEWAYS) or set(config.scenarios) - set(SCENARIOS)
    if unknown:
        print(f"unknown: {', '.join(sorted(unknown))}", file=sys.stderr)
        return 2
    if not 1 <= config.b3_organisations <= 1000:
        print(f"--organisations {config.b3_organisations}: give 1 to 1000", file=sys.stderr)
        return 2
    if not 1 <= config.b1_rounds <= 100:
        print(f"--rounds {config.b1_rounds}: give 1 to 100", file=sys.stderr)
        return 2
    for tree in config.compare:
        if not (tree / "gateway" / "cli.py").is_file():
            print(f"--compare {tree}: not a checkout of this project (no gateway/cli.py)", file=sys.stderr)
            return 2
    if config.compare and ("B1" not in config.scenarios or OURS not in config.gateways):
        print("--compare needs scenario B1 and gateway ours", file=sys.stderr)
        return 2
    for path in (config.postcodes, config.beroepen) if {"B1", "B2", "B3"} & set(config.scenarios) else ():
        if not path.is_file():
            print(f"reference data not found: {path} (pass --postcodes / --beroepen)", file=sys.stderr)
            return 2
    started = time.monotonic()
    try:
        from .run import run

        results = run(config)
    except BenchError as error:
        print(f"bench: {error}", file=sys.stderr)
        return 1
    from .national import write_b3
    from .report import write, write_replicas

    if {"B0", "B1", "B2"} & set(config.scenarios):
        report = write(config, results, config.results)
        print(f"\nwrote {report} and latest.png in {time.monotonic() - started:.0f} s\n")
        print(report.read_text(encoding="utf-8").split("## B0")[0])
    if results.national is not None:
        report = write_b3(results.national, config.results / "b3")
        print(f"\nwrote {report} in {time.monotonic() - started:.0f} s\n")
        print(report.read_text(encoding="utf-8"))
    if results.replicas:
        report = write_replicas(config, results, config.results)
        print(f"\nwrote {report} in {time.monotonic() - started:.0f} s\n")
        print(report.read_text(encoding="utf-8"))
    return 0


if __name__ == "__main__":
    sys.exit(main())
