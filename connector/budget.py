"""A retry budget: retries limited to a share of recent requests, with a small floor.

When the API degrades, every failed request asks for a retry, and retries
multiply the load on a host that is already failing. A budget, as Finagle's
`RetryBudget`, the AWS SDKs' standard retry mode and gRPC's retry throttling
do, lets retries through only while they stay a small share of the calls:
in any `window_s`, the retries of failures (5xx, timeouts, lost connections)
may number at most `floor + ratio * calls`. A retry refused ends the call at
once with the error it met, without waiting. A 429's wait is not charged: it
is the API asking to wait, and the rate limiter holds every call for it.

`RetryBudget` is kept per process (share one between runtimes: `Runtime(events=
[budget])`); `connector.distributed.shared_budget.SharedRetryBudget` keeps the
same counts on Redis, shared by every worker of a fleet. Counts are kept per
API host, in one-second slots.
"""

from __future__ import annotations

import math
import threading
import time
from collections.abc import Callable
from typing import Any

from connector.errors import InputError, RateLimitedError
from connector.events import Exchange, Observer

DEFAULT_RATIO = 0.1
DEFAULT_FLOOR = 10
DEFAULT_WINDOW_S = 10.0


def allows(calls: int, retries: int, ratio: float, floor: int) -> bool:
    """Whether one more retry fits: retries stay within `floor + ratio * calls`."""
    return retries + 1 <= floor + ratio * calls


def check_settings(ratio: Any, floor: Any, window_s: Any) -> None:
    """InputError naming the setting that cannot work."""
    if isinstance(ratio, bool) or not isinstance(ratio, int | float) \
            or not (math.isfinite(ratio) and 0 <= ratio <= 1):
        raise InputError({"retry_budget": f"must be a share from 0 to 1, not {ratio!r}"})
    if isinstance(floor, bool) or not isinstance(floor, int) or floor < 0:
        raise InputError({"retry_budget_floor": f"must be a whole number of at least 0, "
                          f"not {floor!r}"})
    if isinstance(window_s, bool) or not isinstance(window_s, int | float) \
            or not (math.isfinite(window_s) and window_s >= 1):
        raise InputError({"retry_budget_window": f"must be at least 1 second, not {window_s!r}"})


class RetryBudget(Observer):
    """Retries of failures within `floor + ratio * calls` per `window_s`, per API host.

    Thread-safe. `clock` (monotonic seconds) can be faked.
    """

    def __init__(self, ratio: float = DEFAULT_RATIO, floor: int = DEFAULT_FLOOR,
                 window_s: float = DEFAULT_WINDOW_S,
                 clock: Callable[[], float] = time.monotonic) -> None:
        check_settings(ratio, floor, window_s)
        self.ratio, self.floor, self.window_s = float(ratio), floor, float(window_s)
        self.clock = clock
        self._lock = threading.Lock()
        # host -> second -> [calls, retries]
        self._slots: dict[str, dict[int, list[int]]] = {}
        self.refused = 0  # retries refused, every host

    # -- the store (a subclass keeps it elsewhere) ---------------------------
    def deposit(self, host: str) -> None:
        """Count one call to `host`."""
        with self._lock:
            self._slot(host)[0] += 1

    def withdraw(self, host: str) -> bool:
        """Count one retry to `host` if it fits the budget; False (nothing counted) if not."""
        with self._lock:
            slot = self._slot(host)
            calls, retries = self._totals(host)
            if not allows(calls, retries, self.ratio, self.floor):
                return False
            slot[1] += 1
            return True

    def _slot(self, host: str) -> list[int]:
        now = int(self.clock())
        slots = self._slots.get(host)
        if slots is None:
            slots = self._slots[host] = {}
        slot = slots.get(now)
        if slot is None:  # a new second: those past the window are forgotten
            oldest = now - math.ceil(self.window_s) + 1
            for second in [s for s in slots if s < oldest]:
                del slots[second]
            slot = slots[now] = [0, 0]
        return slot

    def _totals(self, host: str) -> tuple[int, int]:
        slots = self._slots.get(host, {}).values()
        return sum(s[0] for s in slots), sum(s[1] for s in slots)

    # -- as an observer ------------------------------------------------------
    def request(self, ex: Exchange) -> None:
        self.deposit(ex.host)

    def may_retry(self, ex: Exchange, error: BaseException) -> bool:
        if isinstance(error, RateLimitedError):
            return True  # the API asked for the wait; nothing failed
        if self.withdraw(ex.host):
            return True
        with self._lock:
            self.refused += 1
        return False
