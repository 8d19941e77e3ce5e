"""Space filters: rules that drop events reaching an Engage space from any source (beta)."""

from actions.ids import FILTER_SPACE_ID as SPACE
from connector.spec import Input, Overlays

api = Overlays(__file__)

FILTER_ID = Input("id", comments="Id of the space filter.", required=True,
                  picklist="spaceFilters", example="2LmLZNp7rUC53k6KvlRrpNHLPcR",
                  label="Filter ID")
ENABLED = Input("enabled", comments="Whether the filter is active.")
DESCRIPTION = Input("description", comments="What the filter is for.",
                    example="Drop test traffic")
DROP = Input("drop", comments="Drop the events the condition matches.")
# Create needs name and condition; update may change any field.
FIELDS = (
    SPACE, ENABLED,
    Input("name", comments="Name of the filter.", example="Drop test events"),
    DESCRIPTION,
    Input("if", comments="FQL condition that selects the events to filter.",
          example="event = 'Test Event'"),
    DROP,
)


ACTIONS = (
    api("createFilterForSpace", "Create Filter for Space", "Create a filter for a space.",
        *FIELDS),
    api("deleteFilterById", "Delete Filter By Id", "Delete a space filter.", FILTER_ID),
    api("getFilterById", "Get Filter By Id", "Fetch one space filter by id.", FILTER_ID),
    api("listFiltersForSpace", "List Filters for Space", "List the filters of a space.", SPACE),
    api("updateFilterById", "Update Filter By Id",
        "Change the name, condition or state of a space filter.",
        FILTER_ID, *FIELDS),
)
