"""Which directives a subgraph may apply, and what to tell its author about one it may not: a
misspelling, or a federation directive that is not imported (Apollo's wording and hints)."""

from __future__ import annotations

from collections.abc import Iterable, Iterator

from graphql.language import ast

from .errors import Code, CompositionError
from .links import CoreFeature
from .specs import FEDERATION_VERSIONS
from .suggestions import did_you_mean, suggestion_list

FEDERATION_DIRECTIVE_NAMES = tuple(d.name for d in FEDERATION_VERSIONS.latest().directives)


def invalid(message: str) -> CompositionError:
    return CompositionError(Code.INVALID_GRAPHQL, message)


class DirectiveChecker:
    """Given the names a subgraph defines (its own, the linked specs', GraphQL's), an error for an
    application of any other directive."""

    def __init__(self, defined: Iterable[str], federation: CoreFeature | None) -> None:
        self.defined = list(defined)
        self.federation = federation

    def __call__(self, name: str) -> CompositionError | None:
        if name in self.defined:
            return None
        return unknown_directive(name, self.defined, self.federation)


def unknown_directive(name: str, defined: Iterable[str], federation: CoreFeature | None) -> CompositionError:
    message = f'Unknown directive "@{name}".'
    fed2 = federation is not None and federation.url.version.major == 2
    suggestions = suggestion_list(name, defined)
    if suggestions:
        return invalid(message + did_you_mean(["@" + s for s in suggestions]))
    if name in FEDERATION_DIRECTIVE_NAMES:
        if fed2:
            assert federation is not None
            in_schema = federation.directive_name_in_schema(name)
            if in_schema.startswith(federation.name_in_schema + "__"):
                message += (
                    f' If you meant the "@{name}" federation directive, you should use fully-qualified name '
                    f'"@{in_schema}" or add "@{name}" to the `import` argument of the @link to the federation '
                    "specification."
                )
            else:
                message += (
                    f' If you meant the "@{name}" federation directive, you should use "@{in_schema}" as it is '
                    "imported under that name in the @link to the federation specification of this schema."
                )
        else:
            message += (
                f' If you meant the "@{name}" federation 2 directive, note that this schema is a federation 1 '
                "schema. To be a federation 2 schema, it needs to @link to the federation specifcation v2."
            )
    elif not fed2:
        close = suggestion_list(name, FEDERATION_DIRECTIVE_NAMES)
        if close:
            which = "it is a federation 2 directive" if len(close) == 1 else "they are federation 2 directives"
            message += (
                did_you_mean(["@" + s for s in close])
                + f" If so, note that {which} but this schema is a federation 1 one. To be a federation 2 schema, "
                "it needs to @link to the federation specifcation v2."
            )
    return invalid(message)


def directive_nodes_in_build_order(document: ast.DocumentNode) -> Iterator[tuple[ast.DirectiveNode, str]]:
    """Every applied directive with its location, in the order Apollo's builder applies them: schema,
    directive definitions' arguments, then each type definition's fields (arguments first) before
    the type's own directives, then the type extensions likewise."""
    definitions = document.definitions
    for node in definitions:
        if isinstance(node, ast.SchemaDefinitionNode | ast.SchemaExtensionNode):
            yield from ((d, "SCHEMA") for d in node.directives or ())
    for node in definitions:
        if isinstance(node, ast.DirectiveDefinitionNode):
            for argument in node.arguments or ():
                yield from ((d, "ARGUMENT_DEFINITION") for d in argument.directives or ())
    for extensions in (False, True):
        for node in definitions:
            if isinstance(node, ast.TypeExtensionNode if extensions else ast.TypeDefinitionNode):
                yield from _type_directives(node)


def _type_directives(node: ast.Node) -> Iterator[tuple[ast.DirectiveNode, str]]:
    kind = type(node).__name__.removesuffix("DefinitionNode").removesuffix("ExtensionNode")
    location = LOCATIONS[kind]
    for child in getattr(node, "fields", None) or ():
        for argument in getattr(child, "arguments", None) or ():
            yield from ((d, "ARGUMENT_DEFINITION") for d in argument.directives or ())
        child_location = "INPUT_FIELD_DEFINITION" if location == "INPUT_OBJECT" else "FIELD_DEFINITION"
        yield from ((d, child_location) for d in child.directives or ())
    for value in getattr(node, "values", None) or ():
        yield from ((d, "ENUM_VALUE") for d in value.directives or ())
    yield from ((d, location) for d in getattr(node, "directives", None) or ())


LOCATIONS = {
    "ScalarType": "SCALAR",
    "ObjectType": "OBJECT",
    "InterfaceType": "INTERFACE",
    "UnionType": "UNION",
    "EnumType": "ENUM",
    "InputObjectType": "INPUT_OBJECT",
}
