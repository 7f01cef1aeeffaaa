"""`@link`: which specifications a supergraph uses, and under which local names.

A supergraph may rename a specification (`@link(url: ".../join/v0.3", as: "j")` makes `@j__type`)
or import its elements under their own or another name (`import: [{name: "@tag", as: "@label"}]`).
The reader asks this table for the local name of each directive it understands, so renamed
supergraphs read exactly like the default ones.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from graphql import (
    DocumentNode,
    ListValueNode,
    ObjectValueNode,
    SchemaDefinitionNode,
    SchemaExtensionNode,
    StringValueNode,
)

from ..errors import SupergraphError

SPEC_URL = re.compile(
    r"^https?://[^/]+(?:/[^/]+)*/(?P<name>[A-Za-z_][A-Za-z0-9_-]*)/v(?P<major>\d+)\.(?P<minor>\d+)/?$"
)
JOIN = "join"
LINK = "link"
SUPPORTED_JOIN = ((0, 2), (0, 3), (0, 4), (0, 5))  # v0.1 is the Federation 1 format (`@core`)


@dataclass(frozen=True)
class Link:
    """One `@link` of the schema."""

    url: str
    name: str  # the specification's name, e.g. "join"
    version: tuple[int, int]
    prefix: str  # `as:` or the name
    imports: dict[str, str] = field(default_factory=dict)  # element ("@key", "FieldSet") -> local name


@dataclass(frozen=True)
class Links:
    """The specifications a supergraph links, by specification name."""

    by_name: dict[str, Link]

    def directive(self, spec: str, element: str) -> str | None:
        """The local name of directive `element` of `spec` (`element == spec` for its main
        directive, e.g. `@inaccessible`); None when the specification is not linked."""
        link = self.by_name.get(spec)
        if link is None:
            return None
        imported = link.imports.get(f"@{element}")
        if imported is not None:
            return imported.removeprefix("@")
        return link.prefix if element == spec else f"{link.prefix}__{element}"

    def type_name(self, spec: str, element: str) -> str | None:
        link = self.by_name.get(spec)
        if link is None:
            return None
        return link.imports.get(element) or f"{link.prefix}__{element}"

    def version(self, spec: str) -> tuple[int, int] | None:
        link = self.by_name.get(spec)
        return None if link is None else link.version

    def is_spec_name(self, name: str) -> bool:
        """True for a type or directive that belongs to a linked specification's machinery."""
        for link in self.by_name.values():
            if name == link.prefix or name.startswith(f"{link.prefix}__"):
                return True
            if f"@{name}" in link.imports.values() or name in link.imports.values():
                return True
        return False


def read_links(document: DocumentNode) -> Links:
    """The `@link`s on the schema definition (or extensions) of a supergraph document."""
    found: dict[str, Link] = {}
    for definition in document.definitions:
        if not isinstance(definition, SchemaDefinitionNode | SchemaExtensionNode):
            continue
        for directive in definition.directives or ():
            if directive.name.value == "core":
                raise SupergraphError(
                    "this is a Federation 1 supergraph (`@core`, join v0.1); compose it again with Federation 2 "
                    "composition (it reads Federation 1 subgraphs too)"
                )
            if directive.name.value != LINK:
                continue
            link = _link(directive.arguments or ())
            found[link.name] = link
    if LINK not in found:
        found[LINK] = Link("https://specs.apollo.dev/link/v1.0", LINK, (1, 0), LINK)
    join = found.get(JOIN)
    if join is None:
        raise SupergraphError("not a supergraph: the schema has no `@link` to https://specs.apollo.dev/join")
    if join.version not in SUPPORTED_JOIN:
        raise SupergraphError(
            f"join specification v{join.version[0]}.{join.version[1]} is not supported "
            f"(supported: {', '.join(f'v{a}.{b}' for a, b in SUPPORTED_JOIN)})"
        )
    return Links(found)


def _link(arguments: tuple[object, ...] | list[object]) -> Link:
    url = prefix = None
    imports: dict[str, str] = {}
    for argument in arguments:
        name = argument.name.value  # type: ignore[attr-defined]
        value = argument.value  # type: ignore[attr-defined]
        if name == "url" and isinstance(value, StringValueNode):
            url = value.value
        elif name == "as" and isinstance(value, StringValueNode):
            prefix = value.value
        elif name == "import" and isinstance(value, ListValueNode):
            for item in value.values:
                imports.update(_import(item))
    if url is None:
        raise SupergraphError("a `@link` has no url")
    match = SPEC_URL.match(url)
    if match is None:
        raise SupergraphError(f"`@link(url: {url!r})` is not a specification url (…/name/vX.Y)")
    spec = match["name"]
    return Link(url, spec, (int(match["major"]), int(match["minor"])), prefix or spec, imports)


def _import(item: object) -> dict[str, str]:
    if isinstance(item, StringValueNode):
        return {item.value: item.value}
    if isinstance(item, ObjectValueNode):
        fields = {f.name.value: f.value for f in item.fields}
        name, alias = fields.get("name"), fields.get("as")
        if isinstance(name, StringValueNode):
            return {name.value: alias.value if isinstance(alias, StringValueNode) else name.value}
    raise SupergraphError("a `@link` import is neither a name nor {name, as}")
