"""One bulk run, whoever calls its lines: the rules every run keeps, written once.

`Engine.drive` reads the input ahead of the calls (a line at most `window`
ahead), knows each line by its fingerprint and occurrence, asks the results
file what an earlier run left (`earlier_outcome`: skip what is done, record
a `started` with nothing after it as an unknown outcome, leave an unknown
outcome alone unless `retry_unknown`), records the lines that cannot be read,
hands every other line to its dispatcher, and tallies each outcome that comes
back (`tally`): the counts of the summary, the lines of unknown outcome, and
the stop after `threshold` calls in a row that could not connect at all.
SIGINT/SIGTERM, a results file that takes no more records and that stop all
end it the same way (`halt`): no new line starts, the dispatcher gives up what
it has not started, and what is in flight is recorded.

Two dispatchers call the lines: a pool of threads in this process
(`connector.batch.run`) and Celery workers (`connector.distributed.coordinator`).
`record` builds every record of a results file.
"""

from __future__ import annotations

import signal
import threading
import time
from collections import Counter
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any, Protocol

from connector.batch.lines import Line
from connector.batch.records import (
    SAFE,
    UNKNOWN,
    OutcomeUnknownError,
    RecordSink,
    UnrecordableError,
    error_object,
)
from connector.batch.summary import BatchSummary
from connector.progress import Progress

NOT_RUN = "not_run"
SKIP, DIED, LEFT_UNKNOWN = "skip", "died", "left_unknown"


@dataclass
class Outcome:
    line: Line
    status: str  # "ok", "error" or NOT_RUN
    retry: str | None = None
    connect_error: str | None = None  # set when no connection could be made
    answered: bool = False
    unrecorded: str | None = None  # the results file refused even a short record
    error: dict[str, Any] | None = None  # the record's `error`, for the run's digest


def record(action: str, line: Line, occurrence: int, status: str,
           **fields: Any) -> dict[str, Any]:
    """One record of a results file: the line's identity, its status, its fields."""
    return {"action": action, "line": line.number, "fingerprint": line.fingerprint,
            "occurrence": occurrence, "status": status, **fields}


def write_error(sink: RecordSink, action: str, line: Line, occurrence: int,
                exc: BaseException, retry: str, values: Any = None,
                **outcome: Any) -> Outcome:
    """Record an error; without the input when that cannot be written; never raises
    (`Outcome.unrecorded` says when even the short record could not be kept)."""
    fields: dict[str, Any] = {"error": error_object(exc), "retry": retry}
    if values is not None:
        fields["input"] = values
    if line.excerpt is not None:
        fields["excerpt"] = line.excerpt
    try:
        sink.write(record(action, line, occurrence, "error", **fields))
    except Exception as first:
        try:  # the input (or the error's fields) cannot be written: the error alone
            brief = UnrecordableError(f"{error_object(exc)['message']} (the full record "
                                      f"could not be written: {type(first).__name__}: "
                                      f"{first})")
            sink.write(record(action, line, occurrence, "error",
                              error=error_object(brief), retry=retry))
        except Exception as second:
            outcome["unrecorded"] = f"{type(second).__name__}: {second}"
    return Outcome(line, "error", retry, error=fields["error"], **outcome)


def earlier_outcome(prev: tuple[str, str | None] | None, retry_unknown: bool) -> str | None:
    """What an earlier run's last record of a line (`(status, retry)`) asks of this one:
    None to run it, SKIP (done), DIED (a `started` with nothing after it: record the
    unknown outcome) or LEFT_UNKNOWN (recorded as unknown: left alone)."""
    if prev is None:
        return None
    status, retry = prev
    if status == "ok":
        return SKIP
    if (status == "error" and retry == SAFE) or retry_unknown:
        return None
    return DIED if status == "started" else LEFT_UNKNOWN


def died_in_flight() -> OutcomeUnknownError:
    return OutcomeUnknownError("outcome unknown: the process stopped while this call was in "
                               "flight; check the workspace, then rerun with retry_unknown")


class Dispatcher(Protocol):
    """What calls the lines: `send` starts one, `pump` waits a little and hands each
    outcome that came back to `Engine.tally`; `in_flight` counts the lines sent whose
    outcome has not come. A dispatcher that must act when the run stops (give up what
    it queued, cancel held calls) registers in `Engine.on_halt`."""

    def in_flight(self) -> int: ...

    def send(self, line: Line, occurrence: int) -> None: ...

    def pump(self) -> None: ...


class Engine:
    """One run's rules and tallies; a dispatcher calls its lines."""

    def __init__(self, action: str, results: Any, summary: BatchSummary, bar: Progress,
                 retry_unknown: bool, threshold: int, where: str | None = None) -> None:
        self.action, self.results, self.summary, self.bar = action, results, summary, bar
        self.retry_unknown, self.threshold, self.where = retry_unknown, threshold, where
        self.stop = threading.Event()
        self.failing: list[str] = []  # connection errors since the last answer
        self.on_halt: list[Callable[[], None]] = []  # told when the run begins to stop
        self.started_at = time.monotonic()

    # -- stopping ------------------------------------------------------------------
    def halt(self, reason: str, message: str = "") -> None:
        """No new line starts; the first reason given is the summary's."""
        if self.summary.stopped is None:
            self.summary.stopped, self.summary.message = reason, message
        self.stop.set()
        for tell in self.on_halt:
            tell()

    def on_signal(self, signum: int, _frame: Any) -> None:
        self.summary.interrupted, self.summary.signal = True, signum
        if self.summary.stopped is None:
            self.summary.stopped = "signal"
            self.summary.message = f"interrupted by signal {signum}"
        self.stop.set()  # the dispatcher is told from the loop, not inside a handler

    @contextmanager
    def signals(self, handle: bool) -> Iterator[None]:
        """SIGINT and SIGTERM stop the run while inside (from the main thread only)."""
        previous: dict[int, Any] = {}
        if handle and threading.current_thread() is threading.main_thread():
            for sig in (signal.SIGINT, signal.SIGTERM):
                previous[sig] = signal.signal(sig, self.on_signal)
        try:
            yield
        finally:
            for signum, handler in previous.items():
                signal.signal(signum, handler)

    # -- outcomes ------------------------------------------------------------------
    def write_error(self, line: Line, occurrence: int, exc: BaseException, retry: str,
                    values: Any = None) -> Outcome:
        return write_error(self.results, self.action, line, occurrence, exc, retry, values)

    def tally(self, outcome: Outcome) -> None:
        summary = self.summary
        if outcome.status == NOT_RUN:
            summary.not_run += 1
            return
        ok = outcome.status == "ok"
        summary.ok += ok
        summary.errors += not ok
        summary.failures.add(outcome.error, outcome.line.number)
        if outcome.retry == UNKNOWN:
            summary.unknown_lines.append(outcome.line.number)
        self.bar.update(ok)
        if outcome.unrecorded:
            self.halt("results", f"cannot write {summary.results_path}: "
                      f"{outcome.unrecorded}; stopped at line {outcome.line.number}")
        if outcome.answered:
            self.failing.clear()
        elif outcome.connect_error:
            self.failing.append(outcome.connect_error)
            if len(self.failing) >= self.threshold:
                done = summary.ok + summary.errors + summary.skipped
                where = f"could not connect to {self.where}: " if self.where else ""
                self.halt("connection", f"{where}{self.failing[-1]}; stopped after "
                          f"{done} lines")

    # -- the run -------------------------------------------------------------------
    def drive(self, source: Iterable[tuple[int, Any]], parse: Callable[[int, Any], Line],
              countable: bool, dispatcher: Dispatcher, window: int) -> None:
        """Every line of `source` ends ok, skipped, not run or with an error record."""
        summary, stop = self.summary, self.stop
        occurrences: Counter[str] = Counter()
        for number, item in source:
            if stop.is_set():
                if not countable:
                    break  # stdin or a generator: the rest is not read
                summary.not_run += 1
                continue
            line = parse(number, item)
            occurrences[line.fingerprint] += 1
            occurrence = occurrences[line.fingerprint]
            if line.problem is not None:
                self.tally(self.write_error(line, occurrence, line.problem, SAFE))
                continue
            earlier = earlier_outcome(self.results.state.get((line.fingerprint, occurrence)),
                                      self.retry_unknown)
            if earlier == SKIP:
                summary.skipped += 1
                self.bar.update(True, skipped=True)
                continue
            if earlier == DIED:  # died mid-call: say so in the file
                self.tally(self.write_error(line, occurrence, died_in_flight(), UNKNOWN,
                                            values=line.values))
                continue
            if earlier == LEFT_UNKNOWN:  # recorded as unknown before: left alone
                summary.errors += 1
                summary.unknown_lines.append(number)
                self.bar.update(False, skipped=True)
                continue
            while dispatcher.in_flight() >= window and not stop.is_set():
                dispatcher.pump()
            if stop.is_set():
                summary.not_run += 1
                continue
            dispatcher.send(line, occurrence)
        while dispatcher.in_flight():
            dispatcher.pump()

    def finish(self) -> BatchSummary:
        summary = self.summary
        summary.total = summary.ok + summary.errors + summary.skipped + summary.not_run
        summary.unknown_lines.sort()
        summary.elapsed_s = time.monotonic() - self.started_at
        return summary
