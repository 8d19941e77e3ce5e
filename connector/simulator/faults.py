"""Fault injection: configured probabilities and the per-request `X-Simulator-Fault` header."""

from __future__ import annotations

from dataclasses import dataclass

HEADER = "X-Simulator-Fault"


@dataclass(frozen=True, slots=True)
class Faults:
    """Probabilities (0..1) of each fault; `latency_ms` is added to every request."""

    error_5xx: float = 0.0
    error_429: float = 0.0
    latency_ms: int = 0
    drop_connection: float = 0.0
    fault_after_write: float = 0.0  # apply the write, then answer 5xx anyway


@dataclass(slots=True)
class Plan:
    """What to do to one request."""

    status: int | None = None  # answer this error before the handler runs
    after_write: int | None = None  # run the handler, then answer this error
    latency_ms: int = 0
    drop: bool = False


def parse_header(value: str) -> Plan:
    """`503`, `429`, `latency=200`, `drop`, `after-write` or `after-write=502`, comma-joined."""
    plan = Plan()
    for part in (p.strip().lower() for p in value.split(",")):
        if not part:
            continue
        name, _, arg = part.partition("=")
        if name.isdigit():
            plan.status = int(name)
        elif name == "latency" and arg.isdigit():
            plan.latency_ms = int(arg)
        elif name == "drop":
            plan.drop = True
        elif name == "after-write":
            plan.after_write = int(arg) if arg.isdigit() else 500
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
