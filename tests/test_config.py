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


def test_the_engine_is_federation_unless_configured_and_an_unknown_one_is_named(tmp_path: Path) -> None:
    assert load_config(write(tmp_path, VALID)).gateway.engine == "federation"
    bespoke = VALID.replace("port = 4100", 'port = 4100\nengine = "vum"')
    assert load_config(write(tmp_path, bespoke)).gateway.engine == "vum"
    with pytest.raises(ConfigError) as error:
        load_config(write(tmp_path, VALID.replace("port = 4100", 'port = 4100\nengine = "apollo"')))
    assert "gateway.engine" in str(error.value) and "'apollo' is not an engine" in str(error.value)
    assert "'vum', 'federation'" in str(error.value)


@pytest.mark.parametrize(
    ("setting", "named"),
    [
        ("source_connections = 5", "gateway.source_connections: Input should be greater than or equal to 10 (got 5)"),
        ("source_concurrency = 0", "gateway.source_concurrency: Input should be greater than or equal to 1 (got 0)"),
        ('source_concurrency = "veel"', "gateway.source_concurrency: Input should be a valid integer"),
    ],
)
def test_a_bad_source_pool_is_refused_with_its_key_and_value(tmp_path: Path, setting: str, named: str) -> None:
    with pytest.raises(ConfigError) as error:
        load_config(write(tmp_path, VALID.replace("port = 4100", f"port = 4100\n{setting}")))
    assert named in str(error.value)


def test_the_source_pool_grows_with_the_sources(tmp_path: Path) -> None:
    one = VALID[VALID.index("[[organisations]]") :]
    many = VALID + "".join(one.replace("gemeente-eindhoven", f"gemeente-{i}") for i in range(299))
    assert load_config(write(tmp_path, VALID)).source_connections == 100
    assert load_config(write(tmp_path, many)).source_connections == 600
    fixed = many.replace("port = 4100", "port = 4100\nsource_connections = 250")
    assert load_config(write(tmp_path, fixed)).source_connections == 250


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


SECRETS_FROM_FILES = """
[pseudonym]
key_file = "{dir}/pseudonym-key"
previous_keys_file = "{dir}/previous-keys"

[auth]
quota_redis_url_file = "{dir}/redis-url"

[processing_log]
dsn_file = "{dir}/processing-log-dsn"
"""


def test_secrets_are_read_from_mounted_files(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    key, old = new_key(), [new_key(), new_key()]
    (tmp_path / "pseudonym-key").write_text(key + "\n", encoding="utf-8")  # as `kubectl create secret` leaves it
    (tmp_path / "previous-keys").write_text("\n".join(old) + "\n\n", encoding="utf-8")
    (tmp_path / "redis-url").write_text("rediss://:s3cret@redis:6380/0", encoding="utf-8")
    (tmp_path / "processing-log-dsn").write_text("postgresql+psycopg://vum:s3cret@db/vum\n", encoding="utf-8")
    config = load_config(write(tmp_path, SECRETS_FROM_FILES.format(dir=tmp_path)))
    assert config.pseudonym.key == key and config.pseudonym.previous_keys == old
    assert config.auth.quota_redis_url == "rediss://:s3cret@redis:6380/0"
    assert config.processing_log.dsn == "postgresql+psycopg://vum:s3cret@db/vum"
    monkeypatch.setenv("VUM_PROCESSING_LOG__DSN_FILE", str(tmp_path / "other-dsn"))
    (tmp_path / "other-dsn").write_text("postgresql+psycopg://vum@other/vum", encoding="utf-8")
    assert load_config(write(tmp_path, VALID)).processing_log.dsn == "postgresql+psycopg://vum@other/vum"


@pytest.mark.parametrize(
    ("content", "explained"),
    [
        (None, "pseudonym: Value error, key_file: cannot read {path}: No such file or directory"),
        ("\n", "key_file: {path} is empty"),
        ("x" * 70_000, "key_file: {path} is larger than 65536 bytes"),
        ("tooshort", "pseudonym.key: Value error, must decode to 32 bytes"),
    ],
)
def test_a_secret_file_that_cannot_be_used_is_named(tmp_path: Path, content: str | None, explained: str) -> None:
    path = tmp_path / "pseudonym-key"
    if content is not None:
        path.write_text(content, encoding="utf-8")
    with pytest.raises(ConfigError) as error:
        load_config(write(tmp_path, f'[pseudonym]\nkey_file = "{path}"\n'))
    assert explained.format(path=path) in str(error.value)


def test_a_secret_in_the_file_and_in_a_secret_file_is_ambiguous(tmp_path: Path) -> None:
    (tmp_path / "dsn").write_text("postgresql+psycopg://vum@db/vum", encoding="utf-8")
    text = VALID + f'\n[processing_log]\ndsn = "sqlite:///x.sqlite"\ndsn_file = "{tmp_path / "dsn"}"\n'
    with pytest.raises(ConfigError, match="give dsn or dsn_file, not both"):
        load_config(write(tmp_path, text))


@pytest.mark.parametrize("url", ["http://redis:6379", "redis//redis", "localhost:6379"])
def test_a_quota_store_url_that_is_not_redis_is_refused(tmp_path: Path, url: str) -> None:
    with pytest.raises(ConfigError, match=r"auth\.quota_redis_url"):
        load_config(write(tmp_path, VALID + f'\n[auth]\nquota_redis_url = "{url}"\n'))


def test_the_search_key_lists_have_defaults_and_bounds(tmp_path: Path) -> None:
    gateway = load_config(write(tmp_path, VALID)).gateway
    assert gateway.search_cache_entries == 1000 and gateway.search_cache_bytes == 256 * 1024 * 1024
    assert gateway.search_cache_seconds == 600 and gateway.search_cache_redis_url is None
    changed = VALID.replace(
        "port = 4100", 'port = 4100\nsearch_cache_entries = 50\nsearch_cache_redis_url = "redis://redis:6379/2"'
    )
    gateway = load_config(write(tmp_path, changed)).gateway
    assert gateway.search_cache_entries == 50 and gateway.search_cache_redis_url == "redis://redis:6379/2"


@pytest.mark.parametrize(
    ("setting", "named"),
    [
        ("search_cache_entries = 0", "gateway.search_cache_entries: Input should be greater than or equal to 1"),
        ("search_cache_bytes = 1000", "gateway.search_cache_bytes: Input should be greater than or equal to 1048576"),
        ("search_cache_seconds = 0", "gateway.search_cache_seconds: Input should be greater than 0"),
        ('search_cache_redis_url = "http://redis:6379"', "gateway.search_cache_redis_url: Value error, a Redis URL"),
    ],
)
def test_bad_search_key_list_settings_are_named(tmp_path: Path, setting: str, named: str) -> None:
    with pytest.raises(ConfigError) as error:
        load_config(write(tmp_path, VALID.replace("port = 4100", f"port = 4100\n{setting}")))
    assert named in str(error.value)


def test_the_search_key_lists_redis_url_is_read_from_a_mounted_file(tmp_path: Path) -> None:
    (tmp_path / "keys-redis").write_text("rediss://:s3cret@redis:6380/3\n", encoding="utf-8")
    text = VALID.replace("port = 4100", f'port = 4100\nsearch_cache_redis_url_file = "{tmp_path / "keys-redis"}"')
    assert load_config(write(tmp_path, text)).gateway.search_cache_redis_url == "rediss://:s3cret@redis:6380/3"
    both = text.replace("port = 4100", 'port = 4100\nsearch_cache_redis_url = "redis://x:6379"')
    with pytest.raises(ConfigError, match="give search_cache_redis_url or search_cache_redis_url_file, not both"):
        load_config(write(tmp_path, both))
