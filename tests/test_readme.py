"""The README is the front door: what it shows works when pasted, and it names only what exists."""

from __future__ import annotations

import contextlib
import json
import os
import re
import signal
import subprocess
import sys
import textwrap
import time
import urllib.request
from pathlib import Path

import pytest
from graphql import GraphQLEnumType, GraphQLInputObjectType, GraphQLObjectType, GraphQLSchema

from gateway.public_schema import build_public_schema
from gateway.serving import free_port
from vumschema import Contract

from .conftest import ROOT

README = (ROOT / "README.md").read_text(encoding="utf-8")


def public_names(schema: GraphQLSchema) -> set[str]:
    """Every type, field, argument and enum value a caller can use."""
    names = set(schema.type_map)
    for type_ in schema.type_map.values():
        if isinstance(type_, GraphQLObjectType | GraphQLInputObjectType):
            names |= set(type_.fields)
            for field in type_.fields.values():
                names |= set(getattr(field, "args", {}))
        elif isinstance(type_, GraphQLEnumType):
            names |= set(type_.values)
    return names


def test_the_readme_names_no_field_the_public_schema_lacks(contract: Contract) -> None:
    """A name in `code` that is a field of the contract must be one a caller can ask for."""
    contract_fields = {name for type_name in contract.types for name in contract.fields(type_name)}
    mentioned = set(re.findall(r"`([A-Za-z_][A-Za-z0-9_]*)`", README)) & contract_fields
    assert mentioned, "the README names fields"
    missing = mentioned - public_names(build_public_schema(contract))
    assert not missing, f"the README names fields a caller cannot ask for: {missing}"


def blocks(start: str, end: str) -> list[tuple[str, str]]:
    """(language, text) of every fenced code block of the README between two headings."""
    section = README[README.index(start) : README.index(end)]
    return [(m.group(1), textwrap.dedent(m.group(2))) for m in re.finditer(r"```(\w*)\n(.*?)```", section, re.S)]


WALKTHROUGH = blocks("**Partner vendors (adapters).**", "## VUM REST facade")
README_PORTS = ("4000", "4090", "4100", "4110")  # the gateway, the test issuer's JWKS, codelijsten, the adapter
LONG_RUNNING = ("python -m http.server", "python -m subgraphs.codelijsten", "uvicorn ", "vum-gateway serve")


def commands(script: str) -> list[str]:
    """The script's commands, one per line as a shell reads them (backslash continuations joined)."""
    return [line for line in script.replace("\\\n", " ").splitlines() if line.strip()]


class Walkthrough:
    """Runs the README's steps in a directory as a user would, on free ports instead of the README's."""

    def __init__(self, directory: Path) -> None:
        self.directory = directory
        self.ports = {port: str(free_port()) for port in README_PORTS}
        self.env = {**os.environ, "PATH": f"{Path(sys.executable).parent}{os.pathsep}{os.environ['PATH']}"}
        self.running: list[tuple[subprocess.Popen[bytes], Path]] = []

    def localised(self, text: str) -> str:
        return re.sub(r"(?<=[:= ])(4000|4090|4100|4110)\b", lambda m: self.ports[m.group(1)], text)

    def shell(self, script: str) -> str:
        done = subprocess.run(["bash", "-euo", "pipefail", "-c", script], cwd=self.directory, env=self.env,
                              capture_output=True, text=True, timeout=120)  # fmt: skip
        assert done.returncode == 0, f"{script}\n{done.stderr}"
        return done.stdout

    def start(self, command: str) -> None:
        log = self.directory / f"process-{len(self.running)}.log"
        with log.open("wb") as output:
            process = subprocess.Popen(["bash", "-c", command], cwd=self.directory, env=self.env, stdout=output,
                                       stderr=subprocess.STDOUT, start_new_session=True)  # fmt: skip
        self.running.append((process, log))
        url = {"http.server": f"/issuer.json@{self.ports['4090']}", "codelijsten": f"/health@{self.ports['4100']}",
               "uvicorn": f"/health@{self.ports['4110']}", "serve": f"/ready@{self.ports['4000']}"}  # fmt: skip
        path, port = next(value for key, value in url.items() if key in command).split("@")
        self.wait_for(f"http://127.0.0.1:{port}{path}", process, log)

    @staticmethod
    def wait_for(url: str, process: subprocess.Popen[bytes], log: Path) -> None:
        deadline = time.monotonic() + 90
        while time.monotonic() < deadline:
            assert process.poll() is None, log.read_text(errors="replace")
            with contextlib.suppress(OSError), urllib.request.urlopen(url, timeout=5) as answer:
                if answer.status == 200:
                    return
            time.sleep(0.2)
        pytest.fail(f"{url} did not answer:\n{log.read_text(errors='replace')}")

    def stop(self) -> None:
        """Stop each started command with its children (its own process group)."""
        for process, _ in self.running:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(process.pid, signal.SIGTERM)
        for process, _ in self.running:
            try:
                process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                os.killpg(process.pid, signal.SIGKILL)
                process.wait()


def test_the_readme_adapter_connects_to_a_served_gateway_as_the_walkthrough_says(tmp_path: Path) -> None:
    """The example adapter, pasted into mijn_adapter.py, and the walk-through's steps, run as written
    (only the ports are free ones): a mediator's search finds the example record with its label."""
    python = [text for language, text in WALKTHROUGH if language == "python"]
    assert len(python) == 1
    (tmp_path / "mijn_adapter.py").write_text(python[0], encoding="utf-8")
    walk = Walkthrough(tmp_path)
    outputs: list[str] = []  # of each group of commands run to the end
    try:
        for language, text in WALKTHROUGH:
            if language == "toml":
                key = outputs[0].splitlines()[0]  # step 1: what `vum-gateway keygen` printed
                config = walk.localised(text).replace("<the key vum-gateway keygen printed>", key)
                (tmp_path / "gateway.toml").write_text(config, encoding="utf-8")
            elif language == "sh":
                group: list[str] = []
                for command in commands(walk.localised(text)):
                    if command.lstrip().startswith(LONG_RUNNING) or " uvicorn " in command:
                        outputs += [walk.shell("\n".join(group))] if group else []
                        group = []
                        walk.start(command)
                    else:
                        group.append(command)
                outputs += [walk.shell("\n".join(group))] if group else []
        answer = json.loads(outputs[-1])["data"]["werkzoekendeProfielMatches"]
    finally:
        walk.stop()
    labels = [b["omschrijvingBeroepsnaam"] for e in answer["edges"] for b in e["node"]["bemiddelingsberoep"]]
    assert labels == ["magazijnmedewerker bederfelijke goederen"], answer
