"""`vum-gateway` as a user meets its errors: one line that says what is wrong and what to do, a
non-zero exit code, never a traceback."""

from __future__ import annotations

import socket
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from gateway.config import new_key


def run(cwd: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "gateway.cli", *args], cwd=cwd, capture_output=True, text=True, timeout=120
    )


def the_error(result: subprocess.CompletedProcess[str]) -> str:
    """The command's error: the one line it ends with, and nothing like a traceback before it."""
    assert "Traceback" not in result.stderr + result.stdout, result.stderr
    errors = [line for line in result.stderr.splitlines() if line.startswith("vum-gateway:")]
    assert len(errors) == 1 and result.stderr.splitlines()[-1] == errors[0], result.stderr
    return errors[0]


def config(tmp_path: Path, extra: str = "", port: int = 4000) -> str:
    path = tmp_path / "gateway.toml"
    path.write_text(f'[gateway]\nport = {port}\n[pseudonym]\nkey = "{new_key()}"\n{extra}', encoding="utf-8")
    return str(path)


@pytest.fixture
def taken_port() -> Iterator[int]:
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        yield taken.getsockname()[1]


def test_a_missing_configuration_file(tmp_path: Path) -> None:
    for command in ("serve", "check-config"):
        result = run(tmp_path, command)
        assert result.returncode == 2
        assert the_error(result) == "vum-gateway: cannot read gateway.toml: No such file or directory"


def test_every_bad_key_of_a_configuration_on_one_line(tmp_path: Path) -> None:
    path = tmp_path / "bad.toml"
    path.write_text('[gateway]\nprot = 4000\n[pseudonym]\nkey = "short"\n', encoding="utf-8")
    result = run(tmp_path, "check-config", "--config", str(path))
    assert result.returncode == 2
    error = the_error(result)
    assert "gateway.prot: Extra inputs are not permitted" in error and "pseudonym.key:" in error


def test_serve_on_a_taken_port_names_it_and_the_option(tmp_path: Path, taken_port: int) -> None:
    result = run(tmp_path, "serve", "--config", config(tmp_path, port=taken_port))
    assert result.returncode == 1
    assert the_error(result) == (
        f"vum-gateway: cannot listen on 127.0.0.1:{taken_port}: the port is in use by another program; "
        "pass --port or change gateway.port"
    )


def test_a_processing_log_that_cannot_be_opened_is_named_without_its_password(tmp_path: Path) -> None:
    with socket.socket() as probe:  # a port nobody listens on
        probe.bind(("127.0.0.1", 0))
        closed = probe.getsockname()[1]
    dsn = f"postgresql+psycopg://vum:geheim@127.0.0.1:{closed}/vum"
    result = run(tmp_path, "serve", "--config", config(tmp_path, f'[processing_log]\ndsn = "{dsn}"\n'), "--port", "0")
    assert result.returncode == 2
    error = the_error(result)
    assert f"processing_log.dsn postgresql+psycopg://vum:***@127.0.0.1:{closed}/vum: cannot open" in error
    assert "geheim" not in result.stderr


def test_a_missing_signing_key_is_named(tmp_path: Path) -> None:
    result = run(tmp_path, "serve", "--config", config(tmp_path, '[auth]\nsigning_key_file = "weg.pem"\n'))
    assert result.returncode == 2
    assert "auth.signing_key_file: cannot read key weg.pem: No such file or directory" in the_error(result)


@pytest.mark.parametrize(
    ("args", "told"),
    [
        (["token", "--rol", "bemiddelaar", "--oin", "123"], "--oin 123: an OIN is 20 digits"),
        (["token", "--rol", "bemiddelaar"], "give --rol and --oin"),
        (
            ["token", "--rol", "bemiddelaar", "--oin", "00000001001172773000"],
            "cannot read key var/demo/dev-issuer.pem: No such file or directory (start `vum-gateway demo` first",
        ),
        (["demo", "--postcodes", "weg.csv"], "--postcodes: no such file: weg.csv"),
        (["demo", "--werkzoekenden", "weg.json"], "cannot read records from weg.json"),
        (["demo", "--organisaties", "0"], "--organisaties 0: give at least 1"),
    ],
    ids=["oin", "no-role", "no-key", "postcodes", "records", "organisaties"],
)
def test_command_line_errors(tmp_path: Path, args: list[str], told: str) -> None:
    result = run(tmp_path, *args)
    assert result.returncode == 2
    assert told in the_error(result)
