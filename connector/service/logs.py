"""The service's logging: every record, uvicorn's access and error lines included, masked.

Tokens travel in headers, which uvicorn does not log; still, a caller may put
one where it should not be (a path, a query), and a record may be written
while a request's secrets are in scope. Each record passes through
`ServiceLogFilter`: the current scope's secrets masked (as the package's own
filter does), then anything shaped like a Public API token. Arguments are
masked one by one, so uvicorn's access formatter still finds its fields.
"""

from __future__ import annotations

import copy
import logging
import traceback
from typing import Any

from connector.logformat import mask
from connector.redact import current


class ServiceLogFilter(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        # On a logger and again on its handler: the record is masked once.
        if getattr(record, "segment_masked", False):
            return True
        record.segment_masked = True
        secrets = current()
        if not secrets and not record.exc_info and _no_token(record):
            return True  # nothing this filter would change: the common access line
        if isinstance(record.msg, str):
            record.msg = mask(record.msg, secrets)
        if isinstance(record.args, tuple):
            record.args = tuple(mask(a, secrets) if isinstance(a, str) else a
                                for a in record.args)
        elif isinstance(record.args, dict):
            record.args = {k: mask(v, secrets) if isinstance(v, str) else v
                           for k, v in record.args.items()}
        if record.exc_info and not record.exc_text:
            record.exc_text = mask("".join(traceback.format_exception(*record.exc_info)),
                                   secrets).rstrip("\n")
        return True


def _no_token(record: logging.LogRecord) -> bool:
    """Whether neither the message nor any text argument could hold a token (`sgp_`)."""
    if isinstance(record.msg, str) and "sgp_" in record.msg:
        return False
    args = record.args
    values = args.values() if isinstance(args, dict) else args if isinstance(args, tuple) else ()
    return not any(isinstance(a, str) and "sgp_" in a for a in values)


SERVICE_LOGGERS = ("uvicorn", "uvicorn.error", "uvicorn.access", "segment_connector",
                   "segment_connector.service")


def install_filters() -> None:
    """The filter on the loggers the service writes to (records logged on a logger pass
    its own filters, not its parents'), whatever handlers the host process has."""
    for name in SERVICE_LOGGERS:
        logger = logging.getLogger(name)
        if not any(isinstance(f, ServiceLogFilter) for f in logger.filters):
            logger.addFilter(ServiceLogFilter())


def log_config(level: str = "info", log_format: str = "text") -> dict[str, Any]:
    """uvicorn's logging config with the filter on every handler, and the package's
    loggers (`segment_connector.*`) writing through the same handler; with `json`, one
    JSON object a record (`connector.logformat`)."""
    from uvicorn.config import LOGGING_CONFIG

    config = copy.deepcopy(LOGGING_CONFIG)
    if log_format == "json":
        for name in config["formatters"]:
            config["formatters"][name] = {"()": "connector.logformat.JsonFormatter"}
    config["filters"] = {"redact": {"()": f"{__name__}.ServiceLogFilter"}}
    for handler in config["handlers"].values():
        handler["filters"] = ["redact"]
    config["loggers"]["segment_connector"] = {"handlers": ["default"], "propagate": False,
                                              "level": level.upper()}
    return config
