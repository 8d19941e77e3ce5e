"""Events: volume of events the workspace receives over time."""

from connector.spec import REGION, Action, ExampleFile, Input, paging

EXAMPLES = ExampleFile.beside(__file__)

ACTIONS = (
    Action(
        "getEventsVolumeFromWorkspace", "Get Events Volume from Workspace",
        "Count events the workspace received over time, grouped and filtered.",
        "GET", "/events/volume", area="Events", items="result",
        inputs=(
            REGION,
            Input("granularity", comments="Size of each time bucket.", required=True,
                  example="HOUR", choices=("DAY", "HOUR", "MINUTE")),
            Input("startTime", comments="Start of the window, inclusive (ISO 8601).",
                  required=True, example="2024-05-01T00:00:00Z"),
            Input("endTime", comments="End of the window, exclusive (ISO 8601).", required=True,
                  example="2024-05-02T00:00:00Z"),
            Input("groupBy", "array",
                  "Dimensions to group by: `eventName`, `eventType`, `source`.",
                  example=["eventName"], where="query", items="string"),
            Input("sourceId", "array", "Only count events of these sources.", default=["000xxx"],
                  picklist="sources", where="query", items="string", label="Source IDs"),
            Input("eventName", "array", "Only count events with these names.", default=["000xxx"],
                  where="query", items="string"),
            Input("eventType", "array", "Only count events of these types, e.g. `track`.",
                  default=["000xxx"], where="query", items="string"),
            Input("appVersion", "array", "Only count events sent by these app versions.",
                  default=["000xxx"], where="query", items="string"),
            *paging(),
        ),
        response_model="GetEventsVolumeFromWorkspace200Response", example=EXAMPLES,
    ),
)
