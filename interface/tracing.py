"""OpenTelemetry request tracing, off unless INSCRIBE_TRACING is `console` or `otlp` (the `tracing` extra:
opentelemetry-sdk and opentelemetry-instrumentation-asgi, and opentelemetry-exporter-otlp-proto-http for otlp,
configured by the standard OTEL_EXPORTER_OTLP_* variables).

Litestar's OpenTelemetry plugin makes a span per request, named by the route template (never a path with ids
in it: the span names stay few, and an id is not a name), with the correlation id as an attribute.
"""

from __future__ import annotations

from typing import Any

from litestar.types import ASGIApp, Receive, Scope, Send

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


def name_span(app: ASGIApp) -> ASGIApp:
    """Name the request's span by its route template once routed (Litestar's plugin starts the span before
    routing, named by the raw path), with the correlation id as an attribute."""
    from opentelemetry import trace

    async def middleware(scope: Scope, receive: Receive, send: Send) -> None:
        span = trace.get_current_span()
        route = scope.get("path_template")
        if route and span.is_recording():
            span.update_name(f"{scope.get('method', '')} {route}".strip())
            span.set_attribute("http.route", route)
            ids = current_ids()
            if ids is not None:
                span.set_attribute("inscribe.correlation_id", ids.correlation_id)
        await app(scope, receive, send)

    return middleware


def tracing_middleware(mode: str, provider: Any = None) -> list[Any]:
    """The middleware that traces requests, none when `mode` is off. `provider` (tests) replaces the
    exporter chosen by `mode`."""
    if mode == "off":
        return []
    from litestar.plugins.opentelemetry import OpenTelemetryConfig

    config = OpenTelemetryConfig(tracer_provider=provider or tracer_provider(mode), exclude_spans=["receive", "send"])
    return [config.middleware, name_span]
