"""Paging cursors: opaque, authenticated, bound to one search and one organisation.

A cursor carries a search's vraagID, a position in its order and a digest of its selectievraag,
sealed with AES-256-GCM under a key derived from the pseudonym key (a random nonce each time),
with the kind of record and the OIN of the organisation it was issued to as associated data. So
only the gateway issues vraagIDs: a changed or made-up cursor fails authentication, a cursor
passed to another organisation or to another kind of search is refused, and a cursor given with
another selectievraag is refused too (its order belongs to the first). The same record gets a
different cursor in every search, so cursors link nothing across searches. Paging needs no state
on the server, so any replica that shares the pseudonym key accepts a cursor.

Layout (base64url, no padding): `version (1) | nonce (12) | sealed(vraagID (16) | position (8) |
selectievraag digest (8)) | tag (16)`; 82 characters.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import os
from dataclasses import dataclass

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

VERSION = b"\x01"
NONCE_BYTES = 12
VRAAG_ID_BYTES = 16
POSITION_BYTES = 8
DIGEST_BYTES = 8
PLAINTEXT_BYTES = VRAAG_ID_BYTES + POSITION_BYTES + DIGEST_BYTES
SEALED_BYTES = 1 + NONCE_BYTES + PLAINTEXT_BYTES + 16
MAX_CURSOR_LENGTH = 200


class InvalidCursor(ValueError):
    """Not a cursor this gateway issued for this caller, kind of search and selectievraag."""


@dataclass(frozen=True)
class Place:
    """Where a page continues: the search (its vraagID, 32 hex digits) and the position after which."""

    vraag_id: str
    position: str  # 16 hex digits, as the search orders its records


def cursor_key(pseudonym_key: bytes) -> bytes:
    """The cursor key derived from a pseudonym key: a cursor and a vumID never share a key."""
    return hashlib.blake2b(b"vum-cursor", key=pseudonym_key, digest_size=32).digest()


class Cursors:
    """Issues and opens cursors. The first key seals; all keys open (key rotation)."""

    def __init__(self, pseudonym_keys: list[bytes]) -> None:
        if not pseudonym_keys:
            raise ValueError("at least one key")
        self._keys = [(AESGCM(key), key) for key in map(cursor_key, pseudonym_keys)]

    def issue_many(self, places: list[Place], question: bytes, kind: str, oin: str) -> list[str]:
        """Cursors for the places of one page of the search that asked `question` (its
        selectievraag as canonical JSON), with one call for all their nonces."""
        cipher, key = self._keys[0]
        digest = _digest(question, key)
        associated = _associated(kind, oin)
        randomness = os.urandom(NONCE_BYTES * len(places))
        cursors = []
        for index, place in enumerate(places):
            nonce = randomness[index * NONCE_BYTES : (index + 1) * NONCE_BYTES]
            plaintext = bytes.fromhex(place.vraag_id) + bytes.fromhex(place.position) + digest
            sealed = cipher.encrypt(nonce, plaintext, associated)
            cursors.append(base64.urlsafe_b64encode(VERSION + nonce + sealed).decode().rstrip("="))
        return cursors

    def open(self, cursor: str, question: bytes, kind: str, oin: str) -> Place:
        """The place a cursor names, when this gateway issued it to `oin` for this kind of search
        and this selectievraag; raises InvalidCursor otherwise."""
        if len(cursor) > MAX_CURSOR_LENGTH:
            raise InvalidCursor("not a cursor of this gateway")
        try:
            raw = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4))
        except (binascii.Error, ValueError):
            raise InvalidCursor("not a cursor of this gateway") from None
        if len(raw) != SEALED_BYTES or raw[:1] != VERSION:
            raise InvalidCursor("not a cursor of this gateway")
        nonce, sealed = raw[1 : 1 + NONCE_BYTES], raw[1 + NONCE_BYTES :]
        associated = _associated(kind, oin)
        for cipher, key in self._keys:  # the current key first, then the ones it replaced
            try:
                plaintext = cipher.decrypt(nonce, sealed, associated)
            except InvalidTag:
                continue
            if plaintext[VRAAG_ID_BYTES + POSITION_BYTES :] != _digest(question, key):
                raise InvalidCursor("this cursor belongs to a search with another selectievraag")
            return Place(plaintext[:VRAAG_ID_BYTES].hex(), plaintext[VRAAG_ID_BYTES:-DIGEST_BYTES].hex())
        raise InvalidCursor("not a cursor this gateway issued to your organisation for this kind of search")


def _digest(question: bytes, key: bytes) -> bytes:
    return hashlib.blake2b(question, key=key, digest_size=DIGEST_BYTES, person=b"vum-vraag").digest()


def _associated(kind: str, oin: str) -> bytes:
    return f"vum-cursor\x1f{kind}\x1f{oin}".encode()
