"""Labels: key/value tags of the workspace used to group resources and scope access."""

from connector.spec import Input, Overlays

api = Overlays(__file__)

ACTIONS = (
    api("createLabel", "Create Label", "Create a label in the workspace.",
        Input("label", comments="The label: `key`, `value` and an optional `description`.",
              example={"key": "environment", "value": "production",
                       "description": "Resources that serve live traffic"})),
    api("deleteLabel", "Delete Label", "Delete a label given its key and value.",
        Input("key", comments="Key of the label.", example="environment"),
        Input("value", comments="Value of the label.", example="production")),
    api("listLabels", "List Labels", "List every label defined in the workspace."),
)
