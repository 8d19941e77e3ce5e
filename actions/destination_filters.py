"""Destination filters: rules that drop or trim events before they reach a destination."""

from actions.ids import DESTINATION_ID, FILTER_ID, SOURCE_ID
from connector.spec import Input, Overlays

api = Overlays(__file__)

DESCRIPTION = Input("description", comments="Description of the filter.",
                    example="Ignore QA traffic")

ACTIONS = (
    api("createFilterForDestination", "Create Filter for Destination",
        "Add a filter that drops or trims events from a source to a destination.",
        DESTINATION_ID, SOURCE_ID,
        Input("if", comments="FQL condition that selects events.",
              example='event = "Order Completed"'),
        Input("actions",
              comments="What to do with matching events: drop, sample or allow/block fields.",
              example=[{"type": "DROP"}]),
        Input("title", comments="Title of the filter.", example="Drop test orders"),
        DESCRIPTION,
        Input("enabled", comments="Whether the filter is applied.", example=True)),
    api("getFilterInDestination", "Get Filter in Destination",
        "Fetch one filter of a destination.",
        DESTINATION_ID, FILTER_ID),
    api("listFiltersFromDestination", "List Filters from Destination",
        "List the filters of a destination.",
        DESTINATION_ID),
    api("previewDestinationFilter", "Preview Destination Filter",
        "Run a filter on a sample event and return what it would send.",
        Input("filter", comments="Filter to run: its `if` condition and actions.",
              example={"if": "all", "actions": [{"type": "DROP"}]}),
        Input("payload", comments="Sample event to run the filter on.",
              example={"type": "track", "event": "Order Completed"}),
        safety="read", idempotent=True),  # a POST that changes nothing
    api("removeFilterFromDestination", "Remove Filter from Destination",
        "Delete a filter of a destination.",
        DESTINATION_ID, FILTER_ID),
    api("updateFilterForDestination", "Update Filter for Destination",
        "Change the condition, actions or state of a destination filter.",
        DESTINATION_ID, FILTER_ID,
        Input("if", comments="FQL condition that selects events.",
              example='event = "Order Completed"'),
        Input("actions",
              comments="What to do with matching events: drop, sample or allow/block fields.",
              example=[{"type": "DROP"}]),
        Input("title", comments="Title of the filter.", example="Drop test orders"), DESCRIPTION,
        Input("enabled", comments="Whether the filter is applied.", example=True)),
)
