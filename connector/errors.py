"""Typed errors. Each carries the HTTP status and the API's error envelope, never the token."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any


class ConnectorError(Exception):
    """Base of every error the connector raises on purpose."""

    kind = "error"
    exit_code = 1

    def to_dict(self) -> dict[str, Any]:
        return {"type": self.kind, "message": str(self)}


class InputError(ConnectorError, ValueError):
    """Invalid input, found before anything is sent. `fields` maps each field to its problem."""

    kind = "input"
    exit_code = 2

    def __init__(self, fields: Mapping[str, str], action: str | None = None) -> None:
        self.fields = dict(fields)
        self.action = action
        where = f"{action}: " if action else ""
        detail = "; ".join(f"{k}: {v}" for k, v in self.fields.items())
        super().__init__(f"{where}invalid input: {detail}")

    def to_dict(self) -> dict[str, Any]:
        return {"type": self.kind, "message": str(self), "fields": self.fields}


class PluginError(ConnectorError):
    """A plugin could not be loaded or declared something invalid."""

    kind = "plugin"
    exit_code = 1


class ApiError(ConnectorError):
    """The API answered with an error status."""

    kind = "api"
    exit_code = 3

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
        return {"type": self.kind, "status": self.status, "message": str(self),
                "errors": self.errors}


class AuthError(ApiError):
    kind = "auth"


class NotFoundError(ApiError):
    kind = "not_found"


class ConflictError(ApiError):
    kind = "conflict"


class ApiValidationError(ApiError):
    """The API rejected the input (422)."""

    kind = "validation"


class RateLimitedError(ApiError):
    kind = "rate_limited"

    def __init__(self, *args: Any, retry_after: float | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.retry_after = retry_after  # seconds the API asked us to wait


class ServerError(ApiError):
    kind = "server"


class ResponseError(ApiError):
    """The API answered 2xx with a body that cannot be read as promised."""

    kind = "response"


class TransportError(ConnectorError):
    """No HTTP answer at all."""

    exit_code = 4

    def __init__(self, message: str, method: str = "", url: str = "") -> None:
        super().__init__(message)
        self.method = method
        self.url = url
        self.status = None


class RequestTimeoutError(TransportError):
    kind = "timeout"


class ConnectionFailedError(TransportError):
    kind = "connection"


class DeadlineExceededError(TransportError):
    """The total deadline across retries ran out."""

    kind = "deadline"


_BY_STATUS: dict[int, type[ApiError]] = {
    401: AuthError, 403: AuthError, 404: NotFoundError, 409: ConflictError,
    422: ApiValidationError, 429: RateLimitedError,
}


def error_class(status: int) -> type[ApiError]:
    if status >= 500:
        return ServerError
    return _BY_STATUS.get(status, ApiError)
