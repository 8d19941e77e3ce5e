"""Bulk runs against the simulator: pacing under the endpoint's limit, results, resume, stops."""

from __future__ import annotations

import json
import math
import os
import signal
import subprocess
import sys
import time
from collections import Counter
from collections.abc import Callable
from email.utils import formatdate
from pathlib import Path
from typing import Any

import pytest

from connector.batch import default_results_path, fingerprint, header, run_batch
from connector.connection import Connection
from connector.ratelimit import RateLimiter
from connector.runtime import Runtime
from connector.simulator import Faults, Simulator

SCALE = 0.02  # a "minute" lasts 1.2 s
WINDOW_S = 60 * SCALE


def labels(n: int, start: int = 0) -> list[dict[str, Any]]:
    return [{"label": {"key": "batch", "value": f"v{i}"}} for i in range(start, start + n)]


def runtime_for(sim: Simulator) -> Runtime:
    return Runtime(Connection(token=sim.token, base_url=sim.base_url))


def count_429s(sim: Simulator) -> list[int]:
    """Count the requests the simulator refuses for the rate limit."""
    refused = [0]
    hit = sim.limiter.hit

    def counting(*args: Any, **kwargs: Any) -> Any:
        verdict = hit(*args, **kwargs)
        refused[0] += not verdict.allowed
        return verdict

    sim.limiter.hit = counting  # type: ignore[method-assign]
    return refused


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
def test_200_creates_at_60_per_minute_no_429_and_near_the_fastest_time(
        simulator_factory: Callable[..., Simulator], tmp_path: Path) -> None:
    sim = simulator_factory(time_scale=SCALE)
    refused = count_429s(sim)
    limiter = RateLimiter(time_scale=SCALE)
    started = time.monotonic()
    summary = run_batch(runtime_for(sim), "createLabel", labels(200), tmp_path / "r.jsonl",
                        concurrency=4, limiter=limiter)
    elapsed = time.monotonic() - started
    # 60 per window, windows opened by their first request: 60 + 60 + 60 at once,
    # the last 20 when the fourth window opens, three windows after the first call.
    fastest = 3 * WINDOW_S
    assert refused[0] == 0 and limiter.rate_limited == 0 and summary.rate_limited == 0
    assert summary.ok == 200 and summary.errors == 0
    assert len(sim.state["labels"]) == 200
    assert fastest * 0.98 <= elapsed <= fastest * 1.15, elapsed


def test_limiter_learns_a_lower_limit_from_the_headers() -> None:
    limiter = RateLimiter({"op": (100, "minute")}, time_scale=SCALE)
    headers = {"X-RateLimit-Remaining": "1", "X-RateLimit-Consumed": "1"}
    limiter.release(limiter.acquire("op"), 200, headers)
    limiter.release(limiter.acquire("op"), 200, {**headers, "X-RateLimit-Remaining": "0",
                                                 "X-RateLimit-Consumed": "2"})
    started = time.monotonic()
    limiter.release(limiter.acquire("op"), 200, {})
    assert time.monotonic() - started >= WINDOW_S * 0.9  # the third waited for a new window


def test_limiter_holds_calls_after_a_429_and_when_the_quota_is_shared() -> None:
    limiter = RateLimiter({}, time_scale=SCALE)  # no written limit: headers only
    limiter.release(limiter.acquire("any"), 429, {}, retry_after=0.5)
    started = time.monotonic()
    limiter.release(limiter.acquire("any"), 200, {})
    assert time.monotonic() - started >= 0.45
    assert limiter.rate_limited == 1

    shared = RateLimiter({"op": (50, "minute")})  # a one-minute window
    reset = formatdate(math.ceil(time.time()) + 1, usegmt=True)  # 1-2 s away
    shared.release(shared.acquire("op"), 200, {"X-RateLimit-Remaining": "0",
                                               "X-RateLimit-Reset": reset})
    started = time.monotonic()
    shared.release(shared.acquire("op"), 200, {})
    assert 0.9 <= time.monotonic() - started <= 2.5  # until the server's reset, not a minute


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
    refused = count_429s(sim)
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
    assert refused[0] == 0


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
