"""Labels: key/value tags of the workspace used to group resources and scope access."""

from connector.spec import REGION, V1, Action, ExampleFile, Input

EXAMPLES = ExampleFile.beside(__file__)

ACTIONS = (
    Action(
        "createLabel", "Create Label", "Create a label in the workspace.",
        "POST", "/labels", area="Labels", media=V1, status=201,
        inputs=(
            REGION,
            Input("label", "object", "The label: `key`, `value` and an optional `description`.",
                  required=True, schema="CreateLabelV1Input.label",
                  example={"key": "environment", "value": "production",
                           "description": "Resources that serve live traffic"}),
        ),
        body_model="CreateLabelV1Input", response_model="CreateLabel201Response",
        example=EXAMPLES,
    ),
    Action(
        "deleteLabel", "Delete Label", "Delete a label given its key and value.",
        "DELETE", "/labels/{key}/{value}", area="Labels", media=V1,
        inputs=(
            REGION,
            Input("key", comments="Key of the label.", required=True, picklist="labels",
                  example="environment"),
            Input("value", comments="Value of the label.", required=True, example="production"),
        ),
        response_model="DeleteLabel200Response", example=EXAMPLES,
    ),
    Action(
        "listLabels", "List Labels", "List every label defined in the workspace.",
        "GET", "/labels", area="Labels", media=V1,
        inputs=(REGION,),
        response_model="ListLabels200Response", example=EXAMPLES,
    ),
)
