"""`python -m bench.memory`: the gateway's memory under a long stream of distinct large documents.

Issue 9, finding 3: 3 × 1,000 distinct 120 KB authenticated searches took the gateway from 109 to
862 MB, linearly. This starts `vum-gateway demo` (the gateway runs in the demo's own process, the
organisations in theirs), sends distinct ~120 KB searches (a comment block makes each one large
and distinct, as generated documents are; each is answered with matches), and samples the
gateway process's resident memory (VmRSS) along the way. The curve must level off: every cache is
bounded in memory. Figures only; no assertion (a benchmark, not a test).

    python -m bench.memory --documents 3000 --port 5200
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import aiohttp

from gateway.auth.dev import ALL_SCOPES, mint

PURPOSE = "arbeidsbemiddeling"
CALLER_OIN = "00000001009999999000"
CALLERS = 64  # distinct subjects, so the per-caller rate limit does not pace the stream
SEARCH = (
    "query Zoek{index}($s: WerkzoekendeSelectievraag!) {{ werkzoekendeProfielMatches(selectievraag: $s, first: 20) "
    "{{ r{index}: vraagID totalCount edges {{ node {{ vumID mobiliteit {{ bemiddelingspostcode }} "
    "bemiddelingsberoep {{ codeBeroepsnaam omschrijvingBeroepsnaam }} }} }} }} }}"
)
AREA = {"selectiegebied": {"postcode": "5611AB", "afstand": 25}}  # the demo's organisations hold profiles here
NOWHERE = {"selectiegebied": {"postcode": "9711AA", "afstand": 0}}  # and none here: nothing disclosed, nothing logged


def document(index: int, size: int) -> str:
    """A distinct search of about `size` bytes: its operation, after a block of comment lines."""
    line = f"# document {index:08d} " + "x" * 90 + "\n"
    return line * max(1, size // len(line)) + SEARCH.format(index=index)


def rss_mb(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    raise RuntimeError(f"no VmRSS for process {pid}")


async def wait_ready(session: aiohttp.ClientSession, base: str, demo: subprocess.Popen[bytes]) -> None:
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        if demo.poll() is not None:
            raise SystemExit(f"the demo stopped during start (exit code {demo.returncode})")
        try:
            async with session.get(f"{base}/ready") as response:
                if response.status == 200:
                    return
        except aiohttp.ClientError:
            pass
        await asyncio.sleep(0.5)
    raise SystemExit("the demo did not become ready within 120 s")


def start_demo(port: int, workdir: Path) -> subprocess.Popen[bytes]:
    command = [sys.executable, "-m", "gateway.cli", "demo", "--port", str(port), "--workdir", str(workdir)]
    with (workdir / "bench-demo.log").open("wb") as log:
        return subprocess.Popen(command, stdout=log, stderr=log, start_new_session=True)


def stop_demo(demo: subprocess.Popen[bytes]) -> None:
    os.killpg(demo.pid, signal.SIGINT)  # the demo stops its organisations on Ctrl-C
    try:
        demo.wait(30)
    except subprocess.TimeoutExpired:
        os.killpg(demo.pid, signal.SIGKILL)


async def stream(args: argparse.Namespace, workdir: Path, demo: subprocess.Popen[bytes]) -> list[tuple[int, float]]:
    """Send the documents; the gateway's RSS every `sample_every` documents."""
    base = f"http://127.0.0.1:{args.port}"
    samples: list[tuple[int, float]] = []
    async with aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=60)) as session:
        await wait_ready(session, base, demo)
        key = workdir / "dev-issuer.pem"
        tokens = [
            mint(key, subject=f"bench-{n}", oin=CALLER_OIN, role="bemiddelaar", scopes=ALL_SCOPES, suwi=True)
            for n in range(CALLERS)
        ]
        samples.append((0, rss_mb(demo.pid)))
        failures = 0
        queue: asyncio.Queue[int] = asyncio.Queue()
        for index in range(args.documents):
            queue.put_nowait(index)

        async def worker() -> None:
            nonlocal failures
            while not queue.empty():
                index = queue.get_nowait()
                headers = {"Authorization": f"Bearer {tokens[index % CALLERS]}", "X-VUM-Doelbinding": PURPOSE}
                area = NOWHERE if args.no_matches else AREA
                payload = {"query": document(index, args.size * 1024), "variables": {"s": area}}
                async with session.post(f"{base}/graphql", json=payload, headers=headers) as response:
                    body = await response.json()
                    if response.status != 200 or "errors" in body:
                        failures += 1
                if (index + 1) % args.sample_every == 0:
                    samples.append((index + 1, rss_mb(demo.pid)))
                    print(f"{index + 1:6d} documents  {samples[-1][1]:7.1f} MB", flush=True)

        await asyncio.gather(*(worker() for _ in range(args.concurrency)))
        print(f"{failures} of {args.documents} requests failed")
    return sorted(samples)


def main() -> None:
    parser = argparse.ArgumentParser(prog="python -m bench.memory", description=__doc__.split("\n\n")[0])
    parser.add_argument("--documents", type=int, default=3000, help="distinct searches to send (default 3000)")
    parser.add_argument("--size", type=int, default=120, help="KB per document (default 120)")
    parser.add_argument("--port", type=int, default=5200, help="the demo gateway's port (organisations from +100)")
    parser.add_argument("--concurrency", type=int, default=4)
    parser.add_argument("--sample-every", type=int, default=250, help="documents between RSS samples")
    parser.add_argument("--output", type=Path, help="write the samples as JSON here")
    parser.add_argument(
        "--no-matches",
        action="store_true",
        help="search an area without profiles: nothing is disclosed, so the processing log (and its "
        "SQLite page cache, up to 128 MiB) does not grow and only the gateway's own caches show",
    )
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="vum-bench-memory-") as tmp:
        demo = start_demo(args.port, Path(tmp))
        try:
            samples = asyncio.run(stream(args, Path(tmp), demo))
        finally:
            stop_demo(demo)
    (_, start), (_, end) = samples[0], samples[-1]
    half = next(rss for count, rss in samples if count >= args.documents // 2)
    print(f"RSS {start:.0f} MB at start, {half:.0f} MB halfway, {end:.0f} MB after {args.documents} documents")
    if args.output:
        args.output.write_text(json.dumps({"documents_kb": args.size, "samples": samples}, indent=1), encoding="utf-8")


if __name__ == "__main__":
    main()
