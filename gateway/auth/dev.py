"""The demo's identity provider: a local Ed25519 key that only `vum-gateway demo` trusts.

`vum-gateway token --rol ROL --oin OIN --scope S ...` signs a caller token with it, and the demo's
GraphiQL offers ready-made tokens per role. A gateway started with this issuer outside demo mode
refuses to start. For a gateway started with `vum-gateway serve`, the same command signs tokens
with any Ed25519 key as any issuer (`--key`, `--issuer`), and `--jwks` prints the key's public
JWKS to publish at the `jwks_url` of an `[[auth.issuers]]` entry: a test issuer without an
identity provider.
"""

from __future__ import annotations

import time
import uuid
from pathlib import Path
from typing import Any

import jwt

from vumschema import load_contract
from vumschema.policy import BEHEERDER, BEMIDDELAAR, WERKGEVER, WERKZOEKENDE

from ..demo import AUDIENCE, DEV_ISSUER
from .keys import new_private_key, public_jwk, read_private_key, write_private_key

__all__ = ["ALL_SCOPES", "AUDIENCE", "DEV_ISSUER", "ensure_key", "issuer_jwks", "mint", "presets"]

ALL_SCOPES = tuple(sorted(load_contract().scopes()))  # every scope the contract names


def ensure_key(path: Path) -> Path:
    """The demo issuer's key file, created on first use."""
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        write_private_key(new_private_key(), path)
    return path


def mint(
    key_file: Path,
    *,
    subject: str,
    oin: str,
    role: str,
    scopes: tuple[str, ...] | list[str] = (),
    suwi: bool = False,
    purpose: str | None = None,
    id_werkzoekende: str | None = None,
    lifetime: int = 8 * 3600,
    issuer: str = DEV_ISSUER,
    audience: str = AUDIENCE,
) -> str:
    """A caller token signed with the key in `key_file` (the demo issuer's by default)."""
    key = read_private_key(key_file)
    now = int(time.time())
    claims: dict[str, Any] = {
        "iss": issuer,
        "aud": audience,
        "sub": subject,
        "oin": oin,
        "rol": role,
        "scope": " ".join(scopes),
        "suwi": suwi,
        "iat": now,
        "nbf": now,
        "exp": now + lifetime,
        "jti": uuid.uuid4().hex,
    }
    if purpose:
        claims["doelbinding"] = purpose
    if id_werkzoekende:
        claims["idWerkzoekende"] = id_werkzoekende
    return jwt.encode(claims, key, algorithm="EdDSA", headers={"kid": public_jwk(key.public_key())["kid"]})


def issuer_jwks(key_file: Path) -> dict[str, Any]:
    """The public JWKS of the key in `key_file`; its key id is the one `mint` puts in the header."""
    return {"keys": [public_jwk(read_private_key(key_file).public_key())]}


def presets(key_file: Path, own_oin: str, other_oin: str, henk: str | None) -> dict[str, dict[str, str]]:
    """GraphiQL header sets per demo role (name -> headers)."""
    purpose = {"X-VUM-Doelbinding": "arbeidsbemiddeling"}

    def headers(**claims: Any) -> dict[str, str]:
        return {"Authorization": f"Bearer {mint(key_file, **claims)}", **purpose}

    result = {
        "Anja, bemiddelaar gemeente Eindhoven (SUWI)": headers(
            subject="anja", oin=own_oin, role=BEMIDDELAAR, scopes=ALL_SCOPES, suwi=True
        ),
        "Bemiddelaar uitzendbureau (geen SUWI)": headers(
            subject="bemiddelaar-uitzend", oin=other_oin, role=BEMIDDELAAR, scopes=ALL_SCOPES
        ),
        "Mehmet, werkgever": headers(
            subject="mehmet",
            oin="00000099000000000077",
            role=WERKGEVER,
            scopes=("werkzoekenden:zoeken", "werkzoekenden:detail", "vacatures:zoeken", "vacatures:detail"),
        ),
        "Beheerder": headers(subject="beheerder", oin=own_oin, role=BEHEERDER, scopes=()),
    }
    if henk:
        result["Henk, werkzoekende (eigen verwerkingen)"] = headers(
            subject="henk",
            oin=own_oin,
            role=WERKZOEKENDE,
            scopes=("verwerkingen:lezen", "vacatures:zoeken"),
            id_werkzoekende=henk,
        )
    return result
