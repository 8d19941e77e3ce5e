"""Realistic identifiers and timestamps."""

from __future__ import annotations

import random
import secrets
import string
import threading
from datetime import UTC, datetime

BASE58 = "123456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz"
_ALNUM = string.ascii_letters + string.digits


class IdSource:
    """Seeded, thread-safe source of ids so a given seed replays the same ids."""

    def __init__(self, seed: int = 0) -> None:
        self._rng = random.Random(seed)
        self._lock = threading.Lock()

    def new_id(self, length: int = 22) -> str:
        with self._lock:
            return "".join(self._rng.choice(BASE58) for _ in range(length))

    def write_key(self) -> str:
        with self._lock:
            return "".join(self._rng.choice(_ALNUM) for _ in range(32))

    def reseed(self, seed: str) -> None:
        """Start a new sequence (after loading saved state, so new ids cannot repeat old ones)."""
        with self._lock:
            self._rng.seed(seed)

    def random(self) -> float:
        with self._lock:
            return self._rng.random()


def new_token() -> str:
    """`sgp_` + 64 alphanumerics, from the OS's secure source (never seeded)."""
    return "sgp_" + "".join(secrets.choice(_ALNUM) for _ in range(64))


def now() -> str:
    """RFC 3339 UTC timestamp with millisecond precision and a `Z` suffix."""
    moment = datetime.now(UTC)
    return moment.strftime("%Y-%m-%dT%H:%M:%S.") + f"{moment.microsecond // 1000:03d}Z"
