"""Built-in polling triggers: changes read off the audit trail, or off a listing.

The registry registers this module itself, by import, before any entry point.
Event types are the audit trail's own (a destination is an "Integration", a
warehouse a "Storage Destination").
"""

from typing import Any

from connector.hookspecs import Register, hookimpl
from connector.spec import Input, Trigger
from connector.triggers import AuditFeed, ListingFeed
from datasources.plugin import RESOURCE_TYPE


def _audit_event(event_type: str, kind: str, ident: str, name: str) -> dict[str, Any]:
    return {"id": "2UxJdHDo7Ms3d4Pd5sMmqcXM1Kb", "timestamp": "2024-05-01T12:00:00.000Z",
            "type": event_type, "actor": "1bOHeKJg5BbFhoQqBsgk6xZYi1D",
            "actorEmail": "owner@example.com", "resourceId": ident, "resourceType": kind,
            "resourceName": name}


def _audit(key: str, display: str, description: str, *types: str, kind: str, ident: str,
           name: str, inputs: tuple[Input, ...] = ()) -> Trigger:
    return Trigger(key, display, description, AuditFeed(frozenset(types)), inputs,
                   _audit_event(types[0], kind, ident, name))


EVENT_TYPE = Input("eventType", "array", "Only events of these types, e.g. `Source Created` "
                   "(blank: every type).", items="string", example=["Source Created"])
RESOURCE_ID = Input("resourceId", comments="Only events about this resource (its id).",
                    example="rh5BDZp6QDHvXFCkibm1pR")
AUDIT_RESOURCE_TYPE = Input("resourceType", comments="Only events about this kind of "
                            "resource, e.g. `source` (the API filters by it).",
                            example="source")
WAREHOUSE_TYPES = ("Storage Destination Created", "Storage Destination Modified",
                   "Storage Destination Enabled", "Storage Destination Disabled",
                   "Storage Destination Settings Modified")

TRIGGERS = (
    Trigger("auditEvent", "New Audit Event",
            "Starts a flow for each new event of the workspace's audit trail, optionally only "
            "of some types or about one resource.",
            AuditFeed(types_input="eventType"), (EVENT_TYPE, AUDIT_RESOURCE_TYPE, RESOURCE_ID),
            _audit_event("Source Modified", "source", "rh5BDZp6QDHvXFCkibm1pR", "web")),
    _audit("sourceCreated", "Source Created", "Starts a flow when a source is created.",
           "Source Created", kind="source", ident="rh5BDZp6QDHvXFCkibm1pR", name="web"),
    _audit("sourceDeleted", "Source Deleted", "Starts a flow when a source is deleted.",
           "Source Deleted", kind="source", ident="rh5BDZp6QDHvXFCkibm1pR",
           name="rh5BDZp6QDHvXFCkibm1pR"),
    _audit("destinationCreatedOrDeleted", "Destination Created or Deleted",
           "Starts a flow when a destination is created or deleted.",
           "Integration Created", "Integration Deleted", kind="destination",
           ident="5GFhvtz8fha42Cm4B9E6L8", name="Amazon Kinesis"),
    _audit("warehouseCreatedOrChanged", "Warehouse Created or Changed",
           "Starts a flow when a warehouse is created, changed, enabled or disabled.",
           *WAREHOUSE_TYPES, kind="warehouse", ident="kjU72LCJexvrqL7G4TMHHN", name="Postgres"),
    Trigger("functionCreated", "New Function",
            "Starts a flow when a function is created (functions leave no audit event, so "
            "each poll compares the listing with the last one).",
            ListingFeed("listFunctions", "function", "Function",
                        each=("resourceType", RESOURCE_TYPE.choices),
                        lookup=("getFunction", "functionId")),
            (Input("resourceType", comments="Only functions of this kind (blank: every kind).",
                   choices=RESOURCE_TYPE.choices, example="SOURCE"),),
            {"id": "sfnc_3uHhWt9RYsdyYdJeYDqPMr:created",
             "timestamp": "2024-05-01T12:00:00.000Z", "type": "Function Created",
             "resourceId": "sfnc_3uHhWt9RYsdyYdJeYDqPMr", "resourceType": "function",
             "resourceName": "Enrich page views",
             "resource": {"id": "sfnc_3uHhWt9RYsdyYdJeYDqPMr",
                          "displayName": "Enrich page views", "resourceType": "SOURCE"}}),
    Trigger("trackingPlanChanged", "Tracking Plan Created or Changed",
            "Starts a flow when a tracking plan is created or changed (tracking plans leave "
            "no audit event, so each poll compares the listing with the last one).",
            ListingFeed("listTrackingPlans", "trackingPlan", "Tracking Plan", changes=True,
                        lookup=("getTrackingPlan", "trackingPlanId")),
            (),
            {"id": "tp_2Bw3TU6uXHmpCfCnQRbUcCh5Kxf:2024-05-01T12:00:00.000Z",
             "timestamp": "2024-05-01T12:00:00.000Z", "type": "Tracking Plan Modified",
             "resourceId": "tp_2Bw3TU6uXHmpCfCnQRbUcCh5Kxf", "resourceType": "trackingPlan",
             "resourceName": "Web events",
             "resource": {"id": "tp_2Bw3TU6uXHmpCfCnQRbUcCh5Kxf", "name": "Web events",
                          "type": "LIVE", "updatedAt": "2024-05-01T12:00:00.000Z"}}),
)


@hookimpl
def register_triggers(register: Register) -> None:
    for trigger in TRIGGERS:
        register(trigger)
