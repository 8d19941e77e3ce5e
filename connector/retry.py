"""Retry policy: which failures are retried, how long to wait, when to give up.

The loop itself is tenacity's; this module decides. By default a 429 is
retried for every method (the API did not process the request) after waiting
as long as the API asks; 5xx answers, timeouts and lost connections are
retried only for idempotent methods, because the API has no idempotency keys
and a retried POST could create twice. `retry_on_all_errors` lifts both
limits and also retries 4xx answers.

Every wait ends inside the call's deadline: a 429 asking for a wait that
would end after it ends the call at once (`WaitPastDeadlineError`, saying
when to retry), and a hint that names no readable time is ignored.
"""

from __future__ import annotations

import email.utils
import math
import random
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from typing import Any, TypeVar

from connector.errors import (
    ApiError,
    CircuitOpenError,
    ConnectorError,
    DeadlineExceededError,
    RateLimitedError,
    ServerError,
    TransportError,
)

IDEMPOTENT = frozenset({"GET", "HEAD", "OPTIONS", "PUT", "DELETE"})
# Waits at least this long are announced (`on_wait`): shorter ones pass unnoticed.
WAIT_NOTICE_S = 2.0
# Exponential backoff never starts below this, even with a delay of 0.
MIN_BACKOFF_MS = 200
# The last second a date can name: a server time past it is unreadable, not a wait.
LATEST_EPOCH_S = datetime(9999, 12, 31, 23, 59, 59, tzinfo=UTC).timestamp()
T = TypeVar("T")


class WaitPastDeadlineError(RateLimitedError):
    """A rate-limit wait would end after the call's deadline, so the call ended without it.

    Raised in place of a 429 whose asked-for wait is too long, and by the rate
    limiter (with nothing sent) for a hold that is. `retry_after` is the wait in
    seconds, `retry_at` the epoch time it ends (also in `to_dict`, as UTC).
    """

    def __init__(self, *args: Any, retry_at: float | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.retry_at = retry_at

    def to_dict(self) -> dict[str, Any]:
        at = None if self.retry_at is None else utc_iso(self.retry_at)
        return {**super().to_dict(), "retry_at": at}


class Deadline:
    """When one call, every attempt and wait together, must be over (a monotonic clock)."""

    __slots__ = ("clock", "ends", "seconds")

    def __init__(self, seconds: float, clock: Callable[[], float] = time.monotonic) -> None:
        self.seconds, self.clock = seconds, clock
        self.ends = clock() + seconds

    def remaining_s(self) -> float:
        return self.ends - self.clock()


def describe_wait(seconds: float, approx: bool = True) -> str:
    """`2.5s`, `42s`, `3600s (about 60 min)`, `999999999s (about 11574 days)`;
    without `approx`, the seconds alone."""
    if not math.isfinite(seconds) or seconds >= 1e12:
        return f"{seconds:.3g}s"
    text = f"{seconds:.3g}s" if seconds < 100 else f"{seconds:.0f}s"
    if not approx:
        return text
    for unit, size in (("days", 86400), ("h", 3600), ("min", 60)):
        if seconds >= 2 * size:
            return f"{text} (about {seconds / size:.0f} {unit})"
    return text


def utc_iso(epoch: float) -> str:
    """Epoch seconds as `2024-05-01T12:00:05Z`, rounded up (a retry must not come early)."""
    try:
        when = datetime.fromtimestamp(math.ceil(epoch), UTC)
    except (OverflowError, ValueError, OSError):  # past what a date can name
        when = datetime.max.replace(microsecond=0, tzinfo=UTC) if epoch > 0 else \
            datetime.min.replace(tzinfo=UTC)
    return when.isoformat().replace("+00:00", "Z")


@dataclass(frozen=True)
class RetryPolicy:
    max_retries: int = 3  # retries of failed requests (5xx, timeouts, ...)
    delay_ms: int = 500
    exponential: bool = True
    max_delay_ms: int = 30_000
    jitter: bool = True
    retry_on_all_errors: bool = False
    rate_limit_retries: int = 5  # waits on 429, counted apart: nothing was processed
    timeout_s: float = 30.0  # one attempt
    deadline_s: float = 300.0  # every attempt and wait together

    def with_(self, **changes: Any) -> RetryPolicy:
        given = {k: v for k, v in changes.items() if v is not None}
        return replace(self, **given) if given else self  # frozen: sharing is safe

    def backoff_s(self, failures: int) -> float:
        """Wait before retry number `failures` (1-based)."""
        if not self.exponential:
            return self.delay_ms / 1000
        base = max(self.delay_ms, MIN_BACKOFF_MS)
        wait: float = min(base * 2.0 ** (failures - 1), self.max_delay_ms)
        if self.jitter:  # equal jitter: spread clients apart, never below half
            wait = wait / 2 + random.uniform(0, wait / 2)
        return wait / 1000


def server_wait_s(headers: Mapping[str, str], body: Any, now: float | None = None) -> float | None:
    """Seconds the API asks to wait: Retry-After, the body's msBeforeNext, or X-RateLimit-Reset.

    Each hint that cannot be read as a time (garbage, negative, NaN, infinite, a
    date with out-of-range fields or past year 9999) is ignored, so the next one
    (or the backoff) applies. The result is None, or finite and >= 0.
    """
    now = time.time() if now is None else now
    lower = {k.lower(): v for k, v in headers.items()}
    after = seconds_until(lower.get("retry-after"), now)
    if after is not None:
        return after
    ms = _ms_before_next(body)
    if ms is not None and _readable(now + ms / 1000):
        return ms / 1000
    return seconds_until(lower.get("x-ratelimit-reset"), now)


def seconds_until(value: str | None, now: float) -> float | None:
    """Seconds until a header's time: a delay, epoch seconds or an RFC 5322 date.

    None when the value names no readable time (see `server_wait_s`); a time
    already past is 0.
    """
    if not value or not isinstance(value, str):
        return None
    value = value.strip()
    try:
        number = float(value)
    except ValueError:
        try:
            date = email.utils.parsedate_to_datetime(value)
            if date.tzinfo is None:  # "-0000": UTC, not this machine's zone
                date = date.replace(tzinfo=UTC)
            when = date.timestamp()
        except (TypeError, ValueError, IndexError, OverflowError, OSError):
            return None
    else:
        if not math.isfinite(number) or number < 0:
            return None
        # Large numbers are epoch seconds, small ones a delay.
        when = number if number > 1e9 else now + number
    if not _readable(when):
        return None
    wait = when - now
    return max(0.0, wait) if math.isfinite(wait) else None


def _readable(when: float) -> bool:
    return math.isfinite(when) and when <= LATEST_EPOCH_S


def _ms_before_next(body: Any) -> float | None:
    try:
        value = body["errors"][0]["data"]["msBeforeNext"]
    except (KeyError, IndexError, TypeError):
        return None
    if isinstance(value, bool) or not isinstance(value, int | float):
        return None
    try:
        ms = float(value)
    except OverflowError:  # an integer too large for a float
        return None
    return ms if math.isfinite(ms) and ms >= 0 else None


class _Decider:
    """Per-call state: counts failures and 429s, and keeps the total deadline."""

    def __init__(self, policy: RetryPolicy, method: str, clock: Callable[[], float],
                 wall: Callable[[], float], deadline: Deadline | None,
                 may_retry: Callable[[BaseException], bool] | None = None) -> None:
        self.policy = policy
        self.may_retry = may_retry
        self.idempotent = method.upper() in IDEMPOTENT
        if deadline is None:  # the policy's from now (no object: this runs on every call)
            self.clock, self.seconds = clock, policy.deadline_s
            self.ends = clock() + policy.deadline_s
        else:
            self.clock, self.seconds, self.ends = deadline.clock, deadline.seconds, deadline.ends
        self.wall = wall
        self.failures = 0
        self.rate_limited = 0
        self.next_wait = 0.0
        self.reason = ""  # why the next wait happens, for `on_wait`
        self.sent = False  # an attempt may have reached the API

    def remaining_s(self) -> float:
        return self.ends - self.clock()

    def should_retry(self, exc: BaseException) -> bool:
        """Whether to retry after `exc`; raises `WaitPastDeadlineError` in place of a
        429 whose asked-for wait would end after the deadline."""
        p = self.policy
        if isinstance(exc, WaitPastDeadlineError | CircuitOpenError):
            return False  # already the final word: nothing fits before the deadline, or
            # the API's host is failing and a retry now would only add to its load
        if isinstance(exc, RateLimitedError):
            self.rate_limited += 1
            if self.rate_limited > p.rate_limit_retries:
                return False
            asked = exc.retry_after
            wait = asked if asked is not None else p.backoff_s(self.rate_limited)
            if asked is not None and asked >= self.remaining_s():
                raise self._past_deadline(exc, asked) from exc
            # A wait, not a failure: the API declined this try and the call goes on after.
            call = " ".join(filter(None, (exc.method, _path_of(exc.url))))
            reason = f"rate limit: the API answered {call + ' with ' if call else ''}429" + (
                f" and asked for {asked:g}s" if asked is not None else "")
        elif self._retriable(exc):
            self.failures += 1
            if self.failures > p.max_retries:
                return False
            wait = p.backoff_s(self.failures)
            reason = f"retry {self.failures} of {p.max_retries} after: {exc}"
        else:
            return False
        if wait >= self.remaining_s():
            return False  # the answer would come after the deadline: fail now
        if self.may_retry is not None and not self.may_retry(exc):
            return False  # refused by an observer (a retry budget): fail now, wait for nothing
        self.next_wait = wait
        self.reason = reason
        return True

    def _past_deadline(self, exc: RateLimitedError, wait: float) -> WaitPastDeadlineError:
        left = max(0.0, self.remaining_s())
        at = self.wall() + wait
        return WaitPastDeadlineError(
            f"{exc}; the API asked to wait {describe_wait(wait)}, which ends past this "
            f"call's deadline of {self.seconds:g}s ({describe_wait(left, False)} left): "
            f"retry after {utc_iso(at)}",
            status=exc.status, errors=exc.errors, method=exc.method, url=exc.url,
            headers=exc.headers, retry_after=wait, retry_at=at)

    def _retriable(self, exc: BaseException) -> bool:
        if self.policy.retry_on_all_errors:
            return isinstance(exc, ApiError | TransportError)
        return isinstance(exc, ServerError | TransportError) and self.idempotent


def call_with_retries(
    fn: Callable[[float], T],
    policy: RetryPolicy,
    method: str,
    sleep: Callable[[float], None] = time.sleep,
    clock: Callable[[], float] = time.monotonic,
    on_retry: Callable[[BaseException, float, int], None] | None = None,
    on_wait: Callable[[float, str], None] | None = None,
    wall: Callable[[], float] = time.time,
    deadline: Deadline | None = None,
    on_pause: Callable[[float, str], None] | None = None,
    may_retry: Callable[[BaseException], bool] | None = None,
) -> T:
    """Call `fn(timeout_s)` until it succeeds or the policy says stop; re-raise the last error.

    `on_wait(seconds, reason)` is called before every wait of at least `WAIT_NOTICE_S`.
    Every wait ends before the deadline: a 429 asking for longer ends the call at
    once with `WaitPastDeadlineError` (`wall` dates its `retry_at`). `deadline`
    (default: the policy's, from now on `clock`) lets `fn` share it, e.g. to bound
    a rate limiter's hold. `on_pause(seconds, reason)` is told every wait, however
    short; `may_retry(error)` is asked before each retry the policy allows, and
    False ends the call with that error.
    """
    decider = _Decider(policy, method, clock, wall, deadline, may_retry)

    def attempt() -> T:
        remaining = decider.remaining_s()
        if remaining <= 0:
            raise DeadlineExceededError(f"deadline of {decider.seconds:g}s exceeded",
                                        sent=decider.sent)
        try:
            return fn(min(policy.timeout_s, remaining))
        except WaitPastDeadlineError:
            raise  # held by the rate limiter: this attempt sent nothing
        except ApiError:
            decider.sent = True
            raise
        except TransportError as exc:
            # Once any attempt may have reached the API, the call's outcome is unknown
            # whatever later attempts say: a refused retry must not claim "not sent".
            if exc.sent:
                decider.sent = True
            elif decider.sent:
                exc.sent = True
            raise

    try:  # the common case, a first-attempt success, skips tenacity's bookkeeping
        return attempt()
    except ConnectorError as exc:
        if not decider.should_retry(exc):
            raise
        first_failure = exc

    import tenacity  # deferred: only a retry needs it

    def before_sleep(state: tenacity.RetryCallState) -> None:
        failed = state.outcome.exception() if state.outcome is not None else None
        if on_retry and failed is not None:
            on_retry(failed, decider.next_wait, state.attempt_number + 1)

    def pause(seconds: float) -> None:
        if on_pause is not None:
            on_pause(seconds, decider.reason)
        if on_wait is not None and seconds >= WAIT_NOTICE_S:
            on_wait(seconds, decider.reason)
        sleep(seconds)

    if on_retry:
        on_retry(first_failure, decider.next_wait, 1)
    pause(decider.next_wait)
    retrying = tenacity.Retrying(
        retry=tenacity.retry_if_exception(
            lambda e: isinstance(e, ConnectorError) and decider.should_retry(e)),
        wait=lambda _state: decider.next_wait,
        stop=tenacity.stop_never,
        sleep=pause,
        before_sleep=before_sleep,
        reraise=True,
    )
    return retrying(attempt)


def _path_of(url: str | None) -> str:
    """The path of a request URL (its query may carry values a notice need not show)."""
    from urllib.parse import urlsplit

    return urlsplit(url).path if url else ""
