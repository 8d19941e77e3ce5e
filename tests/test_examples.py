"""Example payloads: one per operation, each fitting its response schema, none stale."""

from __future__ import annotations

import importlib.util
import json
import re
from functools import cache
from pathlib import Path
from typing import Any

import pytest
from jsonschema import Draft202012Validator

from connector.api.areas import module_for_tag
from connector.api.examples import example_for

ROOT = Path(__file__).resolve().parent.parent
CATALOG = json.loads((ROOT / "connector" / "api" / "catalog.json").read_text(encoding="utf-8"))
EXAMPLES = ROOT / "actions" / "examples"
OPERATIONS = CATALOG["operations"]


@cache
def _examples(module: str) -> dict[str, Any]:
    path = EXAMPLES / f"{module}.json"
    return json.loads(path.read_text(encoding="utf-8")) if path.exists() else {}


def _schema(op: dict[str, Any]) -> dict[str, Any]:
    name = next(m for code, m in sorted(op["responses"].items()) if code.startswith("2"))
    return CATALOG["schemas"][name]


def _build_script() -> Any:
    spec = importlib.util.spec_from_file_location("build_examples",
                                                  ROOT / "scripts" / "build_examples.py")
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.mark.parametrize("op", OPERATIONS, ids=[op["operationId"] for op in OPERATIONS])
def test_every_operation_has_a_valid_example(op: dict[str, Any]) -> None:
    payload = _examples(module_for_tag(op["tag"])).get(op["operationId"])
    assert payload is not None, f"no example for {op['operationId']}"
    # The action's payload wraps the API body, which is itself {"data": ...}.
    assert set(payload) == {"data"} and set(payload["data"]) == {"data"}
    assert payload["data"]["data"], "empty body"
    errors = [e.message for e in Draft202012Validator(_schema(op)).iter_errors(payload["data"])]
    assert errors == []


def test_no_example_without_an_operation() -> None:
    modules = {module_for_tag(op["tag"]) for op in OPERATIONS}
    assert {p.stem for p in EXAMPLES.glob("*.json")} == modules
    known = {op["operationId"] for op in OPERATIONS}
    for module in modules:
        assert set(_examples(module)) <= known


def test_example_files_are_not_stale(tmp_path: Path) -> None:
    build = _build_script()
    assert build.main(["--out", str(tmp_path)]) == 0
    for built in sorted(tmp_path.iterdir()):
        assert (EXAMPLES / built.name).read_text(encoding="utf-8") == built.read_text(
            encoding="utf-8"), f"{built.name} is stale: run scripts/build_examples.py"
    assert len(list(tmp_path.iterdir())) == len(list(EXAMPLES.glob("*.json")))


def test_seed_values_are_kept_and_patched() -> None:
    sources = _examples("sources")
    source = sources["getSource"]["data"]["data"]["source"]
    assert source["id"] == "qQEHquLrjRDN9j1ByrChyn"  # the seed's value, not a synthetic one
    assert source["metadata"]["status"] == "PUBLIC"
    created = _examples("destinations")["createDestinationSubscription"]["data"]["data"]
    assert created["destinationSubscription"]["name"] == "Test Subscription"
    assert "subscription" not in created
    volume = _examples("events")["getEventsVolumeFromWorkspace"]["data"]["data"]
    assert "transformations" not in volume and volume["result"]


def test_a_patch_that_no_longer_applies_fails_loudly() -> None:
    build = _build_script()
    with pytest.raises(KeyError):
        build.patch("getSource", {"data": {"data": {}}})


BASE58_ID = re.compile(r"^[1-9A-HJ-NP-Za-km-z]{22}$")


def test_synthesised_values_are_plausible_and_deterministic() -> None:
    schema = {
        "$defs": {
            "Thing": {
                "type": "object",
                "required": ["id", "createdAt"],
                "properties": {
                    "id": {"type": "string"},
                    "sourceId": {"type": "string"},
                    "createdAt": {"type": "string"},
                    "kind": {"enum": ["FIRST", "SECOND"]},
                    "tags": {"type": "array", "items": {"type": "string"}},
                    "note": {"anyOf": [{"type": "null"}, {"type": "string"}]},
                },
            },
        },
        "type": "object",
        "properties": {
            "things": {"type": "array", "items": {"$ref": "#/$defs/Thing"}},
            "pagination": {
                "type": "object",
                "required": ["current"],
                "properties": {"current": {"type": "string"}, "next": {"type": "string"},
                               "previous": {"type": "string"},
                               "totalEntries": {"type": "number"}},
            },
        },
    }
    value = example_for(schema)
    assert value == example_for(schema)
    Draft202012Validator(schema).validate(value)
    [thing] = value["things"]
    assert BASE58_ID.match(thing["id"])
    assert thing["sourceId"] == "rh5BDZp6QDHvXFCkibm1pR"
    assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ", thing["createdAt"])
    assert thing["kind"] == "FIRST"
    assert len(thing["tags"]) == 1
    assert isinstance(thing["note"], str)  # the non-null branch
    assert value["pagination"] == {"current": "MA==", "next": "MQ==", "totalEntries": 1}
