"""The benchmark's guards: a fast wrong answer must not win, and the memoising front in front of
the subgraphs must answer exactly what the subgraph would."""

from __future__ import annotations

import asyncio
import copy
import sys
from pathlib import Path
from typing import Any

import aiohttp
import orjson
import pytest
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from bench.__main__ import config_from, parser
from bench.__main__ import main as bench_main
from bench.measure import Measurement
from bench.memo import Memo, org_path
from bench.run import combined, compared, round_ratios
from bench.scenario import WrongAnswer, check_ours, check_source_answer
from bench.startup import import_breakdown
from bench.subgraphs import protocol_factory
from gateway.serving import free_port
from subgraphs.codelijsten.app import create_app as codelijsten_app

from .conftest import BEROEPEN
from .issuer import MEDIATOR

ENTITIES = (
    "query($representations: [_Any!]!) { _entities(representations: $representations) "
    "{ ... on Beroep { omschrijvingBeroepsnaam } } }"
)
URI = "http://example.org/boc/beroepsnaam/"


def entities_body(*codes: str) -> bytes:
    representations = [{"__typename": "Beroep", "codeBeroepsnaam": URI + code} for code in codes]
    return orjson.dumps({"query": ENTITIES, "variables": {"representations": representations}})


def labels(response: bytes) -> list[Any]:
    payload = orjson.loads(response.split(b"\r\n\r\n", 1)[1])
    return [entity["omschrijvingBeroepsnaam"] for entity in payload["data"]["_entities"]]


async def test_the_memo_answers_reordered_entities_as_the_subgraph_does() -> None:
    memo = Memo(codelijsten_app(BEROEPEN, trust=None, anonymous=MEDIATOR))
    first = entities_body("721", "4448")
    assert memo.lookup(first) is None, "nothing is memoised before the subgraph answered"
    assert labels(await memo.answer(first))[0] == "bankwerker elektrotechnische instrumenten"

    reordered = entities_body("4448", "721")
    composed = memo.lookup(reordered)
    assert composed is not None and memo.stats.composed == 1
    assert labels(composed) == labels(await Memo(memo.app).answer(reordered)), "same as the subgraph's own answer"
    assert memo.lookup(first) is not None and memo.stats.hits == 1


async def test_the_memo_never_keeps_an_error() -> None:
    memo = Memo(codelijsten_app(BEROEPEN, trust=None, anonymous=MEDIATOR))
    broken = orjson.dumps({"query": "{ nosuchfield }"})
    assert b"errors" in await memo.answer(broken)
    assert memo.lookup(broken) is None, "an error stays visible on every request"


RECORD: dict[str, Any] = {
    "idWerkzoekende": "w1",
    "mobiliteit": {"bemiddelingspostcode": "5611AB"},
    "bemiddelingsberoep": [{"codeBeroepsnaam": URI + "721", "omschrijvingBeroepsnaam": "bankwerker"}],
}


def our_answer(records: list[dict[str, Any]]) -> dict[str, Any]:
    nodes = [
        {"vumID": f"id-{i}", **{k: copy.deepcopy(v) for k, v in r.items() if k != "idWerkzoekende"}}
        for i, r in enumerate(records)
    ]
    edges = [{"node": node} for node in reversed(nodes)]  # the gateway's own order is allowed
    return {"data": {"werkzoekendeProfielMatches": {"edges": edges, "totalCount": len(records)}}}


def test_the_checks_accept_the_expected_records() -> None:
    second = {**copy.deepcopy(RECORD), "idWerkzoekende": "w2"}
    check_ours(our_answer([RECORD, second]), [RECORD, second])
    check_source_answer({"data": {"bronWerkzoekendeProfielMatches": {"matches": [RECORD]}}}, [RECORD])


@pytest.mark.parametrize(
    "spoil",
    [
        pytest.param(lambda a: a["data"]["werkzoekendeProfielMatches"]["edges"].pop(), id="a record missing"),
        pytest.param(
            lambda a: a["data"]["werkzoekendeProfielMatches"]["edges"][0]["node"]["bemiddelingsberoep"][0].pop(
                "omschrijvingBeroepsnaam"
            ),
            id="a label missing",
        ),
        pytest.param(
            lambda a: a["data"]["werkzoekendeProfielMatches"]["edges"][0]["node"].update(vumID="id-0"),
            id="a vumID twice",
        ),
        pytest.param(lambda a: a.update(errors=[{"message": "boom"}]), id="an error"),
    ],
)
def test_a_wrong_answer_of_ours_is_refused(spoil: Any) -> None:
    second = {**copy.deepcopy(RECORD), "idWerkzoekende": "w2"}
    answer = our_answer([copy.deepcopy(RECORD), second])
    spoil(answer)
    with pytest.raises(WrongAnswer):
        check_ours(answer, [RECORD, second])


def test_a_wrong_answer_of_a_node_gateway_is_refused() -> None:
    changed = copy.deepcopy(RECORD)
    changed["mobiliteit"]["bemiddelingspostcode"] = "1011AA"
    with pytest.raises(WrongAnswer):
        check_source_answer({"data": {"bronWerkzoekendeProfielMatches": {"matches": [changed]}}}, [RECORD])


def answering(name: str) -> Starlette:
    async def graphql(request: Request) -> Response:
        return Response(orjson.dumps({"data": {"organisatie": name}}), media_type="application/json")

    return Starlette(routes=[Route("/graphql", graphql, methods=["POST"])])


async def test_one_port_serves_many_organisations_by_path_each_its_own() -> None:
    memos = {org_path(name).encode(): Memo(answering(name)) for name in ("gemeente-a", "gemeente-b")}
    port = free_port()
    first = next(iter(memos.values()))
    listener = await asyncio.get_running_loop().create_server(protocol_factory(first, memos), "127.0.0.1", port)
    base = f"http://127.0.0.1:{port}"
    try:
        async with aiohttp.ClientSession() as session:
            answers = {}
            for path in (org_path("gemeente-b"), org_path("gemeente-a"), org_path("gemeente-b"), "/org/x/graphql"):
                async with session.post(base + path, data=b'{"query": "{ organisatie }"}') as response:
                    answers[path] = (response.status, await response.json(content_type=None))
            async with session.get(f"{base}/memo-stats") as response:
                stats = await response.json(content_type=None)
    finally:
        listener.close()
    assert answers[org_path("gemeente-a")] == (200, {"data": {"organisatie": "gemeente-a"}})
    assert answers[org_path("gemeente-b")] == (200, {"data": {"organisatie": "gemeente-b"}})
    assert answers["/org/x/graphql"][0] == 404
    assert stats["requests"] == 4
    assert memos[org_path("gemeente-b").encode()].stats.as_dict() == {"hits": 1, "composed": 0, "misses": 1}


def test_the_start_up_import_breakdown_sums_the_top_level_and_groups_own_times(tmp_path: Path) -> None:
    """`python -m bench.startup --importtime`: the total is the top-level imports' cumulative time;
    packages are ranked by their modules' own time, the gateway's by subpackage."""
    log = tmp_path / "importtime.log"
    log.write_text(
        "INFO something the gateway logged\n"
        "import time: self [us] | cumulative | imported package\n"
        "import time:      1000 |       1000 |     sqlalchemy.sql\n"
        "import time:      2000 |       3000 |   sqlalchemy\n"
        "import time:       500 |       3500 | gateway.config\n"
        "import time:      4000 |       4000 | gateway.vum.engine\n",
        encoding="utf-8",
    )
    lines = import_breakdown(log).splitlines()
    assert lines[0] == "  imports: 8 ms in all (under -X importtime); by package, own time:"
    assert [line.split()[0] for line in lines[1:]] == ["gateway.vum", "sqlalchemy", "gateway.config"]
    assert lines[2].split()[1] == "3.0"


def _round(rps: float, seconds: float, cpu_ms: float, p95_ms: float, target: str = "ours") -> Measurement:
    responses = int(rps * seconds)
    return Measurement(
        scenario="B1", target=target, rps=rps, p50_ms=p95_ms / 2, p95_ms=p95_ms, p99_ms=p95_ms * 2,
        responses=responses, errors=1, non2xx=0, mismatches=0, bytes_per_response=1000.0,
        cpu_ms_per_request=cpu_ms, target_cpu_util=rps * cpu_ms / 1000, peak_rss_mb=100.0 + rps,
        subgraph_cpu_util=0.1, driver_cpu_util=0.2, seconds=seconds,
    )  # fmt: skip


def test_b1_rounds_add_up_to_one_measurement_of_the_whole_time() -> None:
    rounds = [_round(100, 5, 10.0, 300), _round(50, 5, 20.0, 900), _round(150, 10, 8.0, 200)]
    whole = combined(rounds)
    assert whole.responses == 500 + 250 + 1500 and whole.seconds == 20
    assert whole.rps == pytest.approx(2250 / 20)
    # CPU per request weighted by requests: the total CPU time over all requests
    assert whole.cpu_ms_per_request == pytest.approx((500 * 10 + 250 * 20 + 1500 * 8) / 2250)
    assert whole.target_cpu_util == pytest.approx((1.0 * 5 + 1.0 * 5 + 1.2 * 10) / 20)
    assert (whole.p50_ms, whole.p95_ms, whole.p99_ms) == (150, 300, 600)  # each the median of the rounds'
    assert whole.errors == 3 and whole.peak_rss_mb == 250


def test_b1_lists_ours_against_each_other_gateway_round_by_round() -> None:
    ours = [_round(100, 5, 10.0, 300), _round(80, 5, 10.0, 300)]
    apollo = [_round(50, 5, 20.0, 900, "apollo"), _round(20, 5, 20.0, 900, "apollo")]
    assert round_ratios({"ours": ours, "apollo": apollo}) == ["B1 req/s, ours ÷ apollo, round by round: 2.00, 4.00"]
    assert round_ratios({"ours": ours[:1], "apollo": apollo[:1]}) == []  # one round: the targets say it


def test_b1_compares_two_checkouts_of_ours_by_cpu_per_request() -> None:
    """`--compare DIR`: the A/B of two commits, round by round and as the rounds' geometric mean."""
    ours = [_round(100, 5, 8.0, 300), _round(80, 5, 10.0, 300)]
    before = [_round(90, 5, 10.0, 300, "ours@before"), _round(80, 5, 8.0, 300, "ours@before")]
    assert round_ratios({"ours": ours, "ours@before": before}) == [
        "B1 req/s, ours ÷ ours@before, round by round: 1.11, 1.00",
        "B1 CPU per request, ours ÷ ours@before, round by round: 0.800, 1.250; geometric mean 1.000",
    ]
    one = round_ratios({"ours": ours[:1], "ours@before": before[:1]})
    assert one[-1] == "B1 CPU per request, ours ÷ ours@before, round by round: 0.800; geometric mean 0.800"


def test_compared_checkouts_are_named_by_their_directory_each_once() -> None:
    names = compared([Path("/tmp/a/head"), Path("/tmp/b/head"), Path("/tmp/typed")])
    assert names == {
        "ours@head": Path("/tmp/a/head"),
        "ours@head-2": Path("/tmp/b/head"),
        "ours@typed": Path("/tmp/typed"),
    }


def test_compare_refuses_a_directory_that_is_no_checkout(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(sys, "argv", ["python -m bench", "--scenarios", "B1", "--compare", str(tmp_path)])
    assert bench_main() == 2
    assert f"--compare {tmp_path}: not a checkout of this project" in capsys.readouterr().err
    config = config_from(parser().parse_args(["--compare", str(tmp_path), "--rounds", "8"]))
    assert config.compare == (tmp_path.resolve(),) and config.b1_rounds == 8
