"""Sources: the inputs of a workspace (websites, apps, servers, cloud apps)."""

from connector.spec import REGION, V1, Action, ExampleFile, Input, paging

EXAMPLES = ExampleFile.beside(__file__)

SOURCE_ID = Input("sourceId", comments="Id of the source.", required=True,
                  picklist="sources", example="rh5BDZp6QDHvXFCkibm1pR")
SETTINGS = Input("settings", "object", "Source settings, keyed by option name; "
                 "a null value removes a key.", example={"websiteUrl": "https://example.com"})

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
)
