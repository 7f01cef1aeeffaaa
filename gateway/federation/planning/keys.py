"""Response keys of fields the planner adds (keys, `@requires`): never a clash with the client's.

The client's response keys are reserved at every position first; a field the plan adds takes its
own name where that is free or means the same field with the same arguments, and
`name__alias_N` otherwise (a `@requires` of `price(currency: "USD")` where the client selects
`price(currency: "EUR")`). The same field at the same position always gets the same key, so
every fetch that writes or reads it agrees.
"""

from __future__ import annotations

from dataclasses import replace

from ..operation import Field, FieldSetCache, Selection
from ..supergraph import Key
from .context import Path, list_depth
from .subquery import print_arguments


def signature(field_: Field) -> tuple[str, str]:
    """What makes two fields the same at one position: name and arguments."""
    return field_.name, print_arguments(tuple(field_.node.arguments or ()))


class ResponseKeys:
    """The response keys in use at every position of one plan."""

    def __init__(self, fieldsets: FieldSetCache) -> None:
        self.fieldsets = fieldsets
        self.registry: dict[Path, dict[str, set[tuple[str, str]]]] = {}
        self._memo: dict[tuple[Path, int], Selection] = {}

    def reserve(self, path: Path, key: str, field_: Field) -> None:
        self.registry.setdefault(path, {}).setdefault(key, set()).add(signature(field_))

    def register_tree(self, path: Path, selection: Selection) -> None:
        """Reserve the client's response keys at every position before internal fields need keys."""
        registry = self.registry.setdefault(path, {})
        for fields in selection.by_type.values():
            for field_ in fields:
                if field_.is_typename or field_.definition is None:
                    continue
                registry.setdefault(field_.key, set()).add(signature(field_))
                if field_.selection is not None:
                    child = (*path, field_.key, *("@",) * list_depth(field_.type))
                    self.register_tree(child, field_.selection)

    def key_selection(self, path: Path, type_name: str, key: Key) -> Selection:
        return self.internal(path, self.fieldsets.selection(type_name, key.selection))

    def internal(self, path: Path, selection: Selection) -> Selection:
        memo = (path, id(selection))
        found = self._memo.get(memo)
        if found is None:
            by_type = {
                t: tuple(self.internal_field(path, f) for f in fields) for t, fields in selection.by_type.items()
            }
            found = self._memo[memo] = Selection(selection.type_name, selection.abstract, by_type)
        return found

    def internal_field(self, path: Path, field_: Field) -> Field:
        if field_.is_typename:
            return field_
        registry = self.registry.setdefault(path, {})
        wanted = signature(field_)
        key = field_.name
        index = 0
        while key in registry and registry[key] != {wanted}:
            key = f"{field_.name}__alias_{index}"
            index += 1
        registry.setdefault(key, set()).add(wanted)
        selection = field_.selection
        if selection is not None:
            selection = self.internal((*path, key, *("@",) * list_depth(field_.type)), selection)
        return replace(field_, key=key, selection=selection)
