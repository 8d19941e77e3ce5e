"""Bulk runs: one action over many inputs, paced, recorded line by line, resumable.

Input is JSONL, one object of inputs a line, read as bytes and decoded line by
line. A blank line (only spaces, tabs or a CR) is not a line of input: it is
skipped and not counted, though line numbers stay those an editor shows.

Results are JSONL too, one record per event, appended (write + fsync) as each
call ends, so a crash loses nothing finished and at worst leaves a truncated
last line, which the next run drops. The file is created owner-only (0600)
and starts with a header naming the action; every later record names it too:

    {"format":"segment-connector/batch-results","version":2,"action":"createLabel"}
    {"action":"createLabel","line":3,"fingerprint":"<sha256 hex>","occurrence":1,"status":"started"}
    {"action":"createLabel","line":3,"fingerprint":"...","occurrence":1,"status":"ok","input":{...},"output":{...}}
    {"action":"createLabel","line":4,"fingerprint":"...","occurrence":1,"status":"error","input":{...},"error":{...},"retry":"safe"}
    {"action":"createLabel","line":5,"fingerprint":"...","occurrence":1,"status":"error","excerpt":"[1,2]","error":{...},"retry":"safe"}

A line is identified by its content, not its number: `fingerprint` is the
sha256 (hex) of the line's inputs as canonical JSON (sorted keys, no spaces,
ASCII escapes), or of its raw bytes (surrounding whitespace stripped) when it
could not be read as an object; `occurrence` says which line with that
fingerprint it is (1 for the first). Inserting, removing or reordering lines
therefore never runs a finished line again; `line` is kept for people.
`input` and `output` are masked for secrets; `excerpt` (the start of the raw
line) replaces `input` for a line that could not be read. `error` is
`connector.errors.error_record()`: `type`, `code`, `category`, `retryable`,
`message` and the error's own fields (`fields`, `status`, `errors`, `sent`).

`started` is written just before the first non-idempotent request (POST,
PATCH) of a line goes out, once it has its turn under the rate limit. The
last record of a line is its state. On a rerun with the same results file:

- `ok`: skipped.
- `error` with `"retry": "safe"`: run again. Nothing took effect: the line
  could not be read, the input was invalid, the call failed before sending
  anything (a plugin's own exception included), only idempotent requests
  were sent, the write surely never left (`sent: false`: connection refused,
  name not resolved, connect timeout; an unencodable request is an input
  error), or the API refused it with a 4xx (a 429 included).
- `error` with `"retry": "unknown"`: a non-idempotent request may have
  reached the API and its answer was lost (`sent: true` timeouts and dropped
  connections, a 5xx, a failure after the write went out), or the call
  succeeded but its answer could not be recorded (error type
  `unrecordable`). Not repeated unless `retry_unknown` is set, so a create is
  never made twice behind the user's back: check the workspace first.
- `started` with no outcome after it (the process died mid-call): recorded as
  `"retry": "unknown"` (error type `unknown_outcome`) and treated the same.

A line held by the rate limiter when a run stops sent nothing: it gets no
record and counts as not run, as do the lines after it. The summary's counts
add up: `total = ok + errors + skipped + not_run` (`unknown` counts the
errors of unknown outcome, listed in `unknown_outcome_lines`). When the input
is stdin or an unsized iterable, lines after a stop are not read, so `total`
counts only the lines read.

A run stops early (no new line starts) on SIGINT/SIGTERM; when
max(concurrency, 5) calls in a row fail to connect at all (`sent: false`)
since the last answer ("could not connect to <base url>: ...; stopped after
N lines"); or when the results file takes no more records. Exit codes
(`BatchSummary.exit_code`): 0 every line ok or skipped as done; 1 any line
failed (or was not run); 4 stopped because nothing could connect; 128 +
signal number when interrupted.

A results file belongs to one action: one written for another action, the
input file itself, or any non-empty file that is not a results file is
refused (and left untouched) before anything runs. A run holds an exclusive
lock (flock) on its results file for its whole length; a second run on the
same file fails at once (`ResultsInUseError`).
"""

from __future__ import annotations

import contextlib
import errno
import fcntl
import hashlib
import json
import os
import signal
import stat
import sys
import threading
import time
from collections import Counter
from collections.abc import Callable, Iterable, Iterator, Mapping, Sized
from concurrent.futures import FIRST_COMPLETED, Future, ThreadPoolExecutor, wait
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any, TypeVar, cast

from connector.errors import (
    EXIT_NO_ANSWER,
    ApiError,
    ConnectorError,
    InputError,
    TransportError,
    error_record,
)
from connector.progress import Progress
from connector.ratelimit import CancelledError, RateLimiter
from connector.redact import Secrets, redact, redact_value, scope
from connector.request import HttpRequest
from connector.retry import IDEMPOTENT
from connector.runtime import Runtime
from connector.transport import HttpResponse

FORMAT, VERSION = "segment-connector/batch-results", 2
SAFE, UNKNOWN = "safe", "unknown"
STATUSES = frozenset({"started", "ok", "error"})
BLANK = b" \t\r\n"  # JSON's whitespace: a line of only these is no line of input
EXCERPT_CHARS = 120
T = TypeVar("T")


class ResultsInUseError(InputError):
    """Another run holds the results file; running too could create things twice."""

    kind = "results_in_use"

    def __init__(self, path: str | Path) -> None:
        super().__init__({"results": f"{path} is in use by another run"})
        self.args = (f"results: {path} is in use by another run; wait for it to end "
                     "or give another results file",)


class OutcomeUnknownError(ConnectorError):
    """A call was in flight when its process died: it may or may not have taken effect."""

    kind = "unknown_outcome"


class UnrecordableError(ConnectorError):
    """A line's outcome could not be written as JSON (its output, or the file, refused)."""

    kind = "unrecordable"


@dataclass
class BatchSummary:
    total: int = 0  # lines of input (blank lines excluded) = ok + errors + skipped + not_run
    ok: int = 0  # done in this run
    errors: int = 0  # failed in this run, or left failed (outcome unknown) from before
    skipped: int = 0  # already done by an earlier run
    not_run: int = 0  # not started: the run stopped first
    interrupted: bool = False
    signal: int | None = None
    stopped: str | None = None  # why the run ended early: "signal", "connection", "results"
    message: str = ""
    action: str = ""
    elapsed_s: float = 0.0
    rate_limited: int = 0  # 429 answers met
    results_path: str = ""
    unknown_lines: list[int] = field(default_factory=list)

    @property
    def unknown(self) -> int:
        """Errors whose call may have taken effect (listed in `unknown_lines`)."""
        return len(self.unknown_lines)

    @property
    def exit_code(self) -> int:
        if self.interrupted:
            return 128 + (self.signal or signal.SIGINT)
        if self.stopped == "connection":
            return EXIT_NO_ANSWER
        return 0 if self.ok + self.skipped == self.total else 1

    def to_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {
            "action": self.action, "total": self.total, "ok": self.ok, "errors": self.errors,
            "unknown": self.unknown, "skipped": self.skipped, "not_run": self.not_run,
            "exit_code": self.exit_code, "interrupted": self.interrupted,
            "elapsed_s": round(self.elapsed_s, 3), "rate_limited": self.rate_limited,
            "results": self.results_path, "unknown_outcome_lines": self.unknown_lines}
        if self.signal is not None:
            out["signal"] = self.signal
        if self.stopped:
            out["stopped"] = self.stopped
            out["message"] = self.message
        return out


# -- lines of input -----------------------------------------------------------------
@dataclass(frozen=True, slots=True)
class Line:
    """One line of input: its inputs, or why it has none."""

    number: int
    fingerprint: str
    values: dict[str, Any] | None  # None when the line could not be read as inputs
    problem: InputError | None = None
    excerpt: str | None = None  # start of a line that could not be read


def fingerprint(value: Any) -> str:
    """sha256 (hex) of `value` as canonical JSON; of its bytes when given bytes."""
    if isinstance(value, bytes):
        return hashlib.sha256(value).hexdigest()
    text = json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=True,
                      allow_nan=False)
    return hashlib.sha256(text.encode("ascii")).hexdigest()


def _no_constant(name: str) -> Any:
    raise ValueError(f"{name} is not JSON")  # json.loads accepts NaN/Infinity by default


def _kind(value: Any) -> str:
    if isinstance(value, list):
        return "an array"
    if isinstance(value, str):
        return "a string"
    if value is None or isinstance(value, bool):
        return json.dumps(value)
    return "a number"


def parse_line(number: int, raw: bytes) -> Line:
    """A line's inputs, or the first reason they cannot be read (never raises)."""
    if number == 1 and raw.startswith(b"\xef\xbb\xbf"):
        raw = raw[3:]  # a UTF-8 byte order mark some editors write
    raw = raw.rstrip(b"\r\n")  # positions in messages stay those of the line as written

    def unread(problem: str) -> Line:
        bare = raw.strip(BLANK)
        excerpt = bare[:EXCERPT_CHARS * 4].decode("utf-8", "backslashreplace")
        return Line(number, fingerprint(bare), None, InputError({"line": problem}),
                    excerpt[:EXCERPT_CHARS])

    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        return unread(f"not valid UTF-8: byte {exc.start}: {exc.reason}")
    try:
        value = json.loads(text, parse_constant=_no_constant)
    except RecursionError:
        return unread("not readable: JSON nested too deep")
    except ValueError as exc:  # JSONDecodeError says where: line, column and char
        return unread(f"not valid JSON: {exc}")
    if not isinstance(value, dict):
        return unread(f"must hold a JSON object of inputs, not {_kind(value)}")
    try:
        digest = fingerprint(value)
    except (ValueError, RecursionError):  # deep enough to read, too deep to write back
        digest = fingerprint(raw.strip(BLANK))
    return Line(number, digest, value)


def _mapping_line(number: int, value: Any) -> Line:
    """A line given from Python: a mapping of inputs."""
    if not isinstance(value, Mapping):
        return Line(number, _repr_digest(value), None,
                    InputError({"line": "must be a mapping of inputs"}),
                    _safe_repr(value)[:EXCERPT_CHARS])
    values = dict(value)
    try:
        digest = fingerprint(values)
    except (TypeError, ValueError, RecursionError):  # not JSON: its repr names it instead
        digest = _repr_digest(values)
    return Line(number, digest, values)


def _safe_repr(value: Any) -> str:
    try:
        return repr(value)
    except Exception:  # a broken __repr__ must not stop the run
        return f"<{type(value).__name__}>"


def _repr_digest(value: Any) -> str:
    return fingerprint(_safe_repr(value).encode("utf-8", "backslashreplace"))


def read_lines(source: str | Path | IO[bytes]) -> Iterator[Line]:
    """Each non-blank line of a JSONL file (a path, or a binary stream) as a `Line`."""
    if isinstance(source, str | Path):
        with Path(source).open("rb") as fh:
            yield from (parse_line(n, raw) for n, raw in _raw_lines(fh))
    else:
        yield from (parse_line(n, raw) for n, raw in _raw_lines(source))


def _raw_lines(fh: IO[bytes]) -> Iterator[tuple[int, bytes]]:
    for number, raw in enumerate(fh, 1):
        if raw.strip(BLANK):
            yield number, raw


def _count(path: str | Path) -> int:
    with Path(path).open("rb") as fh:
        return sum(1 for _ in _raw_lines(fh))


def default_results_path(batch: str | Path) -> Path:
    """`inputs.jsonl` -> `inputs.results.jsonl`; stdin has no name to derive one from."""
    if str(batch) == "-":
        raise InputError({"--results": "is required when the batch is read from stdin (-)"})
    batch = Path(batch)
    return batch.with_name(batch.name.removesuffix(".jsonl") + ".results.jsonl")


# -- the results file -------------------------------------------------------------
def header(action: str) -> dict[str, Any]:
    return {"format": FORMAT, "version": VERSION, "action": action}


def _encode(record: Mapping[str, Any]) -> bytes:
    """One JSONL line; raises TypeError/ValueError for what JSON cannot hold."""
    try:
        text = json.dumps(record, ensure_ascii=False, separators=(",", ":"), allow_nan=False)
        return (text + "\n").encode("utf-8")
    except UnicodeEncodeError:  # a lone surrogate: escaped, the file stays valid UTF-8
        text = json.dumps(record, ensure_ascii=True, separators=(",", ":"), allow_nan=False)
        return (text + "\n").encode("ascii")


_HEAD = _encode(header(""))[:len(FORMAT) + 12]  # {"format":"<FORMAT>"


def _refuse(path: Path, problem: str) -> InputError:
    return InputError({"results": f"{path} {problem}"})


class ResultsFile:
    """Append-only JSONL of one action's outcomes, locked for one run at a time.

    Opening takes an exclusive lock (flock, non-blocking), then reads the file:
    the last record of each line, by (fingerprint, occurrence), is `state`.
    Anything that is not this action's results file is refused untouched.
    """

    def __init__(self, path: str | Path, action: str,
                 not_same_as: os.stat_result | None = None,
                 secrets: Secrets | None = None) -> None:
        self.path = Path(path)
        self.action = action
        self.secrets = secrets  # masked in every record; None: the current scope's
        self.state: dict[tuple[str, int], tuple[str, str | None]] = {}
        self._lock = threading.Lock()
        self._fd = self._open(not_same_as)
        try:
            self._load()
        except BaseException:
            self.close()
            raise

    def _open(self, not_same_as: os.stat_result | None) -> int:
        try:
            before = os.stat(self.path)
        except FileNotFoundError:
            before = None
        except OSError as exc:
            raise _refuse(self.path, f"cannot be read: {exc.strerror}") from None
        if before is not None:
            if not stat.S_ISREG(before.st_mode):
                raise _refuse(self.path, "is not a regular file")
            if not_same_as is not None and os.path.samestat(before, not_same_as):
                raise _refuse(self.path, "is the input file; give another results file")
        try:  # no O_TRUNC: a file we end up refusing keeps every byte
            fd = os.open(self.path, os.O_RDWR | os.O_CREAT | os.O_APPEND | os.O_CLOEXEC, 0o600)
        except OSError as exc:
            raise _refuse(self.path, f"cannot be opened: {exc.strerror}") from None
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError as exc:
            os.close(fd)
            if exc.errno in (errno.EWOULDBLOCK, errno.EAGAIN, errno.EACCES):
                raise ResultsInUseError(self.path) from None
            raise _refuse(self.path, f"cannot be locked: {exc.strerror}") from None
        if before is None:  # created: make its name durable too
            _fsync_dir(self.path.parent)
        return fd

    def _load(self) -> None:
        mine = _encode(header(self.action))
        end = 0  # offset after the last good line
        with open(self._fd, "rb", closefd=False) as fh:
            fh.seek(0)
            for index, raw in enumerate(fh):
                whole = raw.endswith(b"\n")
                if index == 0:
                    if not whole and raw.startswith(_HEAD) and mine.startswith(raw):
                        break  # the header itself was cut short: start afresh
                    self._check_header(raw)
                else:
                    record = self._record(raw)
                    if record is None:
                        if whole:
                            raise _refuse(self.path, f"is damaged at line {index + 1}; "
                                          "move it aside or give another results file")
                        break  # a record cut short by a crash: dropped below
                    self.state[(record["fingerprint"], record["occurrence"])] = (
                        record["status"], record.get("retry"))
                end += len(raw)
                if not whole:  # a complete last record missing only its newline
                    self._append(b"\n")
                    end += 1
        if os.fstat(self._fd).st_size > end:
            os.ftruncate(self._fd, end)  # only ever the truncated last line
        if end == 0:
            self._append(mine)

    def _check_header(self, raw: bytes) -> None:
        try:
            head = json.loads(raw)
        except (ValueError, RecursionError):
            head = None
        if not isinstance(head, dict) or head.get("format") != FORMAT:
            if isinstance(head, dict) and isinstance(head.get("line"), int) \
                    and head.get("status") in STATUSES:
                raise _refuse(self.path, "holds results in an older format that does not "
                              "name its action; finish that run with the version that "
                              "wrote it, or give another results file")
            raise _refuse(self.path, "is not a results file of segment-connector; "
                          "refusing to write to it (give another results file)")
        if not isinstance(head.get("version"), int) or head["version"] > VERSION:
            raise _refuse(self.path, f"was written by a newer version (format version "
                          f"{head.get('version')!r}); use that version to resume it")
        if head.get("action") != self.action:
            raise _refuse(self.path, f"holds results of action {head.get('action')!r}, not "
                          f"{self.action!r}; give another results file")

    def _record(self, raw: bytes) -> dict[str, Any] | None:
        try:
            rec = json.loads(raw)
        except (ValueError, RecursionError):
            return None
        ok = (isinstance(rec, dict) and rec.get("action") == self.action
              and isinstance(rec.get("fingerprint"), str)
              and isinstance(rec.get("occurrence"), int) and rec.get("status") in STATUSES
              and (rec["status"] != "error" or rec.get("retry") in (SAFE, UNKNOWN)))
        return rec if ok else None

    def write(self, record: Mapping[str, Any]) -> None:
        """Append one record durably; raises (TypeError, ValueError, OSError) and then
        leaves the file as it was, so a failed write never damages the next record."""
        self._append(_encode(cast(Mapping[str, Any], redact_value(record, self.secrets))))

    def _append(self, data: bytes) -> None:
        with self._lock:
            size = os.fstat(self._fd).st_size
            try:
                view = memoryview(data)
                while view:
                    view = view[os.write(self._fd, view):]
                os.fsync(self._fd)
            except OSError:
                with contextlib.suppress(OSError):  # else the next run drops the cut line
                    os.ftruncate(self._fd, size)
                raise

    def close(self) -> None:
        with self._lock:
            if self._fd >= 0:
                os.close(self._fd)  # releases the lock
                self._fd = -1


def _fsync_dir(path: Path) -> None:
    try:
        fd = os.open(path, os.O_RDONLY | os.O_DIRECTORY)
    except OSError:
        return
    try:
        with contextlib.suppress(OSError):
            os.fsync(fd)
    finally:
        os.close(fd)


# -- what a line's call put on the wire ---------------------------------------------
_here = threading.local()  # the `_Calls` of the line this worker thread is running


@dataclass
class _Calls:
    """What one line's call has sent so far, request by request, attempt by attempt."""

    mark: Callable[[], None]  # writes the line's `started` record
    method: str = ""  # of the request being sent
    attempts: int = 0  # of the request being sent
    sent: int = 0  # attempts that went out, every request of the line
    writes: int = 0  # non-idempotent requests that went out
    last_is_write: bool = False

    def attempt(self) -> None:
        write = self.method not in IDEMPOTENT
        if write and self.attempts == 0:
            if self.writes == 0:
                self.mark()  # before the first byte of the line's first write
            self.writes += 1
        self.attempts += 1
        self.sent += 1
        self.last_is_write = write


def _noting(send: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """`Runtime.send`, noting for the current line which request goes out."""

    def noted(req: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        calls: _Calls | None = getattr(_here, "calls", None)
        if calls is not None:
            calls.method, calls.attempts = req.method.upper(), 0
        return send(req, *args, **kwargs)

    return noted


class _Pacer:
    """The run's rate limiter; each attempt it lets through is noted for the line."""

    def __init__(self, limiter: RateLimiter) -> None:
        self.limiter = limiter

    def call(self, op: str | None, fn: Callable[[], T], *args: Any, **kwargs: Any) -> T:
        def attempt() -> T:
            calls: _Calls | None = getattr(_here, "calls", None)
            if calls is not None:
                calls.attempt()
            return fn()

        return self.limiter.call(op, attempt, *args, **kwargs)

    def __getattr__(self, name: str) -> Any:
        return getattr(self.limiter, name)


def _could_not_connect(exc: BaseException) -> bool:
    """No connection to the API at all: nothing was sent for want of a connection."""
    return isinstance(exc, TransportError) and exc.sent is False


def _answered(exc: BaseException | None) -> bool:
    """The API (or something at its address) took the request."""
    return exc is None or isinstance(exc, ApiError) or (
        isinstance(exc, TransportError) and exc.sent is not False)


def _error_object(exc: BaseException) -> dict[str, Any]:
    try:
        return error_record(exc)
    except Exception:  # an exception whose __str__ itself fails
        return error_record(RuntimeError(f"{type(exc).__name__} (message unreadable)"))


# -- one line -------------------------------------------------------------------------
NOT_RUN = "not_run"


@dataclass
class _Outcome:
    line: Line
    status: str  # "ok", "error" or NOT_RUN
    retry: str | None = None
    connect_error: str | None = None  # set when no connection could be made
    answered: bool = False
    unrecorded: str | None = None  # the results file refused even a short record


class _Job:
    """Runs lines of one action and records each outcome."""

    def __init__(self, runtime: Runtime, key: str, results: ResultsFile,
                 stop: threading.Event, secrets: Secrets) -> None:
        self.runtime = runtime
        self.key = key
        self.results = results
        self.stop = stop
        self.secrets = secrets
        self.lifts_retry_limits = runtime.policy.retry_on_all_errors

    def record(self, line: Line, occurrence: int, status: str,
               **fields: Any) -> dict[str, Any]:
        return {"action": self.key, "line": line.number, "fingerprint": line.fingerprint,
                "occurrence": occurrence, "status": status, **fields}

    def run(self, line: Line, occurrence: int) -> _Outcome:
        """Call the action for one line and record the outcome (never raises)."""
        if self.stop.is_set():  # queued when the run began to stop
            return _Outcome(line, NOT_RUN)
        with scope(self.secrets):  # a worker thread starts with no masking scope
            return self._run(line, occurrence)

    def _run(self, line: Line, occurrence: int) -> _Outcome:
        calls = _Calls(lambda: self.results.write(self.record(line, occurrence, "started")))
        _here.calls = calls
        try:
            output = self.runtime.run(self.key, line.values)
        except BaseException as exc:  # a plugin's bug (even SystemExit) is this line's error
            retry = self._retry(exc, calls)
            if retry == NOT_RUN:
                return _Outcome(line, NOT_RUN)
            connect = redact(str(exc), self.secrets) if _could_not_connect(exc) else None
            return self.write_error(line, occurrence, exc, retry, values=line.values,
                                    connect_error=connect, answered=_answered(exc))
        finally:
            _here.calls = None
        try:
            self.results.write(self.record(line, occurrence, "ok", input=line.values,
                                           output=output))
        except Exception as exc:  # done, but its answer cannot be kept
            retry = UNKNOWN if calls.writes else SAFE
            error = UnrecordableError(
                f"the call succeeded but its outcome could not be recorded: "
                f"{type(exc).__name__}: {exc}")
            return self.write_error(line, occurrence, error, retry, answered=True)
        return _Outcome(line, "ok", answered=True)

    def write_error(self, line: Line, occurrence: int, exc: BaseException, retry: str,
                    values: Any = None, **outcome: Any) -> _Outcome:
        """Record an error; without the input when that cannot be written; never raises."""
        fields: dict[str, Any] = {"error": _error_object(exc), "retry": retry}
        if values is not None:
            fields["input"] = values
        if line.excerpt is not None:
            fields["excerpt"] = line.excerpt
        try:
            self.results.write(self.record(line, occurrence, "error", **fields))
        except Exception as first:
            try:  # the input (or the error's fields) cannot be written: the error alone
                brief = UnrecordableError(f"{_error_object(exc)['message']} (the full "
                                          f"record could not be written: "
                                          f"{type(first).__name__}: {first})")
                self.results.write(self.record(line, occurrence, "error",
                                               error=_error_object(brief), retry=retry))
            except Exception as second:
                outcome["unrecorded"] = f"{type(second).__name__}: {second}"
                self.stop.set()  # at once: a call whose outcome cannot be kept must not start
        return _Outcome(line, "error", retry, **outcome)

    def _retry(self, exc: BaseException, calls: _Calls) -> str:
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
        if isinstance(exc, CancelledError):  # held before a retry
            return UNKNOWN if earlier_may_count else SAFE
        if isinstance(exc, ApiError) and exc.status is not None and 400 <= exc.status < 500:
            return UNKNOWN if earlier_may_count else SAFE  # the API refused it: no change
        return UNKNOWN


# -- the run -------------------------------------------------------------------------
def _open_input(lines: str | Path) -> tuple[IO[bytes], bool]:
    """The input as a binary stream, and whether it is ours to close."""
    if str(lines) == "-":
        return sys.stdin.buffer, False
    try:
        return Path(lines).open("rb"), True
    except OSError as exc:
        raise InputError({"batch": f"cannot read {lines}: {exc.strerror}"}) from None


def _secrets_of(runtime: Runtime) -> Secrets:
    """What to mask in records: the runtime's own secrets, else its token."""
    found = getattr(runtime, "secrets", None)
    return found if isinstance(found, Secrets) else Secrets(runtime.connection.token)


def _stat_of(fh: IO[bytes]) -> os.stat_result | None:
    try:
        return os.fstat(fh.fileno())
    except (OSError, ValueError, AttributeError):  # a stream with no file behind it
        return None


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
    """Run action `key` once per input: a JSONL path, "-" for stdin, or mappings
    numbered from 1. Every line ends ok, skipped, not run or with an error record.

    Calls are paced per endpoint by `limiter` (default: the runtime's, else a
    new one seeded from the catalogue). On SIGINT/SIGTERM (when called from the
    main thread) no new line starts; calls under way finish and are recorded.
    When calls keep failing to connect (no answer at all), the run stops early
    (exit code 4). Refusals (bad concurrency, a results file that is not this
    action's, in use or the input itself) raise before anything is sent.
    """
    if not isinstance(concurrency, int) or concurrency < 1:
        raise InputError({"concurrency": f"must be a whole number of at least 1, "
                          f"not {concurrency!r}"})
    action = runtime.plugins.action(key)
    source: Iterator[tuple[int, Any]]
    parse: Callable[[int, Any], Line]
    stream: IO[bytes] | None = None
    owned = False
    if isinstance(lines, str | Path):
        stream, owned = _open_input(lines)
        total: int | None = None if str(lines) == "-" else _count(lines)
        source, parse, countable = _raw_lines(stream), parse_line, total is not None
    else:
        total = len(lines) if isinstance(lines, Sized) else None
        source, parse, countable = enumerate(lines, 1), _mapping_line, total is not None
    secrets = _secrets_of(runtime)
    try:
        results = ResultsFile(results_path, action.key,
                              _stat_of(stream) if stream is not None else None, secrets)
    except BaseException:
        if owned and stream is not None:
            stream.close()
        raise
    limiter = limiter or runtime.limiter or RateLimiter()
    limiter.cancel(False)
    # A private copy: its limiter and send note what each line puts on the wire.
    tracked = runtime.with_limiter(cast(RateLimiter, _Pacer(limiter)))
    tracked.send = _noting(tracked.send)  # type: ignore[method-assign]
    summary = BatchSummary(action=action.key, results_path=str(results_path))
    stop = threading.Event()
    job = _Job(tracked, action.key, results, stop, secrets)
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

    def tally(outcome: _Outcome) -> None:
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
    pending: set[Future[_Outcome]] = set()
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
                    prev = results.state.get((line.fingerprint, occurrence))
                    if prev is not None and not _runs_again(prev, retry_unknown):
                        if prev[0] == "ok":
                            summary.skipped += 1
                            bar.update(True, skipped=True)
                        elif prev[0] == "started":  # died mid-call: say so in the file
                            tally(job.write_error(line, occurrence, OutcomeUnknownError(
                                "outcome unknown: the process stopped while this call was "
                                "in flight; check the workspace, then rerun with "
                                "retry_unknown"), UNKNOWN, values=line.values))
                        else:  # recorded as unknown before: left alone
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


def _runs_again(prev: tuple[str, str | None], retry_unknown: bool) -> bool:
    status, retry = prev
    if status == "ok":
        return False
    if status == "error" and retry == SAFE:
        return True
    return retry_unknown  # started without an outcome, or recorded as unknown
