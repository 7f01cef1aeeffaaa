"""Start-up pays only for what the configuration uses (issue 11: the first complete search within
3 s of the process starting, at 300 organisations; `python -m bench.startup` measures it)."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from gateway.config import new_key
from gateway.serving import free_port

# Built as `vum-gateway serve` builds it, without serving; prints the optional modules it loaded.
BUILD = """
import json, sys
from gateway.cli import _gateway_server, collector_paused, parser
args = parser().parse_args(["serve", "--config", sys.argv[1]])
with collector_paused():
    _, server, sock = _gateway_server(args)
sock.close()
optional = ("redis", "opentelemetry", "gateway.federation.compose", "gateway.auth.dev")
print(json.dumps(sorted(m for m in sys.modules if m.startswith(optional))))
"""


def loaded_modules(tmp_path: Path, extra: str = "") -> list[str]:
    config = tmp_path / "gateway.toml"
    config.write_text(
        f'[gateway]\nhost = "127.0.0.1"\nport = {free_port()}\n[pseudonym]\nkey = "{new_key()}"\n{extra}',
        encoding="utf-8",
    )
    result = subprocess.run(
        [sys.executable, "-c", BUILD, str(config)], cwd=tmp_path, capture_output=True, text=True, timeout=120
    )
    assert result.returncode == 0, result.stderr
    modules: list[str] = json.loads(result.stdout.splitlines()[-1])
    return modules


def test_a_default_gateway_loads_no_redis_tracing_composer_or_demo_issuer(tmp_path: Path) -> None:
    """No Redis URL, no tracing endpoint, the shipped VUM supergraph, no demo: none of their modules."""
    assert loaded_modules(tmp_path) == []


@pytest.mark.parametrize(
    ("extra", "package"),
    [
        ('[auth]\nquota_redis_url = "redis://127.0.0.1:6379/15"\n', "redis"),
        ('[tracing]\notlp_endpoint = "http://127.0.0.1:4318"\n', "opentelemetry"),
    ],
)
def test_what_is_configured_is_loaded(tmp_path: Path, extra: str, package: str) -> None:
    assert package in loaded_modules(tmp_path, extra)
