"""A circuit breaker per API host: fail at once while the host keeps failing.

After `failures` attempts in a row to one host fail for the host's sake (a
5xx answer, a lost or refused connection, a timeout), the circuit opens:
every call to that host fails at once with `CircuitOpenError` (retryable,
nothing sent, saying when to try again) for `cooldown_s`. Then one attempt
goes through as a probe (half-open); its answer closes the circuit, its
failure opens it again for another cool-down. Any answer below 500 (a 404
included) proves the host is there, and resets the count.

Kept per process: share one `Circuit` between the runtimes of a process
(`Runtime(events=[circuit])`). `on_change(host, state)` is told each change of
state (`closed`, `open`, `half_open`), for metrics.
"""

from __future__ import annotations

import math
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING

from connector.errors import (
    ApiError,
    CircuitOpenError,
    ConnectionFailedError,
    InputError,
    RequestTimeoutError,
    ServerError,
)
from connector.events import Exchange, Observer

if TYPE_CHECKING:
    from connector.transport import HttpResponse

CLOSED, OPEN, HALF_OPEN = "closed", "open", "half_open"
_FAILURES = (ServerError, ConnectionFailedError, RequestTimeoutError)  # what counts against a host
DEFAULT_FAILURES = 5
DEFAULT_COOLDOWN_S = 30.0


@dataclass
class _Host:
    state: str = CLOSED
    failures: int = 0  # in a row
    open_until: float = -math.inf
    probing: bool = False  # the half-open probe is out


def check_settings(failures: object, cooldown_s: object) -> None:
    """InputError naming the setting that cannot work."""
    if isinstance(failures, bool) or not isinstance(failures, int) or failures < 1:
        raise InputError({"circuit_failures": f"must be a whole number of at least 1, "
                          f"not {failures!r}"})
    if isinstance(cooldown_s, bool) or not isinstance(cooldown_s, int | float) \
            or not (math.isfinite(cooldown_s) and cooldown_s > 0):
        raise InputError({"circuit_cooldown": f"must be a positive number of seconds, "
                          f"not {cooldown_s!r}"})


class Circuit(Observer):
    """One circuit per API host. Thread-safe; `clock` (monotonic) and `wall` (epoch, for
    the `retry_at` errors name) can be faked."""

    def __init__(self, failures: int = DEFAULT_FAILURES, cooldown_s: float = DEFAULT_COOLDOWN_S,
                 clock: Callable[[], float] = time.monotonic,
                 wall: Callable[[], float] = time.time,
                 on_change: Callable[[str, str], None] | None = None) -> None:
        check_settings(failures, cooldown_s)
        self.failures, self.cooldown_s = failures, float(cooldown_s)
        self.clock, self.wall = clock, wall
        self.on_change = on_change
        self._hosts: dict[str, _Host] = {}
        self._lock = threading.Lock()

    def state(self, host: str) -> str:
        with self._lock:
            return self._hosts.get(host, _Host()).state

    def _set(self, host: str, h: _Host, state: str) -> None:
        if h.state != state:
            h.state = state
            if self.on_change is not None:
                self.on_change(host, state)

    def _host(self, host: str) -> _Host:
        h = self._hosts.get(host)
        return h if h is not None else self._hosts.setdefault(host, _Host())

    def attempt(self, ex: Exchange) -> None:
        host = ex.host
        h = self._hosts.get(host)
        if h is not None and h.state == CLOSED:
            return  # the common case, read without the lock: a closed circuit lets all by
        with self._lock:
            h = self._host(host)
            if h.state == CLOSED:
                return
            now = self.clock()
            if h.state == OPEN and now >= h.open_until:
                self._set(host, h, HALF_OPEN)
            if h.state == HALF_OPEN and not h.probing:
                h.probing = True  # this attempt is the probe
                ex.notes[self] = True
                return
            wait = max(0.0, h.open_until - now) if h.state == OPEN else self.cooldown_s
        raise CircuitOpenError(
            f"{ex.method} {ex.route or 'request'}: the circuit for {host} is open after "
            f"{self.failures} failures in a row; nothing was sent: retry in {wait:.3g}s",
            ex.method, host, retry_after=wait, retry_at=self.wall() + wait)

    def answer(self, ex: Exchange, response: HttpResponse | None,
               error: BaseException | None) -> None:
        failed = error is not None and isinstance(error, _FAILURES)
        answered = response is not None or (isinstance(error, ApiError) and not failed)
        if not (failed or answered):
            return  # neither: the host said nothing (a request that could not be encoded)
        host = ex.host
        h = self._hosts.get(host)
        if answered and h is not None and h.state == CLOSED and not h.failures \
                and self not in ex.notes:
            return  # an answer from a healthy host changes nothing: no lock to take
        with self._lock:
            h = self._host(host)
            probe = ex.notes.pop(self, False)
            if probe:
                h.probing = False
            if answered:
                h.failures = 0
                self._set(host, h, CLOSED)
                return
            h.failures += 1
            if probe or h.failures >= self.failures:
                h.open_until = self.clock() + self.cooldown_s
                self._set(host, h, OPEN)

    def may_retry(self, ex: Exchange, error: BaseException) -> bool:
        """No retry into a circuit that is not closed: the call ends with the API's error."""
        return self.state(ex.host) == CLOSED

    def _release(self, ex: Exchange) -> None:
        """A probe that ended without an answer (stopped before sending) frees the slot."""
        if ex.notes.pop(self, False):
            with self._lock:
                self._host(ex.host).probing = False

    def done(self, ex: Exchange, response: HttpResponse) -> None:
        self._release(ex)

    def give_up(self, ex: Exchange, error: BaseException) -> None:
        self._release(ex)
