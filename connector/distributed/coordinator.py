"""A bulk run whose lines Celery workers call: the same results file, the same rules.

`run_distributed` reads the input, skips what an earlier run finished (the
rules of `connector.batch`: `earlier_outcome`), sends each other line to the
workers as a `segment_connector.line` task (inputs and a credential reference,
never a token), and writes each record the workers push onto the run's event
list into the results file, which it alone holds (locked) for the run.

What became of a line is known even when its worker dies:

- a worker claims a line (once: a message handed out twice runs once) and
  keeps a lease on it while it runs; a write is marked `started` in Redis
  before it is sent;
- a claimed line whose lease lapses with no outcome lost its worker: with a
  `started` mark its outcome is unknown (an `unknown_outcome` error record,
  never sent again on its own), else nothing was sent and it counts as not run;
  the line is fenced in the same step, so a worker that was only stalled cannot
  start the write afterwards (nor once the run is over);
- lines no worker takes while no line makes progress for `idle_s` (no worker
  running, or a message stranded on a dead worker) are given up and count as
  not run; a rerun runs them;
- when the run ends (or stops on SIGINT/SIGTERM) its `alive` key goes, so a
  message still queued for it runs nothing;
- when the run's own process dies, the next run of the same results file
  (`keys.job_key`) closes it: its queued lines run nothing, the lines its
  workers still hold are waited for, and the records they pushed go into the
  file before any line is decided, so nothing it sent is sent again.
"""

from __future__ import annotations

import json
import signal
import threading
import time
import uuid
from collections import Counter
from collections.abc import Callable, Iterable, Iterator, Mapping, Sized
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any
from urllib.parse import urlsplit, urlunsplit

from connector import tracing
from connector.batch.lines import (
    Line,
    count_lines,
    mapping_line,
    open_input,
    parse_line,
    raw_lines,
    stat_of,
)
from connector.batch.records import SAFE, UNKNOWN, OutcomeUnknownError, error_object
from connector.batch.results_file import ResultsFile
from connector.batch.run import DIED, LEFT_UNKNOWN, SKIP, died_in_flight, earlier_outcome
from connector.batch.summary import BatchSummary
from connector.distributed import credentials, keys
from connector.distributed.app import make_app, redis_url
from connector.distributed.tasks import LINE, RUN_TTL_S
from connector.errors import ConnectionFailedError, InputError
from connector.progress import Progress
from connector.redact import Secrets, get_logger
from connector.registry import Registry, default_registry

log = get_logger("segment_connector.distributed")
ABANDONED = "abandoned"  # a claim the run itself takes on a line it gives up
FENCE = """
redis.call('SET', KEYS[1], '1', 'EX', ARGV[1])
return redis.call('EXISTS', KEYS[2])
"""


@dataclass
class _Pending:
    line: Line
    occurrence: int


def public_url(url: str) -> str:
    """`url` without its password, for messages."""
    parts = urlsplit(url)
    if parts.password is None:
        return url
    host = parts.hostname or ""
    netloc = f"{parts.username or ''}:***@{host}" + (f":{parts.port}" if parts.port else "")
    return urlunsplit(parts._replace(netloc=netloc))


def run_distributed(
    key: str,
    lines: str | Path | Iterable[Mapping[str, Any]],
    results_path: str | Path,
    credential: Any,
    *,
    redis: str | None = None,
    app: Any = None,
    window: int = 100,
    retry_unknown: bool = False,
    options: Mapping[str, Any] | None = None,
    lease_s: float = 10.0,
    idle_s: float = 60.0,
    registry: Registry | None = None,
    progress: bool | None = None,
    handle_signals: bool = True,
) -> BatchSummary:
    """Run action `key` once per input on the workers; the summary of `run_batch`.

    `credential` names a profile of the workers' configuration. `window` lines
    are queued at most at once. Refusals (a bad reference or option, a results
    file that is not this action's, Redis out of reach) raise before anything is
    queued.
    """
    ref = credentials.reference(credential)
    if not isinstance(window, int) or isinstance(window, bool) or not 1 <= window <= 100_000:
        raise InputError({"window": f"must be a whole number from 1 to 100000, not {window!r}"})
    for name, seconds in (("lease_s", lease_s), ("idle_s", idle_s)):
        if not isinstance(seconds, int | float) or not seconds > 0:
            raise InputError({name: f"must be a number of seconds above 0, not {seconds!r}"})
    action = (registry or default_registry()).action(key)
    import redis as redis_py

    url = redis_url(redis)
    client = redis_py.Redis.from_url(url, socket_timeout=10, socket_connect_timeout=5)
    try:
        client.ping()
    except Exception as exc:
        raise ConnectionFailedError(f"cannot reach Redis at {public_url(url)} "
                                    f"({type(exc).__name__}); nothing was queued",
                                    sent=False) from None
    app = app or make_app(url)

    source: Iterator[tuple[int, Any]]
    parse: Callable[[int, Any], Line]
    stream: IO[bytes] | None = None
    owned = False
    if isinstance(lines, str | Path):
        stream, owned = open_input(lines)
        total: int | None = None if str(lines) == "-" else count_lines(lines)
        source, parse = raw_lines(stream), parse_line
    else:
        total = len(lines) if isinstance(lines, Sized) else None
        source, parse = enumerate(lines, 1), mapping_line
    try:
        results = ResultsFile(results_path, action.key,
                              stat_of(stream) if stream is not None else None, Secrets())
    except BaseException:
        if owned and stream is not None:
            stream.close()
        raise
    run = _Run(client, app, action.key, results, ref, dict(options or {}), lease_s, idle_s,
               Progress(total, progress), str(results_path), url)
    previous: dict[int, Any] = {}
    if handle_signals and threading.current_thread() is threading.main_thread():
        for sig in (signal.SIGINT, signal.SIGTERM):
            previous[sig] = signal.signal(sig, run.on_signal)
    try:
        run.start()
        occurrences: Counter[str] = Counter()
        for number, item in source:
            if run.stopping:
                if total is None:
                    break  # stdin or a generator: the rest is not read
                run.summary.not_run += 1
                continue
            line = parse(number, item)
            occurrences[line.fingerprint] += 1
            occurrence = occurrences[line.fingerprint]
            if line.problem is not None:
                run.write_error(line, occurrence, line.problem, SAFE)
                continue
            earlier = earlier_outcome(results.state.get((line.fingerprint, occurrence)),
                                      retry_unknown)
            if earlier == SKIP:
                run.summary.skipped += 1
                run.bar.update(True, skipped=True)
            elif earlier == DIED:
                run.write_error(line, occurrence, died_in_flight(), UNKNOWN, line.values)
            elif earlier == LEFT_UNKNOWN:
                run.summary.errors += 1
                run.summary.unknown_lines.append(number)
                run.bar.update(False, skipped=True)
            else:
                while len(run.pending) >= window and not run.stopping:
                    run.pump()
                if run.stopping:
                    run.summary.not_run += 1
                    continue
                run.dispatch(line, occurrence)
        run.finish()
    except redis_py.RedisError as exc:
        raise ConnectionFailedError(
            f"lost Redis at {public_url(url)} ({type(exc).__name__}) during the run; the "
            "results file keeps what was recorded: rerun it to resume") from None
    finally:
        for signum, handler in previous.items():
            signal.signal(signum, handler)
        run.close()
        if owned and stream is not None:
            stream.close()
    summary = run.summary
    summary.total = summary.ok + summary.errors + summary.skipped + summary.not_run
    summary.unknown_lines.sort()
    summary.elapsed_s = time.monotonic() - run.started_at
    return summary


class _Run:
    """One distributed run's state: lines out on the workers, and what came back."""

    def __init__(self, client: Any, app: Any, key: str, results: ResultsFile,
                 ref: dict[str, str], options: dict[str, Any], lease_s: float,
                 idle_s: float, bar: Progress, results_path: str, url: str) -> None:
        self.client, self.app, self.key, self.results = client, app, key, results
        self.ref, self.options, self.lease_s, self.idle_s = ref, options, lease_s, idle_s
        self.bar, self.url = bar, url
        self.run_id = uuid.uuid4().hex
        self.events = keys.run_key(self.run_id, "events")
        self.alive = keys.run_key(self.run_id, "alive")
        self.summary = BatchSummary(action=key, results_path=results_path)
        self.pending: dict[tuple[str, int], _Pending] = {}
        self.stopping = False
        self.withdrawn = False  # the run's key is gone and unclaimed lines given up
        self.failing: list[str] = []  # connection errors since the last answer
        self.started_at = time.monotonic()
        self.last_progress = self.started_at
        self.next_check = self.started_at
        self.job = ""

    # -- the run's life --------------------------------------------------------
    def start(self) -> None:
        """Take in what earlier runs of this file left in Redis, then open this run."""
        self.job = keys.job_key(self.summary.results_path, self.key)
        for old in sorted(self.client.smembers(self.job)):
            self._take_in(old.decode())
        self.client.sadd(self.job, self.run_id)
        self.client.expire(self.job, RUN_TTL_S)
        self._keep_alive()

    def _take_in(self, old: str) -> None:
        """Close an earlier run of this file whose process died (this one holds the file's
        lock, so that one is gone): its queued lines run nothing from now on, the lines its
        workers still hold are waited for, and the records they pushed go into the file,
        so its `started` writes are known and its done lines skipped."""
        self.client.delete(keys.run_key(old, "alive"))
        events = keys.run_key(old, "events")
        while True:
            holding = any(True for _ in self.client.scan_iter(
                keys.run_key(old, "lease:*"), count=1000))
            while batch := self.client.lpop(events, 100):
                for raw in batch:
                    self._take_record(json.loads(raw))
            if not holding:
                break
            time.sleep(0.1)  # a lease ends with its call, or lapses with its worker
        self.client.srem(self.job, old)

    def _take_record(self, event: Mapping[str, Any]) -> None:
        if event.get("type") == "record":
            record = event["record"]
            self._write(record)
            self.results.state[(record["fingerprint"], record["occurrence"])] = (
                record["status"], record.get("retry"))

    def _keep_alive(self) -> None:
        # Outlives a few missed refreshes; gone soon after this process is.
        self.client.set(self.alive, "1", px=int(max(3 * self.lease_s, 1.0) * 1000))

    def finish(self) -> None:
        while self.pending:
            self.pump()

    def close(self) -> None:
        try:
            self._withdraw()
            if not self.pending:  # every line accounted for: nothing left to take in
                self.client.srem(self.job, self.run_id)
                self.client.delete(self.events)
        except Exception:  # Redis gone: the alive key lapses on its own
            log.warning("could not withdraw run %s from Redis", self.run_id)
        self.results.close()
        self.bar.close()

    def halt(self, reason: str, message: str = "") -> None:
        """No new line is queued; queued lines no worker took are given up."""
        if self.summary.stopped is None:
            self.summary.stopped, self.summary.message = reason, message
        self.stopping = True
        self._withdraw()

    def _withdraw(self) -> None:
        self.withdrawn = True
        self.client.delete(self.alive)  # a message still queued runs nothing
        self._give_up_unclaimed()

    def on_signal(self, signum: int, _frame: Any) -> None:
        self.summary.interrupted, self.summary.signal = True, signum
        if self.summary.stopped is None:
            self.summary.stopped = "signal"
            self.summary.message = f"interrupted by signal {signum}"
        self.stopping = True  # Redis is left to the loop: not from inside a handler

    # -- lines out -----------------------------------------------------------
    def dispatch(self, line: Line, occurrence: int) -> None:
        self.pending[(line.fingerprint, occurrence)] = _Pending(line, occurrence)
        payload = {"number": line.number, "fingerprint": line.fingerprint,
                   "values": line.values}
        # Each line is a trace of its own, from here to the worker (its message's headers).
        with tracing.sending(f"segment_connector.line {self.key}",
                             {"segment.action": self.key}) as headers:
            self.app.send_task(LINE, args=[self.run_id, self.key, payload, occurrence,
                                           self.ref, self.options, self.lease_s],
                               headers=headers)

    def write_error(self, line: Line, occurrence: int, exc: BaseException, retry: str,
                    values: Any = None) -> None:
        fields: dict[str, Any] = {"error": error_object(exc), "retry": retry}
        if values is not None:
            fields["input"] = values
        if line.excerpt is not None:
            fields["excerpt"] = line.excerpt
        self._write({"action": self.key, "line": line.number,
                     "fingerprint": line.fingerprint, "occurrence": occurrence,
                     "status": "error", **fields})
        self.summary.errors += 1
        if retry == UNKNOWN:
            self.summary.unknown_lines.append(line.number)
        self.bar.update(False)

    def _write(self, record: Mapping[str, Any]) -> None:
        try:
            self.results.write(record)
        except Exception as exc:
            self.halt("results", f"cannot write {self.summary.results_path}: "
                      f"{type(exc).__name__}: {exc}")

    # -- what comes back -------------------------------------------------------
    def pump(self) -> None:
        """Take the events that came back (waiting a little for one); now and then
        renew the run's key and look for lines whose worker is gone."""
        if self.stopping and not self.withdrawn:
            self._withdraw()
        got = self.client.blpop([self.events], timeout=0.2)
        if got is not None:
            self._handle(got[1])
            self._drain()
        now = time.monotonic()
        if now >= self.next_check:
            self.next_check = now + max(0.05, self.lease_s / 4)
            if not self.stopping:
                self._keep_alive()
            self._check_pending(now)

    def _drain(self) -> None:
        while True:
            batch = self.client.lpop(self.events, 100)
            if not batch:
                return
            for raw in batch:
                self._handle(raw)

    def _handle(self, raw: bytes) -> None:
        self.last_progress = time.monotonic()
        event = json.loads(raw)
        if event.get("type") == "record":
            self._write(event["record"])  # the last record of a line is its state
            return
        done = self.pending.pop((event["fingerprint"], event["occurrence"]), None)
        if done is None:
            return  # given up on before its outcome came: the file has the outcome
        self.summary.rate_limited += int(event.get("rate_limited") or 0)
        ok = event["status"] == "ok"
        if event["status"] == "not_run":
            self.summary.not_run += 1
            return
        self.summary.ok += ok
        self.summary.errors += not ok
        if event.get("retry") == UNKNOWN:
            self.summary.unknown_lines.append(int(event["line"]))
        self.bar.update(ok)
        if event.get("answered"):
            self.failing.clear()
        elif event.get("connect_error"):
            self.failing.append(str(event["connect_error"]))
            if len(self.failing) >= 5:
                done_count = self.summary.ok + self.summary.errors + self.summary.skipped
                self.halt("connection", f"{self.failing[-1]}; stopped after "
                          f"{done_count} lines")

    def _line_keys(self, part: str) -> list[str]:
        return [keys.line_key(self.run_id, part, fp, occ) for fp, occ in self.pending]

    def _check_pending(self, now: float) -> None:
        if not self.pending:
            return
        names = list(self.pending)
        claims = self.client.mget(self._line_keys("claim"))
        leases = self.client.mget(self._line_keys("lease"))
        if any(lease is not None for lease in leases):
            self.last_progress = now
        lapsed = [name for name, claim, lease in zip(names, claims, leases, strict=True)
                  if claim is not None and lease is None]
        if lapsed:
            self._drain()  # an outcome pushed before its lease went is taken first
            for name in lapsed:
                if name in self.pending:
                    self._lost(name)
        if self.pending and now - self.last_progress >= self.idle_s:
            self.halt("workers", f"no worker took a line for {self.idle_s:g}s; is a "
                      f"worker running on {public_url(self.url)}?")

    def _lost(self, name: tuple[str, int]) -> None:
        """The worker running this line stopped before telling its outcome."""
        item = self.pending.pop(name)
        # Fenced first, in one step: a worker only late (not dead) can no longer start the
        # write, so "not started" here stays true.
        started = self.client.eval(FENCE, 2, keys.line_key(self.run_id, "fence", *name),
                                   keys.line_key(self.run_id, "started", *name), RUN_TTL_S)
        if started:
            self.write_error(item.line, item.occurrence, OutcomeUnknownError(
                "outcome unknown: the worker running this line stopped while its call was "
                "in flight; check the workspace, then rerun with retry_unknown"),
                UNKNOWN, item.line.values)
        else:  # nothing was sent: a rerun runs it
            self.summary.not_run += 1

    def _give_up_unclaimed(self) -> None:
        """Claim, for no one, every pending line no worker has claimed: they count as not run."""
        for name in list(self.pending):
            claim = keys.line_key(self.run_id, "claim", *name)
            if self.client.set(claim, ABANDONED, nx=True, ex=RUN_TTL_S):
                self.pending.pop(name)
                self.summary.not_run += 1
