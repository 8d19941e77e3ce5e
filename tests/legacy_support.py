"""A small workspace on the simulator for Config API bridge tests, made with Public API actions."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from connector.connection import Connection
from connector.legacy.plan import Bridge
from connector.retry import RetryPolicy
from connector.runtime import Runtime
from connector.simulator import Simulator

JAVASCRIPT, HTTP_API = "IqDTy1TpoU", "xRxQ1grfHd"
AMPLITUDE, WEBHOOKS = "54521fd525e721e32a72ee91", "54521fd725e721e32a72eec6"
OWNER_ROLE = "1xL6TqBk3zHiSsXkZPdHB9Nz7Ln"
SOURCE_ADMIN = "1xL6TtOgjcBx6R1xDr4Z7yGmvxh"
MEMBER = "2M3QGZg7gCRNYiLbP8ECmnpn2Zm"
SECRET = "amp-secret-key-0123456789"
FAST = RetryPolicy(delay_ms=1, max_delay_ms=5, max_retries=2)


@dataclass
class World:
    """What the setup made: ids and names the tests address."""

    sim: Simulator
    rt: Runtime
    ws: str
    source_id: str
    other_source_id: str
    destination_id: str
    filter_id: str
    plan_id: str
    function_id: str
    regulation_id: str

    @property
    def base(self) -> str:
        return f"/v1beta/workspaces/{self.ws}"

    @property
    def name(self) -> str:
        return f"workspaces/{self.ws}"

    def bridge(self) -> Bridge:
        return Bridge(self.rt)

    def data(self, op: str, inputs: dict[str, Any] | None = None) -> dict[str, Any]:
        return dict(self.rt.run(op, inputs or {})["data"]["data"])


def runtime(sim: Simulator) -> Runtime:
    return Runtime(Connection(token=sim.token, base_url=sim.base_url), policy=FAST)


def build(sim: Simulator) -> World:
    rt = runtime(sim)

    def data(op: str, inputs: dict[str, Any]) -> dict[str, Any]:
        return dict(rt.run(op, inputs)["data"]["data"])

    ws = data("getWorkspace", {})["workspace"]["slug"]
    src = data("createSource", {"slug": "web", "enabled": True, "metadataId": JAVASCRIPT})
    other = data("createSource", {"slug": "srv", "enabled": True, "metadataId": HTTP_API})
    dst = data("createDestination", {"sourceId": src["source"]["id"], "metadataId": AMPLITUDE,
                                     "enabled": True, "settings": {"apiKey": SECRET}})
    dest_id = dst["destination"]["id"]
    flt = data("createFilterForDestination", {
        "destinationId": dest_id, "sourceId": src["source"]["id"], "if": "event = \"x\"",
        "actions": [{"type": "DROP"}], "title": "Drop x", "enabled": True})
    plan = data("createTrackingPlan", {"name": "Main plan", "type": "LIVE"})
    plan_id = plan["trackingPlan"]["id"]
    rt.run("replaceRulesInTrackingPlan", {"trackingPlanId": plan_id, "rules": [
        {"type": "TRACK", "key": "Signed Up", "version": 1,
         "jsonSchema": {"properties": {"properties": {"type": "object"}}}}]})
    fn = data("createFunction", {"code": "async function onTrack() {}", "displayName": "Fn",
                                 "resourceType": "SOURCE"})
    reg = data("createWorkspaceRegulation", {"regulationType": "SUPPRESS_ONLY",
                                             "subjectType": "USER_ID", "subjectIds": ["u-1"]})
    rt.run("createInvites", {"invites": [{"email": "new@example.com"}]})
    return World(sim, rt, ws, src["source"]["id"], other["source"]["id"], dest_id,
                 flt["filter"]["id"], plan_id, fn["function"]["id"], reg["regulateId"])
