"""Bulk runs over real Celery workers (`segment-connector worker` processes) with a real
Redis-compatible server, against the simulator over loopback: one rate limit for every
worker, no write sent twice when a worker dies, no token in Redis, the same results file
and resume rules as a local run."""

from __future__ import annotations

import base64
import binascii
import contextlib
import json
import os
import signal
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import redis
from redis_support import SCALE, Sent, labels, local_redis, records

from connector.batch import run_batch
from connector.connection import Connection
from connector.distributed import keys
from connector.distributed.app import make_app
from connector.distributed.coordinator import run_distributed
from connector.distributed.fleet import Fleet
from connector.distributed.local_server import LocalRedis
from connector.distributed.tasks import LINE, EventSink, submit
from connector.errors import InputError
from connector.ratelimit import CancelledError
from connector.redact import Secrets
from connector.runtime import Runtime
from connector.simulator import Simulator
from connector.simulator.faults import Faults

WORKERS = 6
ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture(scope="module")
def server() -> Iterator[LocalRedis]:
    yield from local_redis()


@pytest.fixture(scope="module")
def sim() -> Iterator[Simulator]:
    with Simulator(time_scale=SCALE) as simulator:
        yield simulator


@pytest.fixture(scope="module")
def app(server: LocalRedis) -> Any:
    return make_app(server.url)


@pytest.fixture(scope="module")
def fleet(server: LocalRedis, config: Path, app: Any, sent: Sent,
          tmp_path_factory: pytest.TempPathFactory) -> Iterator[Fleet]:
    logs = tmp_path_factory.mktemp("workers")
    workers = Fleet(server.url, WORKERS, rate_scale=SCALE, log_dir=logs,
                    env={"SEGMENT_CONNECTOR_CONFIG": str(config)})
    with workers:
        workers.start(app)
        yield workers


def distributed(server: LocalRedis, app: Any, key: str, lines: Any, out: Path,
                **options: Any) -> Any:
    options.setdefault("lease_s", 2.0)
    return run_distributed(key, lines, out, "sim", redis=server.url, app=app,
                           progress=False, handle_signals=False, **options)


# -- one limit for all -----------------------------------------------------------------
def test_six_workers_on_one_token_meet_no_429(server: LocalRedis, app: Any, fleet: Fleet,
                                               sent: Sent, tmp_path: Path) -> None:
    before = sent.refused
    summary = distributed(server, app, "createLabel", labels("six", 200),
                          tmp_path / "out.jsonl")
    assert summary.exit_code == 0, summary.to_dict()
    assert summary.ok == summary.total == 200 and summary.rate_limited == 0
    assert sent.refused - before == 0  # the simulator refused nothing
    values = [v for v in sent.values if v.startswith("six-")]
    assert len(values) == 200 and all(sent.values[v] == 1 for v in values)
    recs = records(tmp_path / "out.jsonl")
    assert recs[0]["action"] == "createLabel"
    assert sorted(r["line"] for r in recs[1:] if r["status"] == "ok") == list(range(1, 201))
    assert sum(r["status"] == "started" for r in recs[1:]) == 200  # each write marked first


def test_a_rerun_skips_what_is_done_locally_or_distributed(
        server: LocalRedis, app: Any, fleet: Fleet, sim: Simulator, sent: Sent,
        tmp_path: Path) -> None:
    src, out = tmp_path / "in.jsonl", tmp_path / "out.jsonl"
    src.write_text("".join(json.dumps(x) + "\n" for x in labels("again", 5)))
    first = distributed(server, app, "createLabel", src, out)
    assert first.ok == 5
    src.write_text("".join(json.dumps(x) + "\n" for x in labels("again", 8)))
    second = distributed(server, app, "createLabel", src, out)
    assert (second.skipped, second.ok) == (5, 3)
    local = run_batch(Runtime(Connection(token=sim.token, base_url=sim.base_url)),
                      "createLabel", src, out, handle_signals=False, progress=False)
    assert (local.skipped, local.ok) == (8, 0)
    assert all(sent.values[f"again-{i}"] == 1 for i in range(8))


def test_bad_lines_and_refused_calls_are_recorded_as_locally(
        server: LocalRedis, app: Any, fleet: Fleet, tmp_path: Path) -> None:
    src, out = tmp_path / "in.jsonl", tmp_path / "out.jsonl"
    src.write_bytes(b'{"label": {"key": "bad", "value": "ok-1"}}\nnot json\n'
                    b'{"label": "not an object"}\n{"label": {"key": "bad", "value": "ok-1"}}\n')
    summary = distributed(server, app, "createLabel", src, out)
    assert (summary.ok, summary.errors, summary.total) == (1, 3, 4)
    last = {r["line"]: r for r in records(out)[1:] if r["status"] != "started"}
    assert last[2]["error"]["code"] == "input" and last[2]["retry"] == "safe"
    assert last[3]["error"]["code"] == "input"  # checked on the worker, nothing sent
    # Lines 1 and 4 run at once on two workers: one creates the label, the other is refused.
    first, again = sorted((last[1], last[4]), key=lambda r: r["status"] == "error")
    assert first["status"] == "ok"
    assert again["error"]["code"] == "conflict" and again["retry"] == "safe"


def test_a_prefork_worker_runs_lines_in_its_child_processes(
        server: LocalRedis, config: Path, sim: Simulator, sent: Sent, tmp_path: Path) -> None:
    url = server.url.rsplit("/", 1)[0] + "/3"  # a database of its own: only this worker
    own_app = make_app(url)
    with Fleet(url, 1, pool="prefork", concurrency=2, rate_scale=SCALE,
               env={"SEGMENT_CONNECTOR_CONFIG": str(config)}) as worker:
        worker.start(own_app)
        summary = run_distributed("createLabel", labels("fork", 10), tmp_path / "out.jsonl",
                                  "sim", redis=url, app=own_app, progress=False,
                                  handle_signals=False)
    assert summary.ok == 10 and summary.rate_limited == 0
    assert all(sent.values[f"fork-{i}"] == 1 for i in range(10))


def test_a_write_is_sent_only_once_the_run_says_started_is_on_disk(
        server: LocalRedis) -> None:
    client = redis.Redis.from_url(server.url)
    record = {"action": "createLabel", "line": 1, "fingerprint": "a" * 64, "occurrence": 1,
              "status": "started"}
    events, answer = keys.run_key("gated", "events"), keys.line_key("gated", "go", "a" * 64, 1)
    sink = EventSink(client, "gated", "a" * 64, 1, Secrets(), go_ahead_s=2.0)
    with pytest.raises(CancelledError):  # no `alive` key: the run is over
        sink.write(record)
    assert client.llen(events) == 0
    client.set(keys.run_key("gated", "alive"), "1")
    client.rpush(answer, "0")  # the run gave the line up
    with pytest.raises(CancelledError, match="gave this line up"):
        sink.write(record)
    with pytest.raises(CancelledError, match="did not confirm"):  # no answer came
        sink.write(record)
    asked = [json.loads(raw) for raw in client.lrange(events, 0, -1)]
    assert [a["type"] for a in asked] == ["start", "start"]
    client.rpush(answer, "1")
    sink.write(record)  # the go-ahead: the caller sends
    client.delete(events, answer, keys.run_key("gated", "alive"))


# -- single calls ----------------------------------------------------------------------
def test_tasks_run_an_action_a_page_and_a_picklist(app: Any, fleet: Fleet) -> None:
    workspace = submit(app, "action", "getWorkspace", {}, "sim").get(timeout=30)
    assert workspace["status"] == "ok" and workspace["data"]["data"]["workspace"]["id"]
    page = submit(app, "page", "listSources", {"count": 1}, {"profile": "sim"}).get(timeout=30)
    assert page["status"] == "ok" and "pagination" in page["data"]["data"]
    options = submit(app, "picklist", "sources", {}, "sim").get(timeout=30)
    assert options["status"] == "ok" and isinstance(options["result"], list)
    missing = submit(app, "action", "getSource", {"sourceId": "nope"}, "sim").get(timeout=30)
    assert missing["status"] == "error" and missing["error"]["code"] == "not_found"
    whole = submit(app, "page", "listSources", {"followAll": True}, "sim").get(timeout=30)
    assert whole["error"]["fields"] == {"followAll": whole["error"]["fields"]["followAll"]}
    unknown = submit(app, "action", "getWorkspace", {}, "nobody").get(timeout=30)
    assert unknown["error"]["code"] == "input" and "nobody" in unknown["error"]["message"]


def test_a_token_is_refused_as_a_credential_before_anything_is_queued(
        server: LocalRedis, app: Any, sim: Simulator, tmp_path: Path) -> None:
    with pytest.raises(InputError) as caught:
        submit(app, "action", "getWorkspace", {}, sim.token)
    assert "credential" in caught.value.fields and sim.token not in str(caught.value)
    with pytest.raises(InputError, match="credential"):
        run_distributed("createLabel", labels("x", 1), tmp_path / "o.jsonl",
                        {"token": sim.token}, redis=server.url, app=app)
    assert not (tmp_path / "o.jsonl").exists()


# -- no token in Redis -----------------------------------------------------------------
def _strings(value: Any) -> Iterator[str]:
    if isinstance(value, dict):
        for k, v in value.items():
            yield str(k)
            yield from _strings(v)
    elif isinstance(value, list):
        for v in value:
            yield from _strings(v)
    elif isinstance(value, str):
        yield value
        try:  # kombu carries message bodies in base64
            decoded = base64.b64decode(value, validate=True).decode("utf-8")
        except (binascii.Error, UnicodeDecodeError, ValueError):
            return
        yield decoded
        with contextlib.suppress(ValueError):
            yield from _strings(json.loads(decoded))


def everything_in(client: Any) -> list[str]:
    """Every key and value of the database, decoded as deep as JSON and base64 go."""
    out: list[str] = []
    for name in client.scan_iter("*"):
        kind = client.type(name).decode()
        values: list[bytes] = []
        if kind == "string":
            values = [client.get(name)]
        elif kind == "list":
            values = client.lrange(name, 0, -1)
        elif kind == "hash":
            values = [x for kv in client.hgetall(name).items() for x in kv]
        elif kind == "set":
            values = list(client.smembers(name))
        elif kind == "zset":
            values = [m for m, _ in client.zrange(name, 0, -1, withscores=True)]
        out.append(name.decode(errors="replace"))
        for raw in values:
            text = raw.decode("utf-8", errors="replace")
            out.append(text)
            try:
                out.extend(_strings(json.loads(text)))
            except ValueError:
                out.extend(_strings(text))
    return out


def test_no_message_or_stored_result_holds_the_token(
        server: LocalRedis, app: Any, fleet: Fleet, sim: Simulator, tmp_path: Path) -> None:
    # Messages as they sit in the broker: a database no worker reads keeps them queued.
    idle_url = server.url.rsplit("/", 1)[0] + "/5"
    idle = redis.Redis.from_url(idle_url)
    line = {"number": 1, "fingerprint": "b" * 64, "values": labels("queued", 1)[0]}
    make_app(idle_url).send_task(LINE, args=["queued-run", "createLabel", line, 1,
                                             {"profile": "sim"}, {}, 1.0])
    submit(make_app(idle_url), "action", "createLabel",
           {"label": {"key": "queued", "value": "single"}}, "sim")
    queued = everything_in(idle)
    assert sum('"segment_connector.line"' in s or s == "segment_connector.line"
               for s in queued) >= 1
    # What runs leave behind: records, claims, started marks, results of single calls.
    distributed(server, app, "createLabel", labels("tok", 4), tmp_path / "out.jsonl")
    submit(app, "action", "getWorkspace", {}, "sim").get(timeout=30)
    submit(app, "picklist", "sources", {}, "sim").get(timeout=30)
    stored = everything_in(redis.Redis.from_url(server.url))
    assert any(s.startswith("celery-task-meta-") for s in stored)
    for text in queued + stored:
        assert sim.token not in text and sim.token[4:] not in text


# -- the command line --------------------------------------------------------------------
def test_the_cli_fans_a_batch_out(server: LocalRedis, fleet: Fleet, tmp_path: Path) -> None:
    src = tmp_path / "in.jsonl"
    src.write_text("".join(json.dumps(x) + "\n" for x in labels("cli", 3)))
    env = {k: v for k, v in os.environ.items() if k != "SEGMENT_API_TOKEN"}
    done = subprocess.run([sys.executable, "-m", "connector.cli", "run", "createLabel",
                           "--batch", str(src), "--distributed", "--profile", "sim",
                           "--redis", server.url], capture_output=True, text=True,
                          cwd=ROOT, env=env, timeout=120)
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout)["ok"] == 3
    assert (tmp_path / "in.results.jsonl").exists()
    refused = subprocess.run([sys.executable, "-m", "connector.cli", "run", "createLabel",
                              "--batch", str(src), "--distributed"], capture_output=True,
                             text=True, cwd=ROOT, env=env, timeout=60)
    assert refused.returncode == 2 and "--profile" in refused.stderr


def test_a_message_of_a_run_that_is_over_runs_nothing(
        server: LocalRedis, app: Any, fleet: Fleet, sent: Sent, tmp_path: Path) -> None:
    stale = {"number": 1, "fingerprint": "f" * 64,
             "values": {"label": {"key": "stale", "value": "stale-1"}}}
    app.send_task(LINE, args=["ended-run", "createLabel", stale, 1, {"profile": "sim"}, {},
                              1.0])
    # Lines queued after it: once they are done, the stale message was taken too.
    summary = distributed(server, app, "createLabel", labels("after", 12),
                          tmp_path / "out.jsonl")
    assert summary.ok == 12
    client = redis.Redis.from_url(server.url)
    deadline = time.monotonic() + 30
    while client.llen("segment-connector") and time.monotonic() < deadline:
        time.sleep(0.05)
    assert sent.values["stale-1"] == 0
    assert not client.exists(keys.line_key("ended-run", "claim", "f" * 64, 1))


def test_a_run_killed_mid_batch_is_resumed_with_what_its_workers_did(
        server: LocalRedis, fleet: Fleet, sim: Simulator, sent: Sent, app: Any,
        tmp_path: Path) -> None:
    src, out = tmp_path / "in.jsonl", tmp_path / "out.jsonl"
    src.write_text("".join(json.dumps(x) + "\n" for x in labels("orphan", 24)))
    env = {k: v for k, v in os.environ.items() if k != "SEGMENT_API_TOKEN"}
    sim.faults = Faults(latency_ms=300)
    try:
        proc = subprocess.Popen([sys.executable, "-m", "connector.cli", "run", "createLabel",
                                 "--batch", str(src), "--results", str(out), "--distributed",
                                 "--profile", "sim", "--redis", server.url], cwd=ROOT, env=env,
                                stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        deadline = time.monotonic() + 60
        while not out.exists() or b'"status":"ok"' not in out.read_bytes():
            assert time.monotonic() < deadline and proc.poll() is None
            time.sleep(0.01)
        proc.kill()  # the run's own process: the workers finish what they hold, and
        proc.wait()  # their records wait in Redis for the next run of this file
    finally:
        sim.faults = Faults()
    rerun = distributed(server, app, "createLabel", src, out)
    assert rerun.total == 24 and rerun.ok + rerun.skipped + rerun.errors == 24
    assert rerun.skipped >= 1  # done by the workers after the run's process died
    assert all(sent.values[f"orphan-{i}"] <= 1 for i in range(24))  # nothing sent twice
    assert sum(sent.values[f"orphan-{i}"] for i in range(24)) == 24 - rerun.errors


def test_sigterm_stops_queueing_and_records_the_lines_in_flight(
        server: LocalRedis, fleet: Fleet, sim: Simulator, sent: Sent, tmp_path: Path) -> None:
    src = tmp_path / "in.jsonl"
    src.write_text("".join(json.dumps(x) + "\n" for x in labels("term", 40)))
    env = {k: v for k, v in os.environ.items() if k != "SEGMENT_API_TOKEN"}
    sim.faults = Faults(latency_ms=200)
    try:
        proc = subprocess.Popen([sys.executable, "-m", "connector.cli", "run", "createLabel",
                                 "--batch", str(src), "--distributed", "--profile", "sim",
                                 "--redis", server.url], cwd=ROOT, env=env,
                                stdout=subprocess.PIPE, stderr=subprocess.PIPE)
        results = tmp_path / "in.results.jsonl"
        deadline = time.monotonic() + 60
        while not results.exists() or results.read_bytes().count(b'"status":"ok"') < 3:
            assert time.monotonic() < deadline and proc.poll() is None
            time.sleep(0.02)
        proc.send_signal(signal.SIGTERM)
        out, _ = proc.communicate(timeout=60)
    finally:
        sim.faults = Faults()
    summary = json.loads(out)
    assert proc.returncode == 143 and summary["stopped"] == "signal"
    assert summary["ok"] >= 3 and summary["not_run"] > 0 and summary["unknown"] == 0
    assert summary["ok"] + summary["not_run"] == 40
    term = {v for v in sent.values if v.startswith("term-")}
    assert len(term) == summary["ok"]  # every line sent was recorded; nothing else ran
    time.sleep(1.0)  # a queued line that still ran would show here
    assert {v for v in sent.values if v.startswith("term-")} == term


# -- a worker killed mid-call (last: it leaves the fleet one short) ------------------------
def test_a_worker_killed_mid_batch_creates_nothing_twice_and_a_rerun_completes(
        server: LocalRedis, app: Any, fleet: Fleet, sim: Simulator, sent: Sent,
        tmp_path: Path) -> None:
    out = tmp_path / "out.jsonl"
    lines = labels("kill", 30)
    client = redis.Redis.from_url(server.url)
    victim = f"{socket.gethostname()}:{fleet.processes[0].pid}".encode()
    sim.faults = Faults(latency_ms=300)  # every call in flight long enough to be killed in
    result: dict[str, Any] = {}
    run = threading.Thread(target=lambda: result.setdefault("summary", distributed(
        server, app, "createLabel", lines, out, idle_s=3.0)))
    try:
        run.start()
        killed_line = None
        deadline = time.monotonic() + 60
        while killed_line is None:
            assert time.monotonic() < deadline, "the worker never held a started write"
            written = out.read_bytes() if out.exists() else b""
            for name in client.scan_iter(f"{keys.PREFIX}:run:*:lease:*"):
                fingerprint = name.split(b":")[-2]
                started = b'"fingerprint":"' + fingerprint + b'","occurrence":1,"status":"started"'
                if client.get(name) == victim and started in written:
                    fleet.kill(0)  # SIGKILL, mid-call: its write went out, no answer came
                    killed_line = name.split(b":")[-2:]
                    break
            time.sleep(0.01)
        run.join(120)
    finally:
        sim.faults = Faults()
    summary = result["summary"]
    assert summary.total == 30 and summary.rate_limited == 0
    assert len(summary.unknown_lines) == 1  # the line in flight: not sent again
    assert summary.ok + summary.errors + summary.not_run == 30 and summary.errors == 1
    unknown_line = summary.unknown_lines[0]
    last = {r["line"]: r for r in records(out)[1:]}
    assert last[unknown_line]["error"]["code"] == "unknown_outcome"
    assert last[unknown_line]["retry"] == "unknown"
    assert all(n == 1 for v, n in sent.values.items() if v.startswith("kill-"))

    rerun = distributed(server, app, "createLabel", lines, out)  # the local rules
    assert rerun.skipped == summary.ok and rerun.ok == summary.not_run
    assert rerun.unknown_lines == [unknown_line]  # left for the user to check
    assert rerun.ok + rerun.skipped + rerun.errors == 30
    kill_values = {v: n for v, n in sent.values.items() if v.startswith("kill-")}
    assert all(n == 1 for n in kill_values.values())  # no label sent (or created) twice
    # Every other line sent once; the unknown one at most once (it was marked started
    # just before its request went out, and may have died before or after).
    assert set(kill_values) >= {f"kill-{i}" for i in range(30)} - {f"kill-{unknown_line - 1}"}
    assert {r["line"] for r in records(out)[1:] if r["status"] == "ok"} == \
        set(range(1, 31)) - {unknown_line}
    # Once the workspace is checked, --retry-unknown runs that line again, and only it.
    checked = distributed(server, app, "createLabel", lines, out, retry_unknown=True)
    assert checked.skipped == 29 and checked.unknown_lines == []
    final = [r for r in records(out)[1:] if r["line"] == unknown_line][-1]
    assert final["status"] == "ok" or final["error"]["code"] == "conflict"  # made once
