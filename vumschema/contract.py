"""The one contract: `schema.graphql`, parsed once, with its directives as plain data.

Both the gateway and the adapter SDK read the standard from here, so there is one place where a
field's category, a code list's wire codes or a subgraph's share of the schema is defined.
"""

from __future__ import annotations

import functools
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from graphql import (
    DirectiveNode,
    DocumentNode,
    EnumTypeDefinitionNode,
    FieldDefinitionNode,
    GraphQLSchema,
    InputObjectTypeDefinitionNode,
    InputValueDefinitionNode,
    ListTypeNode,
    NamedTypeNode,
    NonNullTypeNode,
    ObjectTypeDefinitionNode,
    ScalarTypeDefinitionNode,
    TypeDefinitionNode,
    TypeNode,
    build_ast_schema,
    parse,
)
from graphql.utilities import value_from_ast_untyped

SCHEMA_FILE = "schema.graphql"

# Resolver names used in `@resolvedBy(subgraph: ...)`.
GATEWAY = "gateway"
ORGANISATION = "organisation"

CATEGORIES = ("MATCHPROFIEL", "DETAIL", "CONTACTGEGEVENS", "BIJZONDER")

FieldNode = FieldDefinitionNode | InputValueDefinitionNode


def schema_path() -> Path:
    """Where `schema.graphql` is: next to this package in a wheel, at the project root otherwise."""
    here = Path(__file__).resolve().parent
    for candidate in (here / SCHEMA_FILE, here.parent / SCHEMA_FILE):
        if candidate.is_file():
            return candidate
    raise FileNotFoundError(f"{SCHEMA_FILE} not found next to {here} or in its parent")


@functools.cache
def load_contract() -> Contract:
    """The contract as shipped with the project (parsed once per process)."""
    return Contract(schema_path().read_text(encoding="utf-8"))


def directive_args(node: Any, name: str) -> dict[str, Any] | None:
    """Arguments of directive `name` on an AST node, or None when it is not applied."""
    for directive in getattr(node, "directives", None) or ():
        if directive.name.value == name:
            return directive_values(directive)
    return None


def directive_values(directive: DirectiveNode) -> dict[str, Any]:
    return {arg.name.value: value_from_ast_untyped(arg.value) for arg in directive.arguments or ()}


def named_type(type_node: TypeNode) -> str:
    """The innermost type name of `[Foo!]!` and friends."""
    while isinstance(type_node, NonNullTypeNode | ListTypeNode):
        type_node = type_node.type
    assert isinstance(type_node, NamedTypeNode)
    return type_node.name.value


def type_string(type_node: TypeNode) -> str:
    """`[Foo!]!` as written in SDL."""
    if isinstance(type_node, NonNullTypeNode):
        return type_string(type_node.type) + "!"
    if isinstance(type_node, ListTypeNode):
        return "[" + type_string(type_node.type) + "]"
    assert isinstance(type_node, NamedTypeNode)
    return type_node.name.value


def is_list(type_node: TypeNode) -> bool:
    if isinstance(type_node, NonNullTypeNode):
        type_node = type_node.type
    return isinstance(type_node, ListTypeNode)


def description_of(node: Any) -> str | None:
    description = getattr(node, "description", None)
    return description.value if description is not None else None


@dataclass(frozen=True)
class EnumCodes:
    """An enum's values and their codes in the standard's JSON."""

    name: str
    wire_type: str  # "INT" or "STRING"
    code_by_value: Mapping[str, int | str]

    @property
    def value_by_code(self) -> dict[int | str, str]:
        return {code: value for value, code in self.code_by_value.items()}


class Contract:
    """`schema.graphql` parsed, with lookups for the directives the project relies on."""

    def __init__(self, sdl: str) -> None:
        self.sdl = sdl
        self.document: DocumentNode = parse(sdl)
        self.schema: GraphQLSchema = build_ast_schema(self.document)
        self.types: dict[str, TypeDefinitionNode] = {
            node.name.value: node for node in self.document.definitions if isinstance(node, TypeDefinitionNode)
        }

    # -- types and fields -------------------------------------------------------------------

    def object_type(self, name: str) -> ObjectTypeDefinitionNode:
        node = self.types[name]
        assert isinstance(node, ObjectTypeDefinitionNode), name
        return node

    def input_type(self, name: str) -> InputObjectTypeDefinitionNode:
        node = self.types[name]
        assert isinstance(node, InputObjectTypeDefinitionNode), name
        return node

    def fields(self, type_name: str) -> dict[str, FieldNode]:
        node = self.types[type_name]
        if isinstance(node, ObjectTypeDefinitionNode | InputObjectTypeDefinitionNode):
            return {field.name.value: field for field in node.fields or ()}
        return {}

    def field(self, type_name: str, field_name: str) -> FieldNode:
        return self.fields(type_name)[field_name]

    def is_scalar(self, name: str) -> bool:
        return name in ("String", "Int", "Float", "Boolean", "ID") or isinstance(
            self.types.get(name), ScalarTypeDefinitionNode
        )

    def is_enum(self, name: str) -> bool:
        return isinstance(self.types.get(name), EnumTypeDefinitionNode)

    # -- directives -------------------------------------------------------------------------

    def category(self, type_name: str, field_name: str) -> str | None:
        """The field's own `@categorie`, or None when it inherits its parent's."""
        args = directive_args(self.field(type_name, field_name), "categorie")
        return str(args["naam"]) if args else None

    def resolved_by(self, type_name: str, field_name: str) -> str:
        """Who resolves the field: `gateway`, a reference subgraph, or `organisation`."""
        args = directive_args(self.field(type_name, field_name), "resolvedBy")
        return str(args["subgraph"]) if args else ORGANISATION

    def is_inaccessible(self, node: Any) -> bool:
        return directive_args(node, "inaccessible") is not None

    def constraint(self, node: Any) -> dict[str, Any]:
        return directive_args(node, "constraint") or {}

    def extension_reason(self, type_name: str, field_name: str) -> str | None:
        args = directive_args(self.field(type_name, field_name), "extension")
        return str(args["reason"]) if args else None

    def scopes(self) -> frozenset[str]:
        """Every scope some field requires (`@requiresScopes`): what a token may grant."""
        found: set[str] = set()
        for type_name in self.types:
            for field in self.fields(type_name).values():
                args = directive_args(field, "requiresScopes")
                found.update(scope for alternative in (args or {}).get("scopes", ()) for scope in alternative)
        return frozenset(found)

    def key_fields(self, type_name: str) -> list[str]:
        args = directive_args(self.types[type_name], "key")
        return str(args["fields"]).split() if args else []

    @functools.cache  # noqa: B019 - one Contract per process; the cache lives as long as it does
    def enum_codes(self, enum_name: str) -> EnumCodes:
        node = self.types[enum_name]
        assert isinstance(node, EnumTypeDefinitionNode), enum_name
        wire = directive_args(node, "wireCodes")
        wire_type = str(wire["type"]) if wire else "STRING"
        codes: dict[str, int | str] = {}
        for value in node.values or ():
            code = directive_args(value, "code")
            raw = str(code["value"]) if code else value.name.value
            codes[value.name.value] = int(raw) if wire_type == "INT" else raw
        return EnumCodes(enum_name, wire_type, codes)

    def coded_enums(self) -> Iterator[EnumCodes]:
        for name, node in self.types.items():
            if isinstance(node, EnumTypeDefinitionNode) and directive_args(node, "wireCodes"):
                yield self.enum_codes(name)
