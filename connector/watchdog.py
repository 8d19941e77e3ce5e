"""A total time limit for one HTTP attempt, body included.

Socket timeouts bound each read, not the whole answer: a server that drips a
byte a second, or sends `100 Continue` forever, never trips them. One daemon
thread keeps the deadlines of the attempts in flight and shuts a socket down
when its attempt's time is up, which ends whatever read is blocked on it.
"""

from __future__ import annotations

import contextlib
import itertools
import math
import socket
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

_local = threading.local()  # the deadline of the attempt this thread is making
# Socket timeouts end the common slow answer at exactly the attempt's time; the
# watchdog is the backstop for answers that keep every single read under it.
GRACE_SHARE, GRACE_MAX_S = 0.25, 0.5


@dataclass(slots=True)
class Alarm:
    deadline: float
    seq: int
    sock: Any = None
    fired: bool = False


class Watchdog:
    """Shuts down the socket of each armed attempt still running at its deadline.

    An attempt that ends is disarmed at once, so the watch thread wakes only at the
    earliest deadline of the attempts still in flight (or when a new one is earlier),
    not once per finished attempt.
    """

    def __init__(self, clock: Callable[[], float] = time.monotonic) -> None:
        self.clock = clock
        self._live: dict[int, Alarm] = {}  # the attempts in flight, by sequence number
        self._lock = threading.Lock()  # entered directly on each arm and disarm: no frames
        self._cond = threading.Condition(self._lock)
        self._seq = itertools.count()
        self._thread: threading.Thread | None = None
        self._wake_at = math.inf  # when the watch thread looks next

    def arm(self, deadline: float, sock: Any) -> Alarm:
        alarm = Alarm(deadline, next(self._seq), sock)
        with self._lock:
            self._live[alarm.seq] = alarm
            if self._thread is None:
                self._thread = threading.Thread(target=self._watch, name="http-watchdog",
                                                daemon=True)
                self._thread.start()
            if deadline < self._wake_at:  # only an earlier deadline changes the watch's sleep
                self._wake_at = deadline
                self._cond.notify()
        return alarm

    def disarm(self, alarm: Alarm) -> None:
        """Once this returns, the alarm has fired or never will."""
        with self._lock:
            self._live.pop(alarm.seq, None)

    def _watch(self) -> None:
        with self._cond:
            while True:
                now = self.clock()
                for alarm in [a for a in self._live.values() if a.deadline <= now]:
                    del self._live[alarm.seq]
                    alarm.fired = True
                    with contextlib.suppress(OSError):
                        alarm.sock.shutdown(socket.SHUT_RDWR)
                self._wake_at = min((a.deadline for a in self._live.values()),
                                    default=math.inf)
                self._cond.wait(None if self._wake_at == math.inf else self._wake_at - now)


WATCHDOG = Watchdog()


class AttemptDeadline:
    """`with AttemptDeadline(seconds) as alarms:` lets connections opened or reused in the
    block arm the watchdog for `seconds`; `alarms` are the alarms armed.

    After the block, `fired` says whether the watchdog cut the attempt off (and
    can no longer change), telling a cut-off from a server's own hang-up.
    """

    __slots__ = ("alarms", "deadline")

    def __init__(self, seconds: float) -> None:
        grace = min(GRACE_MAX_S, seconds * GRACE_SHARE)
        self.deadline = WATCHDOG.clock() + seconds + grace
        self.alarms: list[Alarm] = []

    def __enter__(self) -> list[Alarm]:
        _local.deadline, _local.alarms = self.deadline, self.alarms
        return self.alarms

    def __exit__(self, *_exc: object) -> None:
        _local.deadline = None
        for alarm in self.alarms:
            WATCHDOG.disarm(alarm)

    @property
    def fired(self) -> bool:
        return any(alarm.fired for alarm in self.alarms)


def watch(sock: Any) -> None:
    """Called by a connection about to wait for an answer on `sock`."""
    deadline = getattr(_local, "deadline", None)
    if deadline is not None and sock is not None:
        _local.alarms.append(WATCHDOG.arm(deadline, sock))
