"""Request bodies: a size limit enforced on the bytes as they arrive.

`Content-Length` over the limit is refused before anything is read; one within
it passes untouched (the server reads no more than it declares); a body sent
without it (chunked) is cut off as soon as it passes the limit. Either way the
answer is a 413 problem, and the handler never sees the body.
"""

from __future__ import annotations

import json
from collections.abc import Awaitable, Callable, MutableMapping
from typing import Any

from connector.service.problems import MEDIA_TYPE, plain_problem

Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]
ASGIApp = Callable[[Scope, Receive, Send], Awaitable[None]]


class BodyLimit:
    """ASGI middleware: reads each HTTP request's body whole, up to `limit` bytes, then
    hands the app a `receive` that replays it."""

    def __init__(self, app: ASGIApp, limit: int) -> None:
        self.app = app
        self.limit = limit

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        declared, framed = _content_length(scope)
        if declared is not None and declared > self.limit:
            await self._refuse(send)
            return
        if framed:
            # One length and no other framing: the server reads exactly that much (the
            # rest would be the next request), so a body within it cannot grow past the
            # limit and goes through as it comes, without buffering.
            await self.app(scope, receive, send)
            return
        chunks: list[bytes] = []
        size = 0
        more = True
        while more:
            message = await receive()
            if message["type"] == "http.disconnect":
                return  # the client left: nobody to answer
            chunk = message.get("body", b"")
            size += len(chunk)
            if size > self.limit:
                await self._refuse(send)
                return
            chunks.append(chunk)
            more = message.get("more_body", False)
        body = b"".join(chunks)
        replayed = False

        async def replay() -> Message:
            nonlocal replayed
            if not replayed:
                replayed = True
                return {"type": "http.request", "body": body, "more_body": False}
            return await receive()  # after the body: wait for the disconnect, as ASGI does

        await self.app(scope, replay, send)

    async def _refuse(self, send: Send) -> None:
        payload = json.dumps(plain_problem(
            413, "body_too_large",
            f"the request body is larger than this service's limit of {self.limit} bytes"
        )).encode()
        await send({"type": "http.response.start", "status": 413,
                    "headers": [(b"content-type", MEDIA_TYPE.encode()),
                                (b"content-length", str(len(payload)).encode()),
                                (b"connection", b"close")]})
        await send({"type": "http.response.body", "body": payload})


def _content_length(scope: Scope) -> tuple[int | None, bool]:
    """(the first declared length, whether the body is framed by that one length alone:
    a single well-formed Content-Length and no Transfer-Encoding)."""
    lengths: list[bytes] = []
    chunked = False
    for name, value in scope.get("headers", []):
        if name == b"content-length":
            lengths.append(value)
        elif name == b"transfer-encoding":
            chunked = True
    if not lengths:
        return None, False
    try:
        declared = int(lengths[0])
    except ValueError:
        return None, False  # the server refuses a malformed length itself
    return declared, len(lengths) == 1 and not chunked and declared >= 0
