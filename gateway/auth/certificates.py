"""Callers identified by a client certificate, as VUM parties connect: mutual TLS with a PKIoverheid
certificate whose subject carries the organisation's OIN in `serialNumber`.

The certificate reaches a request in one of two ways (`auth.client_certificates`):
- TLS ends at the gateway: the handshake verified it against `ca_file` (a certificate of another
  CA never gets that far), and the gateway's HTTP protocol put it in the scope (`http/transport`);
- an ingress (HAProxy, nginx) ended TLS and forwards the certificate in a header. It is read only
  when the connection comes from a configured ingress address, and verified again here against
  `ca_file`, so a certificate of another CA, an expired one, or one forged into the header by
  anyone else is refused (401) in the standard's error model.
Who the OIN is, and what it may do, is the participant register's business (`participants.py`).
"""

from __future__ import annotations

import base64
import binascii
import datetime
import ipaddress
import re
import urllib.parse
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from cryptography import x509
from cryptography.hazmat.primitives import hashes
from cryptography.x509.oid import NameOID
from cryptography.x509.verification import (
    Criticality,
    ExtensionPolicy,
    PolicyBuilder,
    Store,
    VerificationError,
)

from ..config import ClientCertificateConfig
from .tokens import Unauthenticated

OIN = re.compile(r"^[0-9]{20}$")
MAX_FORWARDED_BYTES = 16 * 1024
MAX_VERIFIED = 1024  # forwarded certificates remembered as verified (bounded)
VERIFIED_BY_INGRESS = ("SUCCESS", "0")  # nginx $ssl_client_verify, HAProxy ssl_c_verify
PEM = re.compile(r"-----BEGIN CERTIFICATE-----(.+?)-----END CERTIFICATE-----", re.DOTALL)


@dataclass(frozen=True)
class ClientCertificate:
    """The organisation a verified client certificate names."""

    oin: str


def oin_of(certificate: x509.Certificate) -> str:
    """The OIN in the subject's serialNumber (where PKIoverheid puts it)."""
    numbers = [str(a.value) for a in certificate.subject.get_attributes_for_oid(NameOID.SERIAL_NUMBER)]
    if len(numbers) != 1 or not OIN.fullmatch(numbers[0]):
        raise Unauthenticated("the client certificate carries no OIN (20 digits) in its subject serialNumber")
    return numbers[0]


def read_forwarded(value: str) -> x509.Certificate:
    """A forwarded certificate: URL-encoded PEM (nginx `$ssl_client_escaped_cert`), PEM on one line
    or with tabs (`$ssl_client_cert`), or base64 DER (HAProxy `%[ssl_c_der,base64]`)."""
    text = urllib.parse.unquote(value) if "%" in value else value
    found = PEM.search(text)
    try:
        if found is not None:
            body = "".join(found.group(1).split())
            return x509.load_der_x509_certificate(base64.b64decode(body, validate=True))
        return x509.load_der_x509_certificate(base64.b64decode("".join(text.split()), validate=True))
    except (ValueError, binascii.Error):
        raise Unauthenticated("the forwarded client certificate cannot be read") from None


class ChainVerifier:
    """Verifies a certificate against the configured CAs (roots and intermediates are anchors)."""

    def __init__(self, cas: list[x509.Certificate]) -> None:
        self.store = Store(cas)
        # PKIoverheid organisation certificates need not name a host: no subjectAltName required
        self.ee_policy = ExtensionPolicy.webpki_defaults_ee().may_be_present(
            x509.SubjectAlternativeName, Criticality.AGNOSTIC, None
        )

    def verify(self, certificate: x509.Certificate) -> None:
        now = datetime.datetime.now(datetime.UTC)
        if certificate.not_valid_after_utc < now:
            raise Unauthenticated("the client certificate has expired")
        if certificate.not_valid_before_utc > now:
            raise Unauthenticated("the client certificate is not valid yet")
        verifier = (
            PolicyBuilder()
            .store(self.store)
            .time(now)
            .extension_policies(ca_policy=ExtensionPolicy.webpki_defaults_ca(), ee_policy=self.ee_policy)
            .build_client_verifier()
        )
        try:
            verifier.verify(certificate, [])
        except VerificationError:
            raise Unauthenticated(
                "the client certificate is not issued under a CA this gateway trusts (auth.client_certificates.ca_file)"
            ) from None


class ClientCertificates:
    """Finds and checks the client certificate of a request (None when it has none)."""

    def __init__(self, config: ClientCertificateConfig | None) -> None:
        self.config = config
        self.verifier: ChainVerifier | None = None
        if config is not None:
            self.verifier = ChainVerifier(x509.load_pem_x509_certificates(config.ca_file.read_bytes()))
        self._verified: dict[bytes, tuple[str, datetime.datetime]] = {}

    def of(self, scope: Mapping[str, Any]) -> ClientCertificate | None:
        """The request's client certificate; `Unauthenticated` for one that may not identify anyone."""
        if self.config is None:
            return None
        extensions = scope.get("extensions") or {}
        chain = (extensions.get("tls") or {}).get("client_cert_chain") or []
        if chain:  # verified in the handshake with the gateway
            return ClientCertificate(oin_of(x509.load_pem_x509_certificate(str(chain[0]).encode())))
        forwarded = _header(scope, self.config.forwarded_header)
        if forwarded is None:
            return None
        self._check_ingress(scope)
        return ClientCertificate(self._forwarded_oin(forwarded))

    def _check_ingress(self, scope: Mapping[str, Any]) -> None:
        assert self.config is not None
        peer = _peer(scope)
        try:
            address = ipaddress.ip_address(peer or "")
        except ValueError:
            address = None
        if address is None or not any(address in network for network in self.config.trusted_ingress):
            raise Unauthenticated(
                f"a client certificate in {self.config.forwarded_header} is accepted only from the configured "
                "ingress (auth.client_certificates.trusted_ingress)"
            )
        if self.config.verify_header is not None:
            verdict = _header(scope, self.config.verify_header)
            if verdict not in VERIFIED_BY_INGRESS:
                raise Unauthenticated(
                    f"the ingress did not verify the client certificate ({self.config.verify_header})"
                )

    def _forwarded_oin(self, value: str) -> str:
        if len(value) > MAX_FORWARDED_BYTES:
            raise Unauthenticated(f"the forwarded client certificate is larger than {MAX_FORWARDED_BYTES} bytes")
        certificate = read_forwarded(value)
        fingerprint = certificate.fingerprint(hashes.SHA256())
        known = self._verified.get(fingerprint)
        if known is not None and known[1] > datetime.datetime.now(datetime.UTC):
            return known[0]
        assert self.verifier is not None
        self.verifier.verify(certificate)
        oin = oin_of(certificate)
        if len(self._verified) >= MAX_VERIFIED:
            self._verified.clear()
        self._verified[fingerprint] = (oin, certificate.not_valid_after_utc)
        return oin


def _header(scope: Mapping[str, Any], name: str) -> str | None:
    wanted = name.lower().encode("latin-1")
    for key, value in scope.get("headers") or ():
        if key == wanted:
            return bytes(value).decode("latin-1").strip() or None
    return None


def _peer(scope: Mapping[str, Any]) -> str | None:
    """The TCP peer (set by the gateway's HTTP protocol), else the ASGI server's client address."""
    connection = (scope.get("extensions") or {}).get("vum.connection")
    if isinstance(connection, Mapping):
        return connection.get("peer")
    client = scope.get("client")
    return str(client[0]) if client else None
