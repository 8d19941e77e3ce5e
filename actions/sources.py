"""Sources: the inputs of a workspace (websites, apps, servers, cloud apps)."""

from connector.spec import Input, Overlays

api = Overlays(__file__)

SOURCE_ID = Input("sourceId", comments="Id of the source.", required=True,
                  picklist="sources", example="rh5BDZp6QDHvXFCkibm1pR")
SETTINGS = Input("settings", comments="Source settings, keyed by option name; a null value "
                 "removes a key.", example={"websiteUrl": "https://example.com"})
WRITE_KEY = Input("writeKey", comments="Write key to revoke.",
                  example="VHyMJvXQxjJcSUMmsTNRqrYbfqGsAaaS")
TRAIT_RULES = "`allowUnplannedTraits`, `allowTraitsOnViolations`, `commonEventOnViolations`"
FORWARD_TO = "Id of a source that receives the events this one {}; blank: none."


def _labels(comments: str) -> Input:
    return Input("labels", comments=comments, picklist="labels",
                 example=[{"key": "environment", "value": "prod"}])


def _schema_rules(call: str, fields: str) -> Input:
    return Input(call, comments=f"How `{call}` calls that break the tracking plan are handled: "
                 f"{fields}.")


ACTIONS = (
    api("listSources", "List Sources", "List the sources of the workspace."),
    api("getSource", "Get Source", "Fetch one source by id.", SOURCE_ID),
    api("createSource", "Create Source", "Create a source from a catalog entry.",
        Input("slug", comments="Unique, URL-safe handle of the source.", example="my-website"),
        Input("enabled", comments="Whether the source accepts data.", default=True, example=True),
        Input("metadataId", comments="Catalog id of the source type.", picklist="sourcesCatalog",
              example="IqDTy1TpoU"),
        SETTINGS,
        Input("disconnectAllWarehouses",
              comments="Leave the new source unconnected to the workspace's warehouses.")),
    api("updateSource", "Update Source", "Change the slug, name, settings or state of a source.",
        SOURCE_ID,
        Input("slug", comments="New handle of the source.", example="my-website"),
        Input("enabled", comments="Whether the source accepts data."),
        Input("name", comments="Display name of the source.", example="My website"), SETTINGS),
    api("deleteSource", "Delete Source", "Delete a source.", SOURCE_ID),
    api("addLabelsToSource", "Add Labels to Source",
        "Attach labels to a source, keeping the ones it has.",
        SOURCE_ID,
        _labels("Labels to attach, each a `key` and a `value`.")),
    api("createWriteKeyForSource", "Create Write Key for Source",
        "Add a new write key to a source.",
        SOURCE_ID),
    api("listConnectedDestinationsFromSource", "List Connected Destinations from Source",
        "List the destinations that receive data from a source.",
        SOURCE_ID),
    api("listConnectedWarehousesFromSource", "List Connected Warehouses from Source",
        "List the warehouses that load data from a source.",
        SOURCE_ID),
    api("listSchemaSettingsInSource", "List Schema Settings in Source",
        "Fetch how a source handles events that break its tracking plan.",
        SOURCE_ID),
    api("removeWriteKeyFromSource", "Remove Write Key from Source",
        "Revoke one write key of a source.",
        SOURCE_ID, WRITE_KEY),
    api("replaceLabelsInSource", "Replace Labels in Source",
        "Set the labels of a source, dropping any not listed.",
        SOURCE_ID,
        _labels("All labels of the source, each a `key` and a `value`."),
        safety="destructive"),
    api("updateSchemaSettingsInSource", "Update Schema Settings in Source",
        "Change how a source handles events that break its tracking plan.",
        SOURCE_ID,
        Input("forwardingBlockedEventsTo", comments=FORWARD_TO.format("blocks"),
              picklist="sources", example="aB3dE5fG7hJ9kL1mN3pQ5r"),
        Input("forwardingViolationsTo", comments=FORWARD_TO.format("flags as violations"),
              picklist="sources", example="aB3dE5fG7hJ9kL1mN3pQ5r"),
        _schema_rules("group", TRAIT_RULES),
        _schema_rules("identify", TRAIT_RULES),
        _schema_rules("track", "`allowUnplannedEvents`, `allowUnplannedEventProperties`, "
                      "`allowEventOnViolations`, `allowPropertiesOnViolations`, "
                      "`commonEventOnViolations`")),
)
