"""Retry policy: which failures are retried, how long to wait, when to give up.

The loop itself is tenacity's; this module decides. By default a 429 is
retried for every method (the API did not process the request) after waiting
as long as the API asks; 5xx answers, timeouts and lost connections are
retried only for idempotent methods, because the API has no idempotency keys
and a retried POST could create twice. `retry_on_all_errors` lifts both
limits and also retries 4xx answers.
"""

from __future__ import annotations

import email.utils
import random
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, replace
from typing import Any, TypeVar

from connector.errors import (
    ApiError,
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
T = TypeVar("T")


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
        return replace(self, **{k: v for k, v in changes.items() if v is not None})

    def backoff_s(self, failures: int) -> float:
        """Wait before retry number `failures` (1-based)."""
        if not self.exponential:
            return self.delay_ms / 1000
        base = max(self.delay_ms, MIN_BACKOFF_MS)
        wait = min(base * 2 ** (failures - 1), self.max_delay_ms)
        if self.jitter:  # equal jitter: spread clients apart, never below half
            wait = wait / 2 + random.uniform(0, wait / 2)
        return wait / 1000


def server_wait_s(headers: Mapping[str, str], body: Any, now: float | None = None) -> float | None:
    """Seconds the API asks to wait: Retry-After, the body's msBeforeNext, or X-RateLimit-Reset."""
    now = time.time() if now is None else now
    lower = {k.lower(): v for k, v in headers.items()}
    after = seconds_until(lower.get("retry-after"), now)
    if after is not None:
        return after
    ms = _ms_before_next(body)
    if ms is not None:
        return ms / 1000
    return seconds_until(lower.get("x-ratelimit-reset"), now)


def seconds_until(value: str | None, now: float) -> float | None:
    """Seconds until a header's time: a delay, epoch seconds or an RFC 5322 date."""
    if not value:
        return None
    value = value.strip()
    try:
        number = float(value)
    except ValueError:
        try:
            when = email.utils.parsedate_to_datetime(value).timestamp()
        except (TypeError, ValueError, IndexError):
            return None
        return max(0.0, when - now)
    # Large numbers are epoch seconds, small ones a delay.
    return max(0.0, number - now) if number > 1e9 else max(0.0, number)


def _ms_before_next(body: Any) -> float | None:
    try:
        value = body["errors"][0]["data"]["msBeforeNext"]
    except (KeyError, IndexError, TypeError):
        return None
    return float(value) if isinstance(value, int | float) else None


class _Decider:
    """Per-call state: counts failures and 429s, and keeps the total deadline."""

    def __init__(self, policy: RetryPolicy, method: str, clock: Callable[[], float]) -> None:
        self.policy = policy
        self.idempotent = method.upper() in IDEMPOTENT
        self.clock = clock
        self.started = clock()
        self.failures = 0
        self.rate_limited = 0
        self.next_wait = 0.0
        self.reason = ""  # why the next wait happens, for `on_wait`
        self.sent = False  # an attempt may have reached the API

    def remaining_s(self) -> float:
        return self.policy.deadline_s - (self.clock() - self.started)

    def should_retry(self, exc: BaseException) -> bool:
        p = self.policy
        if isinstance(exc, RateLimitedError):
            self.rate_limited += 1
            if self.rate_limited > p.rate_limit_retries:
                return False
            wait = exc.retry_after if exc.retry_after is not None else p.backoff_s(
                self.rate_limited)
            reason = f"rate limited: {exc}"
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
        self.next_wait = wait
        self.reason = reason
        return True

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
) -> T:
    """Call `fn(timeout_s)` until it succeeds or the policy says stop; re-raise the last error.

    `on_wait(seconds, reason)` is called before every wait of at least `WAIT_NOTICE_S`.
    """
    decider = _Decider(policy, method, clock)

    def attempt() -> T:
        remaining = decider.remaining_s()
        if remaining <= 0:
            raise DeadlineExceededError(f"deadline of {policy.deadline_s:g}s exceeded",
                                        sent=decider.sent)
        try:
            return fn(min(policy.timeout_s, remaining))
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
