"""Actions as overlays on the catalogue: the generated facts, the derivation, the refusals.

tests/test_contract.py checks every built-in action's derived facts against the
raw catalogue; here the mechanism itself: the generated file is current, the
built-in modules declare nothing the catalogue says, and an overlay that
contradicts the catalogue stops start-up naming the plugin and the field.
"""

from __future__ import annotations

import json
from dataclasses import replace
from importlib import import_module
from typing import Any

import pytest

from actions.plugin import MODULES
from connector import overlay
from connector.errors import PluginError
from connector.spec import REGION, Action, Input, paging

OVERLAY_MODULES = [m for m in MODULES if m != "raw_request"]


def _overlays() -> list[Action]:
    return [a for m in OVERLAY_MODULES for a in import_module(f"actions.{m}").ACTIONS]


# -- the generated facts ------------------------------------------------------------------
def test_generated_facts_are_current() -> None:
    fresh = overlay.fresh()
    current = overlay.GENERATED.read_text(encoding="utf-8")
    assert fresh == current, "connector/operations.json is stale: run `python -m connector.overlay`"


def test_generated_facts_cover_every_operation_of_the_catalogue() -> None:
    from connector.api import catalog

    data = json.loads(overlay.GENERATED.read_text(encoding="utf-8"))
    assert data["api_version"] == catalog.load()["api_version"]
    assert set(data["operations"]) == set(catalog.operations())


def test_check_mode_of_the_generator(capsys: pytest.CaptureFixture[str]) -> None:
    assert overlay.main(["--check"]) == 0
    assert "current" in capsys.readouterr().out


def test_features_come_from_the_descriptions() -> None:
    upstream = {"operations": [
        {"operationId": "a", "description": "• In order to successfully call this endpoint, "
         "the specified Workspace needs to have the Protocols feature enabled."},
        {"operationId": "b", "description": "Returns a list."},
    ]}
    assert overlay.features_from(upstream) == {"a": "Protocols"}
    op = overlay.operation("createTrackingPlan")
    assert op is not None and op.feature == "Protocols"


# -- the derivation ---------------------------------------------------------------------------
ROOT: dict[str, Any] = {"$defs": {
    "Periodic": {"type": "object", "properties": {"interval": {"type": "string"}}},
    "Specific": {"type": "object", "properties": {"days": {"type": "array"}}},
    "Config": {"anyOf": [{"$ref": "#/$defs/Periodic"}, {"$ref": "#/$defs/Specific"}]},
}}


@pytest.mark.parametrize(("node", "shape"), [
    ({"type": "string"}, ("string", None, (), False)),
    ({"anyOf": [{"type": "boolean"}, {"type": "null"}]}, ("boolean", None, (), False)),
    ({"anyOf": [{"type": "number"}, {"type": "integer"}]}, ("number", None, (), False)),
    ({"enum": ["A", "B"], "type": "string"}, ("string", None, ("A", "B"), False)),
    ({"type": "array", "items": {"enum": ["X"], "type": "string"}}, ("array", "string", ("X",),
                                                                      False)),
    ({"type": "array", "items": {"$ref": "#/$defs/Periodic"}}, ("array", "object", (), True)),
    ({"anyOf": [{"$ref": "#/$defs/Config"}, {"type": "null"}]}, ("object", None, (), True)),
    ({"anyOf": [{"type": "string"}, {"type": "integer"}]}, ("any", None, (), True)),
    ({"anyOf": [{}, {"type": "null"}]}, ("any", None, (), False)),
    ({"type": "object"}, ("object", None, (), True)),
])
def test_shape_of_a_schema(node: dict[str, Any], shape: tuple[Any, ...]) -> None:
    assert overlay._shape(node, ROOT) == shape


def test_an_overlay_takes_every_fact_from_the_catalogue() -> None:
    action = overlay.complete(Action(
        "listSources", "Sources", "List them.", operation="listSources"), "p")
    assert (action.method, action.path, action.status, action.items) == (
        "GET", "/sources", 200, "sources")
    assert action.response_model == "ListSources200Response"
    assert action.inputs[0] is REGION  # every API action can go to another region
    assert action.inputs[1:] == paging()  # a listing pages
    assert (action.safety, action.idempotent, action.stability) == ("read", True, "ga")

    create = overlay.complete(Action(
        "createLabel", "Label", "Make one.", operation="createLabel",
        inputs=(Input("label", comments="The label."),)), "p")
    label = create.inputs[1]
    assert (create.method, create.status, create.body_model) == ("POST", 201, "CreateLabelV1Input")
    assert (label.type, label.where, label.required, label.schema) == (
        "object", "body", True, "CreateLabelV1Input.label")
    assert (create.safety, create.idempotent, create.rate_limit) == ("write", False, (60, "minute"))


def test_enums_of_the_catalogue_become_choices() -> None:
    action = overlay.complete(Action(
        "createSourceRegulation", "R", "Regulate.", operation="createSourceRegulation",
        inputs=(Input("sourceId"), Input("regulationType"), Input("subjectType"),
                Input("subjectIds"))), "p")
    by_key = {i.key: i for i in action.inputs}
    assert "SUPPRESS_WITH_DELETE" in by_key["regulationType"].choices
    assert by_key["subjectIds"].type == "array" and by_key["subjectIds"].items == "string"


def test_a_declared_narrower_type_stands() -> None:
    action = overlay.complete(Action(
        "cancelReverseEtlSyncForModel", "C", "Cancel.", operation="cancelReverseEtlSyncForModel",
        inputs=(Input("modelId"), Input("syncId"), Input("reasonForCanceling", "integer"))), "p")
    assert action.inputs[-1].type == "integer"  # the catalogue says number


# -- what the built-in modules keep ------------------------------------------------------------
def test_built_in_overlays_declare_nothing_the_catalogue_says() -> None:
    for action in _overlays():
        assert action.operation == action.key
        declared = (action.method, action.path, action.media, action.status, action.area,
                    action.body_model, action.response_model)
        assert declared == ("", "", "", 0, "", None, None), action.key
        for inp in action.inputs:
            assert inp.where in (None, "control") or inp.wire_name.startswith("pagination."), (
                action.key, inp.key)
            assert inp.schema is None, (action.key, inp.key)


def test_every_catalogue_parameter_has_an_input() -> None:
    from connector.registry import Registry

    registry = Registry.load(installed=False)
    missing = []
    for key, action in registry.actions.items.items():
        op = overlay.operation(key)
        if op is None:
            continue
        names = {i.wire_name.split(".", 1)[0] for i in action.inputs}
        missing += [f"{key}.{p}" for p in op.params if p not in names]
    assert missing == []


# -- overlays that contradict the catalogue -------------------------------------------------
SOURCE_ID = Input("sourceId", comments="Id of the source.")


@pytest.mark.parametrize(("action", "words"), [
    (Action("getSource", "G", "Get.", "POST", operation="getSource", inputs=(SOURCE_ID,)),
     ["method", "'POST'", "'GET'"]),
    (Action("nope", "N", "No.", operation="noSuchOperation"), ["'noSuchOperation'"]),
    (Action("getSource", "G", "Get.", operation="getSource",
            inputs=(SOURCE_ID, Input("sourceName"))),
     ["input 'sourceName'", "cannot place"]),
    (Action("getSource", "G", "Get.", operation="getSource",
            inputs=(replace(SOURCE_ID, where="query"),)),
     ["input 'sourceId'", "where", "'path'"]),
    (Action("updateSource", "U", "Upd.", operation="updateSource",
            inputs=(SOURCE_ID, Input("enabled", "integer"))),
     ["input 'enabled'", "type", "'boolean'"]),
    (Action("updateSource", "U", "Upd.", operation="updateSource",
            inputs=(SOURCE_ID, Input("slug", required=True))),
     ["input 'slug'", "required"]),
    (Action("getSource", "G", "Get.", operation="getSource"), ["'sourceId'", "no input"]),
    (Action("createLabel", "C", "Make.", operation="createLabel"), ["'label'", "no input"]),
])
def test_an_overlay_that_contradicts_the_catalogue_is_refused(action: Action,
                                                              words: list[str]) -> None:
    with pytest.raises(PluginError) as caught:
        overlay.complete(action, "thirdparty")
    message = str(caught.value)
    assert "plugin 'thirdparty'" in message
    for word in words:
        assert word in message


def test_a_plugin_action_without_an_operation_keeps_its_own_facts() -> None:
    action = overlay.complete(Action("ping", "Ping", "Ping.", path="/echo"), "p")
    assert (action.method, action.status) == ("GET", 200)
    assert action.media == "application/vnd.segment.v1+json"
    assert (action.safety, action.idempotent, action.stability) == ("read", True, "ga")
    assert action.inputs == ()  # nothing added: not a catalogue operation
