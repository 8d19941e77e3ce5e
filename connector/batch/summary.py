"""The summary of a run: its counts, why it stopped early, and its exit code."""

from __future__ import annotations

import signal
from dataclasses import dataclass, field
from typing import Any

from connector.errors import EXIT_NO_ANSWER


@dataclass
class BatchSummary:
    total: int = 0  # lines of input (blank lines excluded) = ok + errors + skipped + not_run
    ok: int = 0  # done in this run
    errors: int = 0  # failed in this run, or left failed (outcome unknown) from before
    skipped: int = 0  # already done by an earlier run
    not_run: int = 0  # not started: the run stopped first
    interrupted: bool = False
    signal: int | None = None
    # Why the run ended early: "signal", "connection", "results"; distributed runs also
    # "redis" (Redis lost the run's keys) and "workers" (no worker took or answered).
    stopped: str | None = None
    message: str = ""
    action: str = ""
    elapsed_s: float = 0.0
    rate_limited: int = 0  # 429 answers met
    results_path: str = ""
    unknown_lines: list[int] = field(default_factory=list)

    @property
    def unknown(self) -> int:
        """Errors whose call may have taken effect (listed in `unknown_lines`)."""
        return len(self.unknown_lines)

    @property
    def exit_code(self) -> int:
        if self.interrupted:
            return 128 + (self.signal or signal.SIGINT)
        if self.stopped in ("connection", "redis", "workers"):
            return EXIT_NO_ANSWER
        return 0 if self.ok + self.skipped == self.total else 1

    def to_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {
            "action": self.action, "total": self.total, "ok": self.ok, "errors": self.errors,
            "unknown": self.unknown, "skipped": self.skipped, "not_run": self.not_run,
            "exit_code": self.exit_code, "interrupted": self.interrupted,
            "elapsed_s": round(self.elapsed_s, 3), "rate_limited": self.rate_limited,
            "results": self.results_path, "unknown_outcome_lines": self.unknown_lines}
        if self.signal is not None:
            out["signal"] = self.signal
        if self.stopped:
            out["stopped"] = self.stopped
            out["message"] = self.message
        return out
