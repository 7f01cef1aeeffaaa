"""The detail quota: at most N detail profiles per vraagID (VUM: 10 per search).

A profile looked up again within the same search does not count twice. In memory by default;
with Redis the count is shared by every gateway replica.
"""

from __future__ import annotations

import time
from typing import Protocol

import redis.asyncio as aioredis

VRAAG_TTL_SECONDS = 24 * 3600  # a search's quota is kept for a day


class QuotaExceeded(Exception):
    """The search has had its detail profiles."""


class QuotaUnavailable(Exception):
    """The shared quota store cannot be reached: refuse rather than allow unlimited detail."""


class DetailQuota(Protocol):
    limit: int

    async def take(self, vraag_id: str, record: str) -> int:
        """Count `record` against the search; the number of distinct records so far."""
        ...

    async def close(self) -> None: ...


async def check(quota: DetailQuota, vraag_id: str, record: str) -> None:
    if await quota.take(vraag_id, record) > quota.limit:
        raise QuotaExceeded(f"this search (vraagID {vraag_id}) has had its {quota.limit} detail profiles")


class MemoryQuota:
    """Per-process quota; enough for one replica."""

    def __init__(self, limit: int) -> None:
        self.limit = limit
        self._seen: dict[str, tuple[float, set[str]]] = {}

    async def take(self, vraag_id: str, record: str) -> int:
        now = time.monotonic()
        if len(self._seen) > 100_000:
            self._seen = {k: v for k, v in self._seen.items() if now - v[0] < VRAAG_TTL_SECONDS}
        _, records = self._seen.setdefault(vraag_id, (now, set()))
        if record not in records and len(records) >= self.limit:
            return len(records) + 1
        records.add(record)
        return len(records)

    async def close(self) -> None:
        return None


# Atomic on the Redis server, so concurrent lookups on several replicas cannot overshoot.
TAKE = """
if redis.call('SISMEMBER', KEYS[1], ARGV[1]) == 1 then return redis.call('SCARD', KEYS[1]) end
local size = redis.call('SCARD', KEYS[1])
if size >= tonumber(ARGV[2]) then return size + 1 end
redis.call('SADD', KEYS[1], ARGV[1])
redis.call('EXPIRE', KEYS[1], ARGV[3])
return size + 1
"""


class RedisQuota:
    """Quota shared through Redis: a set per vraagID that expires with the search."""

    def __init__(self, limit: int, url: str) -> None:
        self.limit = limit
        self.redis = aioredis.from_url(url, socket_timeout=2, socket_connect_timeout=2)
        self._take = self.redis.register_script(TAKE)

    async def take(self, vraag_id: str, record: str) -> int:
        try:
            count = await self._take(keys=[f"vum:quota:{vraag_id}"], args=[record, self.limit, VRAAG_TTL_SECONDS])
        except (aioredis.RedisError, OSError) as error:
            raise QuotaUnavailable(f"the quota store cannot be reached ({type(error).__name__})") from None
        return int(count)

    async def close(self) -> None:
        await self.redis.aclose()
