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

from pydantic import BaseModel, ConfigDict, Field, StringConstraints, ValidationError, field_validator, model_validator
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


class AuthConfig(Strict):
    """Caller authentication, purposes, quota and the gateway's own signing key."""

    issuers: list[IssuerConfig] = Field(default_factory=list)
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
    """Every problem with the key it is about, on one line (a command prints it as its error)."""
    problems = []
    for problem in error.errors():
        key = ".".join(str(part) for part in problem["loc"]) or "(top level)"
        problems.append(f"{key}: {problem['msg']}")
    return "invalid configuration: " + "; ".join(problems)


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
