"""Retry budget and circuit: what a process sends to an API that fails every request, and
how long its calls take to fail, with and without the guards."""

from __future__ import annotations

import random
import time
from collections.abc import Callable

from connector.budget import RetryBudget
from connector.circuit import Circuit
from connector.connection import Connection
from connector.errors import ConnectorError
from connector.events import Observer
from connector.runtime import Runtime
from connector.simulator import Faults, Simulator
from hardening.common import SEED, Section

CALLS = 200


def _frozen() -> float:
    return 0.0  # every call inside one budget window; an open circuit stays open


SETUPS: dict[str, Callable[[], list[Observer]]] = {
    "no budget, no circuit": lambda: [],
    "retry budget (10% + 10 per 10 s)": lambda: [RetryBudget(clock=_frozen)],
    "retry budget and circuit (5 failures)": lambda: [RetryBudget(clock=_frozen),
                                                      Circuit(clock=_frozen)],
}


def _run(observers: list[Observer]) -> tuple[int, int, float, float, float]:
    """Requests the API received, calls that failed typed, seconds waited (all calls, the
    longest call), and wall seconds, for `CALLS` calls of getWorkspace."""
    waited: list[float] = []
    random.seed(SEED)  # the back-off's jitter: the same waits on every run
    with Simulator(faults=Faults(error_5xx=1.0)) as sim:
        rt = Runtime(Connection(token=sim.token, base_url=sim.base_url),
                     sleep=waited.append, events=observers)
        typed, longest = 0, 0.0
        started = time.monotonic()
        for _ in range(CALLS):
            before = len(waited)
            try:
                rt.run("getWorkspace")
            except ConnectorError:
                typed += 1
            longest = max(longest, sum(waited[before:]))
        wall = time.monotonic() - started
        return sim.injected["503"], typed, sum(waited), longest, wall


def measure() -> Section:
    section = Section(
        "Retry budget and circuit",
        f"{CALLS} calls of a GET (retried on 5xx: up to 3 retries with exponential back-off "
        "and jitter, seeded) through one runtime, one after another, against a simulator "
        "answering 503 to every request. *Waited* is the back-off the calls would sleep "
        "before failing, summed from the runtime's own waits (no real sleep). The budget's "
        "window and the circuit's cool-down hold the whole run. Six workers sharing one "
        "budget on Redis are held to the same total (`tests/test_distributed_observed.py`).")
    c = section.counts
    for name, make in SETUPS.items():
        sent, typed, waited, longest, wall = _run(make())
        c[f"{name}: requests"] = sent
        c[f"{name}: typed"] = typed
        section.row(f"{name}: calls / failed with a typed error / requests sent / "
                    f"requests a call", f"{CALLS} / {typed} / {sent} / {sent / CALLS:.2f}")
        section.row(f"{name}: waited before failing, all calls / the longest call",
                    f"{waited:.0f} s / {longest:.1f} s")
        section.timing.append(f"Against the failing simulator, {name}: {CALLS} calls "
                              f"ended in {wall:.2f} s of wall time (waits not slept).")
    return section
