"""Release of a record to a caller: drop every field of a category or scope the caller may not have.

This is the source-side half of "consent is enforced twice": the SDK runs it on whatever an
adapter returns, before serialisation. Categories and scopes come from schema.graphql; a field
without `@categorie` has its parent's category.
"""

from __future__ import annotations

import functools
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from .contract import Contract, directive_args, named_type


@dataclass(frozen=True)
class FieldRule:
    category: str | None  # own @categorie, or None to inherit
    scopes: list[list[str]] | None  # @requiresScopes
    type_name: str
    is_object: bool


class Releaser:
    """Filters records of the contract's types for one caller's categories and scopes."""

    def __init__(self, contract: Contract) -> None:
        self.contract = contract

    @functools.cache  # noqa: B019 - one Releaser per contract, rules never change
    def rules(self, type_name: str) -> dict[str, FieldRule]:
        rules = {}
        for name, field in self.contract.fields(type_name).items():
            scopes = directive_args(field, "requiresScopes")
            target = named_type(field.type)
            rules[name] = FieldRule(
                self.contract.category(type_name, name),
                scopes["scopes"] if scopes else None,
                target,
                target in self.contract.types and bool(self.contract.fields(target)),
            )
        return rules

    def release(
        self,
        type_name: str,
        value: Mapping[str, Any],
        categories: frozenset[str],
        scopes: frozenset[str],
        inherited: str | None = None,
    ) -> dict[str, Any]:
        """A copy of `value` with only the fields whose category and scopes the caller has."""
        from .policy import scopes_satisfied

        result: dict[str, Any] = {}
        rules = self.rules(type_name)
        for name, item in value.items():
            rule = rules.get(name)
            if rule is None:
                continue  # not part of the type: never released
            category = rule.category or inherited
            if (category is not None and category not in categories) or not scopes_satisfied(rule.scopes, scopes):
                continue
            result[name] = self._value(rule, item, categories, scopes, category)
        return result

    def _value(
        self, rule: FieldRule, item: Any, categories: frozenset[str], scopes: frozenset[str], category: str | None
    ) -> Any:
        if not rule.is_object:
            return item
        if isinstance(item, list):
            return [
                self.release(rule.type_name, v, categories, scopes, category) if isinstance(v, Mapping) else v
                for v in item
            ]
        if isinstance(item, Mapping):
            return self.release(rule.type_name, item, categories, scopes, category)
        return item
