"""Warehouses: data warehouses that receive the data of connected sources."""

from actions.ids import SOURCE_ID, WAREHOUSE_ID
from connector.spec import Input, Overlays

api = Overlays(__file__)

METADATA_ID = Input("metadataId", comments="Catalog id of the warehouse type.",
                    picklist="warehousesCatalog", example="55d3d3aea3c")
NAME = Input("name", comments="Display name of the warehouse.", example="Analytics warehouse")


SETTINGS = Input("settings", comments="Connection settings of the warehouse type, keyed by "
                 "option name (see its catalog entry).",
                 example={"hostname": "db.example.com", "port": "5432", "database": "analytics"})


ACTIONS = (
    api("addConnectionFromSourceToWarehouse", "Add Connection from Source to Warehouse",
        "Connect a source to a warehouse so its data is loaded there.",
        WAREHOUSE_ID, SOURCE_ID),
    api("createValidationInWarehouse", "Create Validation in Warehouse",
        "Check warehouse connection settings without saving them.",
        METADATA_ID, SETTINGS, safety="read", idempotent=True),  # saves nothing
    api("createWarehouse", "Create Warehouse", "Create a warehouse from a catalog entry.",
        Input("disconnectAllSources",
              comments="Leave every source unconnected instead of connecting them all."),
        Input("enabled", comments="Whether the warehouse receives data.", default=True),
        METADATA_ID, NAME, SETTINGS),
    api("deleteWarehouse", "Delete Warehouse", "Delete a warehouse.", WAREHOUSE_ID),
    api("getConnectionStateFromWarehouse", "Get Connection State from Warehouse",
        "Report whether Segment can currently reach a warehouse.",
        WAREHOUSE_ID),
    api("getWarehouse", "Get Warehouse", "Fetch one warehouse by id.", WAREHOUSE_ID),
    api("listConnectedSourcesFromWarehouse", "List Connected Sources from Warehouse",
        "List the sources connected to a warehouse.",
        WAREHOUSE_ID),
    api("listWarehouses", "List Warehouses", "List the warehouses of the workspace."),
    api("removeSourceConnectionFromWarehouse", "Remove Source Connection from Warehouse",
        "Disconnect a source from a warehouse.",
        WAREHOUSE_ID, SOURCE_ID),
    api("updateWarehouse", "Update Warehouse",
        "Change the name, settings or state of a warehouse.",
        WAREHOUSE_ID, SETTINGS,
        Input("name", comments="New display name of the warehouse.", example="Analytics warehouse"),
        Input("enabled", comments="Whether the warehouse receives data.")),
)
