"""The fault suite in CI: 2,000 mixed calls under injected faults, no lost or duplicated write."""

from __future__ import annotations

import importlib.util
import secrets
from pathlib import Path

import pytest

from connector import reliability
from connector.reliability import Report, run_fault_suite
from connector.retry import RetryPolicy
from connector.simulator import Faults

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture(scope="module")
def report(pytestconfig: pytest.Config) -> Report:
    found = run_fault_suite(calls=2000, seed=reliability.DEFAULT_SEED)
    print("\n" + found.to_markdown())  # visible with -s, and in CI logs on failure
    # One line in every run's output, captured or not: what CI checks at a glance.
    capture = pytestconfig.pluginmanager.get_plugin("capturemanager")
    terminal = pytestconfig.pluginmanager.get_plugin("terminalreporter")
    if capture is not None and terminal is not None:
        injected = ", ".join(f"{n} {k}" for k, n in sorted(found.injected.items()))
        with capture.global_and_fixture_disabled():
            terminal.write_line(
                f"\nfault suite: {sum(sum(c.values()) for c in found.outcomes.values())} "
                f"calls; injected {injected}; lost writes {found.lost_writes}, "
                f"duplicated writes {found.duplicated_writes}")
    return found


def test_two_thousand_mixed_calls_ran(report: Report) -> None:
    assert sum(sum(c.values()) for c in report.outcomes.values()) == 2000
    for category in reliability.CATEGORIES:
        assert sum(report.outcomes[category].values()) >= 100, category


def test_every_kind_of_fault_was_injected_and_met(report: Report) -> None:
    for kind in ("503", "429", "drop", "after-write", "latency"):
        assert report.injected.get(kind, 0) >= 10, kind
    assert report.seen["503"] == report.injected["503"]
    assert report.seen["429"] == report.injected["429"]
    assert report.seen["dropped"] == report.injected["drop"]
    assert report.seen["500"] > 0  # errors after an applied write reached the client
    assert report.seen["timeout"] > 0


def test_no_write_is_duplicated_or_lost(report: Report) -> None:
    assert report.writes["creates sent"] > 200
    assert report.duplicated_writes == 0
    assert report.lost_writes == 0
    # The dangerous case really happened: creates applied although the caller got an
    # error; retrying them is what would have duplicated.
    assert report.writes["creates applied, caller told it failed"] > 0


def test_every_call_ends_ok_or_in_a_typed_error_within_its_deadline(report: Report) -> None:
    assert report.untyped_errors == []
    assert report.over_deadline == 0
    assert report.max_request_s <= report.policy.deadline_s + reliability.DEADLINE_SLACK_S
    assert report.idempotent_ok + report.idempotent_typed_errors == report.idempotent_requests
    # Retries absorb nearly every fault on idempotent requests.
    assert report.idempotent_ok >= 0.97 * report.idempotent_requests
    assert report.outcomes["read"]["ok"] == sum(report.outcomes["read"].values())


def test_the_audit_finds_duplicates_when_creates_are_retried() -> None:
    # Retrying every error, POST included, must show up as duplicated creates:
    # proof the audit can fail.
    risky = RetryPolicy(retry_on_all_errors=True, timeout_s=0.5, deadline_s=10.0)
    found = run_fault_suite(calls=300, seed=3, policy=risky,
                            faults=Faults(fault_after_write=0.3))
    assert found.duplicated_writes > 0


def test_reliability_md_matches_a_fresh_run(report: Report) -> None:
    spec = importlib.util.spec_from_file_location(
        "reliability_report", ROOT / "scripts" / "reliability_report.py")
    assert spec and spec.loader
    script = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(script)
    token = "sgp_" + secrets.token_hex(24)
    fresh = reliability.render(report, reliability.guard_results(),
                               reliability.dry_run_leaks(token), "cmd")
    written = (ROOT / "RELIABILITY.md").read_text(encoding="utf-8")
    assert reliability.figures(written) == reliability.figures(fresh), (
        "RELIABILITY.md is stale: run .venv/bin/python scripts/reliability_report.py")
    assert "python scripts/reliability_report.py" in written
    assert script.OUTPUT == ROOT / "RELIABILITY.md"


def test_guard_sends_no_hostile_url_elsewhere() -> None:
    results = reliability.guard_results()
    assert not [u for u, v in results.items() if v.startswith("LEAVES")]
    assert sum(v == "refused" for v in results.values()) >= len(results) - 2
