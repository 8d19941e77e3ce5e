"""Audit trail: the record of changes made in the workspace."""

from connector.spec import Input, Overlays

api = Overlays(__file__)

ACTIONS = (
    api("listAuditEvents", "List Audit Events",
        "List audit events of the workspace, optionally by time range or resource.",
        Input("startTime", comments="Only events after this time (RFC 3339).",
              example="2024-05-01T00:00:00Z"),
        Input("endTime", comments="Only events before this time; now when blank.",
              example="2024-05-02T00:00:00Z"),
        Input("resourceId", comments="Only events that changed this resource.",
              example="rh5BDZp6QDHvXFCkibm1pR"),
        Input("resourceType", comments="Only events about this kind of resource, e.g. sources.",
              example="source")),
)
