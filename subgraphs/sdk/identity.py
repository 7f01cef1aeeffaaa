"""Who is asking a subgraph: only the gateway, speaking for a caller, with a token it signed.

Every request must carry `Authorization: Bearer <token>` signed by the gateway's key (its JWKS at
`/.well-known/jwks.json`), with audience = this organisation's OIN. A direct call without it,
with a caller's own token, or with a forged one is refused with 401. Keys are fetched without
blocking, cached, and fetched again for an unknown key id (rotation); verified tokens are cached
until they expire.
"""

from __future__ import annotations

import asyncio
import logging
import ssl
import time
from collections.abc import Awaitable, Callable, MutableMapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import aiohttp
import jwt
from starlette.requests import Request
from starlette.responses import JSONResponse, Response

from vumschema.policy import GATEWAY_ROLE, ROLES, Caller, ClaimsError, caller_of

log = logging.getLogger("vum.subgraph.identity")

ALGORITHMS = ["EdDSA", "ES256", "RS256"]
REFRESH_INTERVAL = 30.0  # between fetches for an unknown key id (rotation)
RETRY_INTERVAL = 1.0  # after a failed fetch (the gateway may be starting)
CLOCK_SKEW = 30


class NotTheGateway(Exception):
    """The request does not carry a valid gateway token."""


@dataclass(frozen=True)
class GatewayTrust:
    """Which gateway a subgraph accepts: its JWKS, its issuer name, and this organisation's OIN."""

    jwks_url: str
    audience: str  # this organisation's OIN
    issuer: str = "urn:vum:gateway"
    ca_file: Path | None = None  # CAs of the gateway's HTTPS certificate, when not the system's

    def session(self) -> aiohttp.ClientSession:
        """A client session for the gateway's key URL (trusting `ca_file` when given)."""
        timeout = aiohttp.ClientTimeout(total=5)
        if self.ca_file is None:
            return aiohttp.ClientSession(timeout=timeout)
        context = ssl.create_default_context(cafile=str(self.ca_file))
        return aiohttp.ClientSession(timeout=timeout, connector=aiohttp.TCPConnector(ssl=context))


class GatewayTokenVerifier:
    """Verifies gateway tokens; the caller they carry becomes `request.state.caller`."""

    def __init__(self, trust: GatewayTrust) -> None:
        self.trust = trust
        self._keys: dict[str, jwt.PyJWK] = {}
        self._fetched = 0.0
        self._lock = asyncio.Lock()
        self._verified: dict[str, tuple[Caller, float]] = {}
        self._session: aiohttp.ClientSession | None = None

    async def close(self) -> None:
        if self._session is not None:
            await self._session.close()

    async def caller(self, authorization: str | None) -> Caller:
        scheme, _, token = (authorization or "").strip().partition(" ")
        if scheme.lower() != "bearer" or not token.strip():
            raise NotTheGateway("this subgraph answers the VUM gateway only: a gateway token is required")
        token = token.strip()
        cached = self._verified.get(token)
        if cached is not None and cached[1] > time.time():
            return cached[0]
        claims = await self._verify(token)
        try:
            caller = caller_of(claims, None, (*ROLES, GATEWAY_ROLE))
        except ClaimsError as error:
            raise NotTheGateway(str(error)) from None
        if len(self._verified) > 10_000:
            self._verified.clear()
        self._verified[token] = (caller, float(claims["exp"]))
        return caller

    async def _verify(self, token: str) -> dict[str, Any]:
        try:
            kid = jwt.get_unverified_header(token).get("kid")
        except jwt.PyJWTError:
            raise NotTheGateway("the token is not a well-formed JWT") from None
        key = await self._key(kid)
        try:
            return jwt.decode(
                token,
                key.key,
                algorithms=ALGORITHMS,
                audience=self.trust.audience,
                issuer=self.trust.issuer,
                leeway=CLOCK_SKEW,
                options={"require": ["exp", "iat", "iss", "aud", "sub"]},
            )
        except jwt.PyJWTError as error:
            raise NotTheGateway(
                f"the token is not the gateway's for this organisation ({type(error).__name__})"
            ) from None

    async def _key(self, kid: str | None) -> jwt.PyJWK:
        wait = REFRESH_INTERVAL if self._keys else RETRY_INTERVAL
        if kid not in self._keys and time.monotonic() - self._fetched > wait:
            await self._refresh()
        if kid not in self._keys:
            raise NotTheGateway("the token is not signed by the gateway's key")
        return self._keys[str(kid)]

    async def _refresh(self) -> None:
        async with self._lock:
            if time.monotonic() - self._fetched <= RETRY_INTERVAL:
                return
            if self._session is None:
                self._session = self.trust.session()
            try:
                async with self._session.get(self.trust.jwks_url) as response:
                    document = await response.json(content_type=None)
                self._keys = {k.key_id: k for k in jwt.PyJWKSet.from_dict(document).keys if k.key_id}
            except (aiohttp.ClientError, TimeoutError, ValueError, jwt.PyJWKSetError):
                log.warning("the gateway's keys cannot be fetched from %s", self.trust.jwks_url)
            self._fetched = time.monotonic()


Asgi = Callable[[MutableMapping[str, Any], Any, Any], Awaitable[None]]


class GatewayOnly:
    """ASGI middleware: every request to `/graphql` must come from the gateway."""

    def __init__(self, app: Asgi, verifier: GatewayTokenVerifier | None, anonymous: Caller | None = None) -> None:
        self.app = app
        self.verifier = verifier
        self.anonymous = anonymous  # benchmarks only: calls without a token act as this caller

    async def __call__(self, scope: MutableMapping[str, Any], receive: Any, send: Any) -> None:
        if scope["type"] != "http" or not scope["path"].startswith("/graphql"):
            await self.app(scope, receive, send)
            return
        authorization = Request(scope).headers.get("authorization")
        try:
            caller = await self._caller(authorization)
        except NotTheGateway as error:
            response: Response = JSONResponse(
                {"errors": [{"message": str(error), "extensions": {"code": "UNAUTHENTICATED"}}]},
                status_code=401,
                headers={"WWW-Authenticate": 'Bearer realm="vum-subgraph"'},
            )
            await response(scope, receive, send)
            return
        scope.setdefault("state", {})["caller"] = caller
        await self.app(scope, receive, send)

    async def _caller(self, authorization: str | None) -> Caller:
        if self.verifier is None or (authorization is None and self.anonymous is not None):
            if self.anonymous is None:
                raise NotTheGateway("this subgraph trusts no gateway (configure its JWKS)")
            return self.anonymous
        return await self.verifier.caller(authorization)
