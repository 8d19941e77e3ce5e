"""A bug in a plugin is a 500 problem that says only that; its traceback, masked, goes to
the service's log for the operator."""

from __future__ import annotations

import logging
from collections.abc import Mapping
from types import SimpleNamespace
from typing import Any

import pytest
import requests

from connector.hookspecs import hookimpl
from connector.registry import Registry
from connector.service.embedded import EmbeddedService
from connector.simulator import Simulator
from connector.spec import Action, Input

SECRET_IN_MESSAGE = "the token was {token}"


def _broken(runtime: Any, values: Mapping[str, Any]) -> Any:
    raise RuntimeError(SECRET_IN_MESSAGE.format(token=runtime.connection.token))


@hookimpl
def register_actions(register: Any) -> None:
    register(Action("brokenProbe", "Broken Probe", "Fails as a bug would.", "GET", "/",
                    inputs=(Input("note"),), run=_broken, safety="read", idempotent=True,
                    dry_run="Runs code that fails (no request)"))


def test_a_bug_is_a_500_with_no_traceback_and_a_masked_log(
        sim: Simulator, caplog: pytest.LogCaptureFixture) -> None:
    from service_support import settings

    plugin = SimpleNamespace(register_actions=register_actions)
    registry = Registry.load(extra=[("broken", plugin)])
    with EmbeddedService(settings(sim), registry=registry) as svc, \
            caplog.at_level(logging.ERROR, logger="segment_connector.service"):
        got = requests.post(svc.url + "/v1/actions/brokenProbe/run", json={"inputs": {}},
                            headers={"X-Segment-Token": sim.token}, timeout=30)
    assert got.status_code == 500
    body = got.json()
    assert body["code"] == "internal"
    assert body["detail"] == "the service failed to answer; see its log"
    assert "Traceback" not in got.text and "RuntimeError" not in got.text
    logged = "\n".join(r.getMessage() for r in caplog.records)
    assert "Traceback" in logged and "RuntimeError: the token was ***" in logged
    assert sim.token not in logged

