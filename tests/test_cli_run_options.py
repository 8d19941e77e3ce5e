"""`run` and `picklist` options: time limits, the wait notice, and bulk runs (--batch)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest

from connector import cli
from connector.cli import api_runtime
from connector.errors import InputError
from connector.registry import Registry
from connector.retry import RetryPolicy
from connector.simulator import Simulator

ROOT = Path(__file__).resolve().parent.parent
REGISTRY = Registry.load(installed=False)
TOKEN = "sgp_cli_run_options_token_0123456789"


pytestmark = pytest.mark.usefixtures("no_connection_env")


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = cli.main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def runtime_for(*argv: str) -> Any:
    args = cli.parser().parse_args([*argv, "--token", TOKEN])
    return api_runtime.runtime_for(args, REGISTRY)


# -- time limits -----------------------------------------------------------------------
@pytest.mark.parametrize("command, key", [("run", "listSources"), ("picklist", "sources")])
def test_timeout_and_deadline_reach_the_runtime_policy(command: str, key: str) -> None:
    rt = runtime_for(command, key, "--timeout", "2.5", "--deadline", "45")
    assert (rt.policy.timeout_s, rt.policy.deadline_s) == (2.5, 45.0)
    # The rest of the policy stays the default one.
    assert rt.policy.max_retries == RetryPolicy().max_retries


def test_without_time_options_the_policy_defaults_apply() -> None:
    rt = runtime_for("run", "listSources")
    assert rt.policy == RetryPolicy()


# -- the wait notice -------------------------------------------------------------------
def test_wait_notice_is_one_line_on_stderr(capsys: pytest.CaptureFixture[str]) -> None:
    api_runtime.wait_notice(11.2, "rate limit: the API answered 429")
    out, err = capsys.readouterr()
    assert out == ""
    assert err == ("waiting 12s for the rate limit, then going on "
                   "(rate limit: the API answered 429)\n")


def test_a_retry_wait_says_it_tries_again(capsys: pytest.CaptureFixture[str]) -> None:
    api_runtime.wait_notice(3, "retry 1 of 3 after: GET /x failed with 503: down")
    assert capsys.readouterr().err == ("waiting 3s then trying again (retry 1 of 3 after: "
                                       "GET /x failed with 503: down)\n")


def test_wait_notice_masks_the_token(capsys: pytest.CaptureFixture[str]) -> None:
    from connector.redact import Secrets, scope

    with scope(Secrets(TOKEN)):  # a runtime's scope, as when it calls on_wait
        api_runtime.wait_notice(3, f"retry 1 of 3 after: GET /x?t={TOKEN}")
    assert TOKEN not in capsys.readouterr().err


@pytest.mark.parametrize("terminal", [True, False])
def test_wait_notice_is_wired_only_when_stderr_is_a_terminal(
        monkeypatch: pytest.MonkeyPatch, terminal: bool) -> None:
    monkeypatch.setattr(api_runtime, "stderr_is_terminal", lambda: terminal)
    rt = runtime_for("run", "listSources")
    assert rt.on_wait is (api_runtime.wait_notice if terminal else None)


def test_stderr_of_a_test_is_not_a_terminal() -> None:
    assert api_runtime.stderr_is_terminal() is False


# -- bulk runs: wiring -----------------------------------------------------------------
@dataclass
class FakeSummary:
    exit_code: int
    counts: dict[str, Any] = field(default_factory=lambda: {"total": 3, "ok": 2, "errors": 1})

    def to_dict(self) -> dict[str, Any]:
        return dict(self.counts)

    def report(self) -> str:
        return ""


@pytest.fixture
def fake_batch(monkeypatch: pytest.MonkeyPatch) -> dict[str, Any]:
    """Replaces run_batch; records its call. Set `seen["exit_code"]` or `seen["raise"]`."""
    import connector.batch

    seen: dict[str, Any] = {"exit_code": 0}

    def fake(runtime: Any, key: str, lines: Any, results: Any, **options: Any) -> FakeSummary:
        seen.update(runtime=runtime, key=key, lines=lines, results=results, options=options)
        if "raise" in seen:
            raise seen["raise"]
        return FakeSummary(seen["exit_code"])

    monkeypatch.setattr(connector.batch, "run_batch", fake)
    return seen


def test_batch_options_pass_through(capsys: pytest.CaptureFixture[str], tmp_path: Path,
                                    fake_batch: dict[str, Any]) -> None:
    lines = tmp_path / "labels.jsonl"
    lines.write_text("{}\n", "utf-8")
    code, out, _ = run(capsys, "run", "createLabel", "--batch", str(lines), "--concurrency",
                       "7", "--rate-scale", "0.5", "--retry-unknown", "--deadline", "20",
                       "--token", TOKEN)
    assert code == 0
    assert json.loads(out) == {"total": 3, "ok": 2, "errors": 1}
    assert fake_batch["key"] == "createLabel" and fake_batch["lines"] == str(lines)
    assert Path(fake_batch["results"]) == tmp_path / "labels.results.jsonl"
    options = fake_batch["options"]
    assert options["concurrency"] == 7 and options["retry_unknown"] is True
    assert options["limiter"].time_scale == 0.5
    assert fake_batch["runtime"].policy.deadline_s == 20


@pytest.mark.parametrize("exit_code", [0, 1, 4, 130, 143])
def test_batch_exit_code_is_the_summary_one(capsys: pytest.CaptureFixture[str],
                                            tmp_path: Path, fake_batch: dict[str, Any],
                                            exit_code: int) -> None:
    lines = tmp_path / "in.jsonl"
    lines.write_text("{}\n", "utf-8")
    fake_batch["exit_code"] = exit_code
    code, out, _ = run(capsys, "run", "createLabel", "--batch", str(lines), "--token", TOKEN)
    assert code == exit_code
    assert json.loads(out)["total"] == 3  # the summary is printed whatever the outcome


def test_batch_refusal_is_exit_2(capsys: pytest.CaptureFixture[str], tmp_path: Path,
                                 fake_batch: dict[str, Any]) -> None:
    lines = tmp_path / "in.jsonl"
    lines.write_text("{}\n", "utf-8")
    fake_batch["raise"] = InputError({"results": f"{lines} is not a results file"})
    code, out, err = run(capsys, "run", "createLabel", "--batch", str(lines), "--results",
                         str(lines), "--token", TOKEN)
    assert code == 2 and out == ""
    assert "is not a results file" in err


def test_batch_from_stdin_hands_dash_to_run_batch(capsys: pytest.CaptureFixture[str],
                                                  tmp_path: Path,
                                                  fake_batch: dict[str, Any]) -> None:
    results = tmp_path / "r.jsonl"
    code, _, _ = run(capsys, "run", "createLabel", "--batch", "-", "--results", str(results),
                     "--token", TOKEN)
    assert code == 0
    assert fake_batch["lines"] == "-" and Path(fake_batch["results"]) == results


def test_batch_refuses_inline_inputs(capsys: pytest.CaptureFixture[str], tmp_path: Path,
                                     fake_batch: dict[str, Any]) -> None:
    code, _, err = run(capsys, "run", "createLabel", "--batch", "-", "--results", "r.jsonl",
                       "-i", "label={}")
    assert code == 2
    assert "--batch" in err and "--input" in err
    assert "key" not in fake_batch


# -- bulk runs: end to end over HTTP ---------------------------------------------------
def _labels(path: Path, *values: str) -> Path:
    path.write_text("".join(json.dumps({"label": {"key": "cli", "value": v}}) + "\n"
                            for v in values), "utf-8")
    return path


def test_batch_against_the_simulator(capsys: pytest.CaptureFixture[str], tmp_path: Path,
                                     simulator: Simulator) -> None:
    lines = _labels(tmp_path / "labels.jsonl", "a", "b", "c")
    code, out, err = run(capsys, "run", "createLabel", "--batch", str(lines), "--token",
                         simulator.token, "--base-url", simulator.base_url)
    assert code == 0, err
    summary = json.loads(out)
    assert (summary["total"], summary["ok"], summary["errors"]) == (3, 3, 0)
    assert (tmp_path / "labels.results.jsonl").exists()
    assert sorted(simulator.state["labels"]) == ["cli:a", "cli:b", "cli:c"]


def test_batch_with_a_failed_line_is_exit_1(capsys: pytest.CaptureFixture[str],
                                            tmp_path: Path, simulator: Simulator) -> None:
    lines = _labels(tmp_path / "labels.jsonl", "a")
    with lines.open("a", encoding="utf-8") as fh:
        fh.write('{"label": "not an object"}\n')
    code, out, _ = run(capsys, "run", "createLabel", "--batch", str(lines), "--token",
                       simulator.token, "--base-url", simulator.base_url)
    assert code == 1
    summary = json.loads(out)
    assert (summary["ok"], summary["errors"]) == (1, 1)


def test_batch_from_stdin_in_a_real_process(tmp_path: Path, simulator: Simulator) -> None:
    results = tmp_path / "r.jsonl"
    env = {**os.environ, "SEGMENT_API_TOKEN": simulator.token}
    stdin = "".join(json.dumps({"label": {"key": "pipe", "value": v}}) + "\n" for v in "xy")
    done = subprocess.run(
        [sys.executable, "-m", "connector.cli", "run", "createLabel", "--batch", "-",
         "--results", str(results), "--base-url", simulator.base_url],
        input=stdin, cwd=ROOT, env=env, capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout)["ok"] == 2
    assert sorted(simulator.state["labels"]) == ["pipe:x", "pipe:y"]
