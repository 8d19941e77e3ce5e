"""`PlainRoute`: a FastAPI route that calls a plain handler without FastAPI's request
machinery.

The service's handlers take only text path parameters and the `Request`, read their
bodies themselves (`routes.read_body`) and return a `Response`. For such a handler,
FastAPI's per-request work (solving its parameters as dependencies, validating a
`str` as a `str`, two exit stacks, a second exception wrapper inside the app's own)
is a third of what serving a call costs the event loop. A `PlainRoute` given its
`CallThreads` (`run_in`) runs the handler there with the path's values and the request,
and sends what it returns; what it raises reaches the app's exception handlers as
before. FastAPI still builds the route's OpenAPI entry and matches its path and
methods. A handler of any other shape is served by FastAPI as usual.

`CallThreads` is a plain `ThreadPoolExecutor` behind `loop.run_in_executor`: with 32
calls at once, anyio's worker threads (what FastAPI hands sync handlers to) cost the
process about twice the CPU per hand-off, in thread wake-ups.
"""

from __future__ import annotations

import asyncio
import contextvars
import functools
import inspect
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from typing import Any

from fastapi import Response
from fastapi.dependencies.models import Dependant
from fastapi.routing import APIRoute
from starlette.requests import Request

from connector.service.asgi import Receive, Scope, Send


class CallThreads:
    """At most `size` handlers running at once, each in a copy of the caller's context
    (as anyio runs them); the rest wait their turn in order. Its threads start as calls
    need them, and start again if a call comes after `close`."""

    def __init__(self, size: int) -> None:
        self.size = size
        self._executor: ThreadPoolExecutor | None = None

    async def run(self, fn: Callable[[], Response]) -> Response:
        executor = self._executor
        if executor is None:
            executor = self._executor = ThreadPoolExecutor(
                self.size, thread_name_prefix="segment-call")
        context = contextvars.copy_context()
        return await asyncio.get_running_loop().run_in_executor(executor, context.run, fn)

    def close(self) -> None:
        """Start no more handlers (those waiting are dropped); those running finish."""
        executor, self._executor = self._executor, None
        if executor is not None:
            executor.shutdown(wait=False, cancel_futures=True)


class PlainRoute(APIRoute):
    def __init__(self, path: str, endpoint: Callable[..., Any], **kwargs: Any) -> None:
        super().__init__(path, endpoint, **kwargs)
        self.plain = is_plain(self.dependant, endpoint)

    def run_in(self, threads: CallThreads) -> None:
        """Serve a plain handler in `threads` from now on (any other stays FastAPI's)."""
        if self.plain:
            self.app = _serve(self.endpoint, self.dependant.request_param_name, threads)


def is_plain(dependant: Dependant, endpoint: Callable[..., Any]) -> bool:
    """Whether `endpoint` is a sync function of text path parameters (and maybe the
    request) answering a `Response`: then nothing FastAPI does per request changes
    what it is called with or what is sent."""
    if inspect.iscoroutinefunction(endpoint) or dependant.dependencies \
            or dependant.query_params or dependant.header_params \
            or dependant.cookie_params or dependant.body_params \
            or dependant.response_param_name or dependant.background_tasks_param_name \
            or dependant.websocket_param_name or dependant.http_connection_param_name \
            or dependant.security_scopes_param_name:
        return False
    if any(field.field_info.annotation is not str for field in dependant.path_params):
        return False
    returns = inspect.signature(endpoint, eval_str=True).return_annotation
    return isinstance(returns, type) and issubclass(returns, Response)


def _serve(endpoint: Callable[..., Response], request_param: str | None,
           threads: CallThreads) -> Callable[[Scope, Receive, Send], Any]:
    async def app(scope: Scope, receive: Receive, send: Send) -> None:
        values: dict[str, Any] = dict(scope.get("path_params") or {})
        if request_param is not None:
            values[request_param] = Request(scope, receive, send)
        response = await threads.run(functools.partial(endpoint, **values))
        await response(scope, receive, send)

    return app
