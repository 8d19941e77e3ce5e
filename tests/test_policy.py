"""Policies: what each rule lets run, and one refusal for the CLI, the service and the runtime."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
import requests

from connector.connection import Connection
from connector.errors import InputError, PolicyError
from connector.policy import READ_ONLY, Policy, irreversible, profile_policy
from connector.registry import Registry
from connector.runtime import Runtime
from connector.service.embedded import EmbeddedService
from connector.service.settings import load
from connector.simulator import Simulator

ROOT = Path(__file__).resolve().parent.parent


def writes(sim: Simulator) -> int:
    """Write requests the simulator received."""
    return sum(sim.received[m] for m in ("POST", "PUT", "PATCH", "DELETE"))
_registry = Registry.load()


def action(key: str):  # type: ignore[no-untyped-def]
    return _registry.action(key)


def test_levels_follow_the_manifest_safety() -> None:
    read = Policy("read")
    assert read.permits(action("listSources"))
    assert "level 'read'" in (read.refusal(action("createSource")) or "")
    write = Policy("write")
    assert write.permits(action("createSource"))
    assert "need 'admin'" in (write.refusal(action("replaceLabelsInSource")) or "")
    assert Policy("admin").permits(action("replaceLabelsInSource"))


@pytest.mark.parametrize("key", ["deleteSource", "createWorkspaceRegulation",
                                 "replacePermissionsForUser", "createInvites", "rawRequest"])
def test_irreversible_actions_need_their_own_allow(key: str) -> None:
    found = action(key)
    assert irreversible(found)
    assert "irreversible" in (Policy("admin").refusal(found, {"method": "DELETE"}) or "")
    assert Policy("admin", frozenset({"*", key})).permits(found, {"method": "DELETE"})
    assert Policy("admin", frozenset({"*", found.area})).permits(found, {"method": "DELETE"})


def test_reversible_writes_are_not_irreversible() -> None:
    assert not irreversible(action("createSource"))
    assert not irreversible(action("replaceLabelsInSource"))
    assert not irreversible(action("listUsers"))


def test_deny_wins_and_names_what_it_matched() -> None:
    policy = Policy("admin", frozenset({"*", "deleteSource"}), frozenset({"sources"}))
    assert policy.refusal(action("deleteSource")) == "deny lists 'sources'"
    assert policy.refusal(action("listSources")) == "deny lists 'sources'"
    assert policy.permits(action("listDestinations"))


def test_an_allow_list_without_star_names_all_that_runs() -> None:
    policy = Policy("write", frozenset({"Labels", "getWorkspace"}))
    assert policy.permits(action("createLabel"))
    assert policy.permits(action("getWorkspace"))
    assert "allow names neither listSources" in (policy.refusal(action("listSources")) or "")


def test_raw_request_runs_at_its_methods_level() -> None:
    policy = Policy("read", frozenset({"*", "rawRequest"}))
    assert policy.permits(action("rawRequest"), {"url": "/sources", "method": "GET"})
    refusal = policy.refusal(action("rawRequest"), {"url": "/sources", "method": "POST"})
    assert refusal is not None and "level 'read'" in refusal
    assert not Policy("admin").permits(action("rawRequest"), {"url": "/x", "method": "GET"})


def test_a_policy_table_with_a_mistake_names_the_setting() -> None:
    data = {"profiles": {"prod": {"token": "sgp_x", "policy": {"levl": "read"}}}}
    with pytest.raises(InputError) as caught:
        profile_policy("prod", data)
    assert "profile.prod.policy.levl" in caught.value.fields
    data["profiles"]["prod"]["policy"] = {"level": "root"}
    with pytest.raises(InputError) as caught:
        profile_policy("prod", data)
    assert "profile.prod.policy.level" in caught.value.fields
    data["profiles"]["prod"]["policy"] = {"allow": "deleteSource"}
    with pytest.raises(InputError) as caught:
        profile_policy("prod", data)
    assert "profile.prod.policy.allow" in caught.value.fields


# -- one refusal everywhere, before anything is sent --------------------------------------
@pytest.fixture(scope="module")
def sim() -> Iterator[Simulator]:
    with Simulator() as simulator:
        yield simulator


def write_config(path: Path, sim: Simulator) -> Path:
    path.write_text(
        f'[profiles.ro]\ntoken = "{sim.token}"\nbase_url = "{sim.base_url}"\n'
        '[profiles.ro.policy]\nlevel = "read"\n\n'
        f'[profiles.rw]\ntoken = "{sim.token}"\nbase_url = "{sim.base_url}"\n',
        encoding="utf-8")
    return path


def test_the_runtime_refuses_before_any_request(sim: Simulator) -> None:
    runtime = Runtime(Connection(token=sim.token, base_url=sim.base_url), _registry,
                      access=READ_ONLY)
    before = writes(sim)
    with pytest.raises(PolicyError) as caught:
        runtime.run("createLabel", {"label": {"key": "a", "value": "b"}})
    assert caught.value.policy == "--read-only"
    with pytest.raises(PolicyError):
        runtime.dry_run("createLabel", {"label": {"key": "a", "value": "b"}})
    assert writes(sim) == before
    assert runtime.run("listLabels", {})["data"]["data"]["labels"] is not None


def test_the_cli_refuses_a_write_with_a_read_only_profile(sim: Simulator, tmp_path: Path
                                                          ) -> None:
    config = write_config(tmp_path / "config.toml", sim)
    env = {k: v for k, v in os.environ.items() if not k.startswith("SEGMENT_")}
    env["SEGMENT_CONNECTOR_CONFIG"] = str(config)
    before = writes(sim)
    done = subprocess.run(
        [sys.executable, "-m", "connector.cli", "run", "createLabel", "--profile", "ro",
         "--input", 'label={"key": "team", "value": "web"}', "--error-format", "json"],
        cwd=ROOT, env=env, capture_output=True, text=True, timeout=120)
    assert done.returncode == 2, done.stderr
    error = json.loads(done.stderr)["error"]
    assert error["code"] == "policy" and error["policy"] == "profile.ro.policy"
    assert "profile.ro.policy" in error["message"]
    assert writes(sim) == before
    done = subprocess.run(
        [sys.executable, "-m", "connector.cli", "run", "listLabels", "--profile", "ro"],
        cwd=ROOT, env=env, capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr


def test_the_service_refuses_writes_for_a_read_only_profile_and_with_read_only(
        sim: Simulator, tmp_path: Path) -> None:
    config = write_config(tmp_path / "service.toml", sim)
    settings = load(config, environ={})
    assert settings.policies["ro"].level == "read"
    body = {"inputs": {"label": {"key": "team", "value": "web"}}}
    before = writes(sim)
    with EmbeddedService(settings, registry=_registry) as svc:
        answer = requests.post(f"{svc.url}/v1/actions/createLabel/run", json=body,
                               headers={"X-Segment-Profile": "ro"}, timeout=30)
        assert answer.status_code == 403
        assert answer.json()["code"] == "policy"
        assert answer.json()["policy"] == "profile.ro.policy"
        ok = requests.post(f"{svc.url}/v1/actions/listLabels/run", json={},
                           headers={"X-Segment-Profile": "ro"}, timeout=30)
        assert ok.status_code == 200
    import dataclasses

    with EmbeddedService(dataclasses.replace(settings, read_only=True),
                         registry=_registry) as svc:
        for headers in ({"X-Segment-Profile": "rw"}, {"X-Segment-Token": sim.token}):
            answer = requests.post(f"{svc.url}/v1/actions/createLabel/run", json=body,
                                   headers=headers, timeout=30)
            assert answer.status_code == 403, answer.text
            assert answer.json()["policy"] == "--read-only"
    assert writes(sim) == before


def test_a_service_key_carries_its_own_policy(sim: Simulator, tmp_path: Path) -> None:
    config = tmp_path / "service.toml"
    config.write_text('[service]\nkeys = [{key = "reader-key-0123456789", policy = '
                      '{level = "read"}}, "writer-key-0123456789"]\n', encoding="utf-8")
    settings = load(config, base_url=sim.base_url, environ={})
    body = {"inputs": {"label": {"key": "team", "value": "web"}}}
    with EmbeddedService(settings, registry=_registry) as svc:
        refused = requests.post(f"{svc.url}/v1/actions/createLabel/run", json=body, timeout=30,
                                headers={"X-Segment-Token": sim.token,
                                         "Authorization": "Bearer reader-key-0123456789"})
        assert refused.status_code == 403
        assert refused.json()["policy"] == "service.keys[1].policy"
        done = requests.post(f"{svc.url}/v1/actions/createLabel/run", json=body, timeout=30,
                             headers={"X-Segment-Token": sim.token,
                                      "Authorization": "Bearer writer-key-0123456789"})
        assert done.status_code == 200, done.text
