"""A fast path for the projection pass: each selection compiled once into straight-line Python.

For a selection without `@skip`/`@include` conditions, the projector generates one small function
per object selection (with exact type checks on every value) and caches it with the plan. When
every field of the object may be released (the caller may see all of its categories, or it has
none), the function builds the whole object in one dict expression and records what left once per
category; otherwise it builds it field by field, null where a category may not be released. The
generated code handles only the ordinary case. On anything else (a wrong type, a null in a
non-null position, a value outside a record's consent) it raises `Fallback`, and the projector
redoes that object with the general path, which produces the exact errors, nulls and security
events. So the fast path never changes an answer; it only skips the interpretive overhead when
nothing is wrong.
"""

from __future__ import annotations

import itertools
from collections.abc import Callable
from typing import Any

from graphql import (
    GraphQLEnumType,
    GraphQLList,
    GraphQLNonNull,
    GraphQLObjectType,
    GraphQLOutputType,
    GraphQLScalarType,
)

from vumschema import Contract

from ..plan.selection import ALWAYS, TYPENAME, Selected

ObjectProjector = Callable[[dict[str, Any], Any], dict[str, Any]]


class Fallback(Exception):
    """The fast path met something unusual; the general path takes over for this object."""


# type check per scalar, over the value `{v}` (bool is its own type, never an int); custom scalars are strings
SCALAR_CHECKS = {
    "String": "type({v}) is str",
    "ID": "(type({v}) is str or type({v}) is int)",
    "Int": "type({v}) is int",
    "Float": "(type({v}) is float or type({v}) is int)",
    "Boolean": "type({v}) is bool",
}
RECORD_TYPES = frozenset({"WerkzoekendeProfielMatch", "Werkzoekende", "VacatureMatch", "Vacature"})
META = "__vum"  # where the executor attaches a record's RecordMeta (see projection.py)


def compilable(selections: tuple[Selected, ...]) -> bool:
    """Only unconditional selections compile; conditions depend on each request's variables."""
    return all(s.when is ALWAYS and compilable(s.children) for s in selections)


Compiled = dict[int, tuple[tuple[Selected, ...], ObjectProjector | None]]  # by id() of the selections


class Compiler:
    """Generates object projectors for one contract into a cache that the caller owns: the
    plan's own (`QueryPlan.derived`), so compiled code lives exactly as long as its plan and the
    plan cache's bound covers both."""

    def __init__(self, contract: Contract, cache: Compiled) -> None:
        self.contract = contract
        self._counter = itertools.count()
        self._cache = cache

    def projector(self, selections: tuple[Selected, ...], type_: GraphQLObjectType) -> ObjectProjector | None:
        """The compiled projector for these selections (None when they cannot compile)."""
        entry = self._cache.get(id(selections))
        if entry is not None and entry[0] is selections:
            return entry[1]
        function = self._compile(selections, type_) if compilable(selections) else None
        self._cache[id(selections)] = (selections, function)  # the plan holds the selections anyway
        return function

    def _compile(self, selections: tuple[Selected, ...], type_: GraphQLObjectType) -> ObjectProjector:
        namespace: dict[str, Any] = {"Fallback": Fallback, "_fallback": _fallback}
        name = f"project_{type_.name}_{next(self._counter)}"
        lines = [f"def {name}(v, m):"]
        if type_.name in RECORD_TYPES:
            lines.append(f"    m = v.get({META!r}, m)")  # inside a record, its consent applies
        categories = self._categories(selections, type_)
        for index, category in enumerate(categories):  # once per object: may it release?
            lines.append(f"    a{index} = m is None or {category!r} in m.allowed")
        fast = self._all_released(selections, type_, namespace, categories)
        lines += fast
        if categories or not fast:  # field by field, for when some category may not be released
            lines.append("    o = {}")
            lines += [f"    d{index} = False" for index in range(len(categories))]
            for selected in selections:
                lines += self._field(selected, type_, namespace, categories)
            for index, category in enumerate(categories):
                lines += [f"    if d{index} and m is not None:", f"        m.disclosed.add({category!r})"]
            lines.append("    return o")
        exec("\n".join(lines), namespace)
        return namespace[name]  # type: ignore[no-any-return]

    def _all_released(
        self,
        selections: tuple[Selected, ...],
        type_: GraphQLObjectType,
        namespace: dict[str, Any],
        categories: list[str],
    ) -> list[str]:
        """The fast path of the fast path: when every category is released, the object is one dict
        expression over its values read into locals, and each category is marked disclosed when one
        of its values is not empty (a completed value is empty exactly when the value it was read
        from is). Nothing for an object with a denied non-null field (it always falls back)."""
        if any(s.denied and isinstance(s.definition and s.definition.type, GraphQLNonNull) for s in selections):
            return []
        indent = "        " if categories else "    "
        reads, items = [], []
        by_category: dict[str, list[str]] = {c: [] for c in categories}
        for selected in selections:
            key = repr(selected.key)
            if selected.name == TYPENAME:
                items.append(f"{key}: {type_.name!r}")
                continue
            if selected.denied:
                items.append(f"{key}: None")
                continue
            assert selected.definition is not None
            var = f"x{next(self._counter)}"
            reads.append(f"{indent}{var} = v.get({selected.name!r})")
            items.append(f"{key}: {self._value(selected, selected.definition.type, namespace, var)}")
            category = self._category(type_.name, selected.name)
            if category is not None:
                by_category[category].append(var)
        lines = [f"    if {' and '.join(f'a{i}' for i in range(len(categories)))}:"] if categories else []
        lines += reads
        lines.append(f"{indent}o = {{{', '.join(items)}}}")
        for category, names in by_category.items():
            released = " or ".join(f"({n} is not None and {n} != [] and {n} != '')" for n in names)
            lines += [f"{indent}if m is not None and ({released}):", f"{indent}    m.disclosed.add({category!r})"]
        lines.append(f"{indent}return o")
        return lines

    def _categories(self, selections: tuple[Selected, ...], type_: GraphQLObjectType) -> list[str]:
        found = (self._category(type_.name, s.name) for s in selections if s.name != TYPENAME and not s.denied)
        return list(dict.fromkeys(c for c in found if c is not None))

    def _field(
        self, selected: Selected, parent: GraphQLObjectType, namespace: dict[str, Any], categories: list[str]
    ) -> list[str]:
        key = repr(selected.key)
        if selected.name == TYPENAME:
            return [f"    o[{key}] = {parent.name!r}"]
        assert selected.definition is not None
        if selected.denied:
            if isinstance(selected.definition.type, GraphQLNonNull):
                return ["    raise Fallback"]
            return [f"    o[{key}] = None"]
        category = self._category(parent.name, selected.name)
        value = self._value(selected, selected.definition.type, namespace)
        lines = [f"    x = v.get({selected.name!r})"]
        if category is not None:
            index = categories.index(category)
            lines += [
                f"    if not a{index}:",
                "        if x is not None and x != [] and x != {} and x != '':",
                "            raise Fallback",  # a value outside consent: the general path counts it
                f"        o[{key}] = None",
                "    else:",
                f"        o[{key}] = y = {value}",
                f"        if not d{index} and y is not None and y != [] and y != '':",
                f"            d{index} = True",
            ]
        else:
            lines.append(f"    o[{key}] = {value}")
        return lines

    def _category(self, type_name: str, field_name: str) -> str | None:
        if type_name not in self.contract.types or field_name not in self.contract.fields(type_name):
            return None
        return self.contract.category(type_name, field_name)

    def _value(self, selected: Selected, type_: GraphQLOutputType, namespace: dict[str, Any], var: str = "x") -> str:
        """An expression that is the completed value of `var`, or raises Fallback."""
        if isinstance(type_, GraphQLNonNull):
            return self._checked(selected, type_.of_type, namespace, var, nullable=False)
        return self._checked(selected, type_, namespace, var, nullable=True)

    def _checked(
        self, selected: Selected, type_: GraphQLOutputType, namespace: dict[str, Any], var: str, *, nullable: bool
    ) -> str:
        helper = f"h{next(self._counter)}"
        if isinstance(type_, GraphQLList):
            item = f"i{next(self._counter)}"
            inner = self._value(selected, type_.of_type, namespace, item)
            body = f"[{inner} for {item} in {var}]"
            check = f"type({var}) is list"
        elif isinstance(type_, GraphQLObjectType):
            child = self.projector(selected.children, type_)
            assert child is not None
            namespace[helper] = child
            body = f"{helper}({var}, m)"
            check = f"type({var}) is dict"
        elif isinstance(type_, GraphQLEnumType):
            namespace[helper] = frozenset(type_.values)
            body = var
            check = f"(type({var}) is str and {var} in {helper})"
        else:
            assert isinstance(type_, GraphQLScalarType)
            body = var
            check = SCALAR_CHECKS.get(type_.name, "type({v}) is str").format(v=var)
        fail = "_fallback()"
        if nullable:
            return f"(None if {var} is None else ({body} if {check} else {fail}))"
        return f"({body} if {check} else {fail})"


def _fallback() -> Any:
    raise Fallback
