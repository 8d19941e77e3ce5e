"""Bulk runs: one action over many inputs, paced, recorded line by line, resumable.

Results are JSONL, one record per event, appended (flush + fsync) as each
call ends, so a crash loses nothing finished and never leaves half a record
behind except, at worst, a truncated last line that the next run drops:

    {"line": 3, "input": {...}, "status": "ok", "output": {...}}
    {"line": 4, "input": {...}, "status": "error", "error": {...}, "retry": "safe"}
    {"line": 5, "status": "started"}     # before a non-idempotent call is sent

The last record of a line is its state. On a rerun with the same results file:
`ok` lines are skipped (unless their input changed); `error` lines are run
again only when that is safe, i.e. the call was idempotent, or the request
surely did nothing (invalid input, a 4xx answer, a 429, stopped before
sending). A non-idempotent call (POST, PATCH) that failed with a 5xx, a
timeout or a lost connection, or that was in flight when the process died
(`started` without an outcome), may have taken effect: it is recorded with
`"retry": "unknown"` and not repeated unless `retry_unknown` is set, so a
create is never made twice behind the user's back.
"""

from __future__ import annotations

import json
import os
import signal
import tempfile
import threading
import time
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from connector.errors import ApiError, ConnectorError, InputError
from connector.progress import Progress
from connector.ratelimit import CancelledError, RateLimiter
from connector.retry import IDEMPOTENT
from connector.runtime import Runtime
from connector.validation import validate

SAFE, UNKNOWN = "safe", "unknown"


@dataclass
class BatchSummary:
    total: int = 0  # input lines seen
    ok: int = 0  # done in this run
    errors: int = 0  # failed in this run, or left failed from before
    skipped: int = 0  # already done by an earlier run
    interrupted: bool = False
    signal: int | None = None
    elapsed_s: float = 0.0
    rate_limited: int = 0  # 429 answers met
    results_path: str = ""
    unknown_lines: list[int] = field(default_factory=list)

    @property
    def exit_code(self) -> int:
        if self.interrupted:
            return 128 + (self.signal or signal.SIGINT)
        return 1 if self.errors else 0

    def to_dict(self) -> dict[str, Any]:
        return {"total": self.total, "ok": self.ok, "errors": self.errors,
                "skipped": self.skipped, "interrupted": self.interrupted,
                "elapsed_s": round(self.elapsed_s, 3), "rate_limited": self.rate_limited,
                "results": self.results_path, "unknown_outcome_lines": self.unknown_lines}


# -- the results file -------------------------------------------------------------
class ResultsFile:
    """Append-only JSONL; every record flushed and fsynced under one lock."""

    def __init__(self, path: str | Path) -> None:
        self.path = Path(path)
        self.state = self._load()
        self._lock = threading.Lock()
        self._fh = self.path.open("a", encoding="utf-8")

    def _load(self) -> dict[int, dict[str, Any]]:
        """The last record of each line; a damaged file is rewritten with its good records."""
        if not self.path.exists():
            return {}
        raw = self.path.read_bytes()
        records, damaged = [], bool(raw) and not raw.endswith(b"\n")
        for text in raw.splitlines():
            try:
                rec = json.loads(text)
            except ValueError:
                damaged = True  # a record cut short by a crash
                continue
            if isinstance(rec, dict) and isinstance(rec.get("line"), int):
                records.append(rec)
            else:
                damaged = True
        if damaged:
            _rewrite(self.path, records)
        return {rec["line"]: rec for rec in records}

    def write(self, record: Mapping[str, Any]) -> None:
        text = json.dumps(record, separators=(",", ":"), ensure_ascii=False, default=str)
        with self._lock:
            self._fh.write(text + "\n")
            self._fh.flush()
            os.fsync(self._fh.fileno())

    def close(self) -> None:
        self._fh.close()


def _rewrite(path: Path, records: list[dict[str, Any]]) -> None:
    fd, tmp = tempfile.mkstemp(prefix=path.name + ".", suffix=".tmp", dir=path.parent)
    with os.fdopen(fd, "w", encoding="utf-8") as fh:
        for rec in records:
            fh.write(json.dumps(rec, separators=(",", ":"), ensure_ascii=False) + "\n")
        fh.flush()
        os.fsync(fh.fileno())
    os.replace(tmp, path)


def default_results_path(batch: str | Path) -> Path:
    """`inputs.jsonl` -> `inputs.results.jsonl`."""
    batch = Path(batch)
    return batch.with_name(batch.name.removesuffix(".jsonl") + ".results.jsonl")


# -- inputs -------------------------------------------------------------------------
def read_lines(path: str | Path) -> Iterator[tuple[int, Any]]:
    """`(line number, parsed object or InputError)` for each non-blank line."""
    with Path(path).open(encoding="utf-8") as fh:
        for number, text in enumerate(fh, 1):
            if not text.strip():
                continue
            try:
                value = json.loads(text)
            except ValueError as exc:
                yield number, InputError({"line": f"not valid JSON: {exc}"})
                continue
            if not isinstance(value, dict):
                value = InputError({"line": "must hold a JSON object of inputs"})
            yield number, value


def _count(path: Path) -> int:
    with path.open("rb") as fh:
        return sum(1 for line in fh if line.strip())


# -- one line -------------------------------------------------------------------------
class _Job:
    """Runs lines of one action and records each outcome."""

    def __init__(self, runtime: Runtime, key: str, results: ResultsFile,
                 retry_unknown: bool) -> None:
        self.runtime = runtime
        self.action = runtime.plugins.action(key)
        self.results = results
        self.retry_unknown = retry_unknown
        self.lifts_retry_limits = runtime.policy.retry_on_all_errors

    def method(self, values: Mapping[str, Any]) -> str:
        if self.action.run is not None:  # Raw Request: the method is an input
            return str(values.get("method") or "POST").upper()
        return self.action.method

    def todo(self, number: int, values: Any) -> tuple[bool, dict[str, Any] | None]:
        """(run it?, a record to write instead) from the line's previous state."""
        prev = self.results.state.get(number)
        if prev is None or isinstance(values, InputError):
            return True, None
        if prev.get("input", values) != values and prev["status"] != "started":
            return True, None  # a different input on this line: new work
        status = prev["status"]
        if status == "ok":
            return False, None
        if self.retry_unknown or self.method(values) in IDEMPOTENT:
            return True, None
        if status == "started":
            return False, self._record(number, values, ConnectorError(
                "outcome unknown: the process stopped while this call was in flight; "
                "check the workspace, then rerun with retry_unknown"), UNKNOWN)
        return prev.get("retry") == SAFE, None

    def run(self, number: int, values: Any) -> dict[str, Any]:
        """The outcome record of one line."""
        if isinstance(values, InputError):
            return self._record(number, None, values, SAFE)
        idempotent = self.method(values) in IDEMPOTENT
        try:
            if not idempotent:
                if self.action.run is None:  # nothing is sent for invalid input
                    validate(self.action.inputs, values, self.action.key)
                self.results.write({"line": number, "status": "started"})
            output = self.runtime.run(self.action.key, values)
        except Exception as exc:
            return self._record(number, values, exc, self._retry(exc, idempotent))
        return {"line": number, "input": values, "status": "ok", "output": output}

    def _retry(self, exc: BaseException, idempotent: bool) -> str:
        if idempotent or isinstance(exc, InputError):
            return SAFE
        if isinstance(exc, CancelledError):  # held before sending; earlier tries were 429s
            return UNKNOWN if self.lifts_retry_limits else SAFE
        if isinstance(exc, ApiError) and exc.status is not None and exc.status < 500:
            return SAFE  # the API refused it: nothing changed
        return UNKNOWN

    @staticmethod
    def _record(number: int, values: Any, exc: BaseException, retry: str) -> dict[str, Any]:
        if isinstance(exc, ConnectorError):
            error = exc.to_dict()
            if retry == UNKNOWN and error.get("type") == "error":
                error["type"] = "unknown_outcome"
        else:  # a bug or a plugin's own exception: its type and message only
            error = {"type": type(exc).__name__, "message": str(exc)}
        return {"line": number, "input": values, "status": "error", "error": error,
                "retry": retry}


# -- the run -------------------------------------------------------------------------
def run_batch(
    runtime: Runtime,
    key: str,
    lines: str | Path | Iterable[Mapping[str, Any]],
    results_path: str | Path,
    concurrency: int = 4,
    limiter: RateLimiter | None = None,
    progress: bool | None = None,
    retry_unknown: bool = False,
    handle_signals: bool = True,
) -> BatchSummary:
    """Run action `key` once per input (a JSONL path, or mappings numbered from 1).

    Calls are paced per endpoint by `limiter` (default: the runtime's, else a
    new one seeded from the catalogue). On SIGINT/SIGTERM (when called from the
    main thread) no new line starts; calls under way finish and are recorded.
    """
    if isinstance(lines, str | Path):
        total: int | None = _count(Path(lines))
        numbered: Iterable[tuple[int, Any]] = read_lines(lines)
    else:
        total = len(lines) if hasattr(lines, "__len__") else None
        numbered = ((n, dict(v) if isinstance(v, Mapping) else InputError(
            {"line": "must be a mapping of inputs"})) for n, v in enumerate(lines, 1))
    limiter = limiter or runtime.limiter or RateLimiter()
    limiter.cancel(False)
    if runtime.limiter is not limiter:
        runtime = runtime.with_limiter(limiter)
    results = ResultsFile(results_path)
    job = _Job(runtime, key, results, retry_unknown)
    summary = BatchSummary(results_path=str(results_path))
    bar = Progress(total, progress)
    stop = threading.Event()
    source = iter(numbered)
    take = threading.Lock()
    tally = threading.Lock()
    started = time.monotonic()
    rate_limited_before = limiter.rate_limited

    def worker() -> None:
        while not stop.is_set():
            with take:
                item = next(source, None)
            if item is None:
                return
            number, values = item
            with tally:
                summary.total += 1
            run, record = job.todo(number, values)
            if not run:
                if record is not None:
                    results.write(record)
                    with tally:
                        summary.errors += 1
                        summary.unknown_lines.append(number)
                else:
                    prev = results.state[number]
                    with tally:
                        if prev["status"] == "ok":
                            summary.skipped += 1
                        else:
                            summary.errors += 1
                            summary.unknown_lines.append(number)
                bar.update(True, skipped=True)
                continue
            record = job.run(number, values)
            results.write(record)
            ok = record["status"] == "ok"
            with tally:
                summary.ok += ok
                summary.errors += not ok
                if record.get("retry") == UNKNOWN:
                    summary.unknown_lines.append(number)
            bar.update(ok)

    def on_signal(signum: int, _frame: Any) -> None:
        summary.interrupted, summary.signal = True, signum
        stop.set()
        limiter.cancel()  # calls held for the rate limit give up; those sent finish

    previous: dict[int, Any] = {}
    if handle_signals and threading.current_thread() is threading.main_thread():
        for sig in (signal.SIGINT, signal.SIGTERM):
            previous[sig] = signal.signal(sig, on_signal)
    threads = [threading.Thread(target=worker, name=f"batch-{i}", daemon=True)
               for i in range(max(1, concurrency))]
    try:
        for t in threads:
            t.start()
        for t in threads:
            while t.is_alive():
                t.join(0.2)  # short joins: signal handlers run between them
    finally:
        for sig, handler in previous.items():
            signal.signal(sig, handler)
        results.close()
        bar.close()
    summary.unknown_lines.sort()
    summary.elapsed_s = time.monotonic() - started
    summary.rate_limited = limiter.rate_limited - rate_limited_before
    return summary
