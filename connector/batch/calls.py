"""What a line's call put on the wire, request by request and attempt by attempt.

The run watches its runtime with a `LineWatcher` (an observer of
`connector.events`), which notes each request and each attempt let through
in the `Calls` of the line being run (a context variable: each worker thread
runs its own line): whether a line may have taken effect is told from these
notes, not from error messages.
"""

from __future__ import annotations

import contextlib
import contextvars
from collections.abc import Callable, Iterator
from dataclasses import dataclass

from connector.events import Exchange, Observer
from connector.retry import IDEMPOTENT

_here: contextvars.ContextVar[Calls | None] = contextvars.ContextVar("segment_line_calls",
                                                                     default=None)


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
    token = _here.set(calls)
    try:
        yield
    finally:
        _here.reset(token)


class LineWatcher(Observer):
    """Notes, for the line being run, each request and each attempt that gets its turn.

    The `started` mark is written in the attempt's turn, so a mark that cannot be
    written (the results file refuses it, a distributed run gave the line up) stops
    the attempt before anything is sent.
    """

    def request(self, ex: Exchange) -> None:
        calls = _here.get()
        if calls is not None:
            calls.method, calls.attempts = ex.method, 0

    def turn(self, ex: Exchange) -> None:
        calls = _here.get()
        if calls is not None:
            calls.attempt()
