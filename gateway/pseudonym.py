"""vumID: the pseudonym of a record, the authenticated encryption of (source, record id).

AES-256-GCM with a random nonce: the same record gets a different vumID in every search, a vumID
reveals nothing without the key, and a changed or foreign vumID fails authentication. The record
kind is bound as associated data, so a vacancy's vumID cannot be used as a profile's. Layout
(base64url, no padding, so it fits the standard's `^[a-zA-Z0-9_.-]{0,500}$`):
`version (1 byte) | nonce (12) | ciphertext of "bronID, record id, vraagID, OIN" | tag (16)`.
The vraagID and the OIN of the organisation it was issued to are bound in: a detail lookup counts
against the search it came from, and a vumID passed on to another organisation is worthless.
"""

from __future__ import annotations

import base64
import binascii
import os
from dataclasses import dataclass

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

VERSION = b"\x01"
NONCE_BYTES = 12
TAG_BYTES = 16
SEPARATOR = "\x1f"
MAX_VUMID_LENGTH = 500


class InvalidVumID(ValueError):
    """The vumID was not issued by this gateway for this kind of record, or was changed."""


@dataclass(frozen=True)
class RecordRef:
    """Which source holds a record and its id there; the search and organisation it was issued to."""

    bron_id: str
    record_id: str
    vraag_id: str = ""
    afnemer_oin: str = ""


class Pseudonymiser:
    """Issues and opens vumIDs. The first key encrypts; all keys decrypt (key rotation)."""

    def __init__(self, keys: list[bytes]) -> None:
        if not keys or len(keys) > 255:
            raise ValueError("between 1 and 255 keys")
        self._ciphers = [AESGCM(key) for key in keys]

    def issue(self, kind: str, ref: RecordRef, nonce: bytes | None = None) -> str:
        """A fresh vumID; `nonce` (12 random bytes) lets `issue_many` draw randomness once."""
        nonce = nonce or os.urandom(NONCE_BYTES)
        plaintext = SEPARATOR.join((ref.bron_id, ref.record_id, ref.vraag_id, ref.afnemer_oin)).encode()
        sealed = self._ciphers[0].encrypt(nonce, plaintext, kind.encode())
        token = base64.urlsafe_b64encode(VERSION + nonce + sealed).decode().rstrip("=")
        if len(token) > MAX_VUMID_LENGTH:
            raise ValueError("record id too long for a vumID")
        return token

    def issue_many(self, kind: str, refs: list[RecordRef]) -> list[str]:
        """vumIDs for a page of records, with one call for all their nonces."""
        randomness = os.urandom(NONCE_BYTES * len(refs))
        return [
            self.issue(kind, ref, randomness[i * NONCE_BYTES : (i + 1) * NONCE_BYTES]) for i, ref in enumerate(refs)
        ]

    def open(self, kind: str, vumid: str) -> RecordRef:
        if not vumid or len(vumid) > MAX_VUMID_LENGTH:
            raise InvalidVumID("vumID has the wrong length")
        try:
            raw = base64.urlsafe_b64decode(vumid + "=" * (-len(vumid) % 4))
        except (binascii.Error, ValueError):
            raise InvalidVumID("vumID is not base64url") from None
        if base64.urlsafe_b64encode(raw).decode().rstrip("=") != vumid:
            raise InvalidVumID("vumID is not canonical base64url")  # spare bits set: a changed vumID
        if len(raw) < 1 + NONCE_BYTES + TAG_BYTES or raw[:1] != VERSION:
            raise InvalidVumID("vumID is not one of this gateway's")
        nonce, sealed = raw[1 : 1 + NONCE_BYTES], raw[1 + NONCE_BYTES :]
        for cipher in self._ciphers:  # the current key first, then the ones it replaced
            try:
                plaintext = cipher.decrypt(nonce, sealed, kind.encode()).decode()
            except (InvalidTag, UnicodeDecodeError):
                continue
            parts = plaintext.split(SEPARATOR)
            if len(parts) != 4:
                break
            return RecordRef(*parts)
        raise InvalidVumID("vumID failed authentication: changed, foreign or for another kind of record")
