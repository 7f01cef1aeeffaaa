"""Execute a query plan: walk its nodes, run the fetches, merge their answers, then project once.

The walk dispatches on the node kind (`match` … `assert_never`): Sequence runs its children one
after the other, Parallel concurrently, Condition when its `@skip`/`@include` holds. A root fetch
merges its `data` into the response tree; an entity fetch (Flatten) collects the objects at its
path, builds one representation per distinct object (deduplicated by value), sends ONE
`_entities` request, and merges each entity back into every object it came from. Errors of
subgraphs are re-pathed to the response; a failing subgraph leaves its fields null, with an
error, and the rest of the response intact.
"""

from __future__ import annotations

import asyncio
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, assert_never

import orjson
from graphql import GraphQLInterfaceType, GraphQLSchema, GraphQLUnionType

from ..errors import ErrorCode
from ..operation import included
from ..planning.nodes import Condition, Fetch, Flatten, Parallel, PlanNode, QueryPlan, Sequence
from ..supergraph import Supergraph
from .compiled import Compiler
from .hooks import Hooks, RequestContext
from .introspection import Introspection
from .projection import Projector
from .transport import SubgraphFailure, SubgraphResponse, Transport
from .tree import apply_renames, flat_representation, merge, objects_at, paths_of, representation

REPRESENTATIONS = "representations"


@dataclass
class Run:
    """The state of one request's execution."""

    plan: QueryPlan
    variables: dict[str, Any]
    context: RequestContext
    data: dict[str, Any] = field(default_factory=dict)
    errors: list[dict[str, Any]] = field(default_factory=list)


class Executor:
    """Runs plans against the subgraphs of one supergraph."""

    def __init__(
        self, supergraph: Supergraph, transport: Transport, hooks: Hooks | None = None, *, compiled: bool = True
    ) -> None:
        self.supergraph = supergraph
        self.schema: GraphQLSchema = supergraph.api_schema
        self.transport = transport
        self.hooks = hooks or Hooks(supergraph)
        self.introspection = Introspection(supergraph.api_schema)
        self.abstract = frozenset(
            name
            for name, type_ in supergraph.schema.type_map.items()
            if isinstance(type_, GraphQLInterfaceType | GraphQLUnionType)
        )
        self.compiled: Compiler | None = Compiler(self.schema) if compiled else None
        self._flat: dict[int, tuple[Fetch, dict[str, Any]]] = {}

    async def execute(
        self, plan: QueryPlan, variables: dict[str, Any], context: RequestContext | None = None
    ) -> dict[str, Any]:
        """The GraphQL response (`data`, and `errors` when there are any) for coerced variables."""
        run = Run(plan, variables, context or RequestContext())
        if plan.denied:
            run.errors.extend(dict(error) for error in plan.denied)
        if plan.node is not None:
            await self._run(plan.node, run)
        projector = Projector(self.schema, variables, run.errors, self.compiled)
        data = projector.root(plan.operation.root, run.data)
        if plan.introspection and data is not None:
            data.update(self.introspection.answer(plan, variables, run.errors))
            data = {key: data[key] for key in plan.operation.root_keys if key in data}
        response: dict[str, Any] = {}
        if run.errors:
            response["errors"] = run.errors
        response["data"] = data
        return response

    async def _run(self, node: PlanNode, run: Run) -> None:
        match node:
            case Fetch():
                await self._root_fetch(node, run)
            case Flatten():
                await self._entity_fetch(node, run)
            case Sequence():
                for child in node.nodes:
                    await self._run(child, run)
            case Parallel():
                await asyncio.gather(*(self._run(child, run) for child in node.nodes))
            case Condition():
                if included(node.when, run.variables):
                    await self._run(node.node, run)
            case _:
                assert_never(node)

    async def _root_fetch(self, fetch: Fetch, run: Run) -> None:
        variables = {name: run.variables[name] for name in fetch.variables if name in run.variables}
        response = await self._send(fetch, variables, run, None)
        if response is None:
            return
        if response.data:
            if fetch.renames:
                apply_renames(response.data, fetch.renames)
            merge(run.data, response.data, self.abstract)
        for error in response.errors:
            run.errors.append(_subgraph_error(error, fetch.subgraph, error.get("path")))

    async def _entity_fetch(self, flatten: Flatten, run: Run) -> None:
        fetch = flatten.node
        assert fetch.inputs is not None
        inputs = fetch.inputs
        representations: list[dict[str, Any]] = []
        targets: list[list[dict[str, Any]]] = []
        index: dict[Any, int] = {}
        flat = self._flat_inputs(fetch)
        for obj in objects_at(run.data, flatten.path):
            typename = obj.get("__typename")
            shape = flat.get(typename)  # type: ignore[arg-type]
            if shape is not None:
                made = flat_representation(shape[0], shape[1], shape[2], obj)
                if made is None:
                    continue
                rep, identity = made
            else:
                entity_input = inputs.get(typename)  # type: ignore[arg-type]
                if entity_input is None:
                    continue
                found = representation(entity_input, obj)
                if found is None:
                    continue
                rep, identity = found, orjson.dumps(found)
            position = index.get(identity)
            if position is None:
                index[identity] = len(representations)
                representations.append(rep)
                targets.append([obj])
            else:
                targets[position].append(obj)
        if not representations:
            return
        variables = {name: run.variables[name] for name in fetch.variables if name in run.variables}
        variables[REPRESENTATIONS] = representations
        response = await self._send(fetch, variables, run, (flatten, targets))
        if response is None:
            return
        entities = (response.data or {}).get("_entities")
        if response.data is not None and (type(entities) is not list or len(entities) != len(representations)):
            run.errors.append(
                _error(
                    f"subgraph {fetch.subgraph} answered _entities with {_count(entities)} for "
                    f"{len(representations)} representations",
                    ErrorCode.INVALID_SUBGRAPH_RESPONSE,
                    fetch.subgraph,
                )
            )
            entities = None
        if entities:
            abstract = self.abstract
            for position, entity in enumerate(entities):
                if type(entity) is not dict:
                    continue
                if fetch.renames:
                    apply_renames(entity, fetch.renames)
                for obj in targets[position]:
                    merge(obj, entity, abstract)
        if response.errors:
            self._entity_errors(response, flatten, targets, run)

    def _flat_inputs(self, fetch: Fetch) -> dict[str, tuple[str, tuple[tuple[str, str], ...], frozenset[str]]]:
        """Per typename, the flat inputs of a fetch (cached: plans are long-lived)."""
        found = self._flat.get(id(fetch), (None, None))
        if found[0] is fetch:
            return found[1]
        assert fetch.inputs is not None
        shapes = {}
        for typename, entity_input in fetch.inputs.items():
            flat = entity_input.flat
            if flat is not None:
                shapes[typename] = (entity_input.typename, flat, entity_input.key_fields)
        if len(self._flat) > 10_000:
            self._flat.clear()
        self._flat[id(fetch)] = (fetch, shapes)
        return shapes

    async def _send(
        self,
        fetch: Fetch,
        variables: dict[str, Any],
        run: Run,
        entity: tuple[Flatten, list[list[dict[str, Any]]]] | None,
    ) -> SubgraphResponse | None:
        body = orjson.dumps({"query": fetch.operation, "variables": variables})
        try:
            endpoint = self.hooks.endpoint(fetch.subgraph, run.context)
            headers = self.hooks.headers(fetch.subgraph, run.context)
            return await self.transport.post(fetch.subgraph, endpoint, body, headers)
        except SubgraphFailure as failure:
            path = list(entity[0].path) if entity is not None else None
            run.errors.append(
                _error(f"subgraph {failure.subgraph}: {failure.message}", failure.code, failure.subgraph, path)
            )
            return None

    def _entity_errors(
        self, response: SubgraphResponse, flatten: Flatten, targets: list[list[dict[str, Any]]], run: Run
    ) -> None:
        paths: dict[int, list[str | int]] | None = None
        for error in response.errors:
            where = error.get("path")
            if isinstance(where, list) and len(where) >= 2 and where[0] == "_entities" and isinstance(where[1], int):
                if paths is None:
                    paths = paths_of(run.data, flatten.path)
                position = where[1]
                objs = targets[position] if 0 <= position < len(targets) else []
                if not objs:
                    run.errors.append(_subgraph_error(error, flatten.node.subgraph, None))
                for obj in objs:
                    base = paths.get(id(obj))
                    run.errors.append(
                        _subgraph_error(error, flatten.node.subgraph, [*base, *where[2:]] if base else None)
                    )
            else:
                run.errors.append(_subgraph_error(error, flatten.node.subgraph, None))


def _count(entities: Any) -> str:
    return f"{len(entities)} entities" if type(entities) is list else "no list"


def _subgraph_error(error: Mapping[str, Any], subgraph: str, path: Any) -> dict[str, Any]:
    result: dict[str, Any] = {"message": error.get("message", "")}
    if isinstance(path, list) and path:
        result["path"] = path
    extensions = dict(error.get("extensions") or {}) if isinstance(error.get("extensions"), dict) else {}
    extensions.setdefault("code", "DOWNSTREAM_SERVICE_ERROR")
    extensions["serviceName"] = subgraph
    result["extensions"] = extensions
    return result


def _error(message: str, code: ErrorCode, subgraph: str, path: list[Any] | None = None) -> dict[str, Any]:
    error: dict[str, Any] = {"message": message}
    if path:
        error["path"] = [p for p in path if p != "@"]
    error["extensions"] = {"code": str(code), "serviceName": subgraph}
    return error
