"""Views of the contract: the gateway's public API, and each subgraph's share of the schema.

A view is a set of type definitions (graphql-core AST nodes) with only the fields that belong to
it, so it can be printed, built into a schema or compared with what a subgraph serves.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterable
from typing import Any

from graphql import (
    DirectiveDefinitionNode,
    DocumentNode,
    EnumTypeDefinitionNode,
    GraphQLSchema,
    InputObjectTypeDefinitionNode,
    ObjectTypeDefinitionNode,
    ScalarTypeDefinitionNode,
    SchemaDefinitionNode,
    TypeDefinitionNode,
    build_ast_schema,
)

from .contract import GATEWAY, ORGANISATION, Contract, FieldNode, directive_args, named_type

# Directives that only matter between gateway and subgraphs; the public API does not show them.
FEDERATION_DIRECTIVES = frozenset({"key", "inaccessible", "resolvedBy"})


def _without_directives(node: object, names: frozenset[str]) -> object:
    directives = getattr(node, "directives", None)
    if not directives:
        return node
    kept = tuple(d for d in directives if d.name.value not in names)
    return dataclasses.replace(node, directives=kept)  # type: ignore[type-var]


def _accessible(nodes: Iterable[Any] | None) -> tuple[Any, ...]:
    return tuple(
        _without_directives(_strip_args(node), FEDERATION_DIRECTIVES)
        for node in nodes or ()
        if directive_args(node, "inaccessible") is None
    )


def _strip_args(node: object) -> object:
    arguments = getattr(node, "arguments", None)
    if not arguments:
        return node
    return dataclasses.replace(node, arguments=_accessible(arguments))  # type: ignore[type-var]


def _public_type(node: TypeDefinitionNode) -> TypeDefinitionNode:
    clone = _without_directives(node, FEDERATION_DIRECTIVES)
    assert isinstance(clone, TypeDefinitionNode)
    if isinstance(clone, ObjectTypeDefinitionNode):
        return dataclasses.replace(clone, fields=_accessible(clone.fields))
    if isinstance(clone, InputObjectTypeDefinitionNode):
        return dataclasses.replace(clone, fields=_accessible(clone.fields))
    if isinstance(clone, EnumTypeDefinitionNode):
        return dataclasses.replace(clone, values=_accessible(clone.values))
    return clone


def public_document(contract: Contract) -> DocumentNode:
    """The gateway's public API: the contract without `@inaccessible` elements and federation."""
    kept: list[Any] = []
    for node in contract.document.definitions:
        if isinstance(node, DirectiveDefinitionNode):
            if node.name.value not in FEDERATION_DIRECTIVES:
                kept.append(node)
        elif isinstance(node, TypeDefinitionNode):
            if node.name.value != "FieldSet" and directive_args(node, "inaccessible") is None:
                kept.append(_public_type(node))
        elif isinstance(node, SchemaDefinitionNode):
            kept.append(node)
    return _reachable(DocumentNode(definitions=tuple(kept)), roots=("Query",))


def public_schema(contract: Contract) -> GraphQLSchema:
    return build_ast_schema(public_document(contract))


def _reachable(document: DocumentNode, roots: Iterable[str]) -> DocumentNode:
    """Drop type definitions that neither the roots nor any directive definition refer to."""
    types = {node.name.value: node for node in document.definitions if isinstance(node, TypeDefinitionNode)}
    seen: set[str] = set()
    todo = list(roots)
    for node in document.definitions:
        if isinstance(node, DirectiveDefinitionNode):
            todo.extend(named_type(arg.type) for arg in node.arguments or ())
    while todo:
        name = todo.pop()
        if name in seen or name not in types:
            continue
        seen.add(name)
        for field in _fields(types[name]):
            todo.append(named_type(field.type))
            todo.extend(named_type(arg.type) for arg in getattr(field, "arguments", None) or ())
    definitions = tuple(
        node for node in document.definitions if not isinstance(node, TypeDefinitionNode) or node.name.value in seen
    )
    return DocumentNode(definitions=definitions)


def _fields(node: TypeDefinitionNode) -> tuple[FieldNode, ...]:
    if isinstance(node, ObjectTypeDefinitionNode | InputObjectTypeDefinitionNode):
        return tuple(node.fields or ())
    return ()


def organisation_entities(contract: Contract) -> frozenset[str]:
    """The keyed types an organisation resolves itself (`_entities`): the search results, which the
    gateway fetches by key from their owner for the page it shows (query-then-fetch). A keyed type
    whose fields a reference subgraph resolves (`Beroep`) is only referred to by organisations."""
    found = set()
    for name in subgraph_types(contract, ORGANISATION):
        owners = {contract.resolved_by(name, f.name.value) for f in _fields(contract.types[name])}
        if contract.key_fields(name) and owners <= {ORGANISATION, GATEWAY}:
            found.add(name)
    return frozenset(found)


def subgraph_types(contract: Contract, subgraph: str) -> dict[str, TypeDefinitionNode]:
    """The types, restricted to the fields it serves, that `subgraph` must provide.

    `organisation` serves the root fields without `@resolvedBy` and everything they reach; a
    reference subgraph (e.g. `codelijsten`) serves the fields marked `@resolvedBy` with its name
    plus the key fields of their entities. A field without the directive belongs to whoever serves
    the field through which its type was reached.
    """
    view: dict[str, TypeDefinitionNode] = {}
    todo: list[tuple[str, set[str] | None]] = []  # (type name, fields to serve or None = all own)
    if subgraph == ORGANISATION:
        todo.append(("Query", None))
    else:
        for name, node in contract.types.items():
            owned = {
                field.name.value for field in _fields(node) if contract.resolved_by(name, field.name.value) == subgraph
            }
            if owned:
                todo.append((name, owned | set(contract.key_fields(name))))
    while todo:
        name, wanted = todo.pop()
        found = contract.types.get(name)
        if found is None or name in view:
            continue
        view[name] = _restrict(contract, found, subgraph, wanted)
        for field in _fields(view[name]):
            todo.append((named_type(field.type), None))
            todo.extend((named_type(arg.type), None) for arg in getattr(field, "arguments", ()) or ())
    return view


def _restrict(
    contract: Contract, node: TypeDefinitionNode, subgraph: str, wanted: set[str] | None
) -> TypeDefinitionNode:
    if not isinstance(node, ObjectTypeDefinitionNode):
        return node
    name = node.name.value

    def serves(field: FieldNode) -> bool:
        field_name = field.name.value
        if wanted is not None:
            return field_name in wanted
        owner = directive_args(field, "resolvedBy")
        if name == "Query":
            return owner is None and subgraph == ORGANISATION
        return owner is None or owner["subgraph"] == subgraph

    return dataclasses.replace(node, fields=tuple(field for field in node.fields or () if serves(field)))


def scalar_names(types: dict[str, TypeDefinitionNode]) -> list[str]:
    return [name for name, node in types.items() if isinstance(node, ScalarTypeDefinitionNode)]
