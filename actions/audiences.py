"""Audiences: Engage segments of profiles or accounts, their previews and schedules."""

from actions.ids import AUDIENCE_AS_ID as AUDIENCE
from actions.ids import AUDIENCE_ID, SPACE_ID
from connector.spec import Input, Overlays

api = Overlays(__file__)

STRATEGY = Input("strategy", comments="Schedule strategy: `PERIODIC` or `SPECIFIC_DAYS`.",
                 example="PERIODIC")
ENABLED = Input("enabled", comments="Whether the audience is computed.", example=True)
DESCRIPTION = Input("description", comments="Description of the audience.",
                    example="Bought twice in 30 days")
AUDIENCE_TYPE = Input("audienceType", comments="Audience product type.", example="USERS")
DEFINITION = {"query": "event('Order Completed').count() >= 2 within 30 days"}
INCLUDE = Input("include", comments="Extra resource to embed; only `schedules` is supported.",
                example="schedules")
SCHEDULE_ID = Input("scheduleId", comments="Id of the audience schedule.", required=True,
                    picklist="audienceSchedules", example="sch_2VcFTNyZvRk5aRtZqT7Lh3hYbBg")

ACTIONS = (
    api("addAudienceScheduleToAudience", "Add Audience Schedule to Audience",
        "Add a compute schedule to an audience.",
        SPACE_ID, AUDIENCE, STRATEGY,
        Input("config", comments="Timing of the schedule for the chosen strategy: an "
              "`interval` (`15m` to `1d`) for `PERIODIC`; `days`, `hours` and a `timezone` "
              "for `SPECIFIC_DAYS`.", example={"interval": "1d"})),
    api("createAudience", "Create Audience",
        "Create an audience in an Engage space from a query definition.",
        SPACE_ID,
        Input("name", comments="Name of the audience.", example="Repeat buyers"),
        ENABLED, DESCRIPTION,
        Input("definition", comments="Query that selects the members of the audience.",
              example=DEFINITION),
        AUDIENCE_TYPE,
        Input("options", comments="Whether to include anonymous profiles and historical data.")),
    api("createAudiencePreview", "Create Audience Preview",
        "Start computing a preview of an audience definition without saving it.",
        SPACE_ID,
        Input("definition", comments="Query that selects the members of the audience.",
              example=DEFINITION),
        AUDIENCE_TYPE,
        Input("options", comments="Options applied while computing the preview.")),
    api("forceExecuteAudienceRun", "Force Execute Audience Run",
        "Start a compute run of an audience now.",
        SPACE_ID, AUDIENCE_ID),
    api("getAudience", "Get Audience", "Fetch one audience of a space.",
        SPACE_ID, AUDIENCE, INCLUDE),
    api("getAudiencePreview", "Get Audience Preview",
        "Fetch the state and results of an audience preview.",
        SPACE_ID,
        Input("id", comments="Id of the audience preview.",
              example="ap_2WcNaUrkQG8Xn2vT9uYqsX8mZXh", label="Preview ID")),
    api("getAudienceScheduleFromSpaceAndAudience", "Get Audience Schedule from Space And Audience",
        "Fetch one compute schedule of an audience.",
        SPACE_ID, AUDIENCE, SCHEDULE_ID),
    api("listAudienceConsumersFromSpaceAndAudience",
        "List Audience Consumers from Space And Audience",
        "List the audiences and traits whose definitions use an audience.",
        SPACE_ID, AUDIENCE,
        Input("search", comments="Search: `query` text and what it matches (`type`: `NAME`, "
              "`KEY` or `DEFINITION`).", example={"query": "buyers", "type": "NAME"}),
        Input("sort", comments="Sort order: `field` (`NAME`, `CREATED_AT`, `UPDATED_AT`) and "
              "`direction` (`ASC` or `DESC`).", example={"field": "NAME", "direction": "ASC"})),
    api("listAudienceSchedulesFromSpaceAndAudience",
        "List Audience Schedules from Space And Audience",
        "List the compute schedules of an audience.",
        SPACE_ID, AUDIENCE),
    api("listAudiences", "List Audiences", "List the audiences of an Engage space.",
        SPACE_ID,
        Input("search", comments="Search: `query` text and what it matches (`type`: `NAME`, "
              "`KEY` or `DEFINITION`).", example={"query": "buyers", "type": "NAME"}),
        INCLUDE),
    api("removeAudienceFromSpace", "Remove Audience from Space",
        "Delete an audience from a space.",
        SPACE_ID, AUDIENCE),
    api("removeAudienceScheduleFromAudience", "Remove Audience Schedule from Audience",
        "Delete a compute schedule of an audience.",
        SPACE_ID, AUDIENCE, SCHEDULE_ID),
    api("updateAudienceForSpace", "Update Audience for Space",
        "Change the name, definition, options or state of an audience.",
        SPACE_ID, AUDIENCE, ENABLED,
        Input("name", comments="Name of the audience.", example="Repeat buyers"), DESCRIPTION,
        Input("definition", comments="New query that selects the members of the audience."),
        Input("options", comments="Whether to include anonymous profiles and historical data.")),
    api("updateAudienceScheduleForAudience", "Update Audience Schedule for Audience",
        "Replace the strategy and timing of an audience schedule.",
        SPACE_ID, AUDIENCE, SCHEDULE_ID, STRATEGY,
        Input("config", comments="Timing of the schedule for the chosen strategy: an "
              "`interval` (`15m` to `1d`) for `PERIODIC`; `days`, `hours` and a `timezone` "
              "for `SPECIFIC_DAYS`.", example={"interval": "1d"})),
)
