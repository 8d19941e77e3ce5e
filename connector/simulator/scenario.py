"""A scripted workspace for calling every operation once: the parents each one needs,
the ids to put in its path, and an order in which all 201 can run.

Shared by the tests that walk the whole catalogue (over plain HTTP and through the
official SDK), so both meet the same resources.
"""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Any
from urllib.parse import quote

import requests

from connector.simulator import catalog, fixtures, records
from connector.simulator.ids import IdSource
from connector.simulator.schemagen import Generator

if TYPE_CHECKING:
    from connector.simulator.server import Simulator

JS, KINESIS, POSTGRES = "IqDTy1TpoU", "57da359580412f644ff33fb9", "55d3d3aea3c"
OWNER, MEMBER = fixtures.USERS[0]["id"], fixtures.USERS[1]["id"]
SPACE = fixtures.SPACES[0]["id"]
ROLE = fixtures.ROLES[0]["id"]
PERMS = [{"roleId": ROLE, "resources": [{"id": "ws", "type": "WORKSPACE"}]}]
LABEL = {"key": "env", "value": "prod"}

# Deletes of parents run after everything that needs them, children first.
DELETE_ORDER = {"removeDestinationFromAudience": 1, "removeAudienceFromSpace": 2,
                "deleteDestination": 1, "deleteTransformation": 1, "deleteReverseEtlModel": 1,
                "deleteFunction": 2, "deleteTrackingPlan": 2, "deleteUserGroup": 2,
                "deleteSource": 3, "deleteWarehouse": 3, "deleteLabel": 4}

# Walk-made children that would block deleting the shared parents later:
# create operation -> (delete operation, its path parameter, key of the object in `data`).
CLEANUP = {"createDestination": ("deleteDestination", "destinationId", "destination"),
           "createInsertFunctionInstance": ("deleteInsertFunctionInstance", "instanceId",
                                            "insertFunctionInstance")}

# Creates of the families schema-made answers keep (connector.simulator.records), in an
# order that makes each one's parents first.
ENGAGE = ("createAudience", "addAudienceScheduleToAudience", "createAudiencePreview",
          "addDestinationToAudience", "addActivationToAudience", "createComputedTrait",
          "createCredential", "createFilterForSpace", "createWorkspaceRegulation",
          "createProfilesWarehouse", "createReverseEtlManualSync")

# Required query parameters the walk sends when no parent id fits.
QUERY = {"period": "2024-01", "destinationConfigId": "dcfg1", "startTime": "2024-01-01T00:00:00Z",
         "endTime": "2024-01-02T00:00:00Z", "granularity": "DAY", "resourceType": "DESTINATION",
         "integrationId": "int1", "propertyType": "string", "message": "hello",
         "emails": ["invitee@example.com"], "userIds": [MEMBER],
         "rules": [json.dumps({"type": "TRACK", "key": "Order", "version": 1})]}


def order() -> list[str]:
    """Every operationId, deletes last and parents' deletes after their children's."""
    ops = catalog.operations().values()
    first = [op.op_id for op in ops if op.method != "DELETE"]
    deletes = sorted((op.op_id for op in ops if op.method == "DELETE"),
                     key=lambda op_id: DELETE_ORDER.get(op_id, 0))
    return first + deletes


class Walk:
    """Creates the parents once, then resolves inputs for any operation."""

    def __init__(self, sim: Simulator) -> None:
        self.sim = sim
        self.session = requests.Session()
        self.session.headers["Authorization"] = f"Bearer {sim.token}"
        self.gen = Generator(IdSource(1))
        self.serial = 0
        self.ids: dict[str, str] = {}

    def call(self, op_id: str, params: dict[str, str] | None = None,
             body: dict[str, Any] | None = None) -> requests.Response:
        op = catalog.operations()[op_id]
        path = op.path
        for name in op.path_params:
            value = (params or {}).get(name) or self.path_value(op, name)
            path = path.replace("{" + name + "}", quote(value, safe=""))
        query = {p["name"]: self.query_value(p["name"]) for p in op.query if p["required"]}
        headers = {"Accept": op.accept[0]}
        kwargs: dict[str, Any] = {}
        if op.body_model:
            headers["Content-Type"] = (op.content_type or ("application/json",))[0]
            payload = body if body is not None else self.body(op)
            kwargs["data"] = json.dumps(payload)
        return self.session.request(op.method, self.sim.base_url + path, params=query,
                                    headers=headers, timeout=10, **kwargs)

    def create(self, op_id: str, key: str, path: tuple[str, ...], **body: Any) -> str:
        r = self.call(op_id, body=body)
        if r.status_code >= 300:
            raise AssertionError(f"{op_id}: {r.status_code} {r.text}")
        value: Any = r.json()["data"]
        for part in path:
            value = value[part]
        self.ids[key] = value
        return str(value)

    def setup(self) -> None:
        self.create("createSource", "sourceId", ("source", "id"),
                    slug="walk", enabled=True, metadataId=JS)
        src = self.ids["sourceId"]
        self.create("createDestination", "destinationId", ("destination", "id"),
                    sourceId=src, metadataId=KINESIS, settings={"stream": "s"})
        self.create("createWarehouse", "warehouseId", ("warehouse", "id"),
                    metadataId=POSTGRES, settings={"hostname": "db"})
        self.create("createFunction", "functionId", ("function", "id"),
                    code="async function onTrack() {}", displayName="Fn",
                    resourceType="DESTINATION")
        self.create("createTransformation", "transformationId", ("transformation", "id"),
                    name="T", sourceId=src, enabled=True, **{"if": "all"})
        self.create("createTrackingPlan", "trackingPlanId", ("trackingPlan", "id"),
                    name="Plan", type="LIVE")
        self.create("createReverseEtlModel", "modelId", ("reverseEtlModel", "id"),
                    sourceId=src, name="M", description="d", enabled=True,
                    query="select 1", queryIdentifierColumn="id")
        self.create("createUserGroup", "userGroupId", ("userGroup", "id"), name="G")
        self.create("createLabel", "label", ("label", "key"), label=LABEL)
        self.create("createDestinationSubscription", "subscriptionId",
                    ("destinationSubscription", "id"),
                    name="S", actionId="a1", trigger="type = \"track\"", enabled=True)
        self.create("createFilterForDestination", "filterId", ("filter", "id"),
                    sourceId=src, title="F", enabled=True, actions=[{"type": "DROP"}],
                    **{"if": "all"})
        self.create("createInsertFunctionInstance", "instanceId",
                    ("insertFunctionInstance", "id"), functionId=self.ids["functionId"],
                    integrationId=self.ids["destinationId"], name="I", settings={})
        # The families schema-made answers keep, parents first (audience, connection).
        for op_id in ENGAGE:
            family = records.created_family(catalog.operations()[op_id])
            assert family is not None
            r = self.call(op_id)
            if r.status_code >= 300:
                raise AssertionError(f"{op_id}: {r.status_code} {r.text}")
            self.ids[family.name] = str(records.made_id(family, r.json()["data"]))

    def path_value(self, op: catalog.Operation, name: str) -> str:
        state = self.sim.state
        family = records.family_of(op, name)
        if family is not None and family.name in self.ids:
            return self.ids[family.name]
        if op.path.startswith("/spaces/") and name not in ("spaceId", "warehouseId"):
            return f"walk-{name}"  # names (traits, events, entities), not ids
        if name == "id" and op.path.startswith("/destinations/"):
            return self.ids["subscriptionId"]
        if name == "versionId":
            return str(state["functionVersions"][self.ids["functionId"]][0]["id"])
        if name == "writeKey":
            return str(state["sources"][self.ids["sourceId"]]["writeKeys"][0])
        fixed = {"userId": OWNER, "spaceId": SPACE, "key": LABEL["key"], "value": LABEL["value"],
                 "sourceMetadataId": JS, "destinationMetadataId": KINESIS,
                 "warehouseMetadataId": POSTGRES}
        return self.ids.get(name) or fixed.get(name) or f"walk-{name}"

    def query_value(self, name: str) -> Any:
        if name in ("sourceId", "functionId"):
            return self.ids[name]
        return QUERY[name]

    def body(self, op: catalog.Operation) -> dict[str, Any]:
        # Optional fields too (one level down): more of what is sent can be seen coming back.
        body: dict[str, Any] = self.gen.instance(catalog.schema(op.body_model or ""),
                                                 optional_depth=2)
        self.serial += 1
        src = self.ids["sourceId"]
        overrides: dict[str, dict[str, Any]] = {
            "createSource": {"slug": f"walk-{self.serial}", "metadataId": JS},
            "createDestination": {"sourceId": src, "metadataId": KINESIS},
            "createWarehouse": {"metadataId": POSTGRES},
            "createFunction": {"resourceType": QUERY["resourceType"]},  # as listings filter
            "createTransformation": {"sourceId": src},
            "updateTransformation": {"sourceId": src},
            "createReverseEtlModel": {"sourceId": src},
            "createFilterForDestination": {"sourceId": src},
            "addSourceToTrackingPlan": {"sourceId": src},
            "createInsertFunctionInstance": {"functionId": self.ids["functionId"]},
            "addLabelsToSource": {"labels": [LABEL]},
            "replaceLabelsInSource": {"labels": [LABEL]},
            "createLabel": {"label": {"key": "walk", "value": str(self.serial)}},
            "createInvites": {"invites": [{"email": "invitee@example.com",
                                           "permissions": PERMS}]},
            "restoreFunctionVersion": {"versionId": self.path_value(op, "versionId")},
            "createProfilesWarehouse": {"metadataId": POSTGRES},
            "createReverseEtlManualSync": {
                "sourceId": src, "modelId": self.ids.get("modelId", ""),
                "subscriptionId": self.ids.get("subscriptionId", "")},
            "addDestinationToAudience": {"destination": {
                "id": self.ids.get("destinationId", ""), "type": "DESTINATION"}},
        }
        if "permissions" in body and op.op_id.endswith(("User", "UserGroup")):
            body["permissions"] = PERMS
        return body | overrides.get(op.op_id, {})
