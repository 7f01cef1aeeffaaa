"""Check values against the contract: types, code lists and `@constraint`s.

Used where data crosses a boundary: records an adapter reads from its backend (standard JSON,
codes on the wire) and selectievragen the gateway receives (GraphQL values, enum names).
"""

from __future__ import annotations

import datetime
import functools
import re
from collections.abc import Iterator
from typing import Any

from graphql import ListTypeNode, NamedTypeNode, NonNullTypeNode, TypeNode

from .contract import Contract

MAX_VIOLATIONS = 20


@functools.cache
def _pattern(source: str) -> re.Pattern[str]:
    """A contract pattern (ECMA-262, as in OpenAPI) in Python: there `$` ends the text, while
    Python's `$` also matches before a final newline, so `$` becomes `\\Z`."""
    translated, escaped, in_class = [], False, False
    for char in source:
        if escaped:
            escaped = False
        elif char == "\\":
            escaped = True
        elif char == "[":
            in_class = True
        elif char == "]":
            in_class = False
        elif char == "$" and not in_class:
            char = r"\Z"
        translated.append(char)
    return re.compile("".join(translated))


def _date_ok(value: str) -> bool:
    try:
        datetime.date.fromisoformat(value)
    except ValueError:
        return False
    return True


def _check_constraint(value: Any, constraint: dict[str, Any], path: str) -> Iterator[str]:
    if isinstance(value, str):
        if "maxLength" in constraint and len(value) > constraint["maxLength"]:
            yield f"{path}: longer than {constraint['maxLength']} characters"
        if "minLength" in constraint and len(value) < constraint["minLength"]:
            yield f"{path}: shorter than {constraint['minLength']} characters"
        if "pattern" in constraint and not _pattern(constraint["pattern"]).search(value):
            yield f"{path}: does not match {constraint['pattern']}"
    elif isinstance(value, int) and not isinstance(value, bool):
        if "min" in constraint and value < constraint["min"]:
            yield f"{path}: below the minimum {constraint['min']}"
        if "max" in constraint and value > constraint["max"]:
            yield f"{path}: above the maximum {constraint['max']}"


_BUILTIN_TYPES: dict[str, tuple[type, ...]] = {
    "String": (str,),
    "ID": (str, int),
    "Int": (int,),
    "Float": (int, float),
    "Boolean": (bool,),
}


class ValueChecker:
    """Walks a value along a type of the contract and yields what is wrong with it.

    `wire=True` checks the standard's JSON (enum codes, unknown keys refused); `wire=False`
    checks GraphQL values whose types graphql-core already coerced (enum names).
    """

    def __init__(self, contract: Contract, *, wire: bool, skip: frozenset[tuple[str, str]] = frozenset()) -> None:
        self.contract = contract
        self.wire = wire
        self.skip = skip  # (type, field) pairs not checked, e.g. fields a source computes per caller

    def check(self, type_name: str, value: Any, path: str = "") -> list[str]:
        problems: list[str] = []
        for problem in self._named(type_name, value, path or type_name, {}):
            problems.append(problem)
            if len(problems) >= MAX_VIOLATIONS:
                break
        return problems

    def _typed(self, type_node: TypeNode, value: Any, path: str, constraint: dict[str, Any]) -> Iterator[str]:
        if isinstance(type_node, NonNullTypeNode):
            if value is None:
                yield f"{path}: required"
                return
            yield from self._typed(type_node.type, value, path, constraint)
        elif value is None:
            return
        elif isinstance(type_node, ListTypeNode):
            if not isinstance(value, list):
                yield f"{path}: expected a list"
                return
            for index, item in enumerate(value):
                yield from self._typed(type_node.type, item, f"{path}[{index}]", constraint)
        else:
            assert isinstance(type_node, NamedTypeNode)
            yield from self._named(type_node.name.value, value, path, constraint)

    def _named(self, name: str, value: Any, path: str, constraint: dict[str, Any]) -> Iterator[str]:
        contract = self.contract
        if name in _BUILTIN_TYPES:
            if not isinstance(value, _BUILTIN_TYPES[name]) or (name != "Boolean" and isinstance(value, bool)):
                yield f"{path}: expected {name}"
                return
        elif contract.is_enum(name):
            yield from self._enum(name, value, path)
            return
        elif contract.is_scalar(name):
            if not isinstance(value, str):
                yield f"{path}: expected {name} as a string"
                return
            yield from _check_constraint(value, contract.constraint(contract.types[name]), path)
            if name == "Datum" and not _date_ok(value):
                yield f"{path}: not a valid date"
        else:
            yield from self._object(name, value, path)
            return
        yield from _check_constraint(value, constraint, path)

    def _enum(self, name: str, value: Any, path: str) -> Iterator[str]:
        codes = self.contract.enum_codes(name)
        allowed = codes.code_by_value.values() if self.wire else codes.code_by_value.keys()
        if isinstance(value, bool) or value not in allowed:
            yield f"{path}: not a code of {name}"

    def _object(self, name: str, value: Any, path: str) -> Iterator[str]:
        if not isinstance(value, dict):
            yield f"{path}: expected an object"
            return
        fields = {key: f for key, f in self.contract.fields(name).items() if (name, key) not in self.skip}
        if self.wire:
            for key in value.keys() - fields.keys():
                yield f"{path}.{key}: not a field of {name}"
        for field_name, field in fields.items():
            yield from self._typed(
                field.type, value.get(field_name), f"{path}.{field_name}", self.contract.constraint(field)
            )
