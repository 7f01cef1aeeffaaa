"""The deployment files stay true to the gateway and pass what an operator runs on them.

Their configuration loads (with its secrets in files, where the manifests mount them), replicas
share what they must, every subgraph trusts this gateway under its own OIN and is reachable
through the NetworkPolicies, the Kustomize base lists every manifest, and `checkov` and
`kubernetes-validate` pass over `deploy/` with no finding left unexplained in `deploy/README.md`.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import kubernetes_validate
import pytest
import yaml

from gateway.config import GatewayConfig, load_config, new_key

from .conftest import ROOT, need

DEPLOY = ROOT / "deploy"
BASE = DEPLOY / "kubernetes" / "base"
OVERLAY = DEPLOY / "kubernetes" / "overlays" / "example"
K8S_SECRETS = "/etc/vum/secrets/"
COMPOSE_SECRETS = "/run/secrets/"
KUBERNETES_VERSIONS = ("1.30.0", kubernetes_validate.latest_version())  # the oldest we claim, the newest known
CHECKOV_FRAMEWORKS = ("kubernetes", "dockerfile", "secrets")
EXPLAINED = re.compile(r"^\| `(CKV2?_[A-Z0-9_]+)` \| `([^`]+)` \|", re.MULTILINE)


def manifests() -> list[dict[str, Any]]:
    documents = []
    for path in sorted(BASE.glob("*.yaml")):
        if path.name != "kustomization.yaml":
            documents += [d for d in yaml.safe_load_all(path.read_text(encoding="utf-8")) if d]
    return documents


def of_kind(kind: str) -> list[dict[str, Any]]:
    return [d for d in manifests() if d["kind"] == kind]


def named(kind: str, name: str) -> dict[str, Any]:
    (document,) = [d for d in of_kind(kind) if d["metadata"]["name"] == name]
    return document


def with_secret_files(text: str, mount: str, tmp_path: Path) -> str:
    """The configuration with its secret files (a fresh key, a DSN, a Redis URL) under tmp_path."""
    secrets = tmp_path / "secrets"
    secrets.mkdir(exist_ok=True)
    for name, value in {
        "pseudonym-key": new_key(),
        "processing-log-dsn": "postgresql+psycopg://vum:secret@postgres/vum",
        "quota-redis-url": "redis://:secret@redis:6379/0",
    }.items():
        (secrets / name).write_text(value + "\n", encoding="utf-8")
    return text.replace(mount, f"{secrets}/")


def config_from(text: str, mount: str, tmp_path: Path) -> GatewayConfig:
    path = tmp_path / "gateway.toml"
    path.write_text(with_secret_files(text, mount, tmp_path), encoding="utf-8")
    return load_config(path)


def assert_ready_for_production(config: GatewayConfig) -> None:
    assert config.auth.issuers, "callers need an identity provider"
    assert config.auth.signing_key_file is not None, "subgraphs must trust a key that outlives one process"
    assert config.processing_log.dsn.startswith("postgresql"), "the log outlives the container"
    assert config.auth.quota_redis_url, "the detail quota holds across replicas"
    assert config.gateway.shutdown_delay > 0, "replicas drain before they stop"


@pytest.fixture(autouse=True)
def no_overrides(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in list(os.environ):
        if name.startswith("VUM_"):
            monkeypatch.delenv(name)


# -- compose --------------------------------------------------------------------------------------


def test_the_compose_configuration_is_complete_with_its_secrets_in_files(tmp_path: Path) -> None:
    text = (DEPLOY / "gateway.toml").read_text(encoding="utf-8")
    config = config_from(text, COMPOSE_SECRETS, tmp_path)
    assert_ready_for_production(config)
    compose = yaml.safe_load((DEPLOY / "compose.yaml").read_text(encoding="utf-8"))
    gateway = compose["services"]["gateway"]
    mounted = {f"{COMPOSE_SECRETS}{name}" for name in gateway["secrets"]}
    assert set(re.findall(r'"(/run/secrets/[^"]+)"', text)) <= mounted, "every secret file the config names is mounted"
    assert "environment" not in gateway, "no secret in the gateway's environment"
    key_dir = str(config.auth.signing_key_file.parent) if config.auth.signing_key_file else ""
    assert any(volume.endswith(f":{key_dir}") for volume in gateway["volumes"])


def test_every_compose_subgraph_trusts_this_gateway_under_its_own_oin(tmp_path: Path) -> None:
    compose = yaml.safe_load((DEPLOY / "compose.yaml").read_text(encoding="utf-8"))
    config = config_from((DEPLOY / "gateway.toml").read_text(encoding="utf-8"), COMPOSE_SECRETS, tmp_path)
    for organisation in config.organisations:
        service = compose["services"][urlsplit(str(organisation.url)).hostname]
        command = service["command"]
        assert command[:2] == ["python", "-m"] and command[2].startswith("subgraphs.")
        assert command[command.index("--oin") + 1] == organisation.oin, organisation.id
        assert (
            service["environment"]["VUM_GATEWAY_JWKS"] == f"http://gateway:{config.gateway.port}/.well-known/jwks.json"
        )
        for option in ("--dsn-file",):
            if option in command:
                assert command[command.index(option) + 1].removeprefix(COMPOSE_SECRETS) in service["secrets"]


# -- Kubernetes -----------------------------------------------------------------------------------


def kubernetes_config(tmp_path: Path) -> GatewayConfig:
    return config_from((BASE / "gateway.toml").read_text(encoding="utf-8"), K8S_SECRETS, tmp_path)


def container(deployment: dict[str, Any]) -> dict[str, Any]:
    only: dict[str, Any]
    (only,) = deployment["spec"]["template"]["spec"]["containers"]
    return only


def test_the_kubernetes_configuration_is_complete_and_mounted_where_it_says(tmp_path: Path) -> None:
    config = kubernetes_config(tmp_path)
    assert_ready_for_production(config)
    deployment = named("Deployment", "vum-gateway")
    gateway = container(deployment)
    mounts = {m["mountPath"]: m for m in gateway["volumeMounts"]}
    volumes = {v["name"]: v for v in deployment["spec"]["template"]["spec"]["volumes"]}
    config_file = gateway["args"][gateway["args"].index("--config") + 1]
    assert volumes[mounts[config_file]["name"]]["configMap"]["name"] == "vum-gateway-config"
    secret_files = re.findall(r'^[a-z_]+ = "(/etc/vum/secrets/[^"]+)"', (BASE / "gateway.toml").read_text(), re.M)
    assert config.auth.signing_key_file is not None
    assert K8S_SECRETS + config.auth.signing_key_file.name in secret_files, "the signing key comes from the Secret"
    secrets = volumes[mounts[K8S_SECRETS.rstrip("/")]["name"]]["secret"]
    assert {str(Path(f).parent) for f in secret_files} == {K8S_SECRETS.rstrip("/")}
    created = re.findall(r"--from-file=([a-z0-9.-]+)=", (DEPLOY / "README.md").read_text(encoding="utf-8"))
    named_in_readme = {f for f in created if f != "dsn"}  # `dsn`: the organisation subgraph's own Secret
    assert {Path(f).name for f in secret_files} == named_in_readme, "deploy/README.md creates every secret file"
    assert secrets["secretName"] == "vum-gateway-secrets"
    assert config.gateway.port == gateway["ports"][0]["containerPort"]
    grace = deployment["spec"]["template"]["spec"]["terminationGracePeriodSeconds"]
    assert grace > config.gateway.shutdown_delay + max(o.timeout for o in config.organisations)


def test_no_secret_reaches_a_container_through_its_environment() -> None:
    for deployment in of_kind("Deployment"):
        for env in container(deployment).get("env", []):
            assert "secretKeyRef" not in env.get("valueFrom", {}), deployment["metadata"]["name"]
        assert not container(deployment).get("envFrom"), deployment["metadata"]["name"]
    assert not of_kind("Secret"), "Secrets are created by the operator (deploy/README.md), never kept here"


def test_every_kubernetes_subgraph_trusts_this_gateway_and_the_network_lets_them_talk(tmp_path: Path) -> None:
    config = kubernetes_config(tmp_path)
    service = named("Service", "vum-gateway")
    jwks = "http://vum-gateway.vum.svc/.well-known/jwks.json"
    assert service["spec"]["ports"][0]["port"] == 80
    policies = {p["metadata"]["name"]: p["spec"] for p in of_kind("NetworkPolicy")}
    assert policies["default-deny"] == {"podSelector": {}, "policyTypes": ["Ingress", "Egress"]}
    gateway_egress = {port["port"] for rule in policies["vum-gateway"]["egress"] for port in rule["ports"]}
    subgraph_ingress = {port["port"] for rule in policies["vum-subgraphs"]["ingress"] for port in rule["ports"]}
    for organisation in config.organisations:
        url = urlsplit(str(organisation.url))
        assert url.hostname and url.hostname.endswith(".vum.svc"), organisation.id
        name = url.hostname.removesuffix(".vum.svc")
        subgraph = container(named("Deployment", name))
        args = subgraph["args"]
        assert args[args.index("--oin") + 1] == organisation.oin, organisation.id
        assert args[args.index("--gateway-jwks") + 1] == jwks, organisation.id
        assert int(args[args.index("--port") + 1]) == url.port == subgraph["ports"][0]["containerPort"]
        assert named("Service", name)["spec"]["ports"][0]["port"] == url.port
        assert url.port in gateway_egress and url.port in subgraph_ingress, f"{name}: the network lets them talk"
        labels = named("Deployment", name)["spec"]["template"]["metadata"]["labels"]
        assert labels["app.kubernetes.io/component"] == "subgraph", "the policies select subgraphs by this label"


def test_the_kustomize_base_holds_every_manifest_and_the_overlay_pins_the_image() -> None:
    base = yaml.safe_load((BASE / "kustomization.yaml").read_text(encoding="utf-8"))
    listed = set(base["resources"])
    on_disk = {p.name for p in BASE.glob("*.yaml")} - {"kustomization.yaml"}
    assert listed == on_disk
    assert base["namespace"] == "vum" and all(
        d["metadata"].get("namespace") == "vum" for d in manifests() if d["kind"] != "Namespace"
    )
    (generated,) = base["configMapGenerator"]
    assert generated["name"] == "vum-gateway-config" and all((BASE / f).is_file() for f in generated["files"])
    overlay = yaml.safe_load((OVERLAY / "kustomization.yaml").read_text(encoding="utf-8"))
    assert [(OVERLAY / r).resolve() for r in overlay["resources"]] == [BASE.resolve()]
    images = {container(d)["image"].split("@")[0] for d in of_kind("Deployment")}
    (pinned,) = overlay["images"]
    assert images == {pinned["name"]} and re.fullmatch(r"sha256:[0-9a-f]{64}", pinned["digest"])


@pytest.mark.parametrize("version", KUBERNETES_VERSIONS)
def test_kubernetes_validate_accepts_every_manifest(version: str) -> None:
    for document in manifests():
        kubernetes_validate.validate(document, version, strict=True)


# -- checkov ----------------------------------------------------------------------------------------


def checkov() -> str:
    for candidate in (os.environ.get("VUM_CHECKOV"), str(ROOT / ".venv-deploy" / "bin" / "checkov"), "checkov"):
        if candidate and shutil.which(candidate):
            return candidate
    need(
        "checkov is not installed: python3 -m venv .venv-deploy && .venv-deploy/bin/pip install -r deploy/lint-requirements.txt"
    )
    raise AssertionError("unreachable")


def explained_findings() -> set[tuple[str, str]]:
    """(check id, resource) pairs that deploy/README.md explains, from its table of accepted findings."""
    return set(EXPLAINED.findall((DEPLOY / "README.md").read_text(encoding="utf-8")))


def run_checkov(directory: Path) -> tuple[set[tuple[str, str]], list[dict[str, Any]]]:
    """checkov's failed (check id, resource) pairs over `directory`, and its reports."""
    command = [checkov(), "--directory", str(directory), "--framework", *CHECKOV_FRAMEWORKS]
    command += ["--skip-download", "--output", "json", "--quiet"]  # no network; failed checks only
    run = subprocess.run(command, capture_output=True, text=True, timeout=600, cwd=directory)
    assert run.returncode in (0, 1), run.stderr[-2000:]
    loaded = json.loads(run.stdout) if run.stdout.strip() else []
    reports: list[dict[str, Any]] = loaded if isinstance(loaded, list) else [loaded]
    failed = {(c["check_id"], c["resource"]) for r in reports for c in r.get("results", {}).get("failed_checks", [])}
    assert (run.returncode == 1) == bool(failed), run.stderr[-2000:]
    return failed, reports


def test_checkov_passes_with_every_remaining_finding_explained() -> None:
    failed, reports = run_checkov(DEPLOY)
    assert {r["check_type"] for r in reports} >= {"kubernetes", "dockerfile"}
    assert all(r["summary"]["parsing_errors"] == 0 for r in reports), "checkov read every file"
    explained = explained_findings()
    assert not failed - explained, f"checkov findings not explained in deploy/README.md: {sorted(failed - explained)}"
    assert not explained - failed, (
        f"deploy/README.md explains findings checkov no longer has: {sorted(explained - failed)}"
    )


def test_checkovs_secrets_scan_finds_a_credential_in_a_deploy_file(tmp_path: Path) -> None:
    """The scan above would miss nothing: the same run finds a password written into a manifest."""
    leaked = {"apiVersion": "v1", "kind": "Secret", "metadata": {"name": "oops", "namespace": "vum"}}
    leaked["stringData"] = {"processing-log-dsn": "postgresql://vum:Zx81kQ2vLp0aW7s@postgres.vum.svc:5432/vum"}
    (tmp_path / "leak.yaml").write_text(yaml.safe_dump(leaked), encoding="utf-8")
    failed, _ = run_checkov(tmp_path)
    assert any(check.startswith("CKV_SECRET_") for check, _ in failed), failed
