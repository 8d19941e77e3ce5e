"""One line of a run: call the action, record the outcome, tell whether a retry is safe.

A line's outcome is never an exception: every failure, a plugin's own bug
included, becomes an error record with `"retry": "safe"` or `"unknown"`.
"""

from __future__ import annotations

import threading
from typing import Any

from connector.batch.calls import Calls, line_calls
from connector.batch.engine import NOT_RUN, Outcome, record, write_error
from connector.batch.lines import Line
from connector.batch.records import SAFE, UNKNOWN, RecordSink, UnrecordableError
from connector.errors import ApiError, TransportError
from connector.ratelimit import CancelledError
from connector.redact import Secrets, redact, scope
from connector.retry import WaitPastDeadlineError
from connector.runtime import Runtime


class LineRunner:
    """Runs lines of one action and records each outcome."""

    def __init__(self, runtime: Runtime, key: str, results: RecordSink,
                 stop: threading.Event, secrets: Secrets) -> None:
        self.runtime = runtime
        self.key = key
        self.results = results
        self.stop = stop
        self.secrets = secrets
        self.lifts_retry_limits = runtime.policy.retry_on_all_errors

    def run(self, line: Line, occurrence: int) -> Outcome:
        """Call the action for one line and record the outcome (never raises)."""
        if self.stop.is_set():  # queued when the run began to stop
            outcome = Outcome(line, NOT_RUN)
        else:
            with scope(self.secrets):  # a worker thread starts with no masking scope
                outcome = self._run(line, occurrence)
        self.runtime.events.line_done(self.key, outcome.status)
        return outcome

    def _run(self, line: Line, occurrence: int) -> Outcome:
        calls = Calls(lambda: self.results.write(record(self.key, line, occurrence, "started")))
        try:
            with line_calls(calls):
                output = self.runtime.run(self.key, line.values)
        except BaseException as exc:  # a plugin's bug (even SystemExit) is this line's error
            retry = self._retry(exc, calls)
            if retry == NOT_RUN:
                return Outcome(line, NOT_RUN)
            connect = redact(str(exc), self.secrets) if _could_not_connect(exc) else None
            return self.write_error(line, occurrence, exc, retry, values=line.values,
                                    connect_error=connect, answered=_answered(exc))
        try:
            self.results.write(record(self.key, line, occurrence, "ok", input=line.values,
                                      output=output))
        except Exception as exc:  # done, but its answer cannot be kept
            retry = UNKNOWN if calls.writes else SAFE
            error = UnrecordableError(
                f"the call succeeded but its outcome could not be recorded: "
                f"{type(exc).__name__}: {exc}")
            return self.write_error(line, occurrence, error, retry, answered=True)
        return Outcome(line, "ok", answered=True)

    def write_error(self, line: Line, occurrence: int, exc: BaseException, retry: str,
                    values: Any = None, **outcome: Any) -> Outcome:
        """Record an error (`engine.write_error`); a line whose outcome cannot be kept stops
        the run at once: no other call may start."""
        done = write_error(self.results, self.key, line, occurrence, exc, retry, values,
                           **outcome)
        if done.unrecorded:
            self.stop.set()
        return done

    def _retry(self, exc: BaseException, calls: Calls) -> str:
        """SAFE when the call surely took no effect, UNKNOWN when it may have."""
        if calls.sent == 0:  # nothing went out
            return NOT_RUN if isinstance(exc, CancelledError) else SAFE
        if calls.writes == 0:
            return SAFE  # only idempotent requests were sent
        if calls.writes > 1 or not calls.last_is_write:
            return UNKNOWN  # a write went out before the request that failed
        sent = getattr(exc, "sent", None)
        if isinstance(sent, bool):  # the transport knows whether the write left
            return UNKNOWN if sent else SAFE
        # Earlier tries of this write were 429s (nothing done) unless every error is
        # retried: then one may have been a 5xx that took effect.
        earlier_may_count = self.lifts_retry_limits and calls.attempts > 1
        if isinstance(exc, CancelledError | WaitPastDeadlineError):  # held before a retry
            return UNKNOWN if earlier_may_count else SAFE
        if isinstance(exc, ApiError) and exc.status is not None and 400 <= exc.status < 500:
            return UNKNOWN if earlier_may_count else SAFE  # the API refused it: no change
        return UNKNOWN


def _could_not_connect(exc: BaseException) -> bool:
    """No connection to the API at all: nothing was sent for want of a connection."""
    return isinstance(exc, TransportError) and exc.sent is False


def _answered(exc: BaseException | None) -> bool:
    """The API (or something at its address) took the request."""
    if isinstance(exc, WaitPastDeadlineError) and exc.status is None:
        return False  # the limiter refused to wait: nothing reached the API
    return exc is None or isinstance(exc, ApiError) or (
        isinstance(exc, TransportError) and exc.sent is not False)
