"""Configuration of a federation gateway, validated with pydantic; errors name the key.

A TOML file (`--config`) and command-line options both land here. Only the supergraph is
required; everything else has a default a user of a mature gateway would expect.
"""

from __future__ import annotations

import tomllib
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from ..errors import FederationError


class ConfigError(FederationError):
    """The configuration is invalid; the message names the key and the value."""


class SubgraphConfig(BaseModel):
    model_config = ConfigDict(extra="forbid")

    url: str | None = Field(default=None, description="override the supergraph's URL for this subgraph")
    timeout: float | None = Field(default=None, gt=0, le=600)


class GatewayConfig(BaseModel):
    """`[gateway]` options of a federation gateway."""

    model_config = ConfigDict(extra="forbid")

    supergraph: str = Field(description="path or http(s) URL of the supergraph SDL")
    host: str = "127.0.0.1"
    port: int = Field(default=4000, ge=0, le=65535)
    graphql_path: str = "/graphql"
    health_path: str = "/health"
    plan_cache_size: int = Field(default=1024, ge=1, le=1_000_000)
    plan_cache_bytes: int = Field(
        default=64 * 1024 * 1024, ge=1024 * 1024, description="estimated memory of kept documents and plans"
    )
    subgraph_timeout: float = Field(default=30.0, gt=0, le=600)
    deduplicate_subgraph_requests: bool = True
    deduplicate_inbound_requests: bool = False
    max_request_bytes: int = Field(default=2 * 1024 * 1024, ge=1024)
    max_subgraph_response_bytes: int = Field(default=64 * 1024 * 1024, ge=1024)
    connections: int = Field(default=512, ge=1, le=100_000)
    subgraphs: dict[str, SubgraphConfig] = Field(default_factory=dict)

    @field_validator("graphql_path", "health_path")
    @classmethod
    def _path(cls, value: str) -> str:
        if not value.startswith("/"):
            raise ValueError("must start with /")
        return value

    @field_validator("supergraph")
    @classmethod
    def _supergraph(cls, value: str) -> str:
        if not value.strip():
            raise ValueError("must not be empty")
        return value


def load_config(path: Path | None, overrides: dict[str, object]) -> GatewayConfig:
    """The configuration from a TOML file (its `[gateway]` table or the top level), then overrides."""
    values: dict[str, Any] = {}
    if path is not None:
        try:
            with path.open("rb") as handle:
                loaded = tomllib.load(handle)
        except OSError as error:
            raise ConfigError(f"cannot read {path}: {error.strerror}") from None
        except tomllib.TOMLDecodeError as error:
            raise ConfigError(f"{path}: not valid TOML: {error}") from None
        values = dict(loaded.get("gateway", loaded))
        if "subgraphs" in loaded and "gateway" in loaded:
            values["subgraphs"] = loaded["subgraphs"]
    values.update({k: v for k, v in overrides.items() if v is not None})
    try:
        return GatewayConfig.model_validate(values)
    except ValidationError as error:
        first = error.errors()[0]
        where = ".".join(str(part) for part in first["loc"]) or "configuration"
        given = first.get("input")
        shown = "" if isinstance(given, dict) else f" (got {given!r})"
        raise ConfigError(f"{where}: {first['msg']}{shown}") from None
