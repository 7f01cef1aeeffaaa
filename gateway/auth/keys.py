"""Ed25519 keys as PEM files and JWKs (the gateway's signing key and the demo issuer's)."""

from __future__ import annotations

import hashlib
import json
import os
from pathlib import Path
from typing import Any

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey
from jwt.algorithms import OKPAlgorithm


class KeyFileError(ValueError):
    """A key file cannot be read or is not an Ed25519 private key."""


def new_private_key() -> Ed25519PrivateKey:
    return Ed25519PrivateKey.generate()


def write_private_key(key: Ed25519PrivateKey, path: Path, *, overwrite: bool = True) -> None:
    """PEM, readable by its owner only from the moment it exists."""
    pem = key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption())
    flags = os.O_WRONLY | os.O_CREAT | (os.O_TRUNC if overwrite else os.O_EXCL)
    descriptor = os.open(path, flags, 0o600)
    os.fchmod(descriptor, 0o600)  # an existing file keeps its mode otherwise
    with os.fdopen(descriptor, "wb") as file:
        file.write(pem)


def read_private_key(path: Path) -> Ed25519PrivateKey:
    try:
        key = serialization.load_pem_private_key(path.read_bytes(), password=None)
    except OSError as error:
        raise KeyFileError(f"cannot read key {path}: {error.strerror}") from None
    except ValueError:
        raise KeyFileError(f"{path} is not a PEM private key") from None
    if not isinstance(key, Ed25519PrivateKey):
        raise KeyFileError(f"{path} must hold an Ed25519 key")
    return key


def public_jwk(key: Ed25519PublicKey) -> dict[str, Any]:
    """The public key as a JWK with a stable key id (its SHA-256 thumbprint)."""
    jwk: dict[str, Any] = json.loads(OKPAlgorithm.to_jwk(key))
    thumbprint = json.dumps(
        {"crv": jwk["crv"], "kty": jwk["kty"], "x": jwk["x"]}, separators=(",", ":"), sort_keys=True
    )
    jwk.update(kid=hashlib.sha256(thumbprint.encode()).hexdigest()[:16], alg="EdDSA", use="sig")
    return jwk
