"""The one middleware every HTTP request passes, before any route runs.

In order: security headers on whatever is answered (`page_policy`), refusals
included, and its access line once the answer is out (`access_log`); the
request's Host, Origin and shape (`guard`); then its body, read whole under the
size, time and memory limits (`bodies`). Each refusal is a problem answered here.
One layer rather than three: each layer of ASGI middleware costs every request a
coroutine and a wrapped `send`.
"""

from __future__ import annotations

from connector.service.access_log import logged
from connector.service.asgi import (
    HEADERS,
    ASGIApp,
    Receive,
    RequestHeaders,
    Scope,
    Send,
    send_problem,
)
from connector.service.bodies import BodyLimit
from connector.service.guard import Authority, RequestGuard
from connector.service.page_policy import secured


class Gate:
    def __init__(self, app: ASGIApp, hosts: tuple[Authority, ...], body_limit: int,
                 body_timeout: float) -> None:
        self.app = app
        self.guard = RequestGuard(hosts)
        self.bodies = BodyLimit(body_limit, body_timeout)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        send = secured(send)
        send, line = logged(scope, send)
        try:
            await self._serve(scope, receive, send)
        finally:
            if line is not None:
                line.end()  # a request that ended without a body part

    async def _serve(self, scope: Scope, receive: Receive, send: Send) -> None:
        headers = scope[HEADERS] = RequestHeaders(scope)  # read once, routes included
        problem = self.guard.refusal(scope, headers)
        if problem is not None:
            await send_problem(send, problem)
            return
        replay = await self.bodies.read(scope, headers, receive, send)
        if replay is not None:
            await self.app(scope, replay, send)
