"""The public API schema of a supergraph: what clients see and are validated against.

It is the supergraph without the machinery of the linked specifications (`join__*`, `link__*`,
their directives) and without every element marked `@inaccessible` (types, fields, arguments,
enum values, input fields, and the interfaces and union members that are inaccessible).
"""

from __future__ import annotations

from dataclasses import replace
from typing import Any

from graphql import (
    DirectiveDefinitionNode,
    DocumentNode,
    EnumTypeDefinitionNode,
    EnumTypeExtensionNode,
    GraphQLError,
    GraphQLSchema,
    InputObjectTypeDefinitionNode,
    InputObjectTypeExtensionNode,
    InterfaceTypeDefinitionNode,
    InterfaceTypeExtensionNode,
    NamedTypeNode,
    ObjectTypeDefinitionNode,
    ObjectTypeExtensionNode,
    ScalarTypeDefinitionNode,
    ScalarTypeExtensionNode,
    SchemaDefinitionNode,
    SchemaExtensionNode,
    TypeNode,
    UnionTypeDefinitionNode,
    UnionTypeExtensionNode,
    build_ast_schema,
    validate_schema,
)
from graphql.language import ListTypeNode, NonNullTypeNode

from ..errors import SupergraphError
from .links import Links
from .model import TypeMeta

NAMED = (
    ObjectTypeDefinitionNode,
    ObjectTypeExtensionNode,
    InterfaceTypeDefinitionNode,
    InterfaceTypeExtensionNode,
    UnionTypeDefinitionNode,
    UnionTypeExtensionNode,
    EnumTypeDefinitionNode,
    EnumTypeExtensionNode,
    InputObjectTypeDefinitionNode,
    InputObjectTypeExtensionNode,
    ScalarTypeDefinitionNode,
    ScalarTypeExtensionNode,
)


def build_api_schema(document: DocumentNode, links: Links, types: dict[str, TypeMeta]) -> GraphQLSchema:
    inaccessible = links.directive("inaccessible", "inaccessible")
    hidden_types = {name for name, meta in types.items() if meta.inaccessible}
    pruner = _Pruner(links, inaccessible, hidden_types)
    definitions = [pruned for d in document.definitions if (pruned := pruner.definition(d)) is not None]
    try:
        schema = build_ast_schema(DocumentNode(definitions=tuple(definitions)), assume_valid_sdl=True)
    except (GraphQLError, TypeError) as error:
        raise SupergraphError(f"the API schema of the supergraph is not valid: {error}") from None
    errors = _check(schema)
    if errors:
        raise SupergraphError(f"the API schema of the supergraph is not valid: {errors[0]}")
    return schema


def _check(schema: GraphQLSchema) -> list[str]:
    return [error.message for error in validate_schema(schema)]


class _Pruner:
    def __init__(self, links: Links, inaccessible: str | None, hidden_types: set[str]) -> None:
        self.links = links
        self.inaccessible = inaccessible
        self.hidden_types = hidden_types

    def definition(self, node: Any) -> Any:
        if isinstance(node, SchemaDefinitionNode | SchemaExtensionNode):
            kept = tuple(op for op in node.operation_types or () if op.type.name.value not in self.hidden_types)
            return replace(node, directives=(), operation_types=kept)
        if isinstance(node, DirectiveDefinitionNode):
            return None if self.links.is_spec_name(node.name.value) else node
        if not isinstance(node, NAMED):
            return node
        name = node.name.value
        if self.links.is_spec_name(name) or name in self.hidden_types:
            return None
        changes: dict[str, Any] = {"directives": self._directives(node.directives)}
        if isinstance(node, ObjectTypeDefinitionNode | ObjectTypeExtensionNode | InterfaceTypeDefinitionNode):
            changes["fields"] = self._fields(node.fields)
            changes["interfaces"] = tuple(i for i in node.interfaces or () if i.name.value not in self.hidden_types)
        elif isinstance(node, InterfaceTypeExtensionNode):
            changes["fields"] = self._fields(node.fields)
        elif isinstance(node, UnionTypeDefinitionNode | UnionTypeExtensionNode):
            changes["types"] = tuple(t for t in node.types or () if t.name.value not in self.hidden_types)
        elif isinstance(node, EnumTypeDefinitionNode | EnumTypeExtensionNode):
            changes["values"] = tuple(
                replace(v, directives=self._directives(v.directives))
                for v in node.values or ()
                if not self._hidden(v.directives)
            )
        elif isinstance(node, InputObjectTypeDefinitionNode | InputObjectTypeExtensionNode):
            changes["fields"] = self._arguments(node.fields)
        return replace(node, **changes)

    def _fields(self, fields: Any) -> tuple[Any, ...]:
        return tuple(
            replace(f, directives=self._directives(f.directives), arguments=self._arguments(f.arguments))
            for f in fields or ()
            if not self._hidden(f.directives) and not self._hidden_type(f.type)
        )

    def _arguments(self, arguments: Any) -> tuple[Any, ...]:
        return tuple(
            replace(a, directives=self._directives(a.directives))
            for a in arguments or ()
            if not self._hidden(a.directives) and not self._hidden_type(a.type)
        )

    def _hidden(self, directives: Any) -> bool:
        return self.inaccessible is not None and any(d.name.value == self.inaccessible for d in directives or ())

    def _hidden_type(self, type_node: TypeNode) -> bool:
        while isinstance(type_node, ListTypeNode | NonNullTypeNode):
            type_node = type_node.type
        assert isinstance(type_node, NamedTypeNode)
        return type_node.name.value in self.hidden_types

    def _directives(self, directives: Any) -> tuple[Any, ...]:
        return tuple(d for d in directives or () if not self.links.is_spec_name(d.name.value))
