"""The HTTP edge: what a malformed request gets (a clear error with a code, never a traceback)."""

from __future__ import annotations

from pathlib import Path

import orjson
import pytest

from gateway.federation.server.config import ConfigError, load_config
from tests.federation.conftest import Shop


async def test_health(shop: Shop) -> None:
    assert shop.session is not None and shop.gateway is not None
    async with shop.session.get(shop.gateway.base_url + "/health") as response:
        assert response.status == 200 and await response.json() == {"status": "UP"}


@pytest.mark.parametrize(
    ("body", "message"),
    [
        (b"{not json", "not JSON"),
        (b"[]", "batched requests are not supported"),
        (b'"query"', "JSON object"),
        (b"{}", "`query` must be a non-empty string"),
        (b'{"query": "{ me { id } }", "variables": [1]}', "`variables` must be a JSON object"),
        (b'{"query": "{ me { id } }", "operationName": 3}', "`operationName` must be a string"),
    ],
)
async def test_a_malformed_request_is_refused_with_what_is_wrong(shop: Shop, body: bytes, message: str) -> None:
    status, answer = await shop.raw(body)
    error = orjson.loads(answer)["errors"][0]
    assert status == 400
    assert message in error["message"] and error["extensions"]["code"] == "BAD_REQUEST"


async def test_a_body_over_the_limit_is_refused(shop: Shop) -> None:
    status, answer = await shop.raw({"query": "{ me { id } }", "pad": "x" * 3_000_000})
    assert status == 413 and "exceeds" in orjson.loads(answer)["errors"][0]["message"]


@pytest.mark.parametrize(
    ("query", "variables", "code", "fragment"),
    [
        ("{ me { id ", None, "GRAPHQL_PARSE_FAILED", "Syntax Error"),
        ("{ me { nope } }", None, "GRAPHQL_VALIDATION_FAILED", "nope"),
        ("query($u: String!) { product(upc: $u) { upc } }", {"u": 5}, "BAD_USER_INPUT", "$u"),
        ("query($u: String!) { product(upc: $u) { upc } }", {}, "BAD_USER_INPUT", "$u"),
    ],
)
async def test_invalid_operations_get_errors_with_codes(
    shop: Shop, query: str, variables: dict[str, object] | None, code: str, fragment: str
) -> None:
    result = await shop.post(query, variables)
    assert "data" not in result
    assert result["errors"][0]["extensions"]["code"] == code
    assert fragment in result["errors"][0]["message"]


async def test_operation_name_selects_and_is_checked(shop: Shop) -> None:
    document = "query A { me { id } } query B { warehouseName }"
    assert (await shop.post(document, operationName="B")) == {"data": {"warehouseName": "Central"}}
    assert (await shop.post(document))["errors"][0]["extensions"]["code"] == "OPERATION_NOT_FOUND"
    assert "no operation named 'C'" in (await shop.post(document, operationName="C"))["errors"][0]["message"]


async def test_get_serves_queries_but_not_mutations(shop: Shop) -> None:
    assert shop.session is not None and shop.gateway is not None
    params = {"query": "query($u: String!) { product(upc: $u) { name } }", "variables": '{"u": "p2"}'}
    async with shop.session.get(shop.gateway.url, params=params) as response:
        assert await response.json() == {"data": {"product": {"name": "Chair"}}}
    async with shop.session.get(shop.gateway.url, params={"query": "mutation { double }"}) as response:
        result = await response.json()
        assert response.status == 400 and "mutations are not allowed over GET" in result["errors"][0]["message"]


def test_configuration_errors_name_the_key(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="supergraph: Field required"):
        load_config(None, {})
    config = tmp_path / "gateway.toml"
    config.write_text('[gateway]\nsupergraph = "s.graphql"\nport = 70000\n', encoding="utf-8")
    with pytest.raises(ConfigError, match=r"port: .*65535.*70000"):
        load_config(config, {})
    config.write_text('[gateway]\nsupergraph = "s.graphql"\n[subgraphs.a]\ntimeout = -1\n', encoding="utf-8")
    with pytest.raises(ConfigError, match=r"subgraphs\.a\.timeout"):
        load_config(config, {})
    config.write_text('[gateway]\nsupergraph = "s.graphql"\nunknown = 1\n', encoding="utf-8")
    with pytest.raises(ConfigError, match="unknown: Extra inputs are not permitted"):
        load_config(config, {})
    config.write_text("[gateway\n", encoding="utf-8")
    with pytest.raises(ConfigError, match="not valid TOML"):
        load_config(config, {})
    config.write_text('[gateway]\nsupergraph = "s.graphql"\n[subgraphs.a]\nurl = "http://a"\n', encoding="utf-8")
    loaded = load_config(config, {"port": 4100, "host": None})
    assert (loaded.port, loaded.host, loaded.subgraphs["a"].url) == (4100, "127.0.0.1", "http://a")
