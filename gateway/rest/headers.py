"""The X-VUM headers of koppelvlak 3.0: required on every request, answered on every response.

`X-VUM-berichtVersie` and `API-Version` must be `3.0.0`; `X-VUM-fromParty`, `X-VUM-toParty` and
`X-VUM-viaParty` carry OINs. A response comes from the receiver of the request, so it swaps
`fromParty` and `toParty` and keeps `viaParty`.

Whether the parties agree with the authenticated caller is for the auth layer to say: a
`PartyGuard` is called with the parties before anything is executed (see `routes.rest_routes`).
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass

from starlette.requests import Request

from .errors import INCOMPLETE, INVALID, VumError

VERSION = "3.0.0"
BERICHT_VERSIE = "X-VUM-berichtVersie"
API_VERSION = "API-Version"
FROM_PARTY = "X-VUM-fromParty"
TO_PARTY = "X-VUM-toParty"
VIA_PARTY = "X-VUM-viaParty"
REQUIRED = (BERICHT_VERSIE, API_VERSION, FROM_PARTY, TO_PARTY, VIA_PARTY)
MAX_PARTY_LENGTH = 200


@dataclass(frozen=True)
class VumParties:
    """Who sends a request (verwerkingsverantwoordelijke), to whom, and through which verwerker."""

    from_party: str
    to_party: str
    via_party: str


PartyGuard = Callable[[Request, VumParties], Awaitable[str | None]]
"""Checks the parties against the authenticated caller: None when they agree, else why not (401)."""


async def accept_parties(request: Request, parties: VumParties) -> str | None:
    """The guard until the auth layer provides one: every party is accepted."""
    return None


def read_parties(headers: Mapping[str, str]) -> VumParties:
    """The parties of a request whose X-VUM headers are complete and of version 3.0.0."""
    missing = [name for name in REQUIRED if not headers.get(name, "").strip()]
    if missing:
        raise VumError(INCOMPLETE, f"missing header(s): {', '.join(missing)}")
    wrong = [name for name in (BERICHT_VERSIE, API_VERSION) if headers[name].strip() != VERSION]
    if wrong:
        raise VumError(INVALID, f"{' and '.join(wrong)} must be {VERSION}")
    too_long = [name for name in (FROM_PARTY, TO_PARTY, VIA_PARTY) if len(headers[name]) > MAX_PARTY_LENGTH]
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
