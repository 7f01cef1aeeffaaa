"""The gateway's public schema: the contract without its `@inaccessible` parts, with scalars that check."""

from __future__ import annotations

from typing import Any

from graphql import GraphQLError, GraphQLScalarType, GraphQLSchema, StringValueNode, ValueNode

from vumschema import Contract
from vumschema.constraints import ValueChecker
from vumschema.views import public_schema


def _install_checks(scalar: GraphQLScalarType, checker: ValueChecker) -> None:
    name = scalar.name

    def parse_value(value: Any) -> Any:
        problems = checker.check(name, value, name)
        if problems:
            raise GraphQLError("; ".join(problems))
        return value

    def parse_literal(node: ValueNode, _variables: Any = None) -> Any:
        if not isinstance(node, StringValueNode):
            raise GraphQLError(f"{name} must be a string")
        return parse_value(node.value)

    scalar.parse_value = parse_value  # type: ignore[method-assign]
    scalar.coerce_input_value = parse_value
    scalar.parse_literal = parse_literal  # type: ignore[method-assign,assignment]


def build_public_schema(contract: Contract) -> GraphQLSchema:
    """The public API; its custom scalars (Postcode, Datum, URI) refuse malformed input."""
    schema = public_schema(contract)
    checker = ValueChecker(contract, wire=True)
    for type_ in schema.type_map.values():
        if isinstance(type_, GraphQLScalarType) and type_.name in contract.types:
            _install_checks(type_, checker)
    return schema
