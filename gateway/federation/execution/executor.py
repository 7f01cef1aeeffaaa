"""Execute a query plan: walk its nodes, run the fetches, then project the answer once.

The walk dispatches on the node kind (`match` … `assert_never`): Sequence runs its children one
after the other, Parallel concurrently, Condition when its `@skip`/`@include` holds, and the two
kinds of fetch are `fetching.Fetcher`'s. After the walk, ONE projection pass turns the merged
response tree into the client's answer. A failing subgraph leaves its fields null, with an
error, and the rest of the answer intact.
"""

from __future__ import annotations

import asyncio
from collections.abc import Mapping
from typing import Any, assert_never

from graphql import GraphQLInterfaceType, GraphQLUnionType

from ..extensions import ComputedField, ReleaseRules
from ..operation import included
from ..planning.builder import ENTITIES_PATH
from ..planning.nodes import Condition, Fetch, Flatten, Parallel, PlanNode, QueryPlan, Sequence
from ..planning.planner import EntityPlan
from ..supergraph import Supergraph
from .compiled import Compiler, Fallback, ObjectProjector
from .fetching import Fetcher, Run
from .hooks import Hooks, RequestContext
from .introspection import Introspection
from .projection import NullInNonNull, PathEntry, Projected, Projector
from .transport import Transport


class Executor:
    """Runs plans against the subgraphs of one supergraph."""

    def __init__(
        self,
        supergraph: Supergraph,
        transport: Transport,
        hooks: Hooks | None = None,
        *,
        compiled: bool = True,
        computed: Mapping[tuple[str, str], ComputedField] | None = None,
        release: ReleaseRules | None = None,
    ) -> None:
        self.supergraph = supergraph
        self.schema = supergraph.api_schema
        self.hooks = hooks or Hooks(supergraph)
        abstract = frozenset(
            name
            for name, type_ in supergraph.schema.type_map.items()
            if isinstance(type_, GraphQLInterfaceType | GraphQLUnionType)
        )
        self.fetcher = Fetcher(transport, self.hooks, abstract)
        self.introspection = Introspection(supergraph.api_schema)
        self.compiled: Compiler = Compiler(self.schema, computed, release)
        if not compiled:
            self.general_path_only()

    def general_path_only(self) -> None:
        """Project without the compiled fast path (to compare the two, and when debugging)."""
        self.compiled = _GeneralOnly(self.schema, self.compiled.computed, self.compiled.release)

    @property
    def transport(self) -> Transport:
        return self.fetcher.transport

    @transport.setter
    def transport(self, transport: Transport) -> None:
        self.fetcher.transport = transport

    async def execute(
        self, plan: QueryPlan, variables: dict[str, Any], context: RequestContext | None = None
    ) -> dict[str, Any]:
        """The GraphQL response (`data`, and `errors` when there are any) for coerced variables."""
        run = Run(variables, context or RequestContext())
        run.errors.extend(dict(error) for error in plan.denied)
        if plan.node is not None:
            await self.run(plan.node, run)
        projector = Projector(self.schema, variables, run.errors, self.compiled, run.context)
        data = projector.root(plan.operation.root, run.data)
        if plan.introspection and data is not None:
            data.update(self.introspection.answer(plan, variables, run.errors))
            data = {key: data[key] for key in plan.operation.root_keys if key in data}
        response: dict[str, Any] = {}
        if run.errors:
            response["errors"] = run.errors
        response["data"] = data
        return response

    async def complete_entities(
        self,
        plan: EntityPlan,
        objects: list[dict[str, Any]],
        variables: dict[str, Any] | None = None,
        context: RequestContext | None = None,
    ) -> tuple[list[Projected | None], list[dict[str, Any]]]:
        """Complete objects that exist already (each with `__typename` and the plan's given fields)
        from their subgraphs, and project them (as JSON where `context.encoded`); errors are at
        `["_entities", index, …]`."""
        run = Run(variables or {}, context or RequestContext())
        run.data[ENTITIES_PATH[0]] = objects
        if plan.node is not None:
            await self.run(plan.node, run)
        projector = Projector(self.schema, run.variables, run.errors, self.compiled, run.context)
        completed: list[Projected | None] = []
        for index, obj in enumerate(objects):
            typename = obj.get("__typename", plan.type_name)
            fields_of = typename if typename in plan.selection.by_type else plan.type_name
            try:
                path: list[PathEntry] = [ENTITIES_PATH[0], index]
                completed.append(projector.object(plan.selection, obj, typename, path, fields_of))
            except NullInNonNull:
                completed.append(None)
        return completed, run.errors

    async def run(self, node: PlanNode, run: Run) -> None:
        match node:
            case Fetch():
                await self.fetcher.root(node, run)
            case Flatten():
                await self.fetcher.entities(node, run)
            case Sequence():
                for child in node.nodes:
                    await self.run(child, run)
            case Parallel():
                await asyncio.gather(*(self.run(child, run) for child in node.nodes))
            case Condition():
                if included(node.when, run.variables):
                    await self.run(node.node, run)
            case _:
                assert_never(node)


def _fall_back(*args: Any) -> dict[str, Any]:
    raise Fallback


class _GeneralOnly(Compiler):
    """A compiler whose every projector falls back: the projection takes the general path."""

    def __init__(self, *args: Any) -> None:
        super().__init__(*args)
        self.native = None

    def projector(self, selection: Any, type_name: str, fields_of: str | None = None) -> ObjectProjector:
        return _fall_back
