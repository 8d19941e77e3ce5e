"""bench/run_all.py writes BENCHMARKS.md only from a machine that is not busy, and says
the load it started from."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "bench"))
import run_all


@pytest.fixture
def quiet_run(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """run_all with one stand-in benchmark, writing under tmp_path; records what ran."""
    ran: list[str] = []

    def bench() -> list[run_all.Figure]:
        ran.append("bench")
        return [run_all._fig("stand-in ratio", 0.9, "{:.2f}", "<= 1.00", run_all._at_most(1.0))]

    monkeypatch.setattr(run_all, "BENCHES", (("stand_in", bench),))
    monkeypatch.setattr(run_all, "ROOT", tmp_path)
    monkeypatch.setattr(run_all.os, "cpu_count", lambda: 2)
    monkeypatch.setattr(sys, "argv", ["run_all.py", "--write"])
    return ran


def test_a_busy_machine_is_refused_before_anything_runs(
        quiet_run: list[str], tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
        capsys: pytest.CaptureFixture[str]) -> None:
    monkeypatch.setattr(run_all, "load_average", lambda: (2.5, 1.0, 1.0))
    assert run_all.main() == 2
    assert quiet_run == []
    assert not (tmp_path / "BENCHMARKS.md").exists()
    assert "above the core count" in capsys.readouterr().err


def test_a_quiet_machine_writes_the_load_it_started_from(
        quiet_run: list[str], tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(run_all, "load_average", lambda: (1.25, 0.5, 0.25))
    assert run_all.main() == 0
    written = (tmp_path / "BENCHMARKS.md").read_text(encoding="utf-8")
    assert "Load average at the start: 1.25, 0.50, 0.25 (1, 5, 15 min; 2 cores)" in written
    assert "| stand-in ratio | 0.90 | <= 1.00 | PASS |" in written


def test_without_write_a_busy_machine_still_prints_figures(
        quiet_run: list[str], monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(sys, "argv", ["run_all.py"])
    monkeypatch.setattr(run_all, "load_average", lambda: (9.0, 9.0, 9.0))
    assert run_all.main() == 0
    assert quiet_run == ["bench"]
