"""Regenerate the fixtures of `vum-gateway compose`: subgraphs in, `@apollo/composition`'s answer out.

    python -m bench.compose_fixtures [--audit-url http://localhost:4300] [--guild-bench DIR]

Every case under `tests/data/federation/compose/<group>/<case>/` holds `subgraphs.json`
(`[{name, url, sdl}]`, the format of the audit's `/<suite>/subgraphs`) and what
`@apollo/composition` 2.14.1 makes of it: `supergraph.graphql`, or `errors.json` when composition
fails, and `hints.json`. The tests compare `vum-gateway compose` with these files and need neither
Node nor anything outside the repository.

Where the subgraphs come from, per group:

* `audit`: the 46 suites of the federation audit. With `--audit-url` they are read from a running
  audit test server (`npx tsx src/cli.ts serve --port 4300` in a copy of
  `../shared/federation/audit/audit`) and their routing URLs set to what the audit serves the
  gateway (`http://localhost:4200/<suite>/<subgraph>`); without it the committed inputs are kept.
* `guild-bench`: the four subgraphs of the Guild's gateway benchmark (`--guild-bench`, default
  `../shared/federation/guild-bench` beside the repository when present).
* `vum`: the organisation subgraph's SDL as the adapter SDK prints it, and the codelijsten
  subgraph's.
* `features` and `errors`: written by hand in `cases.py`.

Node >= 20 and the npm registry are needed: the pinned `@apollo/composition` (package.json,
package-lock.json beside this file) is installed into `var/compose-fixtures/`.
"""

from __future__ import annotations

import argparse
import json
import shutil
import subprocess
import sys
import urllib.request
from pathlib import Path
from typing import Any

from .cases import CASES
from .vum import ROUTING_URLS, vum_subgraph_sdls

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent.parent
FIXTURES = ROOT / "tests" / "data" / "federation" / "compose"
NODE_WORKDIR = ROOT / "var" / "compose-fixtures"
AUDIT_GATEWAY_ORIGIN = "http://localhost:4200"  # where the audit's gateway reaches the subgraphs
GUILD_BENCH_ORIGIN = "http://0.0.0.0:4200"  # as in the benchmark's published supergraph

Subgraphs = list[dict[str, str]]


def _get_json(url: str) -> Any:
    with urllib.request.urlopen(url, timeout=30) as response:
        return json.load(response)


def audit_cases(audit_url: str | None) -> dict[str, Subgraphs]:
    if audit_url is None:
        return committed("audit")
    cases = {}
    for suite in _get_json(f"{audit_url}/ids"):
        subgraphs = _get_json(f"{audit_url}/{suite}/subgraphs")
        origin = f"{AUDIT_GATEWAY_ORIGIN}/{suite}"
        cases[suite] = [{"name": s["name"], "url": f"{origin}/{s['name']}", "sdl": s["sdl"]} for s in subgraphs]
    print(f"audit: {len(cases)} suites from {audit_url}")
    return cases


def guild_bench_cases(kit: Path) -> dict[str, Subgraphs]:
    schemas = kit / "subgraphs" / "schemas"
    if not schemas.is_dir():
        return committed("guild-bench")
    subgraphs = [
        {"name": path.stem, "url": f"{GUILD_BENCH_ORIGIN}/{path.stem}", "sdl": path.read_text(encoding="utf-8")}
        for path in sorted(schemas.glob("*.graphql"))
    ]
    return {"guild-bench": subgraphs}


def vum_cases() -> dict[str, Subgraphs]:
    sdls = vum_subgraph_sdls()
    return {"vum": [{"name": name, "url": ROUTING_URLS[name], "sdl": sdl} for name, sdl in sdls.items()]}


def committed(group: str) -> dict[str, Subgraphs]:
    cases = {}
    for path in sorted((FIXTURES / group).glob("*/subgraphs.json")):
        cases[path.parent.name] = json.loads(path.read_text(encoding="utf-8"))
    return cases


def hand_written(group: str) -> dict[str, Subgraphs]:
    return {
        name: [{"name": n, "url": f"http://{n}.example/graphql", "sdl": sdl} for n, sdl in subgraphs]
        for (case_group, name), subgraphs in CASES.items()
        if case_group == group
    }


def node_modules() -> Path:
    """The pinned @apollo/composition, installed once into var/ (ignored by git)."""
    NODE_WORKDIR.mkdir(parents=True, exist_ok=True)
    for name in ("package.json", "package-lock.json", "compose.mjs"):
        shutil.copyfile(HERE / name, NODE_WORKDIR / name)
    marker = NODE_WORKDIR / "node_modules" / "@apollo" / "composition" / "package.json"
    if not marker.is_file() or json.loads(marker.read_text())["version"] != "2.14.1":
        print("installing @apollo/composition 2.14.1 (npm ci) ...")
        subprocess.run(["npm", "ci", "--no-audit", "--no-fund", "--silent"], cwd=NODE_WORKDIR, check=True)
    return NODE_WORKDIR


def compose_with_apollo(cases: dict[str, Subgraphs]) -> dict[str, dict[str, Any]]:
    workdir = node_modules()
    request = json.dumps([{"id": case_id, "subgraphs": subgraphs} for case_id, subgraphs in cases.items()])
    done = subprocess.run(
        ["node", "compose.mjs"], cwd=workdir, input=request, capture_output=True, text=True, check=False
    )
    if done.returncode != 0:
        sys.exit(f"node compose.mjs failed:\n{done.stderr}")
    return {result["id"]: result for result in json.loads(done.stdout)}


def write_case(directory: Path, subgraphs: Subgraphs, result: dict[str, Any]) -> None:
    directory.mkdir(parents=True, exist_ok=True)
    (directory / "subgraphs.json").write_text(json.dumps(subgraphs, indent=2, ensure_ascii=False) + "\n")
    for stale in ("supergraph.graphql", "errors.json"):
        (directory / stale).unlink(missing_ok=True)
    if "supergraph" in result:
        (directory / "supergraph.graphql").write_text(result["supergraph"])
    else:
        (directory / "errors.json").write_text(json.dumps(result["errors"], indent=2, ensure_ascii=False) + "\n")
    (directory / "hints.json").write_text(json.dumps(result["hints"], indent=2, ensure_ascii=False) + "\n")


def main(argv: list[str] | None = None) -> None:
    options = argparse.ArgumentParser(prog="python -m bench.compose_fixtures", description=__doc__.split("\n")[0])
    options.add_argument("--audit-url", help="a running audit test server, e.g. http://localhost:4300")
    options.add_argument("--guild-bench", type=Path, default=ROOT.parent / "shared" / "federation" / "guild-bench")
    args = options.parse_args(argv)

    groups = {
        "audit": audit_cases(args.audit_url.rstrip("/") if args.audit_url else None),
        "guild-bench": guild_bench_cases(args.guild_bench),
        "vum": vum_cases(),
        "features": hand_written("features"),
        "errors": hand_written("errors"),
    }
    flat = {f"{group}/{case}": subgraphs for group, cases in groups.items() for case, subgraphs in cases.items()}
    results = compose_with_apollo(flat)
    for case_id, subgraphs in flat.items():
        write_case(FIXTURES / case_id, subgraphs, results[case_id])
    crashed = sorted(case_id for case_id, result in results.items() if "crash" in result)
    if crashed:
        sys.exit(f"@apollo/composition crashed on {', '.join(crashed)}: {results[crashed[0]]['crash']}")
    failed = sorted(case_id for case_id, result in results.items() if "errors" in result)
    print(f"wrote {len(flat)} cases under {FIXTURES.relative_to(ROOT)} ({len(failed)} expected to fail)")
    unexpected = [case_id for case_id in failed if not case_id.startswith("errors/")]
    if unexpected:
        sys.exit(f"composition failed for cases that should compose: {', '.join(unexpected)}")
    composed_errors = [case_id for case_id in flat if case_id.startswith("errors/") and case_id not in failed]
    if composed_errors:
        sys.exit(f"error cases that Apollo composes anyway: {', '.join(composed_errors)}")


if __name__ == "__main__":
    main()
