"""Gateway-computed fields and release rules: what a deployment adds to the projection.

**Computed fields.** A field of the API can be computed by the gateway instead of a subgraph
(`ComputedField`): it is never sent to a subgraph; the fields it `requires` are planned and
fetched like any others (under keys of their own, `computed_key`), and the projection calls
`compute` with them, the object, and the request's context. VUM's `vumID` (a pseudonym of the
record's source and id) is one.

**Release rules.** A field can belong to a category (`ReleaseRules.category`, e.g. derived from
the supergraph's `@policy`). An object may carry a `Release` under the key `RELEASE` (put there
by a hook when its subgraph answered, e.g. from the consent the record states): within it, a
field of a category outside `Release.allowed` is answered as null, a value a subgraph sent for
it anyway is recorded in `withheld` (a security event), and every category that did leave is
recorded in `released` (for a processing log). Objects below inherit their parent's `Release`.
The compiled projection checks categories inline; anything withheld is redone on the general
path, which records it exactly.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

RELEASE = "__release"  # the tree key of an object's Release (never a GraphQL name: starts with __)


@dataclass(frozen=True)
class ComputedField:
    """`type_name.field_name`, computed by `compute(required values, object, request context)`."""

    type_name: str
    field_name: str
    requires: str  # a field set of `type_name`, e.g. "id" or "id source"; flat fields only
    compute: Callable[[Mapping[str, Any], Mapping[str, Any], Any], Any]


def computed_key(response_key: str, name: str) -> str:
    """Where a computed field's required field `name` is fetched, below the computed field's key."""
    return f"_computed_{response_key}_{name}"


@dataclass
class Release:
    """What one object (and the objects below it) may release to this caller, and what it did."""

    allowed: frozenset[str]
    released: set[str] = field(default_factory=set)
    withheld: list[str] = field(default_factory=list)


@dataclass(frozen=True)
class ReleaseRules:
    """The category of each field that has one: `categories[(type name, field name)]`."""

    categories: Mapping[tuple[str, str], str]

    def category(self, type_name: str, field_name: str) -> str | None:
        return self.categories.get((type_name, field_name))


def empty(value: Any) -> bool:
    """A value that releases nothing (null, an empty list, object or string)."""
    return value is None or value == [] or value == {} or value == ""
