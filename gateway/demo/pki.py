"""A test PKI for `vum-gateway demo --tls`: a CA made on the spot, never a real key.

It issues the gateway's server certificate (localhost, 127.0.0.1) and a client certificate in the
shape PKIoverheid gives a VUM party: the organisation's OIN in the subject's serialNumber. The
demo's client is the accreditation environment's own party, so the official collection runs
against the demo unchanged. The files are kept in `<workdir>/tls/` and made again when one is
missing or about to expire.
"""

from __future__ import annotations

import datetime
import ipaddress
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID

ACCREDITATIE_OIN = "00000001810207357000"  # the accreditation environment's party (its collection's OIN)
VALIDITY = datetime.timedelta(days=30)
RENEW_BEFORE = datetime.timedelta(days=1)

Key = ec.EllipticCurvePrivateKey


@dataclass(frozen=True)
class Issued:
    certificate: x509.Certificate
    key: Key


def _now() -> datetime.datetime:
    return datetime.datetime.now(datetime.UTC)


def _builder(subject: x509.Name, issuer: x509.Name, key: Key, lifetime: datetime.timedelta) -> x509.CertificateBuilder:
    now = _now()
    return (
        x509.CertificateBuilder()
        .subject_name(subject)
        .issuer_name(issuer)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - datetime.timedelta(minutes=5))
        .not_valid_after(now + lifetime)
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(key.public_key()), critical=False)
    )


def _usage(*, certificates: bool) -> x509.KeyUsage:
    return x509.KeyUsage(
        digital_signature=True,
        content_commitment=False,
        key_encipherment=False,
        data_encipherment=False,
        key_agreement=not certificates,
        key_cert_sign=certificates,
        crl_sign=certificates,
        encipher_only=False,
        decipher_only=False,
    )


def new_ca(name: str, lifetime: datetime.timedelta = VALIDITY) -> Issued:
    """A self-signed test CA."""
    key = ec.generate_private_key(ec.SECP256R1())
    subject = x509.Name(
        [x509.NameAttribute(NameOID.ORGANIZATION_NAME, name), x509.NameAttribute(NameOID.COMMON_NAME, name)]
    )
    certificate = (
        _builder(subject, subject, key, lifetime)
        .add_extension(x509.BasicConstraints(ca=True, path_length=0), critical=True)
        .add_extension(_usage(certificates=True), critical=True)
        .sign(key, hashes.SHA256())
    )
    return Issued(certificate, key)


def _leaf(
    ca: Issued,
    subject: x509.Name,
    usage: x509.ObjectIdentifier,
    lifetime: datetime.timedelta,
    names: list[x509.GeneralName] | None = None,
) -> Issued:
    key = ec.generate_private_key(ec.SECP256R1())
    builder = (
        _builder(subject, ca.certificate.subject, key, lifetime)
        .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
        .add_extension(_usage(certificates=False), critical=True)
        .add_extension(x509.ExtendedKeyUsage([usage]), critical=False)
        .add_extension(x509.AuthorityKeyIdentifier.from_issuer_public_key(ca.key.public_key()), critical=False)
    )
    if names:
        builder = builder.add_extension(x509.SubjectAlternativeName(names), critical=False)
    return Issued(builder.sign(ca.key, hashes.SHA256()), key)


def server_certificate(ca: Issued, lifetime: datetime.timedelta = VALIDITY) -> Issued:
    """The gateway's certificate for localhost and 127.0.0.1."""
    subject = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "localhost")])
    names = [x509.DNSName("localhost"), x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]
    return _leaf(ca, subject, ExtendedKeyUsageOID.SERVER_AUTH, lifetime, names)


def client_certificate(
    ca: Issued, oin: str | None, organisation: str, lifetime: datetime.timedelta = VALIDITY
) -> Issued:
    """A client certificate as PKIoverheid issues one to an organisation: its OIN in serialNumber
    (None: a certificate without one, for tests)."""
    attributes = [
        x509.NameAttribute(NameOID.COUNTRY_NAME, "NL"),
        x509.NameAttribute(NameOID.ORGANIZATION_NAME, organisation),
        *([x509.NameAttribute(NameOID.SERIAL_NUMBER, oin)] if oin else []),
        x509.NameAttribute(NameOID.COMMON_NAME, f"{organisation} (VUM)"),
    ]
    subject = x509.Name(attributes)
    return _leaf(ca, subject, ExtendedKeyUsageOID.CLIENT_AUTH, lifetime)


def pem(certificate: x509.Certificate) -> bytes:
    return certificate.public_bytes(serialization.Encoding.PEM)


def key_pem(key: Key) -> bytes:
    return key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    )


def write_issued(issued: Issued, certificate_file: Path, key_file: Path) -> None:
    certificate_file.write_bytes(pem(issued.certificate))
    key_file.touch(mode=0o600)
    key_file.chmod(0o600)
    key_file.write_bytes(key_pem(issued.key))


@dataclass(frozen=True)
class DemoPki:
    """The demo's TLS files in `directory`."""

    directory: Path

    @property
    def ca(self) -> Path:
        return self.directory / "ca.pem"

    @property
    def server(self) -> Path:
        return self.directory / "gateway.pem"

    @property
    def server_key(self) -> Path:
        return self.directory / "gateway-key.pem"

    @property
    def client(self) -> Path:
        return self.directory / "client.pem"

    @property
    def client_key(self) -> Path:
        return self.directory / "client-key.pem"

    def files(self) -> tuple[Path, ...]:
        return (self.ca, self.server, self.server_key, self.client, self.client_key)

    def current(self) -> bool:
        """Every file is there and no certificate expires within a day."""
        if not all(path.is_file() for path in self.files()):
            return False
        deadline = _now() + RENEW_BEFORE
        try:
            certificates = [
                x509.load_pem_x509_certificate(path.read_bytes()) for path in (self.ca, self.server, self.client)
            ]
        except ValueError:
            return False
        return all(c.not_valid_after_utc > deadline for c in certificates)


def ensure_demo_pki(directory: Path, client_oin: str = ACCREDITATIE_OIN) -> DemoPki:
    """The demo's CA, server and client certificates, made when missing or about to expire.
    The CA's key is not kept: a new set replaces the whole PKI."""
    pki = DemoPki(directory)
    if pki.current():
        return pki
    directory.mkdir(parents=True, exist_ok=True)
    ca = new_ca("VUM gateway demo CA (test only)")
    pki.ca.write_bytes(pem(ca.certificate))
    write_issued(server_certificate(ca), pki.server, pki.server_key)
    write_issued(client_certificate(ca, client_oin, "VUM accreditatieomgeving"), pki.client, pki.client_key)
    return pki


def demo_participant(client_oin: str = ACCREDITATIE_OIN) -> dict[str, Any]:
    """The demo client's entry in the participant register: a SUWI mediator with every scope."""
    from vumschema import load_contract

    return {
        "oin": client_oin,
        "name": "VUM accreditatieomgeving (demo client)",
        "rol": "bemiddelaar",
        "suwi": True,
        "scopes": sorted(load_contract().scopes()),
        "doelbinding": "arbeidsbemiddeling",
    }


def tls_settings(pki: DemoPki) -> tuple[dict[str, Any], dict[str, Any]]:
    """The gateway's `gateway.tls` and the `auth` settings for client certificates of the demo CA."""
    server = {"cert_file": str(pki.server), "key_file": str(pki.server_key)}
    auth = {"client_certificates": {"ca_file": str(pki.ca)}, "participants": [demo_participant()]}
    return server, auth
