"""What the planner asks of the supergraph while it plans: where a key can be had, who covers most.

Pure questions over the join metadata and the position (the subgraph the walk is in, its
`@provides`): which subgraphs an object can jump to, which key of theirs is available here
(directly, or through further jumps), how much of a selection a subgraph resolves itself, and
which object types are possible where several subgraphs resolve the same path. Nothing here
changes a plan; the searches are bounded so that planning stays bounded on any supergraph.
"""

from __future__ import annotations

from collections.abc import Iterable

from graphql import GraphQLObjectType

from ..operation import Field, FieldSetCache, Selection
from ..supergraph import Key, Kind, Supergraph

GIVEN = ""  # the "subgraph" of objects handed to `build_entities`: it resolves only their given fields
MAX_DEPTH = 24  # nested jumps for one key or @requires: beyond this a supergraph is circular
MAX_SEARCHES = 20_000  # steps of the search for a reachable key, per plan


def fields_for(selection: Selection, type_name: str) -> list[Field]:
    """The fields of a (field set's) selection that apply to an object of `type_name`."""
    fields = selection.by_type.get(type_name)
    return list(fields if fields is not None else selection.fields(selection.type_name))


class Reach:
    """Questions about keys, targets and coverage, for one plan (its caches live as long)."""

    def __init__(self, supergraph: Supergraph, fieldsets: FieldSetCache, labels: frozenset[str]) -> None:
        self.sg = supergraph
        self.fieldsets = fieldsets
        self.labels = labels
        self.given: frozenset[str] = frozenset()
        self._targets: dict[str, list[tuple[str, str]]] = {}
        self._shared: dict[tuple[tuple[tuple[str, str], ...], int], Selection] = {}
        self._searches = 0

    def is_entity(self, type_name: str) -> bool:
        meta = self.sg.types.get(type_name)
        return meta is not None and any(meta.keys.values())

    def shared_runtime_types(self, chain: tuple[tuple[str, str], ...], field_: Field) -> Selection:
        """Where the path from the nearest entity (or the root) to a position can be resolved by
        several subgraphs, they must return the same objects: only the object types every one of
        them can return there are possible, and fragments on the others never apply."""
        selection = field_.selection
        assert selection is not None
        if not selection.abstract:
            return selection
        memo = (chain, id(selection))
        found = self._shared.get(memo)
        if found is not None:
            return found
        subgraphs = [s for s in self.sg.subgraphs if all(self.sg.resolves(t, f, s, self.labels) for t, f in chain)]
        possible: set[str] | None = None
        type_name = chain[-1][0]
        for subgraph in subgraphs:
            s_type = self.subgraph_type(type_name, field_, subgraph)
            if self.sg.is_interface_object(s_type, subgraph):
                continue
            meta = self.sg.types.get(s_type)
            types = (
                {s_type}
                if meta is not None and meta.kind is Kind.OBJECT
                else self.sg.possible_types_in(s_type, subgraph)
            )
            possible = set(types) if possible is None else possible & types
        found = selection
        if possible is not None and len(subgraphs) > 1:
            by_type = {t: f for t, f in selection.by_type.items() if t in possible or t == selection.type_name}
            found = Selection(selection.type_name, True, by_type)
        self._shared[memo] = found
        return found

    def subgraph_type(self, type_name: str, field_: Field, subgraph: str) -> str:
        declared = self.sg.subgraph_field_type(type_name, field_.name, subgraph)
        if declared is not None:
            return declared.replace("[", "").replace("]", "").replace("!", "").strip()
        return field_.type_name

    def entity_targets(self, type_name: str) -> list[tuple[str, str]]:
        """(subgraph, type to ask `_entities` for): the type's own resolvable keys, and those of its
        interfaces that subgraphs know as interface objects."""
        found = self._targets.get(type_name)
        if found is not None:
            return found
        found = []
        meta = self.sg.types.get(type_name)
        if meta is not None:
            found += [(s, type_name) for s in meta.graphs if any(k.resolvable for k in meta.keys.get(s, ()))]
            schema_type = self.sg.schema.get_type(type_name)
            interfaces = schema_type.interfaces if isinstance(schema_type, GraphQLObjectType) else []
            for interface in interfaces:
                imeta = self.sg.types.get(interface.name)
                if imeta is None:
                    continue
                for subgraph in imeta.interface_object_in:
                    if any(k.resolvable for k in imeta.keys.get(subgraph, ())):
                        found.append((subgraph, interface.name))
        self._targets[type_name] = found
        return found

    def pick_key(
        self, here: str, provides: Selection | None, type_name: str, subgraph: str, entity_type: str, jumps: bool = True
    ) -> Key | None:
        """A resolvable key of `entity_type` in `subgraph` whose fields the subgraph `here` has (or, with
        `jumps`, can get through other keys)."""
        keys = [k for k in self.sg.keys(entity_type, subgraph) if k.resolvable]
        for key in keys:
            fields = fields_for(self.fieldsets.selection(entity_type, key.selection), type_name)
            if self.available(here, type_name, fields, provides, set(), 0):
                return key
        if not jumps:
            return None
        for key in keys:
            fields = fields_for(self.fieldsets.selection(entity_type, key.selection), type_name)
            if self.reachable(here, type_name, fields, provides, {subgraph}, 0):
                return key
        return None

    def available(
        self,
        subgraph: str,
        type_name: str,
        fields: Iterable[Field],
        provides: Selection | None,
        seen: set[str],
        depth: int,
    ) -> bool:
        """True when the subgraph resolves every field here itself (no jumps)."""
        if subgraph == GIVEN:
            return all(f.is_typename or (f.name in self.given and f.selection is None) for f in fields)
        for field_ in fields:
            if field_.is_typename:
                continue
            provided = None
            if provides is not None and self.sg.source(type_name, field_.name, subgraph) is not None:
                candidates = provides.by_type.get(type_name, provides.fields(provides.type_name))
                provided = next((f for f in candidates if f.name == field_.name), None)
            if provided is None:
                if not self.sg.resolves(type_name, field_.name, subgraph, self.labels):
                    return False
                source = self.sg.source(type_name, field_.name, subgraph)
                if source is not None and source.requires is not None:
                    return False
            if field_.selection is not None and depth < MAX_DEPTH:
                child_type = self.subgraph_type(type_name, field_, subgraph)
                child_provides = provided.selection if provided is not None else None
                for child_name in self.types_in(field_.selection, child_type, subgraph):
                    child_fields = field_.selection.fields(child_name) or field_.selection.fields(
                        field_.selection.type_name
                    )
                    if not self.available(subgraph, child_name, child_fields, child_provides, seen, depth + 1):
                        return False
        return True

    def reachable(
        self,
        subgraph: str,
        type_name: str,
        fields: Iterable[Field],
        provides: Selection | None,
        seen: set[str],
        depth: int,
    ) -> bool:
        """True when every field here can be had from this subgraph, possibly through further jumps."""
        self._searches += 1
        if self._searches > MAX_SEARCHES:
            return False  # a supergraph this tangled: no key reachable through it counts
        if depth > MAX_DEPTH:
            return False
        for field_ in fields:
            if self.available(subgraph, type_name, [field_], provides, seen, depth):
                continue
            ok = False
            for target, entity_type in self.entity_targets(type_name):
                if target in seen or not self.sg.resolves(entity_type, field_.name, target, self.labels):
                    continue
                for key in self.sg.keys(entity_type, target):
                    if not key.resolvable:
                        continue
                    key_fields = fields_for(self.fieldsets.selection(entity_type, key.selection), type_name)
                    if self.reachable(subgraph, type_name, key_fields, provides, seen | {target}, depth + 1):
                        ok = True
                        break
                if ok:
                    break
            if not ok:
                return False
        return True

    def types_in(self, selection: Selection, s_type: str, subgraph: str) -> list[str]:
        meta = self.sg.types.get(s_type)
        if meta is None or meta.kind is Kind.OBJECT or self.sg.is_interface_object(s_type, subgraph):
            return [s_type]
        possible = self.sg.possible_types_in(s_type, subgraph)
        types = [t for t in selection.by_type if t in possible]
        return types or [s_type]

    def coverage(
        self, subgraph: str, type_name: str, fields: Iterable[Field], depth: int, provides: Selection | None = None
    ) -> int:
        """How much of a selection a subgraph resolves itself (to prefer the one that does most)."""
        total = 0
        for field_ in fields:
            if field_.is_typename:
                continue
            provided = None
            if provides is not None:
                candidates = provides.by_type.get(type_name, provides.fields(provides.type_name))
                provided = next((f for f in candidates if f.name == field_.name), None)
            if provided is None and not self.sg.resolves(type_name, field_.name, subgraph, self.labels):
                continue
            total += 1
            if field_.selection is not None and depth < 4:
                source = self.sg.source(type_name, field_.name, subgraph)
                if source is not None and source.provides is not None:
                    child_provides: Selection | None = self.fieldsets.selection(field_.type_name, source.provides)
                else:
                    child_provides = provided.selection if provided is not None else None
                child_type = self.subgraph_type(type_name, field_, subgraph)
                for child_name in self.types_in(field_.selection, child_type, subgraph):
                    total += self.coverage(
                        subgraph, child_name, field_.selection.fields(child_name), depth + 1, child_provides
                    )
        return total
