"""The manifest's triggers and dependent picklists say exactly what the runtime does."""

from __future__ import annotations

from typing import Any

import jsonschema
import pytest

from connector import manifest
from connector.connection import Connection
from connector.errors import InputError
from connector.registry import Registry
from connector.runtime import Runtime


@pytest.fixture(scope="module")
def built() -> dict[str, Any]:
    return manifest.build(Registry.load(installed=False))


def test_every_trigger_is_described_with_a_valid_sample(built: dict[str, Any]) -> None:
    registry = Registry.load(installed=False)
    assert {t["key"] for t in built["triggers"]} == set(registry.triggers.items)
    for entry in built["triggers"]:
        assert entry["type"] == "polling" and entry["sampleEvent"]
        keys = [i["key"] for i in entry["inputs"]]
        assert {"since", "maxEvents", "region"} <= set(keys)
        jsonschema.Draft202012Validator.check_schema(entry["inputSchema"])
        assert entry["reads"] in registry.actions.items
    assert built["polling"]["python"] == "connector.triggers.poll_trigger"


def test_a_dependent_picklist_names_its_parents_and_needs_them(built: dict[str, Any]) -> None:
    rt = Runtime(Connection(token="sgp_nowhere_token_1234", base_url="http://127.0.0.1:9"))
    dependent = [p for p in built["picklists"] if p["dependsOn"]]
    assert {"audiences", "computedTraits", "destinationSubscriptions"} <= {
        p["key"] for p in dependent}
    for entry in built["picklists"]:
        required = {i["key"] for i in entry["inputs"]
                    if i["required"] and i["default"] is None and i["key"] != "region"}
        assert set(entry["dependsOn"]) == required, entry["key"]
        if not entry["dependsOn"]:
            continue
        with pytest.raises(InputError) as err:  # no parent: named, nothing sent
            rt.picklist(entry["key"], {})
        assert set(entry["dependsOn"]) <= set(err.value.fields), entry["key"]
