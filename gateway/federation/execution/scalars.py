"""How the projection treats custom scalars: as the subgraph sent them, unless the API schema's
scalar was given its own `serialize` (an embedding application's check of what subgraphs send)."""

from __future__ import annotations

from typing import Any

from graphql import GraphQLError, GraphQLScalarType


def checks_output(type_: GraphQLScalarType) -> bool:
    """Whether a custom scalar of the API schema was given its own `serialize` (the embedding
    application's check of what subgraphs send, e.g. a postcode's pattern)."""
    return "serialize" in vars(type_)


def accepts(type_: GraphQLScalarType, value: Any) -> bool:
    """A custom scalar's value is kept as the subgraph sent it unless its own `serialize` refuses it."""
    if not checks_output(type_):
        return True
    try:
        type_.serialize(value)
    except (GraphQLError, TypeError, ValueError):
        return False
    return True


def strings_only(value: Any) -> str:
    """A custom scalar's `serialize` for one written as a JSON string (anything else is refused);
    installed by an embedding application, it is checked inline by the generated code."""
    if not isinstance(value, str):
        raise TypeError(f"not a string: {type(value).__name__}")
    return value
