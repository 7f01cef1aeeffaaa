"""Flatten: complete entity objects (e.g. `Beroep`) with fields a reference subgraph resolves.

Keys are collected at the plan's paths below the records, deduplicated and sent in one batched
`_entities` request per entity fetch (an aiodataloader per request batches and caches, also across
root fields). A reference subgraph that fails leaves those fields null, with one error.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping, Sequence
from typing import Any

from aiodataloader import DataLoader

from ..plan.nodes import EntityFetch, Flatten, Path
from ..registry import Registry, SourceState
from ..subgraph_client import SourceFailure, SubgraphClient

Key = tuple[Any, ...]
Headers = Callable[[SourceState], dict[str, str]]


def objects_at(records: Sequence[Any], path: Path) -> Iterator[dict[str, Any]]:
    """Every object reached from the records by following `path` (lists are walked through)."""
    current: list[Any] = list(records)
    for step in path:
        following: list[Any] = []
        for value in current:
            if isinstance(value, dict):
                child = value.get(step)
                if isinstance(child, list):
                    following.extend(child)
                elif child is not None:
                    following.append(child)
        current = following
    yield from (value for value in current if isinstance(value, dict))


class EntityLoader(DataLoader):  # type: ignore[type-arg]
    """Coalesces the key sets of one entity fetch into one `_entities` request.

    One load is a whole set of keys (all the objects one Flatten completes), not a single key: a
    page can hold hundreds of distinct occupations, and a future per key would cost more than the
    request. Loads in the same tick (several root fields) still share one request.
    """

    def __init__(self, fetch: EntityFetch, registry: Registry, client: SubgraphClient, headers: Headers) -> None:
        super().__init__()
        self.fetch = fetch
        self.registry = registry
        self.client = client
        self.headers = headers
        self.failure: str | None = None

    async def batch_load_fn(self, key_sets: Sequence[tuple[Key, ...]]) -> list[dict[Key, Mapping[str, Any] | None]]:
        keys = list(dict.fromkeys(key for key_set in key_sets for key in key_set))
        found = dict(zip(keys, await self._fetch(keys), strict=True))
        return [found for _ in key_sets]

    async def _fetch(self, keys: Sequence[Key]) -> list[Mapping[str, Any] | None]:
        fetch = self.fetch
        state = self.registry.reference(fetch.subgraph)
        if state is None or not state.usable:
            self.failure = state.message if state else "not in the registry"
            return [None] * len(keys)
        representations = [
            {"__typename": fetch.type_name, **dict(zip(fetch.key_fields, key, strict=True))} for key in keys
        ]
        try:
            response = await self.client.query(
                state.config.url,
                fetch.operation,
                {"representations": representations},
                state.config.timeout,
                self.headers(state),
                source=state.config.id,
            )
        except SourceFailure as failure:
            self.failure = failure.message
            return [None] * len(keys)
        entities = (response.data or {}).get("_entities")
        if not isinstance(entities, list) or len(entities) != len(keys):
            self.failure = response.errors[0]["message"] if response.errors else "malformed _entities answer"
            return [None] * len(keys)
        return [entity if isinstance(entity, dict) else None for entity in entities]


class EntityCompleter:
    """The per-request loaders, one per entity fetch of the plan."""

    def __init__(self, registry: Registry, client: SubgraphClient, headers: Headers) -> None:
        self.registry = registry
        self.client = client
        self.headers = headers
        self.loaders: dict[EntityFetch, EntityLoader] = {}

    async def complete(self, flatten: Flatten, records: Sequence[Any]) -> str | None:
        """Merge the entity fields into the objects at the flatten's paths; a failure message or None."""
        fetch = flatten.fetch
        loader = self.loaders.get(fetch)
        if loader is None:
            loader = self.loaders[fetch] = EntityLoader(fetch, self.registry, self.client, self.headers)
        targets: dict[Key, list[dict[str, Any]]] = {}
        for path in flatten.paths:
            for target in objects_at(records, path):
                key = tuple(target.get(field) for field in fetch.key_fields)
                if all(isinstance(part, str | int) for part in key):
                    targets.setdefault(key, []).append(target)
        if not targets:
            return None
        found = await loader.load(tuple(targets))
        for key, objects in targets.items():
            fields = [(field, value) for field, value in (found[key] or {}).items() if field not in fetch.key_fields]
            for target in objects:
                target.update(fields)
        if loader.failure:
            return f"reference data ({fetch.subgraph}) unavailable: {loader.failure}"
        return None
