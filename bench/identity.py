"""Who the benchmark is: an identity provider for its caller, and the gateway's signing key.

Our gateway authenticates every request (a caller token and a purpose) and signs its calls to the
subgraphs; the subgraphs verify those. The harness creates both keys in the work directory, the
subgraph process publishes their JWKS, and the load generator sends one long-lived caller token.
The Node gateways send no token: the bench subgraphs treat a call without one as the same caller
(`anonymous_caller`, a benchmark-only setting of the SDK), so every gateway gets the same data.
"""

from __future__ import annotations

import json
import time
from pathlib import Path

import jwt

from gateway.auth.dev import ALL_SCOPES
from gateway.auth.keys import new_private_key, public_jwk, read_private_key, write_private_key
from vumschema.policy import Caller

ISSUER = "urn:vum:bench-issuer"
AUDIENCE = "vum-gateway"
PURPOSE = "arbeidsbemiddeling"
CALLER = Caller("bench", "00000001009999999000", "bemiddelaar", frozenset(ALL_SCOPES), suwi=True, purpose=PURPOSE)
GATEWAY_KEY = "gateway-signing.pem"
ISSUER_KEY = "issuer.pem"
GATEWAY_JWKS = "gateway-jwks.json"
ISSUER_JWKS = "issuer-jwks.json"
TOKEN = "caller.token"


def create(work: Path) -> None:
    """Both keys, their JWKS documents, and the caller's token, in `work`."""
    for key_name, jwks_name in ((GATEWAY_KEY, GATEWAY_JWKS), (ISSUER_KEY, ISSUER_JWKS)):
        key = new_private_key()
        write_private_key(key, work / key_name)
        (work / jwks_name).write_text(json.dumps({"keys": [public_jwk(key.public_key())]}), encoding="utf-8")
    (work / TOKEN).write_text(_token(work / ISSUER_KEY), encoding="utf-8")


def _token(key_file: Path) -> str:
    key = read_private_key(key_file)
    now = int(time.time())
    claims = {
        "iss": ISSUER, "aud": AUDIENCE, "sub": CALLER.subject, "oin": CALLER.oin, "rol": CALLER.role,
        "scope": " ".join(sorted(CALLER.scopes)), "suwi": True, "iat": now, "nbf": now, "exp": now + 24 * 3600,
    }  # fmt: skip
    return jwt.encode(claims, key, algorithm="EdDSA", headers={"kid": public_jwk(key.public_key())["kid"]})


def caller_headers(work: Path) -> dict[str, str]:
    """What our gateway needs with every request: the caller's token and the purpose."""
    return {"authorization": f"Bearer {(work / TOKEN).read_text(encoding='utf-8')}", "x-vum-doelbinding": PURPOSE}
