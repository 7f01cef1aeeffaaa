"""What the load generator aims at: our gateway, Apollo Gateway, Hive Gateway, each on one core."""

from __future__ import annotations

import json
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from gateway.config import new_key

from . import identity
from .config import APOLLO, BENCH, HIVE, NODE_DIR, OURS, ROOT, BenchConfig
from .data import Organisation
from .procs import BenchError, Proc, free_port, start, wait_http

NODE_ENV = {"NODE_ENV": "production"}  # both Node gateways in their production mode
HIVE_BIN = BENCH / "node_modules" / ".bin" / "hive-gateway"


@dataclass
class Target:
    name: str
    proc: Proc
    url: str


def post(url: str, body: bytes, headers: dict[str, str], timeout: float = 30.0) -> tuple[int, Any]:
    request = urllib.request.Request(url, data=body, headers=headers, method="POST")
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:
            return response.status, json.loads(response.read())
    except urllib.error.HTTPError as error:
        return error.code, error.read().decode(errors="replace")[:500]


def first_answer(target: Target, body: bytes, headers: dict[str, str], timeout: float = 60.0) -> Any:
    """The first 200 answer to `body` (the gateway may still be starting)."""
    deadline = time.monotonic() + timeout
    last: Any = None
    while time.monotonic() < deadline:
        if not target.proc.alive():
            raise BenchError(f"{target.name} stopped:\n{target.proc.tail()}")
        try:
            status, payload = post(target.url, body, headers)
        except (urllib.error.URLError, ConnectionError, TimeoutError) as error:
            status, payload = 0, repr(error)
        if status == 200:
            return payload
        last = (status, payload)
        time.sleep(0.3)
    raise BenchError(f"{target.name} gave no 200 answer within {timeout:.0f} s: {str(last)[:500]}")


def _toml_string(value: str) -> str:
    return json.dumps(value)  # a JSON string is a valid TOML basic string for these values


def ours_config(
    config: BenchConfig,
    port: int,
    organisations: Sequence[tuple[Organisation, str]],
    codelijsten_url: str,
    jwks_port: int,
    label: str,
    timeout: float = 5.0,
) -> str:
    """The gateway's TOML: the bench issuer, its signing key, a processing log, the organisations
    and codelijsten; defaults otherwise."""
    lines = ["[gateway]", 'host = "127.0.0.1"', f"port = {port}"]
    lines += [f"engine = {_toml_string(config.engine)}"] if config.engine else []
    # One load generator is one caller: the per-caller rate limit would measure itself, not the gateway.
    lines += ["", "[gateway.rate_limit]", "enabled = false"]
    lines += ["", "[pseudonym]", f"key = {_toml_string(new_key())}"]
    lines += ["", "[auth]", f"signing_key_file = {_toml_string(str(config.work / identity.GATEWAY_KEY))}"]
    lines += ["", "[[auth.issuers]]", f"issuer = {_toml_string(identity.ISSUER)}", f'audience = "{identity.AUDIENCE}"']
    lines += [f'jwks_url = "http://127.0.0.1:{jwks_port}/{identity.ISSUER_JWKS}"']
    lines += ["", "[processing_log]", f"dsn = {_toml_string(f'sqlite:///{config.work}/verwerkingen-{label}.sqlite')}"]
    entries = [(o.id, o.name, o.oin, "gemeente", url) for o, url in organisations]
    entries.append(("codelijsten", "Codelijsten (UWV BO&C)", "99100000000000000099", "codelijsten", codelijsten_url))
    for source_id, name, oin, kind, url in entries:
        lines += ["", "[[organisations]]", f"id = {_toml_string(source_id)}", f"name = {_toml_string(name)}"]
        lines += [f'oin = "{oin}"', f'kind = "{kind}"', f"url = {_toml_string(url)}", f"timeout = {timeout}"]
    return "\n".join(lines) + "\n"


def start_ours(
    config: BenchConfig,
    label: str,
    organisations: Sequence[tuple[Organisation, str]],
    codelijsten_url: str,
    jwks_port: int,
    tree: Path = ROOT,
    name: str = OURS,
) -> Target:
    """Our gateway from the checkout `tree` (this one by default), with the benchmark's configuration."""
    port = free_port()
    for stale in config.work.glob(f"verwerkingen-{label}.sqlite*"):
        stale.unlink()  # every run starts with an empty processing log, so runs compare
    config_file = config.work / f"gateway-{label}.toml"
    config_file.write_text(
        ours_config(config, port, organisations, codelijsten_url, jwks_port, label), encoding="utf-8"
    )
    # `-m` from the tree's root: the gateway of that checkout (by default the one this harness is in)
    command = [sys.executable, "-m", "gateway.cli", "--log-level", "warning", "serve", "--config", str(config_file)]
    log = config.work / f"gateway-{label}.log"
    proc = start(f"vum-gateway ({label})", command, config.gateway_core, log, cwd=tree)
    wait_http(f"http://127.0.0.1:{port}/ready", proc)
    _require_sources_conform(port, len(organisations) + 1)
    return Target(name, proc, f"http://127.0.0.1:{port}/graphql")


def _require_sources_conform(port: int, count: int, timeout: float = 60.0) -> None:
    """Until every source conforms: `/ready` may answer before the last one was checked."""
    deadline = time.monotonic() + timeout
    while True:
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/ready", timeout=5) as response:
            sources = json.loads(response.read())["sources"]
        if len(sources) == count and set(sources.values()) == {"CONFORM"}:
            return
        if time.monotonic() > deadline:
            raise BenchError(f"our gateway does not see every subgraph as conforming: {sources}")
        time.sleep(0.2)


def start_apollo(config: BenchConfig, supergraph: Path) -> Target:
    port = free_port()
    command = ["node", str(NODE_DIR / "apollo.mjs"), str(supergraph), str(port)]
    proc = start("@apollo/gateway", command, config.gateway_core, config.work / "apollo.log", NODE_ENV)
    return Target(APOLLO, proc, f"http://127.0.0.1:{port}/graphql")


def start_hive(config: BenchConfig, supergraph: Path) -> Target:
    port = free_port()
    command = [str(HIVE_BIN), "supergraph", str(supergraph), "--host", "127.0.0.1", "--port", str(port)]
    proc = start("@graphql-hive/gateway", command, config.gateway_core, config.work / "hive.log", NODE_ENV)
    return Target(HIVE, proc, f"http://127.0.0.1:{port}/graphql")
