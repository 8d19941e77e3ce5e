"""The run: read lines ahead of a pool of workers, pace their calls, tally their outcomes.

On SIGINT/SIGTERM, on too many calls in a row that could not connect, or on a
results file that takes no more records, no new line starts; calls under way
finish and are recorded (see the package's docstring).
"""

from __future__ import annotations

import signal
import threading
import time
from collections import Counter
from collections.abc import Callable, Iterable, Iterator, Mapping, Sized
from concurrent.futures import FIRST_COMPLETED, Future, ThreadPoolExecutor, wait
from pathlib import Path
from typing import IO, Any

from connector.batch.calls import LineWatcher
from connector.batch.line_runner import NOT_RUN, LineRunner, Outcome
from connector.batch.lines import (
    Line,
    count_lines,
    mapping_line,
    open_input,
    parse_line,
    raw_lines,
    stat_of,
)
from connector.batch.records import SAFE, UNKNOWN, OutcomeUnknownError
from connector.batch.results_file import ResultsFile
from connector.batch.summary import BatchSummary
from connector.errors import InputError
from connector.progress import Progress
from connector.ratelimit import Limiter, RateLimiter
from connector.redact import Secrets
from connector.runtime import Runtime


def _secrets_of(runtime: Runtime) -> Secrets:
    """What to mask in records: the runtime's own secrets, else its token."""
    found = getattr(runtime, "secrets", None)
    return found if isinstance(found, Secrets) else Secrets(runtime.connection.token)


# Calls in flight at once: far above what any endpoint's limit lets through, low enough
# that a mistyped value cannot start a thread per line.
MAX_CONCURRENCY = 256


def run_batch(
    runtime: Runtime,
    key: str,
    lines: str | Path | Iterable[Mapping[str, Any]],
    results_path: str | Path,
    concurrency: int = 4,
    limiter: Limiter | None = None,
    progress: bool | None = None,
    retry_unknown: bool = False,
    handle_signals: bool = True,
) -> BatchSummary:
    """Run action `key` once per input: a JSONL path, "-" for stdin, or mappings
    numbered from 1. Every line ends ok, skipped, not run or with an error record.

    Calls are paced per endpoint by `limiter` (default: the runtime's, else a
    new one seeded from the catalogue). On SIGINT/SIGTERM (when called from the
    main thread) no new line starts; calls under way finish and are recorded.
    When calls keep failing to connect (no answer at all), the run stops early
    (exit code 4). Refusals (bad concurrency, a results file that is not this
    action's, in use or the input itself) raise before anything is sent.
    """
    if not isinstance(concurrency, int) or isinstance(concurrency, bool) \
            or not 1 <= concurrency <= MAX_CONCURRENCY:
        raise InputError({"concurrency": f"must be a whole number from 1 to "
                          f"{MAX_CONCURRENCY}, not {concurrency!r}"})
    action = runtime.plugins.action(key)
    source: Iterator[tuple[int, Any]]
    parse: Callable[[int, Any], Line]
    stream: IO[bytes] | None = None
    owned = False
    if isinstance(lines, str | Path):
        stream, owned = open_input(lines)
        total: int | None = None if str(lines) == "-" else count_lines(lines)
        source, parse, countable = raw_lines(stream), parse_line, total is not None
    else:
        total = len(lines) if isinstance(lines, Sized) else None
        source, parse, countable = enumerate(lines, 1), mapping_line, total is not None
    secrets = _secrets_of(runtime)
    try:
        results = ResultsFile(results_path, action.key,
                              stat_of(stream) if stream is not None else None, secrets)
    except BaseException:
        if owned and stream is not None:
            stream.close()
        raise
    limiter = limiter or runtime.limiter or RateLimiter()
    limiter.cancel(False)
    tracked = runtime.with_(limiter=limiter).watched(LineWatcher())
    summary = BatchSummary(action=action.key, results_path=str(results_path))
    stop = threading.Event()
    job = LineRunner(tracked, action.key, results, stop, secrets)
    bar = Progress(total, progress)
    started = time.monotonic()
    rate_limited_before = limiter.rate_limited
    threshold = max(concurrency, 5)  # calls failing to connect, in a row, before stopping
    failing: list[str] = []  # connection errors since the last answer

    def halt(reason: str, message: str = "") -> None:
        if summary.stopped is None:
            summary.stopped, summary.message = reason, message
        stop.set()
        limiter.cancel()  # calls held for the rate limit give up; those sent finish

    def tally(outcome: Outcome) -> None:
        if outcome.status == NOT_RUN:
            summary.not_run += 1
            return
        ok = outcome.status == "ok"
        summary.ok += ok
        summary.errors += not ok
        if outcome.retry == UNKNOWN:
            summary.unknown_lines.append(outcome.line.number)
        bar.update(ok)
        if outcome.unrecorded:
            halt("results", f"cannot write {results_path}: {outcome.unrecorded}; "
                 f"stopped at line {outcome.line.number}")
        if outcome.answered:
            failing.clear()
        elif outcome.connect_error:
            failing.append(outcome.connect_error)
            if len(failing) >= threshold:
                base = tracked.connection.url_for()
                done = summary.ok + summary.errors + summary.skipped
                halt("connection", f"could not connect to {base}: {failing[-1]}; "
                     f"stopped after {done} lines")

    def on_signal(signum: int, _frame: Any) -> None:
        summary.interrupted, summary.signal = True, signum
        halt("signal", f"interrupted by signal {signum}")

    previous: dict[int, Any] = {}
    if handle_signals and threading.current_thread() is threading.main_thread():
        for sig in (signal.SIGINT, signal.SIGTERM):
            previous[sig] = signal.signal(sig, on_signal)
    occurrences: Counter[str] = Counter()
    pending: set[Future[Outcome]] = set()
    window = 2 * concurrency  # lines read ahead of the calls: a huge file stays on disk

    def harvest(timeout: float) -> None:
        done, _ = wait(pending, timeout, FIRST_COMPLETED)
        for fut in done:
            pending.discard(fut)
            tally(fut.result())

    try:
        with ThreadPoolExecutor(concurrency, thread_name_prefix="batch") as pool:
            try:
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
                        tally(job.write_error(line, occurrence, line.problem, SAFE))
                        continue
                    earlier = earlier_outcome(results.state.get((line.fingerprint,
                                                                 occurrence)), retry_unknown)
                    if earlier == SKIP:
                        summary.skipped += 1
                        bar.update(True, skipped=True)
                        continue
                    if earlier == DIED:  # died mid-call: say so in the file
                        tally(job.write_error(line, occurrence, died_in_flight(), UNKNOWN,
                                              values=line.values))
                        continue
                    if earlier == LEFT_UNKNOWN:  # recorded as unknown before: left alone
                        summary.errors += 1
                        summary.unknown_lines.append(number)
                        bar.update(False, skipped=True)
                        continue
                    while len(pending) >= window and not stop.is_set():
                        harvest(0.2)  # short waits: signal handlers run between them
                    if stop.is_set():
                        summary.not_run += 1
                        continue
                    pending.add(pool.submit(job.run, line, occurrence))
                while pending:
                    harvest(0.2)
            except BaseException:  # e.g. KeyboardInterrupt: queued lines must not start
                stop.set()
                limiter.cancel()
                raise
    finally:
        for signum, handler in previous.items():
            signal.signal(signum, handler)
        limiter.cancel(False)  # the limiter may serve other calls after this run
        results.close()
        if owned and stream is not None:
            stream.close()
        bar.close()
    summary.total = summary.ok + summary.errors + summary.skipped + summary.not_run
    summary.unknown_lines.sort()
    summary.elapsed_s = time.monotonic() - started
    summary.rate_limited = limiter.rate_limited - rate_limited_before
    return summary


SKIP, DIED, LEFT_UNKNOWN = "skip", "died", "left_unknown"


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
