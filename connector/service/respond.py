"""Answers: JSON with the request's secrets masked, and problems for anything that failed."""

from __future__ import annotations

import base64
import json
import traceback
from collections.abc import Callable, Mapping
from typing import Any

from fastapi import Request
from fastapi.responses import Response

from connector.errors import ConnectorError
from connector.redact import Secrets, get_logger, nothing_to_mask, redact, redact_value, scope
from connector.service.asgi import HEADERS, RequestHeaders
from connector.service.calls import Call
from connector.service.context import Service
from connector.service.problems import MEDIA_TYPE, problem

log = get_logger("segment_connector.service")


def _json_default(value: Any) -> Any:
    if isinstance(value, bytes):  # a Raw Request's binary answer
        return {"base64": base64.b64encode(value).decode("ascii")}
    return str(value)


# One encoder for every answer: `json.dumps` with options makes a new one each call.
_json = json.JSONEncoder(default=_json_default, ensure_ascii=False,
                         separators=(",", ":")).encode


def dumps(data: Any, secrets: Secrets | None) -> str:
    """JSON text masked as data first (so it stays valid JSON), then as text; as it is
    when there is nothing to mask."""
    secrets = secrets or Secrets()
    text = _json(data)
    if nothing_to_mask(text, secrets):
        return text
    return redact(_json(redact_value(data, secrets)), secrets)


def json_answer(data: Any, secrets: Secrets | None, status: int = 200) -> Response:
    return Response(dumps(data, secrets), status_code=status, media_type="application/json")


def log_internal(exc: BaseException, secrets: Secrets | None) -> None:
    """A bug's traceback, masked, for the operator; the caller learns only that it failed."""
    if not isinstance(exc, ConnectorError):
        text = "".join(traceback.format_exception(exc))
        log.error("internal error: %s", redact(text, secrets or Secrets()))


def problem_answer(exc: BaseException, secrets: Secrets | None,
                   request: Request | None = None) -> Response:
    status, body, headers = problem(exc, secrets, request.url.path if request else None)
    log_internal(exc, secrets)
    return Response(dumps(body, secrets), status_code=status, media_type=MEDIA_TYPE,
                    headers=headers)


def service_of(request: Request) -> Service:
    service: Service = request.app.state.service
    return service


def plain_headers(request: Request) -> Mapping[str, str]:
    """The request's headers as the gate read them: names in lower case, the first of a
    repeated name kept (as `Headers.get` answers)."""
    found: RequestHeaders | None = request.scope.get(HEADERS)
    return found if found is not None else RequestHeaders(request.scope)


def keyed_service(request: Request) -> Service:
    """The service, once the request's service key is known to it (raises otherwise)."""
    service = service_of(request)
    service.keys.identify(request.headers.get("authorization"))
    return service


def answer(request: Request, work: Callable[[Call], Any], status: int = 200) -> Response:
    """Run `work` for this request and answer its result, or the problem it raised."""
    call: Call | None = None
    try:
        call = service_of(request).call(plain_headers(request))
        result = work(call)
        secrets = call.made.secrets if call.made else None
        return json_answer(result, secrets, status)
    except Exception as exc:  # every failure is a problem, never a traceback
        secrets = call.made.secrets if call is not None and call.made else None
        with scope(secrets or Secrets()):
            return problem_answer(exc, secrets, request)
