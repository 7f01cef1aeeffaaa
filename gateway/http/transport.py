"""What the connection knows and a request needs: the peer's address and its TLS client certificate.

Uvicorn does not put the client certificate of a TLS connection in the ASGI scope, and its proxy
header handling may rewrite `scope["client"]` from `X-Forwarded-For`. The gateway's HTTP
protocols add, per connection, before any middleware runs:

- `scope["extensions"]["tls"]`: the ASGI TLS extension, with `client_cert_chain` holding the
  certificate the client presented (PEM), verified in the handshake against the configured CAs;
- `scope["extensions"]["vum.connection"]`: `{"peer": address}`, the TCP peer itself, which is
  what may be a trusted ingress (never a forwarded header).

`server_options` gives uvicorn these protocols and, with `gateway.tls`, HTTPS that asks for a
client certificate without requiring one (`/health` works without).
"""

from __future__ import annotations

import asyncio
import ssl
from typing import Any

from uvicorn.protocols.http.h11_impl import H11Protocol

from ..config import GatewayConfig

TLS = "tls"
CONNECTION = "vum.connection"

Extensions = dict[str, dict[str, Any]]


def connection_extensions(transport: asyncio.BaseTransport) -> Extensions:
    """The scope extensions of every request on this connection."""
    peer = transport.get_extra_info("peername")
    extensions: Extensions = {CONNECTION: {"peer": str(peer[0]) if isinstance(peer, tuple | list) and peer else None}}
    ssl_object = transport.get_extra_info("ssl_object")
    if isinstance(ssl_object, ssl.SSLObject | ssl.SSLSocket):
        der = ssl_object.getpeercert(binary_form=True)
        extensions[TLS] = {
            "server_cert": None,
            "client_cert_chain": [ssl.DER_cert_to_PEM_cert(der)] if der else [],
            "client_cert_name": None,
            "client_cert_error": None,  # a certificate that fails verification ends the handshake
            "tls_version": None,
            "cipher_suite": None,
        }
    return extensions


class _ConnectionInfo:
    """Mixin for uvicorn's HTTP protocols: wraps the app once per connection to add the extensions."""

    app: Any

    def _remember_connection(self, transport: asyncio.BaseTransport) -> None:
        extensions = connection_extensions(transport)
        app = self.app

        async def with_connection(scope: dict[str, Any], receive: Any, send: Any) -> None:
            if scope["type"] == "http":
                scope["extensions"] = {**(scope.get("extensions") or {}), **extensions}
            await app(scope, receive, send)

        self.app = with_connection


class H11ConnectionProtocol(_ConnectionInfo, H11Protocol):
    def connection_made(self, transport: asyncio.Transport) -> None:  # type: ignore[override]
        super().connection_made(transport)
        self._remember_connection(transport)


def _protocol() -> type[asyncio.Protocol]:
    """httptools when installed (uvicorn's own choice), h11 otherwise."""
    try:
        from uvicorn.protocols.http.httptools_impl import HttpToolsProtocol
    except ImportError:  # pragma: no cover - uvicorn without its [standard] extras
        return H11ConnectionProtocol

    class HttpToolsConnectionProtocol(_ConnectionInfo, HttpToolsProtocol):
        def connection_made(self, transport: asyncio.Transport) -> None:  # type: ignore[override]
            super().connection_made(transport)
            self._remember_connection(transport)

    return HttpToolsConnectionProtocol


HTTP_PROTOCOL = _protocol()


def server_options(config: GatewayConfig) -> dict[str, Any]:
    """uvicorn.Config options: the gateway's HTTP protocol, and HTTPS when `gateway.tls` is set
    (client certificates optional at the TLS layer, verified against `auth.client_certificates`)."""
    options: dict[str, Any] = {"http": HTTP_PROTOCOL}
    tls = config.gateway.tls
    if tls is not None:
        options |= {"ssl_certfile": str(tls.cert_file), "ssl_keyfile": str(tls.key_file)}
        certificates = config.auth.client_certificates
        if certificates is not None:
            options |= {"ssl_cert_reqs": ssl.CERT_OPTIONAL, "ssl_ca_certs": str(certificates.ca_file)}
    return options
