"""API calls usage: daily counts of calls made to the tracking API."""

from connector.spec import REGION, Action, ExampleFile, Input, paging

EXAMPLES = ExampleFile.beside(__file__)

PERIOD = Input("period", comments="First day of the usage month (ISO 8601).", required=True,
               example="2024-05-01")

ACTIONS = (
    Action(
        "getDailyPerSourceApiCallsUsage", "Get Daily Per Source API Calls Usage",
        "Report daily API call counts per source for a usage month.",
        "GET", "/usage/api-calls/sources/daily",
        area="APICalls", items="dailyPerSourceAPICallsUsage",
        inputs=(REGION, PERIOD, *paging()),
        response_model="GetDailyPerSourceAPICallsUsage200Response", example=EXAMPLES,
    ),
    Action(
        "getDailyWorkspaceApiCallsUsage", "Get Daily Workspace API Calls Usage",
        "Report daily API call counts of the workspace for a usage month.",
        "GET", "/usage/api-calls/daily", area="APICalls", items="dailyWorkspaceAPICallsUsage",
        inputs=(REGION, PERIOD, *paging()),
        response_model="GetDailyWorkspaceAPICallsUsage200Response", example=EXAMPLES,
    ),
)
