"""Authorisation before planning: `@authenticated`, `@requiresScopes` and `@policy` of the supergraph.

The supergraph keeps these directives as metadata (`FieldMeta.authorization`, on fields and on the
types they return). For each request, the fields of the normalised operation that the caller may
not see are found (their requirements are collected once per operation), and the operation is
rewritten without them: a denied field is never fetched, is answered as null (nulls propagate as
GraphQL prescribes) and has one error naming it. The plan is then made for that rewritten
operation, cached per set of denied fields, so planning never looks at callers and this module
never looks at plans. Policies are decided by the embedding application (`Caller.policies`), e.g.
VUM's consent categories.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field, replace
from typing import Any

from graphql import GraphQLList, GraphQLNonNull, GraphQLOutputType

from .errors import ErrorCode, FederationError
from .operation import Field, Operation, Selection
from .supergraph import Supergraph
from .supergraph.model import NO_AUTHORIZATION, Authorization

UNAUTHORIZED = "UNAUTHORIZED_FIELD_OR_TYPE"


@dataclass(frozen=True)
class Caller:
    """Who asks: whether authenticated, the scopes granted, and which policies hold."""

    authenticated: bool = False
    scopes: frozenset[str] = frozenset()
    policies: Callable[[str], bool] = field(default=lambda name: False)


ANONYMOUS = Caller()


@dataclass(frozen=True)
class Requirement:
    """One field of an operation that needs something of the caller."""

    field: Field
    path: tuple[str, ...]  # response keys, "@" per list level
    type_name: str
    authorization: Authorization


@dataclass(frozen=True)
class Decision:
    """The fields a caller may not see in one operation (`shape` keys the plan cache)."""

    denied: tuple[Requirement, ...]

    @property
    def shape(self) -> frozenset[int]:
        return frozenset(id(r.field) for r in self.denied)

    def errors(self, code: str = UNAUTHORIZED) -> list[dict[str, Any]]:
        return [
            {
                "message": f"Unauthorized field or type: {r.type_name}.{r.field.name}",
                "path": [p for p in r.path if p != "@"],
                "extensions": {"code": code},
            }
            for r in self.denied
        ]


class OperationRefused(FederationError):
    """`reject_unauthorized`: the operation selects something the caller may not see."""

    code = ErrorCode.FORBIDDEN


class Authorizer:
    """Decides per request which fields of an operation the caller may see, and rewrites it."""

    def __init__(self, supergraph: Supergraph, *, reject_unauthorized: bool = False) -> None:
        self.supergraph = supergraph
        self.reject_unauthorized = reject_unauthorized
        self._id = id(self)  # its entries in an operation's `derived` (kept with the operation)

    def decide(self, operation: Operation, caller: Caller) -> Decision:
        denied = tuple(r for r in self.requirements(operation) if not allowed(r.authorization, caller))
        if denied and self.reject_unauthorized:
            names = ", ".join(sorted({f"{r.type_name}.{r.field.name}" for r in denied}))
            raise OperationRefused(f"the operation selects what the caller may not see: {names}")
        return Decision(denied)

    def requirements(self, operation: Operation) -> tuple[Requirement, ...]:
        key = (self._id, "requirements")
        found: tuple[Requirement, ...] | None = operation.derived.get(key)
        if found is None:
            collected: list[Requirement] = []
            self._collect(operation.root, (), collected, set())
            found = operation.derived[key] = tuple(collected)
        return found

    def apply(self, operation: Operation, decision: Decision) -> Operation:
        """The operation with every denied field marked (never fetched, answered null)."""
        if not decision.denied:
            return operation
        key = (self._id, decision.shape)
        found: Operation | None = operation.derived.get(key)
        if found is None:
            found = replace(operation, root=_without(operation.root, decision.shape, {}))
            operation.derived[key] = found  # one per authorisation shape: a few per operation
        return found

    def _collect(
        self, selection: Selection, path: tuple[str, ...], found: list[Requirement], seen: set[tuple[int, int]]
    ) -> None:
        for type_name, fields in selection.by_type.items():
            for field_ in fields:
                if field_.definition is None or (id(field_), len(path)) in seen:
                    continue
                seen.add((id(field_), len(path)))
                needed = self._authorization(type_name, field_)
                here = (*path, field_.key, *("@",) * _depth(field_.type))
                if not needed.empty:
                    found.append(Requirement(field_, here, type_name, needed))
                if field_.selection is not None:
                    self._collect(field_.selection, here, found, seen)

    def _authorization(self, type_name: str, field_: Field) -> Authorization:
        meta = self.supergraph.types.get(type_name)
        own = meta.fields[field_.name].authorization if meta and field_.name in meta.fields else NO_AUTHORIZATION
        target = self.supergraph.types.get(field_.type_name)
        returned = target.authorization if target is not None else NO_AUTHORIZATION
        if returned.empty:
            return own
        return Authorization(
            own.authenticated or returned.authenticated, own.scopes + returned.scopes, own.policies + returned.policies
        )


def allowed(authorization: Authorization, caller: Caller) -> bool:
    """Every kind of requirement must hold; within `@requiresScopes` / `@policy`, one of the sets, whole."""
    if (authorization.authenticated or authorization.scopes or authorization.policies) and not caller.authenticated:
        return False
    if authorization.scopes and not any(set(group) <= caller.scopes for group in authorization.scopes):
        return False
    return not authorization.policies or any(all(caller.policies(p) for p in group) for group in authorization.policies)


def _without(selection: Selection, denied: frozenset[int], memo: dict[int, Selection]) -> Selection:
    found = memo.get(id(selection))
    if found is not None:
        return found
    by_type = {}
    for type_name, fields in selection.by_type.items():
        rewritten = []
        for field_ in fields:
            if id(field_) in denied:
                rewritten.append(replace(field_, selection=None, denied=True))
            elif field_.selection is not None:
                rewritten.append(replace(field_, selection=_without(field_.selection, denied, memo)))
            else:
                rewritten.append(field_)
        by_type[type_name] = tuple(rewritten)
    found = memo[id(selection)] = Selection(selection.type_name, selection.abstract, by_type)
    return found


def _depth(type_: GraphQLOutputType) -> int:
    depth = 0
    while isinstance(type_, GraphQLNonNull | GraphQLList):
        depth += isinstance(type_, GraphQLList)
        type_ = type_.of_type
    return depth
