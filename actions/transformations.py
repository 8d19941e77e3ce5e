"""Transformations (Protocols): rules that rename, reshape or drop events of a source."""

from dataclasses import replace

from actions.ids import SOURCE_ID, TRANSFORMATION_ID
from connector.spec import Input, Overlays

api = Overlays(__file__)

# The seed product's templates of these two lists: examples, never sent unasked.
RENAMES_EXAMPLE = [{"newName": "new-property", "oldName": "old-property"}]
VALUES_EXAMPLE = [{"propertyPaths": ["properties.another-property"],
                   "propertyValue": "another property value"}]

# Body inputs of create (which requires name, source, enabled and if) and update.
FIELDS = (
    Input("name", comments="Name of the transformation.", example="Rename order events"),
    # Required on create only; the catalogue says which.
    replace(SOURCE_ID, comments="Id of the source whose events are transformed.",
            required=False),
    Input("destinationMetadataId", comments="Catalog id of a destination type, to apply the "
          "transformation only for that destination.", picklist="destinationsCatalog",
          example="547610a5db31d978f14a5c4e"),
    Input("enabled", comments="Whether the transformation is applied.", example=True),
    Input("if", comments="FQL condition that selects the events to transform.",
          example="event = 'Order Placed'"),
    Input("drop", comments="Drop matching events entirely; other changes are ignored."),
    Input("newEventName", comments="New name for matching events (track events only).",
          example="Order Completed"),
    Input("propertyRenames", comments="Properties to rename, each an `oldName` and a `newName`.",
          example=RENAMES_EXAMPLE),
    Input("propertyValueTransformations", comments="Values to set, each a list of "
          "`propertyPaths` and the `propertyValue` (up to 10).", example=VALUES_EXAMPLE),
    Input("fqlDefinedProperties", comments="New properties computed by FQL, each a "
          "`propertyName` and its `fql` (at most one).",
          example=[{"propertyName": "properties.total_cents", "fql": "properties.total * 100"}]),
    Input("allowProperties", comments="Keep only these properties of matching events.",
          example=["properties.orderId", "properties.total"]),
    Input("hashPropertiesConfiguration", comments="Properties to hash: an `algorithm`, the "
          "`paths`, and an optional `key` and `encoding`.",
          example={"algorithm": "SHA-256", "paths": ["properties.email"]}),
)


ACTIONS = (
    api("createTransformation", "Create Transformation",
        "Create a transformation for the events of a source.",
        *FIELDS),
    api("deleteTransformation", "Delete Transformation", "Delete a transformation.",
        TRANSFORMATION_ID),
    api("getTransformation", "Get Transformation", "Fetch one transformation by id.",
        TRANSFORMATION_ID),
    api("listTransformations", "List Transformations",
        "List the transformations of the workspace."),
    api("updateTransformation", "Update Transformation",
        "Change the condition, changes or state of a transformation.",
        TRANSFORMATION_ID, *FIELDS),
)
