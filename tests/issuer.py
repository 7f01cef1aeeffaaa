"""A test identity provider: RSA, EC and Ed25519 keys, its JWKS served over HTTP, tokens on demand."""

from __future__ import annotations

import json
import time
import uuid
from typing import Any

import jwt
from cryptography.hazmat.primitives.asymmetric import ec, ed25519, rsa
from jwt.algorithms import ECAlgorithm, OKPAlgorithm, RSAAlgorithm
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Route

from vumschema.policy import Caller

from .servers import LiveServer

ISSUER = "https://idp.test.vum"
AUDIENCE = "vum-gateway"
ALL_SCOPES = frozenset(
    {
        "werkzoekenden:zoeken",
        "werkzoekenden:detail",
        "werkzoekenden:contactgegevens",
        "werkzoekenden:bijzonder",
        "vacatures:zoeken",
        "vacatures:detail",
        "vacatures:contactgegevens",
        "verwerkingen:lezen",
    }
)
# A mediator of an organisation that holds no records in the tests: sees others' data by consent.
MEDIATOR = Caller("anja", "00000001009999999000", "bemiddelaar", ALL_SCOPES, suwi=True, purpose="arbeidsbemiddeling")


class TestIssuer:
    """Keys per algorithm (kid = the algorithm name), the JWKS at /jwks.json."""

    def __init__(self) -> None:
        self.keys: dict[str, Any] = {
            "RS256": rsa.generate_private_key(public_exponent=65537, key_size=2048),
            "ES256": ec.generate_private_key(ec.SECP256R1()),
            "EdDSA": ed25519.Ed25519PrivateKey.generate(),
        }
        self.published = dict(self.keys)
        self.server = LiveServer(Starlette(routes=[Route("/jwks.json", self._jwks)]), path="/jwks.json")
        self.fetches = 0

    async def _jwks(self, request: Request) -> JSONResponse:
        self.fetches += 1
        keys = []
        for kid, key in self.published.items():
            converter = (
                RSAAlgorithm
                if isinstance(key, rsa.RSAPrivateKey)
                else ECAlgorithm
                if isinstance(key, ec.EllipticCurvePrivateKey)
                else OKPAlgorithm
            )
            jwk = json.loads(converter.to_jwk(key.public_key()))
            keys.append({**jwk, "kid": kid, "use": "sig"})
        return JSONResponse({"keys": keys})

    async def start(self) -> TestIssuer:
        await self.server.start()
        return self

    @property
    def jwks_url(self) -> str:
        return self.server.url

    def claims(self, caller: Caller, **overrides: Any) -> dict[str, Any]:
        now = int(time.time())
        claims: dict[str, Any] = {
            "iss": ISSUER,
            "aud": AUDIENCE,
            "sub": caller.subject,
            "oin": caller.oin,
            "rol": caller.role,
            "scope": " ".join(sorted(caller.scopes)),
            "suwi": caller.suwi,
            "iat": now,
            "nbf": now,
            "exp": now + 600,
            "jti": uuid.uuid4().hex,
        }
        if caller.own_record:
            claims["idWerkzoekende"] = caller.own_record[1]
        claims.update(overrides)
        return {k: v for k, v in claims.items() if v is not None}

    def token(self, caller: Caller = MEDIATOR, algorithm: str = "ES256", **overrides: Any) -> str:
        return jwt.encode(
            self.claims(caller, **overrides), self.keys[algorithm], algorithm=algorithm, headers={"kid": algorithm}
        )

    def headers(self, caller: Caller = MEDIATOR, **overrides: Any) -> dict[str, str]:
        headers = {"Authorization": f"Bearer {self.token(caller, **overrides)}"}
        if caller.purpose:
            headers["X-VUM-Doelbinding"] = caller.purpose
        return headers
