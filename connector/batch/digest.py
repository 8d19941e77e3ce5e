"""The errors of a run grouped by kind: counts and one masked example each, for stderr.

A run whose lines fail says why on screen, not only how many: lines failing the
same way (the same error code, the same inputs named, the same answer from the
API once ids and numbers are set aside) count as one kind, and each kind keeps
the earliest line that showed it as its example.
"""

from __future__ import annotations

import re
import threading
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from connector.redact import Secrets, redact_value

# Kinds printed: the commonest; the rest are counted on one line.
TOP = 5
MAX_EXAMPLE = 300  # characters of an example's message
# Quoted text and words holding a digit (ids, counts, times) vary from line to line.
_VARYING = re.compile(r"'[^']*'|\"[^\"]*\"|\b[\w.:-]*\d[\w.:-]*\b")


@dataclass
class Kind:
    label: str
    count: int
    line: int
    example: str


def kind_of(error: Mapping[str, Any]) -> str:
    """What lines failing the same way share: `input: label.value`, `not_found 404: ...`."""
    code = str(error.get("code") or error.get("type") or "error")
    fields = error.get("fields")
    if isinstance(fields, Mapping) and fields:
        return f"{code}: {', '.join(sorted(str(f) for f in fields))}"
    said = error.get("errors")
    first = said[0] if isinstance(said, list) and said and isinstance(said[0], Mapping) else {}
    message = str(first.get("message") or error.get("message") or "")
    status = error.get("status")
    head = f"{code} {status}" if status is not None else code
    return f"{head}: {_VARYING.sub('…', message)}".rstrip(": ")


class ErrorDigest:
    """Thread-safe tally of error objects (a record's `error`), masked on the way in."""

    def __init__(self, secrets: Secrets | None = None) -> None:
        self.secrets = secrets
        self._kinds: dict[str, Kind] = {}
        self._lock = threading.Lock()

    def add(self, error: Mapping[str, Any] | None, line: int) -> None:
        if not error:
            return
        masked = redact_value(dict(error), self.secrets)
        label = kind_of(masked)
        message = str(masked.get("message", ""))
        if len(message) > MAX_EXAMPLE:
            message = message[:MAX_EXAMPLE] + "…"
        with self._lock:
            found = self._kinds.get(label)
            if found is None:
                self._kinds[label] = Kind(label, 1, line, message)
                return
            found.count += 1
            if line < found.line:  # lines end out of order: keep the earliest as the example
                found.line, found.example = line, message

    def kinds(self) -> list[Kind]:
        """The kinds, commonest first (ties: the earliest line first)."""
        with self._lock:
            return sorted(self._kinds.values(), key=lambda k: (-k.count, k.line))

    def lines(self, top: int = TOP) -> list[str]:
        """The digest as text lines; none when nothing failed."""
        kinds = self.kinds()
        out = []
        for kind in kinds[:top]:
            out.append(f"  {kind.count} line{'s' * (kind.count != 1)}, {kind.label}")
            out.append(f"      e.g. line {kind.line}: {kind.example}")
        rest = kinds[top:]
        if rest:
            count = sum(k.count for k in rest)
            out.append(f"  {count} more in {len(rest)} other kind{'s' * (len(rest) != 1)}")
        return out
