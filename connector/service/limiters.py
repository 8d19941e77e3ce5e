"""One rate limiter per workspace token, shared by every request that uses it.

The API counts calls per token, so concurrent requests with one token must
share one `RateLimiter`. Limiters are kept by a digest of the token (the
token itself is never held) in a bounded least-recently-used table. With a
Redis URL (`serve --redis`), the windows live on Redis instead
(`connector.distributed.SharedRateLimiter`), shared by every worker process
and every service instance; each request then gets a limiter of its own over
them, so no token outlives its request here either.
"""

from __future__ import annotations

import hashlib
import threading
from collections import OrderedDict
from typing import Any

from connector.ratelimit import Limiter, RateLimiter, catalogue_limits

DEFAULT_SIZE = 4096


class LimiterPool:
    def __init__(self, size: int = DEFAULT_SIZE, redis: str | None = None,
                 limits: Any = None, **options: Any) -> None:
        """`options` are the limiter's (clock, time_scale, ...) for every limiter made;
        `limits` stand in for the catalogue's."""
        self.size = size
        self._options = options
        self._limits = catalogue_limits() if limits is None else dict(limits)  # read once
        self._table: OrderedDict[str, RateLimiter] = OrderedDict()
        self._lock = threading.Lock()
        self._redis: Any = None
        if redis is not None:
            import redis as redis_py  # the distributed extra; only when asked for

            self._redis = redis_py.Redis.from_url(redis)

    def __len__(self) -> int:
        return len(self._table)

    @property
    def redis(self) -> Any:
        """The Redis client limits are kept on (None: per process)."""
        return self._redis

    def for_token(self, token: str) -> Limiter:
        if self._redis is not None:
            from connector.distributed.shared_limiter import SharedRateLimiter

            return SharedRateLimiter(self._redis, token, self._limits, **self._options)
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
