"""Run the fault suite and every hardening class; write RELIABILITY.md.

    .venv/bin/python scripts/reliability_report.py [--calls 2000] [--seed N] [--check]

`--check` writes nothing and exits 1 when RELIABILITY.md's figures differ from
this run's.
"""

from __future__ import annotations

import argparse
import sys
import time
from collections.abc import Mapping
from pathlib import Path

import fault_suite
import hardening
from fault_suite import Report
from hardening import Section

ROOT = Path(__file__).resolve().parent.parent
OUTPUT = ROOT / "RELIABILITY.md"
COMMAND = ".venv/bin/python scripts/reliability_report.py"
FIGURES_START, FIGURES_END = "<!-- figures:start -->", "<!-- figures:end -->"


def figures(text: str) -> str:
    """The block of RELIABILITY.md that a fresh run with the same seed must reproduce."""
    start, end = text.index(FIGURES_START), text.index(FIGURES_END)
    return text[start:end + len(FIGURES_END)]


def render(report: Report, sections: Mapping[str, Section], command: str = COMMAND,
           total_s: float | None = None) -> str:
    """RELIABILITY.md: every table between the markers, then the machine-dependent part."""
    lines = [
        "# Reliability and security",
        "",
        "Written by `scripts/reliability_report.py`; do not edit by hand. Reproduce with:",
        "",
        "```sh",
        command,
        "```",
        "",
        "The fault suite (`scripts/fault_suite.py`, run in CI by `tests/test_fault_suite.py`) "
        "drives one runtime against the simulator with the faults below, then compares "
        "what every caller was told with the simulator's state. A *duplicated create* is "
        "a slug or name held twice; a *lost* write is one the caller was told succeeded "
        "that the state does not show. Creates answered with an error may or may not have "
        "been applied (a 500 after the write, a timeout): the API has no idempotency keys, "
        "so the default policy does not retry POST on 5xx, timeouts or lost connections, "
        "and the caller gets a typed error instead of a second resource.",
        "",
        "Then one section per class of hostile input (`scripts/hardening/`), each run on "
        "fixed case lists (the tests' own where they have one, else seeded): every figure "
        "is a count of cases and their outcomes, so a fresh run gives the same ones.",
        "",
        FIGURES_START,
        "## Fault suite",
        "",
        report.to_markdown(timing=False).rstrip(),
    ]
    for section in sections.values():
        lines += ["", section.to_markdown().rstrip()]
    lines += [
        FIGURES_END,
        "",
        "## Timing (varies by machine)",
        "",
        f"Fault suite wall time {report.wall_s:.1f} s; slowest single request "
        f"{report.max_request_s:.2f} s against a deadline of {report.policy.deadline_s:g} s.",
        "",
        "Hardening classes: " + "; ".join(f"{s.title} {s.seconds:.1f} s"
                                           for s in sections.values()) + ".",
    ]
    for section in sections.values():
        if section.timing:
            lines += ["", *section.timing]
    if total_s is not None:
        lines += ["", f"The whole report took {total_s:.0f} s."]
    lines += [
        "",
        "Other suites, run by `pytest`: `tests/test_properties.py` (hypothesis, every "
        "action), `tests/test_secrets.py`, `tests/test_hostile.py`, "
        "`tests/test_concurrency.py`.",
    ]
    return "\n".join(lines) + "\n"


def build(calls: int, seed: int) -> str:
    started = time.monotonic()
    report = fault_suite.run_fault_suite(calls=calls, seed=seed)
    sections = hardening.measure_all()
    command = COMMAND
    if calls != 2000 or seed != fault_suite.DEFAULT_SEED:
        command += f" --calls {calls} --seed {seed}"
    return render(report, sections, command, time.monotonic() - started)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--calls", type=int, default=2000)
    parser.add_argument("--seed", type=int, default=fault_suite.DEFAULT_SEED,
                        help="The fault suite's seed (the hardening classes' lists are fixed).")
    parser.add_argument("--output", type=Path, default=OUTPUT)
    parser.add_argument("--check", action="store_true",
                        help="Compare with the existing file instead of writing it.")
    args = parser.parse_args(argv)
    text = build(args.calls, args.seed)
    if args.check:
        same = figures(args.output.read_text(encoding="utf-8")) == figures(text)
        print(f"{args.output.name}: {'up to date' if same else 'stale'}")
        return 0 if same else 1
    args.output.write_text(text, encoding="utf-8")
    print(text)
    return 0


if __name__ == "__main__":
    sys.exit(main())
