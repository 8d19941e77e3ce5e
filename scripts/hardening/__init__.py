"""Hardening figures for RELIABILITY.md: one section per class of hostile input.

Each class runs the connector's real code on fixed case lists: the tests' own lists
where a test holds one (`common.params`, `common.test_module`), else the seeded lists
of `cases`. Figures are counts of cases and their outcomes, never times, so a fresh run
reproduces them; times go to each section's `timing`.

Test and report machinery, not part of the connector: `scripts/reliability_report.py`
writes the sections and `tests/test_fault_suite.py` checks them.
"""

from __future__ import annotations

from collections.abc import Callable

from hardening import budget, masking, raw_inputs, simulator, size, tokens, triggers, waits
from hardening.common import Section, timed

# In the order RELIABILITY.md shows them.
CLASSES: dict[str, Callable[[], Section]] = {
    "tokens": tokens.measure,
    "masking": masking.measure,
    "waits": waits.measure,
    "size": size.measure,
    "raw": raw_inputs.measure,
    "simulator": simulator.measure,
    "triggers": triggers.measure,
    "budget": budget.measure,
}


def measure_all() -> dict[str, Section]:
    """Every class's section, by key of `CLASSES`."""
    return {key: timed(measure) for key, measure in CLASSES.items()}


__all__ = ["CLASSES", "Section", "measure_all"]
