"""Who may see which category of a job seeker's data: the policy both sides enforce.

The gateway plans and strips by it; the SDK filters at the source by it. A field's category comes
from `@categorie` in schema.graphql; a record's consent (toestemming) names the categories the
job seeker agreed to share with other organisations; a caller's role and SUWI status cap what
any consent can release. An organisation's own mediators see all of their own clients.
"""

from __future__ import annotations

import datetime
import re
from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

MATCHPROFIEL = "MATCHPROFIEL"
DETAIL = "DETAIL"
CONTACTGEGEVENS = "CONTACTGEGEVENS"
BIJZONDER = "BIJZONDER"
ALL_CATEGORIES = frozenset({MATCHPROFIEL, DETAIL, CONTACTGEGEVENS, BIJZONDER})

BEMIDDELAAR = "bemiddelaar"
WERKGEVER = "werkgever"
WERKZOEKENDE = "werkzoekende"
BEHEERDER = "beheerder"
ROLES = (BEMIDDELAAR, WERKGEVER, WERKZOEKENDE, BEHEERDER)
GATEWAY_ROLE = "gateway"  # the gateway itself (schema checks); only in gateway-signed tokens

# The most each role may ever see of another organisation's job seeker, whatever the consent.
ROLE_CATEGORIES: Mapping[str, frozenset[str]] = {
    BEMIDDELAAR: ALL_CATEGORIES,
    WERKGEVER: frozenset({MATCHPROFIEL, DETAIL}),
    WERKZOEKENDE: frozenset(),
    BEHEERDER: frozenset(),
}

# Vacancies are not personal data, but their contact persons go to mediators only.
VACANCY_CATEGORIES: Mapping[str, frozenset[str]] = {
    BEMIDDELAAR: frozenset({MATCHPROFIEL, DETAIL, CONTACTGEGEVENS}),
    WERKGEVER: frozenset({MATCHPROFIEL, DETAIL}),
    WERKZOEKENDE: frozenset({MATCHPROFIEL, DETAIL}),
    BEHEERDER: frozenset(),
}

CONSENT_KEYS = {
    "matchprofiel": MATCHPROFIEL,
    "detail": DETAIL,
    "contactgegevens": CONTACTGEGEVENS,
    "bijzonder": BIJZONDER,
}
CONSENT_FIELD = "toestemming"  # where a stored record keeps its consent, beside the standard's fields


@dataclass(frozen=True)
class Caller:
    """An authenticated caller: a person acting for an organisation, with a purpose."""

    subject: str
    oin: str
    role: str
    scopes: frozenset[str] = frozenset()
    suwi: bool = False
    purpose: str | None = None
    own_record: tuple[str, str] | None = None  # a job seeker's own profile: (OIN of the source, idWerkzoekende)

    @property
    def shape(self) -> tuple[str, bool, tuple[str, ...]]:
        """What authorisation depends on (not who): a plan cache key part."""
        return (self.role, self.suwi, tuple(sorted(self.scopes)))


@dataclass(frozen=True)
class Vastlegging:
    """When and by whom a consent was recorded."""

    datum: datetime.date
    vastgelegd_door: str


@dataclass(frozen=True)
class Toestemming:
    """A job seeker's consent, per category. Absent means no consent (opt-in)."""

    categories: Mapping[str, Vastlegging] = field(default_factory=dict)

    @property
    def granted(self) -> frozenset[str]:
        return frozenset(self.categories)

    @classmethod
    def everything(cls, datum: datetime.date, vastgelegd_door: str) -> Toestemming:
        return cls({category: Vastlegging(datum, vastgelegd_door) for category in ALL_CATEGORIES})


class ConsentError(ValueError):
    """A stored consent is malformed."""


def read_toestemming(value: Any) -> Toestemming:
    """The `toestemming` of a stored record: `{"detail": {"datum": "2026-10-01", "vastgelegdDoor": "..."}}`."""
    if value is None:
        return Toestemming()
    if not isinstance(value, Mapping):
        raise ConsentError("toestemming must be an object")
    categories = {}
    for key, entry in value.items():
        if key not in CONSENT_KEYS:
            raise ConsentError(f"toestemming.{key}: not a category ({', '.join(CONSENT_KEYS)})")
        if not isinstance(entry, Mapping) or not isinstance(entry.get("vastgelegdDoor"), str):
            raise ConsentError(f"toestemming.{key}: needs datum and vastgelegdDoor")
        try:
            datum = datetime.date.fromisoformat(str(entry.get("datum")))
        except ValueError:
            raise ConsentError(f"toestemming.{key}.datum: not a date") from None
        categories[CONSENT_KEYS[key]] = Vastlegging(datum, entry["vastgelegdDoor"])
    return Toestemming(categories)


def write_toestemming(toestemming: Toestemming) -> dict[str, Any]:
    names = {category: key for key, category in CONSENT_KEYS.items()}
    return {
        names[category]: {"datum": v.datum.isoformat(), "vastgelegdDoor": v.vastgelegd_door}
        for category, v in sorted(toestemming.categories.items())
    }


def role_categories(caller: Caller, *, vacancy: bool = False) -> frozenset[str]:
    """What the caller's role may see at all; BIJZONDER only for SUWI parties."""
    categories = (VACANCY_CATEGORIES if vacancy else ROLE_CATEGORIES).get(caller.role, frozenset())
    return categories if caller.suwi else categories - {BIJZONDER}


def stated_consent(caller: Caller, consent: Toestemming, *, own_organisation: bool) -> frozenset[str]:
    """The consent a source states to this caller: an organisation's own mediators see all of
    their own clients, so for them every category counts as consented."""
    return ALL_CATEGORIES if own_organisation and caller.role == BEMIDDELAAR else consent.granted


def released_categories(caller: Caller, consent: Toestemming, *, own_organisation: bool) -> frozenset[str]:
    """The categories of one job seeker's profile that may reach this caller (the special
    category only ever to SUWI parties, also for their own clients)."""
    return stated_consent(caller, consent, own_organisation=own_organisation) & role_categories(caller)


def scopes_satisfied(required: list[list[str]] | None, scopes: frozenset[str]) -> bool:
    """`@requiresScopes` semantics: every scope of at least one of the lists."""
    return required is None or any(set(alternative) <= scopes for alternative in required)


def needed_scopes(required: Sequence[Sequence[str]]) -> str:
    """`@requiresScopes` in words, for an error: "the scope a", "the scopes a and b", "the scope a or the scope b"."""

    def one(scopes: Sequence[str]) -> str:
        return f"the scope{'s' if len(scopes) > 1 else ''} {' and '.join(scopes)}"

    return " or ".join(one(scopes) for scopes in required) or "a scope"


OIN = re.compile(r"[0-9]{20}")  # matched whole (fullmatch): `$` would allow a final newline
SAFE = re.compile(r"[a-zA-Z0-9_.:@-]{1,200}")


class ClaimsError(ValueError):
    """A verified token's claims do not describe a caller."""


class PurposeConflict(ClaimsError):
    """The request names another purpose than the one its token was issued for."""


def _scopes(claims: Mapping[str, Any]) -> frozenset[str]:
    scope = claims.get("scope", claims.get("scp", ""))
    if isinstance(scope, str):
        return frozenset(scope.split())
    if isinstance(scope, list) and all(isinstance(s, str) for s in scope):
        return frozenset(scope)
    raise ClaimsError("the token's scope claim must be a string or a list of strings")


def caller_of(claims: Mapping[str, Any], purpose: str | None, roles: Collection[str]) -> Caller:
    """The caller a verified token describes (`sub`, `oin`, `rol`, `scope`, `suwi`, `doelbinding`,
    and for a job seeker `idWerkzoekende`); refuses claims of the wrong shape. `purpose` is the one
    the request names; a token that carries a purpose binds the request to it."""
    subject, oin, role = claims.get("sub"), claims.get("oin"), claims.get("rol")
    if not isinstance(subject, str) or not SAFE.fullmatch(subject):
        raise ClaimsError("the token's sub claim is missing or malformed")
    if not isinstance(oin, str) or not OIN.fullmatch(oin):
        raise ClaimsError("the token needs an oin claim: the OIN of the caller's organisation (20 digits)")
    if role not in roles:
        raise ClaimsError(f"the token needs a rol claim: one of {', '.join(roles)}")
    suwi = claims.get("suwi", False)
    if not isinstance(suwi, bool):
        raise ClaimsError("the token's suwi claim must be true or false")
    own = claims.get("idWerkzoekende")
    if own is not None and (role != WERKZOEKENDE or not isinstance(own, str) or not SAFE.fullmatch(own)):
        raise ClaimsError("idWerkzoekende belongs only in a job seeker's token")
    claimed_purpose = claims.get("doelbinding")
    if claimed_purpose is not None and not isinstance(claimed_purpose, str):
        raise ClaimsError("the token's doelbinding claim must be a string")
    if claimed_purpose is not None and purpose is not None and purpose != claimed_purpose:
        raise PurposeConflict(
            f"the token was issued for the purpose (doelbinding) {claimed_purpose!r}; "
            f"a request with it may not name another ({purpose!r})"
        )
    chosen = purpose or claimed_purpose
    return Caller(
        subject=subject,
        oin=oin,
        role=str(role),
        scopes=_scopes(claims),
        suwi=suwi,
        purpose=chosen,
        own_record=(oin, own) if isinstance(own, str) else None,
    )
