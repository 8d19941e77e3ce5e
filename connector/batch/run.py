"""A run in this process: the bulk-run engine (`engine`) with a pool of threads calling
its lines, each call paced by the run's rate limiter.

On SIGINT/SIGTERM, on too many calls in a row that could not connect, or on a
results file that takes no more records, no new line starts; calls under way
finish and are recorded (see the package's docstring).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Mapping, Sized
from concurrent.futures import FIRST_COMPLETED, Future, ThreadPoolExecutor, wait
from pathlib import Path
from typing import IO, Any

from connector.batch.calls import LineWatcher
from connector.batch.digest import ErrorDigest
from connector.batch.engine import Engine, Outcome
from connector.batch.line_runner import LineRunner
from connector.batch.lines import (
    Line,
    count_lines,
    mapping_line,
    open_input,
    parse_line,
    raw_lines,
    stat_of,
)
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
    summary = BatchSummary(action=action.key, results_path=str(results_path),
                           failures=ErrorDigest(secrets))
    engine = Engine(action.key, results, summary, Progress(total, progress), retry_unknown,
                    threshold=max(concurrency, 5), where=tracked.connection.url_for())
    engine.on_halt.append(limiter.cancel)  # calls held for the rate limit give up
    job = LineRunner(tracked, action.key, results, engine.stop, secrets)
    rate_limited_before = limiter.rate_limited
    try:
        with engine.signals(handle_signals), \
                ThreadPoolExecutor(concurrency, thread_name_prefix="batch") as pool:
            threads = _Threads(pool, job, engine, limiter)
            try:
                engine.drive(source, parse, countable, threads, window=2 * concurrency)
            except BaseException:  # e.g. KeyboardInterrupt: queued lines must not start
                engine.stop.set()
                limiter.cancel()
                raise
    finally:
        limiter.cancel(False)  # the limiter may serve other calls after this run
        results.close()
        if owned and stream is not None:
            stream.close()
        engine.bar.close()
    summary.rate_limited = limiter.rate_limited - rate_limited_before
    return engine.finish()


class _Threads:
    """The dispatcher of a run in this process: a pool of threads, each calling a line
    (`LineRunner`); a line at most `window` ahead of them is read."""

    def __init__(self, pool: ThreadPoolExecutor, job: LineRunner, engine: Engine,
                 limiter: Limiter) -> None:
        self.pool, self.job, self.engine, self.limiter = pool, job, engine, limiter
        self.futures: set[Future[Outcome]] = set()

    def in_flight(self) -> int:
        return len(self.futures)

    def send(self, line: Line, occurrence: int) -> None:
        self.futures.add(self.pool.submit(self.job.run, line, occurrence))

    def pump(self) -> None:
        if self.engine.stop.is_set():
            self.limiter.cancel()  # stopped by a signal: held calls give up now
        done, _ = wait(self.futures, 0.2, FIRST_COMPLETED)  # short: signals run between
        for fut in done:
            self.futures.discard(fut)
            self.engine.tally(fut.result())
