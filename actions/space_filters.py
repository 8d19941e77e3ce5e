"""Space filters: rules that drop events reaching an Engage space from any source (beta)."""

from connector.spec import REGION, V1BETA, Action, ExampleFile, Input, paging

EXAMPLES = ExampleFile.beside(__file__)

FILTER_ID = Input("id", comments="Id of the space filter.", required=True,
                  example="2LmLZNp7rUC53k6KvlRrpNHLPcR")
SPACE = Input("integrationId", comments="Id of the space the filter applies to.",
              required=True, picklist="spaces", example="spa_9aQ1Lj62S4bomZKLF4DPqW")
ENABLED = Input("enabled", "boolean", "Whether the filter is active.")
DESCRIPTION = Input("description", comments="What the filter is for.",
                    example="Drop test traffic")
DROP = Input("drop", "boolean", "Drop the events the condition matches.")
IF_EXAMPLE = "event = 'Test Event'"


def _fields(required: bool) -> tuple[Input, ...]:
    # Create needs name and condition; update may change any field.
    return (
        SPACE, ENABLED,
        Input("name", comments="Name of the filter.", required=required,
              example="Drop test events"),
        DESCRIPTION,
        Input("if", comments="FQL condition that selects the events to filter.",
              required=required, example=IF_EXAMPLE),
        DROP,
    )


ACTIONS = (
    Action(
        "createFilterForSpace", "Create Filter for Space", "Create a filter for a space.",
        "POST", "/filters", area="SpaceFilters", media=V1BETA,
        inputs=(REGION, *_fields(required=True)),
        body_model="CreateFilterForSpaceInput", response_model="CreateFilterForSpace200Response",
        example=EXAMPLES,
    ),
    Action(
        "deleteFilterById", "Delete Filter By Id", "Delete a space filter.",
        "DELETE", "/filters/{id}", area="SpaceFilters", media=V1BETA,
        inputs=(REGION, FILTER_ID),
        response_model="DeleteFilterById200Response", example=EXAMPLES,
    ),
    Action(
        "getFilterById", "Get Filter By Id", "Fetch one space filter by id.",
        "GET", "/filters/{id}", area="SpaceFilters", media=V1BETA,
        inputs=(REGION, FILTER_ID),
        response_model="GetFilterById200Response", example=EXAMPLES,
    ),
    Action(
        "listFiltersForSpace", "List Filters for Space", "List the filters of a space.",
        "GET", "/filters", area="SpaceFilters", media=V1BETA, items="filters",
        inputs=(REGION, SPACE, *paging()),
        response_model="ListFiltersForSpace200Response", example=EXAMPLES,
    ),
    Action(
        "updateFilterById", "Update Filter By Id",
        "Change the name, condition or state of a space filter.",
        "PATCH", "/filters/{id}", area="SpaceFilters", media=V1BETA,
        inputs=(REGION, FILTER_ID, *_fields(required=False)),
        body_model="UpdateFilterByIdInput", response_model="UpdateFilterById200Response",
        example=EXAMPLES,
    ),
)
