"""B3's limit: a plain client doing query-then-fetch itself, in the gateway's place.

`python -m bench.national_limit SPEC.json` (pinned to the gateway core) runs one closed loop of
searches: every organisation is asked only for its keys (`idWerkzoekende` and the consent the
record carries), the keys are ordered by a keyed hash and the page's 20 taken, then those records
are fetched from their owners (one aliased request per owner) and their occupation labels from
codelijsten (one `_entities` request). Nothing is projected or checked beyond HTTP 200 and no
GraphQL errors. It reports its own CPU per search (`time.process_time`), latencies, and the
subgraph calls and bytes it received, as one JSON line.
"""

from __future__ import annotations

import asyncio
import hashlib
import itertools
import json
import resource
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import aiohttp
import orjson
import uvloop

HEADERS = {"content-type": "application/json", "accept": "application/json"}
ORDER_KEYS = 8  # searches cycle through this many orders, so owners' fetch requests repeat (the memo answers)


@dataclass(frozen=True)
class LimitSpec:
    sources: dict[str, str]  # bronID -> URL
    keys_body: str  # the keys-only search, the same for every source
    record_fields: str  # the selection of one record, as the gateway asks it
    entities_url: str
    entities_query: str
    first: int
    concurrency: int
    warmup: float
    duration: float

    @classmethod
    def read(cls, path: Path) -> LimitSpec:
        return cls(**json.loads(path.read_text(encoding="utf-8")))


@dataclass
class Tally:
    latencies: list[float] = field(default_factory=list)
    errors: int = 0
    calls: int = 0
    received: int = 0


async def _post(session: aiohttp.ClientSession, url: str, body: bytes, tally: Tally) -> dict[str, Any]:
    async with session.post(url, data=body, headers=HEADERS) as response:
        payload = await response.read()
    tally.calls += 1
    tally.received += len(payload)
    answer: dict[str, Any] = orjson.loads(payload)
    if response.status != 200 or answer.get("errors"):
        raise ValueError(f"HTTP {response.status}: {payload[:200]!r}")
    return answer


def _order(order_key: bytes, bron: str, record_id: str) -> bytes:
    return hashlib.blake2b(f"{bron}\x1f{record_id}".encode(), key=order_key, digest_size=16).digest()


async def search(session: aiohttp.ClientSession, spec: LimitSpec, order_key: bytes, tally: Tally) -> int:
    """One page: keys from all, order, the page's records from their owners, their labels. Its size."""
    bodies = spec.keys_body.encode()
    answers = await asyncio.gather(*(_post(session, url, bodies, tally) for url in spec.sources.values()))
    keys = [
        (_order(order_key, bron, match["idWerkzoekende"]), bron, match["idWerkzoekende"])
        for bron, answer in zip(spec.sources, answers, strict=True)
        for match in answer["data"]["bronWerkzoekendeProfielMatches"]["matches"]
    ]
    page = sorted(keys)[: spec.first]
    owners: dict[str, list[str]] = {}
    for _, bron, record_id in page:
        owners.setdefault(bron, []).append(record_id)
    records = await asyncio.gather(*(_fetch(session, spec, bron, ids, tally) for bron, ids in owners.items()))
    codes = {b["codeBeroepsnaam"]: None for rs in records for r in rs for b in r.get("bemiddelingsberoep") or ()}
    representations = [{"__typename": "Beroep", "codeBeroepsnaam": code} for code in codes]
    body = orjson.dumps({"query": spec.entities_query, "variables": {"representations": representations}})
    await _post(session, spec.entities_url, body, tally)
    return sum(len(rs) for rs in records)


async def _fetch(
    session: aiohttp.ClientSession, spec: LimitSpec, bron: str, ids: list[str], tally: Tally
) -> list[dict[str, Any]]:
    fields = " ".join(
        f'r{i}: bronWerkzoekendeProfiel(idWerkzoekende: "{rid}") {{ {spec.record_fields} }}'
        for i, rid in enumerate(ids)
    )
    answer = await _post(session, spec.sources[bron], orjson.dumps({"query": f"query Page {{ {fields} }}"}), tally)
    return [answer["data"][f"r{i}"] for i in range(len(ids))]


async def closed_loop(session: aiohttp.ClientSession, spec: LimitSpec, seconds: float, tally: Tally) -> None:
    deadline = time.perf_counter() + seconds
    keys = itertools.cycle([bytes([index]) * 32 for index in range(ORDER_KEYS)])

    async def worker() -> None:
        while time.perf_counter() < deadline:
            started = time.perf_counter()
            try:
                size = await search(session, spec, next(keys), tally)
            except (aiohttp.ClientError, ValueError, KeyError, TypeError):
                size = -1
            tally.latencies.append((time.perf_counter() - started) * 1000)
            if size != spec.first:
                tally.errors += 1

    await asyncio.gather(*(worker() for _ in range(spec.concurrency)))


async def main(spec: LimitSpec) -> None:
    connector = aiohttp.TCPConnector(limit=max(100, 2 * len(spec.sources)), limit_per_host=0)
    async with aiohttp.ClientSession(connector=connector) as session:
        await closed_loop(session, spec, spec.warmup, Tally())
        tally = Tally()
        cpu, started = time.process_time(), time.perf_counter()
        await closed_loop(session, spec, spec.duration, tally)
        cpu, elapsed = time.process_time() - cpu, time.perf_counter() - started
    searches = len(tally.latencies)
    print(
        json.dumps(
            {
                "searches": searches,
                "errors": tally.errors,
                "seconds": elapsed,
                "cpu_seconds": cpu,
                "latencies": tally.latencies,
                "calls": tally.calls,
                "received": tally.received,
                "peak_rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
            }
        ),
        flush=True,
    )


if __name__ == "__main__":
    uvloop.run(main(LimitSpec.read(Path(sys.argv[1]))))
