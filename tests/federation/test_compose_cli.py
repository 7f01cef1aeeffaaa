"""`vum-gateway compose` from the command line: subgraph schemas from files, from rover's
`supergraph.yaml`, and from running subgraphs (the VUM subgraphs, reached with the gateway's own
token as the registry reaches them), with clear errors for what cannot be read."""

from __future__ import annotations

import asyncio
import json
import sys
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest
import pytest_asyncio
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from gateway.cli import main
from subgraphs.sdk.adapter import InMemoryAdapter

from ..servers import LiveServer
from ..stack import Source, Stack, organisation_app, start_stack

FIXTURES = Path(__file__).resolve().parent.parent / "data" / "federation" / "compose"
GUILD = FIXTURES / "guild-bench" / "guild-bench"


async def run(*args: str, cwd: Path | None = None) -> tuple[int, str, str]:
    """`vum-gateway ARGS` in a child process: (exit status, stdout, stderr)."""
    process = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "gateway.cli",
        *args,
        cwd=cwd,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
    )
    out, err = await asyncio.wait_for(process.communicate(), timeout=120)
    assert process.returncode is not None
    return process.returncode, out.decode(), err.decode()


def run_here(
    *args: str, cwd: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> tuple[int, str, str]:
    """`vum-gateway ARGS` in this process (no subgraph server needed): (exit status, stdout, stderr)."""
    monkeypatch.chdir(cwd)
    with pytest.raises(SystemExit) as exited:
        main(list(args))
    captured = capsys.readouterr()
    return int(exited.value.code or 0), captured.out, captured.err


def write_guild_subgraphs(directory: Path) -> list[dict[str, str]]:
    subgraphs: list[dict[str, str]] = json.loads((GUILD / "subgraphs.json").read_text())
    for subgraph in subgraphs:
        (directory / f"{subgraph['name']}.graphql").write_text(subgraph["sdl"])
    return subgraphs


def test_compose_writes_apollos_supergraph_from_sdl_files(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    subgraphs = write_guild_subgraphs(tmp_path)
    options = [f"--subgraph={s['name']}={s['name']}.graphql@{s['url']}" for s in subgraphs]
    status, out, err = run_here(
        "compose", *options, "-o", "supergraph.graphql", cwd=tmp_path, capsys=capsys, monkeypatch=monkeypatch
    )
    assert status == 0, err
    assert (tmp_path / "supergraph.graphql").read_text() == (GUILD / "supergraph.graphql").read_text()
    assert "composed accounts, inventory, products, reviews into supergraph.graphql: 3,076 bytes" in err
    assert out == ""


def test_compose_reads_rovers_supergraph_yaml_and_toml(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    subgraphs = write_guild_subgraphs(tmp_path)
    lines = ["federation_version: =2.14.1", "subgraphs:"]
    for s in subgraphs:
        lines += [
            f"  {s['name']}:",
            f"    routing_url: {s['url']}",
            "    schema:",
            f"      file: ./{s['name']}.graphql",
        ]
    (tmp_path / "supergraph.yaml").write_text("\n".join(lines) + "\n")
    toml = "\n".join(
        f'[subgraphs.{s["name"]}]\nrouting_url = "{s["url"]}"\nschema = {{ sdl = {json.dumps(s["sdl"])} }}\n'
        for s in subgraphs
    )
    (tmp_path / "supergraph.toml").write_text(toml)
    expected = (GUILD / "supergraph.graphql").read_text()
    for config in ("supergraph.yaml", "supergraph.toml"):
        status, out, err = run_here(
            "compose", "--config", str(tmp_path / config), cwd=tmp_path, capsys=capsys, monkeypatch=monkeypatch
        )
        assert status == 0, err
        assert out == expected, config


@pytest_asyncio.fixture(scope="module")
async def vum_stack() -> AsyncIterator[Stack]:
    running = await start_stack([Source("gemeente", organisation_app(InMemoryAdapter([]), "gemeente"))])
    yield running
    await running.close()


async def test_compose_reads_the_running_vum_subgraphs_with_the_gateways_token(
    vum_stack: Stack, tmp_path: Path
) -> None:
    """The supergraph of the live VUM subgraphs is the one Apollo composes from the same SDLs."""
    organisatie, codelijsten = vum_stack.subgraphs["gemeente"], vum_stack.subgraphs["codelijsten"]

    def source(name: str, url: str, oin: str) -> list[str]:
        token = vum_stack.gateway.signer.token(None, oin)
        return [
            f"  {name}:",
            "    schema:",
            f"      subgraph_url: {url}",
            "      introspection_headers:",
            f"        Authorization: Bearer {token}",
        ]

    config = tmp_path / "supergraph.yaml"
    config.write_text(
        "\n".join(
            [
                "subgraphs:",
                *source("organisatie", organisatie.url, vum_stack.oins["gemeente"]),
                *source("codelijsten", codelijsten.url, vum_stack.oins["codelijsten"]),
            ]
        )
    )
    status, _, err = await run("compose", "--config", str(config), "-o", str(tmp_path / "supergraph.graphql"))
    assert status == 0, err
    expected = (FIXTURES / "vum" / "vum" / "supergraph.graphql").read_text()
    expected = expected.replace("http://127.0.0.1:4101/graphql", organisatie.url).replace(
        "http://127.0.0.1:4100/graphql", codelijsten.url
    )
    assert (tmp_path / "supergraph.graphql").read_text() == expected


async def test_a_subgraph_that_refuses_the_caller_is_named_with_its_url(vum_stack: Stack) -> None:
    url = vum_stack.subgraphs["gemeente"].url
    status, _, err = await run("compose", "--subgraph", f"organisatie={url}")
    assert status == 2
    assert f"vum-gateway: subgraph organisatie ({url}): HTTP 401 to {{ _service {{ sdl }} }}" in err


class Subgraph:
    """A subgraph server that answers `_service { sdl }` as the test says."""

    def __init__(self, answer: Any, status: int = 200) -> None:
        self.answer = answer
        self.status = status

    async def graphql(self, request: Request) -> Response:
        if isinstance(self.answer, bytes):
            return Response(self.answer, status_code=self.status, media_type="application/json")
        return JSONResponse(self.answer, status_code=self.status)

    def app(self) -> Starlette:
        return Starlette(routes=[Route("/graphql", self.graphql, methods=["POST"])])


@pytest.mark.parametrize(
    ("answer", "status", "message"),
    [
        ({"data": {"_service": {"sdl": "type Query { a: Int }"}}}, 200, None),
        (b"<html>not found</html>", 200, "the answer to { _service { sdl } } is not JSON"),
        ({"errors": [{"message": 'Cannot query field "_service" on type "Query".'}]}, 200, "no SDL in the answer"),
        ({"data": {"_service": {"sdl": 42}}}, 200, "no SDL in the answer"),
        ({"data": None}, 503, "HTTP 503"),
    ],
)
async def test_what_a_subgraph_answers_is_checked(answer: Any, status: int, message: str | None) -> None:
    server = await LiveServer(Subgraph(answer, status).app()).start()
    try:
        code, out, err = await run("compose", "--subgraph", f"a={server.url}")
    finally:
        await server.stop()
    if message is None:
        assert code == 0, err
        assert f'A @join__graph(name: "a", url: "{server.url}")' in out
        assert "a: Int" in out
    else:
        assert code == 2
        assert f"subgraph a ({server.url}): {message}" in err


async def test_a_subgraph_that_is_down_is_named(tmp_path: Path) -> None:
    server = await LiveServer(Subgraph({}).app()).start()
    url = server.url
    await server.stop()
    status, _, err = await run("compose", "--subgraph", f"a={url}")
    assert status == 2
    assert f"subgraph a ({url}): cannot read the schema" in err


@pytest.mark.parametrize(
    ("options", "files", "message"),
    [
        (["--subgraph", "a=a.graphql"], {"a.graphql": "type Query { a: Int }"}, "needs the subgraph's routing URL"),
        (["--subgraph", "a=missing.graphql@http://a"], {}, "subgraph a: cannot read missing.graphql"),
        (["--subgraph", "nothing"], {}, "--subgraph nothing: expected NAME=FILE_OR_URL[@ROUTING_URL]"),
        (
            ["--subgraph", "a=a.graphql@http://a", "--subgraph", "a=a.graphql@http://b"],
            {"a.graphql": "type Query { a: Int }"},
            "subgraph a is given more than once",
        ),
        ([], {}, "no subgraphs"),
        (
            ["--config", "supergraph.yaml"],
            {"supergraph.yaml": "subgraphs:\n  a:\n    routing_url: http://a\n    schema:\n      files: a.graphql\n"},
            "subgraphs.a.schema.files: Extra inputs are not permitted",
        ),
        (
            ["--config", "supergraph.yaml"],
            {"supergraph.yaml": "subgraphs:\n  a:\n    schema:\n      file: a.graphql\n"},
            "subgraphs.a.routing_url: required unless the schema comes from subgraph_url",
        ),
        (["--config", "supergraph.yaml"], {"supergraph.yaml": "subgraphs: [\n"}, "not valid YAML"),
        (["--config", "nowhere.yaml"], {}, "cannot read nowhere.yaml"),
    ],
)
def test_input_that_cannot_be_read_is_refused_with_what_and_where(
    tmp_path: Path,
    options: list[str],
    files: dict[str, str],
    message: str,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    for name, text in files.items():
        (tmp_path / name).write_text(text)
    status, out, err = run_here("compose", *options, cwd=tmp_path, capsys=capsys, monkeypatch=monkeypatch)
    assert status == 2
    assert message in err
    assert "Traceback" not in err and out == ""


def test_subgraphs_that_do_not_compose_give_apollos_errors_and_status_1(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    (tmp_path / "a.graphql").write_text(
        'extend schema @link(url: "https://specs.apollo.dev/federation/v2.3")\ntype Query { a: Int }'
    )
    (tmp_path / "b.graphql").write_text(
        'extend schema @link(url: "https://specs.apollo.dev/federation/v2.3")\ntype Query { a: String }'
    )
    status, out, err = run_here(
        "compose",
        "--subgraph",
        "a=a.graphql@http://a",
        "--subgraph",
        "b=b.graphql@http://b",
        cwd=tmp_path,
        capsys=capsys,
        monkeypatch=monkeypatch,
    )
    assert status == 1
    assert out == ""
    assert (
        'error: [FIELD_TYPE_MISMATCH] Type of field "Query.a" is incompatible across subgraphs: it has type "Int" in '
        'subgraph "a" but type "String" in subgraph "b"'
    ) in err
    assert "[INVALID_FIELD_SHARING]" in err  # and without @shareable both resolve it
    assert "composition of a, b failed: 2 errors" in err


async def test_python_m_gateway_federation_compose_is_the_same_command(tmp_path: Path) -> None:
    subgraphs = write_guild_subgraphs(tmp_path)
    options = [f"--subgraph={s['name']}={s['name']}.graphql@{s['url']}" for s in subgraphs]
    process = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "gateway.federation.compose",
        *options,
        cwd=tmp_path,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
    )
    out, err = await asyncio.wait_for(process.communicate(), timeout=120)
    assert process.returncode == 0, err
    assert out.decode() == (GUILD / "supergraph.graphql").read_text()
