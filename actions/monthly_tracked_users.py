"""Monthly tracked users: daily MTU counts of a billing month."""

from connector.spec import Input, Overlays

api = Overlays(__file__)

PERIOD = Input("period", comments="First day of the usage month, ISO 8601.",
               example="2024-05-01")

ACTIONS = (
    api("getDailyPerSourceMtuUsage", "Get Daily Per Source MTU Usage",
        "List each source's cumulative MTU count per day of a usage month.",
        PERIOD),
    api("getDailyWorkspaceMtuUsage", "Get Daily Workspace MTU Usage",
        "List the workspace's cumulative MTU count per day of a usage month.",
        PERIOD),
)
