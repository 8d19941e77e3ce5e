"""Typed errors. Each carries the HTTP status and the API's error envelope, never the token.

Every error also says how a flow should route it: `code` (stable, machine
readable), `category` (`config`: fix the inputs or the connection;
`transient`: try again later; `api`: the API refused; `internal`: a bug)
and `retryable`. `error_record()` turns any exception into the one JSON
shape the CLI (`--error-format json`) and batch results files share.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

CONFIG, TRANSIENT, API, INTERNAL = "config", "transient", "api", "internal"
EXIT_INTERNAL, EXIT_INPUT, EXIT_API, EXIT_NO_ANSWER = 1, 2, 3, 4


class ConnectorError(Exception):
    """Base of every error the connector raises on purpose."""

    kind = "error"
    category = INTERNAL
    retryable = False
    exit_code = EXIT_INTERNAL

    @property
    def code(self) -> str:
        return self.kind

    def to_dict(self) -> dict[str, Any]:
        return {"type": self.kind, "code": self.code, "category": self.category,
                "retryable": self.retryable, "message": str(self)}


class InputError(ConnectorError, ValueError):
    """Invalid input, found before anything is sent. `fields` maps each field to its problem."""

    kind = "input"
    category = CONFIG
    exit_code = EXIT_INPUT

    def __init__(self, fields: Mapping[str, str], action: str | None = None) -> None:
        self.fields = dict(fields)
        self.action = action
        where = f"{action}: " if action else ""
        detail = "; ".join(f"{k}: {v}" for k, v in self.fields.items())
        super().__init__(f"{where}invalid input: {detail}")

    def to_dict(self) -> dict[str, Any]:
        return {**super().to_dict(), "fields": self.fields}


class PolicyError(ConnectorError):
    """The credential's policy refuses the call; nothing was sent (`policy`, `rule`: which)."""

    kind = "policy"
    category = CONFIG
    exit_code = EXIT_INPUT
    status = 403

    def __init__(self, action: str, policy: str, rule: str) -> None:
        self.action, self.policy, self.rule = action, policy, rule
        super().__init__(f"{action}: refused by {policy}: {rule}")

    def to_dict(self) -> dict[str, Any]:
        return {**super().to_dict(), "policy": self.policy, "rule": self.rule}


class PluginError(ConnectorError):
    """A plugin could not be loaded or declared something invalid."""

    kind = "plugin"
    exit_code = EXIT_INTERNAL


class ApiError(ConnectorError):
    """The API answered with an error status."""

    kind = "api"
    category = API
    exit_code = EXIT_API

    def __init__(
        self,
        message: str,
        status: int | None = None,
        errors: list[dict[str, Any]] | None = None,
        method: str = "",
        url: str = "",
        headers: Mapping[str, str] | None = None,
    ) -> None:
        super().__init__(message)
        self.status = status
        self.errors = errors or []
        self.method = method
        self.url = url
        self.headers = dict(headers or {})

    def to_dict(self) -> dict[str, Any]:
        return {**super().to_dict(), "status": self.status, "errors": self.errors}


class AuthError(ApiError):
    """The API refused the token (401, 403): fix the connection."""

    kind = "auth"
    category = CONFIG


class NotFoundError(ApiError):
    """What the call names does not exist (404)."""

    kind = "not_found"


class ConflictError(ApiError):
    """The API refused the change as it stands (409: in use, exists)."""

    kind = "conflict"


class ApiValidationError(ApiError):
    """The API rejected the input (422)."""

    kind = "validation"
    category = CONFIG


class RateLimitedError(ApiError):
    """Too many requests (429): try again after `retry_after` seconds."""

    kind = "rate_limited"
    category = TRANSIENT
    retryable = True

    def __init__(self, *args: Any, retry_after: float | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.retry_after = retry_after  # seconds the API asked us to wait

    def to_dict(self) -> dict[str, Any]:
        return {**super().to_dict(), "retry_after": self.retry_after}


class ServerError(ApiError):
    """The API failed (5xx): try again later."""

    kind = "server"
    category = TRANSIENT
    retryable = True


class ResponseError(ApiError):
    """The API answered 2xx with a body that cannot be read as promised."""

    kind = "response"


class TransportError(ConnectorError):
    """No HTTP answer at all.

    `sent` says whether the request may have reached the API: False only when
    it surely did not (connection refused, name not resolved, a request that
    could not be encoded), so a write that failed that way is safe to repeat.
    """

    kind = "transport"
    category = TRANSIENT
    retryable = True
    exit_code = EXIT_NO_ANSWER

    def __init__(self, message: str, method: str = "", url: str = "",
                 sent: bool = True) -> None:
        super().__init__(message)
        self.method = method
        self.url = url
        self.status = None
        self.sent = sent

    def to_dict(self) -> dict[str, Any]:
        return {**super().to_dict(), "sent": self.sent}


class RequestTimeoutError(TransportError):
    """No complete answer within the attempt's time limit."""

    kind = "timeout"


class ConnectionFailedError(TransportError):
    """The connection failed, or was lost before an answer."""

    kind = "connection"


class DeadlineExceededError(TransportError):
    """The total deadline across retries ran out."""

    kind = "deadline"


class CircuitOpenError(TransportError):
    """The API's host kept failing: calls fail at once, nothing sent, until it may answer.

    `retry_after` is the seconds until a probe may go through, `retry_at` when
    (epoch seconds).
    """

    kind = "circuit_open"

    def __init__(self, message: str, method: str = "", url: str = "",
                 retry_after: float | None = None, retry_at: float | None = None) -> None:
        super().__init__(message, method, url, sent=False)
        self.retry_after = retry_after
        self.retry_at = retry_at

    def to_dict(self) -> dict[str, Any]:
        return {**super().to_dict(), "retry_after": self.retry_after}


_BY_STATUS: dict[int, type[ApiError]] = {
    401: AuthError, 403: AuthError, 404: NotFoundError, 409: ConflictError,
    422: ApiValidationError, 429: RateLimitedError,
}


def error_class(status: int) -> type[ApiError]:
    if status >= 500:
        return ServerError
    return _BY_STATUS.get(status, ApiError)


def error_record(exc: BaseException) -> dict[str, Any]:
    """Any exception as the `error` object of a batch record or `--error-format json`.

    A connector error gives its own fields; anything else (a bug, a plugin's
    own exception) gives its type and message only, as an `internal` error.
    Callers mask secrets in the result before writing it anywhere.
    """
    if isinstance(exc, ConnectorError):
        return exc.to_dict()
    return {"type": "internal", "code": "internal", "category": INTERNAL, "retryable": False,
            "message": f"{type(exc).__name__}: {exc}"}


def exit_code_of(exc: BaseException) -> int:
    return exc.exit_code if isinstance(exc, ConnectorError) else EXIT_INTERNAL


def error_code(error: BaseException) -> str:
    """A label for an error: its stable code (`internal` for anything not ours)."""
    return error.code if isinstance(error, ConnectorError) else "internal"
