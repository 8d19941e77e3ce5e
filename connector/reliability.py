"""The guards a long-running process puts around its calls: a retry budget and a circuit.

`Guards` are the settings (from the CLI, the service's config file or a
worker's flags); `Guards.observers()` makes the observers to give every
runtime of the process (`Runtime(events=...)`): one `RetryBudget` (kept on
Redis, shared by the fleet, when a Redis client is given) and one `Circuit`.
See `connector.budget` and `connector.circuit`, and RELIABILITY.md for what
they save when the API fails.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from connector import budget, circuit
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
