"""The fields a computed field needs, read once from its `requires` field set."""

from __future__ import annotations

from functools import cache

from graphql import FieldNode

from ..extensions import ComputedField
from ..supergraph import parse_field_set


@cache
def required_names(computed: ComputedField) -> tuple[str, ...]:
    """The top-level field names of `computed.requires` (a computed field gets them flat)."""
    where = f"the computed field {computed.type_name}.{computed.field_name}"
    selection = parse_field_set(computed.requires, where)
    return tuple(s.name.value for s in selection.selections if isinstance(s, FieldNode))
