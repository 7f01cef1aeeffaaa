"""How the arguments of a non-repeatable composed directive merge when subgraphs disagree:
`@cost(weight:)` takes the maximum, `@requiresScopes(scopes:)` the conjunction of both
requirements (in disjunctive normal form), `@listSize(slicingArguments:)` the union."""

from __future__ import annotations

import json
from typing import Any

from .schema import MISSING
from .values import values_equal


def _union(values: list[Any]) -> list[Any]:
    result: list[Any] = []
    for value in values:
        result.extend(v for v in value if not any(values_equal(v, r) for r in result))
    return result


def _nullable(values: list[Any]) -> list[Any]:
    return [v for v in values if v is not None]


def _key(value: Any) -> str:
    return json.dumps(value, separators=(",", ":"), ensure_ascii=False)


def dnf_conjunction(values: list[list[list[str]]]) -> list[list[str]]:
    """The conjunction of requirements written as disjunctions of conjunctions (`[["a", "b"], ["c"]]`
    means a and b, or c), simplified: duplicates and subsumed alternatives removed."""
    if not values:
        return []
    normalised = []
    seen_values: set[str] = set()
    for value in values:
        copy = [sorted(inner) for inner in (value if value else [[]])]
        copy.sort(key=_key)
        key = _key(copy)
        if key not in seen_values:
            seen_values.add(key)
            normalised.append(copy)
    result = normalised[0]
    for current in normalised[1:]:
        accumulated: list[list[str]] = []
        seen: set[str] = set()
        for left in result:
            for right in current:
                candidate = sorted([*left, *(e for e in right if e not in left)])
                key = _key(candidate)
                if key not in seen:
                    seen.add(key)
                    accumulated.append(candidate)
        result = _without_subsumed(accumulated)
    return result


def _without_subsumed(values: list[list[str]]) -> list[list[str]]:
    result: list[list[str]] = []
    for candidate in sorted(values, key=len):
        if not any(all(e in candidate for e in kept) for kept in result):
            result.append(candidate)
    return result


def merge_values(strategy: str | None, values: list[Any]) -> Any:
    """`MISSING` when nothing is left (a nullable argument without values)."""
    if strategy == "MAX":
        return max(values)
    if strategy == "DNF_CONJUNCTION":
        return dnf_conjunction(values)
    present = _nullable(values)
    if not present:
        return MISSING
    if strategy == "NULLABLE_MAX":
        return max(present)
    if strategy == "NULLABLE_UNION":
        return _union(present)
    if strategy == "NULLABLE_AND":
        return all(present)
    raise ValueError(f"unknown composition strategy {strategy}")
