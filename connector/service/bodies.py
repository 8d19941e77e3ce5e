"""Request bodies: a size limit enforced on the bytes as they arrive, a time limit, and a
limit on the bytes every request still arriving holds at once.

`Content-Length` over the limit is refused before anything is read; a body
sent without it (chunked) or longer than it said is cut off as soon as it
passes the limit. Either way the answer is a 413 problem, and the handler
never sees the body. A body that has not arrived `timeout` seconds after its
headers gets 408; one that would take the bodies still arriving past `budget`
bytes gets 503 (so a thousand stalled uploads hold `budget`, not a thousand
times the limit). Each closes the connection, and is logged once per kind
(`limits.events`).
"""

from __future__ import annotations

import asyncio

from connector.service.asgi import Message, Receive, RequestHeaders, Scope, Send, send_problem
from connector.service.limits import events
from connector.service.problems import plain_problem

DEFAULT_BODY_BUDGET = 64 * 1024 * 1024
BODY = "segment.body"  # the scope key the body read is kept under, for routes to parse


class BodyLimit:
    """Reads each HTTP request's body whole, up to `limit` bytes (`Gate` asks it)."""

    def __init__(self, limit: int, timeout: float = 30.0,
                 budget: int = DEFAULT_BODY_BUDGET) -> None:
        self.limit = limit
        self.timeout = timeout
        self.budget = budget
        self.arriving = 0  # bytes held by every body still arriving

    async def read(self, scope: Scope, headers: RequestHeaders, receive: Receive,
                   send: Send) -> Receive | None:
        """A `receive` that replays the body read (also kept as `scope[BODY]`); None when
        the request was answered here (refused) or its client left."""
        declared = _content_length(headers)
        if declared is not None and declared > self.limit:
            await self._refuse(send)
            return None
        if declared is not None and self.arriving + declared > self.budget:
            await self._busy(send)  # refused before a byte of it is read
            return None
        chunks: list[bytes] = []
        size = 0
        more = True
        try:
            async with asyncio.timeout(self.timeout):
                while more:
                    message = await receive()
                    if message["type"] == "http.disconnect":
                        return None  # the client left: nobody to answer
                    chunk = message.get("body", b"")
                    if size + len(chunk) > self.limit:
                        await self._refuse(send)
                        return None
                    if self.arriving + len(chunk) > self.budget:
                        await self._busy(send)
                        return None
                    size += len(chunk)
                    self.arriving += len(chunk)
                    chunks.append(chunk)
                    more = message.get("more_body", False)
        except TimeoutError:
            events.note("body_timeout", f"refused request bodies that did not arrive within "
                        f"{self.timeout:g} s (408)")
            await send_problem(send, plain_problem(
                408, "body_timeout", f"the request body did not arrive within {self.timeout:g} "
                "seconds of its headers"))
            return None
        finally:
            self.arriving -= size
        body = scope[BODY] = chunks[0] if len(chunks) == 1 else b"".join(chunks)
        replayed = False

        async def replay() -> Message:
            nonlocal replayed
            if not replayed:
                replayed = True
                return {"type": "http.request", "body": body, "more_body": False}
            return await receive()  # after the body: wait for the disconnect, as ASGI does

        return replay

    async def _busy(self, send: Send) -> None:
        events.note("body_budget", "refused request bodies while those still arriving held "
                    f"{self.arriving} of {self.budget} bytes (503)")
        await send_problem(send, plain_problem(
            503, "busy", "the service holds too many request bodies that are still "
            "arriving; retry shortly"))

    async def _refuse(self, send: Send) -> None:
        await send_problem(send, plain_problem(
            413, "body_too_large",
            f"the request body is larger than this service's limit of {self.limit} bytes"))


def _content_length(headers: RequestHeaders) -> int | None:
    length = headers.get("content-length")
    try:
        return None if length is None else int(length)
    except ValueError:
        return None  # the server refuses a malformed length itself
