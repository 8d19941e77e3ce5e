"""The service's long-lived parts: settings, keys, the plugin registry, the manifest,
the rate limiters and the HTTP clients every request shares.

The registry loads in a background thread when the service starts, so
`/healthz` answers at once and `/readyz` says when calls can be served; a call
that arrives earlier waits for it.
"""

from __future__ import annotations

import json
import threading
from collections.abc import Mapping
from typing import Any

from connector import tracing
from connector.events import Observers, compose
from connector.metrics import Metrics
from connector.redact import get_logger
from connector.registry import Registry
from connector.retry import RetryPolicy
from connector.runtime import SharedClient
from connector.service.auth import KeyRing
from connector.service.calls import Call
from connector.service.errors import NotReadyError
from connector.service.limiters import LimiterPool
from connector.service.settings import Settings

log = get_logger("segment_connector.service")
READY_WAIT_S = 60.0


class Service:
    def __init__(self, settings: Settings, registry: Registry | None = None,
                 limiters: LimiterPool | None = None) -> None:
        self.settings = settings
        self.keys = KeyRing(settings.keys)
        self.limiters = limiters if limiters is not None else LimiterPool(redis=settings.redis)
        self.http = SharedClient(pool_size=settings.threads)  # a connection per call at once
        # Every call's observers: metrics, and the retry budget and circuit of this process
        # (the budget on Redis, shared with every process, when the service has one).
        self.metrics = Metrics()
        self.events: Observers = compose(
            self.metrics, *settings.guards.observers(self.limiters.redis,
                                                     self.metrics.circuit_changed),
            tracing.from_environment())  # traces when OpenTelemetry is configured
        self.policy = RetryPolicy().with_(timeout_s=settings.timeout,
                                          deadline_s=settings.deadline)
        self._registry = registry
        self._ready = threading.Event()
        self._failure: BaseException | None = None
        self._manifest: bytes | None = None
        self._entries: dict[str, Any] = {}
        if registry is not None:
            self._finish_loading(registry)

    # -- start-up ----------------------------------------------------------
    def start_loading(self) -> None:
        if self._ready.is_set():
            return
        threading.Thread(target=self._load, name="segment-service-load", daemon=True).start()

    def _load(self) -> None:
        try:
            self._finish_loading(Registry.load())
        except BaseException as exc:  # reported by /readyz and every call
            self._failure = exc
            log.error("loading plugins failed: %s", exc)
            self._ready.set()

    def _finish_loading(self, registry: Registry) -> None:
        from connector import manifest

        built = manifest.build(registry)
        self._entries = {e["key"]: e for e in built["actions"]}
        self._entries.update({f"picklist:{e['key']}": e for e in built["picklists"]})
        self._entries.update({f"trigger:{e['key']}": e for e in built.get("triggers", [])})
        self._manifest = json.dumps(built, ensure_ascii=False).encode()
        self._registry = registry
        for problem in registry.problems:
            log.warning("skipped plugin %s: %s", problem.plugin, problem.error)
        self._ready.set()

    @property
    def failed(self) -> bool:
        return self._failure is not None

    @property
    def ready(self) -> bool:
        return self._ready.is_set() and self._failure is None

    def registry(self, wait_s: float = READY_WAIT_S) -> Registry:
        if self._registry is not None:  # loaded: no lock to take on every call
            return self._registry
        if not self._ready.wait(wait_s) or self._registry is None:
            detail = f": {self._failure}" if self._failure else ""
            raise NotReadyError(f"the service is not ready yet (loading plugins){detail}")
        return self._registry

    # -- per request -------------------------------------------------------
    def call(self, headers: Mapping[str, str]) -> Call:
        """Check the service key, then the view of the service one request runs on;
        `headers` are the request's, names in lower case (`respond.plain_headers`)."""
        key = self.keys.identify(headers.get("authorization"))
        return Call(headers, key, self.settings, self.registry(), self.limiters, self.http,
                    self.policy, self.events)

    def manifest_bytes(self) -> bytes:
        self.registry()
        assert self._manifest is not None
        return self._manifest

    def entry(self, registry: Registry, key: str) -> dict[str, Any]:
        """An action's manifest entry, by key or alias (UnknownKeyError otherwise)."""
        return dict(self._entries[registry.action(key).key])

    def entries(self) -> dict[str, Any]:
        self.registry()
        return self._entries
