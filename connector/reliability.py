"""The guards a long-running process puts around its calls: a retry budget and a circuit.

`Guards` are the settings (from the CLI, the service's config file or a
worker's flags); `Guards.observers()` makes the observers to give every
runtime of the process (`Runtime(events=...)`): one `RetryBudget` (kept on
Redis, shared by the fleet, when a Redis client is given) and one `Circuit`.
See `connector.budget` and `connector.circuit`, and RELIABILITY.md for what
they save when the API fails.
"""

from __future__ import annotations

import argparse
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from connector import budget, circuit
from connector.errors import InputError
from connector.events import Observer


@dataclass(frozen=True)
class Guards:
    """`retry_budget` None: retries are not budgeted; `circuit_failures` None: no circuit."""

    retry_budget: float | None = budget.DEFAULT_RATIO
    budget_floor: int = budget.DEFAULT_FLOOR
    budget_window_s: float = budget.DEFAULT_WINDOW_S
    circuit_failures: int | None = circuit.DEFAULT_FAILURES
    circuit_cooldown_s: float = circuit.DEFAULT_COOLDOWN_S

    def __post_init__(self) -> None:
        if self.retry_budget is not None:
            budget.check_settings(self.retry_budget, self.budget_floor, self.budget_window_s)
        if self.circuit_failures is not None:
            circuit.check_settings(self.circuit_failures, self.circuit_cooldown_s)

    def observers(self, redis: Any = None,
                  on_circuit: Callable[[str, str], None] | None = None) -> list[Observer]:
        """A budget (on `redis`, a `redis.Redis`, when given) and a circuit, as configured."""
        made: list[Observer] = []
        if self.retry_budget is not None:
            if redis is not None:
                from connector.distributed.shared_budget import SharedRetryBudget

                made.append(SharedRetryBudget(redis, self.retry_budget, self.budget_floor,
                                              self.budget_window_s))
            else:
                made.append(budget.RetryBudget(self.retry_budget, self.budget_floor,
                                               self.budget_window_s))
        if self.circuit_failures is not None:
            made.append(circuit.Circuit(self.circuit_failures, self.circuit_cooldown_s,
                                        on_change=on_circuit))
        return made


OFF = Guards(retry_budget=None, circuit_failures=None)


def add_arguments(p: argparse.ArgumentParser) -> None:
    """The command-line options of the guards (`run --batch`, `worker`)."""
    g = p.add_argument_group("retry budget and circuit breaker")
    g.add_argument("--retry-budget", metavar="SHARE", default=None,
                   help=f"retries of failures allowed per call, beyond a floor of "
                        f"{budget.DEFAULT_FLOOR} per {budget.DEFAULT_WINDOW_S:g}s, or `off` "
                        f"(default: {budget.DEFAULT_RATIO:g})")
    g.add_argument("--retry-budget-window", metavar="SECONDS", default=None,
                   help=f"the recent past the budget counts calls and retries over (default: "
                        f"{budget.DEFAULT_WINDOW_S:g})")
    g.add_argument("--circuit-failures", metavar="N", default=None,
                   help=f"failures in a row (5xx, lost connections) that open an API host's "
                        f"circuit, or `off` (default: {circuit.DEFAULT_FAILURES})")
    g.add_argument("--circuit-cooldown", metavar="SECONDS", default=None,
                   help=f"how long an open circuit fails calls before a probe (default: "
                        f"{circuit.DEFAULT_COOLDOWN_S:g})")


def from_arguments(args: argparse.Namespace) -> Guards:
    """The guards the options ask for; InputError naming the option that cannot work."""
    def number(name: str, text: str | None, default: Any, kind: type) -> Any:
        if text is None:
            return default
        if text.strip().lower() == "off":
            return None
        try:
            return kind(text)
        except ValueError:
            raise InputError({name: f"must be a number or `off`, not {text!r}"}) from None

    ratio = number("--retry-budget", args.retry_budget, Guards.retry_budget, float)
    failures = number("--circuit-failures", args.circuit_failures, Guards.circuit_failures,
                      int)
    cooldown = number("--circuit-cooldown", args.circuit_cooldown, Guards.circuit_cooldown_s,
                      float)
    window = number("--retry-budget-window", args.retry_budget_window, Guards.budget_window_s,
                    float)
    names = {"retry_budget": "--retry-budget", "circuit_failures": "--circuit-failures",
             "circuit_cooldown": "--circuit-cooldown",
             "retry_budget_window": "--retry-budget-window"}
    try:
        return Guards(retry_budget=ratio, circuit_failures=failures,
                      circuit_cooldown_s=Guards.circuit_cooldown_s if cooldown is None
                      else cooldown,
                      budget_window_s=Guards.budget_window_s if window is None else window)
    except InputError as exc:
        raise InputError({names.get(k, k): v for k, v in exc.fields.items()}) from None
