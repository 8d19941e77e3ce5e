"""A manifest `default` is a promise: it is exactly what a blank input sends.

For every action and every input: left blank, an input with a default puts
that default on the wire (or, for a runtime control, into the values the
runtime acts on), and an input without one sends nothing. Templates the seed
product shows (`["000xxx"]`, the invites and Function settings) are
placeholders or examples, never defaults. Enum fields carry the catalogue's
enum and are refused before sending; union-typed inputs carry their `anyOf`;
every required input has an example; every action says its safety, retry
safety, stability, rate limit and workspace feature.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any
from urllib.parse import parse_qsl, urlsplit

import pytest
import responses

from connector import manifest, overlay
from connector.connection import Connection
from connector.errors import InputError
from connector.registry import Registry
from connector.request import flatten_query
from connector.runtime import Runtime
from connector.samples import sample_value
from connector.spec import Action, Input
from connector.validation import validate

REGISTRY = Registry.load(installed=False)
ACTIONS = sorted(REGISTRY.actions.items)
MANIFEST = json.loads((Path(__file__).resolve().parent.parent / "manifest.json")
                      .read_text(encoding="utf-8"))
TEMPLATE = ["000xxx"]


@pytest.fixture(scope="module")
def rt() -> Runtime:
    return Runtime(Connection(token="sgp_defaults_test_token_0123456789"), registry=REGISTRY)


def _needed(action: Action) -> dict[str, Any]:
    """The least a call needs: required inputs that have no default."""
    return {i.key: sample_value(i) for i in action.inputs if i.required and i.default is None}


def _sent(request: dict[str, Any], action: Action, inp: Input) -> Any:
    """What the request carries for `inp`: its query pairs, body value, or None."""
    where, name = action.where(inp), inp.wire_name
    if where == "query":
        pairs = parse_qsl(urlsplit(request["url"]).query, keep_blank_values=True)
        found = [(k, v) for k, v in pairs if k == name or k.startswith(name + ".")]
        return found or None
    body = request.get("body")
    if where == "payload":
        return body
    if where == "body" and isinstance(body, dict):
        node: Any = body
        for part in name.split("."):
            node = node.get(part) if isinstance(node, dict) else None
        return node
    return None


@pytest.mark.parametrize("key", ACTIONS)
def test_a_blank_input_sends_its_default_and_nothing_else(rt: Runtime, key: str) -> None:
    action = REGISTRY.action(key)
    values = _needed(action)
    if action.run is not None:  # a custom executor acts on the validated values
        clean = validate(action.inputs, values, key)
        for inp in action.inputs:
            if inp.key not in values:
                assert clean.get(inp.key) == inp.default, inp.key
        return
    request = rt.dry_run(key, values)
    clean = validate(action.inputs, values, key)
    for inp in action.inputs:
        if inp.key in values:
            continue
        where = action.where(inp)
        if where == "control":  # steers the runtime: the default is what it acts on
            assert clean.get(inp.key) == inp.default, inp.key
        elif inp.default is None:
            assert _sent(request, action, inp) is None, f"{inp.key} sent though left blank"
        elif where == "query":
            assert _sent(request, action, inp) == list(flatten_query(inp.wire_name,
                                                                     inp.default)), inp.key
        else:
            assert _sent(request, action, inp) == inp.default, inp.key


def test_the_manifest_default_is_the_declared_default() -> None:
    for described in MANIFEST["actions"]:
        action = REGISTRY.action(described["key"])
        for inp, shown in zip(action.inputs, described["inputs"], strict=True):
            schema = described["inputSchema"]["properties"][inp.key]
            assert shown["default"] == inp.default, (action.key, inp.key)
            assert schema.get("default") == inp.default, (action.key, inp.key)


def test_no_default_is_a_template() -> None:
    for key in ACTIONS:
        for inp in REGISTRY.action(key).inputs:
            assert inp.default != TEMPLATE, (key, inp.key)
            if inp.placeholder is not None:
                assert inp.default is None, (key, inp.key)


def test_region_is_blank_by_default_and_says_what_blank_means(rt: Runtime) -> None:
    for described in MANIFEST["actions"]:
        region = described["inputSchema"]["properties"]["region"]
        assert "default" not in region
        assert "Blank: the connection's region" in region["description"]
    eu = Runtime(Connection(token="sgp_defaults_test_token_0123456789", region="eu1.api"),
                 registry=REGISTRY)
    for blank in ({}, {"region": None}, {"region": ""}):
        url = eu.dry_run("getWorkspace", blank)["url"]
        assert url.startswith("https://eu1.api.segmentapis.com/"), blank
    assert rt.dry_run("getWorkspace", {"region": "eu1.api"})["url"].startswith(
        "https://eu1.api.")


# -- enums and unions ---------------------------------------------------------------------------
def _catalogue_params() -> list[tuple[str, overlay.Param]]:
    return [(key, p) for key in ACTIONS if (op := overlay.operation(key)) is not None
            for p in op.params.values()]


def test_enum_fields_carry_the_catalogue_enum() -> None:
    checked = 0
    for key, param in _catalogue_params():
        if not param.choices:
            continue
        inp = next(i for i in REGISTRY.action(key).inputs if i.wire_name == param.name)
        assert set(inp.choices) == set(param.choices), (key, inp.key)
        schema = manifest.input_schema(inp)
        enum = schema["items"]["enum"] if inp.type == "array" else schema["enum"]
        assert set(enum) == set(param.choices), (key, inp.key)
        checked += 1
    assert checked >= 10  # the request models' enums (most of the 212 are in answers)


def test_a_value_outside_the_enum_is_refused_before_sending(rt: Runtime) -> None:
    checked = 0
    for key in ACTIONS:
        action = REGISTRY.action(key)
        for inp in action.inputs:
            if not inp.choices or action.run is not None or inp.key == "region":
                continue
            values = _needed(action)
            values[inp.key] = ["NOT_A_CHOICE"] if inp.type == "array" else "NOT_A_CHOICE"
            with responses.RequestsMock() as rsps, pytest.raises(InputError) as caught:
                rt.run(key, values)
            assert len(rsps.calls) == 0
            assert any(f.split(".")[0] == inp.key for f in caught.value.fields), (key, inp.key)
            checked += 1
    assert checked > 20


def test_union_typed_inputs_carry_their_any_of() -> None:
    unions = 0
    for described in MANIFEST["actions"]:
        action = REGISTRY.action(described["key"])
        for inp in action.inputs:
            if inp.schema is None or not isinstance(inp.schema, str):
                continue
            schema = manifest.input_schema(inp)
            assert schema == described["inputSchema"]["properties"][inp.key]
            if "Config" in json.dumps(schema.get("$defs", {})) and inp.key == "config":
                assert "anyOf" in json.dumps(schema), (action.key, inp.key)
                unions += 1
    assert unions >= 2  # the audience schedule configs: PeriodicConfig | SpecificDaysConfig


# -- examples and what each action declares --------------------------------------------------
def test_every_required_input_has_an_example() -> None:
    missing = [f"{a['key']}.{i['key']}" for a in MANIFEST["actions"] for i in a["inputs"]
               if i["required"] and "example" not in i]
    missing += [f"{p['key']}.{i['key']}" for p in MANIFEST["picklists"] for i in p["inputs"]
                if i["required"] and "example" not in i]
    assert missing == []


def test_every_action_declares_safety_retry_stability_limit_and_feature() -> None:
    for described in MANIFEST["actions"]:
        action = REGISTRY.action(described["key"])
        assert described["safety"] in ("read", "write", "destructive")
        assert isinstance(described["idempotent"], bool)
        assert described["stability"] in ("ga", "beta", "alpha")
        limit = described["rateLimit"]
        assert limit is None or (limit["limit"] > 0 and limit["per"] in ("minute", "day"))
        assert described["feature"] == action.feature
    by_key = {a["key"]: a for a in MANIFEST["actions"]}
    assert by_key["createTrackingPlan"]["feature"] == "Protocols"
    assert by_key["listAudiences"]["feature"] == "Audience"
    assert by_key["getSource"]["feature"] is None
    assert by_key["createLabel"]["rateLimit"] == {"limit": 60, "per": "minute"}
    assert by_key["listSources"]["stability"] == "ga"
    assert by_key["createWriteKeyForSource"]["stability"] == "alpha"
    assert (by_key["deleteSource"]["safety"], by_key["deleteSource"]["idempotent"]) == (
        "destructive", True)
    assert (by_key["createSource"]["safety"], by_key["createSource"]["idempotent"]) == (
        "write", False)
    assert by_key["previewDestinationFilter"]["safety"] == "read"  # a POST that reads
    assert by_key["replaceLabelsInSource"]["safety"] == "destructive"  # drops the unlisted
    assert by_key["rawRequest"]["safety"] == "destructive"
