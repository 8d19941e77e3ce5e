"""What one request runs on: a Runtime of its own, over shared plugins, connections and limits.

Each request gets a new `Runtime` (its own `Secrets`, so masking is scoped to
that request's token) on the service's one `Registry`, the rate limiter of its
token, and the service's pooled HTTP clients (one per thread: they hold
keep-alive connections to the API host, never a credential).
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Mapping
from typing import Any

from connector.connection import Connection
from connector.registry import Registry
from connector.request import HttpRequest
from connector.retry import RetryPolicy
from connector.runtime import Runtime
from connector.service.access import policies_for
from connector.service.credentials import connection_for
from connector.service.limiters import LimiterPool
from connector.service.settings import ServiceKey, Settings
from connector.spec import Action, DataSource
from connector.transport import HttpClient, HttpResponse


class ServiceRuntime(Runtime):
    """A Runtime whose HTTP clients are the service's, shared by every request.

    `on_answer`, when set, is told every answer `send` returns (a listing's
    stream learns from it how many items each page holds).
    """

    def __init__(self, connection: Connection, clients: threading.local,
                 **options: Any) -> None:
        super().__init__(connection, **options)
        self._clients = clients
        self.on_answer: Callable[[HttpResponse], None] | None = None

    def send(self, req: HttpRequest, policy: RetryPolicy | None = None,
             response_type: str = "json", debug: bool | None = None,
             op: str | None = None) -> HttpResponse:
        response = super().send(req, policy, response_type, debug, op)
        if self.on_answer is not None:
            self.on_answer(response)
        return response

    @property
    def client(self) -> HttpClient:
        client = getattr(self._clients, "client", None)
        if client is None:
            client = self._clients.client = HttpClient()
        return client


class Call:
    """One request's view of the service; the runtime is made on first use, so a
    call that fails before it (an unknown action) needs no credentials."""

    def __init__(self, headers: Mapping[str, str], key: ServiceKey | None, settings: Settings,
                 registry: Registry, limiters: LimiterPool, clients: threading.local,
                 policy: RetryPolicy) -> None:
        self.headers, self.key, self.settings = headers, key, settings
        self.registry, self.limiters, self.clients = registry, limiters, clients
        self.policy = policy
        self._runtime: ServiceRuntime | None = None

    def action(self, key: str) -> Action:
        return self.registry.action(key)

    def datasource(self, key: str) -> DataSource:
        return self.registry.datasource(key)

    @property
    def made(self) -> ServiceRuntime | None:
        """The runtime if one was made (its secrets mask what the call answers)."""
        return self._runtime

    @property
    def runtime(self) -> ServiceRuntime:
        if self._runtime is None:
            conn = connection_for(self.headers, self.settings, self.key)
            token = conn.token or ""  # connection_for refuses a call without one
            self._runtime = ServiceRuntime(
                conn, self.clients, registry=self.registry, policy=self.policy,
                debug=self.settings.debug, limiter=self.limiters.for_token(token),
                access=policies_for(self.headers, self.settings, self.key))
        return self._runtime
