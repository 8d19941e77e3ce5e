"""Catalog: the source, destination and warehouse types Segment offers."""

from connector.spec import REGION, Action, ExampleFile, Input, paging

EXAMPLES = ExampleFile.beside(__file__)

ACTIONS = (
    Action(
        "getDestinationMetadata", "Get Destination Metadata",
        "Fetch one destination type from the catalog.",
        "GET", "/catalog/destinations/{destinationMetadataId}", area="Catalog",
        inputs=(
            REGION,
            Input("destinationMetadataId", comments="Catalog id of the destination type.",
                  required=True, example="54521fd525e721e32a72ee8f",
                  picklist="destinationsCatalog"),
        ),
        response_model="GetDestinationMetadata200Response", example=EXAMPLES,
    ),
    Action(
        "getDestinationsCatalog", "Get Destinations Catalog",
        "List the destination types in the catalog.",
        "GET", "/catalog/destinations",
        area="Catalog", items="destinationsCatalog", aliases=("listDestinationCatalog",),
        inputs=(REGION, *paging()),
        response_model="GetDestinationsCatalog200Response", example=EXAMPLES,
    ),
    Action(
        "getSourceMetadata", "Get Source Metadata", "Fetch one source type from the catalog.",
        "GET", "/catalog/sources/{sourceMetadataId}", area="Catalog",
        inputs=(
            REGION,
            Input("sourceMetadataId", comments="Catalog id of the source type.", required=True,
                  example="IqDTy1TpoU", picklist="sourcesCatalog"),
        ),
        response_model="GetSourceMetadata200Response", example=EXAMPLES,
    ),
    Action(
        "getSourcesCatalog", "Get Sources Catalog", "List the source types in the catalog.",
        "GET", "/catalog/sources",
        area="Catalog", items="sourcesCatalog", aliases=("listSourcesCatalog",),
        inputs=(REGION, *paging()),
        response_model="GetSourcesCatalog200Response", example=EXAMPLES,
    ),
    Action(
        "getWarehouseMetadata", "Get Warehouse Metadata",
        "Fetch one warehouse type from the catalog.",
        "GET", "/catalog/warehouses/{warehouseMetadataId}", area="Catalog",
        inputs=(
            REGION,
            Input("warehouseMetadataId", comments="Catalog id of the warehouse type.",
                  required=True, example="aea3c3ab5f", picklist="warehousesCatalog"),
        ),
        response_model="GetWarehouseMetadata200Response", example=EXAMPLES,
    ),
    Action(
        "getWarehousesCatalog", "Get Warehouses Catalog",
        "List the warehouse types in the catalog.",
        "GET", "/catalog/warehouses",
        area="Catalog", items="warehousesCatalog", aliases=("listWarehousesCatalog",),
        inputs=(REGION, *paging()),
        response_model="GetWarehousesCatalog200Response", example=EXAMPLES,
    ),
)
