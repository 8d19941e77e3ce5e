"""The access line of each request, written once its answer is on the wire.

uvicorn writes the line before it sends the answer's head, so formatting and
writing it delays every answer. The service's protocol (`limits`) turns that
off and leaves its access logger in the request's scope (`LOGGER`); the gate
then writes the same line, on the same logger with the same arguments (so a
configured format still applies), right after the answer's first body part
has gone out, or when the request ends without one.
"""

from __future__ import annotations

import logging
from typing import Any

from uvicorn.protocols.utils import get_client_addr, get_path_with_query_string

from connector.service.asgi import Message, Scope, Send

LOGGER = "segment.access_logger"  # the scope key: the logger the line is owed to


def logged(scope: Scope, send: Send) -> tuple[Send, AccessLine | None]:
    """`send` that writes the access line after the first body part, with the line's
    owner (call `AccessLine.end` when the request is over); `send` as it is, and no
    line, when nobody asked for one."""
    logger: logging.Logger | None = scope.get(LOGGER)
    if logger is None:
        return send, None
    line = AccessLine(scope, logger)

    async def send_logged(message: Message) -> None:
        await send(message)
        if line.status is None:
            if message["type"] == "http.response.start":
                line.status = message["status"]
        elif message["type"] == "http.response.body":
            line.end()

    return send_logged, line


class AccessLine:
    __slots__ = ("done", "logger", "scope", "status")

    def __init__(self, scope: Scope, logger: logging.Logger) -> None:
        self.scope, self.logger = scope, logger
        self.status: int | None = None
        self.done = False

    def end(self) -> None:
        """Write the line, once, if an answer was started."""
        if self.done or self.status is None:
            return
        self.done = True
        scope: Any = self.scope  # an HTTP scope, as uvicorn's helpers take it
        self.logger.info('%s - "%s %s HTTP/%s" %d', get_client_addr(scope), scope["method"],
                         get_path_with_query_string(scope), scope["http_version"],
                         self.status)
