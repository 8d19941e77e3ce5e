"""Catalog: the source, destination and warehouse types Segment offers."""

from connector.spec import Input, Overlays

api = Overlays(__file__)

ACTIONS = (
    api("getDestinationMetadata", "Get Destination Metadata",
        "Fetch one destination type from the catalog.",
        Input("destinationMetadataId", comments="Catalog id of the destination type.",
              example="54521fd525e721e32a72ee8f", picklist="destinationsCatalog")),
    api("getDestinationsCatalog", "Get Destinations Catalog",
        "List the destination types in the catalog.",
        aliases=("listDestinationCatalog",)),
    api("getSourceMetadata", "Get Source Metadata", "Fetch one source type from the catalog.",
        Input("sourceMetadataId", comments="Catalog id of the source type.", example="IqDTy1TpoU",
              picklist="sourcesCatalog")),
    api("getSourcesCatalog", "Get Sources Catalog", "List the source types in the catalog.",
        aliases=("listSourcesCatalog",)),
    api("getWarehouseMetadata", "Get Warehouse Metadata",
        "Fetch one warehouse type from the catalog.",
        Input("warehouseMetadataId", comments="Catalog id of the warehouse type.",
              example="aea3c3ab5f", picklist="warehousesCatalog")),
    api("getWarehousesCatalog", "Get Warehouses Catalog",
        "List the warehouse types in the catalog.",
        aliases=("listWarehousesCatalog",)),
)
