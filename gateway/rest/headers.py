"""The X-VUM headers of koppelvlak 3.0: required on every request, answered on every response.

`X-VUM-berichtVersie` and `API-Version` must be `3.0.0`; `X-VUM-fromParty`, `X-VUM-toParty` and
`X-VUM-viaParty` carry OINs. A response comes from the receiver of the request, so it swaps
`fromParty` and `toParty` and keeps `viaParty`.

The parties must agree with the caller's token (`check_parties`): `fromParty`, the
verwerkingsverantwoordelijke, must be the token's organisation. `viaParty` may name another
organisation, a verwerker (e.g. the software supplier hosting the mediator's application) that
sends the caller's request; it grants nothing, since every right comes from the token. A token of
the verwerker itself (`viaParty` = token OIN, `fromParty` another organisation) is refused: the
gateway cannot see the processing agreement behind it, and the request would be logged and
authorised for an organisation that never signed it.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from vumschema.koppelvlak import (
    API_VERSION,
    BERICHT_VERSIE,
    ENVELOPE,
    FROM_PARTY,
    PARTIES,
    SUWI_PARTY,
    TO_PARTY,
    VERSION,
    VIA_PARTY,
    missing,
    wrong_versions,
)
from vumschema.policy import Caller

from ..http.identity import PURPOSE_HEADER
from .errors import INCOMPLETE, INVALID, UNAUTHORIZED, VumError

DOELBINDING = PURPOSE_HEADER  # the purpose, as GraphQL callers send it
MAX_PARTY_LENGTH = 200


@dataclass(frozen=True)
class VumParties:
    """Who sends a request (verwerkingsverantwoordelijke), to whom, and through which verwerker."""

    from_party: str
    to_party: str
    via_party: str


def check_parties(caller: Caller, parties: VumParties) -> None:
    """Refuses (401) a request whose sender is not the organisation of the caller's token."""
    if parties.from_party == caller.oin:
        return
    message = f"{FROM_PARTY} {parties.from_party} is not the organisation of the token (OIN {caller.oin})"
    if parties.via_party == caller.oin:
        message += f"; a verwerker ({VIA_PARTY}) sends with a token of the organisation it works for, not its own"
    raise VumError(UNAUTHORIZED, message)


def check_suwi_party(caller: Caller, headers: Mapping[str, str]) -> None:
    """Refuses a request that asserts a SUWI status other than the caller's.

    The exchange tells sources whether the caller is a SUWI party (`X-VUM-SUWIparty` towards a
    VUM-Bron), from the participant register or the token; a caller cannot assert it. Clients
    built for the accreditation environment send it anyway: accepted when it says what the
    gateway knows, refused (401) otherwise; a value that is not true or false is a 400.01."""
    asserted = headers.get(SUWI_PARTY)
    if asserted is None:
        return
    value = asserted.strip().lower()
    if value not in ("true", "false"):
        raise VumError(INVALID, f"{SUWI_PARTY} must be true or false")
    if (value == "true") != caller.suwi:
        known = "a SUWI party" if caller.suwi else "not a SUWI party"
        raise VumError(
            UNAUTHORIZED,
            f"{SUWI_PARTY}: {value} is not for the caller to assert; OIN {caller.oin} is {known} "
            "(by the participant register or the token)",
        )


def read_parties(headers: Mapping[str, str]) -> VumParties:
    """The parties of a request whose X-VUM headers are complete and of version 3.0.0."""
    absent = missing(headers, ENVELOPE)
    if absent:
        raise VumError(INCOMPLETE, f"missing header(s): {', '.join(absent)}")
    wrong = wrong_versions(headers)
    if wrong:
        raise VumError(INVALID, f"{' and '.join(wrong)} must be {VERSION}")
    too_long = [name for name in PARTIES if len(headers[name]) > MAX_PARTY_LENGTH]
    if too_long:
        raise VumError(INVALID, f"{', '.join(too_long)}: longer than {MAX_PARTY_LENGTH} characters")
    return VumParties(headers[FROM_PARTY].strip(), headers[TO_PARTY].strip(), headers[VIA_PARTY].strip())


def response_headers(request_headers: Mapping[str, str]) -> dict[str, str]:
    """The contract's response headers; the parties are answered with what the request gave.

    When the request lacks its sender (a 400.02), the answer goes to the verwerker that sent it.
    """

    def party(*names: str) -> str:
        values = (request_headers.get(name, "").strip() for name in names)
        return next((value for value in values if value and len(value) <= MAX_PARTY_LENGTH), "")

    parties = {
        FROM_PARTY: party(TO_PARTY),
        TO_PARTY: party(FROM_PARTY, VIA_PARTY),
        VIA_PARTY: party(VIA_PARTY, FROM_PARTY),
    }
    return {BERICHT_VERSIE: VERSION, API_VERSION: VERSION, **{name: value for name, value in parties.items() if value}}
