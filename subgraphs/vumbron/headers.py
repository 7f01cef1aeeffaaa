"""The X-VUM headers between the VUM exchange (VUM-UV) and a source (the VUM-Bron contracts)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from vumschema.koppelvlak import (
    API_VERSION,
    BERICHT_VERSIE,
    ENVELOPE,
    FROM_PARTY,
    SUWI_PARTY,
    TO_PARTY,
    VERSION,
    VIA_PARTY,
    missing,
    wrong_versions,
)

REQUIRED = (*ENVELOPE, SUWI_PARTY)
BOOLEANS = {"true": True, "false": False}


class HeaderError(ValueError):
    """The X-VUM headers of a request are missing (`incomplete`) or wrong."""

    def __init__(self, message: str, *, incomplete: bool) -> None:
        super().__init__(message)
        self.incomplete = incomplete


@dataclass(frozen=True)
class BronParties:
    """Who asks a source (verwerkingsverantwoordelijke), the source, the verwerker, and whether
    the asking party is a SUWI party (which tells the source what it may share)."""

    from_party: str
    to_party: str
    via_party: str
    suwi_party: bool

    def headers(self) -> dict[str, str]:
        """The request headers of a call to the source."""
        return {
            BERICHT_VERSIE: VERSION,
            API_VERSION: VERSION,
            FROM_PARTY: self.from_party,
            TO_PARTY: self.to_party,
            VIA_PARTY: self.via_party,
            SUWI_PARTY: "true" if self.suwi_party else "false",
        }


def read_parties(headers: Mapping[str, str]) -> BronParties:
    """The parties of a request to a source, or a HeaderError saying what is missing or wrong."""
    absent = missing(headers, REQUIRED)
    if absent:
        raise HeaderError(f"missing header(s): {', '.join(absent)}", incomplete=True)
    wrong = wrong_versions(headers)
    if wrong:
        raise HeaderError(f"{' and '.join(wrong)} must be {VERSION}", incomplete=False)
    suwi = BOOLEANS.get(headers[SUWI_PARTY].strip().lower())
    if suwi is None:
        raise HeaderError(f"{SUWI_PARTY} must be true or false", incomplete=False)
    return BronParties(headers[FROM_PARTY].strip(), headers[TO_PARTY].strip(), headers[VIA_PARTY].strip(), suwi)


def response_headers(request_headers: Mapping[str, str]) -> dict[str, str]:
    """A source's response headers: it answers from the party asked, to the party that asked."""
    headers = {BERICHT_VERSIE: VERSION, API_VERSION: VERSION}
    for response_name, request_name in ((FROM_PARTY, TO_PARTY), (TO_PARTY, FROM_PARTY), (VIA_PARTY, VIA_PARTY)):
        value = request_headers.get(request_name, "").strip()
        if value:
            headers[response_name] = value
    return headers
