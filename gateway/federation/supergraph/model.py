"""What the planner knows of a supergraph: which subgraph can resolve what, as plain data.

Read once from the `join__*` directives (`reader.py`); the planner only asks questions of it
(`Supergraph.resolvers`, `keys`, `possible_types_in`, …), so nothing in planning parses
directives again.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from enum import StrEnum
from functools import cached_property

from graphql import GraphQLSchema, SelectionSetNode


class Kind(StrEnum):
    OBJECT = "object"
    INTERFACE = "interface"
    UNION = "union"
    ENUM = "enum"
    INPUT = "input"
    SCALAR = "scalar"


@dataclass(frozen=True)
class Subgraph:
    """One `join__Graph` value: a subgraph and where it is served."""

    name: str  # the subgraph's name, as printed in plans
    enum_value: str  # its `join__Graph` value, as directives name it
    url: str


@dataclass(frozen=True)
class Key:
    """One `@key` of an entity type in one subgraph."""

    text: str
    selection: SelectionSetNode
    resolvable: bool


@dataclass(frozen=True)
class FieldSource:
    """One `@join__field`: how one subgraph knows a field."""

    graph: str  # subgraph name
    external: bool = False
    requires: SelectionSetNode | None = None
    requires_text: str | None = None
    provides: SelectionSetNode | None = None
    type: str | None = None  # the subgraph's type for the field, when it differs
    override_from: str | None = None
    used_overridden: bool = False
    override_label: str | None = None


@dataclass(frozen=True)
class Authorization:
    """`@authenticated`, `@requiresScopes`, `@policy` on a type or field (kept as metadata)."""

    authenticated: bool = False
    scopes: tuple[tuple[str, ...], ...] = ()  # any of these sets, each needed whole
    policies: tuple[tuple[str, ...], ...] = ()

    @property
    def empty(self) -> bool:
        return not (self.authenticated or self.scopes or self.policies)


NO_AUTHORIZATION = Authorization()


@dataclass
class FieldMeta:
    """A field of an object or interface type in the supergraph."""

    name: str
    parent: str
    sources: Mapping[str, FieldSource] | None  # None: every subgraph of the parent type
    inaccessible: bool = False
    authorization: Authorization = NO_AUTHORIZATION
    tags: tuple[str, ...] = ()


@dataclass
class TypeMeta:
    """A named type of the supergraph and how the subgraphs share it."""

    name: str
    kind: Kind
    graphs: tuple[str, ...]  # subgraphs that define it
    keys: dict[str, tuple[Key, ...]] = field(default_factory=dict)
    interface_object_in: frozenset[str] = frozenset()
    implements: dict[str, frozenset[str]] = field(default_factory=dict)  # per subgraph
    members: dict[str, frozenset[str]] = field(default_factory=dict)  # union members per subgraph
    fields: dict[str, FieldMeta] = field(default_factory=dict)
    inaccessible: bool = False
    authorization: Authorization = NO_AUTHORIZATION
    tags: tuple[str, ...] = ()


@dataclass
class Supergraph:
    """A Federation v2 supergraph: its full schema, its public API schema and the join metadata."""

    sdl: str
    schema: GraphQLSchema  # everything, join machinery and @inaccessible elements included
    api_schema: GraphQLSchema
    subgraphs: dict[str, Subgraph]  # by name
    types: dict[str, TypeMeta]
    override_labels: frozenset[str] = frozenset()

    @cached_property
    def query_type(self) -> str:
        return self.schema.query_type.name if self.schema.query_type else "Query"

    @cached_property
    def mutation_type(self) -> str | None:
        return self.schema.mutation_type.name if self.schema.mutation_type else None

    @cached_property
    def root_types(self) -> frozenset[str]:
        roots = (self.schema.query_type, self.schema.mutation_type, self.schema.subscription_type)
        return frozenset(t.name for t in roots if t is not None)

    def type_in(self, type_name: str, graph: str) -> bool:
        meta = self.types.get(type_name)
        return meta is not None and graph in meta.graphs

    def keys(self, type_name: str, graph: str) -> tuple[Key, ...]:
        meta = self.types.get(type_name)
        return () if meta is None else meta.keys.get(graph, ())

    def is_interface_object(self, type_name: str, graph: str) -> bool:
        meta = self.types.get(type_name)
        return meta is not None and graph in meta.interface_object_in

    def source(self, type_name: str, field_name: str, graph: str) -> FieldSource | None:
        """How `graph` knows the field (None when it does not define it)."""
        meta = self.types.get(type_name)
        if meta is None or graph not in meta.graphs:
            return None
        field_meta = meta.fields.get(field_name)
        if field_meta is None:
            return None
        if field_meta.sources is None:
            return FieldSource(graph)
        return field_meta.sources.get(graph)

    def resolves(self, type_name: str, field_name: str, graph: str, labels: frozenset[str] = frozenset()) -> bool:
        """True when `graph` resolves the field itself (it may still need its `@requires`)."""
        source = self.source(type_name, field_name, graph)
        if source is None or source.external:
            return False
        if source.override_label is not None:  # progressive override: the label decides who owns it
            active = source.override_label in labels
            return active if source.override_from is not None else not active
        return not source.used_overridden

    def resolvers(self, type_name: str, field_name: str, labels: frozenset[str] = frozenset()) -> list[str]:
        meta = self.types.get(type_name)
        if meta is None:
            return []
        return [graph for graph in meta.graphs if self.resolves(type_name, field_name, graph, labels)]

    def possible_types_in(self, abstract: str, graph: str) -> frozenset[str]:
        """The object types a subgraph may return for an abstract type it defines."""
        return self._possible_in.get((abstract, graph), frozenset())

    @cached_property
    def _possible_in(self) -> dict[tuple[str, str], frozenset[str]]:
        found: dict[tuple[str, str], set[str]] = {}
        for meta in self.types.values():
            if meta.kind is Kind.UNION:
                for graph, members in meta.members.items():
                    found.setdefault((meta.name, graph), set()).update(members)
            elif meta.kind is Kind.OBJECT:
                for graph, interfaces in meta.implements.items():
                    for interface in interfaces:
                        found.setdefault((interface, graph), set()).add(meta.name)
        return {key: frozenset(value) for key, value in found.items()}

    def subgraph_field_type(self, type_name: str, field_name: str, graph: str) -> str | None:
        """The field's type as the subgraph declares it (when `@join__field(type:)` says it differs)."""
        source = self.source(type_name, field_name, graph)
        return None if source is None else source.type
