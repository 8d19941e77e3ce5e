"""ASGI types, and a problem answered straight from middleware (before any route runs)."""

from __future__ import annotations

import json
from collections.abc import Awaitable, Callable, MutableMapping
from typing import Any

from connector.service.problems import MEDIA_TYPE

Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]
ASGIApp = Callable[[Scope, Receive, Send], Awaitable[None]]


async def send_problem(send: Send, problem: dict[str, Any], close: bool = True) -> None:
    """Answer `problem` (a problem body with its `status`); `close`: end the connection
    after it, because the rest of the request will not be read."""
    payload = json.dumps(problem).encode()
    headers = [(b"content-type", MEDIA_TYPE.encode()),
               (b"content-length", str(len(payload)).encode())]
    if close:
        headers.append((b"connection", b"close"))
    await send({"type": "http.response.start", "status": problem["status"],
                "headers": headers})
    await send({"type": "http.response.body", "body": payload})


HEADERS = "segment.headers"  # the scope key the gate keeps a request's `RequestHeaders` under


class RequestHeaders(dict[str, str]):
    """A request's headers, read in one pass: the first value of each name (lower case, as
    ASGI gives them), both as text, and in `hosts` how many `Host` headers came (a request
    with two is refused)."""

    __slots__ = ("hosts",)

    def __init__(self, scope: Scope) -> None:
        raw = scope.get("headers", ())
        # Reversed, so that the first of a repeated name is the one kept.
        super().__init__({bytes(name).decode("latin-1"): bytes(value).decode("latin-1")
                          for name, value in reversed(raw)})
        self.hosts = [name for name, _ in raw].count(b"host")
