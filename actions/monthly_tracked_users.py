"""Monthly tracked users: daily MTU counts of a billing month."""

from connector.spec import REGION, V1, Action, ExampleFile, Input, paging

EXAMPLES = ExampleFile.beside(__file__)

PERIOD = Input("period", comments="First day of the usage month, ISO 8601.",
               required=True, example="2024-05-01")

ACTIONS = (
    Action(
        "getDailyPerSourceMtuUsage", "Get Daily Per Source MTU Usage",
        "List each source's cumulative MTU count per day of a usage month.",
        "GET", "/usage/mtu/sources/daily", area="MonthlyTrackedUsers", media=V1,
        items="dailyPerSourceMTUUsage",
        inputs=(REGION, PERIOD, *paging()),
        response_model="GetDailyPerSourceMTUUsage200Response", example=EXAMPLES,
    ),
    Action(
        "getDailyWorkspaceMtuUsage", "Get Daily Workspace MTU Usage",
        "List the workspace's cumulative MTU count per day of a usage month.",
        "GET", "/usage/mtu/daily", area="MonthlyTrackedUsers", media=V1,
        items="dailyWorkspaceMTUUsage",
        inputs=(REGION, PERIOD, *paging()),
        response_model="GetDailyWorkspaceMTUUsage200Response", example=EXAMPLES,
    ),
)
