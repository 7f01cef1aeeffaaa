"""`__schema` and `__type` at the root, answered by graphql-core from the API schema.

Only the introspection fields of an operation run here (the document is cut down to them once
per plan); the answers are cached per (plan, variables), bounded.
"""

from __future__ import annotations

from collections import OrderedDict
from dataclasses import replace
from typing import Any

import orjson
from graphql import DocumentNode, GraphQLSchema, OperationDefinitionNode, execute_sync

from ..planning.nodes import QueryPlan

CACHE_SIZE = 256


class Introspection:
    def __init__(self, schema: GraphQLSchema) -> None:
        self.schema = schema
        self._documents: dict[int, tuple[QueryPlan, DocumentNode]] = {}
        self._answers: OrderedDict[tuple[int, bytes], tuple[dict[str, Any], list[dict[str, Any]]]] = OrderedDict()

    def answer(self, plan: QueryPlan, variables: dict[str, Any], errors: list[dict[str, Any]]) -> dict[str, Any]:
        key = (id(plan), orjson.dumps(variables, option=orjson.OPT_SORT_KEYS, default=str))
        cached = self._answers.get(key)
        if cached is None or self._documents.get(id(plan), (None,))[0] is not plan:
            result = execute_sync(self.schema, self._document(plan), variable_values=variables)
            data = result.data or {}
            found: list[dict[str, Any]] = [dict(error.formatted) for error in result.errors or ()]
            cached = (data, found)
            self._answers[key] = cached
            while len(self._answers) > CACHE_SIZE:
                self._answers.popitem(last=False)
        data, found = cached
        errors.extend(found)
        return orjson.loads(orjson.dumps(data))  # type: ignore[no-any-return]

    def _document(self, plan: QueryPlan) -> DocumentNode:
        entry = self._documents.get(id(plan))
        if entry is not None and entry[0] is plan:
            return entry[1]
        operation = plan.operation
        nodes = tuple(field.node for field in plan.introspection)
        definition: OperationDefinitionNode = operation.definition
        cut = replace(definition, selection_set=replace(definition.selection_set, selections=nodes))
        others = tuple(d for d in operation.document.definitions if not isinstance(d, OperationDefinitionNode))
        document = DocumentNode(definitions=(cut, *others))
        if len(self._documents) > CACHE_SIZE:
            self._documents.clear()
        self._documents[id(plan)] = (plan, document)
        return document
