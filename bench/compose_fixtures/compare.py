"""Compare `vum-gateway compose` with `@apollo/composition` on mutated subgraphs.

    python -m bench.compose_fixtures.compare [--seed 1] [--cases 500] [--keep DIR]

The fixtures test the cases someone wrote down; this finds the ones nobody did. It takes the
subgraphs of random fixtures, changes them a little (drops, repeats or swaps lines, drops or moves
a directive), composes each variant with both composers and reports where they differ: a
supergraph that is not byte-equal, other errors, or one side composing where the other does not.
Variants that do not parse are skipped (that is graphql-js's business, not composition's).
Composition that Apollo rejects only by its satisfiability check, which `compose` does not do,
is counted apart. Needs Node (as `python -m bench.compose_fixtures`).
"""

from __future__ import annotations

import argparse
import json
import random
import re
import subprocess
import sys
from collections import Counter
from pathlib import Path
from typing import Any

from graphql import GraphQLSyntaxError, parse

from gateway.federation.compose import SubgraphInput, compose

from .__main__ import FIXTURES, node_modules

DIRECTIVE = re.compile(r"@\w+(\([^()]*\))?")
SATISFIABILITY = "SATISFIABILITY_ERROR"


def mutate(sdl: str, rng: random.Random) -> str:
    if rng.random() < 0.5:
        directives = list(DIRECTIVE.finditer(sdl))
        if directives:
            chosen = rng.choice(directives)
            sdl = sdl[: chosen.start()] + sdl[chosen.end() :]
            if rng.random() < 0.3:
                breaks = [m.start() for m in re.finditer("\n", sdl)] or [len(sdl)]
                at = rng.choice(breaks)
                sdl = sdl[:at] + " " + chosen.group(0) + sdl[at:]
    lines = sdl.split("\n")
    for _ in range(rng.randint(0, 2)):
        if len(lines) < 2:
            break
        i, j = rng.randrange(len(lines)), rng.randrange(len(lines))
        roll = rng.random()
        if roll < 0.5:
            del lines[i]
        elif roll < 0.75:
            lines.insert(i, lines[j])
        else:
            lines[i], lines[j] = lines[j], lines[i]
    return "\n".join(lines)


def variants(seed: int, count: int) -> list[dict[str, Any]]:
    rng = random.Random(seed)
    sources = [json.loads(p.read_text(encoding="utf-8")) for p in sorted(FIXTURES.glob("*/*/subgraphs.json"))]
    sources = [s for s in sources if sum(len(x["sdl"]) for x in s) < 20_000]  # the VUM case is slow in Node
    found = []
    for index in range(count):
        subgraphs = [{**s, "sdl": mutate(s["sdl"], rng)} for s in rng.choice(sources)]
        try:
            for subgraph in subgraphs:
                parse(subgraph["sdl"])
        except GraphQLSyntaxError:
            continue
        found.append({"id": str(index), "subgraphs": subgraphs})
    return found


def outcome(result: Any) -> tuple[str, Any]:
    if "crash" in result:
        return "crash", result["crash"]
    if "supergraph" in result:
        return "supergraph", result["supergraph"]
    return "errors", [(e["code"], e["message"]) for e in result["errors"]]


def compare(seed: int, count: int, keep: Path | None) -> Counter[str]:
    cases = variants(seed, count)
    workdir = node_modules()
    done = subprocess.run(
        ["node", "compose.mjs"], cwd=workdir, input=json.dumps(cases), capture_output=True, text=True, check=True
    )
    apollo = {r["id"]: r for r in json.loads(done.stdout)}
    tally: Counter[str] = Counter()
    for case in cases:
        kind, expected = outcome(apollo[case["id"]])
        ours = compose(SubgraphInput(s["name"], s["url"], s["sdl"]) for s in case["subgraphs"])
        got = [(str(e.code), e.message) for e in ours.errors]
        if kind == "crash":
            verdict = "apollo crashes"
        elif kind == "supergraph":
            verdict = "same supergraph" if ours.supergraph_sdl == expected else "different supergraph"
        elif got == expected:
            verdict = "same errors"
        elif ours.supergraph_sdl is not None and {code for code, _ in expected} == {SATISFIABILITY}:
            verdict = "apollo: not satisfiable (not checked here)"
        else:
            verdict = "different errors"
        tally[verdict] += 1
        if keep is not None and verdict in ("different supergraph", "different errors"):
            keep.mkdir(parents=True, exist_ok=True)
            record = {"case": case, "apollo": apollo[case["id"]], "ours": got or ours.supergraph_sdl}
            (keep / f"{seed}-{case['id']}.json").write_text(json.dumps(record, indent=2))
    return tally


def main(argv: list[str] | None = None) -> None:
    options = argparse.ArgumentParser(
        prog="python -m bench.compose_fixtures.compare", description=__doc__.split("\n")[0]
    )
    options.add_argument("--seed", type=int, default=1)
    options.add_argument("--cases", type=int, default=500, help="variants to make (those that parse are compared)")
    options.add_argument("--keep", type=Path, help="write each difference here as JSON")
    args = options.parse_args(argv)
    tally = compare(args.seed, args.cases, args.keep)
    for verdict, count in tally.most_common():
        print(f"{count:6}  {verdict}")
    differences = tally["different supergraph"] + tally["different errors"]
    print(f"compared {sum(tally.values())} variants (seed {args.seed}): {differences} differences")
    sys.exit(1 if differences else 0)


if __name__ == "__main__":
    main()
