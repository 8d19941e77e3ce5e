"""Listings as NDJSON: one item a line, sent page by page as the pages arrive.

The first item is read before the answer starts, so a call that fails at once
(bad input, a refused token) gets its status and a problem like any other.
A failure after that cannot change the status any more: the stream ends with
one last line, `{"error": <problem>}`.

Lines go out a page at a time: an observer of the runtime (`_PageCount`) learns
how many items each page it fetched holds, so the page's lines are sent as
soon as its last item is read, before the next page is asked for, and the
server hands the connection one chunk per page instead of one per item.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from fastapi import Request
from fastapi.responses import Response, StreamingResponse

from connector.events import Exchange, Observer, compose
from connector.redact import Secrets
from connector.service.calls import Call
from connector.service.problems import problem
from connector.service.respond import (
    dumps,
    log_internal,
    plain_headers,
    problem_answer,
    service_of,
)
from connector.transport import HttpResponse

MEDIA_TYPE = "application/x-ndjson"
MAX_CHUNK = 1000  # lines held before sending, whatever the page size
_END = object()


class _PageCount(Observer):
    """Items of the last page fetched that are not read yet."""

    def __init__(self, field: str) -> None:
        self.field = field
        self.left = 0

    def done(self, ex: Exchange, response: HttpResponse) -> None:
        body = response.body if isinstance(response.body, dict) else {}
        data = body.get("data") if isinstance(body.get("data"), dict) else {}
        items = data.get(self.field) if isinstance(data, dict) else None
        self.left = len(items) if isinstance(items, list) else 0


def stream_items(request: Request, key: str, inputs: dict[str, Any]) -> Response:
    call: Call | None = None
    try:
        call = service_of(request).call(plain_headers(request))
        action = call.action(key)
        count = _PageCount(action.items or "")
        call.events = compose(call.events, count)
        runtime = call.runtime
        items = runtime.iter_items(action.key, inputs)
        first = next(items, _END)
    except Exception as exc:
        secrets = call.made.secrets if call is not None and call.made else None
        return problem_answer(exc, secrets, request)
    path = request.url.path
    return StreamingResponse(_chunks(first, items, count, runtime.secrets, path),
                             media_type=MEDIA_TYPE)


def _chunks(first: Any, items: Iterator[Any], count: _PageCount, secrets: Secrets,
            path: str) -> Iterator[str]:
    if first is _END:
        return
    lines = [dumps(first, secrets) + "\n"]
    count.left -= 1
    try:
        while True:
            if lines and (count.left <= 0 or len(lines) >= MAX_CHUNK):
                yield "".join(lines)  # the page is read: out before the next is asked for
                lines = []
            item = next(items, _END)
            if item is _END:
                break
            count.left -= 1
            lines.append(dumps(item, secrets) + "\n")
    except Exception as exc:
        log_internal(exc, secrets)
        _status, body, _headers = problem(exc, secrets, path)
        lines.append(dumps({"error": body}, secrets) + "\n")
    if lines:
        yield "".join(lines)
