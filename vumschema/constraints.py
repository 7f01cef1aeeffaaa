"""Check values against the contract: types, code lists and `@constraint`s.

Used where data crosses a boundary: records an adapter reads from its backend (standard JSON,
codes on the wire) and selectievragen the gateway receives (GraphQL values, enum names).

Every problem reads `<path>: <value> <what is wrong> (allowed: <what is allowed>)`, so a caller
can fix their input without reading the schema: a pattern is described in words (`PATTERNS`),
never shown as a regex. The value is named only for a caller's own input (`show_values`);
problems of records are logged, and logs never carry personal data, so they say "the value".
"""

from __future__ import annotations

import datetime
import functools
import json
import re
from collections.abc import Iterable, Iterator
from typing import Any

from graphql import ListTypeNode, NamedTypeNode, NonNullTypeNode, TypeNode

from .contract import Contract

MAX_VIOLATIONS = 20
MAX_SHOWN = 40  # characters of a value quoted in a message
DATE = "^[0-9]{4}-[0-9]{2}-[0-9]{2}$"

# Every pattern of the contract in words (a test checks that none is missing).
PATTERNS = {
    "^[0-9]{4}[a-zA-Z]{2}$": "a postcode of 4 digits and 2 letters, e.g. 5611AB",
    DATE: "a date as YYYY-MM-DD, e.g. 2026-10-01",
    "^[a-zA-Z0-9_.-]{0,200}$": "at most 200 letters, digits, '_', '.' or '-'",
    "^[a-zA-Z0-9_.-]{0,500}$": "at most 500 letters, digits, '_', '.' or '-'",
    "^[a-z]{3}$": "3 lower-case letters, an ISO 639-3 language code such as nld",
    "^[0-9]+$": "digits only",
}


def shown(value: Any) -> str:
    """A value as a message quotes it: JSON-like, a long text cut short."""
    if isinstance(value, str):
        return json.dumps(value if len(value) <= MAX_SHOWN else value[:MAX_SHOWN] + "…", ensure_ascii=False)
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | float):
        return repr(value)
    return "null" if value is None else f"a {type(value).__name__}"


def allowed_range(constraint: dict[str, Any]) -> str:
    low, high = constraint.get("min"), constraint.get("max")
    if low is not None and high is not None:
        return f"{low} to {high}"
    return f"at least {low}" if low is not None else f"at most {high}"


def allowed_codes(codes: Iterable[object]) -> str:
    return ", ".join(str(code) for code in codes)


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


def _say(path: str, text: str) -> str:
    return f"{path}: {text}" if path else text


def _check_constraint(
    value: Any, constraint: dict[str, Any], path: str, subject: str, scalar: str | None = None
) -> Iterator[str]:
    if isinstance(value, str):
        if "maxLength" in constraint and len(value) > constraint["maxLength"]:
            yield _say(
                path,
                f"{subject} is too long: {len(value)} characters (allowed: at most {constraint['maxLength']})",
            )
        if "minLength" in constraint and len(value) < constraint["minLength"]:
            yield _say(
                path,
                f"{subject} is too short: {len(value)} characters (allowed: at least {constraint['minLength']})",
            )
        if "pattern" in constraint and not _pattern(constraint["pattern"]).search(value):
            wrong = f"is not a {scalar}" if scalar else "has the wrong form"
            allowed = PATTERNS.get(constraint["pattern"], f"text matching {constraint['pattern']}")
            yield _say(path, f"{subject} {wrong} (allowed: {allowed})")
    elif isinstance(value, int) and not isinstance(value, bool):
        too_low = "min" in constraint and value < constraint["min"]
        if too_low or ("max" in constraint and value > constraint["max"]):
            where = "below the minimum" if too_low else "above the maximum"
            yield _say(path, f"{subject} is {where} (allowed: {allowed_range(constraint)})")


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

    def __init__(
        self,
        contract: Contract,
        *,
        wire: bool,
        skip: frozenset[tuple[str, str]] = frozenset(),
        show_values: bool = False,
    ) -> None:
        self.contract = contract
        self.wire = wire
        self.skip = skip  # (type, field) pairs not checked, e.g. fields a source computes per caller
        self.show_values = show_values  # a caller's own input: name it; a record's value: never (logs)

    def _subject(self, value: Any) -> str:
        return shown(value) if self.show_values else "the value"

    def check(self, type_name: str, value: Any, path: str | None = None) -> list[str]:
        """What is wrong with `value` as a `type_name`, each problem prefixed by its path from
        `path` (default: the type's name; "" for none, as for a scalar whose place the caller knows)."""
        problems: list[str] = []
        for problem in self._named(type_name, value, type_name if path is None else path, {}):
            problems.append(problem)
            if len(problems) >= MAX_VIOLATIONS:
                break
        return problems

    def _typed(self, type_node: TypeNode, value: Any, path: str, constraint: dict[str, Any]) -> Iterator[str]:
        if isinstance(type_node, NonNullTypeNode):
            if value is None:
                yield _say(path, "required, but missing")
                return
            yield from self._typed(type_node.type, value, path, constraint)
        elif value is None:
            return
        elif isinstance(type_node, ListTypeNode):
            if not isinstance(value, list):
                yield _say(path, f"{self._subject(value)} is not a list")
                return
            for index, item in enumerate(value):
                yield from self._typed(type_node.type, item, f"{path}[{index}]", constraint)
        else:
            assert isinstance(type_node, NamedTypeNode)
            yield from self._named(type_node.name.value, value, path, constraint)

    def _named(self, name: str, value: Any, path: str, constraint: dict[str, Any]) -> Iterator[str]:
        contract = self.contract
        subject = self._subject(value)
        if name in _BUILTIN_TYPES:
            if not isinstance(value, _BUILTIN_TYPES[name]) or (name != "Boolean" and isinstance(value, bool)):
                yield _say(path, f"{subject} is not a {name}")
                return
        elif contract.is_enum(name):
            yield from self._enum(name, value, path)
            return
        elif contract.is_scalar(name):
            if not isinstance(value, str):
                yield _say(path, f"{subject} is not a {name}, which is written as a string")
                return
            yield from _check_constraint(value, contract.constraint(contract.types[name]), path, subject, name)
            if name == "Datum" and _pattern(DATE).search(value) and not _date_ok(value):
                yield _say(path, f"{subject} is not a date of the calendar (allowed: {PATTERNS[DATE]})")
        else:
            yield from self._object(name, value, path)
            return
        yield from _check_constraint(value, constraint, path, subject)

    def _enum(self, name: str, value: Any, path: str) -> Iterator[str]:
        codes = self.contract.enum_codes(name)
        allowed = list(codes.code_by_value.values() if self.wire else codes.code_by_value.keys())
        if isinstance(value, bool) or value not in allowed:
            yield _say(path, f"{self._subject(value)} is not a code of {name} (allowed: {allowed_codes(allowed)})")

    def _object(self, name: str, value: Any, path: str) -> Iterator[str]:
        if not isinstance(value, dict):
            yield _say(path, f"{self._subject(value)} is not an object ({name})")
            return
        fields = {key: f for key, f in self.contract.fields(name).items() if (name, key) not in self.skip}
        if self.wire:
            for key in value.keys() - fields.keys():
                yield f"{path}.{key}: not a field of {name}"
        for field_name, field in fields.items():
            yield from self._typed(
                field.type, value.get(field_name), f"{path}.{field_name}", self.contract.constraint(field)
            )
