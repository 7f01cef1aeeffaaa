"""The deployment files stay true to the gateway: their configuration loads, replicas share what
they must, and every subgraph is told to trust this gateway under its own OIN."""

from __future__ import annotations

from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest
import yaml

from gateway.config import GatewayConfig, load_config, new_key

from .conftest import ROOT

DEPLOY = ROOT / "deploy"


@pytest.fixture(autouse=True)
def secrets_from_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("VUM_PSEUDONYM__KEY", new_key())
    monkeypatch.setenv("VUM_PROCESSING_LOG__DSN", "postgresql+psycopg://vum@postgres/vum")


def kubernetes_documents() -> list[dict[str, Any]]:
    return [d for d in yaml.safe_load_all((DEPLOY / "kubernetes" / "gateway.yaml").read_text()) if d]


def kubernetes_config(tmp_path: Path) -> GatewayConfig:
    (config_map,) = [d for d in kubernetes_documents() if d["kind"] == "ConfigMap"]
    path = tmp_path / "gateway.toml"
    path.write_text(config_map["data"]["gateway.toml"], encoding="utf-8")
    return load_config(path)


def assert_ready_for_production(config: GatewayConfig) -> None:
    assert config.auth.issuers, "callers need an identity provider"
    assert config.auth.signing_key_file is not None, "subgraphs must trust a key that outlives one process"
    assert config.processing_log.dsn.startswith("postgresql"), "the log outlives the container"
    assert config.auth.quota_redis_url, "the detail quota holds across replicas"


def test_the_compose_gateway_configuration_is_valid_and_complete() -> None:
    assert_ready_for_production(load_config(DEPLOY / "gateway.toml"))


def test_the_kubernetes_gateway_configuration_is_valid_and_complete(tmp_path: Path) -> None:
    config = kubernetes_config(tmp_path)
    assert_ready_for_production(config)
    (deployment,) = [d for d in kubernetes_documents() if d["kind"] == "Deployment"]
    container = deployment["spec"]["template"]["spec"]["containers"][0]
    mounts = {m["mountPath"] for m in container["volumeMounts"]}
    assert config.auth.signing_key_file is not None
    assert str(config.auth.signing_key_file.parent) in mounts, "the signing key is mounted where the config says"
    secrets = {e["name"] for e in container["env"] if "secretKeyRef" in e.get("valueFrom", {})}
    assert {"VUM_PSEUDONYM__KEY", "VUM_PROCESSING_LOG__DSN"} <= secrets


def test_every_compose_subgraph_trusts_this_gateway_under_its_own_oin() -> None:
    compose = yaml.safe_load((DEPLOY / "compose.yaml").read_text())
    config = load_config(DEPLOY / "gateway.toml")
    gateway_port = config.gateway.port
    for organisation in config.organisations:
        service = compose["services"][urlsplit(str(organisation.url)).hostname]
        command = service["command"]
        assert command[:2] == ["python", "-m"] and command[2].startswith("subgraphs.")
        assert command[command.index("--oin") + 1] == organisation.oin, organisation.id
        jwks = service["environment"]["VUM_GATEWAY_JWKS"]
        assert jwks == f"http://gateway:{gateway_port}/.well-known/jwks.json"
    key_dir = str(config.auth.signing_key_file.parent) if config.auth.signing_key_file else ""
    assert any(volume.endswith(f":{key_dir}") for volume in compose["services"]["gateway"]["volumes"])
