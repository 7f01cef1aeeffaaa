"""The one projection pass: subgraph JSON -> the client's response, driven by the selection.

No resolver runs per field. The pass walks the normalised selection over plain dicts (the
subgraphs' JSON, merged and completed), writes each response key in selection order, evaluates
`@skip`/`@include` on variables, and checks every value against the public schema on the way: a
value of the wrong type from a source becomes null with an error, and a null in a non-null
position propagates to the nearest nullable field, as GraphQL prescribes. A search result that
breaks the contract is left out (one error names it) rather than voiding the whole page.

It is also where the gateway enforces consent a second time: inside a record (marked with its
`RecordMeta`), a field whose category is outside what the record may release to this caller is
answered as null, and when the source sent a value for it anyway that is a security event. The
categories that do leave are collected per record for the processing log.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from graphql import (
    GraphQLEnumType,
    GraphQLList,
    GraphQLNonNull,
    GraphQLObjectType,
    GraphQLOutputType,
    GraphQLScalarType,
    GraphQLSchema,
)

from vumschema import Contract

from ..plan.selection import TYPENAME, Selected
from .compiled import META, Compiler, Fallback

PathEntry = str | int

_SCALAR_TYPES: dict[str, tuple[type, ...]] = {
    "String": (str,),
    "ID": (str, int),
    "Int": (int,),
    "Float": (float, int),
    "Boolean": (bool,),
}
DROPPED_ON_INVALID = frozenset({"edges"})  # lists whose invalid items are left out, not propagated


class NullInNonNull(Exception):
    """A non-null position got null; caught at the nearest nullable field."""


@dataclass
class RecordMeta:
    """What the executor knows of one record while it is projected."""

    bron_id: str
    record_id: str
    allowed: frozenset[str]
    disclosed: set[str] = field(default_factory=set)
    violations: list[str] = field(default_factory=list)  # categories a source sent but may not


@dataclass
class Projector:
    """Projects values for one request; collects its errors and what each record disclosed."""

    schema: GraphQLSchema
    contract: Contract
    variables: Mapping[str, Any]
    compiler: Compiler | None = None
    errors: list[dict[str, Any]] = field(default_factory=list)
    _enum_names: dict[str, frozenset[str]] = field(default_factory=dict)
    _categories: dict[tuple[str, str], str | None] = field(default_factory=dict)
    _record: RecordMeta | None = None

    def error(self, message: str, path: list[PathEntry], code: str) -> None:
        self.errors.append({"message": message, "path": list(path), "extensions": {"code": code}})

    def object(
        self, selections: tuple[Selected, ...], value: Mapping[str, Any], type_name: str, path: list[PathEntry]
    ) -> dict[str, Any]:
        """The response object for `value` of type `type_name`: the compiled fast path when it
        applies and nothing is unusual, the general path otherwise."""
        if self.compiler is not None and type(value) is dict:
            type_ = self.schema.get_type(type_name)
            fast = self.compiler.projector(selections, type_) if isinstance(type_, GraphQLObjectType) else None
            if fast is not None:
                try:
                    return fast(value, self._record)
                except Fallback:
                    pass
        outer = self._record
        meta = value.get(META)
        if isinstance(meta, RecordMeta):
            self._record = meta
        try:
            return self._fields(selections, value, type_name, path)
        finally:
            self._record = outer

    def _fields(
        self, selections: tuple[Selected, ...], value: Mapping[str, Any], type_name: str, path: list[PathEntry]
    ) -> dict[str, Any]:
        result: dict[str, Any] = {}
        for selected in selections:
            if not selected.included(self.variables):
                continue
            if selected.name == TYPENAME:
                result[selected.key] = type_name
                continue
            assert selected.definition is not None
            raw = value.get(selected.name)
            category = self._category(type_name, selected.name)
            if selected.denied or not self._releasable(category, raw):
                raw = None
            path.append(selected.key)
            try:
                result[selected.key] = completed = self.complete(selected, selected.definition.type, raw, path)
            except NullInNonNull:
                if isinstance(selected.definition.type, GraphQLNonNull):
                    raise
                result[selected.key] = completed = None
            finally:
                path.pop()
            if category is not None and self._record is not None and completed not in (None, [], ""):
                self._record.disclosed.add(category)
        return result

    def _category(self, type_name: str, field_name: str) -> str | None:
        key = (type_name, field_name)
        if key not in self._categories:
            known = field_name in self.contract.fields(type_name) if type_name in self.contract.types else False
            self._categories[key] = self.contract.category(type_name, field_name) if known else None
        return self._categories[key]

    def _releasable(self, category: str | None, raw: Any) -> bool:
        """False for a field of a category this record may not release to this caller."""
        record = self._record
        if category is None or record is None or category in record.allowed:
            return True
        if raw not in (None, [], {}, ""):
            record.violations.append(category)
        return False

    def complete(self, selected: Selected, type_: GraphQLOutputType, value: Any, path: list[PathEntry]) -> Any:
        if isinstance(type_, GraphQLNonNull):
            completed = self.complete(selected, type_.of_type, value, path)
            if completed is None:
                if value is None and not selected.denied:
                    self.error("a required value is missing in the source's answer", path, "INVALID_SOURCE_DATA")
                raise NullInNonNull
            return completed
        if value is None:
            return None
        if isinstance(type_, GraphQLList):
            return self._list(selected, type_, value, path)
        if isinstance(type_, GraphQLObjectType):
            if not isinstance(value, Mapping):
                return self._invalid(path)
            return self.object(selected.children, value, type_.name, path)
        if isinstance(type_, GraphQLEnumType):
            return value if isinstance(value, str) and value in self._enum(type_) else self._invalid(path)
        assert isinstance(type_, GraphQLScalarType)
        expected = _SCALAR_TYPES.get(type_.name, (str,))
        if not isinstance(value, expected) or (isinstance(value, bool) and type_.name != "Boolean"):
            return self._invalid(path)
        return value

    def _list(self, selected: Selected, type_: GraphQLList[Any], value: Any, path: list[PathEntry]) -> Any:
        if not isinstance(value, list):
            return self._invalid(path)
        items: list[Any] = []
        drop_invalid = selected.name in DROPPED_ON_INVALID
        for index, item in enumerate(value):
            path.append(index)
            try:
                items.append(self.complete(selected, type_.of_type, item, path))
            except NullInNonNull:
                if not drop_invalid:
                    raise
                self.error("a search result breaks the contract and is left out", path, "INVALID_SOURCE_DATA")
                if isinstance(item, Mapping) and isinstance(item.get("node"), Mapping):
                    meta = item["node"].get(META)
                    if isinstance(meta, RecordMeta):
                        meta.disclosed.clear()  # left out, so not disclosed
            finally:
                path.pop()
        return items

    def _invalid(self, path: list[PathEntry]) -> None:
        self.error("a value in the source's answer has the wrong type", path, "INVALID_SOURCE_DATA")
        return None

    def _enum(self, type_: GraphQLEnumType) -> frozenset[str]:
        names = self._enum_names.get(type_.name)
        if names is None:
            names = self._enum_names[type_.name] = frozenset(type_.values)
        return names
