"""Profiles Sync: warehouses that receive the profiles of an Engage space."""

from actions.ids import SPACE_ID
from connector.spec import REGION, V1ALPHA, Action, ExampleFile, Input, paging

EXAMPLES = ExampleFile.beside(__file__)

# A space's profiles warehouse, not one of /warehouses: the `warehouses` picklist does not fit.
PROFILES_WAREHOUSE_ID = Input("warehouseId", comments="Id of the space's profiles warehouse.",
                              required=True, example="kjU72LCJexvrqL7G4TMHHN")
NAME = Input("name", comments="Display name of the warehouse.", example="Profiles warehouse")
SCHEMA_NAME = Input("schemaName", comments="Schema to write to; the space slug when blank. "
                    "Must not be a schema that already exists.", example="engage_profiles")
_SETTINGS_EXAMPLE = {"hostname": "db.example.com", "port": "5432", "database": "profiles"}


def _settings(model: str) -> Input:
    return Input("settings", "object", "Connection settings of the warehouse type, keyed by "
                 "option name (see its catalog entry).", required=True,
                 schema=f"{model}.settings", example=_SETTINGS_EXAMPLE)


ACTIONS = (
    Action(
        "createProfilesWarehouse", "Create Profiles Warehouse",
        "Add a warehouse that receives the profiles of a space.",
        "POST", "/spaces/{spaceId}/profiles-warehouses", area="ProfilesSync", media=V1ALPHA,
        status=201,
        inputs=(
            REGION, SPACE_ID,
            Input("metadataId", comments="Catalog id of the warehouse type.", required=True,
                  picklist="warehousesCatalog", example="55d3d3aea3c"),
            NAME,
            Input("enabled", "boolean", "Whether the warehouse receives data.", default=True),
            _settings("CreateProfilesWarehouseAlphaInput"),
            SCHEMA_NAME,
        ),
        body_model="CreateProfilesWarehouseAlphaInput",
        response_model="CreateProfilesWarehouse201Response", example=EXAMPLES,
    ),
    Action(
        "listProfilesWarehouseInSpace", "List Profiles Warehouse in Space",
        "List the profiles warehouses of a space.",
        "GET", "/spaces/{spaceId}/profiles-warehouses", area="ProfilesSync", media=V1ALPHA,
        items="profilesWarehouses",
        inputs=(REGION, SPACE_ID, *paging()),
        response_model="ListProfilesWarehouseInSpace200Response", example=EXAMPLES,
    ),
    Action(
        "listSelectiveSyncsFromWarehouseAndSpace", "List Selective Syncs from Warehouse And Space",
        "List which collections and properties a profiles warehouse syncs.",
        "GET", "/spaces/{spaceId}/profiles-warehouses/{warehouseId}/selective-syncs",
        area="ProfilesSync", media=V1ALPHA, items="items",
        inputs=(REGION, SPACE_ID, PROFILES_WAREHOUSE_ID, *paging()),
        response_model="ListSelectiveSyncsFromWarehouseAndSpace200Response", example=EXAMPLES,
    ),
    Action(
        "removeProfilesWarehouseFromSpace", "Remove Profiles Warehouse from Space",
        "Delete a profiles warehouse of a space.",
        "DELETE", "/spaces/{spaceId}/profiles-warehouses/{warehouseId}", area="ProfilesSync",
        media=V1ALPHA,
        inputs=(REGION, SPACE_ID, PROFILES_WAREHOUSE_ID),
        response_model="RemoveProfilesWarehouseFromSpace200Response", example=EXAMPLES,
    ),
    Action(
        "updateProfilesWarehouseForSpaceWarehouse", "Update Profiles Warehouse for Space Warehouse",
        "Change the name, settings, schema or state of a profiles warehouse.",
        "PATCH", "/spaces/{spaceId}/profiles-warehouses/{warehouseId}", area="ProfilesSync",
        media=V1ALPHA,
        inputs=(
            REGION, SPACE_ID, PROFILES_WAREHOUSE_ID,
            NAME,
            Input("enabled", "boolean", "Whether the warehouse receives data."),
            _settings("UpdateProfilesWarehouseForSpaceWarehouseAlphaInput"),
            SCHEMA_NAME,
        ),
        body_model="UpdateProfilesWarehouseForSpaceWarehouseAlphaInput",
        response_model="UpdateProfilesWarehouseForSpaceWarehouse200Response", example=EXAMPLES,
    ),
    Action(
        "updateSelectiveSyncForWarehouseAndSpace", "Update Selective Sync for Warehouse And Space",
        "Choose which collections and properties a profiles warehouse syncs.",
        "PATCH", "/spaces/{spaceId}/profiles-warehouses/{warehouseId}/selective-syncs",
        area="ProfilesSync", media=V1ALPHA,
        inputs=(
            REGION, SPACE_ID, PROFILES_WAREHOUSE_ID,
            Input("syncOverrides", "array", "Overrides, each a `collection`, an optional "
                  "`property` and whether it is `enabled`.", items="object",
                  schema="UpdateSelectiveSyncForWarehouseAndSpaceAlphaInput.syncOverrides",
                  example=[{"collection": "identifies", "property": "email", "enabled": False}]),
            Input("enableEventTables", "boolean", "Sync the event tables at all; selective sync "
                  "needs this on."),
        ),
        body_model="UpdateSelectiveSyncForWarehouseAndSpaceAlphaInput",
        response_model="UpdateSelectiveSyncForWarehouseAndSpace200Response", example=EXAMPLES,
    ),
)
