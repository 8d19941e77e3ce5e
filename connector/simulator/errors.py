"""The API's error envelope, the exception handlers raise to produce it, and start-up errors."""

from __future__ import annotations

from typing import Any


class ApiError(Exception):
    """An error answer: HTTP status plus the items of `{"errors": [...]}`."""

    def __init__(self, status: int, type_: str, message: str, field: str | None = None,
                 data: Any = None, headers: dict[str, str] | None = None) -> None:
        super().__init__(message)
        item: dict[str, Any] = {"type": type_, "message": message}
        if field is not None:
            item["field"] = field
        if data is not None:
            item["data"] = data
        self.status = status
        self.errors = [item]
        self.headers = headers or {}

    @classmethod
    def listing(cls, status: int, items: list[dict[str, Any]]) -> ApiError:
        """One answer naming several problems (each item an error of the envelope)."""
        error = cls(status, items[0]["type"], items[0]["message"], items[0].get("field"))
        error.errors = items
        return error

    def body(self) -> dict[str, Any]:
        return {"errors": self.errors}


def not_found(what: str, ident: str) -> ApiError:
    return ApiError(404, "not-found", f"{what} {ident!r} was not found")


def required(field: str) -> ApiError:
    name = field.rsplit(".", 1)[-1]
    return ApiError(422, "input-validation", f'"{name}" is required', field=field)


def invalid(field: str, message: str) -> ApiError:
    return ApiError(422, "input-validation", message, field=field)


def conflict(message: str) -> ApiError:
    return ApiError(409, "conflict", message)


class SimulatorError(Exception):
    """The simulator cannot start (or go on): one line that says what to fix."""


class StateFileError(SimulatorError):
    """The state file cannot be read, has the wrong shape, or cannot be written."""

    def __init__(self, path: object, problem: str) -> None:
        super().__init__(f"state file {path}: {problem}")
        self.path = path
        self.problem = problem


class ListenError(SimulatorError):
    """The server cannot listen on the address it was given (port in use, bad host)."""
