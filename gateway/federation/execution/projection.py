"""The one projection pass: the merged response tree -> the client's response, driven by the operation.

No resolver runs per field. The pass walks the normalised operation over plain dicts, writes each
response key in the client's order (aliases, `__typename`, type conditions on abstract types by
the object's `__typename`), evaluates `@skip`/`@include`, and checks every value against the API
schema: a value of the wrong type (or an enum value the API does not expose) becomes null with an
error, and a null in a non-null position propagates to the nearest nullable field, as GraphQL
prescribes. Each object is projected by a function compiled for its (selection, type)
(`compiled.py`) when one applies; anything unusual is redone here, the general path, which
produces the exact errors.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import orjson
from graphql import (
    GraphQLEnumType,
    GraphQLList,
    GraphQLNonNull,
    GraphQLOutputType,
    GraphQLScalarType,
    GraphQLSchema,
)

from ..errors import ErrorCode
from ..extensions import RELEASE, Release, computed_key, empty
from ..operation import ALWAYS, Field, Selection, included
from .compiled import Compiler, Fallback
from .computing import required_names
from .scalars import accepts

PathEntry = str | int
Projected = dict[str, Any] | orjson.Fragment  # an object, or its JSON (`RequestContext.encoded`)
SCALAR_TYPES: dict[str, tuple[type, ...]] = {
    "String": (str,),
    "ID": (str, int),
    "Int": (int,),
    "Float": (float, int),
    "Boolean": (bool,),
}
MIN_INT, MAX_INT = -(2**31), 2**31 - 1


class NullInNonNull(Exception):
    """A non-null position got null; caught at the nearest nullable field."""


class Projector:
    """Projects one response; collects its errors."""

    def __init__(
        self,
        schema: GraphQLSchema,
        variables: Mapping[str, Any],
        errors: list[dict[str, Any]],
        compiled: Compiler | None = None,
        context: Any = None,
    ) -> None:
        self.schema = schema
        self.context = context  # the request's RequestContext (for computed fields)
        self.encoded = bool(getattr(context, "encoded", False))  # objects below the root may come back as JSON
        self.computed = compiled.computed if compiled is not None else {}
        self.release = compiled.release if compiled is not None else None
        self._current: Release | None = None  # the Release in force where the walk is
        self.variables = variables
        self.errors = errors
        self.compiled = compiled
        self._error_paths: set[tuple[PathEntry, ...]] | None = None

    def root(self, selection: Selection, data: dict[str, Any]) -> dict[str, Any] | None:
        try:
            projected = self.object(selection, data, selection.type_name, [])
        except NullInNonNull:
            return None
        assert type(projected) is dict  # the root is never encoded
        return projected

    def object(
        self,
        selection: Selection,
        value: Mapping[str, Any],
        type_name: str,
        path: list[PathEntry],
        fields_of: str | None = None,
    ) -> Projected:
        """`value` projected as an object of `type_name`, with the fields `selection` has for
        `fields_of` (default: `type_name`). Below the root, with `encoded`, it may be its JSON
        (`orjson.Fragment`) instead; the root stays a dict (introspection is added to it)."""
        if self.compiled is not None and type(value) is dict:
            native = self.compiled.native
            if native is not None and (fields_of is None or fields_of == type_name):
                project_natively = native.projector(selection, type_name, self.encoded and bool(path))
                done = project_natively(value, self._current, self.context) if project_natively else None
                if done is not None:
                    return done
            project = self.compiled.projector(selection, type_name, fields_of)
            try:
                return project(value, self.variables, self._current, self.context)
            except Fallback:  # something unusual: the general path redoes this object
                pass
        fields = selection.fields(fields_of or type_name)
        outer = self._current
        own = value.get(RELEASE)
        if isinstance(own, Release):
            self._current = own
        try:
            return self._fields(fields, value, type_name, path)
        finally:
            self._current = outer

    def _fields(
        self, fields: tuple[Field, ...], value: Mapping[str, Any], type_name: str, path: list[PathEntry]
    ) -> dict[str, Any]:
        result: dict[str, Any] = {}
        for field in fields:
            if field.when is not ALWAYS and not included(field.when, self.variables):
                continue
            if field.is_typename:
                result[field.key] = type_name
                continue
            if field.denied:  # its error was given once for the operation
                if isinstance(field.type, GraphQLNonNull):
                    raise NullInNonNull
                result[field.key] = None
                continue
            raw = self._raw(field, value, type_name)
            category = self.release.category(type_name, field.name) if self.release is not None else None
            release = self._current
            if category is not None and release is not None and category not in release.allowed:
                if not empty(raw):
                    release.withheld.append(category)
                raw = None
            path.append(field.key)
            try:
                result[field.key] = completed = self.complete(field, field.type, raw, path)
            except NullInNonNull:
                if isinstance(field.type, GraphQLNonNull):
                    raise
                result[field.key] = completed = None
            finally:
                path.pop()
            if category is not None and release is not None and not empty(completed):
                release.released.add(category)
        return result

    def _raw(self, field: Field, value: Mapping[str, Any], type_name: str) -> Any:
        computed = self.computed.get((type_name, field.name)) if self.computed else None
        if computed is None:
            return value.get(field.key)
        needed = {name: value.get(computed_key(field.key, name)) for name in required_names(computed)}
        return computed.compute(needed, value, self.context)

    def complete(self, field: Field, type_: GraphQLOutputType, value: Any, path: list[PathEntry]) -> Any:
        if isinstance(type_, GraphQLNonNull):
            completed = self.complete(field, type_.of_type, value, path)
            if completed is None:
                if not self._covered(path):
                    self.error(f"Cannot return null for non-nullable field {field.definition and field.name}", path)
                raise NullInNonNull
            return completed
        if value is None:
            return None
        if isinstance(type_, GraphQLList):
            if type(value) is not list:
                return self.invalid(value, path)
            items = []
            for index, item in enumerate(value):
                path.append(index)
                try:
                    items.append(self.complete(field, type_.of_type, item, path))
                finally:
                    path.pop()
            return items
        if isinstance(type_, GraphQLScalarType):
            return self._scalar(type_, value, path)
        if isinstance(type_, GraphQLEnumType):
            return value if isinstance(value, str) and value in type_.values else self.invalid(value, path)
        if type(value) is not dict:
            return self.invalid(value, path)
        selection = field.selection
        assert selection is not None
        if not selection.abstract:
            return self.object(selection, value, selection.type_name, path)
        typename = value.get("__typename")
        if not isinstance(typename, str) or typename not in selection.by_type:
            self.error(f"a subgraph returned an object of a type that cannot be here: {typename!r}", path)
            return None
        # an object a subgraph knows only by its interface (`@interfaceObject`) keeps the interface's fields
        return self.object(selection, value, typename, path)

    def _scalar(self, type_: GraphQLScalarType, value: Any, path: list[PathEntry]) -> Any:
        expected = SCALAR_TYPES.get(type_.name)
        if expected is None:  # a custom scalar: any JSON the subgraph sends, unless it says otherwise
            return value if accepts(type_, value) else self.invalid(value, path)
        if type(value) is bool and type_.name != "Boolean":
            return self.invalid(value, path)
        if not isinstance(value, expected):
            return self.invalid(value, path)
        if type(value) is int and type_.name == "Int" and not MIN_INT <= value <= MAX_INT:
            return self.invalid(value, path)
        return value

    def invalid(self, value: Any, path: list[PathEntry]) -> None:
        self.errors.append(
            {
                "message": "a subgraph returned a value of the wrong type for this field",
                "path": list(path),
                "extensions": {"code": str(ErrorCode.INVALID_GRAPHQL_VALUE)},
            }
        )
        return None

    def error(self, message: str, path: list[PathEntry]) -> None:
        self.errors.append({"message": message, "path": list(path)})
        if self._error_paths is not None:
            self._error_paths.add(tuple(path))

    def _covered(self, path: list[PathEntry]) -> bool:
        """True when an error already explains a null here (at this path, below or above it)."""
        if self._error_paths is None:
            self._error_paths = {tuple(e["path"]) for e in self.errors if isinstance(e.get("path"), list)}
        here = tuple(path)
        return any(p[: len(here)] == here or here[: len(p)] == p for p in self._error_paths)
