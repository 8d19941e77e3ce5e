"""The policies one request runs under: `--read-only`, its service key's and its profile's.

Every one of them must let a call run (`connector.policy.check_all`); the
runtime checks them before it builds any request.
"""

from __future__ import annotations

from collections.abc import Mapping

from connector.policy import READ_ONLY, Policy
from connector.service.credentials import profile_of
from connector.service.settings import ServiceKey, Settings


def policies_for(headers: Mapping[str, str], settings: Settings,
                 key: ServiceKey | None) -> tuple[Policy, ...]:
    found: list[Policy] = [READ_ONLY] if settings.read_only else []
    if key is not None and key.policy is not None:
        found.append(key.policy)
    profile = profile_of(headers, settings)
    if profile is not None and profile in settings.policies:
        found.append(settings.policies[profile])
    return tuple(found)
