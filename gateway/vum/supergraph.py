"""The VUM supergraph: the contract's three shares composed as Apollo Federation v2 subgraphs.

`schema.graphql` stays the one contract. Each share is printed from it (`vumschema.views`) and
composed in Python (`gateway.federation.compose`) at start, so the federation engine plans over
exactly the graph the bespoke engine serves:

- `organisatie`: the `bron*` root fields and what they reach, as every organisation serves them
  (their URL comes from the registry, per instance: see `hooks.py`). The contract's
  `@inaccessible` stays on the source side, so the API schema hides it as today's public schema
  does; the record kinds get a non-resolvable `@key` on their id, which the gateway's share
  shares, because a source answers by id and never as an entity.
- `codelijsten`: `Beroep @key(fields: "codeBeroepsnaam")`, the occupation labels.
- `gateway`: the public root fields (`@resolvedBy(subgraph: "gateway")`), the types only they reach
  (connections, `bronnen`, `organisaties`, `verwerkingen`), and the gateway's own fields on the
  records (`vumID`), which `computed.py` computes and the planner never sends to a subgraph.

Composing takes ~0.3 s, so the result ships precomposed in `supergraph.graphql` beside this module
(`python -m gateway.vum.supergraph` writes it; tests/test_vum_supergraph.py fails when it is not
what composing gives now). Its first line names the digest of the `schema.graphql` it was composed
from: a gateway whose contract differs (edited, not regenerated) composes at start instead, and
says so. Extension subgraphs are composed in at start, as always.
"""

from __future__ import annotations

import dataclasses
import functools
import hashlib
import logging
import sys
from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from graphql import (
    BooleanValueNode,
    ConstArgumentNode,
    ConstDirectiveNode,
    ConstListValueNode,
    DirectiveDefinitionNode,
    DocumentNode,
    EnumTypeDefinitionNode,
    FieldDefinitionNode,
    InputObjectTypeDefinitionNode,
    NameNode,
    ObjectTypeDefinitionNode,
    ObjectTypeExtensionNode,
    StringValueNode,
    TypeDefinitionNode,
    parse,
    print_ast,
)

from vumschema import GATEWAY, ORGANISATION, Contract, load_contract
from vumschema.contract import directive_args, directive_values, named_type
from vumschema.views import organisation_entities, public_document, subgraph_types

from ..federation.supergraph import Supergraph, read_supergraph

if TYPE_CHECKING:  # the composer is imported only to compose (~50 ms): the shipped supergraph needs none
    from ..federation.compose import SubgraphInput

log = logging.getLogger("vum.federation")

STORED = Path(__file__).with_name("supergraph.graphql")  # the precomposed supergraph
REGENERATE = "python -m gateway.vum.supergraph"
CODELIJSTEN = "codelijsten"
ORGANISATIE = "organisatie"  # the subgraph's name in the supergraph (the contract says `organisation`)
LOCAL = "http://gateway.invalid/graphql"  # the gateway's own share: never sent to (computed or local)

# The contract's own directives a subgraph keeps (what they mean is the gateway's, not federation's).
CONTRACT_DIRECTIVES = ("categorie", "code", "wireCodes", "constraint", "extension")
FEDERATION = "https://specs.apollo.dev/federation/v2.11"
# Each record kind: the types a source answers with, and its id (the non-resolvable key).
RECORD_KEYS = {
    "WerkzoekendeProfielMatch": "idWerkzoekende",
    "Werkzoekende": "idWerkzoekende",
    "VacatureMatch": "idVacature",
    "Vacature": "idVacature",
}


class VumSupergraphError(Exception):
    """The contract's shares do not compose (a bug in the contract or in this module)."""


def _directive(name: str, **arguments: str | bool) -> ConstDirectiveNode:
    def value(v: str | bool) -> Any:
        return BooleanValueNode(value=v) if isinstance(v, bool) else StringValueNode(value=v)

    args = tuple(ConstArgumentNode(name=NameNode(value=k), value=value(v)) for k, v in arguments.items())
    return ConstDirectiveNode(name=NameNode(value=name), arguments=args)


def _with_directives(node: Any, kept: Iterable[str], added: Iterable[ConstDirectiveNode] = ()) -> Any:
    keep = set(kept)
    directives = tuple(d for d in node.directives or () if d.name.value in keep) + tuple(added)
    return dataclasses.replace(node, directives=directives)


def _clean(node: TypeDefinitionNode, kept: tuple[str, ...]) -> TypeDefinitionNode:
    """`node` with only the directives in `kept`, on itself, its fields, arguments and values."""
    node = _with_directives(node, kept)
    if isinstance(node, ObjectTypeDefinitionNode | InputObjectTypeDefinitionNode):
        fields: tuple[Any, ...] = tuple(_clean_field(f, kept) for f in node.fields or ())
        return dataclasses.replace(node, fields=fields)  # type: ignore[arg-type]
    if isinstance(node, EnumTypeDefinitionNode):
        return dataclasses.replace(node, values=tuple(_with_directives(v, kept) for v in node.values or ()))
    return node


def _clean_field(field: Any, kept: tuple[str, ...]) -> Any:
    field = _with_directives(field, kept)
    arguments = getattr(field, "arguments", None)
    if arguments:
        field = dataclasses.replace(field, arguments=tuple(_with_directives(a, kept) for a in arguments))
    return field


def _keyed(node: TypeDefinitionNode, resolvable: bool) -> TypeDefinitionNode:
    key = RECORD_KEYS.get(node.name.value)
    if key is None or not isinstance(node, ObjectTypeDefinitionNode) or "key" in _names(node):
        return node
    added = _directive("key", fields=key, resolvable=resolvable)
    return dataclasses.replace(node, directives=(*(node.directives or ()), added))


def _document(contract: Contract, types: Iterable[TypeDefinitionNode], imports: tuple[str, ...]) -> str:
    """A Federation 2 subgraph SDL: the link, the contract's directive definitions, the types."""
    names = ", ".join(f'"{i}"' for i in imports)
    link = f'extend schema @link(url: "{FEDERATION}", import: [{names}])'
    types = list(types)
    used = _applied(types)
    definitions = [
        d
        for d in contract.document.definitions
        if isinstance(d, DirectiveDefinitionNode) and d.name.value in CONTRACT_DIRECTIVES and d.name.value in used
    ]
    have = {t.name.value for t in types}
    needed = {named_type(a.type) for d in definitions for a in d.arguments or ()}  # e.g. WireType
    types += [_clean(contract.types[n], ()) for n in sorted(needed - have) if n in contract.types]
    body = print_ast(DocumentNode(definitions=(*definitions, *types)))
    return f"{link}\n\n{body}\n"


def _internal(node: TypeDefinitionNode, public: set[str]) -> TypeDefinitionNode:
    """A type only the source side reaches (`BronVacatureMatches`) is `@inaccessible` as well."""
    if node.name.value in public or not isinstance(node, ObjectTypeDefinitionNode):
        return node
    return dataclasses.replace(node, directives=(*(node.directives or ()), _directive("inaccessible")))


def _referring(node: TypeDefinitionNode, own: frozenset[str] = frozenset()) -> TypeDefinitionNode:
    """An entity a reference subgraph resolves (`Beroep`): organisations only refer to it. The
    search results (`own`) an organisation resolves itself, as the SDK serves them."""
    keys = [d for d in node.directives or () if d.name.value == "key"]
    if not keys or node.name.value in own:
        return node
    fields = str((directive_args(node, "key") or {})["fields"])
    others = tuple(d for d in node.directives or () if d.name.value != "key")
    return dataclasses.replace(node, directives=(*others, _directive("key", fields=fields, resolvable=False)))


def _applied(types: Iterable[TypeDefinitionNode]) -> set[str]:
    """The names of the directives applied anywhere in `types` (only those are defined)."""
    found: set[str] = set()

    def visit(node: Any) -> None:
        found.update(d.name.value for d in getattr(node, "directives", None) or ())
        for child in (*(getattr(node, "fields", None) or ()), *(getattr(node, "arguments", None) or ())):
            visit(child)
        for value in getattr(node, "values", None) or ():
            visit(value)

    for node in types:
        visit(node)
    return found


def referred_keys(sdls: Iterable[str]) -> dict[str, list[str]]:
    """The keys extension subgraphs give types (`Adres @key(fields: "postcode")`), by type name."""
    found: dict[str, list[str]] = {}
    for sdl in sdls:
        for node in parse(sdl).definitions:
            if isinstance(node, ObjectTypeDefinitionNode | ObjectTypeExtensionNode):
                for directive in node.directives or ():
                    if directive.name.value == "key":
                        fields = str(directive_values(directive)["fields"])
                        found.setdefault(node.name.value, []).append(fields)
    return found


def _referred(node: TypeDefinitionNode, referred: Mapping[str, Sequence[str]]) -> TypeDefinitionNode:
    """A type an extension keys (`Adres`): organisations only refer to it by that key."""
    keys = referred.get(node.name.value, ())
    if not keys or not isinstance(node, ObjectTypeDefinitionNode) or node.name.value in RECORD_KEYS:
        return node
    added = tuple(_directive("key", fields=key, resolvable=False) for key in keys)
    return dataclasses.replace(node, directives=(*(node.directives or ()), *added))


def organisatie_sdl(
    contract: Contract, *, gateway_view: bool = True, referred: Mapping[str, Sequence[str]] | None = None
) -> str:
    """What every organisation serves (`gateway_view=False`: as the SDK prints it), or as the
    gateway composes it (see the module's docstring); `referred`: keys extensions give types."""
    authorization = ("inaccessible", "authenticated", "requiresScopes")
    kept = (*CONTRACT_DIRECTIVES, "key", *(authorization if gateway_view else ()))
    if not gateway_view:
        own = organisation_entities(contract)
        types = [_referring(_clean(node, kept), own) for node in subgraph_types(contract, ORGANISATION).values()]
        return _document(contract, types, ("@key",))
    # the gateway view: every key non-resolvable, the search results' too (the gateway fetches a
    # page's records from their owner itself, per organisation: `search.py`, not the planner)
    types = [_referring(_clean(node, kept)) for node in subgraph_types(contract, ORGANISATION).values()]
    public = {d.name.value for d in public_document(contract).definitions if isinstance(d, TypeDefinitionNode)}
    types = [
        _referred(_with_policies(_internal(_keyed(node, resolvable=False), public)), referred or {}) for node in types
    ]
    return _document(contract, types, ("@key", "@inaccessible", "@authenticated", "@requiresScopes", "@policy"))


def _policy(category: str) -> ConstDirectiveNode:
    """`@policy(policies: [["CATEGORY"]])`: a consent category as a federation policy."""
    inner = ConstListValueNode(values=(StringValueNode(value=category),))
    value = ConstListValueNode(values=(inner,))
    return ConstDirectiveNode(
        name=NameNode(value="policy"), arguments=(ConstArgumentNode(name=NameNode(value="policies"), value=value),)
    )


def _with_policies(node: TypeDefinitionNode) -> TypeDefinitionNode:
    """Each field's own `@categorie` as a `@policy`: the runtime's Authorizer denies, before
    planning, a field of a category the caller's role may never see (`release.policies`)."""
    if not isinstance(node, ObjectTypeDefinitionNode):
        return node
    fields = []
    for field in node.fields or ():
        category = directive_args(field, "categorie")
        fields.append(_with_directives(field, _names(field), [_policy(str(category["naam"]))]) if category else field)
    return dataclasses.replace(node, fields=tuple(fields))


def _names(node: Any) -> set[str]:
    return {d.name.value for d in node.directives or ()}


def codelijsten_sdl(contract: Contract) -> str:
    types = [_clean(node, (*CONTRACT_DIRECTIVES, "key")) for node in subgraph_types(contract, CODELIJSTEN).values()]
    return _document(contract, types, ("@key",))


def _object_fields(node: TypeDefinitionNode) -> tuple[FieldDefinitionNode, ...]:
    return tuple(node.fields or ()) if isinstance(node, ObjectTypeDefinitionNode) else ()


def _gateway_types(contract: Contract) -> list[TypeDefinitionNode]:
    """The public root fields and what only they reach; a record type the organisations serve is
    a stub of its key and the gateway's own fields (its `vumID`)."""
    served = subgraph_types(contract, ORGANISATION)
    view: dict[str, TypeDefinitionNode] = {}
    todo = ["Query"]
    while todo:
        name = todo.pop()
        node = contract.types.get(name)
        if node is None or name in view:
            continue
        fields = _object_fields(node)
        if name == "Query" or (name in served and isinstance(node, ObjectTypeDefinitionNode)):
            key = RECORD_KEYS.get(name)
            fields = tuple(
                f for f in fields if contract.resolved_by(name, f.name.value) == GATEWAY or f.name.value == key
            )
            if not fields:
                continue  # reached only through the records (the organisations' own)
            node = dataclasses.replace(node, fields=fields)  # type: ignore[call-arg]
        view[name] = node
        for field in fields if isinstance(node, ObjectTypeDefinitionNode) else getattr(node, "fields", None) or ():
            todo.append(named_type(field.type))
            todo.extend(named_type(a.type) for a in getattr(field, "arguments", None) or ())
    kept = (*CONTRACT_DIRECTIVES, "inaccessible", "authenticated", "requiresScopes")
    return [_with_policies(_keyed(_clean(node, kept), resolvable=False)) for node in view.values()]


def gateway_sdl(contract: Contract) -> str:
    imports = ("@key", "@inaccessible", "@authenticated", "@requiresScopes", "@policy")
    return _document(contract, _gateway_types(contract), imports)


def subgraph_inputs(
    contract: Contract, urls: Mapping[str, str] | None = None, extensions: Sequence[SubgraphInput] = ()
) -> list[SubgraphInput]:
    """The three shares as subgraphs, and any extension subgraphs; `urls` gives `codelijsten`'s
    (the organisations' are per instance)."""
    from ..federation.compose import SubgraphInput

    urls = urls or {}
    referred = referred_keys(e.sdl for e in extensions)
    return [
        SubgraphInput(GATEWAY, LOCAL, gateway_sdl(contract)),
        SubgraphInput(CODELIJSTEN, urls.get(CODELIJSTEN, LOCAL), codelijsten_sdl(contract)),
        SubgraphInput(ORGANISATIE, urls.get(ORGANISATIE, LOCAL), organisatie_sdl(contract, referred=referred)),
        *extensions,
    ]


def compose_vum(
    contract: Contract, urls: Mapping[str, str] | None = None, extensions: Sequence[SubgraphInput] = ()
) -> str:
    """The VUM supergraph SDL; raises `VumSupergraphError` with every composition error."""
    from ..federation.compose import compose

    result = compose(subgraph_inputs(contract, urls, extensions))
    if result.errors or result.supergraph_sdl is None:
        raise VumSupergraphError("; ".join(f"{e.code}: {e.message}" for e in result.errors))
    return result.supergraph_sdl


def _header(contract: Contract) -> str:
    """The stored file's first lines: which contract it was composed from, and how to regenerate it."""
    digest = hashlib.sha256(contract.sdl.encode()).hexdigest()
    return (
        f"# Composed from schema.graphql (sha256 {digest}) by `{REGENERATE}`.\n"
        "# Generated: do not edit; regenerate it after changing schema.graphql or the composition.\n\n"
    )


def stored_document(contract: Contract) -> str:
    """What `supergraph.graphql` holds when it is current: a header and the composed SDL."""
    return _header(contract) + compose_vum(contract)


def stored_supergraph(contract: Contract) -> str | None:
    """The precomposed SDL when it was composed from `contract`, else None."""
    try:
        text = STORED.read_text(encoding="utf-8")
    except OSError:
        return None
    header = _header(contract)
    return text[len(header) :] if text.startswith(header) else None


@functools.cache
def vum_supergraph() -> Supergraph:
    """The supergraph of the contract this process loaded: the precomposed one when it was
    composed from that contract, else composed now (once)."""
    contract = load_contract()
    sdl = stored_supergraph(contract)
    if sdl is None:
        log.warning("%s is not composed from this schema.graphql: composing at start (run `%s`)", STORED, REGENERATE)
        sdl = compose_vum(contract)
    return read_supergraph(sdl)


def main() -> int:
    """`python -m gateway.vum.supergraph [--check]`: write `supergraph.graphql`, or (--check) exit
    1 when it is not current."""
    current = stored_document(load_contract())
    stored = STORED.read_text(encoding="utf-8") if STORED.is_file() else None
    if "--check" in sys.argv[1:]:
        print(f"{STORED} is {'current' if stored == current else f'not current: run `{REGENERATE}`'}")
        return 0 if stored == current else 1
    if stored != current:
        STORED.write_text(current, encoding="utf-8")
    print(f"{STORED}: {'written' if stored != current else 'already current'}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
