"""manifest.json: complete forms for every action and picklist, no secrets, never stale."""

from __future__ import annotations

import json
import re
from functools import cache
from pathlib import Path
from typing import Any

import pytest
from jsonschema import Draft202012Validator

from connector import manifest
from connector.registry import Registry

ROOT = Path(__file__).resolve().parent.parent
MANIFEST = ROOT / "manifest.json"
# Segment Public API tokens start with sgp_ and are long; examples must never hold one.
TOKEN_LIKE = re.compile(r"sgp_[A-Za-z0-9_\-]{16,}")


@cache
def committed() -> dict[str, Any]:
    return json.loads(MANIFEST.read_text(encoding="utf-8"))


@pytest.fixture(scope="module")
def registry() -> Registry:
    # The project's own declarations, whatever plugins are installed beside it.
    return Registry.load(installed=False)


def _actions() -> list[dict[str, Any]]:
    return committed()["actions"]


def test_manifest_lists_every_registered_action_and_picklist(registry: Registry) -> None:
    assert {a["key"] for a in _actions()} == set(registry.actions.items)
    assert {p["key"] for p in committed()["picklists"]} == set(registry.datasources.items)
    assert len(_actions()) > 200


@pytest.mark.parametrize("action", _actions(), ids=lambda a: a["key"])
def test_action_has_an_input_schema_and_an_example(action: dict[str, Any]) -> None:
    schema = action["inputSchema"]
    assert schema["type"] == "object"
    Draft202012Validator.check_schema(schema)
    assert set(schema["properties"]) == {i["key"] for i in action["inputs"]}
    assert set(schema["required"]) == {i["key"] for i in action["inputs"] if i["required"]}
    assert action["examplePayload"] is not None


def test_input_schemas_accept_the_declared_examples() -> None:
    problems = []
    for action in _actions():
        validator = Draft202012Validator(action["inputSchema"])
        for inp in action["inputs"]:
            if "example" not in inp:
                continue
            sub = Draft202012Validator(action["inputSchema"]["properties"][inp["key"]])
            for error in sub.iter_errors(inp["example"]):
                problems.append(f"{action['key']}.{inp['key']}: {error.message}")
        assert validator.schema["additionalProperties"] is False
    assert problems == []


def test_every_picklist_reference_exists() -> None:
    picklists = {p["key"] for p in committed()["picklists"]}
    dangling = [f"{a['key']}.{i['key']} -> {i['picklist']}"
                for a in _actions() for i in a["inputs"]
                if "picklist" in i and i["picklist"] not in picklists]
    assert dangling == []
    assert any("picklist" in i for a in _actions() for i in a["inputs"])


def test_every_picklist_feeds_from_an_existing_action() -> None:
    actions = {a["key"] for a in _actions()}
    for picklist in committed()["picklists"]:
        assert picklist["action"] in actions, picklist["key"]
        assert picklist["inputSchema"]["type"] == "object"
        assert {"filter", "maxItems"} <= set(picklist["inputSchema"]["properties"])


def test_connection_token_is_secret_and_has_no_value() -> None:
    conn = committed()["connection"]
    token = next(i for i in conn["inputs"] if i["key"] == "token")
    assert token["secret"] is True and token["default"] is None
    assert "example" not in token
    assert conn["inputSchema"]["properties"]["token"]["writeOnly"] is True


def test_manifest_contains_no_token() -> None:
    text = MANIFEST.read_text(encoding="utf-8")
    assert TOKEN_LIKE.findall(text) == []
    assert not re.search(r"Bearer\s+[A-Za-z0-9_\-]{16,}", text)


def test_render_does_not_pick_up_the_environment_token(
        registry: Registry, monkeypatch: pytest.MonkeyPatch) -> None:
    probe = "sgp_manifest_probe_token_5b6c7d8e9f"
    monkeypatch.setenv("SEGMENT_API_TOKEN", probe)
    assert probe not in manifest.render(registry)


def test_manifest_is_current(registry: Registry) -> None:
    fresh = manifest.render(registry)
    on_disk = MANIFEST.read_text(encoding="utf-8")
    if on_disk != fresh:
        stale = _first_difference(json.loads(on_disk), json.loads(fresh))
        pytest.fail(f"manifest.json is stale at {stale}: "
                    "run `segment-connector manifest --builtin`")
    assert manifest.is_current(registry, MANIFEST)


def _first_difference(old: Any, new: Any, where: str = "$") -> str:
    if isinstance(old, dict) and isinstance(new, dict):
        for key in sorted(set(old) | set(new)):
            if old.get(key) != new.get(key):
                return _first_difference(old.get(key), new.get(key), f"{where}.{key}")
    if isinstance(old, list) and isinstance(new, list) and len(old) == len(new):
        for i, (a, b) in enumerate(zip(old, new, strict=True)):
            if a != b:
                return _first_difference(a, b, f"{where}[{i}]")
    return where
