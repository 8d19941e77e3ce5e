"""A bulk run whose lines Celery workers call: the same results file, the same rules.

`run_distributed` is the bulk-run engine of `connector.batch.engine` (the same
reading, resume, unknown-outcome and stop rules as a local run) with the workers
as its dispatcher (`_Run`): it sends each line the engine runs to the
workers as a `segment_connector.line` task (inputs and a credential reference,
never a token), and writes each record the workers push onto the run's event
list into the results file, which it alone holds (locked) for the run.

What became of a line is known even when its worker dies or Redis loses data:

- before anything is queued, the run reads which workers announced themselves
  in Redis (`presence`) and whether they can use the profile: none within
  `answer_s` (5 s) is a `connection` error saying no worker answered; a
  profile a worker lacks is an input error naming it;
- a worker claims a line (once: a message handed out twice runs once) and
  keeps a lease on it while it runs. Before a write is sent the worker asks
  the run, which writes `started` to the results file (synced to disk) and only
  then says go ahead: a rerun finds the mark in the file whatever Redis keeps,
  and never sends that line again on its own. A line the run has given up is
  refused the go-ahead, so a worker that was only stalled sends nothing;
- a claimed line whose lease lapses with no outcome lost its worker: started,
  its outcome is unknown (an `unknown_outcome` error record); else nothing was
  sent and it counts as not run;
- lines no worker takes while nothing makes progress: after `answer_s` the
  run looks for workers announced, and when there is none (or after `idle_s`,
  60 s, in any case) gives them up as not run; a rerun runs them;
- the run's key in Redis is renewed only while it is there: when it is gone,
  Redis lost data (restarted empty, or evicted it), the run stops (exit 4), and
  the lines it had not given the go-ahead count as not run;
- when the run ends (or stops on SIGINT/SIGTERM) its `alive` key goes, so a
  message still queued for it runs nothing;
- when the run's own process dies, the next run of the same results file
  (`keys.job_key`) closes it: its queued lines run nothing, the lines its
  workers still hold are waited for, and the records they pushed go into the
  file before any line is decided, so nothing it sent is sent again.

Input read from stdin (or a generator) is read by a thread of its own, so the
run keeps answering its workers while it waits for the next line, however long.
"""

from __future__ import annotations

import json
import queue
import threading
import time
import uuid
from collections.abc import Callable, Iterable, Iterator, Mapping, Sized
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any
from urllib.parse import urlsplit, urlunsplit

from connector import tracing
from connector.batch import engine as bulk
from connector.batch.engine import NOT_RUN, Engine, Outcome
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
from connector.batch.summary import BatchSummary
from connector.distributed import credentials, keys, presence
from connector.distributed.app import make_app, redis_url
from connector.distributed.tasks import LINE, RUN_TTL_S
from connector.errors import ConnectionFailedError, InputError
from connector.progress import Progress
from connector.redact import Secrets, get_logger
from connector.registry import Registry, default_registry

log = get_logger("segment_connector.distributed")
ABANDONED = "abandoned"  # a claim the run itself takes on a line it gives up
ANSWER_S = 5.0  # how long the workers have to answer the run's question
CONNECT_FAILURES = 5  # lines in a row whose calls could not connect, before the run stops
# Moves up to ARGV[1] events of a run onto its `taking` list and returns them.
TAKE = """
redis.call('EXPIRE', KEYS[2], ARGV[2])
local items = redis.call('LRANGE', KEYS[1], 0, tonumber(ARGV[1]) - 1)
if #items == 0 then return items end
redis.call('LTRIM', KEYS[1], #items, -1)
redis.call('RPUSH', KEYS[2], unpack(items))
redis.call('EXPIRE', KEYS[2], ARGV[2])
return items
"""
_END, _NONE = object(), object()


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


def redis_failure(exc: BaseException, url: str, queued: bool) -> ConnectionFailedError:
    """A Redis error as the run reports it: a `connection` error (exit 4)."""
    text = str(exc)
    if "OOM" in text or "maxmemory" in text:
        what = (f"Redis at {public_url(url)} is full (maxmemory reached, no eviction): give "
                "it more memory or clear old keys")
    else:
        what = f"lost Redis at {public_url(url)} ({type(exc).__name__})"
    if not queued:
        return ConnectionFailedError(f"{what}; nothing was queued", sent=False)
    return ConnectionFailedError(f"{what} during the run; the results file keeps what was "
                                 "recorded: rerun it to resume")


def _redis_errors() -> tuple[type[BaseException], ...]:
    import kombu.exceptions
    import redis as redis_py

    return (redis_py.RedisError, kombu.exceptions.OperationalError)


def check_workers(client: Any, ref: Mapping[str, str], url: str,
                  answer_s: float = ANSWER_S, clock: Callable[[], float] = time.monotonic,
                  sleep: Callable[[float], None] = time.sleep) -> list[str]:
    """The workers announced in Redis, once each can use the profile; ConnectionFailedError
    when none is there within `answer_s`, InputError naming the profile when one lacks it."""
    deadline = clock() + answer_s
    while not (found := presence.present(client)):
        if clock() >= deadline:
            raise ConnectionFailedError(
                f"no worker answered within {answer_s:g}s on {public_url(url)}: start one "
                "with `segment-connector worker` on the same Redis; nothing was queued",
                sent=False)
        sleep(0.1)
    lacking = {name: why for name, announced in found.items()
               if (why := presence.why_not(announced, ref["profile"])) is not None}
    if lacking:
        name, why = sorted(lacking.items())[0]
        raise InputError({"profile": f"{len(lacking)} of {len(found)} workers cannot use "
                          f"profile {ref['profile']!r} (worker {name}: {why}); nothing was "
                          "queued"})
    return sorted(found)


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
    answer_s: float = ANSWER_S,
    registry: Registry | None = None,
    progress: bool | None = None,
    handle_signals: bool = True,
) -> BatchSummary:
    """Run action `key` once per input on the workers; the summary of `run_batch`.

    `credential` names a profile of the workers' configuration. `window` lines
    are queued at most at once. Refusals (a bad reference or option, a results
    file that is not this action's, Redis out of reach, no worker answering, a
    profile the workers lack) raise before anything is queued; losing Redis or a
    full Redis is a `ConnectionFailedError` (exit 4) at any point.
    """
    ref = credentials.reference(credential)
    if not isinstance(window, int) or isinstance(window, bool) or not 1 <= window <= 100_000:
        raise InputError({"window": f"must be a whole number from 1 to 100000, not {window!r}"})
    for name, seconds in (("lease_s", lease_s), ("idle_s", idle_s), ("answer_s", answer_s)):
        if not isinstance(seconds, int | float) or not seconds > 0:
            raise InputError({name: f"must be a number of seconds above 0, not {seconds!r}"})
    action = (registry or default_registry()).action(key)
    import redis as redis_py

    url = redis_url(redis)
    client = redis_py.Redis.from_url(url, socket_timeout=10, socket_connect_timeout=5)
    failures = _redis_errors()
    try:
        client.ping()
        check_workers(client, ref, url, answer_s)
        client.set(keys.run_key("probe", "write"), "1", px=1000)  # a full Redis says so now
        app = app or make_app(url)
    except failures as exc:
        raise redis_failure(exc, url, queued=False) from None

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
    summary = BatchSummary(action=action.key, results_path=str(results_path))
    engine = Engine(action.key, results, summary, Progress(total, progress), retry_unknown,
                    threshold=CONNECT_FAILURES)
    run = _Run(client, app, action.key, results, ref, dict(options or {}), lease_s, idle_s,
               answer_s, engine, url)
    engine.on_halt.append(run.withdraw)
    reader = _Reader(source) if total is None else None
    try:
        with engine.signals(handle_signals):
            run.start()
            engine.drive(reader.items(run.pump) if reader else source, parse, total is not None,
                         run, window)
    except failures as exc:
        raise redis_failure(exc, url, queued=True) from None
    finally:
        if reader is not None:
            reader.close()
        run.close()
        if owned and stream is not None:
            stream.close()
    return engine.finish()


class _Reader:
    """Reads the input on a thread of its own, so the run goes on answering its workers
    while a line is slow to come (stdin, a generator)."""

    def __init__(self, source: Iterator[tuple[int, Any]]) -> None:
        self.source = source
        self.queue: queue.Queue[Any] = queue.Queue(maxsize=1000)
        self.closed = threading.Event()
        self.thread = threading.Thread(target=self._read, daemon=True, name="input")
        self.thread.start()

    def _read(self) -> None:
        try:
            for item in self.source:
                if not self._put(item):
                    return
        except BaseException as exc:  # handed to the run, which raises it
            self._put(exc)
            return
        self._put(_END)

    def _put(self, item: Any) -> bool:
        while not self.closed.is_set():
            try:
                self.queue.put(item, timeout=0.2)
                return True
            except queue.Full:
                continue
        return False

    def items(self, wait: Callable[[], None]) -> Iterator[tuple[int, Any]]:
        """The input's items; `wait` runs while none has come."""
        while True:
            try:
                item = self.queue.get(timeout=0.05)
            except queue.Empty:
                wait()
                continue
            if item is _END:
                return
            if isinstance(item, BaseException):
                raise item
            yield item

    def close(self) -> None:
        self.closed.set()


class _Run:
    """One distributed run's state: lines out on the workers, and what came back."""

    def __init__(self, client: Any, app: Any, key: str, results: ResultsFile,
                 ref: dict[str, str], options: dict[str, Any], lease_s: float,
                 idle_s: float, answer_s: float, engine: Engine, url: str) -> None:
        self.client, self.app, self.key, self.results = client, app, key, results
        self.ref, self.options, self.lease_s, self.idle_s = ref, options, lease_s, idle_s
        self.answer_s, self.engine, self.url = answer_s, engine, url
        self.summary, self.bar = engine.summary, engine.bar
        self.run_id = uuid.uuid4().hex
        self.events = keys.run_key(self.run_id, "events")
        self.alive = keys.run_key(self.run_id, "alive")
        self.pending: dict[tuple[str, int], _Pending] = {}
        self.started: set[tuple[str, int]] = set()  # `started` is in the file: may be sent
        self.closed: set[tuple[str, int]] = set()  # given up: refused the go-ahead
        self.missing: dict[tuple[str, int], float] = {}  # lease first seen gone, at
        self.withdrawn = False  # the run's key is gone and unclaimed lines given up
        self.started_at = time.monotonic()
        self.last_progress = self.started_at
        self.last_answer = self.started_at  # the workers last answered a ping
        self.next_check = self.started_at
        self.alive_set = False
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
        so its `started` writes are known and its done lines skipped. Its workers' requests
        to start a write, which it never answered, are refused: nothing was sent, and a
        line it had marked `started` but not let go is recorded as safe to run again."""
        self.client.delete(keys.run_key(old, "alive"))
        while True:
            holding = any(True for _ in self.client.scan_iter(
                keys.run_key(old, "lease:*"), count=1000))
            while batch := self._pop(old):
                for raw in batch:
                    self._take_record(old, json.loads(raw))
                self.client.delete(keys.run_key(old, "taking"))
            if not holding:
                break
            time.sleep(0.1)  # a lease ends with its call, or lapses with its worker
        self.client.srem(self.job, old)

    def _take_record(self, old: str, event: Mapping[str, Any]) -> None:
        if event.get("type") == "start":
            record = event["record"]
            self._answer(old, {(record["fingerprint"], record["occurrence"]): False})
        elif event.get("type") == "record":
            record = event["record"]
            self._write(record)
            self.results.state[(record["fingerprint"], record["occurrence"])] = (
                record["status"], record.get("retry"))
        elif event.get("status") == "not_run":  # no go-ahead came: nothing was sent
            name = (event["fingerprint"], event["occurrence"])
            if self.results.state.get(name, ("",))[0] == "started":
                self._not_sent(name, int(event["line"]))
                self.results.state[name] = ("error", SAFE)

    def _not_sent(self, name: tuple[str, int], line: int, values: Any = None) -> None:
        """Record that a line marked `started` was not sent after all (no go-ahead reached
        its worker): an error safe to retry, so a rerun runs it."""
        self._write(bulk.record(self.key, Line(line, name[0], None), name[1], "error", retry=SAFE,
                           **({"input": values} if values is not None else {}),
                           error=error_object(ConnectionFailedError(
                               "not sent: the go-ahead to send it did not reach its worker",
                               sent=False))))

    def _keep_alive(self) -> None:
        # Outlives a few missed refreshes; gone soon after this process is. Renewed only
        # while it is there: gone early, Redis lost it.
        px = int(max(3 * self.lease_s, 1.0) * 1000)
        if not self.alive_set:
            self.client.set(self.alive, "1", px=px)
            self.alive_set = True
        elif not self.client.set(self.alive, "1", px=px, xx=True):
            self.halt("redis", f"Redis at {public_url(self.url)} lost this run's keys "
                      "(restarted without its data, or evicting keys when full); lines not "
                      "started count as not run: rerun to resume")

    @property
    def stopping(self) -> bool:
        return self.engine.stop.is_set()

    def in_flight(self) -> int:
        return len(self.pending)

    def close(self) -> None:
        try:
            self.withdraw()
            if not self.pending:  # every line accounted for: nothing left to take in
                self.client.srem(self.job, self.run_id)
                self.client.delete(self.events, keys.run_key(self.run_id, "taking"))
        except Exception:  # Redis gone: the alive key lapses on its own
            log.warning("could not withdraw run %s from Redis", self.run_id)
        self.results.close()
        self.bar.close()

    def halt(self, reason: str, message: str = "") -> None:
        """No new line is queued; queued lines no worker took are given up."""
        self.engine.halt(reason, message)  # which calls `withdraw`

    def withdraw(self) -> None:
        self.withdrawn = True
        self.client.delete(self.alive)  # a message still queued runs nothing
        self._give_up_unclaimed()

    # -- lines out -----------------------------------------------------------
    def send(self, line: Line, occurrence: int) -> None:
        self.pending[(line.fingerprint, occurrence)] = _Pending(line, occurrence)
        payload = {"number": line.number, "fingerprint": line.fingerprint,
                   "values": line.values}
        # Each line is a trace of its own, from here to the worker (its message's headers).
        with tracing.sending(f"segment_connector.line {self.key}",
                             {"segment.action": self.key}) as headers:
            self.app.send_task(LINE, args=[self.run_id, self.key, payload, occurrence,
                                           self.ref, self.options, self.lease_s],
                               headers=headers)


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
            self.withdraw()
        self._drain(block=True)
        now = time.monotonic()
        if now >= self.next_check:
            self.next_check = now + max(0.05, self.lease_s / 4)
            if not self.stopping:
                self._keep_alive()
            self._check_pending(now)

    def _pop(self, run_id: str, block: bool = False) -> list[bytes]:
        """Up to 100 events of a run, moved onto its `taking` list, where they stay until
        handled: events a run took but did not write before it died are the next run's.
        `block` waits a little for the first."""
        events, taking = keys.run_key(run_id, "events"), keys.run_key(run_id, "taking")
        held: list[bytes] = self.client.lrange(taking, 0, -1)
        if held:
            return held
        first: list[bytes] = []
        if block:
            got = self.client.blmove(events, taking, 0.2, "LEFT", "RIGHT")
            if got is None:
                return []
            first = [got]
        return first + list(self.client.eval(TAKE, 2, events, taking, 100 - len(first),
                                             RUN_TTL_S))

    def _drain(self, block: bool = False) -> None:
        for _ in range(10):  # then the checks: a steady stream must not starve them
            raws = self._pop(self.run_id, block)
            if not raws:
                return
            self._take(raws)
            self.client.delete(keys.run_key(self.run_id, "taking"))
            block = False

    def _take(self, raws: list[bytes]) -> None:
        """Handle events in order; the writes they ask to start are answered together,
        after one sync of the results file: a burst of lines waits for one, not one each."""
        starts: list[Mapping[str, Any]] = []
        for raw in raws:
            self.last_progress = time.monotonic()
            event = json.loads(raw)
            if event.get("type") == "start":
                starts.append(event["record"])
            else:
                self._handle(event)
        if starts:
            self._start(starts)

    def _answer(self, run_id: str, answers: Mapping[tuple[str, int], bool]) -> None:
        pipe = self.client.pipeline(transaction=False)
        for name, go in answers.items():
            answer = keys.line_key(run_id, "go", *name)
            pipe.rpush(answer, "1" if go else "0")
            pipe.expire(answer, max(60, int(10 * self.lease_s)))
        pipe.execute()

    def _start(self, records: list[Mapping[str, Any]]) -> None:
        """Workers ask to send lines' writes: `started` goes to the file (synced) before
        the go-ahead; a line given up, or a run stopping, gets a no."""
        answers: dict[tuple[str, int], bool] = {}
        new: dict[tuple[str, int], Mapping[str, Any]] = {}
        for record in records:
            name = (record["fingerprint"], record["occurrence"])
            if name in self.started:  # asked again (a retried request): already on disk
                answers[name] = True
            elif name in self.pending and name not in self.closed and not self.stopping:
                new[name] = record
            else:
                answers[name] = False
        if new:
            try:
                self.results.write_many(list(new.values()))
                written = True
            except Exception as exc:  # nothing of them on disk: none is sent
                self.halt("results", f"cannot write {self.summary.results_path}: "
                          f"{type(exc).__name__}: {exc}")
                written = False
            if written:
                self.started.update(new)
            answers.update(dict.fromkeys(new, written))
        self._answer(self.run_id, answers)

    def _handle(self, event: Mapping[str, Any]) -> None:
        if event.get("type") == "record":
            self._write(event["record"])  # the last record of a line is its state
            return
        name = (event["fingerprint"], event["occurrence"])
        done = self.pending.pop(name, None)
        self.missing.pop(name, None)
        if done is None:
            return  # given up on before its outcome came: the file has the outcome
        self.summary.rate_limited += int(event.get("rate_limited") or 0)
        if event["status"] == NOT_RUN and name in self.started:
            # The go-ahead did not reach the worker: not sent.
            self._not_sent(name, done.line.number, done.line.values)
        connect = event.get("connect_error")
        self.engine.tally(Outcome(done.line, str(event["status"]), event.get("retry"),
                                  str(connect) if connect else None,
                                  bool(event.get("answered")), event.get("unrecorded"),
                                  event.get("error")))

    def _line_keys(self, part: str) -> list[str]:
        return [keys.line_key(self.run_id, part, fp, occ) for fp, occ in self.pending]

    def _check_pending(self, now: float) -> None:
        if not self.pending:
            self.last_answer = now
            return
        names = list(self.pending)
        claims = self.client.mget(self._line_keys("claim"))
        leases = self.client.mget(self._line_keys("lease"))
        lapsed = []
        for name, claim, lease in zip(names, claims, leases, strict=True):
            if lease is not None:
                self.last_progress = now
                self.missing.pop(name, None)
            # Gone for half a lease more (a worker renewing it after Redis restarted empty
            # puts it back within a third of one), on a line a worker took.
            elif (claim is not None or name in self.started) and \
                    now - self.missing.setdefault(name, now) >= self.lease_s / 2:
                lapsed.append(name)
        if lapsed:
            self._drain()  # an outcome pushed before its lease went is taken first
            for name in lapsed:
                if name in self.pending:
                    self._lost(name)
        if not self.pending:
            return
        if now - self.last_progress >= self.idle_s:
            self.halt("workers", f"no worker took a line for {self.idle_s:g}s; is a "
                      f"worker running on {public_url(self.url)}?")
        elif now - self.last_progress >= self.answer_s and \
                now - self.last_answer >= self.answer_s:
            self.last_answer = now
            if not presence.present(self.client):
                self.halt("workers", f"no worker answered on {public_url(self.url)} while "
                          f"{len(self.pending)} lines waited; start one with "
                          "`segment-connector worker` and rerun")

    def _lost(self, name: tuple[str, int]) -> None:
        """The worker running this line stopped before telling its outcome."""
        item = self.pending.pop(name)
        self.missing.pop(name, None)
        self.closed.add(name)  # a worker only late, not dead, gets no go-ahead now
        if name in self.started:
            self.engine.tally(self.engine.write_error(item.line, item.occurrence,
                OutcomeUnknownError(
                    "outcome unknown: the worker running this line stopped while its call "
                    "was in flight; check the workspace, then rerun with retry_unknown"),
                UNKNOWN, item.line.values))
        else:  # nothing was sent: a rerun runs it
            self.engine.tally(Outcome(item.line, NOT_RUN))

    def _give_up_unclaimed(self) -> None:
        """Claim, for no one, every pending line no worker has claimed (nor started):
        they count as not run."""
        for name in list(self.pending):
            if name in self.started:
                continue  # in flight: its outcome, or its lease lapsing, decides
            claim = keys.line_key(self.run_id, "claim", *name)
            if self.client.set(claim, ABANDONED, nx=True, ex=RUN_TTL_S):
                given_up = self.pending.pop(name)
                self.closed.add(name)
                self.engine.tally(Outcome(given_up.line, NOT_RUN))
