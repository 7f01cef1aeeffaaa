"""Configuration: validated at start, errors name the bad key, environment overrides the file."""

from __future__ import annotations

from pathlib import Path

import pytest

from gateway.config import ConfigError, load_config, new_key

VALID = f"""
[gateway]
port = 4100

[pseudonym]
key = "{new_key()}"

[[organisations]]
id = "gemeente-eindhoven"
name = "Gemeente Eindhoven"
oin = "00000001001172773000"
kind = "gemeente"
url = "http://127.0.0.1:4101/graphql"
timeout = 2.5
"""


def write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "gateway.toml"
    path.write_text(text, encoding="utf-8")
    return path


def test_a_valid_file(tmp_path: Path) -> None:
    config = load_config(write(tmp_path, VALID))
    assert config.gateway.port == 4100
    assert config.organisations[0].timeout == 2.5
    assert config.organisations[0].enabled is True
    assert config.gateway.max_page_size == 1000


@pytest.mark.parametrize(
    ("change", "named"),
    [
        (('oin = "00000001001172773000"', 'oin = "123"'), "organisations.0.oin"),
        (('kind = "gemeente"', 'kind = "bakkerij"'), "organisations.0.kind"),
        (('url = "http://127.0.0.1:4101/graphql"', 'url = "ftp://x"'), "organisations.0.url"),
        (("timeout = 2.5", "timeout = -1"), "organisations.0.timeout"),
        (("port = 4100", "port = 99999"), "gateway.port"),
        (("port = 4100", "prot = 4100"), "gateway.prot"),
        (('id = "gemeente-eindhoven"', 'id = "Gemeente Eindhoven!"'), "organisations.0.id"),
    ],
)
def test_errors_name_the_bad_key(tmp_path: Path, change: tuple[str, str], named: str) -> None:
    with pytest.raises(ConfigError) as error:
        load_config(write(tmp_path, VALID.replace(*change)))
    assert named in str(error.value)


@pytest.mark.parametrize(
    ("dsn", "explained"),
    [
        ("mysql://vum@db/vum", "SQLite or PostgreSQL, not mysql"),
        ("verwerkingen.sqlite", "not a database URL"),
    ],
)
def test_a_processing_log_the_gateway_cannot_use_is_refused(tmp_path: Path, dsn: str, explained: str) -> None:
    with pytest.raises(ConfigError, match=r"processing_log\.dsn") as error:
        load_config(write(tmp_path, VALID + f'\n[processing_log]\ndsn = "{dsn}"\n'))
    assert explained in str(error.value)


def test_a_bad_pseudonym_key_is_explained(tmp_path: Path) -> None:
    text = VALID.replace(VALID.split('key = "')[1].split('"')[0], "tooshort")
    with pytest.raises(ConfigError, match=r"pseudonym\.key"):
        load_config(write(tmp_path, text))


def test_duplicate_ids_and_unreadable_files(tmp_path: Path) -> None:
    doubled = VALID + VALID[VALID.index("[[organisations]]") :]
    with pytest.raises(ConfigError, match="duplicate organisation id"):
        load_config(write(tmp_path, doubled))
    with pytest.raises(ConfigError, match="cannot read"):
        load_config(tmp_path / "missing.toml")
    with pytest.raises(ConfigError, match="not valid TOML"):
        load_config(write(tmp_path, "[gateway\nport = 1"))


def test_environment_overrides_the_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    key = new_key()
    monkeypatch.setenv("VUM_GATEWAY__PORT", "4200")
    monkeypatch.setenv("VUM_PSEUDONYM__KEY", key)
    config = load_config(write(tmp_path, VALID))
    assert config.gateway.port == 4200
    assert config.pseudonym.key == key
    assert config.organisations[0].id == "gemeente-eindhoven", "the rest of the file still applies"
