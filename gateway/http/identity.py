"""Who is asking: the caller of a bearer token, or the participant a client certificate names.

A bearer token wins when a request carries one (GraphQL clients, search screens); otherwise a
client certificate (mutual TLS, as VUM parties connect) identifies the participant in the
register. Both fronts ask here, so a caller is the same caller in GraphQL and REST.
"""

from __future__ import annotations

from starlette.requests import Request

from vumschema.policy import Caller

from ..server import Gateway

PURPOSE_HEADER = "X-VUM-Doelbinding"


async def identify(
    gateway: Gateway, request: Request, *, from_party: str | None = None, via_party: str | None = None
) -> Caller | None:
    """The request's caller, None without a token or a certificate; `Unauthenticated` for one
    that does not identify anyone. `from_party`/`via_party`: the X-VUM parties (REST facade)."""
    purpose = request.headers.get(PURPOSE_HEADER)
    authorization = request.headers.get("authorization")
    if authorization:
        return await gateway.authenticator.authenticate(authorization, purpose)
    certificate = gateway.certificates.of(request.scope)
    if certificate is None:
        return None
    return gateway.participants.caller(certificate, from_party=from_party, via_party=via_party, purpose=purpose)
