"""OpenTelemetry traces: one trace per GraphQL or REST request, one span per call to a source.

Off unless `[tracing] otlp_endpoint` is set; then spans go to that collector over OTLP/HTTP
(protobuf), in batches from a bounded queue (a slow collector drops spans, it never slows or
fails a request). The API is narrow on purpose, so the executor and the subgraph client survive
a rewrite without knowing OpenTelemetry: `Tracing.middleware` opens the request's span at the
HTTP edge, `Tracing.source_call` one child span per HTTP request to a source.

Privacy: spans carry the route template (never the path: a REST path holds a vumID), methods,
status codes, the source's bronID and its host; no query, variables, token, vumID, vraagID or
record data. Source calls outside a traced request (the periodic schema checks) are not traced,
and a trace context sent by a caller is not continued: every request starts its own trace.

OpenTelemetry is imported only when tracing is on: its SDK and exporter cost ~0.15 s of start-up.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit

from starlette.middleware import Middleware
from starlette.routing import BaseRoute, Match, Mount, Route
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from .config import TracingConfig

if TYPE_CHECKING:
    from opentelemetry import trace
    from opentelemetry.sdk.trace import TracerProvider

log = logging.getLogger("vum.tracing")

TRACED_PREFIXES = ("/graphql", "/api/")  # probes, metrics and keys would only add noise


class SourceCall:
    """The span of one HTTP request to a source; the subgraph client reports its outcome here."""

    def __init__(self, span: trace.Span | None) -> None:
        self.span = span

    def headers(self) -> dict[str, str]:
        """W3C trace context for the source, so its own spans (if it traces) join this trace."""
        carrier: dict[str, str] = {}
        if self.span is not None:
            from opentelemetry.propagate import inject

            inject(carrier)
        return carrier

    def answered(self, http_status: int) -> None:
        if self.span is not None:
            self.span.set_attribute("http.response.status_code", http_status)

    def finished(self, status: str, graphql_errors: int = 0) -> None:
        """`status`: OK (a well-formed GraphQL answer, perhaps with errors), TIMEOUT or ERROR."""
        if self.span is None:
            return
        self.span.set_attribute("vum.source.status", status)
        self.span.set_attribute("vum.source.graphql_errors", graphql_errors)
        if status != "OK":
            from opentelemetry.trace import Status, StatusCode

            self.span.set_status(Status(StatusCode.ERROR, status))


NOT_TRACED = SourceCall(None)


class Tracing:
    """The gateway's tracer; a no-op without an endpoint."""

    def __init__(self, config: TracingConfig) -> None:
        self.config = config
        self._provider: TracerProvider | None = None
        self._tracer: trace.Tracer | None = None  # None: off (a no-op tracer, made when asked)
        url = config.traces_url
        if url is not None:
            self._provider = _provider(config, url)
            self._tracer = self._provider.get_tracer("vum-gateway")
            log.info("tracing: spans to %s (%.0f %% of requests)", url, 100 * config.sample_ratio)

    @classmethod
    def off(cls) -> Tracing:
        return cls(TracingConfig())

    @property
    def enabled(self) -> bool:
        return self._provider is not None

    @contextmanager
    def request(self, method: str, route: str) -> Iterator[trace.Span]:
        """The root span of one request (a new trace)."""
        from opentelemetry import trace

        tracer = self._tracer or trace.NoOpTracer()
        with tracer.start_as_current_span(
            f"{method} {route}",
            context=trace.set_span_in_context(trace.INVALID_SPAN),  # never continue a caller's trace
            kind=trace.SpanKind.SERVER,
            attributes={"http.request.method": method, "http.route": route},
            record_exception=False,  # an exception's message may quote request data
        ) as span:
            yield span

    @contextmanager
    def source_call(self, bron_id: str, url: str) -> Iterator[SourceCall]:
        """A child span for one HTTP request to a source, inside a traced request only."""
        if self._tracer is None:
            yield NOT_TRACED
            return
        from opentelemetry import trace

        if not trace.get_current_span().is_recording():
            yield NOT_TRACED
            return
        address = urlsplit(url)
        attributes: dict[str, Any] = {
            "vum.bron_id": bron_id,
            "http.request.method": "POST",
            "server.address": address.hostname or "",
        }
        if address.port:
            attributes["server.port"] = address.port
        with self._tracer.start_as_current_span(
            f"POST {bron_id}", kind=trace.SpanKind.CLIENT, attributes=attributes, record_exception=False
        ) as span:
            yield SourceCall(span)

    def middleware(self, routes: Sequence[BaseRoute]) -> list[Middleware]:
        """The middleware that opens a span around every GraphQL and REST request (none when off)."""
        return [Middleware(TracingMiddleware, tracing=self, routes=routes)] if self.enabled else []

    def flush(self) -> None:
        if self._provider is not None:
            self._provider.force_flush()

    def shutdown(self) -> None:
        """Export what is queued and stop (at the gateway's stop)."""
        if self._provider is not None:
            self._provider.shutdown()


class TracingMiddleware:
    """ASGI: the request's root span, named by its route template, with the response status."""

    def __init__(self, app: ASGIApp, tracing: Tracing, routes: Sequence[BaseRoute]) -> None:
        self.app = app
        self.tracing = tracing
        self.routes = routes

    def route_of(self, scope: Scope) -> str:
        # never the path itself: it may hold a vumID
        return _template(self.routes, scope, "") or "(unknown route)"

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or not str(scope["path"]).startswith(TRACED_PREFIXES):
            await self.app(scope, receive, send)
            return
        from opentelemetry.trace import Status, StatusCode  # installed only when tracing is on

        with self.tracing.request(scope["method"], self.route_of(scope)) as span:

            async def traced_send(message: Message) -> None:
                if message["type"] == "http.response.start":
                    status = int(message["status"])
                    span.set_attribute("http.response.status_code", status)
                    if status >= 500:
                        span.set_status(Status(StatusCode.ERROR))
                await send(message)

            await self.app(scope, receive, traced_send)


def _provider(config: TracingConfig, url: str) -> TracerProvider:
    """The SDK's provider, exporting to `url` in batches from a bounded queue."""
    from opentelemetry.exporter.otlp.proto.http.trace_exporter import OTLPSpanExporter
    from opentelemetry.sdk.resources import Resource
    from opentelemetry.sdk.trace import TracerProvider
    from opentelemetry.sdk.trace.export import BatchSpanProcessor
    from opentelemetry.sdk.trace.sampling import ParentBased, TraceIdRatioBased

    provider = TracerProvider(
        resource=Resource.create({"service.name": config.service_name}),
        sampler=ParentBased(TraceIdRatioBased(config.sample_ratio)),
    )
    exporter = OTLPSpanExporter(endpoint=url, timeout=config.export_timeout)
    provider.add_span_processor(BatchSpanProcessor(exporter, max_queue_size=config.max_queue_size))
    return provider


def _template(routes: Sequence[BaseRoute], scope: Scope, prefix: str) -> str | None:
    """The path template of the route that serves `scope`, e.g. /api/v3/vacatures/{vumID}."""
    for route in routes:
        match, child = route.matches(scope)
        if match is Match.NONE:
            continue
        if isinstance(route, Mount):
            return _template(route.routes, {**scope, **child}, prefix + route.path)
        if isinstance(route, Route):
            return prefix + route.path
    return None
