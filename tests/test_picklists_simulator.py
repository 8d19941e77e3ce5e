"""Every picklist against the simulator: what a flow builder's dropdown would show."""

from __future__ import annotations

from typing import Any

import pytest

from connector.connection import Connection
from connector.registry import default_registry
from connector.runtime import Runtime
from connector.simulator import Simulator

JAVASCRIPT, KINESIS, POSTGRES = "IqDTy1TpoU", "57da359580412f644ff33fb9", "55d3d3aea3c"


def _data(result: dict[str, Any]) -> dict[str, Any]:
    return result["data"]["data"]


@pytest.fixture(scope="module")
def workspace() -> Any:
    """A simulator holding one resource of each kind, and the ids the picklists must show."""
    with Simulator() as sim:
        rt = Runtime(Connection(token=sim.token, base_url=sim.base_url))
        run = rt.run
        source = _data(run("createSource", {"slug": "web", "metadataId": JAVASCRIPT}))["source"]
        dest = _data(run("createDestination", {"sourceId": source["id"], "metadataId": KINESIS,
                                               "name": "Kinesis", "settings": {}}))["destination"]
        space = rt.picklist("spaces")["result"][0]["key"]
        expected = {
            "sources": source["id"],
            "destination": dest["id"],
            "warehouses": _data(run("createWarehouse", {
                "metadataId": POSTGRES, "settings": {"name": "Main"}}))["warehouse"]["id"],
            "labels": {"key": "team", "value": "data"},
            "functions": _data(run("createFunction", {
                "code": "async function onTrack() {}", "displayName": "Enrich",
                "resourceType": "SOURCE"}))["function"]["id"],
            "transformations": _data(run("createTransformation", {
                "name": "Rename", "sourceId": source["id"], "enabled": True,
                "if": "event = 'a'"}))["transformation"]["id"],
            "userGroups": _data(run("createUserGroup", {"name": "Analysts"}))["userGroup"]["id"],
            "trackingPlans": _data(run("createTrackingPlan", {
                "name": "Web plan", "type": "LIVE"}))["trackingPlan"]["id"],
            "destinationSubscriptions": _data(run("createDestinationSubscription", {
                "destinationId": dest["id"], "name": "Orders", "actionId": "act1",
                "trigger": "type = 'track'", "enabled": True}))["destinationSubscription"]["id"],
            "destinationFilters": _data(run("createFilterForDestination", {
                "destinationId": dest["id"], "sourceId": source["id"], "if": "all",
                "actions": [{"type": "DROP"}], "title": "Drop all", "enabled": True,
            }))["filter"]["id"],
            "reverseEtlModels": _data(run("createReverseEtlModel", {
                "sourceId": source["id"], "name": "Paying users", "description": "CRM sync",
                "enabled": True, "query": "SELECT id FROM users",
                "queryIdentifierColumn": "id"}))["reverseEtlModel"]["id"],
            "spaces": space,
            "audiences": _data(run("createAudience", {
                "spaceId": space, "name": "Buyers", "audienceType": "USERS",
                "definition": {"query": "event('Order Completed').count() > 0"}}
            ))["audience"]["id"],
            "computedTraits": _data(run("createComputedTrait", {
                "spaceId": space, "name": "Orders", "definition": {
                    "type": "USERS", "query": "event('Order Completed').count()"}}
            ))["computedTrait"]["id"],
            "credentials": _data(run("createCredential", {
                "name": "Warehouse login", "settings": {}}))["credential"]["id"],
            "regulations": _data(run("createWorkspaceRegulation", {
                "regulationType": "SUPPRESS_ONLY", "subjectType": "USER_ID",
                "subjectIds": ["user-1"]}))["regulateId"],
            "sourcesCatalog": JAVASCRIPT,
            "destinationsCatalog": KINESIS,
            "warehousesCatalog": POSTGRES,
        }
        run("createLabel", {"label": {"key": "team", "value": "data"}})
        parents = {"audiences": {"spaceId": space}, "computedTraits": {"spaceId": space},
                   "destinationSubscriptions": {"destinationId": dest["id"]},
                   "destinationFilters": {"destinationId": dest["id"]}}
        yield rt, expected, parents


# Picklists this module fills the parents of; the others that need a parent run in
# test_picklist_links.py, from the objects of the actions they serve.
FILLED = ("audiences", "computedTraits", "destinationSubscriptions", "destinationFilters")
PICKLISTS = sorted(key for key, source in default_registry().datasources.items.items()
                   if key in FILLED or not any(i.required and i.default is None
                                               for i in source.inputs))


def test_at_least_twenty_picklists() -> None:
    assert len(PICKLISTS) >= 20


@pytest.mark.parametrize("key", PICKLISTS)
def test_picklist_against_the_simulator(workspace: Any, key: str) -> None:
    rt, expected, parents = workspace
    result = rt.picklist(key, parents.get(key, {}))["result"]
    assert result, f"{key} offered nothing"
    for option in result:
        assert set(option) == {"label", "key"}
        # A key is an id, or (labels) the object the inputs that link the picklist take.
        assert isinstance(option["key"], str | dict) and option["key"]
        assert isinstance(option["label"], str) and option["label"]
    if key in expected:
        assert expected[key] in [o["key"] for o in result]


def test_filter_narrows_a_real_listing(workspace: Any) -> None:
    rt, _, _ = workspace
    everything = rt.picklist("sourcesCatalog")["result"]
    only = rt.picklist("sourcesCatalog", {"filter": "JAVA"})["result"]
    assert only and len(only) < len(everything)
    assert all("java" in o["label"].lower() for o in only)
