"""Consent as the runtime's release rules: what each record may release, and to whom.

The contract gives every record field its consent category (`@categorie`); the supergraph carries
it twice. As a `@policy` it lets the runtime's Authorizer deny, before planning, a field of a
category the caller's role may never see (`policies`). As `ReleaseRules` it lets the projection
release, per record, only the categories that record may release to this caller (`allowed`, put
on the record as a `Release` when its source answered): the rest is null, anything a source sent
anyway is recorded as withheld (a security event), and what did leave is `Release.released`,
which the processing log records.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from graphql import ObjectTypeDefinitionNode

from vumschema import Contract
from vumschema.policy import ALL_CATEGORIES, Caller, role_categories

from ..federation import ReleaseRules, Supergraph
from ..federation import authorization as federation
from ..plan.planner import WERKZOEKENDE  # the record kind


def release_rules(contract: Contract, supergraph: Supergraph | None = None) -> ReleaseRules:
    """Every field with its own `@categorie` (a field without one is released with its parent);
    an extension subgraph's field declares its category as a one-category `@policy`."""
    categories: dict[tuple[str, str], str] = {}
    for type_name, meta in (supergraph.types if supergraph else {}).items():
        for field_name, field_meta in meta.fields.items():
            policies = field_meta.authorization.policies
            if len(policies) == 1 and len(policies[0]) == 1 and policies[0][0] in ALL_CATEGORIES:
                categories[(type_name, field_name)] = policies[0][0]
    for name, node in contract.types.items():
        if not isinstance(node, ObjectTypeDefinitionNode):
            continue
        for field in node.fields or ():
            category = contract.category(name, field.name.value)
            if category is not None:
                categories[(name, field.name.value)] = category
    return ReleaseRules(categories)


def policies(caller: Caller) -> Callable[[str], bool]:
    """Which categories the caller's role may see at all: of a profile or of a vacancy (a
    category's field belongs to one kind of record; a type both reach has the same rules)."""
    seen = role_categories(caller) | role_categories(caller, vacancy=True)
    return seen.__contains__


def federation_caller(caller: Caller | None) -> federation.Caller:
    """The runtime's view of a VUM caller: authenticated, its scopes, its categories as policies."""
    if caller is None:
        return federation.ANONYMOUS
    return federation.Caller(authenticated=True, scopes=caller.scopes, policies=policies(caller))


def allowed(caller: Caller | None, kind: str, record: Mapping[str, Any]) -> frozenset[str]:
    """What a record may release to this caller: for a profile, the consent its source states
    intersected with the caller's role; for a vacancy, the caller's role."""
    if caller is None:
        return frozenset()
    if kind != WERKZOEKENDE:
        return role_categories(caller, vacancy=True)
    stated = record.get("toestemmingen")
    consent = frozenset(c for c in stated if isinstance(c, str)) if isinstance(stated, list) else frozenset()
    return consent & role_categories(caller)
