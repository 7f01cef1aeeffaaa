"""Errors of the federation runtime, each with the code a client sees in `extensions.code`.

Every failure that reaches a client is one of these, raised once at the boundary where it is
found (reading the supergraph, validating an operation, planning it), so the HTTP layer turns
them into GraphQL errors without guessing.
"""

from __future__ import annotations

from enum import StrEnum
from typing import Any


class ErrorCode(StrEnum):
    """The `extensions.code` values the runtime produces."""

    INVALID_SUPERGRAPH = "INVALID_SUPERGRAPH"
    GRAPHQL_PARSE_FAILED = "GRAPHQL_PARSE_FAILED"
    GRAPHQL_VALIDATION_FAILED = "GRAPHQL_VALIDATION_FAILED"
    BAD_USER_INPUT = "BAD_USER_INPUT"
    BAD_REQUEST = "BAD_REQUEST"
    OPERATION_NOT_FOUND = "OPERATION_NOT_FOUND"
    QUERY_PLANNING_FAILED = "QUERY_PLANNING_FAILED"
    SUBREQUEST_HTTP_ERROR = "SUBREQUEST_HTTP_ERROR"
    SUBREQUEST_TIMEOUT = "SUBREQUEST_TIMEOUT"
    INVALID_SUBGRAPH_RESPONSE = "INVALID_SUBGRAPH_RESPONSE"
    INVALID_GRAPHQL_VALUE = "INVALID_GRAPHQL_VALUE"
    UNAUTHENTICATED = "UNAUTHENTICATED"
    FORBIDDEN = "FORBIDDEN"
    OPERATION_LIMIT_EXCEEDED = "OPERATION_LIMIT_EXCEEDED"
    PERSISTED_QUERY_NOT_SUPPORTED = "PERSISTED_QUERY_NOT_SUPPORTED"
    INTERNAL_SERVER_ERROR = "INTERNAL_SERVER_ERROR"


class FederationError(Exception):
    """An error with a code; `locations` are (line, column) pairs in the offending text."""

    code: ErrorCode = ErrorCode.BAD_REQUEST

    def __init__(self, message: str, *, locations: list[tuple[int, int]] | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.locations = locations or []

    def to_graphql(self) -> dict[str, Any]:
        error: dict[str, Any] = {"message": self.message}
        if self.locations:
            error["locations"] = [{"line": line, "column": column} for line, column in self.locations]
        error["extensions"] = {"code": str(self.code)}
        return error


class SupergraphError(FederationError):
    """The supergraph cannot be read: not GraphQL, not Federation v2, or inconsistent."""

    code = ErrorCode.INVALID_SUPERGRAPH


class OperationError(FederationError):
    """The client's operation is not valid against the API schema (or cannot be parsed)."""

    def __init__(self, message: str, code: ErrorCode, *, locations: list[tuple[int, int]] | None = None) -> None:
        super().__init__(message, locations=locations)
        self.code = code


class PlanningError(FederationError):
    """The operation is valid but no subgraph (or combination) can resolve part of it."""

    code = ErrorCode.QUERY_PLANNING_FAILED
