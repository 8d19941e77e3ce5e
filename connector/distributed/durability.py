"""Whether Redis keeps what the runs write there: an append-only file, and no eviction.

A distributed run's queue, its lines' claims and leases and the records workers
push before the run writes them down all live in Redis. A Redis that restarts
without an append-only file, or evicts keys when full, loses them: lines
queued run nothing, and outcomes of writes already sent are lost (the results
file then says `started`, and the line is left unknown). Workers therefore
refuse to send writes on such a Redis unless started with
`--accept-redis-data-loss`.

The settings are read with `CONFIG GET`; where that command is disabled (as on
managed Redis services) from `INFO persistence` and `INFO memory`; when
neither answers, Redis counts as unsafe, since nothing says otherwise.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from connector.errors import ConnectionFailedError
from connector.redact import get_logger

log = get_logger("segment_connector.distributed")
ACCEPT_FLAG = "--accept-redis-data-loss"
CHECK_EVERY_S = 30.0  # a worker looks again this often: settings change at run time


@dataclass(frozen=True)
class Verdict:
    """What Redis's settings say: the ways it may lose data (none: it keeps it)."""

    problems: tuple[str, ...]
    source: str  # "CONFIG", "INFO" or "" when neither answered

    @property
    def safe(self) -> bool:
        return not self.problems

    def describe(self) -> str:
        return "; ".join(self.problems)


def _text(value: Any) -> str:
    return value.decode() if isinstance(value, bytes) else str(value)


def judge(settings: Mapping[str, Any], source: str) -> Verdict:
    """The verdict on `appendonly`, `save`, `maxmemory` and `maxmemory-policy`."""
    problems: list[str] = []
    if _text(settings.get("appendonly", "no")).lower() not in ("yes", "1"):
        save = _text(settings.get("save", "")).strip()
        if save:
            problems.append(f"no append-only file (appendonly no, snapshots only: save "
                            f"{save}): a restart loses what changed since the last snapshot")
        else:
            problems.append("no persistence (appendonly no): a restart empties it")
    policy = _text(settings.get("maxmemory-policy", "noeviction")).lower()
    try:
        limit = int(_text(settings.get("maxmemory", "0")))
    except ValueError:
        limit = 1  # unreadable: assume a limit is set
    if policy != "noeviction" and limit > 0:
        problems.append(f"maxmemory-policy {policy} with maxmemory {limit}: it evicts keys "
                        "when full (set noeviction)")
    return Verdict(tuple(problems), source)


def inspect(client: Any) -> Verdict:
    """Read Redis's persistence and eviction settings; raises on a lost connection."""
    import redis

    try:
        found: dict[str, Any] = {}
        for name in ("appendonly", "save", "maxmemory", "maxmemory-policy"):
            found.update({_text(k): v for k, v in client.config_get(name).items()})
        return judge(found, "CONFIG")
    except redis.ConnectionError:
        raise
    except redis.ResponseError:  # CONFIG disabled or renamed (managed Redis), or NOPERM
        pass
    try:
        persistence, memory = client.info("persistence"), client.info("memory")
    except redis.ConnectionError:
        raise
    except redis.ResponseError:
        return Verdict(("its settings cannot be read (CONFIG and INFO are refused), so "
                        "nothing says it keeps data across a restart or never evicts",), "")
    settings = {"appendonly": "yes" if int(persistence.get("aof_enabled", 0)) else "no",
                "maxmemory": memory.get("maxmemory", 0),
                "maxmemory-policy": memory.get("maxmemory_policy", "noeviction")}
    verdict = judge(settings, "INFO")
    if not verdict.safe:  # INFO shows no save points: say what was read instead
        return Verdict(tuple(p.replace("(appendonly no)", "(INFO: aof_enabled:0)")
                             for p in verdict.problems), "INFO")
    return verdict


class Guard:
    """A worker's check before each write: Redis keeps its data, or the operator said
    it may lose it. Looks again every `every_s`; `clock` is injectable for tests."""

    def __init__(self, accept_loss: bool = False, every_s: float = CHECK_EVERY_S,
                 clock: Callable[[], float] = time.monotonic) -> None:
        self.accept_loss, self.every_s, self.clock = accept_loss, every_s, clock
        self._verdict: Verdict | None = None
        self._checked_at = 0.0

    def verdict(self, client: Any) -> Verdict:
        now = self.clock()
        if self._verdict is None or now - self._checked_at >= self.every_s:
            verdict = inspect(client)
            changed = self._verdict is None or verdict.problems != self._verdict.problems
            if changed and not verdict.safe:
                log.warning("Redis may lose data: %s%s", verdict.describe(),
                                f" (writes go on: {ACCEPT_FLAG})" if self.accept_loss else
                                f"; writes are refused (start with {ACCEPT_FLAG} to accept "
                                "the risk)")
            self._verdict, self._checked_at = verdict, now
        return self._verdict

    def check(self, client: Any) -> None:
        """Raise, saying nothing was sent, when a write must not go out on this Redis."""
        verdict = self.verdict(client)
        if not verdict.safe and not self.accept_loss:
            raise ConnectionFailedError(
                f"not sent: Redis may lose this run's bookkeeping ({verdict.describe()}); "
                f"make it persist and not evict, or start the workers with {ACCEPT_FLAG}",
                sent=False)
