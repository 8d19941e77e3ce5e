"""What a command prints besides failures: its result as JSON on stdout, and log lines."""

from __future__ import annotations

import base64
import json
import logging
import sys
from typing import Any

from connector.redact import RedactingFilter, redact, redact_value


def _json_default(value: Any) -> Any:
    if isinstance(value, bytes):
        return {"base64": base64.b64encode(value).decode("ascii")}
    return str(value)


def emit(data: Any) -> None:
    """Print `data` as JSON, secrets masked: masked as data first, so the output stays
    valid JSON whatever the secret's text, then as text, for what hid in bytes."""
    text = json.dumps(redact_value(data), indent=2, default=_json_default, ensure_ascii=False)
    print(redact(text))


class _StderrHandler(logging.StreamHandler):
    """Writes to whatever `sys.stderr` is now, not the stream of the first call
    (a process may call `main` many times, each with its own stderr)."""

    @property
    def stream(self) -> Any:
        return sys.stderr

    @stream.setter
    def stream(self, _value: Any) -> None:
        pass


def log_to_stderr(log_format: str = "text") -> None:
    """The package's records on stderr, as text lines or JSON objects (`--log-format`)."""
    from connector.logformat import formatter

    root = logging.getLogger("segment_connector")
    handler = next((h for h in root.handlers if isinstance(h, _StderrHandler)), None)
    if handler is None:
        handler = _StderrHandler()
        handler.addFilter(RedactingFilter())  # whatever logger, of ours or a plugin's, wrote it
        root.addHandler(handler)
    handler.setFormatter(formatter(log_format))
    root.setLevel(logging.INFO)


def emit_line(data: Any) -> None:
    """Print `data` as one line of JSON (a JSON-lines stream), secrets masked as `emit` does."""
    text = json.dumps(redact_value(data), default=_json_default, ensure_ascii=False)
    print(redact(text))
