"""API calls usage: daily counts of calls made to the tracking API."""

from connector.spec import Input, Overlays

api = Overlays(__file__)

PERIOD = Input("period", comments="First day of the usage month (ISO 8601).",
               example="2024-05-01")

ACTIONS = (
    api("getDailyPerSourceApiCallsUsage", "Get Daily Per Source API Calls Usage",
        "Report daily API call counts per source for a usage month.",
        PERIOD),
    api("getDailyWorkspaceApiCallsUsage", "Get Daily Workspace API Calls Usage",
        "Report daily API call counts of the workspace for a usage month.",
        PERIOD),
)
