"""Gateway configuration: one TOML file plus environment overrides, validated at start.

Environment variables override the file with the prefix `VUM_` and `__` between levels, e.g.
`VUM_GATEWAY__PORT=4001` or `VUM_PSEUDONYM__KEY=...`. Errors name the bad key.

Secrets can also be read from files (`key_file`, `dsn_file`, `quota_redis_url_file`), as an
orchestrator mounts them: a secret in a file does not show in the process environment, in
`/proc/<pid>/environ` or in a crash report of the environment.
"""

from __future__ import annotations

import base64
import binascii
import os
import tomllib
from pathlib import Path
from typing import Annotated, Any, Literal
from urllib.parse import urlsplit

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


MAX_SECRET_BYTES = 64 * 1024


class ConfigError(ValueError):
    """The configuration is invalid; the message names every bad key."""


def read_secret_file(path: Path, key: str) -> str:
    """The secret in `path` (a mounted Kubernetes or compose secret), without surrounding whitespace."""
    try:
        with path.open("rb") as handle:
            content = handle.read(MAX_SECRET_BYTES + 1)
    except OSError as error:
        raise ValueError(f"{key}: cannot read {path}: {error.strerror}") from None
    if len(content) > MAX_SECRET_BYTES:
        raise ValueError(f"{key}: {path} is larger than {MAX_SECRET_BYTES} bytes; is it the right file?")
    try:
        secret = content.decode("utf-8").strip()
    except UnicodeDecodeError:
        raise ValueError(f"{key}: {path} is not UTF-8 text") from None
    if not secret:
        raise ValueError(f"{key}: {path} is empty")
    return secret


def secrets_from_files(data: Any, *names: str) -> Any:
    """For each `name`, read `name_file` into `name`; giving both is an error (which one wins?)."""
    if not isinstance(data, dict):
        return data
    resolved = dict(data)
    for name in names:
        file_key = f"{name}_file"
        if resolved.get(file_key) is None:
            continue
        if resolved.get(name) is not None:
            raise ValueError(f"give {name} or {file_key}, not both")
        resolved[name] = read_secret_file(Path(resolved[file_key]), file_key)
    return resolved


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


class ExtensionConfig(Strict):
    """An extension subgraph: adds fields to the VUM graph through `@key` (federation engine only).

    Its schema is read from `schema` (its SDL, as it serves it at `_service { sdl }`) and composed
    in at start; the gateway calls it at `url` with a token for `oin`, as any subgraph."""

    name: SourceId = Field(description="the subgraph's name in the supergraph")
    url: Annotated[str, StringConstraints(pattern=r"^https?://[^\s]+$")]
    oin: Oin
    schema_file: FilePath = Field(description="the subgraph's SDL (Apollo Federation 2)")
    timeout: float = Field(default=5.0, gt=0, le=60, description="seconds before its fields stay null")


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


class LimitsConfig(Strict):
    """What one GraphQL document may ask, measured before it is validated or planned
    (`gateway/limits.py`), and how many subgraph requests one operation may cause."""

    max_tokens: int = Field(default=5000, ge=100, description="lexical tokens (comments excluded)")
    max_depth: int = Field(default=24, ge=1, description="levels of nested fields")
    max_height: int = Field(default=1000, ge=1, description="fields, with every fragment spread inlined")
    max_aliases: int = Field(default=30, ge=0)
    max_root_fields: int = Field(default=10, ge=1, description="fields at the top of an operation")
    max_directives: int = Field(default=50, ge=0)
    max_repeated_fields: int = Field(default=100, ge=0, description="fields repeating a key of their selection set")
    max_subgraph_calls: int = Field(default=500, ge=1, description="subgraph requests one operation may cause")


class RateLimitConfig(Strict):
    """Requests per caller (organisation OIN and subject; by address without a token), as a token
    bucket: `burst` at once, refilled at `requests_per_second`. Redis shares it across replicas."""

    enabled: bool = True
    requests_per_second: float = Field(default=20.0, gt=0)
    burst: int = Field(default=100, ge=1)
    redis_url: Annotated[str, StringConstraints(pattern=r"^rediss?://[^\s]+$")] | None = Field(
        default=None, description="redis://… to share the buckets across replicas"
    )
    max_callers: int = Field(default=100_000, ge=100, description="buckets kept in memory (least recent dropped)")


VUM_ENGINE = "vum"
FEDERATION_ENGINE = "federation"
ENGINES = (VUM_ENGINE, FEDERATION_ENGINE)
RESERVED_SUBGRAPHS = frozenset({"organisatie", "codelijsten", "gateway"})  # the VUM supergraph's own


class ServerConfig(Strict):
    host: str = "127.0.0.1"
    port: int = Field(default=4000, ge=1, le=65535)
    default_page_size: int = Field(default=20, ge=1, le=1000)
    max_page_size: int = Field(default=1000, ge=1, le=1000)
    max_request_bytes: int = Field(default=256 * 1024, ge=1024)
    limits: LimitsConfig = LimitsConfig()
    rate_limit: RateLimitConfig = RateLimitConfig()
    schema_check_interval: float = Field(default=30.0, gt=0, description="seconds between schema checks")
    shutdown_delay: float = Field(
        default=0.0, ge=0, le=300, description="seconds /ready answers 503 after SIGTERM before the gateway stops"
    )
    plan_cache_size: int = Field(default=1000, ge=1, description="plans kept (also bounded by plan_cache_bytes)")
    plan_cache_bytes: int = Field(
        default=64 * 1024 * 1024, ge=1024 * 1024, description="estimated memory of kept plans"
    )
    search_cache_entries: int = Field(
        default=1000, ge=1, description="searches whose ordered keys are kept for their next pages (federation engine)"
    )
    search_cache_bytes: int = Field(
        default=256 * 1024 * 1024, ge=1024 * 1024, description="memory of the kept key lists, at most"
    )
    search_cache_seconds: float = Field(
        default=600.0, gt=0, le=86400, description="how long a search's key list is kept after its first page"
    )
    search_cache_redis_url: str | None = Field(
        default=None, description="redis://… to share the key lists across replicas (sealed)"
    )
    search_cache_redis_url_file: Path | None = Field(
        default=None, description="a file holding `search_cache_redis_url`"
    )
    max_source_response_bytes: int = Field(default=32 * 1024 * 1024, ge=1024)
    source_connections: int | None = Field(
        default=None, ge=10, le=10_000, description="connections to sources in all; default max(100, 2 × sources)"
    )
    source_concurrency: int = Field(
        default=16, ge=1, le=1000, description="requests in flight to one source; more wait, within its timeout"
    )
    graphiql: bool = Field(default=True, description="serve the explorer (GraphiQL) to browsers at /graphql")
    tls: TlsConfig | None = Field(default=None, description="serve HTTPS (and accept client certificates)")
    engine: str = Field(
        default=FEDERATION_ENGINE,
        description="what answers operations: 'federation' (the federation runtime, gateway/vum; the default) "
        "or 'vum' (the bespoke engine, gateway/plan + gateway/execute; no extension subgraphs)",
    )

    @model_validator(mode="before")
    @classmethod
    def _from_files(cls, data: Any) -> Any:
        return secrets_from_files(data, "search_cache_redis_url")

    @field_validator("search_cache_redis_url")
    @classmethod
    def _search_cache_redis_url(cls, value: str | None) -> str | None:
        if value is not None and urlsplit(value).scheme not in ("redis", "rediss", "unix"):
            raise ValueError("a Redis URL: redis://host:6379/0, rediss://… (TLS) or unix:///path")
        return value

    @field_validator("engine")
    @classmethod
    def _known_engine(cls, value: str) -> str:
        if value not in ENGINES:
            raise ValueError(f"{value!r} is not an engine; use one of {', '.join(repr(e) for e in ENGINES)}")
        return value


def _decode_key(value: str) -> bytes:
    try:
        key = base64.urlsafe_b64decode(value + "=" * (-len(value) % 4))
    except (binascii.Error, ValueError) as error:
        raise ValueError("must be base64 (url-safe)") from error
    if len(key) != 32:
        raise ValueError("must decode to 32 bytes (generate one with `vum-gateway keygen`)")
    return key


class PseudonymConfig(Strict):
    """Keys of the vumID pseudonyms: `key` encrypts, `previous_keys` still decrypt (rotation).

    From files: `key_file` holds the key, `previous_keys_file` one previous key per line."""

    key: str = Field(description="base64 of 32 random bytes")
    key_file: Path | None = Field(default=None, description="a file holding `key` (a mounted secret)")
    previous_keys: list[str] = Field(default_factory=list)
    previous_keys_file: Path | None = Field(default=None, description="a file with one previous key per line")

    @model_validator(mode="before")
    @classmethod
    def _from_files(cls, data: Any) -> Any:
        data = secrets_from_files(data, "key")
        if isinstance(data, dict) and data.get("previous_keys_file") is not None:
            if data.get("previous_keys"):
                raise ValueError("give previous_keys or previous_keys_file, not both")
            text = read_secret_file(Path(data["previous_keys_file"]), "previous_keys_file")
            data = {**data, "previous_keys": [line.strip() for line in text.splitlines() if line.strip()]}
        return data

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
    detail_source_id: Literal["mediators", "owner"] = Field(
        default="mediators",
        description="who gets a source's own idWerkzoekende in a detail besides its own mediators (see README)",
    )
    quota_redis_url: str | None = Field(default=None, description="redis://… to share quota across replicas")
    quota_redis_url_file: Path | None = Field(default=None, description="a file holding `quota_redis_url`")
    signing_key_file: Path | None = Field(default=None, description="Ed25519 PEM; ephemeral when absent")
    gateway_issuer: str = "urn:vum:gateway"
    gateway_oin: Oin = "00000000000000000000"
    subgraph_token_seconds: int = Field(default=120, ge=10, le=3600)

    @model_validator(mode="before")
    @classmethod
    def _from_files(cls, data: Any) -> Any:
        return secrets_from_files(data, "quota_redis_url")

    @field_validator("quota_redis_url")
    @classmethod
    def _redis_url(cls, value: str | None) -> str | None:
        if value is not None and urlsplit(value).scheme not in ("redis", "rediss", "unix"):
            raise ValueError("a Redis URL: redis://host:6379/0, rediss://… (TLS) or unix:///path")
        return value

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
    dsn_file: Path | None = Field(default=None, description="a file holding `dsn` (it carries the password)")
    retention_days: int = Field(default=730, ge=1)

    @model_validator(mode="before")
    @classmethod
    def _from_files(cls, data: Any) -> Any:
        return secrets_from_files(data, "dsn")

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


TRACES_PATH = "/v1/traces"


class TracingConfig(Strict):
    """`[tracing]`: where spans go. Off by default."""

    otlp_endpoint: Annotated[str, StringConstraints(pattern=r"^https?://[^\s/?#]+(/[^\s?#]*)?$")] | None = Field(
        default=None,
        description="the collector's OTLP/HTTP address, e.g. http://otel-collector:4318 (spans go to /v1/traces)",
    )
    service_name: str = Field(default="vum-gateway", min_length=1, max_length=100)
    sample_ratio: float = Field(default=1.0, ge=0.0, le=1.0, description="share of requests traced")
    export_timeout: float = Field(default=10.0, gt=0, le=60, description="seconds per export to the collector")
    max_queue_size: int = Field(default=2048, ge=1, le=100_000, description="spans kept while the collector lags")

    @property
    def traces_url(self) -> str | None:
        if self.otlp_endpoint is None:
            return None
        base = self.otlp_endpoint.rstrip("/")
        return base if base.endswith(TRACES_PATH) else base + TRACES_PATH


class GatewayConfig(BaseSettings):
    """The whole configuration file."""

    model_config = SettingsConfigDict(env_prefix="VUM_", env_nested_delimiter="__", extra="forbid", frozen=True)

    gateway: ServerConfig = ServerConfig()
    pseudonym: PseudonymConfig
    auth: AuthConfig = AuthConfig()
    processing_log: ProcessingLogConfig = ProcessingLogConfig()
    tracing: TracingConfig = TracingConfig()
    organisations: list[OrganisationConfig] = Field(default_factory=list)
    extensions: list[ExtensionConfig] = Field(default_factory=list)

    @model_validator(mode="after")
    def _extensions_need_federation(self) -> GatewayConfig:
        if self.extensions and self.gateway.engine != FEDERATION_ENGINE:
            raise ValueError(f"extensions: need gateway.engine = '{FEDERATION_ENGINE}' (the bespoke engine has none)")
        names = [e.name for e in self.extensions]
        taken = sorted({n for n in names if names.count(n) > 1 or n in RESERVED_SUBGRAPHS})
        if taken:
            raise ValueError(f"extensions: the name(s) {', '.join(taken)} are taken")
        return self

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

    @property
    def source_connections(self) -> int:
        """The subgraph pool's size: as configured, else two per source (at least 100)."""
        return self.gateway.source_connections or max(100, 2 * len(self.organisations))


def _describe(error: ValidationError) -> str:
    """Every problem with the key it is about, on one line (a command prints it as its error)."""
    problems = []
    for problem in error.errors():
        key = ".".join(str(part) for part in problem["loc"]) or "(top level)"
        given = problem.get("input")
        shown = f" (got {given})" if isinstance(given, int | float) else ""  # numbers only: never a secret
        problems.append(f"{key}: {problem['msg']}{shown}")
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
