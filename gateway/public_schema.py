"""The gateway's public schema: the contract without its `@inaccessible` parts, with input types
that check and say what is allowed.

Custom scalars (Postcode, Datum, URI) refuse malformed input with the value and, in words, what
the scalar allows; an unknown enum value is answered with the values there are. graphql-core adds
neither; where in the arguments the value was is added by `gateway.input_errors`.
"""

from __future__ import annotations

from typing import Any

from graphql import (
    ConstValueNode,
    GraphQLEnumType,
    GraphQLError,
    GraphQLScalarType,
    GraphQLSchema,
    StringValueNode,
    ValueNode,
    print_ast,
)
from graphql.pyutils import suggestion_list

from vumschema import Contract
from vumschema.constraints import ValueChecker, allowed_codes, shown
from vumschema.views import public_schema


def _install_checks(scalar: GraphQLScalarType, checker: ValueChecker) -> None:
    name = scalar.name

    def parse_value(value: Any) -> Any:
        problems = checker.check(name, value, "")
        if problems:
            raise GraphQLError("; ".join(problems))
        return value

    def parse_literal(node: ValueNode, _variables: Any = None) -> Any:
        if not isinstance(node, StringValueNode):
            raise GraphQLError(f"{print_ast(node)} is not a {name}, which is written as a string", node)
        problems = checker.check(name, node.value, "")
        if problems:
            raise GraphQLError("; ".join(problems), node)  # the node: where in the arguments it was
        return node.value

    scalar.parse_value = parse_value  # type: ignore[method-assign]
    scalar.coerce_input_value = parse_value
    scalar.parse_literal = parse_literal  # type: ignore[method-assign,assignment]


def _unknown_enum_value(enum: GraphQLEnumType, value: str) -> str:
    """`value` is not one of `enum`'s: say which there are, and the nearest ones."""
    near = suggestion_list(value.strip('"'), list(enum.values))
    guess = f"; did you mean {' or '.join(near[:2])}?" if near else ""
    return f"{value} is not a {enum.name} (allowed: {allowed_codes(enum.values)}{guess})"


def _install_enum_messages(enum: GraphQLEnumType) -> None:
    coerce_value, coerce_literal = enum.coerce_input_value, enum.coerce_input_literal

    def coerce_input_value(value: Any, hide_suggestions: bool = False) -> Any:
        try:
            return coerce_value(value, hide_suggestions)
        except GraphQLError:
            raise GraphQLError(_unknown_enum_value(enum, shown(value))) from None

    def coerce_input_literal(node: ConstValueNode, hide_suggestions: bool = False) -> Any:
        try:
            return coerce_literal(node, hide_suggestions)
        except GraphQLError:
            raise GraphQLError(_unknown_enum_value(enum, print_ast(node)), node) from None

    enum.coerce_input_value = coerce_input_value  # type: ignore[method-assign,assignment]
    enum.coerce_input_literal = coerce_input_literal  # type: ignore[method-assign,assignment]


def build_public_schema(contract: Contract) -> GraphQLSchema:
    """The public API; its custom scalars refuse malformed input, its enums name their values."""
    return install_input_checks(public_schema(contract), contract)


def install_input_checks(schema: GraphQLSchema, contract: Contract) -> GraphQLSchema:
    """`schema` (the public API, or a supergraph's with extensions) with the contract's scalars
    refusing malformed input and its enums naming their values."""
    checker = ValueChecker(contract, wire=True, show_values=True)
    for type_ in schema.type_map.values():
        if isinstance(type_, GraphQLScalarType) and type_.name in contract.types:
            _install_checks(type_, checker)
        elif isinstance(type_, GraphQLEnumType) and not type_.name.startswith("__"):
            _install_enum_messages(type_)
    return schema
