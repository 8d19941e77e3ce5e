"""OpenTelemetry traces of every call, as an observer of the runtime (the `otel` extra).

`Tracing` makes one span per call (a request with its retries, named by its
action) and one child span per HTTP attempt, with the HTTP client semantic
conventions: `http.request.method`, `url.template` (the path template, never
a path with ids), `server.address`, `server.port`,
`http.response.status_code`, `http.request.resend_count`, and `error.type`
(the error's code), plus `segment.action`. No attribute holds the token, a
secret field, an id, a request body or an error message.

Used only when OpenTelemetry is installed and configured: `from_environment()`
gives a `Tracing` when the process already has a tracer provider (set by the
host, or by a test with an in-memory exporter), or when the standard
variables ask for one (`OTEL_TRACES_EXPORTER` `otlp` or `console`, or
`OTEL_EXPORTER_OTLP_ENDPOINT`; `OTEL_SDK_DISABLED=true` turns it off), and
None otherwise. The console exporter writes to stderr: stdout is a command's
answer. `inject()` and `extract()` carry the trace context in a
Celery message's headers, so a distributed line is one trace.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit

from connector import __version__
from connector.errors import ApiError, error_code
from connector.events import Exchange, Observer

if TYPE_CHECKING:
    from connector.transport import HttpResponse

NAME = "segment_connector"
_CALL, _ATTEMPT = "tracing.call", "tracing.attempt"
HEADERS = ("traceparent", "tracestate")  # W3C trace context: what crosses a message


def installed() -> bool:
    try:
        import opentelemetry.trace  # noqa: F401
    except ImportError:
        return False
    return True


def _configured() -> bool:
    """A tracer provider is set, or the OTEL_* variables ask for one (then made here).

    Nothing is imported when neither can be: a host that set a provider has imported
    OpenTelemetry already, so a command with no OTEL_* variables starts as fast as before.
    """
    if os.environ.get("OTEL_SDK_DISABLED", "").strip().lower() == "true":
        return False
    exporter_name = os.environ.get("OTEL_TRACES_EXPORTER", "").strip().lower()
    wanted = exporter_name not in ("", "none") or bool(
        os.environ.get("OTEL_EXPORTER_OTLP_ENDPOINT"))
    if not wanted and "opentelemetry.trace" not in sys.modules:
        return False
    if not installed():
        return False
    from opentelemetry import trace

    if not isinstance(trace.get_tracer_provider(), trace.ProxyTracerProvider):
        return True  # the host (or a test) set one
    return wanted and _install(exporter_name or "otlp")


def _install(exporter_name: str) -> bool:
    """An SDK tracer provider with the exporter the variables name (resource, endpoint and
    the rest read by the SDK from the environment)."""
    try:
        from opentelemetry import trace
        from opentelemetry.sdk.trace import TracerProvider
        from opentelemetry.sdk.trace.export import BatchSpanProcessor, ConsoleSpanExporter
    except ImportError:  # the API without the SDK: nothing to export with
        return False
    exporter: Any
    if exporter_name == "console":
        exporter = ConsoleSpanExporter(out=sys.stderr)  # stdout is the command's answer
    else:
        try:
            from opentelemetry.exporter.otlp.proto.http.trace_exporter import OTLPSpanExporter
        except ImportError:
            return False  # no exporter installed for what the variables ask
        exporter = OTLPSpanExporter()
    provider = TracerProvider()
    provider.add_span_processor(BatchSpanProcessor(exporter))
    trace.set_tracer_provider(provider)
    return True


def from_environment() -> Tracing | None:
    return Tracing() if _configured() else None


class Tracing(Observer):
    """One span per call, one child per attempt, on the current trace context."""

    def __init__(self, tracer_provider: Any = None) -> None:
        from opentelemetry import trace

        self._trace = trace
        self.tracer = trace.get_tracer(NAME, __version__, tracer_provider=tracer_provider)

    def request(self, ex: Exchange) -> None:
        kind = self._trace.SpanKind.INTERNAL
        ex.notes[_CALL] = self.tracer.start_span(
            ex.action or "request", kind=kind, attributes={"segment.action": ex.action})

    def attempt(self, ex: Exchange) -> None:
        self._end_attempt(ex, None)  # one that another observer stopped before it went out

    def turn(self, ex: Exchange) -> None:
        call = ex.notes.get(_CALL)
        parts = urlsplit(ex.request.url)
        attributes: dict[str, Any] = {
            "http.request.method": ex.method, "server.address": parts.hostname or "",
            "server.port": parts.port or (443 if parts.scheme == "https" else 80),
            "segment.action": ex.action}
        if ex.route:
            attributes["url.template"] = ex.route
        if ex.attempt > 1:
            attributes["http.request.resend_count"] = ex.attempt - 1
        parent = self._trace.set_span_in_context(call) if call is not None else None
        name = f"{ex.method} {ex.route}" if ex.route else ex.method
        ex.notes[_ATTEMPT] = self.tracer.start_span(
            name, context=parent, kind=self._trace.SpanKind.CLIENT, attributes=attributes)

    def answer(self, ex: Exchange, response: HttpResponse | None,
               error: BaseException | None) -> None:
        span = ex.notes.get(_ATTEMPT)
        if span is None:
            return
        status = response.status if response is not None else (
            error.status if isinstance(error, ApiError) else None)
        if status is not None:
            span.set_attribute("http.response.status_code", status)
        self._end_attempt(ex, error)

    def _end_attempt(self, ex: Exchange, error: BaseException | None) -> None:
        span = ex.notes.pop(_ATTEMPT, None)
        if span is None:
            return
        if error is not None:
            span.set_attribute("error.type", error_code(error))
            span.set_status(self._trace.Status(self._trace.StatusCode.ERROR))
        span.end()

    def done(self, ex: Exchange, response: HttpResponse) -> None:
        self._end_attempt(ex, None)
        span = ex.notes.pop(_CALL, None)
        if span is not None:
            span.end()

    def give_up(self, ex: Exchange, error: BaseException) -> None:
        self._end_attempt(ex, error)
        span = ex.notes.pop(_CALL, None)
        if span is not None:
            span.set_attribute("error.type", error_code(error))
            span.set_status(self._trace.Status(self._trace.StatusCode.ERROR))
            span.end()


# -- across a message -------------------------------------------------------------
@contextmanager
def sending(name: str, attributes: Mapping[str, Any]) -> Iterator[dict[str, str]]:
    """A producer span around sending one message; yields the headers that carry it."""
    headers: dict[str, str] = {}
    if not _configured():
        yield headers
        return
    from opentelemetry import propagate, trace

    tracer = trace.get_tracer(NAME, __version__)
    with tracer.start_as_current_span(name, kind=trace.SpanKind.PRODUCER,
                                      attributes=dict(attributes)):
        propagate.inject(headers)
        yield {k: v for k, v in headers.items() if k in HEADERS}


@contextmanager
def receiving(name: str, headers: Mapping[str, Any],
              attributes: Mapping[str, Any]) -> Iterator[None]:
    """A consumer span, child of the one the message's `headers` carry, made current."""
    if not _configured():
        yield
        return
    from opentelemetry import propagate, trace

    carrier = {k: str(headers[k]) for k in HEADERS if isinstance(headers.get(k), str)}
    tracer = trace.get_tracer(NAME, __version__)
    with tracer.start_as_current_span(name, context=propagate.extract(carrier),
                                      kind=trace.SpanKind.CONSUMER,
                                      attributes=dict(attributes)):
        yield
