"""Log records as text lines or as one JSON object each (`--log-format json`), masked.

`JsonFormatter` writes `{"time", "level", "logger", "message"}` (and
`exception`, the traceback as text) per record, after the same masking as
every other line: the current scope's secrets (`connector.redact`), and
anything shaped like a Public API token, in the message and the traceback.
The CLI, the service and the workers take `--log-format json`.
"""

from __future__ import annotations

import json
import logging
import re
import sys
import traceback
from datetime import UTC, datetime
from typing import Any

from connector.redact import MASK, Secrets, current

FORMATS = ("text", "json")
TEXT = "%(levelname)s %(name)s: %(message)s"
# Public API tokens start `sgp_`: masked even when no scope knows them.
_TOKEN_LIKE = re.compile(r"sgp_[A-Za-z0-9_\-]{8,}")


def mask(text: str, secrets: Secrets | None = None) -> str:
    """`text` with `secrets` (default: the current scope's) and anything token-shaped
    masked."""
    text = (secrets if secrets is not None else current()).mask(text)
    return _TOKEN_LIKE.sub(MASK, text) if "sgp_" in text else text  # most lines hold none


class JsonFormatter(logging.Formatter):
    """One JSON object a record, masked; never raises for an odd message."""

    def format(self, record: logging.LogRecord) -> str:
        try:
            message = record.getMessage()
        except Exception:  # arguments that do not fit the message
            message = str(record.msg)
        out: dict[str, Any] = {
            "time": datetime.fromtimestamp(record.created, UTC).isoformat(
                timespec="milliseconds").replace("+00:00", "Z"),
            "level": record.levelname.lower(), "logger": record.name,
            "message": mask(message)}
        if record.exc_info:
            out["exception"] = mask("".join(traceback.format_exception(*record.exc_info)))
        elif record.exc_text:
            out["exception"] = mask(record.exc_text)
        return json.dumps(out, ensure_ascii=False, default=str)


def formatter(log_format: str) -> logging.Formatter:
    return JsonFormatter() if log_format == "json" else logging.Formatter(TEXT)


def configure(log_format: str, level: str = "info",
              names: tuple[str, ...] = ("segment_connector",)) -> None:
    """Records of the loggers `names` go to stderr in `log_format`, masked."""
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(formatter(log_format))
    for name in names:
        log = logging.getLogger(name)
        for old in [h for h in log.handlers if getattr(h, "_segment_format", False)]:
            log.removeHandler(old)
        handler._segment_format = True  # type: ignore[attr-defined]
        log.addHandler(handler)
        log.setLevel(level.upper())
        log.propagate = False
