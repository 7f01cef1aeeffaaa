"""`vum-gateway plan` and the errors of the federation commands."""

from __future__ import annotations

import pytest

from gateway.cli import main
from tests.federation.conftest import SHOP_SUPERGRAPH


def test_plan_prints_the_query_plan(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exited:
        main(["plan", "--supergraph", str(SHOP_SUPERGRAPH), "--query", "{ me { name reviews { body } } }"])
    assert exited.value.code == 0
    printed = capsys.readouterr().out
    assert printed.startswith('QueryPlan {\n  Sequence {\n    Fetch(service: "accounts")')
    assert 'Flatten(path: "me")' in printed and 'Fetch(service: "reviews")' in printed


def test_plan_reads_the_query_from_a_file(tmp_path: pytest.TempPathFactory, capsys: pytest.CaptureFixture[str]) -> None:
    query = tmp_path / "q.graphql"  # type: ignore[operator]
    query.write_text("query Q { warehouseName }", encoding="utf-8")
    with pytest.raises(SystemExit):
        main(["plan", "--supergraph", str(SHOP_SUPERGRAPH), "--query", str(query)])
    assert 'Fetch(service: "inventory")' in capsys.readouterr().out


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (
            ["--supergraph", "/nonexistent.graphql", "--query", "{ a }"],
            "cannot read the supergraph /nonexistent.graphql",
        ),
        (["--supergraph", str(SHOP_SUPERGRAPH), "--query", "{ nope }"], "Cannot query field 'nope' on type 'Query'"),
    ],
)
def test_errors_are_one_line_with_exit_code_2(
    args: list[str], message: str, capsys: pytest.CaptureFixture[str]
) -> None:
    with pytest.raises(SystemExit) as exited:
        main(["plan", *args])
    assert exited.value.code == 2
    assert message in capsys.readouterr().err
