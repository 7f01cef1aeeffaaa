"""The X-VUM message headers of koppelvlak 3.0, the same on both sides of the exchange: the
VUM-Bemiddelaar contract (the gateway's REST facade) and the VUM-Bron contract (a source)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

VERSION = "3.0.0"
BERICHT_VERSIE = "X-VUM-berichtVersie"
API_VERSION = "API-Version"
FROM_PARTY = "X-VUM-fromParty"
TO_PARTY = "X-VUM-toParty"
VIA_PARTY = "X-VUM-viaParty"
SUWI_PARTY = "X-VUM-SUWIparty"  # VUM-Bron only: whether the asking party is a SUWI party
PARTIES = (FROM_PARTY, TO_PARTY, VIA_PARTY)
ENVELOPE = (BERICHT_VERSIE, API_VERSION, *PARTIES)  # what every request carries


def missing(headers: Mapping[str, str], required: Sequence[str]) -> list[str]:
    """The required headers that are absent or blank."""
    return [name for name in required if not headers.get(name, "").strip()]


def wrong_versions(headers: Mapping[str, str]) -> list[str]:
    """The version headers (present) that do not say 3.0.0."""
    return [name for name in (BERICHT_VERSIE, API_VERSION) if headers[name].strip() != VERSION]
