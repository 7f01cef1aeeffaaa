"""From fetch groups to the frozen plan: each group rendered as the operation its subgraph receives."""

from __future__ import annotations

from graphql import GraphQLInterfaceType, GraphQLObjectType, GraphQLUnionType, print_ast

from ..operation import Operation
from ..supergraph import Supergraph
from .groups import Group, to_plan_node
from .nodes import EntityInput, Fetch, Flatten, InputSelection, PlanNode
from .reach import GIVEN
from .subquery import dealias, render, variables_of

REPRESENTATIONS = "representations"


def assemble(
    groups: list[Group], operation: Operation, supergraph: Supergraph, given: Group | None = None
) -> PlanNode | None:
    """The plan of `groups`; `given` (the objects a caller fetched itself) is not fetched."""
    fetches = {
        group.id: _fetch(group, operation, supergraph) for group in groups if not _empty(group) and group is not given
    }
    kept = [g for g in groups if g.id in fetches]
    for group in kept:
        group.deps = {d for d in group.deps if d.id in fetches}

    def node_of(group: Group) -> PlanNode:
        fetch = fetches[group.id]
        return Flatten(group.path, fetch) if group.entity else fetch

    return to_plan_node(kept, node_of)


def _empty(group: Group) -> bool:
    return group.selection.empty or group.subgraph == GIVEN  # the given objects are not fetched


def _fetch(group: Group, operation: Operation, supergraph: Supergraph) -> Fetch:
    subgraph = group.subgraph

    def type_of(parent: str, field_name: str) -> str | None:
        declared = supergraph.subgraph_field_type(parent, field_name, subgraph)
        if declared is not None:
            return declared
        schema_type = supergraph.schema.get_type(parent)
        if isinstance(schema_type, GraphQLObjectType | GraphQLInterfaceType) and field_name in schema_type.fields:
            return str(schema_type.fields[field_name].type)
        return None

    renames = tuple(dealias(group.selection, type_of))
    used = sorted(variables_of(group.selection) & set(operation.variable_definitions))
    declarations = [_declaration(operation, name) for name in used]
    if group.entity:
        declarations.insert(0, f"${REPRESENTATIONS}:[_Any!]!")
        body = "{_entities(" + REPRESENTATIONS + ":$" + REPRESENTATIONS + ")" + render(group.selection) + "}"
        inputs = _inputs(group, supergraph)
        pretty = _pretty_inputs(inputs) + " =>\n" + render(group.selection, 0)
    else:
        body = render(group.selection)
        inputs = None
        pretty = render(group.selection, 0)
    head = group.kind if not declarations else f"{group.kind}({','.join(declarations)})"
    return Fetch(group.id, subgraph, head + body, group.kind, tuple(used), inputs, renames, pretty)


def _declaration(operation: Operation, name: str) -> str:
    """The client's declaration of a variable (a default keeps `Boolean = true` valid where `Boolean!` goes)."""
    definition = operation.variable_definitions[name]
    text = f"${name}:{print_ast(definition.type)}"
    if definition.default_value is not None:
        text += f"={print_ast(definition.default_value)}"
    return text


def _inputs(group: Group, supergraph: Supergraph) -> dict[str, EntityInput]:
    """Inputs by the `__typename` objects have in the tree; one given for an abstract type also
    applies to each of its object types (their objects may be typed by then)."""
    inputs = {typename: pending.build() for typename, pending in group.inputs.items()}
    for typename, entity_input in list(inputs.items()):
        schema_type = supergraph.schema.get_type(typename)
        if isinstance(schema_type, GraphQLInterfaceType | GraphQLUnionType):
            for possible in supergraph.schema.get_possible_types(schema_type):
                inputs.setdefault(possible.name, entity_input)
    return inputs


def _pretty_inputs(inputs: dict[str, EntityInput]) -> str:
    parts = []
    seen: set[int] = set()
    for typename, entity_input in inputs.items():
        if id(entity_input) in seen:
            continue
        seen.add(id(entity_input))
        parts.append(f"  ... on {typename} " + _pretty_input(entity_input.selection, 1, typename=True))
    return "{\n" + "\n".join(parts) + "\n}"


def _pretty_input(selection: InputSelection, indent: int, typename: bool = False) -> str:
    pad = "  " * (indent + 1)
    lines = [f"{pad}__typename"] if typename else []
    for field in selection.fields:
        text = field.name
        if field.selection is not None:
            text += " " + _pretty_input(field.selection, indent + 1)
        lines.append(pad + text)
    for type_name, fields in (selection.by_type or {}).items():
        inner = _pretty_input(InputSelection(fields), indent + 1)
        lines.append(f"{pad}... on {type_name} {inner}")
    return "{\n" + "\n".join(lines) + "\n" + "  " * indent + "}"
