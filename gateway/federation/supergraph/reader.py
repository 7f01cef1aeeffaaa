"""Read a Federation v2 supergraph SDL into a `Supergraph`: full schema, API schema, join metadata.

The `join__*` directives say which subgraph defines which type and field, with its keys,
`@requires`, `@provides`, `@external`, `@override`, interface objects, implementations and union
members; they are read here once into plain data (`model.py`). A malformed supergraph gets an
error that names the element and, for syntax errors, the line.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any

from graphql import (
    ConstDirectiveNode,
    DocumentNode,
    EnumTypeDefinitionNode,
    EnumTypeExtensionNode,
    FieldNode,
    GraphQLError,
    GraphQLInterfaceType,
    GraphQLObjectType,
    GraphQLSchema,
    GraphQLUnionType,
    InlineFragmentNode,
    InputObjectTypeDefinitionNode,
    InputObjectTypeExtensionNode,
    InterfaceTypeDefinitionNode,
    InterfaceTypeExtensionNode,
    ObjectTypeDefinitionNode,
    ObjectTypeExtensionNode,
    ScalarTypeDefinitionNode,
    ScalarTypeExtensionNode,
    SelectionSetNode,
    UnionTypeDefinitionNode,
    UnionTypeExtensionNode,
    build_ast_schema,
    get_named_type,
    parse,
    value_from_ast_untyped,
)

from ..errors import SupergraphError
from .api_schema import build_api_schema
from .links import JOIN, Links, read_links
from .model import Authorization, FieldMeta, FieldSource, Key, Kind, Subgraph, Supergraph, TypeMeta

KINDS: dict[type, Kind] = {
    ObjectTypeDefinitionNode: Kind.OBJECT,
    ObjectTypeExtensionNode: Kind.OBJECT,
    InterfaceTypeDefinitionNode: Kind.INTERFACE,
    InterfaceTypeExtensionNode: Kind.INTERFACE,
    UnionTypeDefinitionNode: Kind.UNION,
    UnionTypeExtensionNode: Kind.UNION,
    EnumTypeDefinitionNode: Kind.ENUM,
    EnumTypeExtensionNode: Kind.ENUM,
    InputObjectTypeDefinitionNode: Kind.INPUT,
    InputObjectTypeExtensionNode: Kind.INPUT,
    ScalarTypeDefinitionNode: Kind.SCALAR,
    ScalarTypeExtensionNode: Kind.SCALAR,
}


def parse_field_set(text: str, where: str) -> SelectionSetNode:
    """A `join__FieldSet` string ("id sku", "a { b }") as a selection set."""
    try:
        operation = parse("{" + text + "}", no_location=True).definitions[0]
    except GraphQLError as error:
        raise SupergraphError(f"{where}: the field set {text!r} is not valid: {error.message}") from None
    selection_set: SelectionSetNode = operation.selection_set  # type: ignore[attr-defined]
    return selection_set


def read_supergraph(sdl: str) -> Supergraph:
    """Parse and check a supergraph; raise `SupergraphError` naming what is wrong."""
    try:
        document = parse(sdl)
    except GraphQLError as error:
        locations = [(loc.line, loc.column) for loc in error.locations or ()]
        raise SupergraphError(f"the supergraph is not valid GraphQL: {error.message}", locations=locations) from None
    links = read_links(document)
    try:
        schema = build_ast_schema(document, assume_valid_sdl=False)
    except (GraphQLError, TypeError) as error:
        raise SupergraphError(f"the supergraph schema is not valid: {error}") from None
    reader = _Reader(document, links, schema)
    subgraphs = reader.subgraphs()
    types = reader.types(subgraphs)
    check_field_sets(schema, types)
    api_schema = build_api_schema(document, links, types)
    labels = frozenset(
        s.override_label
        for t in types.values()
        for f in t.fields.values()
        for s in (f.sources or {}).values()
        if s.override_label
    )
    return Supergraph(sdl, schema, api_schema, subgraphs, types, labels)


class _Reader:
    def __init__(self, document: DocumentNode, links: Links, schema: GraphQLSchema) -> None:
        self.document = document
        self.links = links
        self.schema = schema
        self.graph_names: dict[str, str] = {}  # join__Graph value -> subgraph name
        name = links.directive
        self.d_graph = name(JOIN, "graph")
        self.d_type = name(JOIN, "type")
        self.d_field = name(JOIN, "field")
        self.d_implements = name(JOIN, "implements")
        self.d_member = name(JOIN, "unionMember")
        self.d_inaccessible = name("inaccessible", "inaccessible")
        self.d_tag = name("tag", "tag")
        self.d_authenticated = name("authenticated", "authenticated")
        self.d_scopes = name("requiresScopes", "requiresScopes")
        self.d_policy = name("policy", "policy")

    def subgraphs(self) -> dict[str, Subgraph]:
        enum_name = self.links.type_name(JOIN, "Graph")
        found: dict[str, Subgraph] = {}
        for definition in self.document.definitions:
            if isinstance(definition, EnumTypeDefinitionNode) and definition.name.value == enum_name:
                for value in definition.values or ():
                    args = self._args(value.directives, self.d_graph)
                    if args is None:
                        raise SupergraphError(f"{enum_name}.{value.name.value} has no @{self.d_graph}(name:, url:)")
                    graph_name, url = args.get("name"), args.get("url")
                    if not isinstance(graph_name, str) or not isinstance(url, str):
                        raise SupergraphError(f"{enum_name}.{value.name.value}: @{self.d_graph} needs name and url")
                    self.graph_names[value.name.value] = graph_name
                    found[graph_name] = Subgraph(graph_name, value.name.value, url)
        if not found:
            raise SupergraphError(f"the supergraph defines no subgraphs (enum {enum_name} is missing or empty)")
        return found

    def types(self, subgraphs: dict[str, Subgraph]) -> dict[str, TypeMeta]:
        types: dict[str, TypeMeta] = {}
        for definition in self.document.definitions:
            kind = KINDS.get(type(definition))
            if kind is None:
                continue
            node: Any = definition
            name = node.name.value
            if self.links.is_spec_name(name):
                continue
            meta = types.get(name)
            if meta is None:
                meta = types[name] = TypeMeta(name, kind, ())
            self._read_type(meta, node)
        every = tuple(subgraphs)
        for meta in types.values():
            if not meta.graphs:  # a type no subgraph claims: a built-in kind of value, known everywhere
                meta.graphs = every
        return types

    def _read_type(self, meta: TypeMeta, node: Any) -> None:
        directives = node.directives or ()
        graphs = list(meta.graphs)
        for args in self._all_args(directives, self.d_type):
            graph = self._graph(args.get("graph"), meta.name)
            if graph not in graphs:
                graphs.append(graph)
            key = args.get("key")
            if isinstance(key, str):
                where = f"@{self.d_type}(graph: {graph}) on {meta.name}"
                entry = Key(key, parse_field_set(key, where), bool(args.get("resolvable", True)))
                meta.keys[graph] = (*meta.keys.get(graph, ()), entry)
            if args.get("isInterfaceObject"):
                meta.interface_object_in = meta.interface_object_in | {graph}
        meta.graphs = tuple(graphs)
        for args in self._all_args(directives, self.d_implements):
            graph = self._graph(args.get("graph"), meta.name)
            interface = args.get("interface")
            if not isinstance(interface, str):
                raise SupergraphError(f"@{self.d_implements} on {meta.name} has no interface")
            meta.implements[graph] = meta.implements.get(graph, frozenset()) | {interface}
        for args in self._all_args(directives, self.d_member):
            graph = self._graph(args.get("graph"), meta.name)
            member = args.get("member")
            if not isinstance(member, str):
                raise SupergraphError(f"@{self.d_member} on {meta.name} has no member")
            meta.members[graph] = meta.members.get(graph, frozenset()) | {member}
        meta.inaccessible = meta.inaccessible or self._has(directives, self.d_inaccessible)
        meta.authorization = self._authorization(directives, meta.authorization)
        meta.tags = meta.tags + self._tags(directives)
        if meta.kind in (Kind.OBJECT, Kind.INTERFACE):
            for field_node in node.fields or ():
                meta.fields[field_node.name.value] = self._field(meta.name, field_node)

    def _field(self, parent: str, node: Any) -> FieldMeta:
        directives = node.directives or ()
        entries = self._all_args(directives, self.d_field)
        sources: dict[str, FieldSource] | None = None
        if entries:
            sources = {}
            for args in entries:
                if args.get("graph") is None:
                    continue  # `@join__field` alone: no subgraph defines it here (it comes from an interface object)
                graph = self._graph(args.get("graph"), f"{parent}.{node.name.value}")
                where = f"@{self.d_field}(graph: {graph}) on {parent}.{node.name.value}"
                if args.get("contextArguments"):
                    raise SupergraphError(f"{where}: contextual arguments (@fromContext) are not supported yet")
                requires, provides = args.get("requires"), args.get("provides")
                sources[graph] = FieldSource(
                    graph=graph,
                    external=bool(args.get("external")),
                    requires=parse_field_set(requires, where) if isinstance(requires, str) else None,
                    requires_text=requires if isinstance(requires, str) else None,
                    provides=parse_field_set(provides, where) if isinstance(provides, str) else None,
                    type=args.get("type") if isinstance(args.get("type"), str) else None,
                    override_from=args.get("override") if isinstance(args.get("override"), str) else None,
                    used_overridden=bool(args.get("usedOverridden")),
                    override_label=args.get("overrideLabel") if isinstance(args.get("overrideLabel"), str) else None,
                )
        return FieldMeta(
            node.name.value,
            parent,
            sources,
            inaccessible=self._has(directives, self.d_inaccessible),
            authorization=self._authorization(directives),
            tags=self._tags(directives),
        )

    def _graph(self, value: Any, where: str) -> str:
        graph = self.graph_names.get(value) if isinstance(value, str) else None
        if graph is None:
            raise SupergraphError(f"{where}: unknown subgraph {value!r} (not a value of the join__Graph enum)")
        return graph

    def _authorization(
        self, directives: Sequence[ConstDirectiveNode], base: Authorization | None = None
    ) -> Authorization:
        base = base or Authorization()
        authenticated = base.authenticated or self._has(directives, self.d_authenticated)
        scopes = base.scopes + tuple(
            tuple(group) for args in self._all_args(directives, self.d_scopes) for group in args.get("scopes") or ()
        )
        policies = base.policies + tuple(
            tuple(group) for args in self._all_args(directives, self.d_policy) for group in args.get("policies") or ()
        )
        return Authorization(authenticated, scopes, policies)

    def _tags(self, directives: Sequence[ConstDirectiveNode]) -> tuple[str, ...]:
        return tuple(str(args.get("name")) for args in self._all_args(directives, self.d_tag))

    @staticmethod
    def _has(directives: Iterable[ConstDirectiveNode], name: str | None) -> bool:
        return name is not None and any(d.name.value == name for d in directives)

    def _args(self, directives: Iterable[ConstDirectiveNode] | None, name: str | None) -> dict[str, Any] | None:
        found = self._all_args(directives or (), name)
        return found[0] if found else None

    @staticmethod
    def _all_args(directives: Iterable[ConstDirectiveNode], name: str | None) -> list[dict[str, Any]]:
        if name is None:
            return []
        return [
            {arg.name.value: value_from_ast_untyped(arg.value) for arg in directive.arguments or ()}
            for directive in directives
            if directive.name.value == name
        ]


def check_field_sets(schema: GraphQLSchema, types: dict[str, TypeMeta]) -> None:
    """Every `@key`, `@requires` and `@provides` names fields that exist (checked once, at load)."""

    def check(type_name: str, selection: SelectionSetNode, where: str) -> None:
        parent = schema.get_type(type_name)
        for node in selection.selections:
            if isinstance(node, InlineFragmentNode):
                condition = node.type_condition.name.value if node.type_condition else type_name
                if schema.get_type(condition) is None:
                    raise SupergraphError(f"{where}: unknown type {condition!r} in a fragment")
                check(condition, node.selection_set, where)
                continue
            if not isinstance(node, FieldNode):
                raise SupergraphError(f"{where}: a field set may not spread named fragments")
            name = node.name.value
            if name == "__typename":
                continue
            fields = parent.fields if isinstance(parent, GraphQLObjectType | GraphQLInterfaceType) else {}
            if name not in fields:
                raise SupergraphError(f"{where}: {type_name} has no field {name!r}")
            target = get_named_type(fields[name].type)
            if node.selection_set is not None:
                if not isinstance(target, GraphQLObjectType | GraphQLInterfaceType | GraphQLUnionType):
                    raise SupergraphError(f"{where}: {type_name}.{name} is a leaf and cannot have a selection")
                check(target.name, node.selection_set, where)

    for meta in types.values():
        for graph, keys in meta.keys.items():
            for key in keys:
                check(meta.name, key.selection, f"@key(fields: {key.text!r}) of {meta.name} in {graph}")
        for field_meta in meta.fields.values():
            for source in (field_meta.sources or {}).values():
                where = f"{meta.name}.{field_meta.name} in {source.graph}"
                if source.requires is not None:
                    check(meta.name, source.requires, f"@requires of {where}")
                if source.provides is not None:
                    returned = schema.get_type(meta.name)
                    assert isinstance(returned, GraphQLObjectType | GraphQLInterfaceType)
                    provided = get_named_type(returned.fields[field_meta.name].type)
                    check(provided.name, source.provides, f"@provides of {where}")
