"""How a command fails: one line (or one JSON object) on stderr, and its exit code.

Also the two ways a command ends from outside: SIGTERM, raised like Ctrl-C so
every `finally` runs, and stdout closed early (`| head`), which ends quietly.
"""

from __future__ import annotations

import contextlib
import json
import os
import signal
import sys
import threading
from collections.abc import Iterator
from typing import Any

from connector.errors import ConnectorError, error_record, exit_code_of
from connector.redact import redact, redact_value

EXIT_PIPE = 128 + signal.SIGPIPE  # what a C tool killed by SIGPIPE reports


class _Interrupted(KeyboardInterrupt):
    """SIGTERM, raised like Ctrl-C so every `finally` runs; `signum` gives the exit code."""

    def __init__(self, signum: int) -> None:
        super().__init__(signal.Signals(signum).name)
        self.signum = signum


def report(exc: BaseException, error_format: str, action: str | None,
           exit_code: int | None = None) -> int:
    """Print a failure on stderr (one line of text, or one JSON object); its exit code."""
    code = exit_code_of(exc) if exit_code is None else exit_code
    record = _interrupt_record(exc) if isinstance(exc, KeyboardInterrupt) else error_record(exc)
    if not isinstance(exc, ConnectorError | KeyboardInterrupt) and not str(exc):
        record["message"] = f"{type(exc).__name__} (no message)"  # never a bare name
    if error_format == "json":
        line = json.dumps(redact_value({"status": "error", "action": action, "error": record,
                                        "exit_code": code}),
                          ensure_ascii=False, default=str)
    else:
        text = str(exc) if isinstance(exc, ConnectorError) else record["message"]
        if not isinstance(exc, ConnectorError | KeyboardInterrupt):
            text = f"internal error: {text}"
        line = "error: " + " ".join(redact(text).split())  # always one line
    print(line, file=sys.stderr, flush=True)
    return code


def _interrupt_record(exc: KeyboardInterrupt) -> dict[str, Any]:
    name = signal.Signals(getattr(exc, "signum", signal.SIGINT)).name
    return {"type": "interrupted", "code": "interrupted", "category": "transient",
            "retryable": False,
            "message": f"interrupted by {name}: a create or update in flight may or may "
                       "not have taken effect"}


@contextlib.contextmanager
def sigterm_as_interrupt() -> Iterator[None]:
    """SIGTERM unwinds like Ctrl-C (exit 143) instead of killing the process mid-write."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return

    def on_term(signum: int, _frame: Any) -> None:
        raise _Interrupted(signum)

    previous = signal.signal(signal.SIGTERM, on_term)
    try:
        yield
    finally:
        signal.signal(signal.SIGTERM, previous)


def quiet_stdout() -> None:
    """After EPIPE: point stdout at /dev/null so the final flush cannot fail again.

    The way the Python docs recommend (`signal` module, "Note on SIGPIPE").
    """
    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
    except (OSError, ValueError, AttributeError):  # io.UnsupportedOperation is both
        pass  # a replaced stdout (tests): nothing left to flush to a pipe
