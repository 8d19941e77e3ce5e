"""Realistic identifiers and timestamps."""

from __future__ import annotations

import random
import secrets
import string
import threading
from datetime import UTC, datetime, timedelta

BASE58 = "123456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz"
_ALNUM = string.ascii_letters + string.digits
_BASE62 = string.digits + string.ascii_uppercase + string.ascii_lowercase

# How the API spells the ids of a resource family (as the seed examples show them):
# prefix and kind of body. "ksuid": 27 base62 characters, time-ordered, so they start
# with 1 or 2; "b58": 22 base58 characters (most ids); "hex": 24 hex digits (catalog).
FAMILIES: dict[str, tuple[str, str]] = {
    "space": ("spa_", "b58"), "audience": ("aud_", "ksuid"), "preview": ("ap_", "ksuid"),
    "schedule": ("sch_", "ksuid"), "computedTrait": ("ut_", "ksuid"),
    "collection": ("col_", "ksuid"), "trackingPlan": ("tp_", "ksuid"),
    "function": ("sfnc_", "b58"), "version": ("ifnv_", "ksuid"),
    "userGroup": ("", "ksuid"), "group": ("", "ksuid"), "user": ("", "ksuid"),
    "transformation": ("", "ksuid"), "credential": ("", "ksuid"), "filter": ("", "ksuid"),
    "regulation": ("", "ksuid"), "regulate": ("", "ksuid"), "role": ("", "ksuid"),
    "metadata": ("", "hex"), "catalog": ("", "hex"),
}
# Longest names first, so `audienceSchedule` is a schedule, not an audience.
_BY_SUFFIX = sorted(FAMILIES, key=len, reverse=True)


def family_of(name: str) -> str | None:
    """The family an object key or id field names: `audienceSchedule` -> `schedule`,
    `destinationMetadata` -> `metadata`, `sourceId` -> None (plain base58)."""
    low = name.lower()
    for family in _BY_SUFFIX:
        if low.endswith(family.lower()):
            return family
    return None


class IdSource:
    """Seeded, thread-safe source of ids so a given seed replays the same ids."""

    def __init__(self, seed: int = 0) -> None:
        self._rng = random.Random(seed)
        self._lock = threading.Lock()

    def new_id(self, length: int = 22) -> str:
        with self._lock:
            return "".join(self._rng.choice(BASE58) for _ in range(length))

    def for_family(self, name: str) -> str:
        """A fresh id spelt as ids of `name`'s family are (see FAMILIES)."""
        family = family_of(name)
        prefix, kind = FAMILIES[family] if family else ("", "b58")
        with self._lock:
            if kind == "ksuid":
                body = self._rng.choice("12") + "".join(
                    self._rng.choice(_BASE62) for _ in range(26))
            elif kind == "hex":
                body = "".join(self._rng.choice("0123456789abcdef") for _ in range(24))
            else:
                body = "".join(self._rng.choice(BASE58) for _ in range(22))
        return prefix + body

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


# How far the simulated API's clock is from this machine's (negative: behind). Every time
# the simulator stamps, and its `Date` header, reads `clock()`; tests shift it to play an
# API whose clock disagrees with the caller's.
clock_offset = timedelta(0)


def clock() -> datetime:
    """The simulated API's time now."""
    return datetime.now(UTC) + clock_offset


def now() -> str:
    """RFC 3339 UTC timestamp with millisecond precision and a `Z` suffix."""
    moment = clock()
    return moment.strftime("%Y-%m-%dT%H:%M:%S.") + f"{moment.microsecond // 1000:03d}Z"
