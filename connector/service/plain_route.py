"""`PlainRoute`: a FastAPI route that calls a plain handler without FastAPI's request
machinery.

The service's handlers take only text path parameters and the `Request`, read their
bodies themselves (`routes.read_body`) and return a `Response`. For such a handler,
FastAPI's per-request work (solving its parameters as dependencies, validating a
`str` as a `str`, two exit stacks, a second exception wrapper inside the app's own)
is a third of what serving a call costs the event loop. A `PlainRoute` runs the
handler in the thread pool with the path's values and the request, and sends what it
returns; what it raises reaches the app's exception handlers as before. FastAPI still
builds the route's OpenAPI entry and matches its path and methods. A handler of any
other shape is served by FastAPI as usual.
"""

from __future__ import annotations

import functools
import inspect
from collections.abc import Callable
from typing import Any

import anyio.to_thread
from fastapi import Response
from fastapi.dependencies.models import Dependant
from fastapi.routing import APIRoute
from starlette.requests import Request

from connector.service.asgi import Receive, Scope, Send


class PlainRoute(APIRoute):
    def __init__(self, path: str, endpoint: Callable[..., Any], **kwargs: Any) -> None:
        super().__init__(path, endpoint, **kwargs)
        if is_plain(self.dependant, endpoint):
            self.app = _serve(endpoint, self.dependant.request_param_name)


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


def _serve(endpoint: Callable[..., Response],
           request_param: str | None) -> Callable[[Scope, Receive, Send], Any]:
    async def app(scope: Scope, receive: Receive, send: Send) -> None:
        values: dict[str, Any] = dict(scope.get("path_params") or {})
        if request_param is not None:
            values[request_param] = Request(scope, receive, send)
        response = await anyio.to_thread.run_sync(functools.partial(endpoint, **values))
        await response(scope, receive, send)

    return app
