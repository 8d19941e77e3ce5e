"""Bulk runs account for every line: bad lines, plugin bugs, unwritable answers,
results files that are not theirs, runs racing for one file, a server that is down."""

from __future__ import annotations

import io
import json
import os
import signal
import socket
import stat
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Mapping
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import pytest

from connector.batch import (
    BatchSummary,
    ResultsInUseError,
    default_results_path,
    fingerprint,
    header,
    results_file,
    run_batch,
)
from connector.connection import Connection
from connector.errors import InputError
from connector.hookspecs import hookimpl
from connector.ratelimit import RateLimiter
from connector.registry import Registry
from connector.runtime import Runtime
from connector.simulator import Simulator
from connector.spec import Action, Input

SCALE = 0.1  # a "minute" lasts 6 s: long enough for a second run to meet the first


def labels(n: int, start: int = 0, key: str = "batch") -> list[dict[str, Any]]:
    return [{"label": {"key": key, "value": f"v{i}"}} for i in range(start, start + n)]


def jsonl(*items: Any) -> bytes:
    return b"".join(i if isinstance(i, bytes) else json.dumps(i).encode() + b"\n"
                    for i in items)


def runtime_for(sim: Simulator | str, registry: Registry | None = None) -> Runtime:
    base = sim if isinstance(sim, str) else sim.base_url
    token = "sgp_" + "t" * 20 if isinstance(sim, str) else sim.token
    return Runtime(Connection(token=token, base_url=base), registry=registry)


def lines_of(path: Path) -> list[dict[str, Any]]:
    """Every record; the file must be valid UTF-8 and each line one JSON object."""
    return [json.loads(line) for line in path.read_bytes().decode("utf-8").splitlines()]


def final(path: Path) -> dict[int, dict[str, Any]]:
    head, *rest = lines_of(path)
    assert head == header(head["action"])
    return {r["line"]: r for r in rest}


def created(sim: Simulator) -> list[str]:
    return sorted(sim.state["labels"])


# -- a plugin action with every way of going wrong ----------------------------------
CALLS: list[str] = []


def probe(runtime: Runtime, values: Mapping[str, Any]) -> dict[str, Any]:
    mode = values.get("mode")
    CALLS.append(str(mode))
    if mode == "boom":
        raise RuntimeError("a bug in the plugin")
    if mode == "unserialisable":
        return {"data": {1, 2}}  # a set: not JSON
    if mode == "echo":
        return {"data": dict(values)}
    result = runtime.run("createLabel", {"label": values["label"]})
    if mode == "boom-after":
        raise RuntimeError("a bug after the create")
    return result


@hookimpl
def register_actions(register: Callable[..., None]) -> None:
    register(Action("batchProbe", "Batch Probe", "Create a label, or fail on purpose.",
                    "POST", "/labels", inputs=(Input("label", "object"), Input("mode")),
                    run=probe, safety="write", idempotent=False,
                    dry_run="Runs code: creates one label, or fails (1 request at most)"))


ProbePlugin = SimpleNamespace(register_actions=register_actions)


@pytest.fixture
def registry() -> Registry:
    CALLS.clear()
    return Registry.load(extra=[("batchprobe", ProbePlugin)])


# -- every line accounted for ---------------------------------------------------------
def test_every_kind_of_bad_line_gets_one_error_record_and_the_rest_complete(
        simulator: Simulator, registry: Registry, tmp_path: Path) -> None:
    good = labels(3)
    src = tmp_path / "in.jsonl"
    src.write_bytes(jsonl(
        good[0],                                                     # 1
        b"\xff\xfe{}\n",                                             # 2 not UTF-8
        b'{"label": \n',                                             # 3 malformed JSON
        b"[1, 2]\n",                                                 # 4 not an object
        b"[" * 100_000 + b"]" * 100_000 + b"\n",                     # 5 nested too deep
        good[1],                                                     # 6
        b'{"label": {"key": "batch", "value": "x\\ud800"}}\n',       # 7 lone surrogate, sent
        b'{"mode": "echo", "note": "\\ud800"}\n',                    # 8 lone surrogate, kept
        {"mode": "boom"},                                            # 9 plugin bug
        {"mode": "unserialisable"},                                  # 10 answer not JSON
        b"   \n",                                                    # 11 blank: not a line
        good[2],                                                     # 12
    ))
    out = tmp_path / "out.jsonl"
    summary = run_batch(runtime_for(simulator, registry), "batchProbe", src, out,
                        progress=False, handle_signals=False)

    done = final(out)
    assert sorted(done) == [1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 12]  # one final record a line
    assert {n for n, r in done.items() if r["status"] == "ok"} >= {1, 6, 8, 12}
    bad = {2, 3, 4, 5, 9, 10}
    assert all(done[n]["status"] == "error" for n in bad)
    assert done[7]["status"] in ("ok", "error")  # the API's call; recorded either way
    assert "UTF-8" in done[2]["error"]["message"]
    assert "char 10" in done[3]["error"]["message"]  # json's own position
    assert "array" in done[4]["error"]["message"] and done[4]["excerpt"] == "[1, 2]"
    assert "too deep" in done[5]["error"]["message"]
    assert done[8]["input"]["note"] == "\ud800" and done[8]["output"]["data"]["note"] == "\ud800"
    assert done[9]["error"]["type"] == "internal"
    assert done[9]["error"]["message"] == "RuntimeError: a bug in the plugin"
    assert done[10]["error"]["type"] == "unrecordable"
    for n in (2, 3, 4, 5):
        assert done[n]["error"]["type"] == "input" and done[n]["retry"] == "safe"
    assert done[9]["retry"] == done[10]["retry"] == "safe"  # nothing was sent
    errors = len(bad) + (done[7]["status"] == "error")
    assert (summary.total, summary.errors, summary.ok) == (11, errors, 11 - errors)
    assert summary.ok + summary.errors + summary.skipped + summary.not_run == summary.total
    assert summary.exit_code == 1 and summary.unknown_lines == []
    made = created(simulator)
    assert {"batch:v0", "batch:v1", "batch:v2"} <= set(made)

    again = run_batch(runtime_for(simulator, registry), "batchProbe", src, out,
                      progress=False, handle_signals=False)
    assert (again.total, again.skipped, again.errors) == (11, 11 - errors, errors)
    assert created(simulator) == made  # nothing made twice


def test_a_plugin_that_fails_after_its_create_is_unknown_and_not_repeated(
        simulator: Simulator, registry: Registry, tmp_path: Path) -> None:
    out = tmp_path / "out.jsonl"
    lines = [{"mode": "boom-after", "label": {"key": "batch", "value": "v0"}}]
    first = run_batch(runtime_for(simulator, registry), "batchProbe", lines, out,
                      handle_signals=False)
    assert first.unknown_lines == [1] and final(out)[1]["retry"] == "unknown"
    second = run_batch(runtime_for(simulator, registry), "batchProbe", lines, out,
                       handle_signals=False)
    assert (second.errors, second.unknown, second.exit_code) == (1, 1, 1)
    assert CALLS == ["boom-after"] and created(simulator) == ["batch:v0"]


def test_an_answer_whose_record_cannot_be_written_gets_an_error_record(
        simulator: Simulator, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    encode = results_file.encode

    def failing(record: Mapping[str, Any]) -> bytes:
        if record.get("line") == 2 and "output" in record:
            raise OSError(28, "No space left on device")
        return encode(record)

    monkeypatch.setattr(results_file, "encode", failing)
    out = tmp_path / "out.jsonl"
    summary = run_batch(runtime_for(simulator), "createLabel", labels(3), out,
                        concurrency=1, handle_signals=False)
    done = final(out)
    assert [done[n]["status"] for n in (1, 2, 3)] == ["ok", "error", "ok"]
    assert done[2]["error"]["type"] == "unrecordable" and done[2]["retry"] == "unknown"
    assert "No space left" in done[2]["error"]["message"]
    assert (summary.ok, summary.errors, summary.unknown_lines) == (2, 1, [2])


def test_a_results_file_that_takes_no_more_records_stops_the_run(
        simulator: Simulator, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    encode = results_file.encode

    def failing(record: Mapping[str, Any]) -> bytes:
        if record.get("line", 0) >= 3:
            raise OSError(28, "No space left on device")
        return encode(record)

    monkeypatch.setattr(results_file, "encode", failing)
    out = tmp_path / "out.jsonl"
    summary = run_batch(runtime_for(simulator), "createLabel", labels(10), out,
                        concurrency=1, handle_signals=False)
    assert summary.stopped == "results" and "No space left" in summary.message
    assert (summary.ok, summary.errors, summary.not_run, summary.total) == (2, 1, 7, 10)
    assert summary.exit_code == 1
    assert created(simulator) == ["batch:v0", "batch:v1"]  # the line not recorded not sent


def test_secrets_in_inputs_and_answers_are_masked(simulator: Simulator, tmp_path: Path) -> None:
    out = tmp_path / "out.jsonl"
    line = {"label": {"key": "batch", "value": "v0", "description": simulator.token}}
    run_batch(runtime_for(simulator), "createLabel", [line], out, handle_signals=False)
    text = out.read_text("utf-8")
    assert simulator.token not in text and "***" in text


# -- a results file belongs to one action over one input ---------------------------------
def test_results_of_another_action_are_refused_before_anything_runs(
        simulator: Simulator, tmp_path: Path) -> None:
    src, out = tmp_path / "in.jsonl", tmp_path / "out.jsonl"
    src.write_bytes(jsonl(*labels(2)))
    run_batch(runtime_for(simulator), "createLabel", src, out, handle_signals=False)
    before = out.read_bytes()
    deletes = [{"key": "batch", "value": "v0"}, {"key": "batch", "value": "v1"}]
    with pytest.raises(InputError) as caught:
        run_batch(runtime_for(simulator), "deleteLabel", deletes, out, handle_signals=False)
    assert "results" in caught.value.fields and "createLabel" in str(caught.value)
    assert out.read_bytes() == before
    assert created(simulator) == ["batch:v0", "batch:v1"]  # no delete was sent


@pytest.mark.parametrize("content", [
    b"hello\nworld\n",                                     # notes
    b'{"a": 1}\n{"a": 2}\n',                               # other JSONL
    b"partial",                                            # no newline at all
    b"{",                                                  # a prefix of any JSON
    b'{"line": 1, "status": "ok", "input": {}}\n',         # the older, action-less format
    b'{"format":"segment-connector/batch-results","version":2,"action":"createLabel"}\n'
    b'{"action":"createLabel","line":1}\n'                 # damaged in the middle
    b'{"action":"createLabel","line":2,"fingerprint":"f","occurrence":1,"status":"ok"}\n',
    b'{"format":"segment-connector/batch-results","version":99,"action":"createLabel"}\n',
], ids=["text", "jsonl", "partial", "brace", "legacy", "damaged", "newer"])
def test_a_file_that_is_not_a_results_file_is_refused_untouched(
        simulator: Simulator, tmp_path: Path, content: bytes) -> None:
    out = tmp_path / "notes.txt"
    out.write_bytes(content)
    os.chmod(out, 0o644)
    mtime = out.stat().st_mtime_ns
    with pytest.raises(InputError) as caught:
        run_batch(runtime_for(simulator), "createLabel", labels(2), out, handle_signals=False)
    assert "results" in caught.value.fields
    assert out.read_bytes() == content and out.stat().st_mtime_ns == mtime
    assert stat.S_IMODE(out.stat().st_mode) == 0o644
    assert created(simulator) == []


@pytest.mark.parametrize("how", ["same path", "symlink", "stdin"])
def test_the_input_file_as_results_is_refused_untouched(
        simulator: Simulator, tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
        how: str) -> None:
    src = tmp_path / "in.jsonl"
    content = jsonl(*labels(2))
    src.write_bytes(content)
    out, lines = src, str(src)
    if how == "symlink":
        out = tmp_path / "link.jsonl"
        out.symlink_to(src)
    with src.open("rb") as stdin:
        if how == "stdin":
            monkeypatch.setattr(sys, "stdin", io.TextIOWrapper(stdin))
            lines = "-"
        with pytest.raises(InputError, match="input file"):
            run_batch(runtime_for(simulator), "createLabel", lines, out, handle_signals=False)
    assert src.read_bytes() == content and created(simulator) == []


def test_new_results_files_are_owner_only_and_start_with_a_header(
        simulator: Simulator, tmp_path: Path) -> None:
    out = tmp_path / "out.jsonl"
    run_batch(runtime_for(simulator), "createLabel", labels(1), out, handle_signals=False)
    assert stat.S_IMODE(out.stat().st_mode) == 0o600
    head, started, done = lines_of(out)
    assert head == {"format": "segment-connector/batch-results", "version": 2,
                    "action": "createLabel"}
    digest = fingerprint(labels(1)[0])
    for rec in (started, done):
        assert (rec["action"], rec["line"], rec["fingerprint"], rec["occurrence"]) == (
            "createLabel", 1, digest, 1)
    assert (started["status"], done["status"]) == ("started", "ok")


def test_inserting_and_reordering_lines_creates_nothing_twice(
        simulator: Simulator, tmp_path: Path) -> None:
    src, out = tmp_path / "in.jsonl", tmp_path / "out.jsonl"
    src.write_bytes(jsonl(*labels(6)))
    first = run_batch(runtime_for(simulator), "createLabel", src, out, handle_signals=False)
    assert first.ok == 6
    old, new = labels(6), labels(3, start=6)
    src.write_bytes(jsonl(new[0], *old[::-1][:3], b"\n", new[1], *old[::-1][3:], new[2]))
    second = run_batch(runtime_for(simulator), "createLabel", src, out, handle_signals=False)
    assert (second.total, second.ok, second.skipped, second.errors) == (9, 3, 6, 0)
    assert created(simulator) == sorted(f"batch:v{i}" for i in range(9))
    assert not [r for r in lines_of(out)[1:] if r["status"] == "error"]  # no 409 met
    assert final(out)[1]["input"] == new[0]  # line numbers are the new file's


def test_repeated_lines_are_told_apart_by_occurrence(
        simulator: Simulator, registry: Registry, tmp_path: Path) -> None:
    out = tmp_path / "out.jsonl"
    echo = {"mode": "echo"}
    run_batch(runtime_for(simulator, registry), "batchProbe", [echo, echo], out,
              handle_signals=False)
    more = run_batch(runtime_for(simulator, registry), "batchProbe", [echo, echo, echo], out,
                     handle_signals=False)
    assert (more.skipped, more.ok) == (2, 1) and CALLS == ["echo"] * 3
    assert sorted(r["occurrence"] for r in lines_of(out)[1:] if r["status"] == "ok") == [1, 2, 3]


# -- one run at a time per results file --------------------------------------------------
class GatedLimiter(RateLimiter):
    """Holds every call until the test opens the gate."""

    def __init__(self) -> None:
        super().__init__()
        self.reached, self.gate = threading.Event(), threading.Event()

    def acquire(self, op: str | None, *args: Any, **kwargs: Any) -> Any:
        self.reached.set()
        assert self.gate.wait(30), "the test never opened the gate"
        return super().acquire(op, *args, **kwargs)


def test_a_second_run_on_a_results_file_in_use_is_refused_at_once(
        simulator: Simulator, tmp_path: Path) -> None:
    out = tmp_path / "out.jsonl"
    gated = GatedLimiter()
    summaries: list[BatchSummary] = []
    first = threading.Thread(target=lambda: summaries.append(run_batch(
        runtime_for(simulator), "createLabel", labels(5), out, limiter=gated,
        handle_signals=False)))
    first.start()
    try:
        assert gated.reached.wait(30)  # the first run holds the file, its calls held
        before = out.read_bytes()
        with pytest.raises(ResultsInUseError, match="in use by another run") as caught:
            run_batch(runtime_for(simulator), "createLabel", labels(5), out,
                      handle_signals=False)
        assert caught.value.fields.keys() == {"results"}
        assert out.read_bytes() == before
    finally:
        gated.gate.set()
        first.join(30)
    assert summaries[0].ok == 5
    after = run_batch(runtime_for(simulator), "createLabel", labels(5), out,
                      handle_signals=False)
    assert after.skipped == 5 and len(created(simulator)) == 5


def _cli(sim: Simulator, batch_file: str, out: Path | None, *extra: str,
         stdin: bytes | None = None) -> subprocess.Popen[bytes]:
    env = {**os.environ, "SEGMENT_API_TOKEN": sim.token}
    args = [sys.executable, "-m", "connector.cli", "run", "createLabel", "--batch", batch_file,
            "--base-url", sim.base_url, *extra]
    if out is not None:
        args += ["--results", str(out)]
    return subprocess.Popen(args, env=env, stdin=subprocess.PIPE if stdin else None,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE)


def test_two_processes_on_one_results_file_never_create_twice(
        simulator_factory: Callable[..., Simulator], tmp_path: Path) -> None:
    sim = simulator_factory(time_scale=SCALE)
    src, out = tmp_path / "in.jsonl", tmp_path / "out.jsonl"
    src.write_bytes(jsonl(*labels(70)))  # 60 in the first window, 10 held for the next
    scale = ("--rate-scale", str(SCALE))
    first = _cli(sim, str(src), out, *scale)
    deadline = time.monotonic() + 30
    while not out.exists() or out.read_bytes().count(b'"status":"ok"') < 60:
        assert time.monotonic() < deadline and first.poll() is None, "no progress"
        time.sleep(0.02)  # until the first run holds its file and waits for the window
    second = _cli(sim, str(src), out, *scale)
    _, err = second.communicate(timeout=30)
    assert second.returncode == 2 and b"in use by another run" in err
    first.send_signal(signal.SIGTERM)  # or let it finish: both end the same way
    first.communicate(timeout=30)
    third = _cli(sim, str(src), out, *scale)
    stdout, _ = third.communicate(timeout=60)
    assert third.returncode == 0, stdout
    assert json.loads(stdout)["ok"] + json.loads(stdout)["skipped"] == 70
    assert len(created(sim)) == 70
    oks = [r["line"] for r in lines_of(out)[1:] if r["status"] == "ok"]
    assert sorted(oks) == list(range(1, 71))  # each line done exactly once


# -- nothing answers -----------------------------------------------------------------------
def refused_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def test_a_batch_that_cannot_connect_stops_early_and_a_rerun_completes(
        simulator: Simulator, tmp_path: Path) -> None:
    src, out = tmp_path / "in.jsonl", tmp_path / "out.jsonl"
    src.write_bytes(jsonl(*labels(40)))
    base = f"http://127.0.0.1:{refused_port()}"
    down = run_batch(runtime_for(base), "createLabel", src, out, concurrency=2,
                     handle_signals=False)
    assert down.exit_code == 4 and down.stopped == "connection"
    assert down.message.startswith(f"could not connect to {base}: ")
    assert "stopped after" in down.message
    assert down.ok == 0 and down.unknown_lines == [] and down.not_run > 0
    assert down.errors + down.not_run == down.total == 40
    recs = lines_of(out)[1:]
    assert not [r for r in recs if r.get("retry") == "unknown"]
    assert len({r["line"] for r in recs if r["status"] == "error"}) == down.errors
    assert all(r["error"]["sent"] is False for r in recs if r["status"] == "error")
    summary = down.to_dict()
    assert summary["exit_code"] == 4 and summary["message"] == down.message
    assert summary["not_run"] == down.not_run

    up = run_batch(runtime_for(simulator), "createLabel", src, out, concurrency=2,
                   handle_signals=False)
    assert (up.ok, up.errors, up.exit_code) == (40, 0, 0)
    assert created(simulator) == sorted(f"batch:v{i}" for i in range(40))


# -- stdin and arguments ---------------------------------------------------------------------
def test_stdin_input(simulator: Simulator, tmp_path: Path,
                     monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(sys, "stdin", io.TextIOWrapper(io.BytesIO(jsonl(*labels(3)))))
    out = tmp_path / "out.jsonl"
    summary = run_batch(runtime_for(simulator), "createLabel", "-", out,
                        handle_signals=False)
    assert (summary.total, summary.ok, summary.exit_code) == (3, 3, 0)
    assert len(created(simulator)) == 3
    with pytest.raises(InputError, match="--results"):
        default_results_path("-")


def test_cli_reads_stdin_and_needs_results_for_it(simulator: Simulator,
                                                  tmp_path: Path) -> None:
    out = tmp_path / "out.jsonl"
    proc = _cli(simulator, "-", out, stdin=jsonl(*labels(2)))
    stdout, err = proc.communicate(jsonl(*labels(2)), timeout=60)
    assert proc.returncode == 0, err
    assert json.loads(stdout)["ok"] == 2
    bare = _cli(simulator, "-", None, stdin=b"{}\n")
    _, err = bare.communicate(b"{}\n", timeout=60)
    assert bare.returncode == 2 and b"--results" in err


@pytest.mark.parametrize("concurrency", [0, -1, 257, True])
def test_concurrency_below_one_is_refused(simulator: Simulator, tmp_path: Path,
                                          concurrency: int) -> None:
    out = tmp_path / "out.jsonl"
    with pytest.raises(InputError, match="concurrency"):
        run_batch(runtime_for(simulator), "createLabel", labels(1), out,
                  concurrency=concurrency)
    assert not out.exists()


def test_summary_names_every_count_and_the_exit_code() -> None:
    s = BatchSummary(total=5, ok=2, errors=2, skipped=1, results_path="r.jsonl",
                     unknown_lines=[4])
    d = s.to_dict()
    assert {k: d[k] for k in ("total", "ok", "errors", "unknown", "skipped", "not_run",
                              "exit_code", "results", "unknown_outcome_lines")} == {
        "total": 5, "ok": 2, "errors": 2, "unknown": 1, "skipped": 1, "not_run": 0,
        "exit_code": 1, "results": "r.jsonl", "unknown_outcome_lines": [4]}
    assert BatchSummary(total=2, ok=1, skipped=1).exit_code == 0
    assert BatchSummary(total=2, ok=1, not_run=1, stopped="connection").exit_code == 4
    assert BatchSummary(total=2, ok=1, not_run=1, interrupted=True,
                        signal=signal.SIGTERM).exit_code == 143
