"""Selective sync: what a warehouse loads from each connected source, and when."""

from actions.ids import SOURCE_ID, WAREHOUSE_ID
from connector.spec import Input, Overlays

api = Overlays(__file__)

ACTIONS = (
    api("getAdvancedSyncScheduleFromWarehouse", "Get Advanced Sync Schedule from Warehouse",
        "Fetch the hours of the day at which a warehouse syncs.",
        WAREHOUSE_ID),
    api("listSelectiveSyncsFromWarehouseAndSource",
        "List Selective Syncs from Warehouse And Source",
        "List which collections and properties of a source a warehouse syncs.",
        WAREHOUSE_ID, SOURCE_ID),
    api("listSyncsFromWarehouse", "List Syncs from Warehouse",
        "List recent sync reports of a warehouse, for every connected source.",
        WAREHOUSE_ID),
    api("listSyncsFromWarehouseAndSource", "List Syncs from Warehouse And Source",
        "List recent sync reports of one source into a warehouse.",
        WAREHOUSE_ID, SOURCE_ID),
    api("replaceAdvancedSyncScheduleForWarehouse", "Replace Advanced Sync Schedule for Warehouse",
        "Set the hours of the day at which a warehouse syncs, replacing the old schedule.",
        WAREHOUSE_ID,
        Input("enabled", comments="Use the advanced schedule instead of the default one.",
              example=True),
        Input("schedule", comments="The schedule: a `timezone` and the `times` (`hourOfDay`, "
              "`enabled`) to sync at.",
              example={"timezone": "America/New_York",
                       "times": [{"hourOfDay": 2, "enabled": True},
                                 {"hourOfDay": 14, "enabled": True}]})),
    api("updateSelectiveSyncForWarehouse", "Update Selective Sync for Warehouse",
        "Turn syncing of single sources, collections or properties of a warehouse on or off.",
        WAREHOUSE_ID,
        Input("syncOverrides", comments="Overrides, each a `sourceId`, an optional "
              "`collection` and `property`, and whether it is `enabled`.",
              example=[{"sourceId": "rh5BDZp6QDHvXFCkibm1pR", "collection": "pages",
                        "enabled": False}])),
)
