"""The detail quota: at most N detail profiles per search (VUM: 10 per vraagID).

A search is the vraagID together with the OIN of the organisation it was issued to, and only the
gateway issues vraagIDs (`gateway/cursor.py`), so no one can spend another organisation's quota.
A profile looked up again within the same search does not count twice. A lookup reserves its
place before the source is asked and gives it back when nothing is disclosed after all (the
source failed, or the processing log could not be written): a detail counts once it is disclosed.
In memory by default (bounded: the least recently used searches are forgotten first, which only
ever gives their quota back); with Redis the count is shared by every gateway replica.
"""

from __future__ import annotations

import contextlib
import time
from dataclasses import dataclass
from typing import Protocol

from cachetools import TTLCache

from . import redis_store

VRAAG_TTL_SECONDS = 24 * 3600  # a search's quota is kept for a day
MAX_SEARCHES_IN_MEMORY = 100_000  # at most `limit` record keys each


class QuotaExceeded(Exception):
    """The search has had its detail profiles."""


class QuotaUnavailable(Exception):
    """The shared quota store cannot be reached: refuse rather than allow unlimited detail."""


def search_key(oin: str, vraag_id: str) -> str:
    """One organisation's search: its quota is its own."""
    return f"{oin}:{vraag_id}"


class DetailQuota(Protocol):
    limit: int

    async def take(self, search: str, record: str) -> tuple[int, bool]:
        """Count `record` against the search: the number of distinct records so far (more than
        the limit when it did not fit), and whether this call added it."""
        ...

    async def give_back(self, search: str, record: str) -> None:
        """Undo a `take` that added the record."""
        ...

    async def close(self) -> None: ...


@dataclass(frozen=True)
class Reservation:
    """A record counted against a search; given back when it is not disclosed after all."""

    search: str
    record: str


async def reserve(quota: DetailQuota, oin: str, vraag_id: str, record: str) -> Reservation | None:
    """Count a detail lookup; None when the record was counted in this search before.

    Raises QuotaExceeded when the search has had its details, QuotaUnavailable when the store
    cannot be reached."""
    search = search_key(oin, vraag_id)
    count, added = await quota.take(search, record)
    if count > quota.limit:
        raise QuotaExceeded(f"this search (vraagID {vraag_id}) has had its {quota.limit} detail profiles")
    return Reservation(search, record) if added else None


class MemoryQuota:
    """Per-process quota; enough for one replica."""

    def __init__(self, limit: int, max_searches: int = MAX_SEARCHES_IN_MEMORY) -> None:
        self.limit = limit
        self._seen: TTLCache[str, set[str]] = TTLCache(max_searches, VRAAG_TTL_SECONDS, timer=time.monotonic)

    async def take(self, search: str, record: str) -> tuple[int, bool]:
        records = self._seen.get(search)
        if records is None:
            records = self._seen[search] = set()
        if record in records:
            return len(records), False
        if len(records) >= self.limit:
            return len(records) + 1, False
        records.add(record)
        return len(records), True

    async def give_back(self, search: str, record: str) -> None:
        records = self._seen.get(search)
        if records is not None:
            records.discard(record)

    async def close(self) -> None:
        return None


# Atomic on the Redis server, so concurrent lookups on several replicas cannot overshoot.
# Returns {count, added}.
TAKE = """
if redis.call('SISMEMBER', KEYS[1], ARGV[1]) == 1 then return {redis.call('SCARD', KEYS[1]), 0} end
local size = redis.call('SCARD', KEYS[1])
if size >= tonumber(ARGV[2]) then return {size + 1, 0} end
redis.call('SADD', KEYS[1], ARGV[1])
redis.call('EXPIRE', KEYS[1], ARGV[3])
return {size + 1, 1}
"""


class RedisQuota:
    """Quota shared through Redis: a set per search that expires with it."""

    def __init__(self, limit: int, url: str) -> None:
        self.limit = limit
        self.redis = redis_store.connect(url, 2)
        self._take = self.redis.register_script(TAKE)
        self._failures = redis_store.failures()

    async def take(self, search: str, record: str) -> tuple[int, bool]:
        try:
            count, added = await self._take(keys=[_key(search)], args=[record, self.limit, VRAAG_TTL_SECONDS])
        except self._failures as error:
            raise QuotaUnavailable(f"the quota store cannot be reached ({type(error).__name__})") from None
        return int(count), bool(added)

    async def give_back(self, search: str, record: str) -> None:
        with contextlib.suppress(*self._failures):  # else the place stays taken: errs on the safe side
            await self.redis.srem(_key(search), record)

    async def close(self) -> None:
        await self.redis.aclose()


def _key(search: str) -> str:
    return f"vum:quota:{search}"
