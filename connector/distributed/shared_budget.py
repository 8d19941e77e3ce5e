"""The retry budget of a whole fleet, kept on Redis: `connector.budget`'s rule, shared.

Every worker (and service process) given the same Redis counts its calls and
retries to an API host in one hash of one-second slots, on Redis's clock,
and asks one Lua script, run atomically, whether a retry still fits
`floor + ratio * calls` of the last `window_s`. So six workers facing a
failing API retry as much, together, as one process would.

When Redis cannot be reached a retry is refused (a retry is only ever an
extra) and a call is not counted; the calls themselves go on.
"""

from __future__ import annotations

import hashlib
import threading
import time
from typing import Any

from connector.budget import DEFAULT_FLOOR, DEFAULT_RATIO, DEFAULT_WINDOW_S, RetryBudget
from connector.distributed.keys import PREFIX
from connector.redact import get_logger

log = get_logger("segment_connector.distributed")
WARN_EVERY_S = 60.0  # one line a minute at most while Redis stays away

# KEYS[1]: the host's hash of slots (`c:<second>` calls, `r:<second>` retries).
# ARGV: 'call' or 'retry', the window (whole seconds), the ratio, the floor.
# Returns 1 when counted, 0 when a retry does not fit.
SCRIPT = """
local now = tonumber(redis.call('TIME')[1])
local window = tonumber(ARGV[2])
if ARGV[1] == 'call' then
  redis.call('HINCRBY', KEYS[1], 'c:' .. now, 1)
  redis.call('EXPIRE', KEYS[1], window + 60)
  return 1
end
local oldest = now - window + 1
local fields = redis.call('HGETALL', KEYS[1])
local calls, retries = 0, 0
for i = 1, #fields, 2 do
  local second = tonumber(string.sub(fields[i], 3))
  if second < oldest then
    redis.call('HDEL', KEYS[1], fields[i])
  elseif string.sub(fields[i], 1, 1) == 'c' then
    calls = calls + tonumber(fields[i + 1])
  else
    retries = retries + tonumber(fields[i + 1])
  end
end
if retries + 1 <= tonumber(ARGV[4]) + tonumber(ARGV[3]) * calls then
  redis.call('HINCRBY', KEYS[1], 'r:' .. now, 1)
  redis.call('EXPIRE', KEYS[1], window + 60)
  return 1
end
return 0
"""


def budget_key(host: str) -> str:
    """The hash of one API host's budget (the host hashed: a key listing names none)."""
    return f"{PREFIX}:budget:{hashlib.sha256(host.encode('utf-8')).hexdigest()[:32]}"


class SharedRetryBudget(RetryBudget):
    """`RetryBudget` whose counts live on Redis (`client`, a `redis.Redis`)."""

    def __init__(self, client: Any, ratio: float = DEFAULT_RATIO, floor: int = DEFAULT_FLOOR,
                 window_s: float = DEFAULT_WINDOW_S) -> None:
        super().__init__(ratio, floor, window_s)
        self.client = client
        self._script = client.register_script(SCRIPT)
        self._window = str(max(1, round(self.window_s)))
        self._warned = -WARN_EVERY_S
        self._warn_lock = threading.Lock()

    def _run(self, kind: str, host: str) -> bool:
        try:
            return bool(self._script(keys=[budget_key(host)],
                                     args=[kind, self._window, repr(self.ratio),
                                           str(self.floor)]))
        except Exception as exc:  # redis.ConnectionError, TimeoutError, a failover, OOM
            now = time.monotonic()
            with self._warn_lock:
                loud = now - self._warned >= WARN_EVERY_S
                if loud:
                    self._warned = now
            if loud:
                log.warning("retry budget on Redis unreachable (%s); no retries until it "
                            "answers", type(exc).__name__)
            return False

    def deposit(self, host: str) -> None:
        self._run("call", host)

    def withdraw(self, host: str) -> bool:
        return self._run("retry", host)
