"""`__schema` and `__type` at the root, answered by graphql-core from the API schema.

Only the introspection fields of an operation run here (the document is cut down to them once
per plan, and kept on the plan); the answers are cached per (plan, variables), bounded in memory.
"""

from __future__ import annotations

import itertools
from dataclasses import replace
from typing import Any

import orjson
from graphql import DocumentNode, GraphQLSchema, OperationDefinitionNode, execute_sync

from ..cache import WeighedLRU
from ..planning.nodes import QueryPlan

CACHE_SIZE = 256
CACHE_BYTES = 16 * 1024 * 1024
_PLANS = itertools.count()  # a number per plan that answered introspection (never reused, unlike id())


class Introspection:
    def __init__(self, schema: GraphQLSchema) -> None:
        self.schema = schema
        self._answers: WeighedLRU[tuple[int, bytes], tuple[bytes, list[dict[str, Any]]]] = WeighedLRU(
            CACHE_BYTES, CACHE_SIZE
        )

    def answer(self, plan: QueryPlan, variables: dict[str, Any], errors: list[dict[str, Any]]) -> dict[str, Any]:
        number = plan.derived.get("number")
        if number is None:
            number = plan.derived["number"] = next(_PLANS)
        key = (number, orjson.dumps(variables, option=orjson.OPT_SORT_KEYS, default=str))
        cached = self._answers.get(key)
        if cached is None:
            result = execute_sync(self.schema, self._document(plan), variable_values=variables)
            found: list[dict[str, Any]] = [dict(error.formatted) for error in result.errors or ()]
            cached = (orjson.dumps(result.data or {}), found)
            self._answers.put(key, cached, len(key[1]) + 2 * len(cached[0]) + 200 * len(found))
        data, found = cached
        errors.extend(found)
        return orjson.loads(data)  # type: ignore[no-any-return]

    def _document(self, plan: QueryPlan) -> DocumentNode:
        found: DocumentNode | None = plan.derived.get("introspection")
        if found is not None:
            return found
        operation = plan.operation
        nodes = tuple(field.node for field in plan.introspection)
        definition: OperationDefinitionNode = operation.definition
        cut = replace(definition, selection_set=replace(definition.selection_set, selections=nodes))
        others = tuple(d for d in operation.document.definitions if not isinstance(d, OperationDefinitionNode))
        document = DocumentNode(definitions=(cut, *others))
        plan.derived["introspection"] = document
        return document
