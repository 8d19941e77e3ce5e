"""One rate limiter per workspace token, shared by every request that uses it.

The API counts calls per token, so concurrent requests with one token must
share one `RateLimiter`. Limiters are kept by a digest of the token (the
token itself is never held) in a bounded least-recently-used table.
"""

from __future__ import annotations

import hashlib
import threading
from collections import OrderedDict
from typing import Any

from connector.ratelimit import RateLimiter, catalogue_limits

DEFAULT_SIZE = 4096


class LimiterPool:
    def __init__(self, size: int = DEFAULT_SIZE, **options: Any) -> None:
        """`options` are `RateLimiter`'s (clock, time_scale, ...) for every limiter made."""
        self.size = size
        self._options = options
        self._limits = catalogue_limits()  # read once, copied by each limiter
        self._table: OrderedDict[str, RateLimiter] = OrderedDict()
        self._lock = threading.Lock()

    def __len__(self) -> int:
        return len(self._table)

    def for_token(self, token: str) -> RateLimiter:
        name = hashlib.sha256(token.encode("utf-8")).hexdigest()
        with self._lock:
            limiter = self._table.get(name)
            if limiter is None:
                limiter = self._table[name] = RateLimiter(self._limits, **self._options)
                if len(self._table) > self.size:
                    self._table.popitem(last=False)
            else:
                self._table.move_to_end(name)
            return limiter
