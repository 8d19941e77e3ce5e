"""What a line's call put on the wire, request by request and attempt by attempt.

The run gives its runtime a `Pacer` for a limiter and a `noting_sends` send, so
each request and each attempt let through is noted in the `Calls` of the line
the worker thread is running: whether a line may have taken effect is told
from these notes, not from error messages.
"""

from __future__ import annotations

import contextlib
import threading
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, TypeVar

from connector.ratelimit import Limiter
from connector.request import HttpRequest
from connector.retry import IDEMPOTENT
from connector.transport import HttpResponse

if TYPE_CHECKING:
    from connector.runtime import Runtime

T = TypeVar("T")
_here = threading.local()  # the `Calls` of the line this worker thread is running


@dataclass
class Calls:
    """What one line's call has sent so far, request by request, attempt by attempt."""

    mark: Callable[[], None]  # writes the line's `started` record
    method: str = ""  # of the request being sent
    attempts: int = 0  # of the request being sent
    sent: int = 0  # attempts that went out, every request of the line
    writes: int = 0  # non-idempotent requests that went out
    last_is_write: bool = False

    def attempt(self) -> None:
        write = self.method not in IDEMPOTENT
        if write and self.attempts == 0:
            if self.writes == 0:
                self.mark()  # before the first byte of the line's first write
            self.writes += 1
        self.attempts += 1
        self.sent += 1
        self.last_is_write = write


@contextlib.contextmanager
def line_calls(calls: Calls) -> Iterator[None]:
    """Within: what this thread sends is noted in `calls`."""
    _here.calls = calls
    try:
        yield
    finally:
        _here.calls = None


def noting_sends(send: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """`Runtime.send`, noting for the current line which request goes out."""

    def noted(req: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        calls: Calls | None = getattr(_here, "calls", None)
        if calls is not None:
            calls.method, calls.attempts = req.method.upper(), 0
        return send(req, *args, **kwargs)

    return noted


class Pacer:
    """The run's rate limiter; each attempt it lets through is noted for the line."""

    def __init__(self, limiter: Limiter) -> None:
        self.limiter = limiter

    @property
    def rate_limited(self) -> int:
        return self.limiter.rate_limited

    def cancel(self, cancelled: bool = True) -> None:
        self.limiter.cancel(cancelled)

    def call(self, op: str | None, fn: Callable[[], T], *args: Any, **kwargs: Any) -> T:
        def attempt() -> T:
            calls: Calls | None = getattr(_here, "calls", None)
            if calls is not None:
                calls.attempt()
            return fn()

        return self.limiter.call(op, attempt, *args, **kwargs)

    def __getattr__(self, name: str) -> Any:
        return getattr(self.limiter, name)


def tracking(runtime: Runtime, limiter: Limiter) -> Runtime:
    """A private copy of `runtime` whose limiter and send note what each line puts on
    the wire (inside `line_calls`)."""
    tracked = runtime.with_limiter(Pacer(limiter))
    tracked.send = noting_sends(tracked.send)  # type: ignore[method-assign]
    return tracked
