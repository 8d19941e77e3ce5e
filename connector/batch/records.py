"""What a results file holds: the header, one record per event, and their encoding.

The format itself is described once, in the package's docstring (`connector.batch`).
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping
from typing import Any, Protocol

from connector.errors import ConnectorError, error_record

FORMAT, VERSION = "segment-connector/batch-results", 2
SAFE, UNKNOWN = "safe", "unknown"
STATUSES = frozenset({"started", "ok", "error"})


class RecordSink(Protocol):
    """Where a line's records go: the results file, or a distributed run's event list."""

    def write(self, record: Mapping[str, Any]) -> None:
        """Keep one record durably before returning; raise when it cannot."""
        ...


class OutcomeUnknownError(ConnectorError):
    """A call was in flight when its process died: it may or may not have taken effect."""

    kind = "unknown_outcome"


class UnrecordableError(ConnectorError):
    """A line's outcome could not be written as JSON (its output, or the file, refused)."""

    kind = "unrecordable"


def fingerprint(value: Any) -> str:
    """sha256 (hex) of `value` as canonical JSON; of its bytes when given bytes."""
    if isinstance(value, bytes):
        return hashlib.sha256(value).hexdigest()
    text = json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=True,
                      allow_nan=False)
    return hashlib.sha256(text.encode("ascii")).hexdigest()


def header(action: str) -> dict[str, Any]:
    return {"format": FORMAT, "version": VERSION, "action": action}


def encode(record: Mapping[str, Any]) -> bytes:
    """One JSONL line; raises TypeError/ValueError for what JSON cannot hold."""
    try:
        text = json.dumps(record, ensure_ascii=False, separators=(",", ":"), allow_nan=False)
        return (text + "\n").encode("utf-8")
    except UnicodeEncodeError:  # a lone surrogate: escaped, the file stays valid UTF-8
        text = json.dumps(record, ensure_ascii=True, separators=(",", ":"), allow_nan=False)
        return (text + "\n").encode("ascii")


def error_object(exc: BaseException) -> dict[str, Any]:
    """A record's `error`: `error_record(exc)`, even when the exception cannot say its message."""
    try:
        return error_record(exc)
    except Exception:  # an exception whose __str__ itself fails
        return error_record(RuntimeError(f"{type(exc).__name__} (message unreadable)"))
