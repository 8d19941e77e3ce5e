"""One rate limit for every worker: the local limiter's fixed windows, kept in Redis.

`SharedRateLimiter` has `connector.ratelimit.RateLimiter`'s semantics and
interface (`acquire`/`release`/`call`, `cancel`, `max_wait_s`, `on_wait`), so
the runtime does not know which one it has: per token and operation a window
opens with the first call and lets `limit` calls through, none starts in the
window's last `GUARD`, the first answer moves the window's end to when the
server's window surely closes, `X-RateLimit-*` answers correct the count and the
limit, and a 429 holds every worker's calls for as long as it asks.

Each decision is one Lua script run atomically on the server and timed by
Redis's clock (`TIME`), so workers on machines whose clocks disagree still
share one window. Buckets are keyed by a hash of the token (`keys.bucket`).
When Redis cannot be reached, a call waits and tries again until its deadline
(at most `unavailable_s`), then fails with a `ConnectionFailedError` that says
nothing was sent: it never runs unlimited.
"""

from __future__ import annotations

import math
import threading
import time
from collections.abc import Callable, Mapping
from typing import Any, TypeVar

from connector.distributed import keys
from connector.errors import ConnectionFailedError
from connector.ratelimit import (
    DEFAULT,
    GUARD,
    WINDOW_S,
    CancelledError,
    Ticket,
    TicketLimiter,
    _header,
    _int,
    catalogue_limits,
    hold_reason,
)
from connector.redact import get_logger
from connector.retry import (
    WAIT_NOTICE_S,
    WaitPastDeadlineError,
    describe_wait,
    seconds_until,
    utc_iso,
)

log = get_logger("segment_connector.distributed")
T = TypeVar("T")
POLL_S = 1.0  # longest sleep between two looks at a held bucket (a hold may shrink)

# Times are milliseconds of Redis's clock; an absent field reads as "never".
_COMMON = """
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + tonumber(t[2]) / 1000
local f = redis.call('HMGET', KEYS[1], 'limit', 'window', 'window_end', 'used', 'blocked',
                     'opened', 'in_flight')
local limit, window = tonumber(f[1]), tonumber(f[2])
if f[1] == false and ARGV[1] ~= '' then
  limit, window = tonumber(ARGV[1]), tonumber(ARGV[2])
end
local window_end = tonumber(f[3]) or -1
local used = tonumber(f[4]) or 0
local blocked = tonumber(f[5]) or -1
local opened = tonumber(f[6]) or 0
local in_flight = tonumber(f[7]) or 0
local function save()
  local fields = {'window_end', tostring(window_end), 'used', used, 'blocked',
                  tostring(blocked), 'opened', opened, 'in_flight', in_flight}
  if limit then
    table.insert(fields, 'limit'); table.insert(fields, limit)
    table.insert(fields, 'window'); table.insert(fields, tostring(window))
  end
  redis.call('HSET', KEYS[1], unpack(fields))
  -- Kept while it says anything: until its window or hold ends, and a minute more.
  local last = math.max(window_end, blocked, now)
  redis.call('PEXPIRE', KEYS[1], math.floor(last - now) + 60000)
end
"""

# ARGV: limit, window (ms) of a bucket not yet in Redis ('' when unwritten), guard share.
# Returns {1, window number or -1} when the call may start, else
# {0, ms to wait, '1' when held by a 429 or a spent quota, limit or -1}.
ACQUIRE = _COMMON + """
local guard = tonumber(ARGV[3])
local start = now
if blocked > now then
  start = blocked
elseif limit and now < window_end then
  if not (used < limit and now < window_end - guard * window) then start = window_end end
end
if start > now then
  local held = '0'
  if blocked > now then held = '1' end
  return {0, tostring(start - now), held, limit or -1}
end
local number = -1
if limit then
  if now >= window_end then
    opened = opened + 1
    used = 0
    window_end = now + window
    number = opened
  end
  used = used + 1
end
in_flight = in_flight + 1
save()
return {1, number}
"""

# ARGV: limit, window, '' (as ACQUIRE), the ticket's window number, status, wait asked
# (ms, '' if none), X-RateLimit-Remaining, -Consumed, -Reset (ms from now), each '' if absent.
# Returns the 429s counted so far for this bucket.
RELEASE = _COMMON + """
local number, status = tonumber(ARGV[4]), tonumber(ARGV[5])
local asked = tonumber(ARGV[6])
local remaining, consumed, reset = tonumber(ARGV[7]), tonumber(ARGV[8]), tonumber(ARGV[9])
in_flight = math.max(0, in_flight - 1)
if window and number == opened then
  -- The server's window opened before this answer came back.
  window_end = math.max(window_end, now + window)
end
if status == 429 then
  local wait = asked or reset or 1000
  blocked = math.max(blocked, now + wait)
  used = limit or 0
  redis.call('HINCRBY', KEYS[1], 'rate_limited', 1)
elseif remaining and remaining >= 0 then
  if consumed and consumed < 0 then consumed = nil end
  if not limit then
    if remaining <= in_flight and reset then blocked = math.max(blocked, now + reset) end
  else
    if consumed and remaining + consumed > 0 and remaining + consumed < limit then
      limit = remaining + consumed
    end
    if remaining < limit - used then
      -- Someone else shares this quota: take the server's count and window.
      used = limit - remaining
      if reset then window_end = now + reset end
    elseif remaining == 0 and reset then
      -- The header's date is rounded up to the second: the window closes after it - 1 s.
      window_end = math.max(window_end, now + reset - 1000)
    end
  end
end
save()
return tonumber(redis.call('HGET', KEYS[1], 'rate_limited') or '0')
"""


class SharedRateLimiter(TicketLimiter):
    """Thread- and process-safe: every worker holding `token` shares its buckets.

    `client` is a `redis.Redis`; `limits` and `time_scale` as for `RateLimiter`
    (every worker of a fleet must be given the same). `clock` (monotonic, for
    deadlines) and `wall` (epoch, for `X-RateLimit-Reset` and the times errors
    name) can be faked; `sleep(seconds)` replaces the wait between two looks at
    a held bucket (by default it wakes early on `cancel`).
    """

    def __init__(self, client: Any, token: str,
                 limits: Mapping[str, tuple[int, str]] | None = None,
                 time_scale: float = 1.0, clock: Callable[[], float] = time.monotonic,
                 wall: Callable[[], float] = time.time,
                 sleep: Callable[[float], None] | None = None,
                 unavailable_s: float = 30.0) -> None:
        if not token:
            raise ValueError("a shared rate limiter needs the token whose limits it keeps")
        self.client = client
        self._token = token
        self.limits = dict(catalogue_limits() if limits is None else limits)
        self.time_scale = time_scale
        self.clock, self.wall = clock, wall
        self._stop = threading.Event()
        self._sleep = sleep or self._nap
        self.unavailable_s = unavailable_s
        self._acquire = client.register_script(ACQUIRE)
        self._release = client.register_script(RELEASE)
        self._lock = threading.Lock()
        self.rate_limited = 0  # 429 answers this process saw
        self.waited_s = 0.0  # total time calls were held

    def __repr__(self) -> str:  # the token stays out of every repr
        return f"SharedRateLimiter(token_id={keys.token_id(self._token)!r})"

    def _nap(self, seconds: float) -> None:
        self._stop.wait(seconds)  # a cancel wakes it

    @property
    def cancelled(self) -> bool:
        return self._stop.is_set()

    def cancel(self, cancelled: bool = True) -> None:
        """Make held and later calls raise `CancelledError` (or, with False, stop doing so)."""
        if cancelled:
            self._stop.set()
        else:
            self._stop.clear()

    def _bucket(self, op: str | None) -> tuple[str, list[str]]:
        """The bucket's name and the ARGV head that creates it when Redis has none."""
        if op in self.limits:
            limit, per = self.limits[op]
            window_ms = WINDOW_S[per] * self.time_scale * 1000.0
            return op, [str(limit), repr(window_ms), repr(GUARD)]
        return DEFAULT, ["", "", repr(GUARD)]

    # -- before a call -----------------------------------------------------
    def acquire(self, op: str | None,
                on_wait: Callable[[float, str], None] | None = None,
                max_wait_s: float | None = None) -> Ticket:
        """Block until a call of `op` may start; pair with `release`. As
        `RateLimiter.acquire`: `on_wait` once for a hold of `WAIT_NOTICE_S` or more, and
        `WaitPastDeadlineError` for a hold that would last `max_wait_s` or more."""
        name, head = self._bucket(op)
        key = keys.bucket(self._token, name)
        give_up_at = math.inf if max_wait_s is None else self.clock() + max_wait_s
        told = False
        held_since: float | None = None
        unreachable_since: float | None = None
        while True:
            if self._stop.is_set():
                raise CancelledError("stopped while waiting for the rate limit")
            now = self.clock()
            try:
                answer = self._acquire(keys=[key], args=head)
            except Exception as exc:  # redis.ConnectionError, TimeoutError, a failover
                unreachable_since = now if unreachable_since is None else unreachable_since
                self._unreachable(exc, now, unreachable_since, give_up_at)
                continue
            unreachable_since = None
            if int(answer[0]) == 1:
                if held_since is not None:
                    self.waited_s += now - held_since
                return Ticket(name, int(answer[1]))
            held_since = now if held_since is None else held_since
            hold = float(answer[1]) / 1000.0
            blocked, limit = answer[2] in (b"1", "1"), int(answer[3])
            per = self.limits[name][1] if name in self.limits else ""
            reason = hold_reason(op, blocked, None if limit < 0 else limit, per)
            if now + hold >= give_up_at:
                at = self.wall() + hold
                raise WaitPastDeadlineError(
                    f"{reason} for {describe_wait(hold)}, which ends past this call's "
                    f"deadline ({describe_wait(max(0.0, give_up_at - now), False)} left): "
                    f"nothing was sent; retry after {utc_iso(at)}",
                    retry_after=hold, retry_at=at)
            if on_wait is not None and not told and hold >= WAIT_NOTICE_S:
                on_wait(hold, reason)
            told = True
            self._sleep(min(hold, POLL_S))

    def _unreachable(self, exc: Exception, now: float, since: float,
                     give_up_at: float) -> None:
        """Wait a little for Redis to come back; past the deadline, fail: never run unpaced."""
        if now - since >= self.unavailable_s or now + 0.5 >= give_up_at:
            raise ConnectionFailedError(
                f"the shared rate limiter (Redis) cannot be reached ({type(exc).__name__}); "
                "nothing was sent", sent=False) from None
        log.warning("shared rate limiter unreachable (%s); waiting for it",
                    type(exc).__name__)
        self._sleep(min(0.5, max(0.0, give_up_at - now - 0.5)))

    # -- after a call --------------------------------------------------------
    def release(self, ticket: Ticket, status: int | None = None,
                headers: Mapping[str, str] | None = None,
                retry_after: float | None = None) -> None:
        """Record a call's end and what its answer says about the limit."""
        if status == 429:
            with self._lock:
                self.rate_limited += 1
            if retry_after is not None and not (math.isfinite(retry_after)
                                                and retry_after >= 0):
                retry_after = None  # no usable wait: as if none was given
        _, head = self._bucket(ticket.bucket if ticket.bucket != DEFAULT else None)
        reset = seconds_until(_header(headers, "x-ratelimit-reset"), self.wall())
        args = [*head, str(ticket.window), str(status or 0),
                _ms(retry_after if status == 429 else None),
                _count(headers, "x-ratelimit-remaining"),
                _count(headers, "x-ratelimit-consumed"), _ms(reset)]
        try:
            self._release(keys=[keys.bucket(self._token, ticket.bucket)], args=args)
        except Exception as exc:  # the call is over; the window it counted in stands
            log.warning("shared rate limiter unreachable after a call (%s)",
                        type(exc).__name__)


def _count(headers: Mapping[str, str] | None, name: str) -> str:
    """A header's whole number as text, '' when it names none (the script ignores it)."""
    value = _int(headers, name) if headers else None
    return "" if value is None else str(value)


def _ms(seconds: float | None) -> str:
    return "" if seconds is None else repr(seconds * 1000.0)
