"""Sources: the inputs of a workspace (websites, apps, servers, cloud apps)."""

from connector.spec import REGION, V1, V1ALPHA, Action, ExampleFile, Input, paging

EXAMPLES = ExampleFile.beside(__file__)

SOURCE_ID = Input("sourceId", comments="Id of the source.", required=True,
                  picklist="sources", example="rh5BDZp6QDHvXFCkibm1pR")
SETTINGS = Input("settings", "object", "Source settings, keyed by option name; "
                 "a null value removes a key.", example={"websiteUrl": "https://example.com"})
WRITE_KEY = Input("writeKey", comments="Write key to revoke.", required=True,
                  example="VHyMJvXQxjJcSUMmsTNRqrYbfqGsAaaS")
TRAIT_RULES = "`allowUnplannedTraits`, `allowTraitsOnViolations`, `commonEventOnViolations`"
FORWARD_TO = "Id of a source that receives the events this one {}; blank: none."


def _labels(model: str, comments: str) -> Input:
    # Each body model has its own schema, so this cannot be one shared constant.
    return Input("labels", "array", comments, required=True, items="object",
                 schema=f"{model}.labels", example=[{"key": "environment", "value": "prod"}])


def _schema_rules(call: str, fields: str) -> Input:
    return Input(call, "object", f"How `{call}` calls that break the tracking plan are "
                 f"handled: {fields}.", schema=f"UpdateSchemaSettingsInSourceV1Input.{call}")


ACTIONS = (
    Action(
        "listSources", "List Sources", "List the sources of the workspace.",
        "GET", "/sources", area="Sources", items="sources",
        inputs=(REGION, *paging()),
        response_model="ListSources200Response", example=EXAMPLES,
    ),
    Action(
        "getSource", "Get Source", "Fetch one source by id.",
        "GET", "/sources/{sourceId}", area="Sources",
        inputs=(REGION, SOURCE_ID),
        response_model="GetSource200Response", example=EXAMPLES,
    ),
    Action(
        "createSource", "Create Source", "Create a source from a catalog entry.",
        "POST", "/sources", area="Sources", status=201, media=V1,
        inputs=(
            REGION,
            Input("slug", comments="Unique, URL-safe handle of the source.",
                  required=True, example="my-website"),
            Input("enabled", "boolean", "Whether the source accepts data.",
                  required=True, default=True),
            Input("metadataId", comments="Catalog id of the source type.", required=True,
                  picklist="sourcesCatalog", example="IqDTy1TpoU"),
            SETTINGS,
            Input("disconnectAllWarehouses", "boolean",
                  "Leave the new source unconnected to the workspace's warehouses."),
        ),
        body_model="CreateSourceV1Input", response_model="CreateSource201Response",
        example=EXAMPLES,
    ),
    Action(
        "updateSource", "Update Source", "Change the slug, name, settings or state of a source.",
        "PATCH", "/sources/{sourceId}", area="Sources",
        inputs=(
            REGION, SOURCE_ID,
            Input("slug", comments="New handle of the source.", example="my-website"),
            Input("enabled", "boolean", "Whether the source accepts data."),
            Input("name", comments="Display name of the source.", example="My website"),
            SETTINGS,
        ),
        body_model="UpdateSourceV1Input", response_model="UpdateSource200Response",
        example=EXAMPLES,
    ),
    Action(
        "deleteSource", "Delete Source", "Delete a source.",
        "DELETE", "/sources/{sourceId}", area="Sources",
        inputs=(REGION, SOURCE_ID),
        response_model="DeleteSource200Response", example=EXAMPLES,
    ),
    Action(
        "addLabelsToSource", "Add Labels to Source",
        "Attach labels to a source, keeping the ones it has.",
        "POST", "/sources/{sourceId}/labels", area="Sources",
        inputs=(REGION, SOURCE_ID, _labels("AddLabelsToSourceV1Input",
                                           "Labels to attach, each a `key` and a `value`.")),
        body_model="AddLabelsToSourceV1Input", response_model="AddLabelsToSource200Response",
        example=EXAMPLES,
    ),
    Action(
        "createWriteKeyForSource", "Create Write Key for Source",
        "Add a new write key to a source.",
        "POST", "/sources/{sourceId}/writekey", area="Sources", media=V1ALPHA,
        inputs=(REGION, SOURCE_ID),
        response_model="CreateWriteKeyForSource200Response", example=EXAMPLES,
    ),
    Action(
        "listConnectedDestinationsFromSource", "List Connected Destinations from Source",
        "List the destinations that receive data from a source.",
        "GET", "/sources/{sourceId}/connected-destinations", area="Sources",
        items="destinations",
        inputs=(REGION, SOURCE_ID, *paging()),
        response_model="ListConnectedDestinationsFromSource200Response", example=EXAMPLES,
    ),
    Action(
        "listConnectedWarehousesFromSource", "List Connected Warehouses from Source",
        "List the warehouses that load data from a source.",
        "GET", "/sources/{sourceId}/connected-warehouses", area="Sources", items="warehouses",
        inputs=(REGION, SOURCE_ID, *paging()),
        response_model="ListConnectedWarehousesFromSource200Response", example=EXAMPLES,
    ),
    Action(
        "listSchemaSettingsInSource", "List Schema Settings in Source",
        "Fetch how a source handles events that break its tracking plan.",
        "GET", "/sources/{sourceId}/settings", area="Sources",
        inputs=(REGION, SOURCE_ID),
        response_model="ListSchemaSettingsInSource200Response", example=EXAMPLES,
    ),
    Action(
        "removeWriteKeyFromSource", "Remove Write Key from Source",
        "Revoke one write key of a source.",
        "DELETE", "/sources/{sourceId}/writekey/{writeKey}", area="Sources", media=V1ALPHA,
        inputs=(REGION, SOURCE_ID, WRITE_KEY),
        response_model="RemoveWriteKeyFromSource200Response", example=EXAMPLES,
    ),
    Action(
        "replaceLabelsInSource", "Replace Labels in Source",
        "Set the labels of a source, dropping any not listed.",
        "PUT", "/sources/{sourceId}/labels", area="Sources",
        inputs=(REGION, SOURCE_ID, _labels("ReplaceLabelsInSourceV1Input",
                                           "All labels of the source, each a `key` and a "
                                           "`value`.")),
        body_model="ReplaceLabelsInSourceV1Input",
        response_model="ReplaceLabelsInSource200Response", example=EXAMPLES,
    ),
    Action(
        "updateSchemaSettingsInSource", "Update Schema Settings in Source",
        "Change how a source handles events that break its tracking plan.",
        "PATCH", "/sources/{sourceId}/settings", area="Sources",
        inputs=(
            REGION, SOURCE_ID,
            Input("forwardingBlockedEventsTo", comments=FORWARD_TO.format("blocks"),
                  picklist="sources", example="aB3dE5fG7hJ9kL1mN3pQ5r"),
            Input("forwardingViolationsTo", comments=FORWARD_TO.format("flags as violations"),
                  picklist="sources", example="aB3dE5fG7hJ9kL1mN3pQ5r"),
            _schema_rules("group", TRAIT_RULES),
            _schema_rules("identify", TRAIT_RULES),
            _schema_rules("track", "`allowUnplannedEvents`, `allowUnplannedEventProperties`, "
                          "`allowEventOnViolations`, `allowPropertiesOnViolations`, "
                          "`commonEventOnViolations`"),
        ),
        body_model="UpdateSchemaSettingsInSourceV1Input",
        response_model="UpdateSchemaSettingsInSource200Response", example=EXAMPLES,
    ),
)
