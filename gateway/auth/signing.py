"""The gateway's own identity towards subgraphs: short-lived tokens signed with its key.

Each subgraph call carries a JWT with the caller's identity, audience = the organisation's OIN,
signed with the gateway's Ed25519 key (published at `/.well-known/jwks.json`). A subgraph accepts
nothing else. Tokens are reused for a caller and audience until shortly before they expire.
"""

from __future__ import annotations

import logging
import time
import uuid
from pathlib import Path
from typing import Any

import jwt
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from vumschema.policy import Caller

from .keys import new_private_key, public_jwk, read_private_key

log = logging.getLogger("vum.auth")

GATEWAY_ROLE = "gateway"


class GatewaySigner:
    """Signs subgraph tokens; the JWKS of its key is public."""

    def __init__(self, issuer: str, oin: str, lifetime: int, key_file: Path | None = None) -> None:
        if key_file is None:
            log.warning(
                "no auth.signing_key_file: subgraph tokens are signed with a key that lives as long as this process"
            )
        self.key: Ed25519PrivateKey = read_private_key(key_file) if key_file else new_private_key()
        self.jwk = public_jwk(self.key.public_key())
        self.issuer = issuer
        self.oin = oin
        self.lifetime = lifetime
        self._cache: dict[tuple[Any, ...], tuple[str, float]] = {}

    @property
    def jwks(self) -> dict[str, Any]:
        return {"keys": [self.jwk]}

    def token(self, caller: Caller | None, audience: str) -> str:
        """A token for `audience` on behalf of `caller` (the gateway itself when None)."""
        key = (caller, audience)
        cached = self._cache.get(key)
        now = time.time()
        if cached is not None and cached[1] - now > self.lifetime / 4:
            return cached[0]
        expires = now + self.lifetime
        token = jwt.encode(
            self._claims(caller, audience, now, expires), self.key, algorithm="EdDSA", headers={"kid": self.jwk["kid"]}
        )
        if len(self._cache) > 10_000:
            self._cache.clear()
        self._cache[key] = (token, expires)
        return token

    def _claims(self, caller: Caller | None, audience: str, now: float, expires: float) -> dict[str, Any]:
        claims: dict[str, Any] = {
            "iss": self.issuer,
            "aud": audience,
            "iat": int(now),
            "exp": int(expires),
            "jti": uuid.uuid4().hex,
        }
        if caller is None:
            return {**claims, "sub": "vum-gateway", "oin": self.oin, "rol": GATEWAY_ROLE, "scope": "", "suwi": False}
        claims.update(
            sub=caller.subject, oin=caller.oin, rol=caller.role, scope=" ".join(sorted(caller.scopes)), suwi=caller.suwi
        )
        if caller.purpose:
            claims["doelbinding"] = caller.purpose
        if caller.own_record:
            claims["idWerkzoekende"] = caller.own_record[1]
        return claims
