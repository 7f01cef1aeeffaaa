"""Strawberry federation types built from `schema.graphql`, so an adapter cannot drift from it.

The SDK does not restate the standard in Python: it reads a subgraph's share of the contract
(`vumschema.views.subgraph_types`) and builds the strawberry scalars, enums, input and object
types from it, with the contract's descriptions and directives. Records stay the standard's JSON
(plain dicts): enum values are Python enums whose values are the standard's codes, so a code in
a record serialises as its GraphQL name.
"""

import enum
import inspect
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass, field
from typing import Annotated, Any, Optional

import strawberry
from graphql import (
    EnumTypeDefinitionNode,
    GraphQLError,
    InputObjectTypeDefinitionNode,
    ListTypeNode,
    NamedTypeNode,
    NonNullTypeNode,
    ObjectTypeDefinitionNode,
    ScalarTypeDefinitionNode,
    TypeDefinitionNode,
    TypeNode,
)
from graphql.utilities import value_from_ast_untyped
from strawberry.federation.schema_directives import Key
from strawberry.federation.types import FieldSet
from strawberry.schema_directive import Location
from strawberry.types.scalar import ScalarDefinition

from vumschema import Contract, load_contract
from vumschema.constraints import ValueChecker
from vumschema.contract import description_of, directive_args
from vumschema.views import organisation_entities, subgraph_types

# -- the contract's directives as strawberry schema directives --------------------------------


@strawberry.schema_directive(locations=[Location.ENUM_VALUE], name="code")
class Code:
    value: str


def _enum(node: EnumTypeDefinitionNode, contract: Contract) -> type[enum.Enum]:
    codes = contract.enum_codes(node.name.value)
    members = {
        value.name.value: strawberry.enum_value(
            codes.code_by_value[value.name.value],
            description=description_of(value),
            directives=[Code(value=str(directive_args(value, "code")["value"]))]  # type: ignore[index]
            if directive_args(value, "code")
            else [],
        )
        for value in node.values or ()
    }
    python_enum = enum.Enum(node.name.value, members)  # type: ignore[misc]
    wire = directive_args(node, "wireCodes")
    return strawberry.enum(
        python_enum,
        name=node.name.value,
        description=description_of(node),
        directives=[WireCodes(type=WireType(wire["type"]))] if wire else [],
    )


# The directives' own enums come from the contract too, so they print exactly as it says.
_CONTRACT = load_contract()
WireType = _enum(_CONTRACT.types["WireType"], _CONTRACT)  # type: ignore[arg-type]
Gegevenscategorie = _enum(_CONTRACT.types["Gegevenscategorie"], _CONTRACT)  # type: ignore[arg-type]
DIRECTIVE_ENUMS = {"WireType": WireType, "Gegevenscategorie": Gegevenscategorie}


@strawberry.schema_directive(locations=[Location.FIELD_DEFINITION], name="categorie")
class Categorie:
    naam: Gegevenscategorie  # type: ignore[valid-type]


@strawberry.schema_directive(locations=[Location.ENUM], name="wireCodes")
class WireCodes:
    type: WireType  # type: ignore[valid-type]


@strawberry.schema_directive(
    locations=[
        Location.FIELD_DEFINITION,
        Location.INPUT_FIELD_DEFINITION,
        Location.ARGUMENT_DEFINITION,
        Location.SCALAR,
    ],
    name="constraint",
)
class Constraint:
    minLength: int | None = strawberry.UNSET
    maxLength: int | None = strawberry.UNSET
    pattern: str | None = strawberry.UNSET
    min: int | None = strawberry.UNSET
    max: int | None = strawberry.UNSET


@strawberry.schema_directive(
    locations=[Location.FIELD_DEFINITION, Location.INPUT_FIELD_DEFINITION, Location.ARGUMENT_DEFINITION],
    name="extension",
)
class Extension:
    reason: str


def _directives(node: Any) -> list[object]:
    """Strawberry directive instances for the contract directives applied to an AST node."""
    result: list[object] = []
    categorie = directive_args(node, "categorie")
    if categorie:
        result.append(Categorie(naam=Gegevenscategorie(categorie["naam"])))
    constraint = directive_args(node, "constraint")
    if constraint:
        result.append(Constraint(**constraint))
    extension = directive_args(node, "extension")
    if extension:
        result.append(Extension(reason=extension["reason"]))
    return result


# -- building ---------------------------------------------------------------------------------

Handler = Callable[..., Awaitable[Any]]
EntityResolver = Callable[[str, Mapping[str, Any]], Mapping[str, Any] | None]
# (info, type name, representation) -> the record as released to the caller, or None
RecordResolver = Callable[[Any, str, Mapping[str, Any]], Awaitable[Mapping[str, Any] | None]]


class InvalidInput(GraphQLError):
    """An input value breaks a constraint of the contract."""

    def __init__(self, problems: list[str]) -> None:
        super().__init__("; ".join(problems), extensions={"code": "BAD_USER_INPUT"})


def _scalar(contract: Contract, node: ScalarTypeDefinitionNode) -> ScalarDefinition:
    name = node.name.value
    checker = ValueChecker(contract, wire=True)

    def parse_value(value: Any) -> Any:
        problems = checker.check(name, value, name)
        if problems:
            raise ValueError("; ".join(problems))
        return value

    return strawberry.scalar(
        name=name,
        description=description_of(node),
        serialize=lambda value: value,
        parse_value=parse_value,
        directives=_directives(node),
    )


@dataclass
class ContractTypes:
    """The strawberry types of one subgraph's share of the contract, by GraphQL name."""

    contract: Contract
    subgraph: str
    nodes: dict[str, TypeDefinitionNode]
    entity_resolver: EntityResolver | None = None
    record_resolver: RecordResolver | None = None  # an organisation's own entities (its search results)
    classes: dict[str, Any] = field(default_factory=dict)
    scalars: dict[Any, ScalarDefinition] = field(default_factory=dict)

    def annotation(self, type_node: TypeNode) -> Any:
        """The Python annotation strawberry needs for a GraphQL type reference."""
        if isinstance(type_node, NonNullTypeNode):
            return self._inner(type_node.type)
        return Optional[self._inner(type_node)]  # noqa: UP045 - strawberry needs typing.Optional here

    def _inner(self, type_node: TypeNode) -> Any:
        if isinstance(type_node, ListTypeNode):
            return list[self.annotation(type_node.type)]  # type: ignore[misc]
        assert isinstance(type_node, NamedTypeNode)
        return self.python_type(type_node.name.value)

    def python_type(self, name: str) -> Any:
        builtin = {"String": str, "Int": int, "Float": float, "Boolean": bool, "ID": strawberry.ID}
        if name in builtin:
            return builtin[name]
        if name in DIRECTIVE_ENUMS:
            return DIRECTIVE_ENUMS[name]
        if name not in self.classes:
            self.classes[name] = self._build(self.nodes[name])
        return self.classes[name]

    def _build(self, node: TypeDefinitionNode) -> Any:
        if isinstance(node, ScalarTypeDefinitionNode):
            python_type = type(node.name.value, (str,), {})
            self.scalars[python_type] = _scalar(self.contract, node)
            return python_type
        if isinstance(node, EnumTypeDefinitionNode):
            return _enum(node, self.contract)
        if isinstance(node, InputObjectTypeDefinitionNode):
            return self._input(node)
        assert isinstance(node, ObjectTypeDefinitionNode)
        return self._object(node)

    def _input(self, node: InputObjectTypeDefinitionNode) -> Any:
        namespace: dict[str, Any] = {"__annotations__": {}}
        for field_node in node.fields or ():
            name = field_node.name.value
            default = (
                value_from_ast_untyped(field_node.default_value)
                if field_node.default_value is not None
                else strawberry.UNSET
            )
            namespace["__annotations__"][name] = self.annotation(field_node.type)
            namespace[name] = strawberry.field(
                description=description_of(field_node), directives=_directives(field_node), default=default
            )
        cls = type(node.name.value, (), namespace)
        return strawberry.input(cls, name=node.name.value, description=description_of(node))

    def _object(self, node: ObjectTypeDefinitionNode) -> Any:
        namespace: dict[str, Any] = {"__annotations__": {}}
        for field_node in node.fields or ():
            name = field_node.name.value
            namespace["__annotations__"][name] = self.annotation(field_node.type)
            namespace[name] = strawberry.field(
                description=description_of(field_node), directives=_directives(field_node), default=None
            )
        name = node.name.value
        keys = self.contract.key_fields(name)
        if self.subgraph == "organisation" and keys and name in organisation_entities(self.contract):
            # A search result: its owner resolves it by key (the page's records, query-then-fetch).
            namespace["resolve_reference"] = classmethod(self._record_resolver(name))
            return strawberry.federation.type(
                type(name, (), namespace), name=name, description=description_of(node), keys=[" ".join(keys)]
            )
        if self.subgraph == "organisation" and keys:
            # Organisations only refer to an entity; a reference subgraph resolves it.
            return strawberry.federation.type(
                type(name, (), namespace),
                name=name,
                description=description_of(node),
                keys=[Key(fields=FieldSet(" ".join(keys)), resolvable=False)],
            )
        if keys:
            namespace["resolve_reference"] = classmethod(self._reference_resolver(name))
            return strawberry.federation.type(
                type(name, (), namespace), name=name, description=description_of(node), keys=[" ".join(keys)]
            )
        return strawberry.type(type(name, (), namespace), name=name, description=description_of(node))

    def _reference_resolver(self, type_name: str) -> Callable[..., Any]:
        def resolve_reference(cls: Any, **representation: Any) -> Any:
            fields = self.entity_resolver(type_name, representation) if self.entity_resolver else None
            if fields is None:
                raise GraphQLError(f"this subgraph cannot resolve {type_name} entities")
            return cls(**fields)

        return resolve_reference

    def _record_resolver(self, type_name: str) -> Callable[..., Any]:
        async def resolve_reference(cls: Any, info: strawberry.Info, **representation: Any) -> Any:
            if self.record_resolver is None:
                raise GraphQLError(f"this subgraph cannot resolve {type_name} entities")
            found = await self.record_resolver(info, type_name, representation)
            if found is None:
                return None
            names = cls.__strawberry_definition__.fields
            return cls(**{f.python_name: found[f.python_name] for f in names if f.python_name in found})

        return resolve_reference

    def root_field(self, name: str, handler: Handler) -> Any:
        """A strawberry field for `Query.<name>` that calls `handler(info, **arguments)`."""
        node = self.contract.object_type("Query")
        field_node = next(f for f in node.fields or () if f.name.value == name)
        parameters = [inspect.Parameter("info", inspect.Parameter.POSITIONAL_OR_KEYWORD, annotation=strawberry.Info)]
        for arg in field_node.arguments or ():
            default = (
                value_from_ast_untyped(arg.default_value)
                if arg.default_value is not None
                else (strawberry.UNSET if not isinstance(arg.type, NonNullTypeNode) else inspect.Parameter.empty)
            )
            argument = strawberry.argument(description=description_of(arg), directives=_directives(arg))
            annotation = Annotated[self.annotation(arg.type), argument]  # type: ignore[valid-type]
            parameters.append(
                inspect.Parameter(
                    arg.name.value, inspect.Parameter.KEYWORD_ONLY, default=default, annotation=annotation
                )
            )

        async def resolve(info: strawberry.Info, **arguments: Any) -> Any:
            return await handler(info, **arguments)

        resolve.__name__ = name
        resolve.__signature__ = inspect.Signature(  # type: ignore[attr-defined]
            parameters, return_annotation=self.annotation(field_node.type)
        )
        return strawberry.field(
            resolver=resolve, description=description_of(field_node), directives=_directives(field_node)
        )

    def query_type(self, handlers: Mapping[str, Handler]) -> Any:
        """The subgraph's `Query`: one field per handler, each a root field of the contract."""
        namespace = {name: self.root_field(name, handler) for name, handler in handlers.items()}
        node = self.contract.object_type("Query")
        return strawberry.type(type("Query", (), namespace), name="Query", description=description_of(node))

    def object_types(self) -> list[Any]:
        """Every object type of this subgraph's share (so entities are part of the schema)."""
        return [
            self.python_type(name)
            for name, node in self.nodes.items()
            if isinstance(node, ObjectTypeDefinitionNode) and name != "Query"
        ]


def contract_types(
    contract: Contract,
    subgraph: str,
    entity_resolver: EntityResolver | None = None,
    record_resolver: RecordResolver | None = None,
) -> ContractTypes:
    """The strawberry types of `subgraph`'s share of the contract (built lazily on use).

    A reference subgraph passes `entity_resolver(type_name, representation) -> dict of fields`
    to answer `_entities`.
    """
    return ContractTypes(contract, subgraph, subgraph_types(contract, subgraph), entity_resolver, record_resolver)


def plain(value: Any) -> Any:
    """A strawberry input value as plain data: dicts, lists and the standard's codes."""
    if isinstance(value, enum.Enum):
        return value.value
    if isinstance(value, list):
        return [plain(item) for item in value]
    if hasattr(value, "__strawberry_definition__"):
        return {name: plain(item) for name, item in vars(value).items() if item is not strawberry.UNSET}
    return value
