"""The fault suite and the hardening classes in CI: 2,000 mixed calls under injected faults
with no lost or duplicated write, each class of hostile input refused or bounded, and
RELIABILITY.md's figures those of a fresh run."""

from __future__ import annotations

import fault_suite
import hardening
import pytest
import reliability_report
from fault_suite import Report, run_fault_suite
from hardening import Section
from hardening.raw_inputs import guard_results

from connector.retry import RetryPolicy
from connector.simulator import Faults


@pytest.fixture(scope="module")
def report(pytestconfig: pytest.Config) -> Report:
    found = run_fault_suite(calls=2000, seed=fault_suite.DEFAULT_SEED)
    print("\n" + found.to_markdown())  # visible with -s, and in CI logs on failure
    # One line in every run's output, captured or not: what CI checks at a glance.
    injected = ", ".join(f"{n} {k}" for k, n in sorted(found.injected.items()))
    _say(pytestconfig,
         f"\nfault suite: {sum(sum(c.values()) for c in found.outcomes.values())} "
         f"calls; injected {injected}; lost writes {found.lost_writes}, "
         f"duplicated writes {found.duplicated_writes}")
    return found


@pytest.fixture(scope="module")
def sections(pytestconfig: pytest.Config) -> dict[str, Section]:
    found = hardening.measure_all()
    for section in found.values():
        print("\n" + section.to_markdown())
    _say(pytestconfig, "\nhardening: " + "; ".join(
        f"{s.title} {s.seconds:.1f} s" for s in found.values()))
    return found


def _say(config: pytest.Config, line: str) -> None:
    capture = config.pluginmanager.get_plugin("capturemanager")
    terminal = config.pluginmanager.get_plugin("terminalreporter")
    if capture is not None and terminal is not None:
        with capture.global_and_fixture_disabled():
            terminal.write_line(line)


# -- the fault suite -------------------------------------------------------------------
def test_two_thousand_mixed_calls_ran(report: Report) -> None:
    assert sum(sum(c.values()) for c in report.outcomes.values()) == 2000
    for category in fault_suite.CATEGORIES:
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
    assert report.max_request_s <= report.policy.deadline_s + fault_suite.DEADLINE_SLACK_S
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


# -- the hardening classes ---------------------------------------------------------------
def test_every_malformed_token_is_refused_before_any_request_unquoted(
        sections: dict[str, Section]) -> None:
    c = sections["tokens"].counts
    assert c["tried"] > 100
    assert c["refused"] == c["tried"]
    assert (c["requests sent"], c["quoted"], c["other outcome"]) == (0, 0, 0)


def test_the_token_never_shows_whatever_the_api_echoes(sections: dict[str, Section]) -> None:
    c = sections["masking"].counts
    assert c["runs"] > 3000 and c["untyped"] == 0
    assert c["requests"] > c["runs"] // 2 and c["requests without the token"] == 0
    for leak in ("log leaks", "error leaks", "cli leaks", "dry leaks", "special leaks"):
        assert c[leak] == 0, leak
    assert c["cli runs"] == c["dry runs"] > 200 and c["cli silent failures"] == 0
    assert c["special runs"] > 0 and c["special not json"] == 0


def test_no_exception_chain_holds_the_token(sections: dict[str, Section]) -> None:
    assert sections["masking"].counts["chain leaks"] == 0


def test_secret_fields_are_sent_intact_and_never_shown(sections: dict[str, Section]) -> None:
    c = sections["masking"].counts
    assert c["secret in dry runs"] == c["secret in logs"] == c["secret in results"] == 0
    assert c["secret requests"] > 0 and c["secret sent intact"] == c["secret requests"]
    assert c["secret cli failures"] == 0


def test_absurd_waits_end_typed_or_bounded_inside_the_deadline(
        sections: dict[str, Section]) -> None:
    c = sections["waits"].counts
    assert c["times ignored"] == c["times"] > 0
    assert c["ms ignored"] == c["ms"] > 0
    assert c["429 runs"] == c["429 ok"] + c["429 past deadline"] + c["429 rate limited"]
    assert c["429 untyped"] == c["429 over deadline"] == 0
    assert c["quota calls"] == c["quota ok"] + c["quota past deadline"]
    assert c["quota untyped"] == 0
    assert c["cut off"] == c["cut tried"] == 2


def test_bombs_and_endless_listings_are_stopped(sections: dict[str, Section]) -> None:
    c = sections["size"].counts
    assert c["bombs refused"] == c["bombs within bound"] == c["bombs"] == 6
    for kind in ("empty", "full"):
        assert c[f"{kind} stopped"] == c[f"{kind} at cap"] == c[f"{kind} listings"] > 0


def test_hostile_raw_request_inputs_are_refused_before_sending(
        sections: dict[str, Section]) -> None:
    c = sections["raw"].counts
    assert c["tried"] > 300 and c["refused"] == c["tried"]
    assert c["sent"] == c["quoted"] == c["urls leaving"] == 0
    assert c["urls refused"] >= c["urls"] - 2


def test_guard_sends_no_hostile_url_elsewhere() -> None:
    results = guard_results()
    assert not [u for u, v in results.items() if v.startswith("LEAVES")]
    assert sum(v == "refused" for v in results.values()) >= len(results) - 2


def test_the_simulator_answers_malformed_requests_and_keeps_acknowledged_writes(
        sections: dict[str, Section]) -> None:
    c = sections["simulator"].counts
    assert c["malformed"] > 20 and c["in envelope"] == c["malformed"]
    assert c["no answer"] == c["tracebacks"] == 0 and c["serving after"]
    assert c["enough acked"] and c["clean stop"] and c["lost"] == 0


def test_triggers_return_every_event_once_while_pages_shift(
        sections: dict[str, Section]) -> None:
    c = sections["triggers"].counts
    for name in ("sources", "ties", "functions", "shifting", "behind"):
        assert c[f"{name} made"] > 10 and c[f"{name} returned"] == c[f"{name} made"]
        assert c[f"{name} repeated"] == c[f"{name} missed"] == c[f"{name} before"] == 0


def test_a_retry_budget_keeps_a_failing_api_from_every_retry(
        sections: dict[str, Section]) -> None:
    c = sections["budget"].counts
    calls = hardening.budget.CALLS
    plain, budgeted, guarded = (c[f"{name}: requests"] for name in hardening.budget.SETUPS)
    assert plain == 4 * calls  # each call and its 3 retries
    assert calls <= budgeted <= 1.2 * calls
    assert guarded < budgeted
    assert all(c[f"{name}: typed"] == calls for name in hardening.budget.SETUPS)


# -- RELIABILITY.md ----------------------------------------------------------------------
def test_reliability_md_matches_a_fresh_run(report: Report,
                                            sections: dict[str, Section]) -> None:
    fresh = reliability_report.render(report, sections)
    written = reliability_report.OUTPUT.read_text(encoding="utf-8")
    assert reliability_report.figures(written) == reliability_report.figures(fresh), (
        "RELIABILITY.md is stale: run .venv/bin/python scripts/reliability_report.py")
    assert "python scripts/reliability_report.py" in written
    assert reliability_report.OUTPUT == reliability_report.ROOT / "RELIABILITY.md"
