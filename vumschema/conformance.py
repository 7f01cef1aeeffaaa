"""Does a subgraph's SDL conform to its share of the contract?

Both sides are reduced to plain shapes (types, fields, arguments, enum values and the directives
with meaning) and compared. The gateway runs this on every subgraph's `_service { sdl }`; the SDK's
drift test runs it with `strict=True`, which also compares descriptions and every directive.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from graphql import (
    DocumentNode,
    EnumTypeDefinitionNode,
    EnumTypeExtensionNode,
    GraphQLSyntaxError,
    InputObjectTypeDefinitionNode,
    InputObjectTypeExtensionNode,
    ObjectTypeDefinitionNode,
    ObjectTypeExtensionNode,
    ScalarTypeDefinitionNode,
    TypeDefinitionNode,
    parse,
    print_ast,
)

from .contract import Contract, description_of, directive_values, type_string
from .views import subgraph_types

# Directives whose meaning must survive into a subgraph: consent categories, constraints,
# extension markers and wire codes. Federation bookkeeping (@key, @link, ...) is not compared.
MEANINGFUL_DIRECTIVES = frozenset({"categorie", "constraint", "extension", "code", "wireCodes"})
ALWAYS_COMPARED = frozenset({"categorie"})


@dataclass
class Shape:
    """What one type looks like, reduced to what conformance is about."""

    kind: str
    description: str | None = None
    directives: dict[str, dict[str, Any]] = field(default_factory=dict)
    members: dict[str, Member] = field(default_factory=dict)


@dataclass
class Member:
    """A field, input field, argument or enum value."""

    type: str | None
    description: str | None
    directives: dict[str, dict[str, Any]]
    default: str | None = None
    arguments: dict[str, Member] = field(default_factory=dict)


def _directives(node: Any) -> dict[str, dict[str, Any]]:
    return {
        d.name.value: directive_values(d)
        for d in getattr(node, "directives", None) or ()
        if d.name.value in MEANINGFUL_DIRECTIVES
    }


def _member(node: Any) -> Member:
    default = getattr(node, "default_value", None)
    type_node = getattr(node, "type", None)
    return Member(
        type=type_string(type_node) if type_node is not None else None,
        description=description_of(node),
        directives=_directives(node),
        default=print_ast(default) if default is not None else None,
        arguments={a.name.value: _member(a) for a in getattr(node, "arguments", None) or ()},
    )


def _kind(node: Any) -> str:
    if isinstance(node, ObjectTypeDefinitionNode | ObjectTypeExtensionNode):
        return "type"
    if isinstance(node, InputObjectTypeDefinitionNode | InputObjectTypeExtensionNode):
        return "input"
    if isinstance(node, EnumTypeDefinitionNode | EnumTypeExtensionNode):
        return "enum"
    if isinstance(node, ScalarTypeDefinitionNode):
        return "scalar"
    return type(node).__name__


def shapes(definitions: Any) -> dict[str, Shape]:
    """Shapes of type definitions; extensions (`extend type Query`) merge into their type."""
    result: dict[str, Shape] = {}
    for node in definitions:
        name_node = getattr(node, "name", None)
        if name_node is None or not hasattr(node, "kind"):
            continue
        shape = result.setdefault(name_node.value, Shape(kind=_kind(node)))
        if isinstance(node, TypeDefinitionNode):
            shape.description = description_of(node)
        shape.directives.update(_directives(node))
        for member in (getattr(node, "fields", None) or ()) + (getattr(node, "values", None) or ()):
            shape.members[member.name.value] = _member(member)
    return result


def parse_sdl(sdl: str) -> DocumentNode:
    try:
        return parse(sdl)
    except GraphQLSyntaxError as error:
        raise ValueError(f"the subgraph's SDL does not parse: {error.message}") from error


def check_conformance(contract: Contract, sdl: str, subgraph: str, *, strict: bool = False) -> list[str]:
    """Differences between `sdl` and what `subgraph` must serve; empty when it conforms."""
    try:
        served = shapes(parse_sdl(sdl).definitions)
    except ValueError as error:
        return [str(error)]
    expected = shapes(subgraph_types(contract, subgraph).values())
    problems: list[str] = []
    for name, want in expected.items():
        have = served.get(name)
        if have is None:
            problems.append(f"type {name} is missing")
            continue
        problems.extend(_compare_type(name, want, have, strict=strict, root=name == "Query"))
    return problems


def _compare_type(name: str, want: Shape, have: Shape, *, strict: bool, root: bool) -> list[str]:
    if want.kind != have.kind:
        return [f"{name} is a {have.kind}, expected a {want.kind}"]
    problems = _compare_directives(name, want.directives, have.directives, strict)
    if strict and want.description != have.description:
        problems.append(f"{name}: description differs")
    for member_name, member in want.members.items():
        path = f"{name}.{member_name}"
        if member_name not in have.members:
            problems.append(f"{path} is missing")
        else:
            problems.extend(_compare_member(path, member, have.members[member_name], strict))
    if not root:  # a root type may carry more fields (_service, _entities, other root fields)
        problems.extend(f"{name}.{extra} is not in the contract" for extra in have.members.keys() - want.members.keys())
    return problems


def _compare_member(path: str, want: Member, have: Member, strict: bool) -> list[str]:
    problems: list[str] = []
    if want.type != have.type:
        problems.append(f"{path} has type {have.type}, expected {want.type}")
    if want.default != have.default:
        problems.append(f"{path} has default {have.default}, expected {want.default}")
    if strict and want.description != have.description:
        problems.append(f"{path}: description differs")
    problems.extend(_compare_directives(path, want.directives, have.directives, strict))
    for arg_name, arg in want.arguments.items():
        if arg_name not in have.arguments:
            problems.append(f"{path}({arg_name}:) is missing")
        else:
            problems.extend(_compare_member(f"{path}({arg_name}:)", arg, have.arguments[arg_name], strict))
    problems.extend(
        f"{path}({extra}:) is not in the contract"
        for extra in have.arguments.keys() - want.arguments.keys()
        if have.arguments[extra].type is not None and have.arguments[extra].type.endswith("!")  # type: ignore[union-attr]
    )
    return problems


def _compare_directives(
    path: str, want: dict[str, dict[str, Any]], have: dict[str, dict[str, Any]], strict: bool
) -> list[str]:
    names = MEANINGFUL_DIRECTIVES if strict else ALWAYS_COMPARED
    problems = []
    for name in sorted(names):
        if name not in want and name not in have:
            continue
        if not strict and name not in have:
            continue  # a subgraph need not repeat the contract's directives, but may not contradict them
        if want.get(name) != have.get(name):
            problems.append(f"{path}: @{name} is {have.get(name)}, expected {want.get(name)}")
    return problems
