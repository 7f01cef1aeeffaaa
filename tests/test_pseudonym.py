"""vumID: authenticated encryption of (source, record id), never reversible without the key."""

from __future__ import annotations

import re

import pytest

from gateway.config import PseudonymConfig, new_key
from gateway.pseudonym import InvalidVumID, Pseudonymiser, RecordRef

VUMID = re.compile(r"[a-zA-Z0-9_.-]{0,500}")  # matched whole


def pseudonymiser(*keys: str) -> Pseudonymiser:
    return Pseudonymiser(PseudonymConfig(key=keys[0], previous_keys=list(keys[1:])).keys())


def test_a_vumid_opens_to_its_record_and_fits_the_standard() -> None:
    p = pseudonymiser(new_key())
    ref = RecordRef("gemeente-eindhoven", "a" * 200)
    vumid = p.issue("werkzoekende", ref)
    assert VUMID.fullmatch(vumid)
    assert p.open("werkzoekende", vumid) == ref
    assert "gemeente" not in vumid and "aaaa" not in vumid


def test_the_same_record_gets_a_new_vumid_every_time() -> None:
    p = pseudonymiser(new_key())
    ref = RecordRef("uwv", "123")
    assert len({p.issue("werkzoekende", ref) for _ in range(50)}) == 50


def test_every_changed_byte_is_refused() -> None:
    p = pseudonymiser(new_key())
    vumid = p.issue("vacature", RecordRef("uwv", "v-1"))
    alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"
    for position in range(len(vumid)):
        replacement = alphabet[(alphabet.index(vumid[position]) + 1) % len(alphabet)]
        tampered = vumid[:position] + replacement + vumid[position + 1 :]
        with pytest.raises(InvalidVumID):
            p.open("vacature", tampered)


def test_a_foreign_key_or_another_kind_is_refused() -> None:
    vumid = pseudonymiser(new_key()).issue("werkzoekende", RecordRef("uwv", "1"))
    with pytest.raises(InvalidVumID, match="failed authentication"):
        pseudonymiser(new_key()).open("werkzoekende", vumid)
    key = new_key()
    own = pseudonymiser(key).issue("werkzoekende", RecordRef("uwv", "1"))
    with pytest.raises(InvalidVumID):
        pseudonymiser(key).open("vacature", own)


def test_rotation_keeps_old_vumids_valid() -> None:
    old, new = new_key(), new_key()
    issued_before = pseudonymiser(old).issue("werkzoekende", RecordRef("uwv", "1"))
    rotated = pseudonymiser(new, old)
    assert rotated.open("werkzoekende", issued_before) == RecordRef("uwv", "1")
    issued_after = rotated.issue("werkzoekende", RecordRef("uwv", "2"))
    with pytest.raises(InvalidVumID):
        pseudonymiser(old).open("werkzoekende", issued_after)


@pytest.mark.parametrize("garbage", ["", "x" * 501, "!!!", "AAAA", "Zm9v"])
def test_garbage_is_refused(garbage: str) -> None:
    with pytest.raises(InvalidVumID):
        pseudonymiser(new_key()).open("werkzoekende", garbage)
