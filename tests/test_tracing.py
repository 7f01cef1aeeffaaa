"""Traces: a search is one trace with a span per source call, exported over OTLP/HTTP to a real
receiver (an HTTP server in the test decoding the protobuf export), and no span carries personal data."""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
import pytest_asyncio
from opentelemetry.proto.collector.trace.v1.trace_service_pb2 import (
    ExportTraceServiceRequest,
    ExportTraceServiceResponse,
)
from opentelemetry.proto.trace.v1.trace_pb2 import Span, Status
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from gateway.config import ConfigError, load_config, new_key
from gateway.demo.synthetic import generate, read_beroepen, read_postcodes
from subgraphs.sdk.adapter import InMemoryAdapter
from subgraphs.sdk.identity import GatewayTrust

from .conftest import BEROEPEN, POSTCODES
from .servers import LiveServer, read_body
from .stack import AppFactory, Source, Stack, consented, organisation_app, start_stack
from .test_gateway import DETAIL, EINDHOVEN, SEARCH
from .test_rest_contract import HEADERS

ORGANISATIONS = ("gemeente", "uwv")
SLOW = "traag"  # answers its searches after the gateway gave up on it
SLOW_TIMEOUT = 1.0


@dataclass
class ExportedSpan:
    trace_id: str
    span_id: str
    parent_id: str
    name: str
    kind: int
    start_ns: int
    end_ns: int
    status: int
    attributes: dict[str, Any]


class OtlpReceiver:
    """A collector's OTLP/HTTP traces endpoint: decodes every export, keeps the spans."""

    def __init__(self) -> None:
        self.spans: list[ExportedSpan] = []
        self.server = LiveServer(Starlette(routes=[Route("/v1/traces", self.export, methods=["POST"])]), "/v1/traces")

    async def export(self, request: Request) -> Response:
        assert request.headers["content-type"] == "application/x-protobuf"
        export = ExportTraceServiceRequest.FromString(await request.body())
        for resource_spans in export.resource_spans:
            for scope_spans in resource_spans.scope_spans:
                self.spans += [_decoded(span) for span in scope_spans.spans]
        return Response(ExportTraceServiceResponse().SerializeToString(), media_type="application/x-protobuf")

    def trace_of(self, root_name: str) -> list[ExportedSpan]:
        """Every span of the one trace whose root span is named `root_name` (the latest)."""
        roots = [span for span in self.spans if span.name == root_name and not span.parent_id]
        assert roots, f"no trace rooted at {root_name}: {[s.name for s in self.spans]}"
        return [span for span in self.spans if span.trace_id == roots[-1].trace_id]


def _decoded(span: Span) -> ExportedSpan:
    attributes = {a.key: getattr(a.value, a.value.WhichOneof("value")) for a in span.attributes}
    return ExportedSpan(
        span.trace_id.hex(),
        span.span_id.hex(),
        span.parent_span_id.hex(),
        span.name,
        span.kind,
        span.start_time_unix_nano,
        span.end_time_unix_nano,
        span.status.code,
        attributes,
    )


def slow_searches(factory: AppFactory, seconds: float) -> AppFactory:
    """A real subgraph whose searches take `seconds` (its schema check is quick)."""

    def build(trust: GatewayTrust) -> Any:
        app = factory(trust)

        async def asgi(scope: Any, receive: Any, send: Any) -> None:
            if scope["type"] == "http":
                body, receive = await read_body(receive)
                if b"bronWerkzoekendeProfielMatches" in body:
                    await asyncio.sleep(seconds)
            await app(scope, receive, send)

        return asgi

    return build


def recording_headers(factory: AppFactory, seen: list[dict[str, str]]) -> AppFactory:
    """A real subgraph that keeps the headers of every request it gets."""

    def build(trust: GatewayTrust) -> Any:
        app = factory(trust)

        async def asgi(scope: Any, receive: Any, send: Any) -> None:
            if scope["type"] == "http":
                seen.append({k.decode(): v.decode() for k, v in scope["headers"]})
            await app(scope, receive, send)

        return asgi

    return build


@dataclass
class Traced:
    stack: Stack
    receiver: OtlpReceiver
    records: dict[str, list[dict[str, Any]]]
    source_headers: list[dict[str, str]]


@pytest_asyncio.fixture(scope="module")
async def traced() -> AsyncIterator[Traced]:
    receiver = OtlpReceiver()
    await receiver.server.start()
    ids = [*ORGANISATIONS, SLOW]
    data = generate(11, ids, read_postcodes(POSTCODES), read_beroepen(BEROEPEN), werkzoekenden_per_bron=20)
    records = {bron.bron_id: consented(bron.werkzoekenden) for bron in data}
    seen: list[dict[str, str]] = []
    apps = {i: organisation_app(InMemoryAdapter(records[i]), i) for i in ids}
    apps["gemeente"] = recording_headers(apps["gemeente"], seen)
    sources = [Source(i, apps[i]) for i in ORGANISATIONS]
    sources.append(Source(SLOW, slow_searches(apps[SLOW], 3 * SLOW_TIMEOUT), timeout=SLOW_TIMEOUT))
    # the spans counted below are query-then-fetch's calls: the federation engine's
    stack = await start_stack(sources, tracing={"otlp_endpoint": receiver.server.base_url}, engine="federation")
    deadline = time.monotonic() + 60  # on a busy machine a first schema check may time out: it is retried
    while not all(state.usable for state in stack.gateway.services.registry.states.values()):
        assert time.monotonic() < deadline, {
            s.config.id: s.message for s in stack.gateway.services.registry.states.values()
        }
        await asyncio.sleep(0.2)
    yield Traced(stack, receiver, records, seen)
    await stack.close()
    await receiver.server.stop()


async def exported(traced: Traced) -> None:
    """Everything the gateway has finished, at the receiver (the exporter runs in its own thread)."""
    await asyncio.to_thread(traced.stack.gateway.tracing.flush)


def personal_values(traced: Traced, answers: list[dict[str, Any]]) -> set[str]:
    """What must never be in a span: record ids, vumIDs, the vraagID, postcodes, names, the token."""
    values = {r["idWerkzoekende"] for records in traced.records.values() for r in records}
    values |= {EINDHOVEN["selectiegebied"]["postcode"], traced.stack.issuer.token().split(".")[0]}
    for answer in answers:
        matches = answer["data"]["werkzoekendeProfielMatches"]
        values.add(matches["vraagID"])
        values |= {edge["node"]["vumID"] for edge in matches["edges"]}
    return values


def texts(spans: list[ExportedSpan]) -> Iterator[str]:
    for span in spans:
        yield span.name
        yield from (str(value) for value in span.attributes.values())


async def test_a_search_is_one_trace_with_a_span_per_source_call(traced: Traced) -> None:
    answer = await traced.stack.query(SEARCH, {"s": EINDHOVEN, "first": 50})
    assert "errors" not in answer, answer
    await exported(traced)
    spans = traced.receiver.trace_of("POST /graphql")
    (root,) = [span for span in spans if not span.parent_id]
    assert root.kind == Span.SPAN_KIND_SERVER
    assert root.attributes["http.route"] == "/graphql"
    assert root.attributes["http.response.status_code"] == 200
    calls = [span for span in spans if span is not root]
    assert all(span.parent_id == root.span_id and span.kind == Span.SPAN_KIND_CLIENT for span in calls)
    by_source: dict[str, list[ExportedSpan]] = {}
    for span in calls:
        by_source.setdefault(span.attributes["vum.bron_id"], []).append(span)
    # per organisation the search for keys and the _entities request for its records on the page
    # (query-then-fetch; the slow one times out in the first), one for the occupation labels
    assert {source: len(spans) for source, spans in by_source.items()} == {
        "gemeente": 2,
        "uwv": 2,
        SLOW: 1,
        "codelijsten": 1,
    }
    bronnen = {b["bronID"]: b["status"] for b in answer["data"]["werkzoekendeProfielMatches"]["bronnen"]}
    for source in ORGANISATIONS:
        assert bronnen[source] == "OK"
    for call in (call for source in ORGANISATIONS for call in by_source[source]):
        assert call.attributes["vum.source.status"] == "OK"
        assert call.attributes["http.response.status_code"] == 200
        assert call.attributes["server.address"] == "127.0.0.1"
        assert call.status != Status.STATUS_CODE_ERROR
        assert root.start_ns <= call.start_ns < call.end_ns <= root.end_ns
    (slow,) = by_source[SLOW]
    assert bronnen[SLOW] == slow.attributes["vum.source.status"] == "TIMEOUT"
    assert slow.status == Status.STATUS_CODE_ERROR
    assert (slow.end_ns - slow.start_ns) / 1e9 == pytest.approx(SLOW_TIMEOUT, abs=0.4)
    assert "http.response.status_code" not in slow.attributes, "no answer came"
    leaked = {v for v in personal_values(traced, [answer]) for text in texts(spans) if v in text}
    assert not leaked


async def test_the_source_gets_the_trace_context_of_its_own_call(traced: Traced) -> None:
    traced.source_headers.clear()
    # The search takes query-then-fetch only while the organisations' remembered counts exceed the
    # page: earlier tests (and a source left out for a slow schema check) can leave them at 5 or
    # fewer, and then one call brings the whole page. Forgotten, each counts as a full answer.
    for state in traced.stack.gateway.services.registry.states.values():
        state.matches_seen.clear()
    answer = await traced.stack.query(SEARCH, {"s": EINDHOVEN, "first": 5})
    assert "errors" not in answer, answer
    await exported(traced)
    calls = [
        span for span in traced.receiver.trace_of("POST /graphql") if span.attributes.get("vum.bron_id") == "gemeente"
    ]
    contexts = [h["traceparent"].split("-") for h in traced.source_headers if "traceparent" in h]
    assert len(calls) == len(contexts) == 2  # keys, then the page's records (query-then-fetch)
    assert {(version, trace_id, parent_id) for version, trace_id, parent_id, _ in contexts} == {
        ("00", call.trace_id, call.span_id) for call in calls
    }
    assert all(int(flags, 16) & 1 for *_, flags in contexts), "sampled"


async def test_a_callers_trace_context_is_not_continued(traced: Traced) -> None:
    theirs = "0af7651916cd43dd8448eb211c80319c"
    headers = {**traced.stack.issuer.headers(), "traceparent": f"00-{theirs}-b7ad6b7169203331-01"}
    status, _ = await traced.stack.post({"query": SEARCH, "variables": {"s": EINDHOVEN, "first": 1}}, headers)
    assert status == 200
    await exported(traced)
    (root,) = [span for span in traced.receiver.trace_of("POST /graphql") if not span.parent_id]
    assert root.trace_id != theirs


async def test_a_detail_traces_the_owner_only_and_rest_spans_name_the_route_not_the_vumid(traced: Traced) -> None:
    search = await traced.stack.query(SEARCH, {"s": EINDHOVEN, "first": 50})
    edge = next(e for e in search["data"]["werkzoekendeProfielMatches"]["edges"] if e["bronID"] == "uwv")
    vumid = edge["node"]["vumID"]
    detail = await traced.stack.query(DETAIL, {"v": vumid})
    assert "errors" not in detail, detail
    await exported(traced)
    spans = traced.receiver.trace_of("POST /graphql")
    assert {span.attributes.get("vum.bron_id") for span in spans if span.parent_id} <= {"uwv", "codelijsten"}
    assert any(span.attributes.get("vum.bron_id") == "uwv" for span in spans)

    url = f"{traced.stack.server.base_url}/api/v3/werkzoekendeProfielen/{vumid}"
    async with traced.stack.session.get(url, headers={**traced.stack.issuer.headers(), **HEADERS}) as response:
        assert response.status == 200, await response.text()
    await exported(traced)
    rest = traced.receiver.trace_of("GET /api/v3/werkzoekendeProfielen/{vumID}")
    assert any(span.attributes.get("vum.bron_id") == "uwv" for span in rest)
    assert not {v for v in personal_values(traced, [search]) for text in texts(spans + rest) if v in text}


async def test_probes_and_metrics_are_not_traced(traced: Traced) -> None:
    await exported(traced)
    before = len(traced.receiver.spans)
    for path in ("/health", "/ready", "/metrics", "/.well-known/jwks.json"):
        async with traced.stack.session.get(traced.stack.server.base_url + path) as response:
            assert response.status == 200
    await exported(traced)
    assert len(traced.receiver.spans) == before


def test_tracing_is_off_by_default_and_a_bad_endpoint_is_named(tmp_path: Path) -> None:
    path = tmp_path / "gateway.toml"
    path.write_text(f'[pseudonym]\nkey = "{new_key()}"\n', encoding="utf-8")
    assert load_config(path).tracing.otlp_endpoint is None
    for endpoint in ("collector:4318", "ftp://collector", "http://collector:4318/v1/traces?x=1"):
        path.write_text(f'[pseudonym]\nkey = "{new_key()}"\n[tracing]\notlp_endpoint = "{endpoint}"\n', "utf-8")
        with pytest.raises(ConfigError, match=r"tracing\.otlp_endpoint"):
            load_config(path)
    path.write_text(f'[pseudonym]\nkey = "{new_key()}"\n[tracing]\nsample_ratio = 2\n', encoding="utf-8")
    with pytest.raises(ConfigError, match=r"tracing\.sample_ratio"):
        load_config(path)
