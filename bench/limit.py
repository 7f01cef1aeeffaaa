"""The limit: a plain client that asks the subgraphs directly, concurrently, and concatenates.

`python -m bench.limit SPEC.json` runs in the gateway's place (pinned to the gateway core) with
the gateway's own HTTP stack (aiohttp on uvloop, a pool of 100 connections): one operation sends
the search to every organisation and the `_entities` request to codelijsten at once, checks each
answer (HTTP 200, no GraphQL errors) and joins the bodies. It parses nothing, orders nothing and
projects nothing, so its throughput is what a gateway doing no work of its own could reach. It
prints the same JSON event lines as the Node load generator.
"""

from __future__ import annotations

import asyncio
import json
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import aiohttp
import uvloop

HEADERS = {"content-type": "application/json", "accept": "application/json"}


@dataclass(frozen=True)
class LimitSpec:
    source_urls: list[str]
    source_body: str
    entities_url: str
    entities_body: str
    concurrency: int
    warmup: float
    duration: float
    sample: str  # file to write one concatenated answer to, for the data check

    @classmethod
    def read(cls, path: Path) -> LimitSpec:
        return cls(**json.loads(path.read_text(encoding="utf-8")))


@dataclass
class Tally:
    latencies: list[float] = field(default_factory=list)
    errors: int = 0  # failed requests, non-2xx answers or answers with GraphQL errors


async def _fetch(session: aiohttp.ClientSession, url: str, body: bytes) -> bytes | None:
    async with session.post(url, data=body, headers=HEADERS) as response:
        payload = await response.read()
        return payload if response.status == 200 and b'"errors"' not in payload else None


async def operation(session: aiohttp.ClientSession, spec: LimitSpec) -> bytes | None:
    """One search through no gateway: every subgraph at once, the answers joined by newlines."""
    source_body, entities_body = spec.source_body.encode(), spec.entities_body.encode()
    calls = [_fetch(session, url, source_body) for url in spec.source_urls]
    calls.append(_fetch(session, spec.entities_url, entities_body))
    try:
        answers = await asyncio.gather(*calls)
    except aiohttp.ClientError:
        return None
    if any(answer is None for answer in answers):
        return None
    return b"\n".join(answer for answer in answers if answer is not None)


async def closed_loop(session: aiohttp.ClientSession, spec: LimitSpec, seconds: float, tally: Tally) -> None:
    deadline = time.perf_counter() + seconds

    async def worker() -> None:
        while time.perf_counter() < deadline:
            started = time.perf_counter()
            answer = await operation(session, spec)
            tally.latencies.append((time.perf_counter() - started) * 1000)
            if answer is None:
                tally.errors += 1

    await asyncio.gather(*(worker() for _ in range(spec.concurrency)))


def percentile(values: list[float], p: float) -> float | None:
    if not values:
        return None
    ordered = sorted(values)
    return ordered[max(0, min(len(ordered) - 1, int(-(-p * len(ordered) // 100)) - 1))]


def emit(event: dict[str, Any]) -> None:
    print(json.dumps(event), flush=True)


async def main(spec: LimitSpec) -> None:
    connector = aiohttp.TCPConnector(limit=100, limit_per_host=100)
    async with aiohttp.ClientSession(connector=connector) as session:
        sample = await operation(session, spec)
        await asyncio.to_thread(Path(spec.sample).write_bytes, sample or b"")
        await closed_loop(session, spec, spec.warmup, Tally())
        tally = Tally()
        emit({"event": "measure-start"})
        started = time.perf_counter()
        await closed_loop(session, spec, spec.duration, tally)
        elapsed = time.perf_counter() - started
        emit({"event": "measure-end"})
    lat = tally.latencies
    emit(
        {
            "event": "result",
            "responses": len(lat),
            "ok": len(lat) - tally.errors,
            "seconds": elapsed,
            "rps": len(lat) / elapsed,
            "p50": percentile(lat, 50),
            "p95": percentile(lat, 95),
            "p99": percentile(lat, 99),
            "max": max(lat, default=None),
            "mean": sum(lat) / len(lat) if lat else None,
            "errors": tally.errors,
            "timeouts": 0,
            "non2xx": 0,
            "mismatches": 0,
            "bytesPerResponse": len(sample or b""),
        }
    )


if __name__ == "__main__":
    uvloop.run(main(LimitSpec.read(Path(sys.argv[1]))))
