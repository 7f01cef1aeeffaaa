"""The error model of koppelvlak 3.0: `Error = {code, message, details}` with the standard's codes.

The contracts list the statuses 400, 401, 429, 500 and 503; the codes are those of the VUM 1.0
documentation (`400.01` Ongeldige aanroep, `400.02` Onvolledige aanroep, `429.01` limiet
overschreden, `500.1` Interne serverfout, `500.3` Service niet beschikbaar). 401 has no documented
code; it answers `401`: no token, one that does not verify, X-VUM-fromParty that is not the token's
organisation, or a missing scope. GraphQL error codes (`errors[].extensions.code`) map onto these.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from ..limits import LIMIT_CODES

MAX_CODE, MAX_MESSAGE, MAX_DETAILS = 10, 500, 2000  # the contract's lengths of Error's fields


@dataclass(frozen=True)
class ErrorKind:
    """One entry of the error model: HTTP status, VUM code and its Dutch title."""

    status: int
    code: str
    title: str


INVALID = ErrorKind(400, "400.01", "Ongeldige aanroep")
INCOMPLETE = ErrorKind(400, "400.02", "Onvolledige aanroep")
UNAUTHORIZED = ErrorKind(401, "401", "Niet geautoriseerd")
LIMIT_EXCEEDED = ErrorKind(429, "429.01", "Limiet overschreden")
INTERNAL = ErrorKind(500, "500.1", "Interne serverfout")
UNAVAILABLE = ErrorKind(503, "500.3", "Service niet beschikbaar")

# GraphQL error codes the facade expects; any other code is an internal error.
GRAPHQL_CODES: Mapping[str, ErrorKind] = {
    "BAD_USER_INPUT": INVALID,
    "GRAPHQL_VALIDATION_FAILED": INVALID,
    "INVALID_VUMID": INVALID,  # the contract has no 404: a vumID that does not resolve is an invalid call
    "UNAUTHENTICATED": UNAUTHORIZED,
    "FORBIDDEN": UNAUTHORIZED,  # the contract's 401 is "not authorized"; it has no 403
    "FORBIDDEN_FIELD": UNAUTHORIZED,  # only when it voids the whole result (a missing scope)
    "PURPOSE_REQUIRED": INCOMPLETE,  # the doelbinding is missing (or not one of the gateway's)
    "QUOTA_EXCEEDED": LIMIT_EXCEEDED,
    "QUOTA_UNAVAILABLE": UNAVAILABLE,  # the shared quota store is down: no detail goes out uncounted
    "SOURCE_UNAVAILABLE": UNAVAILABLE,
    "PROCESSING_LOG_UNAVAILABLE": UNAVAILABLE,  # nothing is disclosed unlogged
    "RATE_LIMITED": LIMIT_EXCEEDED,  # too many requests from this caller
    **{code: INVALID for code in sorted(LIMIT_CODES | {"MAX_SUBGRAPH_CALLS_LIMIT"})},  # an operation too large
}

# When a response carries several errors, the caller first needs to fix what stops everything.
PRIORITY = (UNAUTHORIZED, LIMIT_EXCEEDED, INCOMPLETE, INVALID, UNAVAILABLE, INTERNAL)


class VumError(Exception):
    """An error answer of the facade, in the standard's error model (`retry_after`: seconds, for a 429)."""

    def __init__(
        self, kind: ErrorKind, message: str, details: str | None = None, retry_after: int | None = None
    ) -> None:
        super().__init__(message)
        self.kind = kind
        self.message = message
        self.details = details
        self.retry_after = retry_after

    def body(self) -> dict[str, str]:
        body = {"code": self.kind.code[:MAX_CODE], "message": f"{self.kind.title}: {self.message}"[:MAX_MESSAGE]}
        if self.details:
            body["details"] = self.details[:MAX_DETAILS]
        return body


def _code(error: Mapping[str, Any]) -> str:
    extensions = error.get("extensions")
    return str(extensions.get("code")) if isinstance(extensions, Mapping) else "UNKNOWN"


def _depth(error: Mapping[str, Any]) -> int:
    path = error.get("path")
    return len(path) if isinstance(path, list) else 0


def from_graphql_errors(errors: Sequence[Mapping[str, Any]]) -> VumError:
    """The one error answer for a GraphQL response that carries no usable result.

    The error that voided the result (the one on the operation or its root field) comes first: a
    field withheld deeper down did not cause it. Among those, the standard's priority decides.
    """
    if not errors:
        return VumError(INTERNAL, "the request had no result and no error")
    ranked = sorted(
        errors,
        key=lambda error: (_depth(error) > 1, PRIORITY.index(GRAPHQL_CODES.get(_code(error), INTERNAL))),
    )
    first = ranked[0]
    kind = GRAPHQL_CODES.get(_code(first), INTERNAL)
    others = "; ".join(f"{_code(e)}: {e.get('message')}" for e in ranked[1:])
    extensions = first.get("extensions")
    retry = extensions.get("retryAfter") if isinstance(extensions, Mapping) else None
    retry_after = retry if isinstance(retry, int) and kind is LIMIT_EXCEEDED else None
    return VumError(kind, str(first.get("message") or kind.title), others or None, retry_after)
