"""Distributed runs on a Redis that loses data: restarted empty, evicting keys, full.

Real `segment-connector worker` processes and a real Redis-compatible server (its own
per test, since they restart and starve it), against the simulator over loopback. The
promise: whatever Redis loses and whenever, runs and their reruns create nothing twice
(the simulator counts every create it receives). Also what a run checks before it
queues (a worker answers, the profile is theirs), what a worker checks of Redis, and
where a Redis password may come from.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import redis
from redis_support import SCALE, Sent, labels, records, require_server

from connector.batch.summary import BatchSummary
from connector.distributed.app import QUEUE, REDIS_ENV, make_app
from connector.distributed.coordinator import run_distributed
from connector.distributed.durability import ACCEPT_FLAG, Guard
from connector.distributed.fleet import Fleet
from connector.distributed.local_server import LocalRedis
from connector.errors import EXIT_NO_ANSWER, ConnectionFailedError, InputError
from connector.simulator import Simulator
from connector.simulator.faults import Faults

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture(scope="module")
def sim() -> Iterator[Simulator]:  # `sent` and `config` are redis_support's, over this
    with Simulator(time_scale=SCALE) as simulator:
        yield simulator


def server(**options: Any) -> LocalRedis:
    return LocalRedis(require_server(), **options)


def fleet(url: str, config: Path, workers: int = 3, **options: Any) -> Fleet:
    return Fleet(url, workers, rate_scale=SCALE, env={"SEGMENT_CONNECTOR_CONFIG": str(config)},
                 **options)


def distributed(url: str, lines: Any, out: Path, **options: Any) -> BatchSummary | str:
    """A run's summary, or the message of the `connection` error it stopped with."""
    options.setdefault("lease_s", 1.0)
    options.setdefault("answer_s", 20.0)  # workers reconnecting after a restart answer late
    try:
        return run_distributed("createLabel", lines, out, "sim", redis=url, app=make_app(url),
                               progress=False, handle_signals=False, **options)
    except ConnectionFailedError as exc:
        assert exc.exit_code == EXIT_NO_ANSWER
        return str(exc)


def in_background(url: str, lines: Any, out: Path) -> tuple[threading.Thread, dict[str, Any]]:
    """A run on a thread of its own; its summary (or error) comes as `result["first"]`."""
    result: dict[str, Any] = {}
    run = threading.Thread(target=lambda: result.setdefault("first",
                                                            distributed(url, lines, out)))
    run.start()
    return run, result


def last_states(out: Path) -> dict[int, str]:
    """Each line's last state in the results file: a status, or an error's code."""
    last: dict[int, str] = {}
    for record in records(out)[1:]:
        error = record.get("error")
        last[record["line"]] = error["code"] if error else record["status"]
    return last


def rerun_until_done(url: str, lines: list[dict[str, Any]], out: Path) -> dict[int, str]:
    """Rerun until no line is left to run (each is done, unknown or refused as a
    duplicate); each line's last state."""
    for _ in range(8):
        summary = distributed(url, lines, out)
        last = last_states(out)
        if isinstance(summary, BatchSummary) and summary.not_run == 0 and len(last) == \
                len(lines) and set(last.values()) <= {"ok", "unknown_outcome", "conflict"}:
            return last
    pytest.fail(f"reruns did not finish: {summary}")


def assert_created_once(sent: Sent, key: str, last: dict[int, str], n: int) -> None:
    counts = {i: sent.values[f"{key}-{i}"] for i in range(n)}
    assert max(counts.values()) <= 1, {i: c for i, c in counts.items() if c > 1}
    for i in range(n):
        state = last[i + 1]
        assert state in ("ok", "unknown_outcome"), (i, state)
        if state == "ok":  # done: created exactly once
            assert counts[i] == 1, i
    assert sum(state == "ok" for state in last.values()) >= n // 2


def wait_for(condition: Any, what: str, timeout: float = 90.0) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, what
        time.sleep(0.02)


def creates(sent: Sent, key: str) -> int:
    return sum(n for value, n in list(sent.values.items()) if value.startswith(f"{key}-"))


# -- Redis restarted empty ------------------------------------------------------------------
# Down long enough (8 s), the run gives Redis up and stops (exit 4) while the workers' calls
# in flight finish, their outcomes lost with it: only the started records tell the reruns.
@pytest.mark.parametrize(("moment", "down_s"), [(1, 0.0), (12, 8.0), (30, 8.0)])
def test_redis_restarted_empty_mid_run_then_reruns_create_nothing_twice(
        sim: Simulator, sent: Sent, config: Path, tmp_path: Path, moment: int,
        down_s: float) -> None:
    n, key = 40, f"restart{moment}"
    lines, out = labels(key, n), tmp_path / "out.jsonl"
    with server(appendonly=False) as redis_server, \
            fleet(redis_server.url, config, accept_data_loss=True) as workers:
        workers.start(make_app(redis_server.url))
        sim.faults = Faults(latency_ms=60)
        try:
            run, result = in_background(redis_server.url, lines, out)
            wait_for(lambda: creates(sent, key) >= moment, "no write went out")
            assert run.is_alive()
            redis_server.restart(down_s)  # killed: everything it held is gone
            run.join(120)
        finally:
            sim.faults = Faults()
        assert not run.is_alive()
        first = result["first"]
        if isinstance(first, BatchSummary):  # it noticed, or finished first
            assert first.stopped in (None, "redis"), first.to_dict()
        last = rerun_until_done(redis_server.url, lines, out)
    assert_created_once(sent, key, last, n)


# -- Redis evicting keys ---------------------------------------------------------------------
@pytest.mark.parametrize("policy", ["volatile-lru", "allkeys-lru"])
def test_redis_evicting_keys_then_reruns_create_nothing_twice(
        sim: Simulator, sent: Sent, config: Path, tmp_path: Path, policy: str) -> None:
    n, key = 40, f"evict-{policy}"
    lines, out = labels(key, n), tmp_path / "out.jsonl"
    # One sample per eviction: the key evicted is any key, not the least used of five, so
    # the run's own keys go as often as a cache's beside them (a few large ones).
    settings = {"maxmemory-policy": policy, "maxmemory-samples": "1"}
    with server(settings=settings) as redis_server, \
            fleet(redis_server.url, config, accept_data_loss=True) as workers:
        client = redis.Redis.from_url(redis_server.url)
        workers.start(make_app(redis_server.url))
        client.config_set("maxmemory", str(client.info("memory")["used_memory"] + 1_500_000))
        filling = threading.Event()
        count = iter(range(10**9))

        def fill_once() -> bool:
            try:
                client.set(f"cache:{next(count)}", b"x" * 65536, ex=3600)
                return True
            except redis.OutOfMemoryError:  # nothing left to evict
                return False

        def fill() -> None:  # keeps Redis at its limit: a key evicted every 50 ms or so
            while not filling.wait(0.05):
                fill_once()

        while fill_once() and not client.info("stats")["evicted_keys"]:
            pass  # up to the limit before the run starts
        filler = threading.Thread(target=fill)
        sim.faults = Faults(latency_ms=40)
        try:
            filler.start()
            distributed(redis_server.url, lines, out, answer_s=5.0)
        finally:
            filling.set()
            filler.join()
            sim.faults = Faults()
        evicted = client.info("stats")["evicted_keys"]
        client.config_set("maxmemory", "0")  # pressure gone: the reruns finish
        last = rerun_until_done(redis_server.url, lines, out)
    assert evicted > 0
    assert_created_once(sent, key, last, n)


# -- a full Redis ----------------------------------------------------------------------------
def test_a_full_redis_stops_the_run_with_exit_4_and_a_rerun_finishes(
        sim: Simulator, sent: Sent, config: Path, tmp_path: Path) -> None:
    n, key = 30, "full"
    lines, out = labels(key, n), tmp_path / "out.jsonl"
    with server() as redis_server, fleet(redis_server.url, config) as workers:
        client = redis.Redis.from_url(redis_server.url)
        workers.start(make_app(redis_server.url))
        client.config_set("maxmemory", "1")  # noeviction: every write is refused
        before = distributed(redis_server.url, lines, out, answer_s=2.0)
        assert isinstance(before, str) and "is full" in before and "nothing was queued" in before
        assert not out.exists()
        client.config_set("maxmemory", "0")
        sim.faults = Faults(latency_ms=60)
        try:
            run, result = in_background(redis_server.url, lines, out)
            wait_for(lambda: creates(sent, key) >= 5, "no write went out")
            client.config_set("maxmemory", "1")
            run.join(120)
            assert not run.is_alive()
            time.sleep(1.0)  # workers meet the full Redis too, and must live through it
            assert all(p.poll() is None for p in workers.processes)
            client.config_set("maxmemory", "0")
        finally:
            sim.faults = Faults()
        during = result["first"]
        assert isinstance(during, str) and "is full" in during, during
        last = rerun_until_done(redis_server.url, lines, out)
    assert_created_once(sent, key, last, n)


# -- what a run checks before it queues -------------------------------------------------------
def test_no_worker_fails_saying_so_before_anything_is_queued(tmp_path: Path) -> None:
    with server() as redis_server:
        with pytest.raises(ConnectionFailedError, match="no worker answered") as caught:
            run_distributed("createLabel", labels("none", 3), tmp_path / "out.jsonl", "sim",
                            redis=redis_server.url, answer_s=0.5, progress=False,
                            handle_signals=False)
        assert caught.value.exit_code == EXIT_NO_ANSWER and caught.value.sent is False
        assert redis.Redis.from_url(redis_server.url).llen(QUEUE) == 0
        assert not (tmp_path / "out.jsonl").exists()
        # The command line, with its default wait: exit 4, saying why.
        src = tmp_path / "in.jsonl"
        src.write_text(json.dumps(labels("none", 1)[0]) + "\n")
        env = {**os.environ, REDIS_ENV: redis_server.url}
        done = subprocess.run([sys.executable, "-m", "connector.cli", "run", "createLabel",
                               "--batch", str(src), "--distributed", "--profile", "sim"],
                              capture_output=True, text=True, cwd=ROOT, env=env, timeout=120)
        assert done.returncode == EXIT_NO_ANSWER and "no worker answered" in done.stderr
        assert not (tmp_path / "in.results.jsonl").exists()


def test_an_unknown_profile_fails_once_before_anything_is_queued(
        config: Path, tmp_path: Path) -> None:
    with server() as redis_server, fleet(redis_server.url, config, workers=2) as workers:
        workers.start(make_app(redis_server.url))
        with pytest.raises(InputError) as caught:
            run_distributed("createLabel", labels("who", 3), tmp_path / "out.jsonl", "nobody",
                            redis=redis_server.url, progress=False, handle_signals=False)
        assert list(caught.value.fields) == ["profile"]
        assert "'nobody'" in str(caught.value) and "2 of 2 workers" in str(caught.value)
        assert redis.Redis.from_url(redis_server.url).llen(QUEUE) == 0
        assert not (tmp_path / "out.jsonl").exists()


def test_input_that_pauses_is_waited_for_while_the_run_goes_on(
        sim: Simulator, sent: Sent, config: Path, tmp_path: Path) -> None:
    out = tmp_path / "out.jsonl"
    more = threading.Event()

    def slow_input() -> Iterator[dict[str, Any]]:
        yield from labels("pause", 6)[:3]
        more.wait(60)  # far longer than the run's lease, idle and answer times
        yield from labels("pause", 6)[3:]

    with server() as redis_server, fleet(redis_server.url, config, workers=2) as workers:
        workers.start(make_app(redis_server.url))
        result: dict[str, Any] = {}
        run = threading.Thread(target=lambda: result.setdefault("summary", distributed(
            redis_server.url, slow_input(), out, lease_s=0.2, idle_s=0.5, answer_s=0.3)))
        run.start()
        wait_for(lambda: out.exists() and out.read_bytes().count(b'"status":"ok"') == 3,
                 "the first lines did not run")
        time.sleep(3.0)  # fifteen leases, six idle times, ten answer times
        more.set()
        run.join(60)
    summary = result["summary"]
    assert isinstance(summary, BatchSummary), summary
    assert summary.ok == summary.total == 6 and summary.stopped is None
    assert all(sent.values[f"pause-{i}"] == 1 for i in range(6))


# -- what a worker checks of Redis ------------------------------------------------------------
@pytest.mark.parametrize(("options", "named"), [
    ({"appendonly": False}, "appendonly no"),
    ({"settings": {"maxmemory": "64mb", "maxmemory-policy": "allkeys-lru"}},
     "maxmemory-policy allkeys-lru"),
])
def test_a_worker_refuses_to_start_on_a_redis_that_may_lose_data(
        config: Path, options: dict[str, Any], named: str) -> None:
    with server(**options) as redis_server:
        env = {**os.environ, REDIS_ENV: redis_server.url,
               "SEGMENT_CONNECTOR_CONFIG": str(config)}
        done = subprocess.run([sys.executable, "-m", "connector.cli", "worker"],
                              capture_output=True, text=True, cwd=ROOT, env=env, timeout=120)
    assert done.returncode == 2, done.stderr
    assert ACCEPT_FLAG in done.stderr and named in done.stderr


def test_a_worker_looks_again_and_reads_info_where_config_is_disabled() -> None:
    now = [0.0]
    with server() as redis_server:
        client = redis.Redis.from_url(redis_server.url)
        guard = Guard(every_s=30.0, clock=lambda: now[0])
        guard.check(client)  # an append-only file, no eviction: writes go
        client.config_set("maxmemory", "64mb")
        client.config_set("maxmemory-policy", "volatile-lru")
        now[0] = 29.0
        guard.check(client)  # not looked at again yet
        now[0] = 30.0
        with pytest.raises(ConnectionFailedError, match="volatile-lru") as caught:
            guard.check(client)
        assert caught.value.sent is False
        Guard(accept_loss=True).check(client)  # the operator said so
    with server(settings={"rename-command": 'CONFIG ""'}) as managed:
        client = redis.Redis.from_url(managed.url)
        with pytest.raises(redis.ResponseError):
            client.config_get("appendonly")
        assert Guard().verdict(client).source == "INFO"
        Guard().check(client)
    with server(appendonly=False, settings={"rename-command": 'CONFIG ""'}) as managed, \
            pytest.raises(ConnectionFailedError, match="aof_enabled:0"):
        Guard().check(redis.Redis.from_url(managed.url))


# -- where a Redis password may come from ----------------------------------------------------
def test_a_password_on_the_command_line_is_refused_and_never_passed_on(tmp_path: Path) -> None:
    url = "redis://:hunter2@127.0.0.1:1/0"
    src = tmp_path / "in.jsonl"
    src.write_text(json.dumps(labels("pw", 1)[0]) + "\n")
    for argv in (["run", "createLabel", "--batch", str(src), "--distributed", "--profile",
                  "sim", "--redis", url], ["worker", "--redis", url]):
        done = subprocess.run([sys.executable, "-m", "connector.cli", *argv],
                              capture_output=True, text=True, cwd=ROOT, timeout=120)
        assert done.returncode == 2 and "--redis" in done.stderr, done.stderr
        assert "hunter2" not in done.stderr + done.stdout
    assert not (tmp_path / "in.results.jsonl").exists()
    workers = Fleet(url, 1)
    assert "hunter2" not in " ".join(workers.command("w0"))
    assert workers.env[REDIS_ENV] == url  # given by the environment instead


def test_the_config_file_gives_the_redis_url(tmp_path: Path,
                                             monkeypatch: pytest.MonkeyPatch) -> None:
    from connector.distributed.app import redis_url

    config = tmp_path / "config.toml"
    config.write_text('[distributed]\nredis = "redis://:s3cret@10.0.0.5:6379/2"\n')
    monkeypatch.setenv("SEGMENT_CONNECTOR_CONFIG", str(config))
    monkeypatch.delenv(REDIS_ENV, raising=False)
    assert redis_url() == "redis://:s3cret@10.0.0.5:6379/2"
    monkeypatch.setenv(REDIS_ENV, "redis://10.0.0.6:6379/0")
    assert redis_url() == "redis://10.0.0.6:6379/0"
