"""Transformations (Protocols): rules that rename, reshape or drop events of a source."""

from dataclasses import replace

from actions.ids import SOURCE_ID, TRANSFORMATION_ID
from connector.spec import REGION, V1, Action, ExampleFile, Input, paging

EXAMPLES = ExampleFile.beside(__file__)

# The seed product's defaults for these two lists, kept so existing flows behave the same.
RENAMES_DEFAULT = [{"newName": "new-property", "oldName": "old-property"}]
VALUES_DEFAULT = [{"propertyPaths": ["properties.another-property"],
                   "propertyValue": "another property value"}]


def _fields(model: str, required: bool) -> tuple[Input, ...]:
    """Body inputs shared by create (name, source, enabled, if required) and update."""
    return (
        Input("name", comments="Name of the transformation.", required=required,
              example="Rename order events"),
        replace(SOURCE_ID, comments="Id of the source whose events are transformed.",
                required=required),
        Input("destinationMetadataId", comments="Catalog id of a destination type, to apply "
              "the transformation only for that destination.", picklist="destinationsCatalog",
              example="547610a5db31d978f14a5c4e"),
        Input("enabled", "boolean", "Whether the transformation is applied.",
              required=required),
        Input("if", comments="FQL condition that selects the events to transform.",
              required=required, example="event = 'Order Placed'"),
        Input("drop", "boolean", "Drop matching events entirely; other changes are ignored."),
        Input("newEventName", comments="New name for matching events (track events only).",
              example="Order Completed"),
        Input("propertyRenames", "array", "Properties to rename, each an `oldName` and a "
              "`newName`.", items="object", default=RENAMES_DEFAULT,
              schema=f"{model}.propertyRenames"),
        Input("propertyValueTransformations", "array", "Values to set, each a list of "
              "`propertyPaths` and the `propertyValue` (up to 10).", items="object",
              default=VALUES_DEFAULT, schema=f"{model}.propertyValueTransformations"),
        Input("fqlDefinedProperties", "array", "New properties computed by FQL, each a "
              "`propertyName` and its `fql` (at most one).", items="object",
              schema=f"{model}.fqlDefinedProperties",
              example=[{"propertyName": "properties.total_cents",
                        "fql": "properties.total * 100"}]),
        Input("allowProperties", "array", "Keep only these properties of matching events.",
              items="string", schema=f"{model}.allowProperties",
              example=["properties.orderId", "properties.total"]),
        Input("hashPropertiesConfiguration", "object", "Properties to hash: an `algorithm`, "
              "the `paths`, and an optional `key` and `encoding`.",
              schema=f"{model}.hashPropertiesConfiguration",
              example={"algorithm": "SHA-256", "paths": ["properties.email"]}),
    )


ACTIONS = (
    Action(
        "createTransformation", "Create Transformation",
        "Create a transformation for the events of a source.",
        "POST", "/transformations", area="Transformations", media=V1,
        inputs=(REGION, *_fields("CreateTransformationV1Input", required=True)),
        body_model="CreateTransformationV1Input",
        response_model="CreateTransformation200Response", example=EXAMPLES,
    ),
    Action(
        "deleteTransformation", "Delete Transformation", "Delete a transformation.",
        "DELETE", "/transformations/{transformationId}", area="Transformations", media=V1,
        inputs=(REGION, TRANSFORMATION_ID),
        response_model="DeleteTransformation200Response", example=EXAMPLES,
    ),
    Action(
        "getTransformation", "Get Transformation", "Fetch one transformation by id.",
        "GET", "/transformations/{transformationId}", area="Transformations", media=V1,
        inputs=(REGION, TRANSFORMATION_ID),
        response_model="GetTransformation200Response", example=EXAMPLES,
    ),
    Action(
        "listTransformations", "List Transformations",
        "List the transformations of the workspace.",
        "GET", "/transformations", area="Transformations", media=V1, items="transformations",
        inputs=(REGION, *paging()),
        response_model="ListTransformations200Response", example=EXAMPLES,
    ),
    Action(
        "updateTransformation", "Update Transformation",
        "Change the condition, changes or state of a transformation.",
        "PATCH", "/transformations/{transformationId}", area="Transformations", media=V1,
        inputs=(REGION, TRANSFORMATION_ID, *_fields("UpdateTransformationV1Input",
                                                    required=False)),
        body_model="UpdateTransformationV1Input",
        response_model="UpdateTransformation200Response", example=EXAMPLES,
    ),
)
