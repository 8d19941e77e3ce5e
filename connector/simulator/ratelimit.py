"""Fixed-window rate limits per token and bucket (an endpoint, or the default)."""

from __future__ import annotations

import math
import threading
import time
from dataclasses import dataclass
from email.utils import formatdate

WINDOW_SECONDS = {"minute": 60.0, "day": 86400.0}
# Reported when no limit is enforced, so clients that pace themselves never stall.
UNLIMITED = 1_000_000


@dataclass(slots=True)
class Verdict:
    allowed: bool
    limit: int
    consumed: int
    ms_before_next: int
    reset_at: float

    def headers(self) -> dict[str, str]:
        out = {
            "X-RateLimit-Consumed": str(self.consumed),
            "X-RateLimit-Remaining": str(max(0, self.limit - self.consumed)),
            "X-RateLimit-Reset": formatdate(math.ceil(self.reset_at), usegmt=True),
        }
        if not self.allowed:
            out["Retry-After"] = str(max(1, math.ceil(self.ms_before_next / 1000)))
        return out

    def error_data(self) -> dict[str, int]:
        return {"remainingPoints": 0, "msBeforeNext": self.ms_before_next,
                "consumedPoints": self.consumed}


class RateLimiter:
    def __init__(self, default: int | None, time_scale: float = 1.0) -> None:
        self.default = default
        self.time_scale = time_scale
        self._windows: dict[tuple[str, str], tuple[float, int]] = {}
        self._lock = threading.Lock()
        self.refused = 0  # requests answered 429, for tests and benchmarks

    def hit(self, token: str, bucket: str, limit: int | None, per: str = "minute",
            consume: bool = True) -> Verdict:
        """Count one request (unless `consume` is false) and judge it."""
        span = WINDOW_SECONDS[per] * self.time_scale
        now = time.time()
        key = (token, bucket)
        with self._lock:
            start, used = self._windows.get(key, (now, 0))
            if now - start >= span:
                start, used = now, 0
            enforced = limit if limit is not None else UNLIMITED
            if consume:
                used += 1
                self._windows[key] = (start, used)
                self.refused += used > enforced
        reset_at = start + span
        return Verdict(allowed=used <= enforced, limit=enforced, consumed=used,
                       ms_before_next=max(0, math.ceil((reset_at - now) * 1000)),
                       reset_at=reset_at)
