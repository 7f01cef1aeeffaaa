"""Where in a request a bad value was: the path from the argument, as the user wrote it.

graphql-core reports a literal that does not fit its type without the argument around it, and a
variable's value relative to the variable (`Variable '$s' has invalid value at .selectiegebied…`).
A user fixes the argument, so these errors get the argument path in front, as the gateway's own
checks of a selectievraag have it:

    selectievraag.selectiegebied.postcode: "56" has the wrong form (allowed: a postcode of …)
    selectievraag.selectiegebied.postcode (variable $s): "56" has the wrong form (allowed: …)

The value and what is allowed come from the input types themselves (`gateway.public_schema`).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from graphql import (
    ArgumentNode,
    DocumentNode,
    GraphQLError,
    GraphQLSchema,
    ListValueNode,
    ObjectValueNode,
    OperationDefinitionNode,
    ValueNode,
    VariableNode,
    Visitor,
    is_input_type,
    parse,
    visit,
)
from graphql.utilities import type_from_ast, validate_input_value


def _walk(node: ValueNode, path: str, found: dict[int, str], uses: dict[str, str]) -> None:
    if node.loc is not None:
        found.setdefault(node.loc.start, path)
    if isinstance(node, ObjectValueNode):
        for field in node.fields:
            _walk(field.value, f"{path}.{field.name.value}", found, uses)
    elif isinstance(node, ListValueNode):
        for index, item in enumerate(node.values):
            _walk(item, f"{path}[{index}]", found, uses)
    elif isinstance(node, VariableNode):
        uses.setdefault(node.name.value, path)


class _ArgumentPaths(Visitor):
    """The argument path of every value in a document (by its offset), and where each variable is used."""

    def __init__(self) -> None:
        super().__init__()
        self.values: dict[int, str] = {}
        self.variables: dict[str, str] = {}

    def enter_argument(self, node: ArgumentNode, *_args: Any) -> None:
        _walk(node.value, node.name.value, self.values, self.variables)


def _paths(document: DocumentNode) -> _ArgumentPaths:
    paths = _ArgumentPaths()
    visit(document, paths)
    return paths


def _with_message(error: GraphQLError, message: str) -> GraphQLError:
    return GraphQLError(
        message, error.nodes, error.source, error.positions, error.path, error.original_error, error.extensions
    )


def literal_errors(query: str, errors: Sequence[GraphQLError]) -> list[GraphQLError]:
    """Validation errors of `query`, each about a value in an argument with that argument path in front."""
    paths: _ArgumentPaths | None = None
    result = []
    for error in errors:
        node = error.nodes[0] if error.nodes else None
        if not isinstance(node, ValueNode) or node.loc is None:
            result.append(error)
            continue
        paths = paths or _paths(parse(query))  # it parsed before validation; positions are the same
        path = paths.values.get(node.loc.start)
        result.append(_with_message(error, f"{path}: {error.message}") if path else error)
    return result


def _path_text(path: Sequence[str | int]) -> str:
    return "".join(f"[{part}]" if isinstance(part, int) else f".{part}" for part in path)


def variable_errors(
    schema: GraphQLSchema, query: str, operation: OperationDefinitionNode, variables: Mapping[str, Any]
) -> list[GraphQLError]:
    """What is wrong with the given variables' values, each error named by the argument path it
    is used at and the variable; empty when nothing given is wrong (e.g. a variable is missing)."""
    uses = _paths(parse(query)).variables
    errors: list[GraphQLError] = []
    for definition in operation.variable_definitions or ():
        name = definition.variable.name.value
        type_ = type_from_ast(schema, definition.type)
        if name not in variables or type_ is None or not is_input_type(type_):
            continue

        def report(error: GraphQLError, path: Sequence[str | int], name: str = name, node: Any = definition) -> None:
            inside = _path_text(path)
            where = f"{uses[name]}{inside} (variable ${name})" if name in uses else f"${name}{inside}"
            errors.append(GraphQLError(f"{where}: {error.message}", node))

        validate_input_value(variables[name], type_, report)
    return errors
