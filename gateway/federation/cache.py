"""Caches bounded by memory: `WeighedLRU` keeps entries until their weight passes a budget.

A cache bounded only by entries is not bounded in memory: a thousand 120 KB documents weigh a
thousand times more than a thousand small ones (issue 9, finding 3). Every cache of the runtime
that keeps something per operation (documents, normalised operations, plans) is a `WeighedLRU`
whose weight is an estimate of the bytes an entry keeps alive; what is derived from a plan (its
compiled projections, its authorised variants, its flat inputs) lives on the plan's own objects,
so it goes when the plan goes. The estimates are rough on purpose (counted, never measured at run
time) and err on the large side.
"""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Hashable, Iterable
from threading import Lock
from typing import Generic, TypeVar

from graphql import DocumentNode, Node

K = TypeVar("K", bound=Hashable)
V = TypeVar("V")

NODE_BYTES = 350  # per node of a kept document: the node, its location and tokens (~280–350 measured)
TEXT_BYTES = 4  # per character of a kept document: its source, comment tokens, the key
FIELD_BYTES = 400  # per normalised selection: its Field, Selection and (later) compiled projection
FETCH_BYTES = 600  # per fetch of a plan, besides the text of its subgraph operation
ENTRY_BYTES = 256  # what an entry costs besides its value (key, links, bookkeeping)


class WeighedLRU(Generic[K, V]):
    """A least-recently-used cache bounded by the total weight (estimated bytes) of its entries,
    and optionally by their number. An entry heavier than the whole budget is not kept."""

    def __init__(self, budget: int, max_entries: int | None = None) -> None:
        if budget < 1:
            raise ValueError("a cache's budget is at least one byte")
        self.budget = budget
        self.max_entries = max_entries
        self._entries: OrderedDict[K, tuple[V, int]] = OrderedDict()
        self._weight = 0
        self._lock = Lock()

    def get(self, key: K) -> V | None:
        with self._lock:
            found = self._entries.get(key)
            if found is None:
                return None
            self._entries.move_to_end(key)
            return found[0]

    def put(self, key: K, value: V, weight: int) -> None:
        """Keep `value` under `key`, weighing `weight` bytes; evicts the least recently used
        entries until the cache is within its budget (and entry count) again."""
        weight = max(1, weight) + ENTRY_BYTES
        with self._lock:
            old = self._entries.pop(key, None)
            if old is not None:
                self._weight -= old[1]
            if weight > self.budget:
                return  # larger than the whole cache: made again when asked again
            self._entries[key] = (value, weight)
            self._weight += weight
            limit = self.max_entries
            while self._weight > self.budget or (limit is not None and len(self._entries) > limit):
                _, (_, dropped) = self._entries.popitem(last=False)
                self._weight -= dropped

    def clear(self) -> None:
        with self._lock:
            self._entries.clear()
            self._weight = 0

    @property
    def weight(self) -> int:
        """The estimated bytes the entries keep."""
        return self._weight

    def __len__(self) -> int:
        return len(self._entries)

    def __contains__(self, key: object) -> bool:
        return key in self._entries


def count_nodes(document: DocumentNode) -> int:
    """The number of AST nodes of a document (what keeping it costs, roughly)."""
    count = 0
    pending: list[Node] = [document]
    while pending:
        node = pending.pop()
        count += 1
        for key in node.keys:
            value = getattr(node, key, None)
            if isinstance(value, Node):
                pending.append(value)
            elif isinstance(value, tuple | list):
                pending.extend(item for item in value if isinstance(item, Node))
    return count


def document_bytes(text_length: int, document: DocumentNode) -> int:
    """The estimated memory of a parsed document of `text_length` characters."""
    return TEXT_BYTES * text_length + NODE_BYTES * count_nodes(document)


def texts_bytes(texts: Iterable[str]) -> int:
    return sum(len(text) for text in texts)
