"""Redis for what replicas may share: the detail quota, rate limits and searches' key lists.

`redis.asyncio` is imported only when a Redis URL is configured: its import costs ~0.2 s of
start-up (it brings OpenTelemetry's metrics SDK along), which a gateway without Redis need not pay.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from redis.asyncio import Redis


def connect(url: str, timeout: float) -> Redis:
    """A client of the Redis at `url` (it connects on first use), `timeout` seconds per call."""
    from redis import asyncio as aioredis

    return aioredis.from_url(url, socket_timeout=timeout, socket_connect_timeout=timeout)


def failures() -> tuple[type[Exception], ...]:
    """What a call to Redis raises when the server cannot be reached or answers with an error."""
    from redis import RedisError

    return (RedisError, OSError)
