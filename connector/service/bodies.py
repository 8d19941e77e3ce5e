"""Request bodies: a size limit enforced on the bytes as they arrive.

`Content-Length` over the limit is refused before anything is read; a body
sent without it (chunked) or longer than it said is cut off as soon as it
passes the limit. Either way the answer is a 413 problem, and the handler
never sees the body.
"""

from __future__ import annotations

from connector.service.asgi import ASGIApp, Message, Receive, Scope, Send, send_problem
from connector.service.problems import plain_problem


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
        declared = _content_length(scope)
        if declared is not None and declared > self.limit:
            await self._refuse(send)
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
        await send_problem(send, plain_problem(
            413, "body_too_large",
            f"the request body is larger than this service's limit of {self.limit} bytes"))


def _content_length(scope: Scope) -> int | None:
    for name, value in scope.get("headers", []):
        if name == b"content-length":
            try:
                return int(value)
            except ValueError:
                return None  # the server refuses a malformed length itself
    return None
