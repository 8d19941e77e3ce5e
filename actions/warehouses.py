"""Warehouses: data warehouses that receive the data of connected sources."""

from actions.ids import SOURCE_ID, WAREHOUSE_ID
from connector.spec import REGION, V1, Action, ExampleFile, Input, paging

EXAMPLES = ExampleFile.beside(__file__)

METADATA_ID = Input("metadataId", comments="Catalog id of the warehouse type.", required=True,
                    picklist="warehousesCatalog", example="55d3d3aea3c")
NAME = Input("name", comments="Display name of the warehouse.", example="Analytics warehouse")


def _settings(model: str) -> Input:
    # Each body model has its own schema, so this cannot be one shared constant.
    return Input("settings", "object", "Connection settings of the warehouse type, keyed by "
                 "option name (see its catalog entry).", required=True,
                 schema=f"{model}.settings",
                 example={"hostname": "db.example.com", "port": "5432", "database": "analytics"})


ACTIONS = (
    Action(
        "addConnectionFromSourceToWarehouse", "Add Connection from Source to Warehouse",
        "Connect a source to a warehouse so its data is loaded there.",
        "POST", "/warehouses/{warehouseId}/connected-sources/{sourceId}",
        area="Warehouses", media=V1, status=201,
        inputs=(REGION, WAREHOUSE_ID, SOURCE_ID),
        response_model="AddConnectionFromSourceToWarehouse201Response", example=EXAMPLES,
    ),
    Action(
        "createValidationInWarehouse", "Create Validation in Warehouse",
        "Check warehouse connection settings without saving them.",
        "POST", "/warehouses/validation", area="Warehouses", media=V1,
        inputs=(REGION, METADATA_ID, _settings("CreateValidationInWarehouseV1Input")),
        body_model="CreateValidationInWarehouseV1Input",
        response_model="CreateValidationInWarehouse200Response", example=EXAMPLES,
    ),
    Action(
        "createWarehouse", "Create Warehouse", "Create a warehouse from a catalog entry.",
        "POST", "/warehouses", area="Warehouses", media=V1, status=201,
        inputs=(
            REGION,
            Input("disconnectAllSources", "boolean",
                  "Leave every source unconnected instead of connecting them all."),
            Input("enabled", "boolean", "Whether the warehouse receives data.", default=True),
            METADATA_ID,
            NAME,
            _settings("CreateWarehouseV1Input"),
        ),
        body_model="CreateWarehouseV1Input", response_model="CreateWarehouse201Response",
        example=EXAMPLES,
    ),
    Action(
        "deleteWarehouse", "Delete Warehouse", "Delete a warehouse.",
        "DELETE", "/warehouses/{warehouseId}", area="Warehouses", media=V1,
        inputs=(REGION, WAREHOUSE_ID),
        response_model="DeleteWarehouse200Response", example=EXAMPLES,
    ),
    Action(
        "getConnectionStateFromWarehouse", "Get Connection State from Warehouse",
        "Report whether Segment can currently reach a warehouse.",
        "GET", "/warehouses/{warehouseId}/connection-state", area="Warehouses", media=V1,
        inputs=(REGION, WAREHOUSE_ID),
        response_model="GetConnectionStateFromWarehouse200Response", example=EXAMPLES,
    ),
    Action(
        "getWarehouse", "Get Warehouse", "Fetch one warehouse by id.",
        "GET", "/warehouses/{warehouseId}", area="Warehouses", media=V1,
        inputs=(REGION, WAREHOUSE_ID),
        response_model="GetWarehouse200Response", example=EXAMPLES,
    ),
    Action(
        "listConnectedSourcesFromWarehouse", "List Connected Sources from Warehouse",
        "List the sources connected to a warehouse.",
        "GET", "/warehouses/{warehouseId}/connected-sources", area="Warehouses", media=V1,
        items="sources",
        inputs=(REGION, WAREHOUSE_ID, *paging()),
        response_model="ListConnectedSourcesFromWarehouse200Response", example=EXAMPLES,
    ),
    Action(
        "listWarehouses", "List Warehouses", "List the warehouses of the workspace.",
        "GET", "/warehouses", area="Warehouses", media=V1, items="warehouses",
        inputs=(REGION, *paging()),
        response_model="ListWarehouses200Response", example=EXAMPLES,
    ),
    Action(
        "removeSourceConnectionFromWarehouse", "Remove Source Connection from Warehouse",
        "Disconnect a source from a warehouse.",
        "DELETE", "/warehouses/{warehouseId}/connected-sources/{sourceId}",
        area="Warehouses", media=V1,
        inputs=(REGION, WAREHOUSE_ID, SOURCE_ID),
        response_model="RemoveSourceConnectionFromWarehouse200Response", example=EXAMPLES,
    ),
    Action(
        "updateWarehouse", "Update Warehouse", "Change the name, settings or state of a warehouse.",
        "PATCH", "/warehouses/{warehouseId}", area="Warehouses", media=V1,
        inputs=(
            REGION, WAREHOUSE_ID,
            _settings("UpdateWarehouseV1Input"),
            Input("name", comments="New display name of the warehouse.",
                  example="Analytics warehouse"),
            Input("enabled", "boolean", "Whether the warehouse receives data."),
        ),
        body_model="UpdateWarehouseV1Input", response_model="UpdateWarehouse200Response",
        example=EXAMPLES,
    ),
)
