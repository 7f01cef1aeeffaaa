"""A search's ordered keys, kept for its next pages: page 2 asks only the owners of its records.

Page 1 of a search asks every organisation for its records' keys (query-then-fetch, `search.py`),
orders them and fetches the page's records from their owners. The ordered list (positions,
owners, record ids, the consent categories phase 1 found, and `bronnen`'s figures: no personal
data beyond keys) is kept here, so `after: endCursor` skips the fan-out to every organisation.

Kept in memory, bounded by entries and bytes, least recently used dropped first, each for at most
`seconds`; with Redis, shared across replicas too, sealed with AES-256-GCM under a key derived from
the pseudonym key (unreadable and unforgeable there), its name a keyed digest of the search
(vraagID, kind, caller's organisation and role, selectievraag). A list that is gone (expired,
evicted, Redis down) costs nothing but speed: the search redoes phase 1, whose order depends only
on the vraagID, so the pages stay consistent.
"""

from __future__ import annotations

import contextlib
import hashlib
import logging
import os
import time
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, NamedTuple

import orjson
from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

from .. import redis_store

log = logging.getLogger("vum.federation")
NONCE_BYTES = 12
PREFIX = "vum:keys:"
KEY_BYTES = 256  # one Key: the tuple, its position and record id strings (source ids and consent sets are shared)
SOURCE_BYTES = 1024  # one organisation's `bronnen` entry


class Key(NamedTuple):
    """One record of a search, where it stands in the order, and what phase 1 said may be released.
    A tuple: a search at national scale makes tens of thousands, and sorts them by position."""

    position: str
    bron_id: str
    record_id: str
    allowed: frozenset[str]


@dataclass(frozen=True)
class KeyList:
    """A search's ordered keys and what `bronnen` reports of its phase 1."""

    keys: tuple[Key, ...]
    bronnen: tuple[dict[str, Any], ...]
    more: bool

    def size(self) -> int:
        """An estimate of the memory it holds, for the bound in bytes (without serialising it)."""
        return KEY_BYTES * len(self.keys) + SOURCE_BYTES * len(self.bronnen)

    def dump(self) -> bytes:
        keys = [[k.position, k.bron_id, k.record_id, sorted(k.allowed)] for k in self.keys]
        return orjson.dumps({"k": keys, "b": self.bronnen, "m": self.more})

    @classmethod
    def load(cls, raw: bytes) -> KeyList:
        data = orjson.loads(raw)
        keys = tuple(Key(p, b, r, frozenset(a)) for p, b, r, a in data["k"])
        return cls(keys, tuple(data["b"]), bool(data["m"]))


def search_name(secret: bytes, vraag_id: str, kind: str, oin: str, role: str, question: bytes) -> str:
    """The list's name: only this gateway can compute it, and it says nothing of the search."""
    text = b"\x1f".join((vraag_id.encode(), kind.encode(), oin.encode(), role.encode(), question))
    return hashlib.blake2b(text, key=secret, digest_size=20, person=b"vum-keylist").hexdigest()


class KeyLists:
    """The kept key lists: in memory, and in Redis when configured."""

    def __init__(
        self,
        secret: bytes,
        entries: int = 1000,
        max_bytes: int = 256 * 1024 * 1024,
        seconds: float = 600.0,
        redis_url: str | None = None,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.secret = hashlib.blake2b(b"vum-keylist-name", key=secret, digest_size=32).digest()
        self._cipher = AESGCM(hashlib.blake2b(b"vum-keylist-seal", key=secret, digest_size=32).digest())
        self.entries, self.max_bytes, self.seconds = entries, max_bytes, seconds
        self.clock = clock
        self.bytes = 0
        self._kept: OrderedDict[str, tuple[float, int, KeyList]] = OrderedDict()
        self.redis = redis_store.connect(redis_url, 2) if redis_url else None  # imports redis only when used
        self._failures: tuple[type[Exception], ...] = redis_store.failures() if redis_url else ()

    def name(self, vraag_id: str, kind: str, oin: str, role: str, question: bytes) -> str:
        return search_name(self.secret, vraag_id, kind, oin, role, question)

    async def get(self, name: str) -> KeyList | None:
        kept = self._kept.get(name)
        if kept is not None:
            if kept[0] > self.clock():
                self._kept.move_to_end(name)
                return kept[2]
            self._drop(name)
        if self.redis is None:
            return None
        try:
            sealed = await self.redis.get(PREFIX + name)
        except self._failures as error:
            log.warning("search key lists: Redis cannot be read (%s); the search asks every source", error)
            return None
        if not isinstance(sealed, bytes):
            return None
        try:
            raw = self._cipher.decrypt(sealed[:NONCE_BYTES], sealed[NONCE_BYTES:], name.encode())
        except (InvalidTag, ValueError):
            log.warning("search key lists: a list in Redis fails authentication; ignored")
            return None
        found = KeyList.load(raw)
        self._keep(name, found, found.size())
        return found

    async def put(self, name: str, found: KeyList) -> None:
        self._keep(name, found, found.size())
        if self.redis is None:
            return
        raw = found.dump()
        nonce = os.urandom(NONCE_BYTES)
        sealed = nonce + self._cipher.encrypt(nonce, raw, name.encode())
        try:
            await self.redis.set(PREFIX + name, sealed, ex=max(1, int(self.seconds)))
        except self._failures as error:
            log.warning("search key lists: Redis cannot be written (%s); kept in this replica only", error)

    def _keep(self, name: str, found: KeyList, size: int) -> None:
        if name in self._kept:
            self._drop(name)
        if size > self.max_bytes:
            return  # larger than all of the room: not kept (its next page asks every source again)
        self._kept[name] = (self.clock() + self.seconds, size, found)
        self.bytes += size
        while len(self._kept) > self.entries or self.bytes > self.max_bytes:
            self._drop(next(iter(self._kept)))

    def _drop(self, name: str) -> None:
        _, size, _ = self._kept.pop(name)
        self.bytes -= size

    def clear(self) -> None:
        """Forget what this replica keeps (tests; Redis keeps its own until it expires)."""
        self._kept.clear()
        self.bytes = 0

    async def close(self) -> None:
        if self.redis is not None:
            with contextlib.suppress(*self._failures):
                await self.redis.aclose()
