"""Events: volume of events the workspace receives over time."""

from connector.spec import Input, Overlays

api = Overlays(__file__)
TEMPLATE = ["000xxx"]

ACTIONS = (
    api("getEventsVolumeFromWorkspace", "Get Events Volume from Workspace",
        "Count events the workspace received over time, grouped and filtered.",
        # The catalogue gives query parameters no enum; the answer's model has this one.
        Input("granularity", comments="Size of each time bucket.", example="HOUR",
              choices=("DAY", "HOUR", "MINUTE")),
        Input("startTime", comments="Start of the window, inclusive (ISO 8601).",
              example="2024-05-01T00:00:00Z"),
        Input("endTime", comments="End of the window, exclusive (ISO 8601).",
              example="2024-05-02T00:00:00Z"),
        Input("groupBy", comments="Dimensions to group by: `eventName`, `eventType`, `source`.",
              example=["eventName"]),
        # The seed product shows ["000xxx"] in these lists: a template, never sent.
        Input("sourceId", comments="Only count events of these sources.", picklist="sources",
              label="Source IDs", example=["rh5BDZp6QDHvXFCkibm1pR"], placeholder=TEMPLATE),
        Input("eventName", comments="Only count events with these names.",
              example=["Order Completed"], placeholder=TEMPLATE),
        Input("eventType", comments="Only count events of these types, e.g. `track`.",
              example=["track"], placeholder=TEMPLATE),
        Input("appVersion", comments="Only count events sent by these app versions.",
              example=["1.4.0"], placeholder=TEMPLATE)),
)
