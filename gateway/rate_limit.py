"""Rate limits per caller, so one caller cannot degrade the service for everyone.

Each caller has a token bucket: `burst` requests at once, refilled at `requests_per_second`. A
caller is the organisation (OIN) and subject of its token; a request without a token counts
against its network address. In memory by default, the buckets bounded in number (the least
recently used are dropped, which only forgives); with Redis the buckets are shared by every
replica, updated atomically on the Redis server with its clock. When Redis cannot be reached the
replica limits on its own (in memory) rather than let everything through or refuse everyone.
"""

from __future__ import annotations

import logging
import math
import time
from dataclasses import dataclass
from typing import Protocol

from cachetools import LRUCache

from . import redis_store

log = logging.getLogger("vum.rate_limit")

RATE_LIMITED = "RATE_LIMITED"


@dataclass(frozen=True)
class Decision:
    """Whether a request may go ahead; if not, after how many seconds one may."""

    allowed: bool
    retry_after: int = 0


class RateLimiter(Protocol):
    async def take(self, caller: str) -> Decision:
        """Spend one request of `caller`'s bucket."""
        ...

    async def close(self) -> None: ...


def caller_key(oin: str | None, subject: str | None, address: str | None) -> str:
    """Whose bucket a request spends: the token's organisation and subject, else the address."""
    if oin is not None and subject is not None:
        return f"caller:{oin}:{subject}"
    return f"address:{address or 'unknown'}"


class Unlimited:
    """No rate limit (`gateway.rate_limit.enabled = false`)."""

    async def take(self, caller: str) -> Decision:
        return Decision(True)

    async def close(self) -> None:
        return None


class MemoryRateLimiter:
    """Token buckets in this process, at most `max_callers` of them."""

    def __init__(self, rate: float, burst: int, max_callers: int) -> None:
        self.rate = rate
        self.burst = burst
        self._buckets: LRUCache[str, tuple[float, float]] = LRUCache(max_callers)  # tokens, when

    async def take(self, caller: str) -> Decision:
        now = time.monotonic()
        tokens, then = self._buckets.get(caller, (float(self.burst), now))
        tokens = min(float(self.burst), tokens + (now - then) * self.rate)
        if tokens >= 1.0:
            self._buckets[caller] = (tokens - 1.0, now)
            return Decision(True)
        self._buckets[caller] = (tokens, now)
        return Decision(False, math.ceil((1.0 - tokens) / self.rate))

    async def close(self) -> None:
        return None


# KEYS[1] the bucket; ARGV rate (per second), burst. Returns {allowed, milliseconds to wait}.
TAKE = """
local now_parts = redis.call('TIME')
local now = tonumber(now_parts[1]) * 1000 + math.floor(tonumber(now_parts[2]) / 1000)
local rate, burst = tonumber(ARGV[1]), tonumber(ARGV[2])
local bucket = redis.call('HMGET', KEYS[1], 'tokens', 'at')
local tokens, at = tonumber(bucket[1]) or burst, tonumber(bucket[2]) or now
tokens = math.min(burst, tokens + math.max(0, now - at) * rate / 1000)
local allowed, wait = 0, 0
if tokens >= 1 then tokens, allowed = tokens - 1, 1 else wait = math.ceil((1 - tokens) * 1000 / rate) end
redis.call('HSET', KEYS[1], 'tokens', tostring(tokens), 'at', tostring(now))
redis.call('PEXPIRE', KEYS[1], math.ceil(burst * 1000 / rate) + 1000)
return {allowed, wait}
"""


class RedisRateLimiter:
    """Token buckets shared by every replica through Redis; this replica's own when Redis is down."""

    def __init__(self, rate: float, burst: int, url: str, max_callers: int) -> None:
        self.rate = rate
        self.burst = burst
        self.redis = redis_store.connect(url, 1)
        self._take = self.redis.register_script(TAKE)
        self._failures = redis_store.failures()
        self._fallback = MemoryRateLimiter(rate, burst, max_callers)
        self._failing = False

    async def take(self, caller: str) -> Decision:
        try:
            allowed, wait = await self._take(keys=[f"vum:rate:{caller}"], args=[self.rate, self.burst])
        except self._failures as error:
            if not self._failing:
                log.warning("rate limits are kept per replica: Redis cannot be reached (%s)", type(error).__name__)
                self._failing = True
            return await self._fallback.take(caller)
        if self._failing:
            log.info("rate limits are shared through Redis again")
            self._failing = False
        return Decision(bool(allowed), math.ceil(int(wait) / 1000))

    async def close(self) -> None:
        await self.redis.aclose()
