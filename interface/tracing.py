"""OpenTelemetry request tracing, off unless INSCRIBE_TRACING is `console` or `otlp` (the `tracing` extra:
opentelemetry-sdk, and opentelemetry-exporter-otlp-proto-http for otlp, configured by the standard
OTEL_EXPORTER_OTLP_* variables).

Litestar's OpenTelemetry plugin needs opentelemetry-instrumentation-asgi; where that package is
installed it is used, otherwise a span per request is made here: named by the route template (never a
path with ids in it), with the method, route, status and the correlation id as attributes.
"""

from __future__ import annotations

from typing import Any

from litestar.enums import ScopeType
from litestar.types import ASGIApp, Message, Receive, Scope, Send

from interface.logs import current_ids


def tracer_provider(mode: str) -> Any:
    """An SDK tracer provider exporting to the console or over OTLP/HTTP."""
    from opentelemetry.sdk.resources import Resource
    from opentelemetry.sdk.trace import TracerProvider
    from opentelemetry.sdk.trace.export import BatchSpanProcessor, ConsoleSpanExporter, SpanExporter

    exporter: SpanExporter
    if mode == "otlp":
        from opentelemetry.exporter.otlp.proto.http.trace_exporter import OTLPSpanExporter

        exporter = OTLPSpanExporter()
    else:
        exporter = ConsoleSpanExporter()
    provider = TracerProvider(resource=Resource.create({"service.name": "inscribe"}))
    provider.add_span_processor(BatchSpanProcessor(exporter))
    return provider


def tracing_middleware(mode: str, provider: Any = None) -> list[Any]:
    """The middleware that traces requests, none when `mode` is off. `provider` (tests) replaces the
    exporter chosen by `mode`."""
    if mode == "off":
        return []
    provider = provider or tracer_provider(mode)
    try:
        from litestar.plugins.opentelemetry import OpenTelemetryConfig

        return [OpenTelemetryConfig(tracer_provider=provider).middleware]
    except ImportError:  # no opentelemetry-instrumentation-asgi: our own span per request
        pass
    tracer = provider.get_tracer("inscribe")

    def factory(app: ASGIApp) -> ASGIApp:
        async def middleware(scope: Scope, receive: Receive, send: Send) -> None:
            if scope["type"] != ScopeType.HTTP:
                await app(scope, receive, send)
                return
            route = scope.get("path_template") or "unmatched"
            with tracer.start_as_current_span(f"{scope['method']} {route}", kind=_server_kind()) as span:
                span.set_attribute("http.request.method", scope["method"])
                span.set_attribute("http.route", route)
                ids = current_ids()
                if ids is not None:
                    span.set_attribute("inscribe.correlation_id", ids.correlation_id)

                async def sending(message: Message) -> None:
                    if message["type"] == "http.response.start":
                        span.set_attribute("http.response.status_code", message["status"])
                    await send(message)

                await app(scope, receive, sending)

        return middleware

    return [factory]


def _server_kind() -> Any:
    from opentelemetry.trace import SpanKind

    return SpanKind.SERVER
