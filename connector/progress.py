"""A one-line progress bar on stderr, drawn only when stderr is a terminal."""

from __future__ import annotations

import sys
import threading
import time
from typing import TextIO

WIDTH = 30


class Progress:
    def __init__(self, total: int | None, enabled: bool | None = None,
                 stream: TextIO | None = None, every_s: float = 0.1) -> None:
        self.stream = stream or sys.stderr
        self.enabled = self.stream.isatty() if enabled is None else enabled
        self.total = total
        self.every_s = every_s
        self.done = self.ok = self.errors = 0
        self.started = time.monotonic()
        self._drawn = 0.0
        self._lock = threading.Lock()

    def update(self, ok: bool, skipped: bool = False) -> None:
        with self._lock:
            self.done += 1
            if not skipped:
                self.ok += ok
                self.errors += not ok
            now = time.monotonic()
            if self.enabled and (now - self._drawn >= self.every_s or self.done == self.total):
                self._drawn = now
                self._draw(now)

    def _draw(self, now: float) -> None:
        rate = self.done / max(now - self.started, 1e-9)
        if self.total:
            filled = WIDTH * self.done // self.total
            bar = f"[{'#' * filled}{'.' * (WIDTH - filled)}] {self.done}/{self.total}"
        else:
            bar = f"{self.done}"
        self.stream.write(f"\r{bar} ok {self.ok} errors {self.errors} {rate:.1f}/s ")
        self.stream.flush()

    def close(self) -> None:
        if self.enabled:
            with self._lock:
                self._draw(time.monotonic())
                self.stream.write("\n")
                self.stream.flush()
