"""Selective sync: what a warehouse loads from each connected source, and when."""

from actions.ids import SOURCE_ID, WAREHOUSE_ID
from connector.spec import REGION, V1, Action, ExampleFile, Input, paging

EXAMPLES = ExampleFile.beside(__file__)

ACTIONS = (
    Action(
        "getAdvancedSyncScheduleFromWarehouse", "Get Advanced Sync Schedule from Warehouse",
        "Fetch the hours of the day at which a warehouse syncs.",
        "GET", "/warehouses/{warehouseId}/advanced-sync-schedule", area="SelectiveSync",
        media=V1,
        inputs=(REGION, WAREHOUSE_ID),
        response_model="GetAdvancedSyncScheduleFromWarehouse200Response", example=EXAMPLES,
    ),
    Action(
        "listSelectiveSyncsFromWarehouseAndSource",
        "List Selective Syncs from Warehouse And Source",
        "List which collections and properties of a source a warehouse syncs.",
        "GET", "/warehouses/{warehouseId}/connected-sources/{sourceId}/selective-syncs",
        area="SelectiveSync", media=V1, items="items",
        inputs=(REGION, WAREHOUSE_ID, SOURCE_ID, *paging()),
        response_model="ListSelectiveSyncsFromWarehouseAndSource200Response", example=EXAMPLES,
    ),
    Action(
        "listSyncsFromWarehouse", "List Syncs from Warehouse",
        "List recent sync reports of a warehouse, for every connected source.",
        "GET", "/warehouses/{warehouseId}/syncs", area="SelectiveSync", media=V1,
        items="reports",
        inputs=(REGION, WAREHOUSE_ID, *paging()),
        response_model="ListSyncsFromWarehouse200Response", example=EXAMPLES,
    ),
    Action(
        "listSyncsFromWarehouseAndSource", "List Syncs from Warehouse And Source",
        "List recent sync reports of one source into a warehouse.",
        "GET", "/warehouses/{warehouseId}/connected-sources/{sourceId}/syncs",
        area="SelectiveSync", media=V1, items="reports",
        inputs=(REGION, WAREHOUSE_ID, SOURCE_ID, *paging()),
        response_model="ListSyncsFromWarehouseAndSource200Response", example=EXAMPLES,
    ),
    Action(
        "replaceAdvancedSyncScheduleForWarehouse", "Replace Advanced Sync Schedule for Warehouse",
        "Set the hours of the day at which a warehouse syncs, replacing the old schedule.",
        "PUT", "/warehouses/{warehouseId}/advanced-sync-schedule", area="SelectiveSync",
        media=V1,
        inputs=(
            REGION, WAREHOUSE_ID,
            Input("enabled", "boolean", "Use the advanced schedule instead of the default one.",
                  required=True),
            Input("schedule", "object", "The schedule: a `timezone` and the `times` "
                  "(`hourOfDay`, `enabled`) to sync at.",
                  schema="ReplaceAdvancedSyncScheduleForWarehouseV1Input.schedule",
                  example={"timezone": "America/New_York",
                           "times": [{"hourOfDay": 2, "enabled": True},
                                     {"hourOfDay": 14, "enabled": True}]}),
        ),
        body_model="ReplaceAdvancedSyncScheduleForWarehouseV1Input",
        response_model="ReplaceAdvancedSyncScheduleForWarehouse200Response", example=EXAMPLES,
    ),
    Action(
        "updateSelectiveSyncForWarehouse", "Update Selective Sync for Warehouse",
        "Turn syncing of single sources, collections or properties of a warehouse on or off.",
        "PATCH", "/warehouses/{warehouseId}/selective-sync", area="SelectiveSync", media=V1,
        inputs=(
            REGION, WAREHOUSE_ID,
            Input("syncOverrides", "array", "Overrides, each a `sourceId`, an optional "
                  "`collection` and `property`, and whether it is `enabled`.",
                  required=True, items="object",
                  schema="UpdateSelectiveSyncForWarehouseV1Input.syncOverrides",
                  example=[{"sourceId": "rh5BDZp6QDHvXFCkibm1pR", "collection": "pages",
                            "enabled": False}]),
        ),
        body_model="UpdateSelectiveSyncForWarehouseV1Input",
        response_model="UpdateSelectiveSyncForWarehouse200Response", example=EXAMPLES,
    ),
)
