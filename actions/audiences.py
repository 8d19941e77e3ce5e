"""Audiences: Engage segments of profiles or accounts, their previews and schedules."""

from actions.ids import AUDIENCE_ID, SPACE_ID
from connector.spec import REGION, V1ALPHA, Action, ExampleFile, Input, paging

EXAMPLES = ExampleFile.beside(__file__)

# The paths name this one `id`.
AUDIENCE = Input("id", comments="Id of the audience.", required=True,
                 example="aud_0ujsszwN8NRY24YaXiTIE2VWDTS", picklist="audiences",
                 label="Audience ID")
STRATEGY = Input("strategy", comments="Schedule strategy, e.g. `PERIODIC` or `SPECIFIC_DAYS`.",
                 required=True, example="PERIODIC")
ENABLED = Input("enabled", "boolean", "Whether the audience is computed.")
DESCRIPTION = Input("description", comments="Description of the audience.",
                    example="Bought twice in 30 days")
AUDIENCE_TYPE = Input("audienceType", comments="Audience product type.", required=True,
                      example="USERS", choices=("USERS", "ACCOUNTS", "LINKED"))
INCLUDE = Input("include", comments="Extra resource to embed; only `schedules` is supported.",
                example="schedules")
SCHEDULE_ID = Input("scheduleId", comments="Id of the audience schedule.", required=True,
                    example="sch_2VcFTNyZvRk5aRtZqT7Lh3hYbBg")

ACTIONS = (
    Action(
        "addAudienceScheduleToAudience", "Add Audience Schedule to Audience",
        "Add a compute schedule to an audience.",
        "POST", "/spaces/{spaceId}/audiences/{id}/schedules", area="Audiences",
        inputs=(
            REGION, SPACE_ID, AUDIENCE, STRATEGY,
            Input("config", "object", "Timing of the schedule for the chosen strategy.",
                  required=True, schema="AddAudienceScheduleToAudienceInput.config"),
        ),
        body_model="AddAudienceScheduleToAudienceInput",
        response_model="AddAudienceScheduleToAudience200Response",
        example=EXAMPLES,
    ),
    Action(
        "createAudience", "Create Audience",
        "Create an audience in an Engage space from a query definition.",
        "POST", "/spaces/{spaceId}/audiences", area="Audiences",
        inputs=(
            REGION, SPACE_ID,
            Input("name", comments="Name of the audience.", required=True,
                  example="Repeat buyers"),
            ENABLED, DESCRIPTION,
            Input("definition", "object", "Query that selects the members of the audience.",
                  required=True, schema="CreateAudienceInput.definition"),
            AUDIENCE_TYPE,
            Input("options", "object",
                  "Whether to include anonymous profiles and historical data.",
                  schema="CreateAudienceInput.options"),
        ),
        body_model="CreateAudienceInput",
        response_model="CreateAudience200Response",
        example=EXAMPLES,
    ),
    Action(
        "createAudiencePreview", "Create Audience Preview",
        "Start computing a preview of an audience definition without saving it.",
        "POST", "/spaces/{spaceId}/audiences/previews", area="Audiences",
        inputs=(
            REGION, SPACE_ID,
            Input("definition", "object", "Query that selects the members of the audience.",
                  required=True, schema="CreateAudiencePreviewInput.definition"),
            AUDIENCE_TYPE,
            Input("options", "object", "Options applied while computing the preview.",
                  schema="CreateAudiencePreviewInput.options"),
        ),
        body_model="CreateAudiencePreviewInput",
        response_model="CreateAudiencePreview200Response",
        example=EXAMPLES,
    ),
    Action(
        "forceExecuteAudienceRun", "Force Execute Audience Run",
        "Start a compute run of an audience now.",
        "POST", "/spaces/{spaceId}/audiences/{audienceId}/runs", area="Audiences",
        inputs=(REGION, SPACE_ID, AUDIENCE_ID),
        response_model="ForceExecuteAudienceRun200Response", example=EXAMPLES,
    ),
    Action(
        "getAudience", "Get Audience", "Fetch one audience of a space.",
        "GET", "/spaces/{spaceId}/audiences/{id}", area="Audiences",
        inputs=(REGION, SPACE_ID, AUDIENCE, INCLUDE),
        response_model="GetAudience200Response", example=EXAMPLES,
    ),
    Action(
        "getAudiencePreview", "Get Audience Preview",
        "Fetch the state and results of an audience preview.",
        "GET", "/spaces/{spaceId}/audiences/previews/{id}", area="Audiences",
        inputs=(
            REGION, SPACE_ID,
            Input("id", comments="Id of the audience preview.", required=True,
                  example="ap_2WcNaUrkQG8Xn2vT9uYqsX8mZXh", label="Preview ID"),
        ),
        response_model="GetAudiencePreview200Response", example=EXAMPLES,
    ),
    Action(
        "getAudienceScheduleFromSpaceAndAudience", "Get Audience Schedule from Space And Audience",
        "Fetch one compute schedule of an audience.",
        "GET", "/spaces/{spaceId}/audiences/{id}/schedules/{scheduleId}", area="Audiences",
        inputs=(REGION, SPACE_ID, AUDIENCE, SCHEDULE_ID),
        response_model="GetAudienceScheduleFromSpaceAndAudience200Response", example=EXAMPLES,
    ),
    Action(
        "listAudienceConsumersFromSpaceAndAudience",
        "List Audience Consumers from Space And Audience",
        "List the audiences and traits whose definitions use an audience.",
        "GET", "/spaces/{spaceId}/audiences/{id}/audience-references",
        area="Audiences", media=V1ALPHA, items="audiences",
        inputs=(
            REGION, SPACE_ID, AUDIENCE, *paging(),
            Input("search", "object", "Search: `query` text and the consumer `type`.",
                  example={"query": "buyers", "type": "DESTINATION"}, where="query",
                  schema="ListAudienceSearchInput"),
            Input("sort", "object", "Sort order: `field` and `direction` (`asc` or `desc`).",
                  example={"field": "name", "direction": "asc"}, where="query",
                  schema="ListAudienceConsumersSortInput"),
        ),
        response_model="ListAudienceConsumersFromSpaceAndAudience200Response", example=EXAMPLES,
    ),
    Action(
        "listAudienceSchedulesFromSpaceAndAudience",
        "List Audience Schedules from Space And Audience",
        "List the compute schedules of an audience.",
        "GET", "/spaces/{spaceId}/audiences/{id}/schedules", area="Audiences",
        inputs=(REGION, SPACE_ID, AUDIENCE),
        response_model="ListAudienceSchedulesFromSpaceAndAudience200Response", example=EXAMPLES,
    ),
    Action(
        "listAudiences", "List Audiences", "List the audiences of an Engage space.",
        "GET", "/spaces/{spaceId}/audiences", area="Audiences", items="audiences",
        inputs=(
            REGION, SPACE_ID,
            Input("search", "object", "Search: `query` text and the audience `type`.",
                  example={"query": "buyers", "type": "USERS"}, where="query",
                  schema="ListAudienceSearchInput"),
            *paging(), INCLUDE,
        ),
        response_model="ListAudiences200Response", example=EXAMPLES,
    ),
    Action(
        "removeAudienceFromSpace", "Remove Audience from Space",
        "Delete an audience from a space.",
        "DELETE", "/spaces/{spaceId}/audiences/{id}", area="Audiences",
        inputs=(REGION, SPACE_ID, AUDIENCE),
        response_model="RemoveAudienceFromSpace200Response", example=EXAMPLES,
    ),
    Action(
        "removeAudienceScheduleFromAudience", "Remove Audience Schedule from Audience",
        "Delete a compute schedule of an audience.",
        "DELETE", "/spaces/{spaceId}/audiences/{id}/schedules/{scheduleId}", area="Audiences",
        inputs=(REGION, SPACE_ID, AUDIENCE, SCHEDULE_ID),
        response_model="RemoveAudienceScheduleFromAudience200Response", example=EXAMPLES,
    ),
    Action(
        "updateAudienceForSpace", "Update Audience for Space",
        "Change the name, definition, options or state of an audience.",
        "PATCH", "/spaces/{spaceId}/audiences/{id}", area="Audiences",
        inputs=(
            REGION, SPACE_ID, AUDIENCE, ENABLED,
            Input("name", comments="Name of the audience.", example="Repeat buyers"),
            DESCRIPTION,
            Input("definition", "object", "New query that selects the members of the audience.",
                  schema="UpdateAudienceForSpaceInput.definition"),
            Input("options", "object",
                  "Whether to include anonymous profiles and historical data.",
                  schema="UpdateAudienceForSpaceInput.options"),
        ),
        body_model="UpdateAudienceForSpaceInput",
        response_model="UpdateAudienceForSpace200Response",
        example=EXAMPLES,
    ),
    Action(
        "updateAudienceScheduleForAudience", "Update Audience Schedule for Audience",
        "Replace the strategy and timing of an audience schedule.",
        "PATCH", "/spaces/{spaceId}/audiences/{id}/schedules/{scheduleId}", area="Audiences",
        inputs=(
            REGION, SPACE_ID, AUDIENCE, SCHEDULE_ID, STRATEGY,
            Input("config", "object", "Timing of the schedule for the chosen strategy.",
                  required=True, schema="UpdateAudienceScheduleForAudienceInput.config"),
        ),
        body_model="UpdateAudienceScheduleForAudienceInput",
        response_model="UpdateAudienceScheduleForAudience200Response",
        example=EXAMPLES,
    ),
)
