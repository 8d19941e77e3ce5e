"""Profiles Sync: warehouses that receive the profiles of an Engage space."""

from actions.ids import SPACE_ID
from connector.spec import Input, Overlays

api = Overlays(__file__)

# A space's profiles warehouse, not one of /warehouses: the `warehouses` picklist does not fit.
PROFILES_WAREHOUSE_ID = Input("warehouseId", comments="Id of the space's profiles warehouse.",
                              required=True, picklist="profilesWarehouses",
                              example="kjU72LCJexvrqL7G4TMHHN")
NAME = Input("name", comments="Display name of the warehouse.", example="Profiles warehouse")
SCHEMA_NAME = Input("schemaName", comments="Schema to write to; the space slug when blank. "
                    "Must not be a schema that already exists.", example="engage_profiles")
_SETTINGS_EXAMPLE = {"hostname": "db.example.com", "port": "5432", "database": "profiles"}


SETTINGS = Input("settings", comments="Connection settings of the warehouse type, keyed by "
                 "option name (see its catalog entry).", example=_SETTINGS_EXAMPLE)


ACTIONS = (
    api("createProfilesWarehouse", "Create Profiles Warehouse",
        "Add a warehouse that receives the profiles of a space.",
        SPACE_ID,
        Input("metadataId", comments="Catalog id of the warehouse type.",
              picklist="warehousesCatalog", example="55d3d3aea3c"),
        NAME,
        Input("enabled", comments="Whether the warehouse receives data.", default=True),
        SETTINGS, SCHEMA_NAME),
    api("listProfilesWarehouseInSpace", "List Profiles Warehouse in Space",
        "List the profiles warehouses of a space.",
        SPACE_ID),
    api("listSelectiveSyncsFromWarehouseAndSpace", "List Selective Syncs from Warehouse And Space",
        "List which collections and properties a profiles warehouse syncs.",
        SPACE_ID, PROFILES_WAREHOUSE_ID),
    api("removeProfilesWarehouseFromSpace", "Remove Profiles Warehouse from Space",
        "Delete a profiles warehouse of a space.",
        SPACE_ID, PROFILES_WAREHOUSE_ID),
    api("updateProfilesWarehouseForSpaceWarehouse",
        "Update Profiles Warehouse for Space Warehouse",
        "Change the name, settings, schema or state of a profiles warehouse.",
        SPACE_ID, PROFILES_WAREHOUSE_ID, NAME,
        Input("enabled", comments="Whether the warehouse receives data."),
        SETTINGS, SCHEMA_NAME),
    api("updateSelectiveSyncForWarehouseAndSpace", "Update Selective Sync for Warehouse And Space",
        "Choose which collections and properties a profiles warehouse syncs.",
        SPACE_ID, PROFILES_WAREHOUSE_ID,
        Input("syncOverrides", comments="Overrides, each a `collection`, an optional "
              "`property` and whether it is `enabled`.",
              example=[{"collection": "identifies", "property": "email", "enabled": False}]),
        Input("enableEventTables",
              comments="Sync the event tables at all; selective sync needs this on.")),
)
