"""Picklist links: every input that names a picklist can take that picklist's keys.

A picklist's keys are made the way the runtime makes them (`_dig` over the
listing's items), from the picklist's example or the listing action's example
payload, and each must validate against the linked input's JSON Schema (its
element schema for a list input, which a multi-select fills). The label
picklist's key is a label object, exactly what the `labels` inputs take.
"""

from __future__ import annotations

from typing import Any

import pytest
from jsonschema import Draft202012Validator

from connector import manifest
from connector.connection import Connection
from connector.registry import Registry
from connector.runtime import Runtime, _dig
from connector.samples import sample_inputs
from connector.spec import DataSource, Input

REGISTRY = Registry.load(installed=False)
LINKS = sorted((key, inp.key) for key, action in REGISTRY.actions.items.items()
               for inp in action.inputs if inp.picklist)


def picklist_keys(source: DataSource) -> list[Any]:
    """Keys the picklist offers: its example's, else those of its listing's example items."""
    if source.example is not None:
        return [option["key"] for option in source.example["result"]]
    action = REGISTRY.action(source.action)
    data = (action.example_payload() or {}).get("data", {}).get("data", {})
    items = data.get(source.items or action.items or "", [])
    return [_dig(item, source.value) for item in items]


def _input(key: str, name: str) -> Input:
    return next(i for i in REGISTRY.action(key).inputs if i.key == name)


def test_links_exist() -> None:
    assert len(LINKS) > 40


@pytest.mark.parametrize(("key", "name"), LINKS)
def test_the_linked_input_takes_the_picklist_keys(key: str, name: str) -> None:
    inp = _input(key, name)
    source = REGISTRY.datasource(inp.picklist or "")
    keys = picklist_keys(source)
    assert keys, f"picklist {source.key} offers no example key"
    schema = manifest.input_schema(inp)
    item_schema = schema.get("items", {}) if inp.type == "array" else schema
    if "$defs" in schema:
        item_schema = {**item_schema, "$defs": schema["$defs"]}
    validator = Draft202012Validator(item_schema)
    for value in keys:
        errors = [e.message for e in validator.iter_errors(value)]
        assert errors == [], f"{key}.{name} cannot take {source.key} key {value!r}: {errors}"
    whole = keys if inp.type == "array" else keys[0]
    assert list(Draft202012Validator(schema).iter_errors(whole)) == []


def test_the_label_picklist_key_is_what_the_label_inputs_take() -> None:
    labels = REGISTRY.datasource("labels")
    item = {"key": "environment", "value": "prod", "description": "Live traffic"}
    assert _dig(item, labels.value) == {"key": "environment", "value": "prod"}
    linked = {(k, n) for k, n in LINKS if _input(k, n).picklist == "labels"}
    assert linked == {("addLabelsToSource", "labels"), ("replaceLabelsInSource", "labels")}
    # And a picked label goes into the body as is.
    rt = Runtime(Connection(token="sgp_links_test_token_0123456789"), registry=REGISTRY)
    values = sample_inputs(REGISTRY.action("addLabelsToSource"))
    values["labels"] = [_dig(item, labels.value)]
    sent = rt.dry_run("addLabelsToSource", values)
    assert sent["body"] == {"labels": [{"key": "environment", "value": "prod"}]}


def test_label_options_from_the_simulated_listing() -> None:
    from connector.simulator import Simulator

    with Simulator() as sim:
        rt = Runtime(Connection(token=sim.token, base_url=sim.base_url),
                     registry=REGISTRY)
        rt.run("createLabel", {"label": {"key": "team", "value": "growth"}})
        options = rt.picklist("labels")["result"]
    assert {"label": "team:growth", "key": {"key": "team", "value": "growth"}} in options
