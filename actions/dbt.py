"""dbt: on-demand syncs of the dbt models linked to a source."""

from actions.ids import SOURCE_ID
from connector.spec import Overlays

api = Overlays(__file__)

ACTIONS = (
    api("createDbtModelSyncTrigger", "Create Dbt Model Sync Trigger",
        "Start a sync of the dbt models behind a source.",
        SOURCE_ID),
)
