"""Bulk runs against the simulator: pacing under the endpoint's limit, results, resume, stops."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import threading
import time
from collections import Counter
from collections.abc import Callable
from email.utils import formatdate
from itertools import pairwise
from pathlib import Path
from typing import Any

import pytest

from connector.batch import default_results_path, fingerprint, header, run_batch
from connector.connection import Connection
from connector.ratelimit import RateLimiter, Ticket
from connector.runtime import Runtime
from connector.simulator import Faults, Simulator

SCALE = 0.02  # a "minute" lasts 1.2 s
WINDOW_S = 60 * SCALE


def labels(n: int, start: int = 0) -> list[dict[str, Any]]:
    return [{"label": {"key": "batch", "value": f"v{i}"}} for i in range(start, start + n)]


def runtime_for(sim: Simulator) -> Runtime:
    return Runtime(Connection(token=sim.token, base_url=sim.base_url))


def records(path: Path) -> list[dict[str, Any]]:
    """The line records of a results file (its header checked and left out)."""
    head, *rest = [json.loads(line) for line in path.read_text("utf-8").splitlines()]
    assert head == header(head["action"])
    return rest


def final(path: Path) -> dict[int, dict[str, Any]]:
    return {rec["line"]: rec for rec in records(path)}


def results_file(path: Path, *recs: dict[str, Any], action: str = "createLabel") -> None:
    """A results file as a run would have written it."""
    path.write_text("".join(json.dumps(r) + "\n" for r in (header(action), *recs)))


def rec(line: int, values: dict[str, Any], status: str, **fields: Any) -> dict[str, Any]:
    return {"action": "createLabel", "line": line, "fingerprint": fingerprint(values),
            "occurrence": 1, "status": status, **fields}


# -- pacing ---------------------------------------------------------------------------
# A bulk run over real HTTP shows what users see (no 429, every line done once); the
# schedule itself (how many windows, how full, when each opens) is checked on a fake
# clock, where it is exact whatever the machine's load. Elapsed time against the
# fastest the limit allows is a benchmark figure: bench/batch_rate.py prints it.
class FakeTime:
    """A limiter clock that moves only when the test moves it.

    Pass `wait` as a held call's `on_wait`: the limiter announces every hold of at
    least `WAIT_NOTICE_S`, and `wait` lets exactly that much fake time pass, so the
    held call starts at once. Holds are kept above that threshold here (a shorter
    one would be slept for real, and the fake clock never moves).
    """

    def __init__(self, start: float = 1000.0) -> None:
        self.now = start
        self.holds: list[tuple[float, float, str]] = []  # (held at, seconds, reason)

    def __call__(self) -> float:
        return self.now

    def wait(self, seconds: float, reason: str) -> None:
        self.holds.append((self.now, seconds, reason))
        self.now += seconds


WALL = 1_700_000_000.0  # the fake wall clock X-RateLimit-Reset dates are read against


def on_fake_time(limiter: RateLimiter, scenario: Callable[[], None]) -> None:
    """Run `scenario`; a call held past the fake clock fails the test instead of hanging."""
    failure: list[BaseException] = []

    def run() -> None:
        try:
            scenario()
        except BaseException as exc:  # re-raised in the test's thread
            failure.append(exc)

    thread = threading.Thread(target=run, daemon=True)
    thread.start()
    thread.join(timeout=60)  # a guard against a hang, not a measure: the scenario is instant
    if thread.is_alive():
        limiter.cancel()
        thread.join(timeout=5)
        raise AssertionError("a held call never started: the limiter waited past its clock")
    if failure:
        raise failure[0]


def test_200_creates_at_60_per_minute_get_no_429_and_every_line_done_once(
        simulator_factory: Callable[..., Simulator], tmp_path: Path) -> None:
    sim = simulator_factory(time_scale=SCALE)
    limiter = RateLimiter(time_scale=SCALE)
    tickets: list[Ticket] = []
    acquire = limiter.acquire

    def noting(*args: Any, **kwargs: Any) -> Ticket:
        ticket = acquire(*args, **kwargs)
        tickets.append(ticket)
        return ticket

    limiter.acquire = noting  # type: ignore[method-assign]
    summary = run_batch(runtime_for(sim), "createLabel", labels(200), tmp_path / "r.jsonl",
                        concurrency=4, limiter=limiter)
    assert sim.limiter.refused == 0 and limiter.rate_limited == 0 and summary.rate_limited == 0
    assert summary.ok == 200 and summary.errors == 0
    assert len(sim.state["labels"]) == 200
    # Every call went through the run's limiter, which opened its windows in turn and
    # at least as many as 200 calls at 60 a window need, whatever the machine's speed.
    assert len(tickets) == 200 and {t.bucket for t in tickets} == {"createLabel"}
    opened = [t.window for t in tickets if t.window > 0]
    assert opened == list(range(1, len(opened) + 1)) and len(opened) >= 4


def test_limiter_paces_200_calls_at_60_per_minute_in_the_fewest_windows() -> None:
    """4 calls at a time, each answered 0.25 s after it starts, on a fake clock."""
    clock = FakeTime()
    limiter = RateLimiter({"createLabel": (60, "minute")}, clock=clock, wall=lambda: WALL)
    window, answer = 60.0, 0.25
    calls: list[list[Any]] = []  # [ticket, started, answered]

    def scenario() -> None:
        for _ in range(200 // 4):
            group = []
            for _ in range(4):
                ticket = limiter.acquire("createLabel", on_wait=clock.wait)
                group.append([ticket, clock(), None])
            clock.now += answer
            for call in group:
                call[2] = clock()
                limiter.release(call[0], 201, {})
            calls.extend(group)

    on_fake_time(limiter, scenario)
    openers = [c for c in calls if c[0].window > 0]
    assert [c[0].window for c in openers] == [1, 2, 3, 4]  # the fewest windows 200 need
    firsts = [calls.index(c) for c in openers]
    sizes = [b - a for a, b in zip(firsts, [*firsts[1:], len(calls)], strict=True)]
    assert sizes == [60, 60, 60, 20]  # each window filled to the limit before the next
    for before, after in pairwise(openers):
        # Held exactly until the window surely closed on the server (its first answer
        # + the period), no later; the server's window, opened when that first call
        # arrived, has closed by then too, so it never counts more than 60.
        assert after[1] == before[2] + window
        assert after[1] - before[1] >= window
    # Only the calls that opened a window were held, each told why.
    assert [at + seconds for at, seconds, _ in clock.holds] == [c[1] for c in openers[1:]]
    assert all("60 calls per minute" in reason for _, _, reason in clock.holds)
    # The last window opens 3 periods after the first call (the fastest the limit
    # allows), late only by the 3 opening calls' answer times.
    assert openers[-1][1] - openers[0][1] == 3 * window + 3 * answer


def test_limiter_learns_a_lower_limit_from_the_headers() -> None:
    clock = FakeTime()
    limiter = RateLimiter({"op": (100, "minute")}, clock=clock, wall=lambda: WALL)
    headers = {"X-RateLimit-Remaining": "1", "X-RateLimit-Consumed": "1"}
    started: list[float] = []

    def scenario() -> None:
        for answer in (headers, {**headers, "X-RateLimit-Remaining": "0",
                                 "X-RateLimit-Consumed": "2"}):
            ticket = limiter.acquire("op", on_wait=clock.wait)
            started.append(clock())
            clock.now += 0.25
            limiter.release(ticket, 200, answer)
        limiter.release(limiter.acquire("op", on_wait=clock.wait), 200, {})
        started.append(clock())

    on_fake_time(limiter, scenario)
    # 1 + 1 is the server's limit: the third call waited for a new window, opened a
    # minute after the first answer, though the written limit (100) had room left.
    assert started[2] == started[0] + 0.25 + 60
    assert len(clock.holds) == 1 and "2 calls per minute" in clock.holds[0][2]


def test_limiter_holds_calls_after_a_429_and_when_the_quota_is_shared() -> None:
    clock = FakeTime()
    limiter = RateLimiter({}, clock=clock, wall=lambda: WALL)  # no written limit: headers only

    def after_429() -> None:
        limiter.release(limiter.acquire("any"), 429, {}, retry_after=30)
        limiter.release(limiter.acquire("any", on_wait=clock.wait), 200, {})

    refused_at = clock()
    on_fake_time(limiter, after_429)
    assert clock() == refused_at + 30  # held for as long as the 429 asked
    assert len(clock.holds) == 1 and "answered 429" in clock.holds[0][2]
    assert limiter.rate_limited == 1

    clock = FakeTime()
    shared = RateLimiter({"op": (50, "minute")}, clock=clock, wall=lambda: WALL)
    reset = formatdate(WALL + 20, usegmt=True)  # the server's window ends in 20 s
    answered: list[float] = []

    def quota_spent_elsewhere() -> None:
        ticket = shared.acquire("op")
        clock.now += 0.25
        answered.append(clock())
        shared.release(ticket, 200, {"X-RateLimit-Remaining": "0", "X-RateLimit-Reset": reset})
        shared.release(shared.acquire("op", on_wait=clock.wait), 200, {})

    on_fake_time(shared, quota_spent_elsewhere)
    # Another client used the quota: the next call waits until the server's reset,
    # not a whole minute, though this limiter sent one call of 50.
    assert clock() == answered[0] + 20
    assert len(clock.holds) == 1


# -- results and resume ---------------------------------------------------------------
def test_python_api_writes_one_record_per_line(simulator: Simulator, tmp_path: Path) -> None:
    out = tmp_path / "r.jsonl"
    lines = [*labels(3), {"label": "not an object"}]
    summary = run_batch(runtime_for(simulator), "createLabel", lines, out, progress=False)
    assert (summary.ok, summary.errors, summary.exit_code) == (3, 1, 1)
    done = final(out)
    assert [done[n]["status"] for n in (1, 2, 3, 4)] == ["ok", "ok", "ok", "error"]
    assert done[1]["input"] == lines[0]
    assert done[1]["output"]["data"]["data"]["label"]["value"] == "v0"
    assert done[4]["error"]["type"] == "input" and done[4]["retry"] == "safe"


def test_resume_skips_done_lines_and_reruns_safe_errors(simulator: Simulator,
                                                        tmp_path: Path) -> None:
    batch = tmp_path / "in.jsonl"
    batch.write_text("".join(json.dumps(x) + "\n" for x in labels(5)))
    out = default_results_path(batch)
    assert out.name == "in.results.jsonl"
    first = labels(3)
    results_file(out, rec(1, first[0], "ok", output={}), rec(2, first[1], "ok", output={}),
                 rec(3, first[2], "error", error={"type": "rate_limited"}, retry="safe"))
    summary = run_batch(runtime_for(simulator), "createLabel", batch, out)
    assert (summary.skipped, summary.ok, summary.errors) == (2, 3, 0)
    assert sorted(simulator.state["labels"]) == ["batch:v2", "batch:v3", "batch:v4"]
    again = run_batch(runtime_for(simulator), "createLabel", batch, out)
    assert (again.skipped, again.ok) == (5, 0)  # a third run sends nothing


def test_truncated_last_line_is_dropped(simulator: Simulator, tmp_path: Path) -> None:
    out = tmp_path / "r.jsonl"
    results_file(out, rec(1, labels(1)[0], "ok", output={}))
    with out.open("a") as fh:
        fh.write('{"action": "createLabel", "line": 2, "input": {"label": {"ke')
    summary = run_batch(runtime_for(simulator), "createLabel", labels(2), out)
    assert (summary.skipped, summary.ok) == (1, 1)
    assert [r["line"] for r in records(out) if r["status"] == "ok"] == [1, 2]


def test_a_last_record_missing_only_its_newline_is_kept(simulator: Simulator,
                                                        tmp_path: Path) -> None:
    out = tmp_path / "r.jsonl"
    results_file(out, rec(1, labels(1)[0], "ok", output={}))
    out.write_bytes(out.read_bytes().rstrip(b"\n"))
    summary = run_batch(runtime_for(simulator), "createLabel", labels(2), out)
    assert (summary.skipped, summary.ok) == (1, 1)
    assert [r["line"] for r in records(out) if r["status"] == "ok"] == [1, 2]


def test_a_create_that_may_have_happened_is_not_sent_again(
        simulator_factory: Callable[..., Simulator], tmp_path: Path) -> None:
    sim = simulator_factory(faults=Faults(fault_after_write=1.0))  # written, then a 500
    out = tmp_path / "r.jsonl"
    first = run_batch(runtime_for(sim), "createLabel", labels(1), out)
    assert first.errors == 1 and first.unknown_lines == [1]
    assert final(out)[1]["retry"] == "unknown"
    sim.faults = Faults()
    second = run_batch(runtime_for(sim), "createLabel", labels(1), out)
    assert second.errors == 1 and second.ok == 0  # not repeated: no 409, no duplicate
    assert len(sim.state["labels"]) == 1
    forced = run_batch(runtime_for(sim), "createLabel", labels(1), out, retry_unknown=True)
    assert final(out)[1]["error"]["type"] == "conflict" and forced.errors == 1


def test_a_create_in_flight_when_the_process_died_is_not_sent_again(
        simulator: Simulator, tmp_path: Path) -> None:
    out = tmp_path / "r.jsonl"
    results_file(out, rec(1, labels(1)[0], "started"))
    summary = run_batch(runtime_for(simulator), "createLabel", labels(2), out)
    assert (summary.ok, summary.errors, summary.unknown_lines) == (1, 1, [1])
    assert final(out)[1]["retry"] == "unknown"
    assert final(out)[1]["error"]["type"] == "unknown_outcome"
    assert sorted(simulator.state["labels"]) == ["batch:v1"]


# -- interrupted runs -----------------------------------------------------------------
def _cli(sim: Simulator, batch: Path, out: Path) -> subprocess.Popen[bytes]:
    env = {**os.environ, "SEGMENT_API_TOKEN": sim.token}
    return subprocess.Popen(
        [sys.executable, "-m", "connector.cli", "run", "createLabel", "--batch", str(batch),
         "--results", str(out), "--concurrency", "4", "--rate-scale", str(SCALE),
         "--base-url", sim.base_url],
        env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE)


def _wait_for_lines(out: Path, at_least: int, timeout: float = 30) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if out.exists() and out.read_bytes().count(b'"status":"ok"') >= at_least:
            return
        time.sleep(0.02)
    raise AssertionError("the batch made no progress")


@pytest.mark.parametrize("sig", [signal.SIGTERM, signal.SIGKILL])
def test_killed_halfway_then_rerun_does_every_line_exactly_once(
        simulator_factory: Callable[..., Simulator], tmp_path: Path, sig: int) -> None:
    sim = simulator_factory(time_scale=SCALE)
    batch, out = tmp_path / "in.jsonl", tmp_path / "out.jsonl"
    batch.write_text("".join(json.dumps(x) + "\n" for x in labels(200)))

    proc = _cli(sim, batch, out)
    _wait_for_lines(out, 70)  # into the second window
    proc.send_signal(sig)
    _, err = proc.communicate(timeout=30)
    assert proc.returncode == (143 if sig == signal.SIGTERM else -signal.SIGKILL)
    assert b"\r[" not in err  # no progress bar when stderr is not a terminal
    text = out.read_text("utf-8")
    whole = text.splitlines()[:-1] if sig == signal.SIGKILL else text.splitlines()
    for line in whole:  # every complete record is valid JSON
        json.loads(line)
    if sig == signal.SIGTERM:
        assert text.endswith("\n") and len(final(out)) < 200
    # One run's pacing keeps it under the limit; a rerun starts with a fresh limiter
    # inside the window the first run opened, and may meet a 429 it then waits out.
    assert sim.limiter.refused == 0

    rerun = _cli(sim, batch, out)
    stdout, _ = rerun.communicate(timeout=60)
    summary = json.loads(stdout)
    ok = Counter(r["line"] for r in records(out) if r["status"] == "ok")
    last = final(out)
    assert all(count == 1 for count in ok.values())  # no line done twice
    assert not [r for r in records(out) if r.get("error", {}).get("type") == "conflict"]
    unknown = [n for n, r in last.items() if r["status"] != "ok"]
    assert all(last[n]["retry"] == "unknown" for n in unknown)  # in flight at a SIGKILL
    assert len(ok) + len(unknown) == 200 and summary["total"] == 200
    if sig == signal.SIGTERM:
        assert rerun.returncode == 0 and len(ok) == 200 and not unknown
    created = set(sim.state["labels"])
    assert {f"batch:v{n - 1}" for n in ok} <= created and len(created) <= 200


def test_progress_bar_draws_only_when_enabled() -> None:
    import io

    from connector.progress import Progress

    shown, hidden = io.StringIO(), io.StringIO()
    for stream, enabled in ((shown, True), (hidden, None)):  # StringIO is no terminal
        bar = Progress(3, enabled, stream)
        for ok in (True, True, False):
            bar.update(ok)
        bar.close()
    assert "3/3 ok 2 errors 1" in shown.getvalue()
    assert hidden.getvalue() == ""
