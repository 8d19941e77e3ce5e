"""Service keys: who may call `/v1` at all, and which profiles each key may use.

A key is compared with every configured key in constant time (`hmac.compare_digest`
over digests of equal length, no early exit), so the answer's timing tells
nothing about how much of a key was right, or which key it nearly matched.
"""

from __future__ import annotations

import hashlib
import hmac
from collections.abc import Sequence

from connector.service.errors import ProfileForbiddenError, ServiceAuthError
from connector.service.settings import ServiceKey


def _digest(text: str) -> bytes:
    return hashlib.sha256(text.encode("utf-8", "surrogatepass")).digest()


def bearer(header: str | None) -> str:
    """The credential of an `Authorization: Bearer <key>` header ("" when there is none)."""
    if not header:
        return ""
    scheme, _, value = header.partition(" ")
    return value.strip() if scheme.lower() == "bearer" else ""


class KeyRing:
    """The configured service keys. Empty: no key needed (loopback only)."""

    def __init__(self, keys: Sequence[ServiceKey]) -> None:
        self._keys = [(key, _digest(key.key)) for key in keys]

    def __bool__(self) -> bool:
        return bool(self._keys)

    def __len__(self) -> int:
        return len(self._keys)

    def identify(self, authorization: str | None) -> ServiceKey | None:
        """The key the header carries; None when no keys are configured.

        Raises ServiceAuthError when keys are configured and the header holds none of them.
        """
        if not self._keys:
            return None
        given = _digest(bearer(authorization))
        found: ServiceKey | None = None
        for key, digest in self._keys:  # every key compared, whichever matches
            if hmac.compare_digest(given, digest):
                found = key
        if found is None:
            raise ServiceAuthError("this service needs a service key: send "
                                   "`Authorization: Bearer <key>` with a configured key")
        return found


def check_profile(key: ServiceKey | None, profile: str) -> None:
    if key is not None and not key.allows(profile):
        raise ProfileForbiddenError(f"this service key may not use profile {profile!r}")
