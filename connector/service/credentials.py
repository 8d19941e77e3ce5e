"""The connection of one request, from its headers: a token or a profile, and a region.

`X-Segment-Token` is used for that request only. `X-Segment-Profile` names a
profile of the server's config file, which the caller's service key must be
allowed to use. `X-Segment-Region` picks the region (`api`, `eu1.api`). The
base URL is never the caller's: it is the profile's or the operator's setting,
so no header or input can send a token to another host.

A call with neither header uses the service's default profile (`serve --simulator`)
only when no web page could have sent it without a preflight (`browser_could_forge`):
a form post from another site never runs on a server-side token.
"""

from __future__ import annotations

from collections.abc import Mapping

from connector.connection import DEFAULT_REGION, Connection
from connector.errors import InputError
from connector.service.auth import check_profile
from connector.service.errors import NoCredentialsError, UnknownProfileError
from connector.service.guard import browser_could_forge
from connector.service.settings import ServiceKey, Settings

TOKEN_HEADER = "X-Segment-Token"
PROFILE_HEADER = "X-Segment-Profile"
REGION_HEADER = "X-Segment-Region"


def profile_of(headers: Mapping[str, str], settings: Settings) -> str | None:
    """The profile a call names, else the service's default when it brings no token either."""
    profile = headers.get(PROFILE_HEADER.lower())
    if not profile and not headers.get(TOKEN_HEADER.lower()) and not browser_could_forge(headers):
        return settings.default_profile
    return profile or None


def connection_for(headers: Mapping[str, str], settings: Settings,
                   key: ServiceKey | None) -> Connection:
    """The Connection a call runs on; typed errors naming the header at fault."""
    token = headers.get(TOKEN_HEADER.lower())
    profile = profile_of(headers, settings)
    region = headers.get(REGION_HEADER.lower()) or None
    if token and profile:
        raise InputError({PROFILE_HEADER: f"give {TOKEN_HEADER} or {PROFILE_HEADER}, not both"})
    if profile:
        found = settings.profiles.get(profile)
        if found is None:
            raise UnknownProfileError({PROFILE_HEADER: f"no profile {profile!r} on this "
                                       "service"})
        check_profile(key, profile)
        token = found.get("token")
        region = region or found.get("region")
        base_url = found.get("base_url") or settings.base_url
        if not token:
            raise InputError({PROFILE_HEADER: f"profile {profile!r} has no token"})
    elif token:
        base_url = settings.base_url
    else:
        unforged = (f"; calls with neither use the {settings.default_profile!r} profile "
                    "only when sent as application/json or with an X- header"
                    if settings.default_profile else "")
        raise NoCredentialsError(f"no credentials: send {TOKEN_HEADER} (the workspace's "
                                 f"token) or {PROFILE_HEADER} (a profile of this service)"
                                 + unforged)
    try:
        return Connection(token=token, region=region or DEFAULT_REGION, base_url=base_url)
    except InputError as exc:  # name the header, never quote the value
        where = {"token": PROFILE_HEADER if profile else TOKEN_HEADER,
                 "region": REGION_HEADER, "base_url": "base_url"}
        raise InputError({where.get(k, k): v for k, v in exc.fields.items()}) from None
