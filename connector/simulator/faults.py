"""Fault injection: configured probabilities and the per-request `X-Simulator-Fault` header."""

from __future__ import annotations

import math
from dataclasses import dataclass

HEADER = "X-Simulator-Fault"
MAX_LATENCY_MS = 60_000  # a longer sleep would only hold a thread and delay a graceful stop


def check_probability(name: str, value: object) -> float:
    """`value` as a float when it is a probability from 0 to 1; ValueError naming `name`."""
    if isinstance(value, bool) or not isinstance(value, int | float) \
            or not 0.0 <= value <= 1.0:  # NaN fails the comparison too
        raise ValueError(f"{name} must be a probability from 0 to 1, not {value!r}")
    return float(value)


def check_latency(name: str, value: object) -> int:
    if isinstance(value, bool) or not isinstance(value, int) \
            or not 0 <= value <= MAX_LATENCY_MS:
        raise ValueError(f"{name} must be a whole number of milliseconds from 0 to "
                         f"{MAX_LATENCY_MS}, not {value!r}")
    return value


def check_error_status(name: str, value: object) -> int:
    """A fault answers with an error: 4xx or 5xx only."""
    if isinstance(value, bool) or not isinstance(value, int) or not 400 <= value <= 599:
        raise ValueError(f"{name} must be an error status from 400 to 599, not {value!r}")
    return value


@dataclass(frozen=True, slots=True)
class Faults:
    """Probabilities (0..1) of each fault; `latency_ms` is added to every request."""

    error_5xx: float = 0.0
    error_429: float = 0.0
    latency_ms: int = 0
    drop_connection: float = 0.0
    fault_after_write: float = 0.0  # apply the write, then answer 5xx anyway

    def __post_init__(self) -> None:
        for name in ("error_5xx", "error_429", "drop_connection", "fault_after_write"):
            check_probability(name, getattr(self, name))
        check_latency("latency_ms", self.latency_ms)
        # One draw picks at most one of these, so together they cannot pass certainty.
        total = self.drop_connection + self.error_5xx + self.error_429
        if total > 1.0 and not math.isclose(total, 1.0):
            raise ValueError("drop_connection + error_5xx + error_429 must not exceed 1, "
                             f"not {total:g}")


@dataclass(slots=True)
class Plan:
    """What to do to one request."""

    status: int | None = None  # answer this error before the handler runs
    after_write: int | None = None  # run the handler, then answer this error
    latency_ms: int = 0
    drop: bool = False


def _number(part: str, text: str) -> int:
    if not (text.isascii() and text.isdigit()) or len(text) > 6:
        raise ValueError(f"{HEADER}: {part!r} needs a whole number")
    return int(text)


def parse_header(value: str) -> Plan:
    """`503`, `429`, `latency=200`, `drop`, `after-write` or `after-write=502`, comma-joined.

    ValueError for anything else, so a mistyped fault is refused instead of silently ignored.
    """
    plan = Plan()
    for part in (p.strip().lower() for p in value.split(",")):
        if not part:
            continue
        name, _, arg = part.partition("=")
        if name.isascii() and name.isdigit() and not arg:
            plan.status = check_error_status(f"{HEADER} status", _number(part, name))
        elif name == "latency" and arg:
            plan.latency_ms = check_latency(f"{HEADER} latency", _number(part, arg))
        elif name == "drop" and not arg:
            plan.drop = True
        elif name == "after-write":
            plan.after_write = check_error_status(
                f"{HEADER} after-write status", _number(part, arg)) if arg else 500
        else:
            raise ValueError(f"{HEADER}: unknown fault {part!r} (use a status such as 503, "
                             "latency=MS, drop, after-write or after-write=STATUS)")
    return plan


def roll(faults: Faults, random: float, second: float) -> Plan:
    """A plan from the configured probabilities, given two uniform draws."""
    plan = Plan(latency_ms=faults.latency_ms)
    edge = faults.drop_connection
    if random < edge:
        plan.drop = True
        return plan
    edge += faults.error_5xx
    if random < edge:
        plan.status = 503
        return plan
    edge += faults.error_429
    if random < edge:
        plan.status = 429
        return plan
    if second < faults.fault_after_write:
        plan.after_write = 500
    return plan
