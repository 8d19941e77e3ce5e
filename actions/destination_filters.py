"""Destination filters: rules that drop or trim events before they reach a destination."""

from actions.ids import DESTINATION_ID, FILTER_ID, SOURCE_ID
from connector.spec import REGION, Action, ExampleFile, Input, paging

EXAMPLES = ExampleFile.beside(__file__)

DESCRIPTION = Input("description", comments="Description of the filter.",
                    example="Ignore QA traffic")

ACTIONS = (
    Action(
        "createFilterForDestination", "Create Filter for Destination",
        "Add a filter that drops or trims events from a source to a destination.",
        "POST", "/destination/{destinationId}/filters", area="DestinationFilters",
        inputs=(
            REGION, DESTINATION_ID, SOURCE_ID,
            Input("if", comments="FQL condition that selects events.", required=True,
                  example='event = "Order Completed"'),
            Input("actions", "array",
                  "What to do with matching events: drop, sample or allow/block fields.",
                  required=True, example=[{"type": "DROP"}],
                  schema="CreateFilterForDestinationV1Input.actions"),
            Input("title", comments="Title of the filter.", required=True,
                  example="Drop test orders"),
            DESCRIPTION,
            Input("enabled", "boolean", "Whether the filter is applied.", required=True),
        ),
        body_model="CreateFilterForDestinationV1Input",
        response_model="CreateFilterForDestination200Response",
        example=EXAMPLES,
    ),
    Action(
        "getFilterInDestination", "Get Filter in Destination",
        "Fetch one filter of a destination.",
        "GET", "/destination/{destinationId}/filters/{filterId}", area="DestinationFilters",
        inputs=(REGION, DESTINATION_ID, FILTER_ID),
        response_model="GetFilterInDestination200Response", example=EXAMPLES,
    ),
    Action(
        "listFiltersFromDestination", "List Filters from Destination",
        "List the filters of a destination.",
        "GET", "/destination/{destinationId}/filters", area="DestinationFilters", items="filters",
        inputs=(REGION, DESTINATION_ID, *paging()),
        response_model="ListFiltersFromDestination200Response", example=EXAMPLES,
    ),
    Action(
        "previewDestinationFilter", "Preview Destination Filter",
        "Run a filter on a sample event and return what it would send.",
        "POST", "/destination/filters/preview", area="DestinationFilters",
        inputs=(
            REGION,
            Input("filter", "object", "Filter to run: its `if` condition and actions.",
                  required=True, example={"if": "all", "actions": [{"type": "DROP"}]},
                  schema="PreviewDestinationFilterV1Input.filter"),
            Input("payload", "object", "Sample event to run the filter on.", required=True,
                  example={"type": "track", "event": "Order Completed"}),
        ),
        body_model="PreviewDestinationFilterV1Input",
        response_model="PreviewDestinationFilter200Response",
        example=EXAMPLES,
    ),
    Action(
        "removeFilterFromDestination", "Remove Filter from Destination",
        "Delete a filter of a destination.",
        "DELETE", "/destination/{destinationId}/filters/{filterId}", area="DestinationFilters",
        inputs=(REGION, DESTINATION_ID, FILTER_ID),
        response_model="RemoveFilterFromDestination200Response", example=EXAMPLES,
    ),
    Action(
        "updateFilterForDestination", "Update Filter for Destination",
        "Change the condition, actions or state of a destination filter.",
        "PATCH", "/destination/{destinationId}/filters/{filterId}", area="DestinationFilters",
        inputs=(
            REGION, DESTINATION_ID, FILTER_ID,
            Input("if", comments="FQL condition that selects events.",
                  example='event = "Order Completed"'),
            Input("actions", "array",
                  "What to do with matching events: drop, sample or allow/block fields.",
                  example=[{"type": "DROP"}], schema="UpdateFilterForDestinationV1Input.actions"),
            Input("title", comments="Title of the filter.", example="Drop test orders"),
            DESCRIPTION,
            Input("enabled", "boolean", "Whether the filter is applied."),
        ),
        body_model="UpdateFilterForDestinationV1Input",
        response_model="UpdateFilterForDestination200Response",
        example=EXAMPLES,
    ),
)
