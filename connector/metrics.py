"""Prometheus metrics of every call, as an observer of the runtime (`prometheus-client`).

`Metrics` is an `Observer` (`connector.events`) that counts, in a registry of
its own:

- `segment_connector_requests_total{action,method,status}`: requests sent,
  by the answer's status, or the error's code when no answer came
  (`timeout`, `connection`): what the API received, attempt by attempt;
- `segment_connector_request_duration_seconds{action,method}`: each
  attempt's time, from its turn to its answer;
- `segment_connector_calls_total{action,outcome}`: calls (a request with its
  retries), `ok` or the code of the error they ended with;
- `segment_connector_retries_total{action,error}`: retries, by the code of
  the error retried;
- `segment_connector_rate_limited_total{action}`: 429 answers;
- `segment_connector_wait_seconds_total{action,kind}`: time waited, by kind
  (`backoff`, `rate_limit`: a 429's asked wait, `hold`: the rate limiter's);
- `segment_connector_bulk_lines_total{action,outcome}`: bulk-run lines;
- `segment_connector_circuit_state{host}`: 0 closed, 1 open, 0.5 half-open.

Labels are closed sets: an action key of the registry, an HTTP method, a
status or an error code, an API host of the operator's configuration. None
carries a token, an id or a free-form input.

Installed with the `serve` and `distributed` extras; prometheus-client loads
when the first `Metrics` is made, so `share_between_processes` can turn on its
multiprocess mode before.
"""

from __future__ import annotations

import os
import tempfile
import time
from typing import TYPE_CHECKING, Any

from connector.circuit import CLOSED, HALF_OPEN, OPEN
from connector.errors import ApiError, TransportError, error_code
from connector.events import HOLD, Exchange, Observer

if TYPE_CHECKING:
    from prometheus_client import CollectorRegistry

    from connector.transport import HttpResponse

MULTIPROC_ENV = "PROMETHEUS_MULTIPROC_DIR"
_CIRCUIT = {CLOSED: 0.0, OPEN: 1.0, HALF_OPEN: 0.5}
_STARTED, _ATTEMPT = "metrics.started", "metrics.attempt"


def _action(ex: Exchange) -> str:
    return ex.action or "none"


class Metrics(Observer):
    """Counts calls into `registry` (a new one by default: tests and services each own one)."""

    def __init__(self, registry: CollectorRegistry | None = None) -> None:
        from prometheus_client import CollectorRegistry, Counter, Gauge, Histogram

        self.registry = registry if registry is not None else CollectorRegistry()
        r = self.registry
        self.requests = Counter("segment_connector_requests", "Requests sent to the API, by "
                                "the answer's status or, with no answer, the error's code",
                                ["action", "method", "status"], registry=r)
        self.duration = Histogram("segment_connector_request_duration_seconds",
                                  "Time of each attempt, from its turn to its answer",
                                  ["action", "method"], registry=r)
        self.calls = Counter("segment_connector_calls", "Calls (a request with its retries), "
                             "by outcome: ok, or the code of the error they ended with",
                             ["action", "outcome"], registry=r)
        self.retries = Counter("segment_connector_retries", "Retries, by the code of the "
                               "error retried", ["action", "error"], registry=r)
        self.rate_limited = Counter("segment_connector_rate_limited", "429 answers",
                                    ["action"], registry=r)
        self.waited = Counter("segment_connector_wait_seconds", "Time waited, by kind: "
                              "backoff, rate_limit (a 429's asked wait), hold (the rate "
                              "limiter's)", ["action", "kind"], registry=r)
        self.lines = Counter("segment_connector_bulk_lines", "Bulk-run lines, by outcome",
                             ["action", "outcome"], registry=r)
        self.circuit = Gauge("segment_connector_circuit_state", "Circuit of an API host: "
                             "0 closed, 1 open, 0.5 half-open", ["host"], registry=r)
        self._children: dict[tuple[Any, ...], Any] = {}

    def _of(self, metric: Any, *labels: str) -> Any:
        """`metric.labels(*labels)`, kept: the labels are closed sets, and the library
        checks and locks on every `labels` call."""
        child = self._children.get((metric, *labels))
        if child is None:
            child = self._children[(metric, *labels)] = metric.labels(*labels)
        return child

    # -- the moments of a call ---------------------------------------------------
    def attempt(self, ex: Exchange) -> None:
        ex.notes[_ATTEMPT] = time.monotonic()

    def turn(self, ex: Exchange) -> None:
        now = ex.notes[_STARTED] = time.monotonic()
        held = now - ex.notes.pop(_ATTEMPT, now)
        if held > 0.001:  # the rate limiter held the attempt: measured, however short
            self._of(self.waited, _action(ex), HOLD).inc(held)

    def answer(self, ex: Exchange, response: HttpResponse | None,
               error: BaseException | None) -> None:
        status: Any
        if response is not None:
            status = response.status
        elif isinstance(error, ApiError):
            status = error.status or "none"
        elif isinstance(error, TransportError) and error.sent:
            status = error.code  # no answer; the request may have arrived
        else:
            return  # nothing left this machine: no request to count
        action = _action(ex)
        self._of(self.requests, action, ex.method, str(status)).inc()
        started = ex.notes.pop(_STARTED, None)
        if started is not None:
            self._of(self.duration, action, ex.method).observe(time.monotonic() - started)
        if status == 429:
            self._of(self.rate_limited, action).inc()

    def retry(self, ex: Exchange, error: BaseException, wait: float) -> None:
        self._of(self.retries, _action(ex), error_code(error)).inc()

    def wait(self, ex: Exchange, seconds: float, kind: str, reason: str) -> None:
        if kind != HOLD:  # holds are measured at the attempt's turn
            self._of(self.waited, _action(ex), kind).inc(seconds)

    def done(self, ex: Exchange, response: HttpResponse) -> None:
        self._of(self.calls, _action(ex), "ok").inc()

    def give_up(self, ex: Exchange, error: BaseException) -> None:
        self._of(self.calls, _action(ex), error_code(error)).inc()

    def line_done(self, action: str, outcome: str) -> None:
        self._of(self.lines, action, outcome).inc()

    # -- other sources -------------------------------------------------------------
    def circuit_changed(self, host: str, state: str) -> None:
        """`Circuit(on_change=...)`: the state of `host`'s circuit."""
        self._of(self.circuit, host).set(_CIRCUIT.get(state, 0.0))

    def collected(self) -> CollectorRegistry:
        """What to serve: this registry, or under the library's multiprocess mode
        (`PROMETHEUS_MULTIPROC_DIR` set: prefork workers, `serve --workers N`) one that
        sums every process's counts."""
        if os.environ.get(MULTIPROC_ENV):
            from prometheus_client import CollectorRegistry, multiprocess

            merged = CollectorRegistry()
            multiprocess.MultiProcessCollector(merged)
            return merged
        return self.registry

    def exposition(self) -> tuple[bytes, str]:
        """The metrics in Prometheus' text format, and its content type."""
        from prometheus_client import generate_latest
        from prometheus_client.exposition import CONTENT_TYPE_LATEST

        return generate_latest(self.collected()), CONTENT_TYPE_LATEST


def share_between_processes() -> None:
    """Turn on the library's multiprocess mode for the processes this one starts (a
    directory of their counts), unless it is on. Call before prometheus-client loads
    in them: here, before they are forked or spawned."""
    if not os.environ.get(MULTIPROC_ENV):
        os.environ[MULTIPROC_ENV] = tempfile.mkdtemp(prefix="segment-metrics-")
