"""Errors of the Config API bridge: each says why and what to do instead."""

from __future__ import annotations

from typing import Any

from connector.errors import CONFIG, EXIT_INPUT, ConnectorError, InputError


class NoCounterpartError(ConnectorError):
    """The Config API endpoint has no Public API counterpart; nothing was sent."""

    kind = "no_counterpart"
    category = CONFIG
    exit_code = EXIT_INPUT

    def __init__(self, method: str, path: str, why: str, alternative: str) -> None:
        self.why, self.alternative = why, alternative
        super().__init__(f"{method} {path} has no Public API counterpart: {why}; "
                         f"instead: {alternative}")

    def to_dict(self) -> dict[str, Any]:
        return {**super().to_dict(), "why": self.why, "alternative": self.alternative}


class AmbiguousSlugError(InputError):
    """A Config API name matches more than one Public API resource."""

    codes = ("ambiguous",)

    @property
    def code(self) -> str:
        return "ambiguous"


def unknown_endpoint(method: str, path: str) -> InputError:
    return InputError({"path": f"{method} {path} is not a Config API endpoint this bridge "
                               "knows; see `segment-connector legacy explain --list`"}, "legacy")


def not_found(what: str, name: str) -> Exception:
    """The Config API's 404 for a name that resolves to nothing."""
    from connector.errors import NotFoundError

    return NotFoundError(f"{what} {name!r} was not found", status=404)
