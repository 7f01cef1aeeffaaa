"""Which categories of a detail record were withheld from the caller, and why.

A field the caller may not see comes back as null, which a reader cannot tell apart from "not
filled in". The executor therefore states, per detail record, each withheld consent category with
its reason and the record's fields in it, as the response extension `achtergehouden`; the explorer
shows it beside the detail. A field withheld for a missing scope has its own FORBIDDEN_FIELD error.

Reasons: `GEEN_TOESTEMMING` (the job seeker did not consent to share it with the caller's
organisation), `ROL` (the caller's role never sees it), `GEEN_SUWI` (only SUWI parties see it).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import replace
from functools import cache
from typing import Any

from vumschema import Contract
from vumschema.contract import named_type
from vumschema.policy import ALL_CATEGORIES, BIJZONDER, Caller, role_categories

EXTENSION = "achtergehouden"
NO_CONSENT, ROLE, NOT_SUWI = "GEEN_TOESTEMMING", "ROL", "GEEN_SUWI"


@cache
def _fields_by_category(contract: Contract, record_type: str) -> Mapping[str, tuple[str, ...]]:
    """The public fields of a record type per consent category, as dotted paths to the fields that
    carry their own `@categorie` (`werkgever.contactpersoon` for a vacancy's contact persons)."""
    result: dict[str, list[str]] = {}

    def walk(type_name: str, prefix: str, seen: frozenset[str]) -> None:
        for name, node in contract.fields(type_name).items():
            if contract.is_inaccessible(node):
                continue
            category = contract.category(type_name, name)
            if category is not None:
                result.setdefault(category, []).append(prefix + name)
            child = named_type(node.type)
            if child not in seen and child in contract.types and contract.fields(child):
                walk(child, f"{prefix}{name}.", seen | {child})

    walk(record_type, "", frozenset({record_type}))
    return {category: tuple(names) for category, names in result.items()}


def reason(category: str, caller: Caller, *, vacancy: bool) -> str:
    """Why `category` did not reach the caller, given that it did not."""
    if category in role_categories(caller, vacancy=vacancy):
        return NO_CONSENT
    if category == BIJZONDER and category in role_categories(replace(caller, suwi=True), vacancy=vacancy):
        return NOT_SUWI
    return ROLE


def withheld(
    contract: Contract, record_type: str, allowed: frozenset[str], caller: Caller, path: list[str], *, vacancy: bool
) -> list[dict[str, Any]]:
    """One entry per category of the record that holds fields and was not released."""
    fields = _fields_by_category(contract, record_type)
    return [
        {
            "path": path,
            "categorie": category,
            "reden": reason(category, caller, vacancy=vacancy),
            "velden": list(fields[category]),
        }
        for category in sorted(ALL_CATEGORIES - allowed)
        if category in fields
    ]
