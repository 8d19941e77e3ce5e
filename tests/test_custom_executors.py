"""Custom executors tell the truth: they declare safety, retry-safety and what a dry run
shows; nothing is guessed, and describe, the manifest and the service show it."""

from __future__ import annotations

import argparse
from collections.abc import Mapping
from types import SimpleNamespace
from typing import Any

import pytest
import requests

from connector import manifest
from connector.cli.describe import cmd_describe
from connector.connection import Connection
from connector.errors import PluginError
from connector.hookspecs import hookimpl
from connector.registry import Registry
from connector.runtime import Runtime
from connector.service.embedded import EmbeddedService
from connector.simulator import Simulator
from connector.spec import Action, Input

DRY_RUN = "Runs code: reads two sources, then compares them (2 requests at most)"


def _compare(runtime: Any, values: Mapping[str, Any]) -> dict[str, Any]:
    return {"data": {"same": values.get("a") == values.get("b")}}


def _registry(**declared: Any) -> Registry:
    @hookimpl
    def register_actions(register: Any) -> None:
        register(Action("compareSources", "Compare Sources", "Whether two sources match.",
                        inputs=(Input("a", comments="One source."),
                                Input("b", comments="The other.")),
                        run=_compare, **declared))

    plugin = SimpleNamespace(register_actions=register_actions)
    return Registry.load(extra=[("compare", plugin)], installed=False)


DECLARED = {"safety": "read", "idempotent": True, "dry_run": DRY_RUN}


@pytest.mark.parametrize("left_out", ["safety", "idempotent", "dry_run"])
def test_an_undeclared_fact_stops_start_up_naming_it(left_out: str) -> None:
    declared = {k: v for k, v in DECLARED.items() if k != left_out}
    with pytest.raises(PluginError) as caught:
        _registry(**declared)
    message = str(caught.value)
    assert "plugin 'compare'" in message and "'compareSources'" in message
    assert f"must declare {left_out} " in message


def test_a_dry_run_shows_the_declaration_and_sends_nothing() -> None:
    registry = _registry(**DECLARED)
    # A closed port: a made-up request would fail; the dry run sends none.
    runtime = Runtime(Connection(token="dry-run-token-1", base_url="http://127.0.0.1:9"),
                      registry)
    assert runtime.dry_run("compareSources", {"a": "x"}) == {"runsCode": True,
                                                            "dryRun": DRY_RUN}
    action = registry.action("compareSources")
    assert (action.safety, action.idempotent, action.method) == ("read", True, "")


def test_the_manifest_and_describe_show_it(capsys: pytest.CaptureFixture[str]) -> None:
    registry = _registry(**DECLARED)
    entry = manifest.describe_action(registry.action("compareSources"))
    assert (entry["executor"], entry["dryRun"], entry["safety"], entry["idempotent"]) == (
        "custom", DRY_RUN, "read", True)
    assert "method" not in entry and "path" not in entry
    raw = manifest.describe_action(Registry.load(installed=False).action("rawRequest"))
    assert (raw["dryRun"], raw["safety"], raw["idempotent"]) == (
        "the request it would send", "destructive", False)
    cmd_describe(argparse.Namespace(key="compareSources", json=False), registry)
    shown = capsys.readouterr().out
    assert f"a dry run shows {DRY_RUN}" in shown
    assert "read; safe to retry" in shown


def test_the_service_dry_run_shows_it() -> None:
    from service_support import settings

    with Simulator() as sim, EmbeddedService(settings(sim),
                                             registry=_registry(**DECLARED)) as svc:
        got = requests.post(svc.url + "/v1/actions/compareSources/dry-run",
                            json={"inputs": {"a": "x"}},
                            headers={"X-Segment-Token": sim.token}, timeout=30)
        listed = requests.get(svc.url + "/v1/actions/compareSources", timeout=30).json()
    assert got.status_code == 200, got.text
    assert got.json() == {"runsCode": True, "dryRun": DRY_RUN}
    assert listed["dryRun"] == DRY_RUN
