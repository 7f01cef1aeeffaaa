"""Gateway configuration: one TOML file plus environment overrides, validated at start.

Environment variables override the file with the prefix `VUM_` and `__` between levels, e.g.
`VUM_GATEWAY__PORT=4001` or `VUM_PSEUDONYM__KEY=...`. Errors name the bad key.
"""

from __future__ import annotations

import base64
import binascii
import os
import tomllib
from pathlib import Path
from typing import Annotated, Any, Literal

from cryptography import x509
from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    FilePath,
    IPvAnyNetwork,
    StringConstraints,
    ValidationError,
    field_validator,
    model_validator,
)
from pydantic_settings import BaseSettings, PydanticBaseSettingsSource, SettingsConfigDict
from sqlalchemy.engine import make_url
from sqlalchemy.exc import ArgumentError

ORGANISATION_KINDS = ("gemeente", "uwv", "reintegratiebureau", "uitzendbureau", "sociaal-ontwikkelbedrijf", "overig")
REFERENCE_KINDS = ("codelijsten",)

SourceId = Annotated[str, StringConstraints(pattern=r"^[a-z0-9][a-z0-9-]{0,62}$")]
Oin = Annotated[str, StringConstraints(pattern=r"^[0-9]{20}$")]


class ConfigError(ValueError):
    """The configuration is invalid; the message names every bad key."""


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class OrganisationConfig(Strict):
    """One connected organisation (or reference-data subgraph) in the registry."""

    id: SourceId = Field(description="bronID: stable identifier, lower-case letters, digits and dashes")
    name: str = Field(min_length=1, max_length=200)
    oin: Oin
    kind: Literal[ORGANISATION_KINDS + REFERENCE_KINDS]  # type: ignore[valid-type]
    url: Annotated[str, StringConstraints(pattern=r"^https?://[^\s]+$")]
    timeout: float = Field(default=5.0, gt=0, le=60, description="seconds before the source counts as timed out")
    enabled: bool = True

    @property
    def subgraph(self) -> str:
        """The contract view this source serves: `organisation` or the reference subgraph's name."""
        return self.kind if self.kind in REFERENCE_KINDS else "organisation"


def _read_certificates(path: Path) -> list[x509.Certificate]:
    try:
        certificates = x509.load_pem_x509_certificates(path.read_bytes())
    except (OSError, ValueError):
        raise ValueError(f"{path} holds no PEM certificate") from None
    return certificates


class TlsConfig(Strict):
    """HTTPS at the gateway itself. Leave it out when an ingress ends TLS in front of the gateway."""

    cert_file: FilePath = Field(description="the gateway's certificate (PEM), followed by its chain")
    key_file: FilePath = Field(description="the certificate's private key (PEM)")

    @field_validator("cert_file")
    @classmethod
    def _certificate(cls, value: Path) -> Path:
        _read_certificates(value)
        return value


class ServerConfig(Strict):
    host: str = "127.0.0.1"
    port: int = Field(default=4000, ge=1, le=65535)
    default_page_size: int = Field(default=20, ge=1, le=1000)
    max_page_size: int = Field(default=1000, ge=1, le=1000)
    max_request_bytes: int = Field(default=256 * 1024, ge=1024)
    max_query_tokens: int = Field(default=5000, ge=100)
    schema_check_interval: float = Field(default=30.0, gt=0, description="seconds between schema checks")
    plan_cache_size: int = Field(default=1000, ge=1)
    max_source_response_bytes: int = Field(default=32 * 1024 * 1024, ge=1024)
    graphiql: bool = True
    graphiql_assets: str = Field(default="https://unpkg.com", description="where the explorer loads GraphiQL from")
    graphiql_assets_dir: Path | None = Field(
        default=None, description="serve GraphiQL's files from here (offline), at /graphiql-assets"
    )
    tls: TlsConfig | None = Field(default=None, description="serve HTTPS (and accept client certificates)")


def _decode_key(value: str) -> bytes:
    try:
        key = base64.urlsafe_b64decode(value + "=" * (-len(value) % 4))
    except (binascii.Error, ValueError) as error:
        raise ValueError("must be base64 (url-safe)") from error
    if len(key) != 32:
        raise ValueError("must decode to 32 bytes (generate one with `vum-gateway keygen`)")
    return key


class PseudonymConfig(Strict):
    """Keys of the vumID pseudonyms: `key` encrypts, `previous_keys` still decrypt (rotation)."""

    key: str = Field(description="base64 of 32 random bytes")
    previous_keys: list[str] = Field(default_factory=list)

    @field_validator("key")
    @classmethod
    def _key(cls, value: str) -> str:
        _decode_key(value)
        return value

    @field_validator("previous_keys")
    @classmethod
    def _previous(cls, values: list[str]) -> list[str]:
        for value in values:
            _decode_key(value)
        return values

    def keys(self) -> list[bytes]:
        return [_decode_key(self.key), *(_decode_key(k) for k in self.previous_keys)]


Algorithm = Literal["RS256", "ES256", "EdDSA"]
ALGORITHMS: tuple[Algorithm, ...] = ("RS256", "ES256", "EdDSA")
DEFAULT_PURPOSES = ("arbeidsbemiddeling", "re-integratie", "werkgeversdienstverlening")


class IssuerConfig(Strict):
    """An identity provider whose tokens the gateway accepts."""

    issuer: str = Field(min_length=1, description="the `iss` claim")
    jwks_url: Annotated[str, StringConstraints(pattern=r"^https?://[^\s]+$")]
    audience: str = Field(default="vum-gateway", min_length=1, description="the `aud` claim the gateway expects")
    algorithms: list[Algorithm] = Field(default_factory=lambda: list(ALGORITHMS), min_length=1)


class DevIssuerConfig(Strict):
    """The demo's local issuer (`vum-gateway token`). Refused at start outside demo mode."""

    issuer: str = "urn:vum:demo-issuer"
    key_file: Path = Field(description="Ed25519 private key (PEM) the demo created")
    audience: str = "vum-gateway"


HeaderName = Annotated[str, StringConstraints(pattern=r"^[A-Za-z0-9-]{1,64}$")]


class ClientCertificateConfig(Strict):
    """Callers identified by a client certificate (mutual TLS, as VUM parties connect with their
    PKIoverheid certificate): the OIN in the subject's serialNumber names the participant.

    The certificate arrives either in the TLS handshake with the gateway (`gateway.tls`: client
    certificates are optional at the TLS layer and verified against `ca_file`), or from an ingress
    that ended TLS and forwards it in `forwarded_header`, accepted from `trusted_ingress` only
    and verified again here against `ca_file`.
    """

    ca_file: FilePath = Field(description="CAs (PEM) whose client certificates identify callers")
    trusted_ingress: list[IPvAnyNetwork] = Field(
        default_factory=list, description="addresses of the ingresses that may forward a client certificate"
    )
    forwarded_header: HeaderName = Field(
        default="X-SSL-Client-Cert", description="where an ingress forwards it: URL-encoded PEM or base64 DER"
    )
    verify_header: HeaderName | None = Field(
        default=None, description="optional: the ingress's own verdict, SUCCESS (nginx) or 0 (HAProxy) required"
    )

    @field_validator("ca_file")
    @classmethod
    def _certificates(cls, value: Path) -> Path:
        _read_certificates(value)
        return value


PARTICIPANT_ROLES = ("bemiddelaar", "werkgever", "beheerder")  # organisations; a job seeker is a person


class ParticipantConfig(Strict):
    """An organisation admitted to the exchange (the afsprakenstelsel decides who joins): what
    its client certificate entitles it to. The caller cannot assert any of this itself."""

    oin: Oin
    name: str = Field(min_length=1, max_length=200)
    rol: Literal[PARTICIPANT_ROLES] = "bemiddelaar"  # type: ignore[valid-type]
    suwi: bool = Field(default=False, description="a SUWI party: may see the special category (BIJZONDER)")
    scopes: list[str] = Field(default_factory=list)
    doelbinding: str | None = Field(default=None, description="the purpose when a request names none")
    verwerkers: list[Oin] = Field(
        default_factory=list, description="OINs of processors that may send for it (X-VUM-viaParty)"
    )

    @field_validator("scopes")
    @classmethod
    def _scopes(cls, values: list[str]) -> list[str]:
        from vumschema import load_contract

        unknown = sorted(set(values) - load_contract().scopes())
        if unknown:
            known = ", ".join(sorted(load_contract().scopes()))
            raise ValueError(f"unknown scope(s) {', '.join(unknown)}; known: {known}")
        return values


class AuthConfig(Strict):
    """Caller authentication, purposes, quota and the gateway's own signing key."""

    issuers: list[IssuerConfig] = Field(default_factory=list)
    client_certificates: ClientCertificateConfig | None = None
    participants: list[ParticipantConfig] = Field(default_factory=list, description="the participant register")
    dev_issuer: DevIssuerConfig | None = None
    clock_skew: float = Field(default=30.0, ge=0, le=300, description="seconds of leeway on exp/nbf/iat")
    max_token_bytes: int = Field(default=8192, ge=256)
    jwks_cache_seconds: float = Field(default=600.0, gt=0)
    purposes: list[str] = Field(default_factory=lambda: list(DEFAULT_PURPOSES), min_length=1)
    reject_unauthorized_operations: bool = False
    detail_quota: int = Field(default=10, ge=1, description="detail profiles per vraagID")
    quota_redis_url: str | None = Field(default=None, description="redis://… to share quota across replicas")
    signing_key_file: Path | None = Field(default=None, description="Ed25519 PEM; ephemeral when absent")
    gateway_issuer: str = "urn:vum:gateway"
    gateway_oin: Oin = "00000000000000000000"
    subgraph_token_seconds: int = Field(default=120, ge=10, le=3600)

    @model_validator(mode="after")
    def _register(self) -> AuthConfig:
        oins = [p.oin for p in self.participants]
        duplicates = sorted({oin for oin in oins if oins.count(oin) > 1})
        if duplicates:
            raise ValueError(f"participants: OIN(s) registered twice: {', '.join(duplicates)}")
        for index, participant in enumerate(self.participants):
            if participant.doelbinding is not None and participant.doelbinding not in self.purposes:
                raise ValueError(
                    f"participants.{index}.doelbinding: {participant.doelbinding!r} is not one of auth.purposes"
                )
        return self


class ProcessingLogConfig(Strict):
    """Where every disclosure is logged (AVG): SQLite by default, PostgreSQL by DSN."""

    dsn: str = "sqlite:///var/vum-verwerkingen.sqlite"
    retention_days: int = Field(default=730, ge=1)

    @field_validator("dsn")
    @classmethod
    def _dsn(cls, value: str) -> str:
        try:
            backend = make_url(value).get_backend_name()
        except ArgumentError:
            raise ValueError("not a database URL, e.g. postgresql+psycopg://user@host/db or sqlite:///file") from None
        if backend not in ("sqlite", "postgresql"):
            raise ValueError(f"the processing log runs on SQLite or PostgreSQL, not {backend}")
        return value


class GatewayConfig(BaseSettings):
    """The whole configuration file."""

    model_config = SettingsConfigDict(env_prefix="VUM_", env_nested_delimiter="__", extra="forbid", frozen=True)

    gateway: ServerConfig = ServerConfig()
    pseudonym: PseudonymConfig
    auth: AuthConfig = AuthConfig()
    processing_log: ProcessingLogConfig = ProcessingLogConfig()
    organisations: list[OrganisationConfig] = Field(default_factory=list)

    @model_validator(mode="after")
    def _unique(self) -> GatewayConfig:
        ids = [o.id for o in self.organisations]
        duplicates = sorted({i for i in ids if ids.count(i) > 1})
        if duplicates:
            raise ValueError(f"duplicate organisation id(s): {', '.join(duplicates)}")
        if sum(1 for o in self.organisations if o.kind in REFERENCE_KINDS and o.enabled) > 1:
            raise ValueError("at most one enabled codelijsten subgraph")
        return self

    @classmethod
    def settings_customise_sources(
        cls,
        settings_cls: type[BaseSettings],
        init_settings: PydanticBaseSettingsSource,
        env_settings: PydanticBaseSettingsSource,
        dotenv_settings: PydanticBaseSettingsSource,
        file_secret_settings: PydanticBaseSettingsSource,
    ) -> tuple[PydanticBaseSettingsSource, ...]:
        return (env_settings, init_settings)

    @property
    def sources(self) -> list[OrganisationConfig]:
        return list(self.organisations)


def _describe(error: ValidationError) -> str:
    lines = []
    for problem in error.errors():
        key = ".".join(str(part) for part in problem["loc"]) or "(top level)"
        lines.append(f"  {key}: {problem['msg']}")
    return "invalid configuration:\n" + "\n".join(lines)


def parse_config(data: dict[str, Any]) -> GatewayConfig:
    try:
        return GatewayConfig(**data)
    except ValidationError as error:
        raise ConfigError(_describe(error)) from None


def load_config(path: Path) -> GatewayConfig:
    """Read and validate the TOML file, with environment overrides applied."""
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except OSError as error:
        raise ConfigError(f"cannot read {path}: {error.strerror}") from None
    except tomllib.TOMLDecodeError as error:
        raise ConfigError(f"{path}: not valid TOML: {error}") from None
    return parse_config(data)


def config_path(explicit: str | None) -> Path:
    return Path(explicit or os.environ.get("VUM_CONFIG", "gateway.toml"))


def new_key() -> str:
    """A fresh pseudonym key, as the config expects it."""
    return base64.urlsafe_b64encode(os.urandom(32)).decode().rstrip("=")
