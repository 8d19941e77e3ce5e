"""A total time limit for one HTTP attempt, body included.

Socket timeouts bound each read, not the whole answer: a server that drips a
byte a second, or sends `100 Continue` forever, never trips them. One daemon
thread keeps the deadlines of the attempts in flight and shuts a socket down
when its attempt's time is up, which ends whatever read is blocked on it.
"""

from __future__ import annotations

import contextlib
import heapq
import itertools
import socket
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any

_local = threading.local()  # the deadline of the attempt this thread is making
# Socket timeouts end the common slow answer at exactly the attempt's time; the
# watchdog is the backstop for answers that keep every single read under it.
GRACE_SHARE, GRACE_MAX_S = 0.25, 0.5


@dataclass(order=True)
class Alarm:
    deadline: float
    seq: int
    sock: Any = field(compare=False, default=None)
    fired: bool = field(compare=False, default=False)
    done: bool = field(compare=False, default=False)


class Watchdog:
    def __init__(self, clock: Callable[[], float] = time.monotonic) -> None:
        self.clock = clock
        self._heap: list[Alarm] = []
        self._cond = threading.Condition()
        self._seq = itertools.count()
        self._thread: threading.Thread | None = None

    def arm(self, deadline: float, sock: Any) -> Alarm:
        alarm = Alarm(deadline, next(self._seq), sock)
        with self._cond:
            heapq.heappush(self._heap, alarm)
            if self._thread is None:
                self._thread = threading.Thread(target=self._watch, name="http-watchdog",
                                                daemon=True)
                self._thread.start()
            if self._heap[0] is alarm:  # only an earlier deadline changes the watch's sleep
                self._cond.notify()
        return alarm

    def disarm(self, alarm: Alarm) -> None:
        alarm.done = True  # dropped lazily when it reaches the top of the heap

    def _watch(self) -> None:
        with self._cond:
            while True:
                while self._heap and self._heap[0].done:
                    heapq.heappop(self._heap)
                if not self._heap:
                    self._cond.wait()
                    continue
                wait = self._heap[0].deadline - self.clock()
                if wait > 0:
                    self._cond.wait(wait)
                    continue
                alarm = heapq.heappop(self._heap)
                alarm.fired = True
                with contextlib.suppress(OSError):
                    alarm.sock.shutdown(socket.SHUT_RDWR)


WATCHDOG = Watchdog()


@contextlib.contextmanager
def attempt_deadline(seconds: float) -> Iterator[list[Alarm]]:
    """Let connections opened or reused in this block arm the watchdog for `seconds`.

    Yields the alarms armed, so the caller can tell a cut-off from a server's
    own hang-up (`alarm.fired`).
    """
    alarms: list[Alarm] = []
    grace = min(GRACE_MAX_S, seconds * GRACE_SHARE)
    _local.deadline, _local.alarms = WATCHDOG.clock() + seconds + grace, alarms
    try:
        yield alarms
    finally:
        _local.deadline = None
        for alarm in alarms:
            WATCHDOG.disarm(alarm)


def watch(sock: Any) -> None:
    """Called by a connection about to wait for an answer on `sock`."""
    deadline = getattr(_local, "deadline", None)
    if deadline is not None and sock is not None:
        _local.alarms.append(WATCHDOG.arm(deadline, sock))
