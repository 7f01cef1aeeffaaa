"""The selection sent to one subgraph, built up while planning and then rendered as text.

A `SubSelection` is one selection set of a subgraph query: fields at the position's own type
and inline fragments per object type (at abstract positions and at the `_entities` level).
Rendering prints it compactly for the wire, and pretty for plans. Where two fragments of one
selection set use the same response key for fields of different types in the subgraph (which
GraphQL forbids), the later ones are aliased and renamed back after the fetch (`Rename`).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass, field

from graphql import ArgumentNode, VariableNode, print_ast
from graphql.language import Visitor, visit

from ..operation import ALWAYS, Alternatives
from .nodes import Rename

TypeOf = Callable[[str, str], str | None]  # (parent type, field name) -> the field's type in the subgraph, printed


@dataclass
class SubField:
    key: str
    name: str
    arguments: tuple[ArgumentNode, ...] = ()
    when: Alternatives = ALWAYS
    selection: SubSelection | None = None

    @property
    def signature(self) -> tuple[str, str]:
        return self.name, print_arguments(self.arguments)


@dataclass
class SubSelection:
    type_name: str  # the position's type in the subgraph
    fields: dict[str, SubField] = field(default_factory=dict)
    fragments: dict[str, SubSelection] = field(default_factory=dict)
    typename: bool = False

    def add(
        self, key: str, name: str, arguments: tuple[ArgumentNode, ...], when: Alternatives, child_type: str | None
    ) -> SubField:
        """The field at `key` (added if new); `child_type`: its type in the subgraph when composite."""
        found = self.fields.get(key)
        if found is None:
            child = SubSelection(child_type) if child_type is not None else None
            found = self.fields[key] = SubField(key, name, arguments, when, child)
        elif found.when is not ALWAYS and when is not found.when:
            found.when = ALWAYS if (when is ALWAYS or () in when) else tuple(dict.fromkeys(found.when + when))
        return found

    def fragment(self, type_name: str) -> SubSelection:
        found = self.fragments.get(type_name)
        if found is None:
            found = self.fragments[type_name] = SubSelection(type_name)
        return found

    @property
    def empty(self) -> bool:
        return not self.fields and not self.typename and all(f.empty for f in self.fragments.values())


def print_arguments(arguments: tuple[ArgumentNode, ...]) -> str:
    if not arguments:
        return ""
    return "(" + ", ".join(f"{a.name.value}: {print_ast(a.value)}" for a in arguments) + ")"


def variables_of(selection: SubSelection) -> set[str]:
    """The variables a selection uses, in arguments and in @skip/@include."""
    found: set[str] = set()

    class Collector(Visitor):
        def enter_variable(self, node: VariableNode, *_: object) -> None:
            found.add(node.name.value)

    collector = Collector()
    for sub_field in _all_fields(selection):
        for argument in sub_field.arguments:
            visit(argument, collector)
        for alternative in sub_field.when if sub_field.when is not ALWAYS else ():
            found.update(name for name, _ in alternative)
    return found


def _all_fields(selection: SubSelection) -> Iterator[SubField]:
    for sub_field in selection.fields.values():
        yield sub_field
        if sub_field.selection is not None:
            yield from _all_fields(sub_field.selection)
    for fragment in selection.fragments.values():
        yield from _all_fields(fragment)


def dealias(selection: SubSelection, type_of: TypeOf) -> list[Rename]:
    """Alias fields that share a response key across fragments but differ in type in the subgraph
    (GraphQL forbids it); the returned renames restore the keys in the answer."""
    renames: list[Rename] = []
    _dealias_level([selection], type_of, (), renames)
    return renames


def _dealias_level(levels: list[SubSelection], type_of: TypeOf, path: tuple[str, ...], renames: list[Rename]) -> None:
    """`levels`: the selection sets GraphQL merges at one response position."""
    by_key: dict[str, list[tuple[str, SubField]]] = {}
    for selection in levels:
        for sub_field in selection.fields.values():
            by_key.setdefault(sub_field.key, []).append((selection.type_name, sub_field))
        for type_name, fragment in selection.fragments.items():
            for sub_field in fragment.fields.values():
                by_key.setdefault(sub_field.key, []).append((type_name, sub_field))
    used = set(by_key)
    for key, entries in by_key.items():
        groups: dict[str, list[tuple[str, SubField]]] = {}
        for parent, sub_field in entries:
            groups.setdefault(type_of(parent, sub_field.name) or "", []).append((parent, sub_field))
        for index, (type_string, group) in enumerate(groups.items()):
            final_key = key
            if index > 0:
                final_key = _free(f"{key}__alias", used)
                used.add(final_key)
                for parent, sub_field in group:
                    renames.append(Rename(path, parent, final_key, key))
                    sub_field.key = final_key
            children = [f.selection for _, f in group if f.selection is not None]
            if children:
                _dealias_level(children, type_of, (*path, final_key, *("@",) * type_string.count("[")), renames)


def _free(base: str, used: set[str]) -> str:
    index = 0
    while f"{base}_{index}" in used:
        index += 1
    return f"{base}_{index}"


def render(selection: SubSelection, indent: int | None = None) -> str:
    """The selection set as text: compact (`indent=None`) or pretty-printed from `indent`."""
    parts: list[str] = []
    if selection.typename:
        parts.append("__typename")
    for sub_field in selection.fields.values():
        text = sub_field.name if sub_field.key == sub_field.name else f"{sub_field.key}: {sub_field.name}"
        text += print_arguments(sub_field.arguments) + _directives(sub_field.when)
        if sub_field.selection is not None:
            text += " " + render(sub_field.selection, None if indent is None else indent + 1)
        parts.append(text)
    for type_name, fragment in selection.fragments.items():
        if not fragment.empty:
            parts.append(f"... on {type_name} " + render(fragment, None if indent is None else indent + 1))
    if not parts:
        parts.append("__typename")  # a selection set cannot be empty
    if indent is None:
        return "{" + " ".join(parts) + "}"
    pad = "  " * (indent + 1)
    return "{\n" + "".join(f"{pad}{p}\n" for p in parts) + "  " * indent + "}"


def _directives(when: Alternatives) -> str:
    if when is ALWAYS or len(when) != 1:
        return ""  # several alternatives cannot be said with directives: the projection decides
    return "".join(f" @{'include' if value else 'skip'}(if: ${name})" for name, value in when[0])
