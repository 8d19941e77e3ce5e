"""What one request runs on: a Runtime of its own, over shared plugins, connections and limits.

Each request gets a new `Runtime` (its own `Secrets`, so masking is scoped to
that request's token) on the service's one `Registry`, the rate limiter of its
token, the service's one HTTP client (its keep-alive connections to the API
host are shared by every thread; it never holds a credential) and the service's
observers (metrics, traces, a retry budget, a circuit), to which a route may
add its own before the runtime is made.
"""

from __future__ import annotations

from collections.abc import Mapping

from connector.events import NOBODY, Observers
from connector.registry import Registry
from connector.retry import RetryPolicy
from connector.runtime import Runtime, SharedClient
from connector.service.access import policies_for
from connector.service.credentials import connection_for
from connector.service.limiters import LimiterPool
from connector.service.settings import ServiceKey, Settings
from connector.spec import Action, DataSource


class Call:
    """One request's view of the service; the runtime is made on first use, so a
    call that fails before it (an unknown action) needs no credentials."""

    def __init__(self, headers: Mapping[str, str], key: ServiceKey | None, settings: Settings,
                 registry: Registry, limiters: LimiterPool, http: SharedClient,
                 policy: RetryPolicy, events: Observers = NOBODY) -> None:
        self.headers, self.key, self.settings = headers, key, settings
        self.registry, self.limiters, self.http = registry, limiters, http
        self.policy = policy
        self.events = events  # the service's observers; a route may add its own (`compose`)
        self._runtime: Runtime | None = None

    def action(self, key: str) -> Action:
        return self.registry.action(key)

    def datasource(self, key: str) -> DataSource:
        return self.registry.datasource(key)

    @property
    def made(self) -> Runtime | None:
        """The runtime if one was made (its secrets mask what the call answers)."""
        return self._runtime

    @property
    def runtime(self) -> Runtime:
        if self._runtime is None:
            conn = connection_for(self.headers, self.settings, self.key)
            token = conn.token or ""  # connection_for refuses a call without one
            self._runtime = Runtime(
                conn, registry=self.registry, policy=self.policy, debug=self.settings.debug,
                limiter=self.limiters.for_token(token), events=self.events,
                http=self.http, access=policies_for(self.headers, self.settings, self.key))
        return self._runtime
