"""The tasks a worker runs: an action, a listing page or a picklist by key; one line of a run.

Every task takes a credential reference (`credentials.reference`), never a
token, and each worker resolves it from its own configuration. Runtimes are
kept per process and connection; their calls are paced by a
`SharedRateLimiter` on the run's Redis, so every worker sharing a token shares
its limits. What a task stores (its result, a line's records) is masked with
the runtime's secrets first.

- `segment_connector.read` (acknowledged when done, so a dead worker's read is
  handed to another) and `segment_connector.write` (acknowledged as it starts:
  never handed out twice) run one call and return `{"status": "ok", ...}` or
  `{"status": "error", "error": <error_record>}`. `submit` picks the one an
  action's method calls for.
- `segment_connector.line` runs one line of a distributed bulk run (see
  `coordinator`): it claims the line, keeps a lease on it while it runs, and
  pushes the line's records and outcome onto the run's event list. Before a
  write is sent it asks the run to record `started` in its results file, and
  sends only once the run says the record is on disk: a rerun finds it there
  whatever Redis keeps. No go-ahead (the run is over, gave the line up, or
  Redis lost the request): nothing is sent. Nor is anything sent while Redis
  may lose its data (`durability`), unless the worker accepts that risk.

Every runtime of a worker process is watched by the process's observers
(`observers()`): metrics (`worker --metrics-port`), traces (when OpenTelemetry
is configured; a task continues the trace its message's headers carry), the
fleet's retry budget (on Redis) and a circuit per API host.
"""

from __future__ import annotations

import json
import os
import socket
import threading
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from connector import tracing
from connector.batch.calls import LineWatcher
from connector.batch.engine import Outcome, record
from connector.batch.line_runner import LineRunner
from connector.batch.lines import Line
from connector.batch.records import SAFE, error_object
from connector.distributed import credentials, keys
from connector.distributed.durability import Guard
from connector.distributed.presence import Repeating
from connector.distributed.shared_limiter import SharedRateLimiter
from connector.errors import InputError
from connector.events import Observer
from connector.ratelimit import CancelledError
from connector.redact import Secrets, redact_value, scope
from connector.reliability import Guards
from connector.retry import IDEMPOTENT, RetryPolicy
from connector.runtime import Runtime

READ, WRITE, LINE = "segment_connector.read", "segment_connector.write", "segment_connector.line"
KINDS = ("action", "page", "picklist")
RUN_TTL_S = 7 * 24 * 3600  # claims outlive any rerun of a run's file

# Claims a line for this worker unless the run is over (its `alive` key gone) or the
# line is claimed already (a message handed out twice, or given up by the run).
CLAIM = """
if redis.call('EXISTS', KEYS[2]) == 0 then return 0 end
if not redis.call('SET', KEYS[1], ARGV[1], 'NX', 'PX', ARGV[3]) then return 0 end
redis.call('SET', KEYS[3], ARGV[1], 'PX', ARGV[2])
return 1
"""


# Asks the run to record a write as started, unless the run is over (`alive` gone).
START = """
if redis.call('EXISTS', KEYS[2]) == 0 then return 0 end
redis.call('RPUSH', KEYS[1], ARGV[1])
redis.call('EXPIRE', KEYS[1], ARGV[2])
return 1
"""
GO_AHEAD_S = 60.0  # longest wait for the run's answer while the run is alive


@dataclass
class WorkerSettings:
    """What every task of this worker process shares (set by `segment-connector worker`)."""

    redis_url: str | None = None
    rate_scale: float = 1.0
    guard: Guard = field(default_factory=Guard)  # refuses writes on a Redis that may lose data
    guards: Guards = field(default_factory=Guards)  # the retry budget and the circuit
    metrics: Any = None  # a connector.metrics.Metrics when the worker serves metrics


settings = WorkerSettings()
_lock = threading.Lock()
_runtimes: dict[tuple[Any, ...], Runtime] = {}
_clients: dict[int, Any] = {}  # per process: a client must not cross a fork
_observers: dict[int, list[Observer]] = {}  # per process, as the clients


def redis_client() -> Any:
    import redis

    from connector.distributed.app import redis_url

    with _lock:
        client = _clients.get(os.getpid())
        if client is None:
            client = _clients[os.getpid()] = redis.Redis.from_url(
                redis_url(settings.redis_url), socket_timeout=10, socket_connect_timeout=5)
        return client


def observers() -> list[Observer]:
    """What watches every call of this process: metrics, traces, the fleet's retry budget
    (on Redis) and a circuit per API host; made once per process."""
    made = _observers.get(os.getpid())
    if made is None:
        metrics = settings.metrics
        made = [*([metrics] if metrics is not None else []),
                *settings.guards.observers(redis_client(),
                                           metrics.circuit_changed if metrics else None)]
        traces = tracing.from_environment()
        if traces is not None:
            made.append(traces)
        with _lock:
            made = _observers.setdefault(os.getpid(), made)
    return made


def message_headers() -> dict[str, Any]:
    """The headers of the message the current task came in (empty outside a task)."""
    from celery import current_task

    request = getattr(current_task, "request", None) if current_task else None
    if request is None:
        return {}
    found = {k: request.get(k) for k in tracing.HEADERS if request.get(k)}
    nested = request.get("headers")  # where some Celery versions keep custom headers
    if isinstance(nested, Mapping):
        found.update({k: nested[k] for k in tracing.HEADERS if nested.get(k)})
    return found


def runtime_for(credential: Any, options: Mapping[str, Any] | None = None) -> Runtime:
    """The runtime for a reference, paced by the shared limiter; kept per connection."""
    conn = credentials.resolve(credential)
    opts = dict(options or {})
    timeout, deadline = opts.get("timeout"), opts.get("deadline")
    access = credentials.policy(credential)
    cache_key = (keys.token_id(conn.token or ""), conn.region, conn.base_url, timeout,
                 deadline, settings.rate_scale, os.getpid(), access)
    with _lock:
        runtime = _runtimes.get(cache_key)
    if runtime is None:
        if not conn.token:
            raise InputError({"credential": f"profile {credential_name(credential)!r} has "
                              "no token on this worker"})
        limiter = SharedRateLimiter(redis_client(), conn.token, time_scale=settings.rate_scale)
        policy = RetryPolicy().with_(timeout_s=timeout, deadline_s=deadline)
        runtime = Runtime(conn, policy=policy, limiter=limiter, access=access,
                          events=observers())
        with _lock:
            runtime = _runtimes.setdefault(cache_key, runtime)
    return runtime


def credential_name(credential: Any) -> str:
    return credentials.reference(credential)["profile"]


# -- one call ------------------------------------------------------------------
def call(kind: str, key: str, inputs: Mapping[str, Any] | None, credential: Any,
         options: Mapping[str, Any] | None = None) -> dict[str, Any]:
    """Run one action, listing page or picklist here; the answer as a task returns it."""
    with tracing.receiving(f"segment_connector.{kind} {key}", message_headers(),
                           {"segment.action": key}):
        return _call(kind, key, inputs, credential, options)


def _call(kind: str, key: str, inputs: Mapping[str, Any] | None, credential: Any,
          options: Mapping[str, Any] | None) -> dict[str, Any]:
    secrets = Secrets()
    try:
        runtime = runtime_for(credential, options)
        secrets = runtime.secrets
        with scope(secrets):
            if kind == "picklist":
                result = runtime.picklist(key, inputs)
            else:
                if kind == "page" and (inputs or {}).get("followAll"):
                    raise InputError({"followAll": "a page task returns one page; pass "
                                      "pagination.next back as cursor for the next"}, key)
                result = runtime.run(key, inputs)
            return {"status": "ok", **redact_value(result, secrets)}
    except Exception as exc:  # the answer is data: a flow routes on error.code
        return {"status": "error", "action": key,
                "error": redact_value(error_object(exc), secrets)}


def task_for(kind: str, key: str, inputs: Mapping[str, Any] | None) -> str:
    """READ for picklists and idempotent calls, else WRITE (acknowledged early)."""
    if kind not in KINDS:
        raise InputError({"kind": f"must be one of {', '.join(KINDS)}, not {kind!r}"})
    if kind == "picklist":
        return READ
    from connector.registry import default_registry

    action = default_registry().action(key)
    return READ if action.method_for(inputs or {}).upper() in IDEMPOTENT else WRITE


def submit(app: Any, kind: str, key: str, inputs: Mapping[str, Any] | None,
           credential: Any, **options: Any) -> Any:
    """Queue one call; returns Celery's AsyncResult (`.get()` gives the answer)."""
    ref = credentials.reference(credential)  # refused here, before anything is queued
    name = task_for(kind, key, inputs)
    with tracing.sending(f"segment_connector.{kind} {key}", {"segment.action": key}) as headers:
        return app.send_task(name, args=[kind, key, dict(inputs or {}), ref, options],
                             headers=headers)


# -- one line of a run ---------------------------------------------------------------
class EventSink:
    """A line's records, pushed onto the run's event list. `started` is not pushed as a
    record but asked of the run, which writes it to its results file (synced) and says
    go ahead; `write` returns only then, and raises when the write must not be sent."""

    def __init__(self, client: Any, run_id: str, fingerprint: str, occurrence: int,
                 secrets: Secrets, guard: Guard | None = None,
                 go_ahead_s: float = GO_AHEAD_S) -> None:
        self.client, self.secrets, self.guard = client, secrets, guard
        self.events = keys.run_key(run_id, "events")
        self.alive = keys.run_key(run_id, "alive")
        self.answer = keys.line_key(run_id, "go", fingerprint, occurrence)
        self.go_ahead_s = go_ahead_s

    def write(self, record: Mapping[str, Any]) -> None:
        """Push one record; raises when Redis is gone, and then a write is not sent."""
        record = redact_value(dict(record), self.secrets)
        if record.get("status") == "started":
            self._start(record)
            return
        self._push({"type": "record", "record": record})

    def _push(self, event: Mapping[str, Any]) -> None:
        """One event onto the run's list, its expiry renewed in the same transaction."""
        pipe = self.client.pipeline(transaction=True)
        pipe.rpush(self.events, json.dumps(event))
        pipe.expire(self.events, RUN_TTL_S)
        pipe.execute()

    def _start(self, record: Mapping[str, Any]) -> None:
        if self.guard is not None:
            self.guard.check(self.client)
        event = json.dumps({"type": "start", "record": record})
        if not self.client.eval(START, 2, self.events, self.alive, event, RUN_TTL_S):
            raise CancelledError("the run is over; nothing was sent")
        waited = 0.0
        while waited < self.go_ahead_s:
            got = self.client.blpop([self.answer], timeout=1)
            if got is not None:
                if got[1] == b"1":
                    return
                raise CancelledError("the run gave this line up; nothing was sent")
            waited += 1.0
            if not self.client.exists(self.alive):  # over, or Redis lost it: no answer comes
                break
        raise CancelledError("the run did not confirm it recorded the write as started; "
                             "nothing was sent")

    def outcome(self, outcome: Outcome, occurrence: int, rate_limited: int = 0) -> None:
        """Tell the run how the line ended, as an `Outcome` it tallies."""
        line = outcome.line
        self._push({
            "type": "outcome", "fingerprint": line.fingerprint, "occurrence": occurrence,
            "line": line.number, "status": outcome.status, "retry": outcome.retry,
            "connect_error": outcome.connect_error, "answered": outcome.answered,
            "unrecorded": outcome.unrecorded, "rate_limited": rate_limited,
            "error": outcome.error})


def lease(client: Any, key: str, value: str, lease_ms: int) -> Repeating:
    """Keeps a line's lease alive while its task runs, so the run can tell a dead worker.
    Set, not extended: a Redis that restarted empty has it back at once; Redis away, the
    lease lapses and the run decides what became of the line."""
    return Repeating(lambda: client.set(key, value, px=lease_ms), lease_ms / 3000.0, "lease")


def worker_id() -> str:
    return f"{socket.gethostname()}:{os.getpid()}"


def run_line(run_id: str, key: str, line: Mapping[str, Any], occurrence: int,
             credential: Any, options: Mapping[str, Any] | None, lease_s: float) -> bool:
    """Run one line if this worker claims it; False when the run is over or another has it."""
    with tracing.receiving(f"segment_connector.line {key}", message_headers(),
                           {"segment.action": key}):
        return _run_line(run_id, key, line, occurrence, credential, options, lease_s)


def _run_line(run_id: str, key: str, line: Mapping[str, Any], occurrence: int,
              credential: Any, options: Mapping[str, Any] | None, lease_s: float) -> bool:
    client = redis_client()
    fingerprint, number = str(line["fingerprint"]), int(line["number"])
    lease_key = keys.line_key(run_id, "lease", fingerprint, occurrence)
    lease_ms = max(100, int(lease_s * 1000))
    me = worker_id()
    claimed = client.eval(CLAIM, 3, keys.line_key(run_id, "claim", fingerprint, occurrence),
                          keys.run_key(run_id, "alive"), lease_key,
                          me, lease_ms, RUN_TTL_S * 1000)
    if not claimed:
        return False
    values = line.get("values")
    item = Line(number, fingerprint, dict(values) if isinstance(values, Mapping) else None)
    with lease(client, lease_key, me, lease_ms):
        try:
            runtime = runtime_for(credential, options)
            secrets = runtime.secrets
        except Exception as exc:  # nothing was sent: the line can run again
            sink = EventSink(client, run_id, fingerprint, occurrence, Secrets())
            sink.write(record(key, item, occurrence, "error", input=values,
                              error=error_object(exc), retry=SAFE))
            sink.outcome(Outcome(item, "error", SAFE), occurrence)
            client.delete(lease_key)
            return True
        sink = EventSink(client, run_id, fingerprint, occurrence, secrets, settings.guard)
        limiter = runtime.limiter
        assert limiter is not None
        before = limiter.rate_limited
        job = LineRunner(runtime.watched(LineWatcher()), key, sink, threading.Event(), secrets)
        outcome = job.run(item, occurrence)
        sink.outcome(outcome, occurrence, limiter.rate_limited - before)
    client.delete(lease_key)
    return True


def register(app: Any) -> None:
    """Declare the tasks on `app`."""
    app.task(name=READ, acks_late=True, reject_on_worker_lost=True)(call)
    app.task(name=WRITE, acks_late=False)(call)
    app.task(name=LINE, acks_late=False, ignore_result=True)(run_line)
