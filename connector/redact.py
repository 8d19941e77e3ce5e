"""Keep secrets out of everything the connector prints, logs or raises.

Every token the runtime uses is remembered here; `redact()` and the logging
filter replace it (and its URL-encoded form) wherever it appears.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Mapping
from typing import Any
from urllib.parse import quote

MASK = "***"
SENSITIVE_HEADERS = frozenset({"authorization", "proxy-authorization", "cookie", "set-cookie",
                               "x-api-key"})

_lock = threading.Lock()
_secrets: set[str] = set()


def remember(secret: str | None) -> None:
    # Very short strings would mask ordinary words; real tokens are long.
    if secret and len(secret) >= 4:
        with _lock:
            _secrets.add(secret)
            _secrets.add(quote(secret, safe=""))


def redact(text: str) -> str:
    for secret in sorted(_secrets, key=len, reverse=True):
        if secret in text:
            text = text.replace(secret, MASK)
    return text


def redact_value(value: Any) -> Any:
    """Redact strings anywhere inside JSON-like data."""
    if isinstance(value, str):
        return redact(value)
    if isinstance(value, Mapping):
        return {k: redact_value(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [redact_value(v) for v in value]
    return value


def redact_headers(headers: Mapping[str, str]) -> dict[str, str]:
    out = {}
    for name, value in headers.items():
        if name.lower() in SENSITIVE_HEADERS:
            scheme = value.split(" ", 1)[0] if " " in value else ""
            out[name] = f"{scheme} {MASK}".strip()
        else:
            out[name] = redact(value)
    return out


class RedactingFilter(logging.Filter):
    """Rewrites log records so that no remembered secret reaches a handler."""

    def filter(self, record: logging.LogRecord) -> bool:
        if _secrets:
            record.msg = redact(record.getMessage())
            record.args = None
        return True


logger = logging.getLogger("segment_connector")
logger.addFilter(RedactingFilter())
