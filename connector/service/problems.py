"""Errors as RFC 9457 problem details (`application/problem+json`), secrets masked.

The body is the typed error's record (`connector.errors.error_record`) in the
RFC's shape: `type`, `title`, `status`, `detail`, and the fields a flow routes
on, `code`, `category`, `retryable`, plus `fields` (input errors),
`suggestions` (unknown keys), `errors` (the API's envelope) and `retryAfter`.
An error that is not the connector's own is a 500 that says only that.
"""

from __future__ import annotations

import math
from http import HTTPStatus
from typing import Any

from connector.errors import (
    ApiError,
    ConnectorError,
    InputError,
    RateLimitedError,
    RequestTimeoutError,
    TransportError,
    error_record,
)
from connector.redact import Secrets, redact_value

MEDIA_TYPE = "application/problem+json"
TYPE_BASE = "urn:segment-connector:problem:"
# Fields of the error record that the problem carries on, under these names.
_CARRIED = {"fields": "fields", "suggestions": "suggestions", "errors": "errors",
            "sent": "sent", "policy": "policy", "rule": "rule"}


def status_for(exc: BaseException) -> int:
    """The HTTP status a call that failed with `exc` answers."""
    own = getattr(exc, "status", None)
    if isinstance(exc, RateLimitedError):
        return 429
    if isinstance(exc, InputError):
        from connector.registry import UnknownKeyError

        return 404 if isinstance(exc, UnknownKeyError) or exc.code == "unknown_profile" \
            else 422
    if isinstance(exc, ApiError):
        # The API's refusal as it said it; its failures (and unreadable answers) as a
        # bad gateway: the fault is upstream, not in the call.
        return own if isinstance(own, int) and 400 <= own < 500 else 502
    if isinstance(exc, TransportError):
        return 504 if isinstance(exc, RequestTimeoutError) or exc.kind in (
            "deadline", "timeout") else 502
    if isinstance(exc, ConnectorError) and isinstance(own, int):
        return own  # the service's own errors (keys, credentials) carry theirs
    return 500


def problem(exc: BaseException, secrets: Secrets | None = None,
            instance: str | None = None) -> tuple[int, dict[str, Any], dict[str, str]]:
    """(status, problem body, extra headers) for `exc`; secrets masked."""
    status = status_for(exc)
    headers: dict[str, str] = {}
    if not isinstance(exc, ConnectorError):
        body: dict[str, Any] = {"type": TYPE_BASE + "internal", "title": _title(500),
                                "status": 500, "code": "internal", "category": "internal",
                                "retryable": False,
                                "detail": "the service failed to answer; see its log"}
        return 500, body, headers
    record = error_record(exc)
    body = {"type": TYPE_BASE + record["code"], "title": _title(status), "status": status,
            "detail": record["message"], "code": record["code"],
            "category": record["category"], "retryable": record["retryable"]}
    for name, shown in _CARRIED.items():
        if record.get(name) not in (None, [], {}):
            body[shown] = record[name]
    if isinstance(exc, ApiError) and exc.status is not None:
        body["apiStatus"] = exc.status
    if isinstance(exc, RateLimitedError):
        wait = exc.retry_after
        if wait is not None and math.isfinite(wait) and wait >= 0:
            body["retryAfter"] = wait
            headers["Retry-After"] = str(max(1, math.ceil(wait)))
    if record["code"] == "service_key":
        headers["WWW-Authenticate"] = 'Bearer realm="segment-connector"'
    if instance:
        body["instance"] = instance
    return status, redact_value(body, secrets), headers


def input_problem(fields: dict[str, str], status: int = 422,
                  detail: str | None = None) -> dict[str, Any]:
    """A problem for a request the service itself refuses (its body, its framing)."""
    text = detail or "invalid input: " + "; ".join(f"{k}: {v}" for k, v in fields.items())
    body: dict[str, Any] = {"type": TYPE_BASE + "input", "title": _title(status),
                            "status": status, "detail": text, "code": "input",
                            "category": "config", "retryable": False}
    if fields:
        body["fields"] = fields
    return body


def plain_problem(status: int, code: str, detail: str) -> dict[str, Any]:
    """A problem with no typed error behind it (no such route, body too large)."""
    return {"type": TYPE_BASE + code, "title": _title(status), "status": status,
            "detail": detail, "code": code, "category": "config", "retryable": False}


def _title(status: int) -> str:
    try:
        return HTTPStatus(status).phrase
    except ValueError:
        return "Error"
