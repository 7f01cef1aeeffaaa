"""The two kinds of fetch: a root fetch (merged at the top of the tree) and an entity fetch (Flatten).

An entity fetch collects the objects at its path, builds one representation per distinct object
(deduplicated by value), sends them in ONE `_entities` request per instance (one, unless the
hooks route representations to the instances that own them), and merges each entity back into
every object it came from. Errors of subgraphs are re-pathed to where the objects are.
"""

from __future__ import annotations

import asyncio
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import orjson

from ..errors import ErrorCode
from ..planning.nodes import Fetch, Flatten
from . import errors
from .hooks import Hooks, RequestContext
from .transport import Endpoint, SubgraphFailure, SubgraphResponse, Transport
from .tree import apply_renames, flat_representation, flat_values, merge, objects_at, paths_of, representation

REPRESENTATIONS = "representations"
FlatInputs = dict[str, tuple[str, tuple[tuple[str, str], ...], frozenset[str]]]


@dataclass
class Run:
    """The state of one request's execution: the response tree and the errors so far."""

    variables: dict[str, Any]
    context: RequestContext
    data: dict[str, Any] = field(default_factory=dict)
    errors: list[dict[str, Any]] = field(default_factory=list)


class Fetcher:
    """Runs fetches for the executor; shared by every request."""

    def __init__(self, transport: Transport, hooks: Hooks, abstract: frozenset[str]) -> None:
        self.transport = transport
        self.hooks = hooks
        self.abstract = abstract  # interface and union names: never a concrete __typename

    async def root(self, fetch: Fetch, run: Run) -> None:
        variables = {name: run.variables[name] for name in fetch.variables if name in run.variables}
        body = orjson.dumps({"query": fetch.operation, "variables": variables})
        instances = self.hooks.instances(fetch.subgraph, run.context)
        if len(instances) == 1 and not self.hooks.fans_out(fetch.subgraph, run.context):
            response = await self._post(fetch, instances[0], body, run, None)
        else:
            answers = await asyncio.gather(*(self._answer(fetch, e, body, run) for e in instances))
            response = self.hooks.merge_instances(
                fetch.subgraph, list(zip(instances, answers, strict=True)), run.context
            )
        if response is None:
            return
        if response.data:
            if fetch.renames:
                apply_renames(response.data, fetch.renames)
            merge(run.data, response.data, self.abstract)
        for error in response.errors:
            run.errors.append(errors.from_subgraph(error, fetch.subgraph, error.get("path")))

    async def entities(self, flatten: Flatten, run: Run) -> None:
        fetch = flatten.node
        representations, targets = self._representations(flatten, run)
        if not representations:
            return
        variables = {name: run.variables[name] for name in fetch.variables if name in run.variables}
        objects = [group[0] for group in targets]
        routes = self.hooks.route(fetch.subgraph, representations, objects, run.context)
        if routes is None:
            routes = ((self.hooks.endpoint(fetch.subgraph, run.context), range(len(representations))),)
        parts = await asyncio.gather(
            *(
                self._entity_part(flatten, endpoint, indices, representations, variables, run)
                for endpoint, indices in routes
            )
        )
        for (_, indices), part in zip(routes, parts, strict=True):
            if part is None:
                continue
            response, entities = part
            if entities is not None:
                self._merge_entities(fetch, indices, entities, targets)
            if response.errors:
                self._repath(response, flatten, indices, targets, run)

    def _representations(self, flatten: Flatten, run: Run) -> tuple[list[dict[str, Any]], list[list[dict[str, Any]]]]:
        """One representation per distinct object at the path, and the objects behind each."""
        fetch = flatten.node
        assert fetch.inputs is not None
        inputs = fetch.inputs
        flat = self._flat_inputs(fetch)
        representations: list[dict[str, Any]] = []
        targets: list[list[dict[str, Any]]] = []
        index: dict[Any, int] = {}
        for obj in objects_at(run.data, flatten.path):
            typename = obj.get("__typename")
            shape = flat.get(typename)  # type: ignore[arg-type]
            rep = None
            if shape is not None:
                values = flat_values(shape[1], shape[2], obj)
                if values is None:
                    continue
                identity: Any = (shape[0], values)
                try:
                    position = index.get(identity)
                except TypeError:  # a value that is a list or an object: identify by JSON
                    rep = flat_representation(shape[0], shape[1], values)
                    identity = orjson.dumps(rep)
                    position = index.get(identity)
                if position is None and rep is None:
                    rep = flat_representation(shape[0], shape[1], values)
            else:
                entity_input = inputs.get(typename)  # type: ignore[arg-type]
                rep = representation(entity_input, obj) if entity_input is not None else None
                if rep is None:
                    continue
                identity = orjson.dumps(rep)
                position = index.get(identity)
            if position is None:
                assert rep is not None
                index[identity] = len(representations)
                representations.append(rep)
                targets.append([obj])
            else:
                targets[position].append(obj)
        return representations, targets

    async def _entity_part(
        self,
        flatten: Flatten,
        endpoint: Endpoint,
        indices: Sequence[int],
        representations: list[dict[str, Any]],
        variables: dict[str, Any],
        run: Run,
    ) -> tuple[SubgraphResponse, list[Any] | None] | None:
        fetch = flatten.node
        sent = representations if len(indices) == len(representations) else [representations[i] for i in indices]
        body = orjson.dumps({"query": fetch.operation, "variables": {**variables, REPRESENTATIONS: sent}})
        response = await self._post(fetch, endpoint, body, run, flatten.path)
        if response is None:
            return None
        entities = (response.data or {}).get("_entities")
        if response.data is not None and (type(entities) is not list or len(entities) != len(sent)):
            count = f"{len(entities)} entities" if type(entities) is list else "no list"
            message = f"subgraph {fetch.subgraph} answered _entities with {count} for {len(sent)} representations"
            run.errors.append(errors.executor_error(message, ErrorCode.INVALID_SUBGRAPH_RESPONSE, fetch.subgraph))
            entities = None
        return response, entities

    def _merge_entities(
        self, fetch: Fetch, indices: Sequence[int], entities: list[Any], targets: list[list[dict[str, Any]]]
    ) -> None:
        abstract = self.abstract
        for position, entity in zip(indices, entities, strict=True):
            if type(entity) is not dict:
                continue
            if fetch.renames:
                apply_renames(entity, fetch.renames)
            for obj in targets[position]:
                merge(obj, entity, abstract)

    def _repath(
        self,
        response: SubgraphResponse,
        flatten: Flatten,
        indices: Sequence[int],
        targets: list[list[dict[str, Any]]],
        run: Run,
    ) -> None:
        """Errors at `_entities.N…` go to the path of every object behind representation N."""
        subgraph = flatten.node.subgraph
        paths: dict[int, list[str | int]] | None = None
        for error in response.errors:
            where = error.get("path")
            if not (
                isinstance(where, list) and len(where) >= 2 and where[0] == "_entities" and isinstance(where[1], int)
            ):
                run.errors.append(errors.from_subgraph(error, subgraph, None))
                continue
            if paths is None:
                paths = paths_of(run.data, flatten.path)
            objects = targets[indices[where[1]]] if 0 <= where[1] < len(indices) else []
            if not objects:
                run.errors.append(errors.from_subgraph(error, subgraph, None))
            for obj in objects:
                base = paths.get(id(obj))
                run.errors.append(errors.from_subgraph(error, subgraph, [*base, *where[2:]] if base else None))

    async def _answer(
        self, fetch: Fetch, endpoint: Endpoint, body: bytes, run: Run
    ) -> SubgraphResponse | SubgraphFailure:
        try:
            response = await self.transport.post(
                fetch.subgraph, endpoint, body, self.hooks.headers(fetch.subgraph, endpoint, run.context)
            )
        except SubgraphFailure as failure:
            return failure
        self.hooks.received(fetch.subgraph, endpoint, response, run.context)
        return response

    async def _post(
        self, fetch: Fetch, endpoint: Endpoint, body: bytes, run: Run, path: tuple[str, ...] | None
    ) -> SubgraphResponse | None:
        answer = await self._answer(fetch, endpoint, body, run)
        if isinstance(answer, SubgraphFailure):
            run.errors.append(errors.failure(answer, path))
            return None
        return answer

    def _flat_inputs(self, fetch: Fetch) -> FlatInputs:
        """Per typename, the inputs of a fetch that are flat (kept on the fetch: plans live long)."""
        found: FlatInputs | None = fetch.derived.get("flat")
        if found is not None:
            return found
        assert fetch.inputs is not None
        shapes: FlatInputs = {}
        for typename, entity_input in fetch.inputs.items():
            flat = entity_input.flat
            if flat is not None:
                shapes[typename] = (entity_input.typename, flat, entity_input.key_fields)
        fetch.derived["flat"] = shapes
        return shapes
