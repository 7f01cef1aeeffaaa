"""Caller tokens: JWTs checked against configured issuers and their JWKS.

Only asymmetric algorithms (RS256, ES256, EdDSA) are accepted, each issuer with its own list; `none`
and HS* are refused, which also rules out HS/RS confusion. `iss`, `aud`, `exp`, `nbf` and `iat` are
checked with a small clock skew. Keys are fetched with aiohttp (never blocking the event loop),
cached, and fetched again when a token names an unknown key id (rotation), at most once per
`REFRESH_INTERVAL` per issuer. Both caches are bounded: a key set by its size and number of keys,
verified tokens by their total size (least recently used first out).
"""

from __future__ import annotations

import asyncio
import hashlib
import time
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

import aiohttp
import jwt
import orjson
from cachetools import LRUCache

from vumschema.policy import ROLES, Caller, ClaimsError, PurposeConflict, caller_of

from ..config import AuthConfig
from .keys import public_jwk, read_private_key

ACCEPTED_ALGORITHMS = frozenset({"RS256", "ES256", "EdDSA"})
REFRESH_INTERVAL = 30.0
MAX_JWKS_BYTES = 256 * 1024
MAX_JWKS_KEYS = 100
VERIFIED_TOKENS_BYTES = 16 * 1024 * 1024  # verified tokens kept, by the size of the tokens


class Unauthenticated(Exception):
    """The request has no acceptable token; the message says why (never the token itself)."""


class PurposeRefused(Unauthenticated):
    """The token is good, but was issued for another purpose than the request names (403)."""


@dataclass
class KeySet:
    keys: dict[str, jwt.PyJWK] = field(default_factory=dict)
    fetched_at: float = 0.0


@dataclass(frozen=True)
class Issuer:
    issuer: str
    audience: str
    algorithms: frozenset[str]
    jwks_url: str | None = None
    static_keys: Mapping[str, jwt.PyJWK] | None = None  # the demo issuer's, read from its key file


class JwksCache:
    """Signing keys per issuer, fetched asynchronously and refreshed on rotation."""

    def __init__(self, ttl: float) -> None:
        self.ttl = ttl
        self._sets: dict[str, KeySet] = {}
        self._locks: dict[str, asyncio.Lock] = {}
        self._session: aiohttp.ClientSession | None = None

    async def close(self) -> None:
        if self._session is not None:
            await self._session.close()

    async def key(self, issuer: Issuer, kid: str | None) -> jwt.PyJWK:
        if issuer.static_keys is not None:
            return self._pick(issuer.static_keys, kid)
        assert issuer.jwks_url is not None
        keys = self._sets.get(issuer.issuer)
        stale = keys is None or time.monotonic() - keys.fetched_at > self.ttl
        unknown = keys is not None and kid is not None and kid not in keys.keys
        if stale or (unknown and time.monotonic() - keys.fetched_at > REFRESH_INTERVAL):  # type: ignore[union-attr]
            keys = await self._refresh(issuer)
        assert keys is not None
        return self._pick(keys.keys, kid)

    @staticmethod
    def _pick(keys: Mapping[str, jwt.PyJWK], kid: str | None) -> jwt.PyJWK:
        if kid is None and len(keys) == 1:
            return next(iter(keys.values()))
        if kid is None or kid not in keys:
            raise Unauthenticated("the token's key id (kid) is not one of its issuer's keys")
        return keys[kid]

    async def _refresh(self, issuer: Issuer) -> KeySet:
        lock = self._locks.setdefault(issuer.issuer, asyncio.Lock())
        async with lock:
            current = self._sets.get(issuer.issuer)
            if current is not None and time.monotonic() - current.fetched_at < 1.0:
                return current  # another request refreshed it just now
            if self._session is None:
                self._session = aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=5))
            try:
                async with self._session.get(issuer.jwks_url) as response:  # type: ignore[arg-type]
                    body = await response.content.read(MAX_JWKS_BYTES + 1)
                if len(body) > MAX_JWKS_BYTES:
                    raise ValueError("key set too large")
                document = orjson.loads(body)
                if not isinstance(document, dict) or len(document.get("keys") or ()) > MAX_JWKS_KEYS:
                    raise ValueError("not a key set of at most MAX_JWKS_KEYS keys")
                keys = {k.key_id or str(i): k for i, k in enumerate(jwt.PyJWKSet.from_dict(document).keys)}
            except (aiohttp.ClientError, TimeoutError, ValueError, jwt.PyJWKSetError, jwt.InvalidKeyError):
                if current is not None:
                    return current  # keep the keys we have when the issuer is briefly unreachable
                raise Unauthenticated("the token's issuer cannot be reached to check its signature") from None
            fresh = KeySet(keys, time.monotonic())
            self._sets[issuer.issuer] = fresh
            return fresh


def _issuers(config: AuthConfig, demo: bool) -> dict[str, Issuer]:
    issuers = {
        i.issuer: Issuer(i.issuer, i.audience, frozenset(i.algorithms), jwks_url=i.jwks_url) for i in config.issuers
    }
    dev = config.dev_issuer
    if dev is not None:
        if not demo:
            raise ValueError("auth.dev_issuer is only trusted by `vum-gateway demo`; remove it from this configuration")
        jwk = jwt.PyJWK(public_jwk(read_private_key(dev.key_file).public_key()))
        issuers[dev.issuer] = Issuer(
            dev.issuer, dev.audience, frozenset({"EdDSA"}), static_keys={jwk.key_id or "": jwk}
        )
    return issuers


class CallerAuthenticator:
    """Turns an `Authorization: Bearer` header into a `Caller`, or refuses with a reason."""

    def __init__(self, config: AuthConfig, *, demo: bool = False) -> None:
        self.config = config
        self.issuers = _issuers(config, demo)
        self.keys = JwksCache(config.jwks_cache_seconds)
        # A verified token is not checked again until shortly before it expires: a search screen
        # sends the same token many times, and a signature check costs more than the rest of auth.
        # Kept by a digest (not the token), weighed by the token's size, bounded.
        self._verified: LRUCache[bytes, tuple[dict[str, Any], float, int]] = LRUCache(
            VERIFIED_TOKENS_BYTES, getsizeof=lambda entry: entry[2]
        )

    async def close(self) -> None:
        await self.keys.close()

    async def authenticate(self, authorization: str | None, purpose: str | None) -> Caller | None:
        """The caller, or None without an Authorization header; `Unauthenticated` for a bad token."""
        if not authorization:
            return None
        scheme, _, token = authorization.strip().partition(" ")
        token = token.strip()
        if scheme.lower() != "bearer" or not token:
            raise Unauthenticated("send the token as 'Authorization: Bearer <token>'")
        if len(token) > self.config.max_token_bytes:
            raise Unauthenticated(f"the token is larger than {self.config.max_token_bytes} bytes")
        digest = hashlib.blake2b(token.encode(), digest_size=32).digest()
        cached = self._verified.get(digest)
        if cached is not None and cached[1] - self.config.clock_skew > time.time():
            claims = cached[0]
        else:
            claims = await self._verify(token)
            self._verified[digest] = (claims, float(claims["exp"]), 2 * len(token) + 512)
        return caller_from_claims(claims, purpose)

    async def _verify(self, token: str) -> dict[str, Any]:
        try:
            header = jwt.get_unverified_header(token)
            unverified = jwt.decode(token, options={"verify_signature": False})
        except jwt.PyJWTError:
            raise Unauthenticated("the token is not a well-formed JWT") from None
        algorithm = header.get("alg")
        if algorithm not in ACCEPTED_ALGORITHMS:
            raise Unauthenticated(f"the token's algorithm {algorithm!r} is not accepted (use RS256, ES256 or EdDSA)")
        issuer = self.issuers.get(str(unverified.get("iss")))
        if issuer is None:
            raise Unauthenticated("the token's issuer is not trusted by this gateway")
        if algorithm not in issuer.algorithms:
            raise Unauthenticated(f"the issuer does not sign with {algorithm}")
        key = await self.keys.key(issuer, header.get("kid"))
        return _decode(token, key, algorithm, issuer, self.config.clock_skew)


def _decode(token: str, key: jwt.PyJWK, algorithm: str, issuer: Issuer, leeway: float) -> dict[str, Any]:
    try:
        return jwt.decode(
            token,
            key.key,
            algorithms=[algorithm],
            audience=issuer.audience,
            issuer=issuer.issuer,
            leeway=leeway,
            options={"require": ["exp", "iat", "iss", "aud", "sub"]},
        )
    except jwt.ExpiredSignatureError:
        raise Unauthenticated("the token has expired") from None
    except jwt.ImmatureSignatureError:
        raise Unauthenticated("the token is not valid yet (nbf/iat in the future)") from None
    except jwt.InvalidAudienceError:
        raise Unauthenticated("the token is not meant for this gateway (aud)") from None
    except jwt.InvalidIssuerError:
        raise Unauthenticated("the token's issuer is not trusted by this gateway") from None
    except jwt.MissingRequiredClaimError as error:
        raise Unauthenticated(f"the token lacks the claim {error.claim!r}") from None
    except jwt.InvalidSignatureError:
        raise Unauthenticated("the token's signature does not verify") from None
    except jwt.PyJWTError:
        raise Unauthenticated("the token cannot be verified") from None


def caller_from_claims(claims: Mapping[str, Any], purpose: str | None) -> Caller:
    """The caller a verified token describes; refuses claims of the wrong shape."""
    try:
        return caller_of(claims, purpose, ROLES)
    except PurposeConflict as error:
        raise PurposeRefused(str(error)) from None
    except ClaimsError as error:
        raise Unauthenticated(str(error)) from None
