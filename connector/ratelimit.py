"""Client-side rate limiting per endpoint, so bulk runs stay under the API's limits.

The API counts requests in fixed windows that open with the first request and
last the endpoint's period (the `msBeforeNext`/`consumedPoints` answers are
those of a fixed-window counter). The limiter mirrors that: per endpoint it
opens a window when a call starts, lets `limit` calls through, then holds the
rest until the window has surely closed on the server too (the window's first
answer + the period). Calls that would start in the last `GUARD` of a window
wait for the next one, so a slow call cannot spill into it.

The catalogue's per-endpoint limits seed it; every answer corrects it:
`Remaining + Consumed` below the seed lowers the limit; `X-RateLimit-Remaining`
below the model's room (another client shares the quota) takes the server's
count, and its window then ends at `X-RateLimit-Reset`; a 429 holds calls for
as long as it asks. Endpoints without a written limit share one bucket (as on
the server), held only when the headers say the quota is spent.

A call given `max_wait_s` (the time left before its deadline) is never held
past it: a hold that would end later raises `WaitPastDeadlineError` at once,
before anything is sent, saying when the endpoint's calls may start again.
Header values that name no readable count or time are ignored.
"""

from __future__ import annotations

import math
import threading
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any, Protocol, TypeVar

from connector.errors import ApiError, ConnectorError, RateLimitedError
from connector.retry import (
    WAIT_NOTICE_S,
    WaitPastDeadlineError,
    describe_wait,
    seconds_until,
    utc_iso,
)

WINDOW_S = {"minute": 60.0, "day": 86400.0}
GUARD = 0.05  # share of a window, at its end, in which no call starts
DEFAULT = "default"
T = TypeVar("T")


class CancelledError(ConnectorError):
    """A held call gave up its turn (the run is stopping); nothing was sent."""

    kind = "cancelled"


@dataclass
class _Bucket:
    limit: int | None  # None: unknown, follow the headers only
    window_s: float | None
    window_end: float = -math.inf  # monotonic time the current window closes
    used: int = 0
    blocked_until: float = -math.inf
    in_flight: int = 0
    opened: int = 0  # windows opened, to tell the opening call's answer apart


@dataclass(frozen=True)
class Ticket:
    bucket: str
    window: int  # the window number when this call opened it, else -1


class Limiter(Protocol):
    """What the runtime and bulk runs need of a limiter: this module's `RateLimiter`
    (one process) or `connector.distributed.shared_limiter.SharedRateLimiter` (every
    worker of a fleet, on Redis) alike."""

    @property
    def rate_limited(self) -> int:
        """429 answers this limiter has seen."""
        ...

    def call(self, op: str | None, fn: Callable[[], T],
             on_wait: Callable[[float, str], None] | None = None,
             max_wait_s: float | None = None) -> T:
        """Run `fn` (one HTTP attempt) inside the limit of `op`."""
        ...

    def cancel(self, cancelled: bool = True) -> None:
        """Make held and later calls raise `CancelledError` (or, with False, stop doing so)."""
        ...


def hold_reason(op: str | None, blocked: bool, limit: int | None, per: str) -> str:
    """Why a call of `op` is held: a 429's hold, a spent quota, or the endpoint's limit."""
    endpoint = op or "this endpoint"
    if blocked:
        return f"rate limit of {endpoint}: the API answered 429, holding its calls"
    if limit is None:
        return f"rate limit of {endpoint}: the API says the quota is spent"
    calls = "call" if limit == 1 else "calls"
    return f"rate limit of {endpoint}: {limit} {calls} per {per}, holding the next one"


def catalogue_limits() -> dict[str, tuple[int, str]]:
    """`{operationId: (limit, "minute"|"day")}` for every operation with a written limit."""
    from connector.api.catalog import operations

    return {key: (op["rate_limit"]["limit"], op["rate_limit"]["per"])
            for key, op in operations().items() if op.get("rate_limit")}


class TicketLimiter:
    """`call` for a limiter made of `acquire` (a ticket, after any hold) and `release`
    (what the answer said of the limit): the local and the shared limiter both."""

    def acquire(self, op: str | None, on_wait: Callable[[float, str], None] | None = None,
                max_wait_s: float | None = None) -> Any:
        raise NotImplementedError

    def release(self, ticket: Any, status: int | None = None,
                headers: Mapping[str, str] | None = None,
                retry_after: float | None = None) -> None:
        raise NotImplementedError

    def call(self, op: str | None, fn: Callable[[], T],
             on_wait: Callable[[float, str], None] | None = None,
             max_wait_s: float | None = None) -> T:
        """Run `fn` (one HTTP attempt) inside the limit of `op`; `on_wait` and
        `max_wait_s` as for `acquire` (a hold too long for it runs nothing)."""
        ticket = self.acquire(op, on_wait, max_wait_s)
        try:
            result = fn()
        except RateLimitedError as exc:
            self.release(ticket, 429, exc.headers, exc.retry_after)
            raise
        except ApiError as exc:
            self.release(ticket, exc.status, exc.headers)
            raise
        except BaseException:
            self.release(ticket)
            raise
        self.release(ticket, getattr(result, "status", None), getattr(result, "headers", None))
        return result


class RateLimiter(TicketLimiter):
    """Thread-safe; share one per token between every thread of a run.

    `time_scale` shortens the periods (0.01: a minute lasts 0.6 s) to match a
    simulator started with the same scale. `clock` (monotonic) and `wall` (epoch,
    for X-RateLimit-Reset and the times errors name) can be faked; so can the
    hold itself: `wait(cond, seconds)` replaces `cond.wait(seconds)` (it is
    called with the lock held), so a fake clock can pass a hold of any length.
    """

    def __init__(self, limits: Mapping[str, tuple[int, str]] | None = None,
                 time_scale: float = 1.0, clock: Callable[[], float] = time.monotonic,
                 wall: Callable[[], float] = time.time,
                 wait: Callable[[threading.Condition, float], None] | None = None) -> None:
        self.limits = dict(catalogue_limits() if limits is None else limits)
        self.time_scale = time_scale
        self.clock, self.wall = clock, wall
        self._wait = wait
        self._buckets: dict[str, _Bucket] = {}
        # Entered directly (no Python frame per call); reentrant, as a wait hook may re-enter.
        self._lock = threading.RLock()
        self._cond = threading.Condition(self._lock)
        self._held = 0  # calls waiting on `_cond`: only they need waking
        self.cancelled = False
        self.rate_limited = 0  # 429 answers seen
        self.waited_s = 0.0  # total time calls were held

    def _bucket(self, op: str | None) -> tuple[str, _Bucket]:
        name = op if op in self.limits else DEFAULT
        bucket = self._buckets.get(name)
        if bucket is None:
            if name == DEFAULT:
                bucket = _Bucket(None, None)
            else:
                limit, per = self.limits[name]
                bucket = _Bucket(limit, WINDOW_S[per] * self.time_scale)
            self._buckets[name] = bucket
        return name, bucket

    # -- before a call -----------------------------------------------------
    def acquire(self, op: str | None,
                on_wait: Callable[[float, str], None] | None = None,
                max_wait_s: float | None = None) -> Ticket:
        """Block until a call of `op` may start; pair with `release`.

        `on_wait(seconds, reason)` is called once if the call is about to be
        held for at least `WAIT_NOTICE_S`. A hold that would last `max_wait_s`
        or more (counted from this call) raises `WaitPastDeadlineError` instead.
        """
        with self._lock:
            name, b = self._bucket(op)
            held_since = None
            told = False  # on_wait is called once per call at most
            give_up_at = math.inf if max_wait_s is None else self.clock() + max_wait_s
            while True:
                if self.cancelled:
                    raise CancelledError("stopped while waiting for the rate limit")
                now = self.clock()
                until = self._start_time(b, now)
                if until <= now:
                    break
                if until >= give_up_at:  # checked again after every wake: holds can grow
                    raise self._past_deadline(op, name, b, now, until, give_up_at - now)
                held_since = held_since if held_since is not None else now
                if on_wait is not None and not told and until - now >= WAIT_NOTICE_S:
                    told = True
                    reason = self._hold_reason(op, name, b, now)
                    # Outside the lock: a slow callback must not hold up other threads.
                    self._cond.release()
                    try:
                        on_wait(until - now, reason)
                    finally:
                        self._cond.acquire()
                    continue  # the state may have changed meanwhile
                # Capped: a longer timeout overflows the lock's; the loop waits again.
                timeout = min(until - now, threading.TIMEOUT_MAX)
                self._held += 1
                try:
                    if self._wait is not None:
                        self._wait(self._cond, timeout)
                    else:
                        self._cond.wait(timeout)
                finally:
                    self._held -= 1
            if held_since is not None:
                self.waited_s += now - held_since
            window = -1
            if b.limit is not None and b.window_s is not None:  # a written limit has both
                if now >= b.window_end:
                    b.opened += 1
                    b.used = 0
                    b.window_end = now + b.window_s  # refined by the first answer
                    window = b.opened
                b.used += 1
            b.in_flight += 1
            return Ticket(name, window)

    def _hold_reason(self, op: str | None, name: str, b: _Bucket, now: float) -> str:
        per = self.limits[name][1] if name in self.limits else ""
        return hold_reason(op, b.blocked_until > now, b.limit, per)

    def _past_deadline(self, op: str | None, name: str, b: _Bucket, now: float,
                       until: float, left: float) -> WaitPastDeadlineError:
        hold = until - now
        at = self.wall() + hold
        return WaitPastDeadlineError(
            f"{self._hold_reason(op, name, b, now)} for {describe_wait(hold)}, which ends "
            f"past this call's deadline ({describe_wait(max(0.0, left), False)} left): nothing was "
            f"sent; retry after {utc_iso(at)}", retry_after=hold, retry_at=at)

    def cancel(self, cancelled: bool = True) -> None:
        """Make held and later calls raise `CancelledError` (or, with False, stop doing so)."""
        with self._lock:
            self.cancelled = cancelled
            self._cond.notify_all()

    def _start_time(self, b: _Bucket, now: float) -> float:
        """The earliest time a call may start (`now` when it may start now)."""
        if b.blocked_until > now:
            return b.blocked_until
        if b.limit is None or now >= b.window_end:
            return now
        guard_from = b.window_end - GUARD * (b.window_s or 0.0)
        if b.used < b.limit and now < guard_from:
            return now
        return b.window_end

    # -- after a call --------------------------------------------------------
    def release(self, ticket: Ticket, status: int | None = None,
                headers: Mapping[str, str] | None = None,
                retry_after: float | None = None) -> None:
        """Record a call's end and what its answer says about the limit."""
        with self._lock:
            b = self._buckets[ticket.bucket]
            b.in_flight -= 1
            now = self.clock()
            if b.window_s is not None and ticket.window == b.opened:
                # The server's window opened before this answer came back.
                b.window_end = max(b.window_end, now + b.window_s)
            if status == 429:
                self.rate_limited += 1
                if retry_after is not None and not (math.isfinite(retry_after)
                                                    and retry_after >= 0):
                    retry_after = None  # no usable wait: as if none was given
                wait = retry_after if retry_after is not None else self._reset_in(headers)
                b.blocked_until = max(b.blocked_until, now + (wait if wait is not None else 1.0))
                b.used = b.limit or 0
            elif headers:
                self._adjust(b, headers, now)
            if self._held:
                self._cond.notify_all()

    def _adjust(self, b: _Bucket, headers: Mapping[str, str], now: float) -> None:
        remaining = _int(headers, "x-ratelimit-remaining")
        if remaining is None or remaining < 0:  # a count below zero is no count
            return
        consumed = _int(headers, "x-ratelimit-consumed")
        if consumed is not None and consumed < 0:
            consumed = None
        if b.limit is None:
            if remaining <= b.in_flight:  # the calls in flight use up what is left
                reset = self._reset_in(headers)
                if reset is not None:
                    b.blocked_until = max(b.blocked_until, now + reset)
            return
        if consumed is not None and 0 < remaining + consumed < b.limit:
            b.limit = remaining + consumed
        room = b.limit - b.used
        if remaining < room:
            # Someone else shares this quota: take the server's count and window.
            b.used = b.limit - remaining
            reset = self._reset_in(headers)
            if reset is not None:
                b.window_end = now + reset
        elif remaining == 0:
            # The header's date is rounded up to the second: the window closes after it - 1 s.
            reset = self._reset_in(headers)
            if reset is not None:
                b.window_end = max(b.window_end, now + reset - 1.0)

    def _reset_in(self, headers: Mapping[str, str] | None) -> float | None:
        # The header is wall-clock time, not the limiter's monotonic clock.
        return seconds_until(_header(headers, "x-ratelimit-reset"), self.wall())


def _header(headers: Mapping[str, str] | None, name: str) -> str | None:
    if not headers:
        return None
    value = headers.get(name)
    # requests' and urllib3's header maps (`lower_items`, `getlist`) already look past the
    # case; another mapping, a plain dict, is searched.
    if value is None and not (hasattr(headers, "lower_items") or hasattr(headers, "getlist")):
        value = next((v for k, v in headers.items() if k.lower() == name), None)
    return value


def _int(headers: Mapping[str, str], name: str) -> int | None:
    value: Any = _header(headers, name)
    try:
        return int(value) if value is not None else None
    except (TypeError, ValueError):  # "1e99", "abc", more digits than int() reads
        return None
