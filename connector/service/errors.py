"""The service's own typed errors, beside the runtime's: each carries the HTTP status it
answers with. Listed by `connector.manifest.error_codes()` (no web module needed)."""

from __future__ import annotations

from connector.errors import (
    CONFIG,
    EXIT_INPUT,
    EXIT_NO_ANSWER,
    TRANSIENT,
    ConnectorError,
    InputError,
)


class ServiceAuthError(ConnectorError):
    """`serve`: the call has no service key, or one that is not configured."""

    kind = "service_key"
    category = CONFIG
    exit_code = EXIT_INPUT
    status = 401


class ProfileForbiddenError(ConnectorError):
    """`serve`: the service key may not use the profile the call names."""

    kind = "profile_forbidden"
    category = CONFIG
    exit_code = EXIT_INPUT
    status = 403


class NoCredentialsError(ConnectorError):
    """`serve`: the call names neither a token nor a profile."""

    kind = "no_credentials"
    category = CONFIG
    exit_code = EXIT_INPUT
    status = 401


class UnknownProfileError(InputError):
    """`serve`: the profile the call names is not in the service's config."""

    codes = ("unknown_profile",)

    @property
    def code(self) -> str:
        return "unknown_profile"


class NotReadyError(ConnectorError):
    """`serve`: the service is still loading its plugins."""

    kind = "not_ready"
    category = TRANSIENT
    exit_code = EXIT_NO_ANSWER
    retryable = True
    status = 503
