"""The response tree: subgraph JSON merged in place, objects found by path, representations built.

Fetches write into one tree of plain dicts and lists (orjson's output), keyed by the response
keys the plan chose; the projection reads it afterwards. Merging is a deep merge (lists item by
item); a concrete `__typename` is never replaced by an interface's name, which a subgraph that
knows the type only as an `@interfaceObject` would report.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from ..planning.nodes import EntityInput, InputSelection, Rename

TYPENAME = "__typename"


def objects_at(data: dict[str, Any], path: tuple[str, ...]) -> list[dict[str, Any]]:
    """The objects at `path` ("@" = each item of a list), skipping nulls and non-objects."""
    current: list[Any] = [data]
    for segment in path:
        found: list[Any] = []
        if segment == "@":
            for value in current:
                if type(value) is list:
                    found.extend(value)
        else:
            for value in current:
                if type(value) is dict:
                    child = value.get(segment)
                    if child is not None:
                        found.append(child)
        current = found
    return [value for value in current if type(value) is dict]


def paths_of(data: dict[str, Any], path: tuple[str, ...]) -> dict[int, list[str | int]]:
    """The response path of each object at `path`, by `id()`: only needed to place errors."""
    current: list[tuple[Any, list[str | int]]] = [(data, [])]
    for segment in path:
        found: list[tuple[Any, list[str | int]]] = []
        for value, where in current:
            if segment == "@":
                if type(value) is list:
                    found.extend((item, [*where, index]) for index, item in enumerate(value))
            elif type(value) is dict and value.get(segment) is not None:
                found.append((value[segment], [*where, segment]))
        current = found
    return {id(value): where for value, where in current if type(value) is dict}


def merge(target: dict[str, Any], source: dict[str, Any], abstract: frozenset[str]) -> None:
    """Merge `source` into `target` in place."""
    if target.keys().isdisjoint(source):
        target.update(source)  # the common case: a fetch adds fields the object lacks
        return
    for key, value in source.items():
        old = target.get(key)
        if old is not None:
            kind = type(old)
            if kind is dict and type(value) is dict:
                merge(old, value, abstract)
                continue
            if kind is list and type(value) is list:
                _merge_lists(old, value, abstract)
                continue
            if key == TYPENAME and old not in abstract:
                continue  # keep the object's concrete type
        target[key] = value


def _merge_lists(target: list[Any], source: list[Any], abstract: frozenset[str]) -> None:
    for index, (old, new) in enumerate(zip(target, source, strict=False)):
        if type(old) is dict and type(new) is dict:
            merge(old, new, abstract)
        elif type(old) is list and type(new) is list:
            _merge_lists(old, new, abstract)
        elif old is None:
            target[index] = new


def flat_values(
    fields: tuple[tuple[str, str], ...], keys: frozenset[str], obj: dict[str, Any]
) -> tuple[Any, ...] | None:
    """The values of a flat representation, in order (its identity when deduplicating); None when
    the object lacks a field or has a null key."""
    values = []
    for name, key in fields:
        value = obj.get(key, _MISSING)
        if value is _MISSING or (value is None and name in keys):
            return None
        values.append(value)
    return tuple(values)


def flat_representation(typename: str, fields: tuple[tuple[str, str], ...], values: tuple[Any, ...]) -> dict[str, Any]:
    result: dict[str, Any] = {TYPENAME: typename}
    for (name, _), value in zip(fields, values, strict=True):
        result[name] = value
    return result


_MISSING = object()


def representation(entity_input: EntityInput, obj: dict[str, Any]) -> dict[str, Any] | None:
    """The representation of `obj` for an entity fetch; None when it lacks (or has a null) key."""
    result: dict[str, Any] = {TYPENAME: entity_input.typename}
    keys = entity_input.key_fields
    for field in entity_input.selection.fields:
        if field.key not in obj:
            return None
        value = obj[field.key]
        if value is None and field.name in keys:
            return None
        result[field.name] = value if field.selection is None else _copy(field.selection, value)
    return result


def _copy(selection: InputSelection, value: Any) -> Any:
    if type(value) is list:
        return [_copy(selection, item) for item in value]
    if type(value) is not dict:
        return value
    result: dict[str, Any] = {}
    fields: Iterable[Any] = selection.fields
    if selection.by_type:
        fields = (*selection.fields, *selection.by_type.get(value.get(TYPENAME), ()))  # type: ignore[arg-type]
    for field in fields:
        if field.key in value:
            inner = value[field.key]
            result[field.name] = inner if field.selection is None else _copy(field.selection, inner)
    return result


def apply_renames(value: Any, renames: tuple[Rename, ...]) -> None:
    """Give aliased fields of a subgraph's answer their response keys back."""
    for rename in renames:
        for obj in _at(value, rename.path):
            if rename.alias in obj and (rename.type_name is None or obj.get(TYPENAME) == rename.type_name):
                obj[rename.key] = obj.pop(rename.alias)


def _at(value: Any, path: tuple[str, ...]) -> list[dict[str, Any]]:
    found: list[Any] = [value]
    for segment in path:
        following: list[Any] = []
        for item in found:
            if segment == "@":
                if isinstance(item, list):
                    following.extend(item)
            elif isinstance(item, dict) and item.get(segment) is not None:
                following.append(item[segment])
        found = following
    return [v for v in found if isinstance(v, dict)]
