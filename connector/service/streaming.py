"""Listings as NDJSON: one item a line, sent as the pages arrive.

The first item is read before the answer starts, so a call that fails at once
(bad input, a refused token) gets its status and a problem like any other.
A failure after that cannot change the status any more: the stream ends with
one last line, `{"error": <problem>}`.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from fastapi import Request
from fastapi.responses import Response, StreamingResponse

from connector.redact import Secrets
from connector.service.calls import Call
from connector.service.problems import problem
from connector.service.respond import dumps, log_internal, problem_answer, service_of

MEDIA_TYPE = "application/x-ndjson"
_END = object()


def stream_items(request: Request, key: str, inputs: dict[str, Any]) -> Response:
    call: Call | None = None
    try:
        call = service_of(request).call(request.headers)
        action = call.action(key)
        runtime = call.runtime
        items = runtime.iter_items(action.key, inputs)
        first = next(items, _END)
    except Exception as exc:
        secrets = call.made.secrets if call is not None and call.made else None
        return problem_answer(exc, secrets, request)
    path = request.url.path
    return StreamingResponse(_lines(first, items, runtime.secrets, path), media_type=MEDIA_TYPE)


def _lines(first: Any, items: Iterator[Any], secrets: Secrets, path: str) -> Iterator[str]:
    if first is _END:
        return
    yield dumps(first, secrets) + "\n"
    try:
        for item in items:
            yield dumps(item, secrets) + "\n"
    except Exception as exc:
        log_internal(exc, secrets)
        _status, body, _headers = problem(exc, secrets, path)
        yield dumps({"error": body}, secrets) + "\n"
