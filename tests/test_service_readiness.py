"""Readiness: the service answers /healthz at once and says when its plugins are loaded."""

from __future__ import annotations

import threading
from typing import Any

import pytest
import requests
from service_support import registry, settings

from connector.service import context
from connector.service.embedded import EmbeddedService


def test_ready_once_the_plugins_are_loaded(monkeypatch: pytest.MonkeyPatch) -> None:
    loaded = threading.Event()
    plugins = registry()

    def slow_load(*_args: Any, **_kwargs: Any) -> Any:
        loaded.wait(30)
        return plugins

    monkeypatch.setattr(context.Registry, "load", slow_load)
    with EmbeddedService(settings()) as svc:
        try:
            assert requests.get(svc.url + "/healthz").json() == {"status": "ok"}
            waiting = requests.get(svc.url + "/readyz")
            assert waiting.status_code == 503 and waiting.json() == {"status": "loading"}
        finally:
            loaded.set()
        manifest = requests.get(svc.url + "/v1/manifest", timeout=30)  # waits for the load
        assert manifest.status_code == 200 and manifest.json()["actions"]
        assert requests.get(svc.url + "/readyz").json()["status"] == "ready"


def test_plugins_that_fail_to_load_make_every_call_a_503(
        monkeypatch: pytest.MonkeyPatch) -> None:
    def broken_load(*_args: Any, **_kwargs: Any) -> Any:
        raise RuntimeError("a plugin could not be imported")

    monkeypatch.setattr(context.Registry, "load", broken_load)
    with EmbeddedService(settings()) as svc:
        got = requests.get(svc.url + "/readyz")
        while got.json()["status"] == "loading":  # the load runs in the background
            threading.Event().wait(0.02)
            got = requests.get(svc.url + "/readyz")
        assert got.status_code == 503 and got.json() == {"status": "failed"}
        call = requests.post(svc.url + "/v1/check", headers={"X-Segment-Token": "sgp_x1234"})
        assert call.status_code == 503 and call.json()["code"] == "not_ready"
        assert call.json()["retryable"] is True
