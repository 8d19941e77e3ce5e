"""`/openapi.json` is a document clients can use: it passes an OpenAPI validator, every
reference resolves, each input schema means what the manifest's does (checked on the
manifest's own examples), request bodies are required where an action needs one, and
`null` is allowed exactly where the service takes it (an optional input left blank)."""

from __future__ import annotations

import json
from typing import Any

import pytest
import requests
from service_support import registry

from connector import manifest
from connector.service.embedded import EmbeddedService
from connector.service.openapi_doc import hoist_defs
from connector.simulator import Simulator

NULL = {"type": "null"}


@pytest.fixture(scope="module")
def spec(service: EmbeddedService) -> dict[str, Any]:
    got: dict[str, Any] = requests.get(service.url + "/openapi.json", timeout=60).json()
    return got


@pytest.fixture(scope="module")
def built() -> dict[str, Any]:
    return manifest.build(registry())


def _entries(built: dict[str, Any]) -> list[tuple[str, str, dict[str, Any]]]:
    """(component name, its own path, manifest entry) of every action, picklist, trigger."""
    return ([(f"Inputs_{e['key']}", f"/v1/actions/{e['key']}/run", e) for e in built["actions"]]
            + [(f"PicklistInputs_{e['key']}", f"/v1/picklists/{e['key']}", e)
               for e in built["picklists"]]
            + [(f"TriggerInputs_{e['key']}", f"/v1/triggers/{e['key']}/poll", e)
               for e in built["triggers"]])


def test_the_document_passes_an_openapi_validator(spec: dict[str, Any]) -> None:
    from openapi_spec_validator import validate

    validate(spec)  # references included: one that resolves nowhere fails here
    assert "$defs" not in json.dumps(spec)
    # Definitions repeated under several inputs of one action are placed once.
    hoisted = [name for name in spec["components"]["schemas"] if "." in name]
    assert hoisted and not [name for name in hoisted if name.endswith("_2")]
    broken = json.loads(json.dumps(spec))
    broken["components"]["schemas"]["Inputs_createSource"]["properties"]["slug"] = {
        "$ref": "#/$defs/Slug"}
    with pytest.raises(Exception, match="does not exist"):
        validate(broken)  # the validator does find a reference to nowhere


def test_each_input_schema_means_what_the_manifest_says(spec: dict[str, Any],
                                                        built: dict[str, Any]) -> None:
    from jsonschema import Draft202012Validator
    from referencing import Registry, Resource
    from referencing.jsonschema import DRAFT202012

    document = Resource.from_contents(spec, default_specification=DRAFT202012)
    refs = Registry().with_resource("urn:service", document)
    schemas = spec["components"]["schemas"]
    examples_checked = 0
    for name, _path, entry in _entries(built):
        given = entry["inputSchema"]
        ours = schemas[name]
        assert list(ours["properties"]) == list(given["properties"]), name
        assert ours.get("required", []) == given.get("required", []), name
        for key, prop in ours["properties"].items():
            nullable = NULL in prop.get("anyOf", [])
            assert nullable is (key not in given.get("required", [])), (name, key)
        # The manifest's examples are valid, or not, in both schemas alike.
        sample = {key: prop["examples"][0] for key, prop in given["properties"].items()
                  if prop.get("examples")}
        if not sample:
            continue
        doc = Draft202012Validator({"$ref": f"urn:service#/components/schemas/{name}"},
                                   registry=refs)
        alone = Draft202012Validator(_inlined(given))
        assert doc.is_valid(sample) == alone.is_valid(sample), name
        assert doc.is_valid({**sample, **dict.fromkeys(
            [k for k in given["properties"] if k not in given.get("required", [])], None)})
        examples_checked += 1
    assert examples_checked > 100


def _inlined(schema: dict[str, Any]) -> dict[str, Any]:
    """The manifest's schema with its nested definitions placed where its references point
    (the manifest's own `#/$defs/...` resolve from the schema's root)."""
    found: dict[str, Any] = {}
    hoisted = hoist_defs(schema, "x", found)
    defs = {key[2:]: value for key, value in found.items()}
    text = json.dumps(hoisted).replace('"#/components/schemas/x.', '"#/$defs/')
    out: dict[str, Any] = json.loads(text)
    out["$defs"] = json.loads(json.dumps(defs).replace('"#/components/schemas/x.',
                                                       '"#/$defs/'))
    return out


def test_request_bodies_are_required_where_an_action_needs_inputs(
        spec: dict[str, Any], built: dict[str, Any]) -> None:
    needed = 0
    for _name, path, entry in _entries(built):
        body = spec["paths"][path]["post"]["requestBody"]
        required = bool(entry["inputSchema"].get("required"))
        assert body["required"] is required, path
        shape = body["content"]["application/json"]["schema"]
        assert ("inputs" in shape.get("required", [])) is required, path
        needed += required
    assert needed > 100
    for operation in (op for item in spec["paths"].values() for op in item.values()):
        assert "422" not in operation["responses"]  # problems, as every failure
        assert operation["responses"]["default"]["content"]["application/problem+json"]


def test_null_is_blank_for_optional_inputs_and_refused_for_required_ones(
        service: EmbeddedService, sim: Simulator) -> None:
    url = service.url + "/v1/actions/createSource/dry-run"
    headers = {"X-Segment-Token": sim.token}
    blank = requests.post(url, headers=headers, timeout=30, json={"inputs": {
        "slug": "nulls", "metadataId": "IqDTy1TpoU", "settings": None, "region": None}})
    assert blank.status_code == 200
    missing = requests.post(url, headers=headers, timeout=30,
                            json={"inputs": {"slug": None, "metadataId": "IqDTy1TpoU"}})
    assert missing.status_code == 422 and "slug" in missing.json()["fields"]
