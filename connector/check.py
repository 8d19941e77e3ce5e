"""Prove a connection with the cheapest read, and say who it is connected to.

A flow engine runs this when a connection is saved. `getWorkspace` costs one
request; its answer names the workspace. Each way it can fail gets a typed
error whose message says what to change: a refused token (and, when the
other region knows it, that region), an unreachable host.
"""

from __future__ import annotations

from typing import Any

from connector.connection import REGIONS, Connection
from connector.errors import AuthError, TransportError
from connector.runtime import Runtime


class TokenRefusedError(AuthError):
    """`check`: the API refused the token."""

    kind = "token_refused"


class WrongRegionError(AuthError):
    """`check`: the token belongs to the other region."""

    kind = "wrong_region"


class UnreachableError(TransportError):
    """`check`: the API's host could not be reached."""

    kind = "unreachable"


def check_connection(connection: Connection | None = None, **options: Any) -> dict[str, Any]:
    """`{"workspace": {"id", "name", "slug"}, "region", "baseUrl"}` of a working connection.

    Raises `TokenRefusedError`, `WrongRegionError` or `UnreachableError`
    (with the API's status and envelope where there was one).
    """
    runtime = Runtime(connection, **options)
    conn = runtime.connection
    try:
        body = runtime.run("getWorkspace", {})["data"]
    except AuthError as exc:
        other = _other_region_knowing(runtime)
        if other is not None:
            raise WrongRegionError(
                f"the token was refused in region {conn.region!r} but works in {other!r}: "
                f"use --region {other} (or region = \"{other}\" in the profile)",
                status=exc.status, errors=exc.errors, method=exc.method, url=exc.url,
                headers=exc.headers) from None
        raise TokenRefusedError(
            f"the token was refused ({exc.status}): it is wrong, expired, revoked or lacks "
            "access to the workspace; create a new one in the workspace's Access Management",
            status=exc.status, errors=exc.errors, method=exc.method, url=exc.url,
            headers=exc.headers) from None
    except TransportError as exc:
        raise UnreachableError(
            f"cannot reach {conn.url_for()}: {exc}; check the network, the base URL or "
            "proxy settings", exc.method, exc.url, sent=exc.sent) from None
    workspace = ((body or {}).get("data") or {}).get("workspace") or {}
    return {"workspace": {k: workspace.get(k) for k in ("id", "name", "slug")},
            "region": conn.region, "baseUrl": conn.url_for()}


def _other_region_knowing(runtime: Runtime) -> str | None:
    """The other region, when the same token works there; only for the API's own hosts."""
    conn = runtime.connection
    if conn.base_url:  # a simulator or proxy answers for every region
        return None
    for region in REGIONS:
        if region == conn.region:
            continue
        other = Runtime(Connection(token=conn.token, region=region), runtime.registry,
                        runtime.policy)
        try:
            other.run("getWorkspace", {})
        except Exception:  # any failure there: no better advice than "refused"
            continue
        return region
    return None
