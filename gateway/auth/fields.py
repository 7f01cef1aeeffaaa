"""Field-level authorisation from schema.graphql, applied to a normalised selection before planning.

`@authenticated` and `@requiresScopes` follow Apollo Federation; on top, a field whose category
(`@categorie`) the caller's role may never see is denied too. A denied field stays in the tree
marked `denied` (so it is answered as null) but is never asked of a subgraph.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass

from vumschema import Contract
from vumschema.contract import directive_args
from vumschema.policy import Caller, needed_scopes, role_categories, scopes_satisfied

from ..plan.selection import TYPENAME, Selected

WERKZOEKENDE_ROOTS = frozenset({"werkzoekendeProfielMatches", "werkzoekendeProfiel"})
VACATURE_ROOTS = frozenset({"vacatureMatches", "vacature"})


@dataclass(frozen=True)
class Denied:
    """A field the caller may not select, by its response path; for a missing scope, the scopes
    that would allow it (`@requiresScopes`: every scope of one of the lists)."""

    path: tuple[str, ...]
    reason: str  # "unauthenticated", "scope" or "category"
    scopes: tuple[tuple[str, ...], ...] = ()

    @property
    def message(self) -> str:
        reasons = {
            "unauthenticated": "an authenticated caller",
            "scope": f"{needed_scopes(self.scopes)}, which the caller's token does not have",
            "category": "a data category the caller's role may not see",
        }
        return f"{'.'.join(self.path)} requires {reasons[self.reason]}"


def _denial(
    contract: Contract,
    selected: Selected,
    caller: Caller | None,
    allowed: frozenset[str] | None,
    category: str | None,
    path: tuple[str, ...],
) -> Denied | None:
    field = contract.fields(selected.parent).get(selected.name)
    if field is None:
        return None  # introspection and __typename
    if directive_args(field, "authenticated") is not None and caller is None:
        return Denied(path, "unauthenticated")
    scopes = directive_args(field, "requiresScopes")
    if scopes is not None and (caller is None or not scopes_satisfied(scopes["scopes"], caller.scopes)):
        needed = tuple(tuple(alternative) for alternative in scopes["scopes"])
        return Denied(path, "unauthenticated") if caller is None else Denied(path, "scope", needed)
    if allowed is not None and category is not None and category not in allowed:
        return Denied(path, "category")
    return None


def authorise(contract: Contract, root: Selected, caller: Caller | None) -> tuple[Selected, list[Denied]]:
    """The root selection with every field the caller may not see marked denied, and the list of them."""
    allowed: frozenset[str] | None = None
    if caller is not None and root.name in WERKZOEKENDE_ROOTS:
        allowed = role_categories(caller)
    elif caller is not None and root.name in VACATURE_ROOTS:
        allowed = role_categories(caller, vacancy=True)
    denied: list[Denied] = []
    return _walk(contract, root, caller, allowed, None, (), denied), denied


def _walk(
    contract: Contract,
    selected: Selected,
    caller: Caller | None,
    allowed: frozenset[str] | None,
    inherited: str | None,
    path: tuple[str, ...],
    denied: list[Denied],
) -> Selected:
    here = (*path, selected.key)
    category = inherited
    if selected.name != TYPENAME and selected.name in contract.fields(selected.parent):
        category = contract.category(selected.parent, selected.name) or inherited
    denial = _denial(contract, selected, caller, allowed, category, here)
    if denial is not None:
        denied.append(denial)
        return dataclasses.replace(selected, children=(), denied=True)
    if not selected.children:
        return selected
    children = tuple(_walk(contract, child, caller, allowed, category, here, denied) for child in selected.children)
    return dataclasses.replace(selected, children=children)
