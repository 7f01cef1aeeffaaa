"""The supergraph skeleton: `@link` to link, join and the composed specs, their definitions, and
the `join__Graph` enum that names every subgraph."""

from __future__ import annotations

import re
from typing import Any

from .links import FeatureUrl, Version
from .schema import (
    DirectiveDefinition,
    EnumType,
    InputObjectType,
    ListRef,
    NamedRef,
    NonNullRef,
    ScalarType,
    Schema,
)
from .specs import PURPOSES, FeatureSpec

BOOLEAN = NamedRef("Boolean")
STRING = NamedRef("String")


def link_itself(schema: Schema, link: FeatureSpec) -> None:
    """`@link(url: "https://specs.apollo.dev/link/v1.0")` and its definitions."""
    schema.schema_definition.apply("link", {"url": str(link.url)})
    purpose = EnumType("link__Purpose")
    for value, description in PURPOSES:
        purpose.add_value(value).description = description
    schema.add_type(purpose)
    schema.add_type(ScalarType("link__Import"))
    definition = _directive(schema, "link", ("SCHEMA",), repeatable=True)
    definition.add_argument("url", STRING)
    definition.add_argument("as", STRING)
    definition.add_argument("for", NamedRef("link__Purpose"))
    definition.add_argument("import", ListRef(NamedRef("link__Import")))


def apply_link(
    schema: Schema, url: FeatureUrl, alias: str | None, purpose: str | None, imports: list[Any] | None = None
) -> None:
    args: dict[str, Any] = {"url": str(url)}
    if alias is not None:
        args["as"] = alias
    if purpose is not None:
        args["for"] = purpose
    if imports:
        args["import"] = imports
    schema.schema_definition.apply("link", args)


def _directive(schema: Schema, name: str, locations: tuple[str, ...], repeatable: bool = False) -> DirectiveDefinition:
    definition = schema.add_directive_definition(DirectiveDefinition(name))
    definition.locations.extend(locations)
    definition.repeatable = repeatable
    return definition


def add_join(schema: Schema, version: Version) -> None:
    """The join spec's definitions as `@apollo/composition` writes them (versions 0.3 to 0.5)."""
    apply_link(schema, FeatureUrl("https://specs.apollo.dev/join", "join", version), None, "EXECUTION")
    graph_enum = NamedRef("join__Graph")
    field_set = NamedRef("join__FieldSet")
    graph = _directive(schema, "join__graph", ("ENUM_VALUE",))
    graph.add_argument("name", NonNullRef(STRING))
    graph.add_argument("url", NonNullRef(STRING))
    schema.add_type(EnumType("join__Graph"))
    schema.add_type(ScalarType("join__FieldSet"))
    type_ = _directive(
        schema, "join__type", ("OBJECT", "INTERFACE", "UNION", "ENUM", "INPUT_OBJECT", "SCALAR"), repeatable=True
    )
    type_.add_argument("graph", NonNullRef(graph_enum))
    type_.add_argument("key", field_set)
    type_.add_argument("extension", NonNullRef(BOOLEAN), False)
    type_.add_argument("resolvable", NonNullRef(BOOLEAN), True)
    type_.add_argument("isInterfaceObject", NonNullRef(BOOLEAN), False)
    field = _directive(schema, "join__field", ("FIELD_DEFINITION", "INPUT_FIELD_DEFINITION"), repeatable=True)
    field.add_argument("graph", graph_enum)
    field.add_argument("requires", field_set)
    field.add_argument("provides", field_set)
    field.add_argument("type", STRING)
    field.add_argument("external", BOOLEAN)
    field.add_argument("override", STRING)
    field.add_argument("usedOverridden", BOOLEAN)
    implements = _directive(schema, "join__implements", ("OBJECT", "INTERFACE"), repeatable=True)
    implements.add_argument("graph", NonNullRef(graph_enum))
    implements.add_argument("interface", NonNullRef(STRING))
    union_member = _directive(schema, "join__unionMember", ("UNION",), repeatable=True)
    union_member.add_argument("graph", NonNullRef(graph_enum))
    union_member.add_argument("member", NonNullRef(STRING))
    enum_value = _directive(schema, "join__enumValue", ("ENUM_VALUE",), repeatable=True)
    enum_value.add_argument("graph", NonNullRef(graph_enum))
    if version >= Version(0, 4):
        join_directive = _directive(
            schema, "join__directive", ("SCHEMA", "OBJECT", "INTERFACE", "FIELD_DEFINITION"), repeatable=True
        )
        join_directive.add_argument("graphs", ListRef(NonNullRef(graph_enum)))
        join_directive.add_argument("name", NonNullRef(STRING))
        join_directive.add_argument("args", NamedRef("join__DirectiveArguments"))
        schema.add_type(ScalarType("join__DirectiveArguments"))
        field.add_argument("overrideLabel", STRING)
    if version >= Version(0, 5):
        schema.add_type(ScalarType("join__FieldValue"))
        context_argument = InputObjectType("join__ContextArgument")
        context_argument.add_field("name", NonNullRef(STRING))
        context_argument.add_field("type", NonNullRef(STRING))
        context_argument.add_field("context", NonNullRef(STRING))
        context_argument.add_field("selection", NonNullRef(NamedRef("join__FieldValue")))
        schema.add_type(context_argument)
        field.add_argument("contextArguments", ListRef(NonNullRef(NamedRef("join__ContextArgument"))))


def graph_enum_name(subgraph_name: str) -> str:
    """A subgraph's value in `join__Graph`: `products-v2` becomes `PRODUCTS_V2`."""
    name = re.sub(r"[^A-Za-z0-9_]", "_", subgraph_name)
    if re.match(r"^\d", name):
        name = "_" + name
    if re.search(r"_\d+$", name):
        name += "_"
    return name.upper()


def add_graphs(schema: Schema, subgraphs: list[tuple[str, str]]) -> dict[str, str]:
    """`join__Graph` values for the subgraphs (name, url), in order; returns name -> enum value."""
    by_sanitized: dict[str, list[str]] = {}
    for name, _ in subgraphs:
        by_sanitized.setdefault(graph_enum_name(name), []).append(name)
    values: dict[str, str] = {}
    for sanitized, names in by_sanitized.items():
        if len(names) == 1:
            values[names[0]] = sanitized
        else:
            for index, name in enumerate(names, start=1):
                values[name] = f"{sanitized}_{index}"
    graph_enum = schema.types["join__Graph"]
    assert isinstance(graph_enum, EnumType)
    for name, url in subgraphs:
        graph_enum.add_value(values[name]).apply("join__graph", {"name": name, "url": url})
    return values


def add_spec(schema: Schema, spec: FeatureSpec, names: dict[str, str]) -> None:
    """A composed spec's definitions; `names` maps a directive's name in the spec to its name here."""
    prefix = spec.name

    def type_name(name: str) -> str:
        return f"{prefix}__{name}"

    for type_spec in spec.types:
        if schema.type(type_name(type_spec.name)) is None:
            schema.add_type(ScalarType(type_name(type_spec.name)))
    for directive_spec in spec.directives:
        name = names.get(directive_spec.name) or (
            prefix if directive_spec.name == spec.name else f"{prefix}__{directive_spec.name}"
        )
        if schema.directive(name) is not None:
            continue
        definition = _directive(schema, name, directive_spec.locations, directive_spec.repeatable)
        for arg in directive_spec.args:
            definition.add_argument(arg.name, arg.type_ref(type_name), arg.default)
