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
from collections.abc import Awaitable, Callable
from typing import Any

from connector.service.asgi import Message, Receive, RequestHeaders, Scope, Send, send_problem
from connector.service.limits import events
from connector.service.problems import plain_problem

DEFAULT_BODY_BUDGET = 64 * 1024 * 1024
BODY = "segment.body"  # the scope key the body read is kept under, for routes to parse


class BodyLimit:
    """Reads each HTTP request's body whole, up to `limit` bytes (`Gate` asks it).

    One timer watches every body still arriving, rather than one made and cancelled
    per request: it fires at the earliest deadline it knows of, cancels the reads past
    theirs, and is set again for the next (most bodies arrive with their headers, and
    their reads are long over by then).
    """

    def __init__(self, limit: int, timeout: float = 30.0,
                 budget: int = DEFAULT_BODY_BUDGET) -> None:
        self.limit = limit
        self.timeout = timeout
        self.budget = budget
        self.arriving = 0  # bytes held by every body still arriving
        self._reading: dict[asyncio.Task[Any], float] = {}  # read -> its deadline
        self._expired: set[asyncio.Task[Any]] = set()  # reads this cancelled
        self._sweep: asyncio.TimerHandle | None = None

    def _watch(self, task: asyncio.Task[Any]) -> None:
        loop = task.get_loop()
        deadline = self._reading[task] = loop.time() + self.timeout
        if self._sweep is None:
            self._sweep = loop.call_at(deadline, self._sweep_past, loop)

    def _sweep_past(self, loop: asyncio.AbstractEventLoop) -> None:
        now = loop.time()
        for task in [t for t, deadline in self._reading.items() if deadline <= now]:
            del self._reading[task]
            self._expired.add(task)
            task.cancel()
        self._sweep = (loop.call_at(min(self._reading.values()), self._sweep_past, loop)
                       if self._reading else None)

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
        task = asyncio.current_task()
        assert task is not None  # ASGI apps run in tasks
        refusal: Callable[[Send], Awaitable[None]] | None = None
        self._watch(task)
        try:
            while more:
                message = await receive()
                if message["type"] == "http.disconnect":
                    return None  # the client left: nobody to answer
                chunk = message.get("body", b"")
                if size + len(chunk) > self.limit:
                    refusal = self._refuse
                    break
                if self.arriving + len(chunk) > self.budget:
                    refusal = self._busy
                    break
                size += len(chunk)
                self.arriving += len(chunk)
                chunks.append(chunk)
                more = message.get("more_body", False)
        except asyncio.CancelledError:
            # Ours: past its deadline. Anyone else's (a shutdown) goes on up.
            if task not in self._expired or task.uncancel() > 0:
                raise
            refusal = self._too_slow
        finally:  # no longer watched, so no cancel reaches the refusal or the app
            self.arriving -= size
            self._reading.pop(task, None)
            self._expired.discard(task)
        if refusal is not None:
            await refusal(send)
            return None
        body = scope[BODY] = chunks[0] if len(chunks) == 1 else b"".join(chunks)
        replayed = False

        async def replay() -> Message:
            nonlocal replayed
            if not replayed:
                replayed = True
                return {"type": "http.request", "body": body, "more_body": False}
            return await receive()  # after the body: wait for the disconnect, as ASGI does

        return replay

    async def _too_slow(self, send: Send) -> None:
        events.note("body_timeout", f"refused request bodies that did not arrive within "
                    f"{self.timeout:g} s (408)")
        await send_problem(send, plain_problem(
            408, "body_timeout", f"the request body did not arrive within {self.timeout:g} "
            "seconds of its headers"))

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
