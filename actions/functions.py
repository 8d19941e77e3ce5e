"""Functions: custom source, destination and insert code, its versions and instances."""

from actions.ids import FUNCTION_ID, VERSION_ID
from connector.spec import Input, Overlays

api = Overlays(__file__)

# The seed product's template of declared settings; an example, never sent unasked.
FUNCTION_SETTINGS = [
    {"name": "apiKey", "label": "api key", "type": "STRING", "description": "api key",
     "required": False, "sensitive": False},
    {"name": "mySecret", "label": "my secret key", "type": "STRING",
     "description": "secret key", "required": False, "sensitive": True},
]

LOGO_URL = Input("logoUrl", comments="URL of the function's logo.",
                 example="https://example.com/logo.png")
DESCRIPTION = Input("description", comments="Description of the function.",
                    example="Adds order totals")
ENABLED = Input("enabled", comments="Whether the instance processes events.")
SETTINGS = Input("settings", comments="Instance settings, as the function declares them.",
                 example={"apiKey": "abc123"})
INSTANCE_ID = Input("instanceId", comments="Id of the insert function instance.",
                    required=True, picklist="insertFunctionInstances",
                    example="2Fr5uFAoV7Sgd7CoGzTi5FqWTzV")

ACTIONS = (
    api("createFunction", "Create Function",
        "Create a source, destination or insert function from code.",
        Input("code", comments="JavaScript source of the function.",
              example="async function onTrack(event, settings) {}"),
        Input("settings", comments="Settings the function declares, shown to whoever deploys it.",
              example=FUNCTION_SETTINGS, label="Function Settings"),
        Input("displayName", comments="Display name of the function.", example="Enrich orders"),
        LOGO_URL,
        Input("resourceType", comments="Kind of function, e.g. `SOURCE` or `INSERT_DESTINATION`.",
              example="DESTINATION"),
        DESCRIPTION),
    api("createFunctionDeployment", "Create Function Deployment",
        "Deploy the latest code of a function to its instances.",
        FUNCTION_ID),
    api("createInsertFunctionInstance", "Create Insert Function Instance",
        "Attach an insert function to a source or destination.",
        FUNCTION_ID,
        Input("integrationId", comments="Id of the source or destination to attach to.",
              example="5GFhvtz8fha42Cm4B9E6L8"),
        ENABLED,
        Input("name", comments="Name of the instance.", example="Enrich orders (prod)"),
        SETTINGS),
    api("deleteFunction", "Delete Function", "Delete a function.", FUNCTION_ID),
    api("deleteInsertFunctionInstance", "Delete Insert Function Instance",
        "Delete an insert function instance.",
        INSTANCE_ID),
    api("getFunction", "Get Function", "Fetch one function.", FUNCTION_ID),
    api("getFunctionVersion", "Get Function Version", "Fetch one saved version of a function.",
        FUNCTION_ID, VERSION_ID),
    api("getInsertFunctionInstance", "Get Insert Function Instance",
        "Fetch one insert function instance.",
        INSTANCE_ID),
    api("listFunctionVersions", "List Function Versions", "List the saved versions of a function.",
        FUNCTION_ID),
    api("listFunctions", "List Functions", "List the functions of one type in the workspace.",
        Input("resourceType", comments="Kind of function to list, e.g. `SOURCE` or `DESTINATION`.",
              example="DESTINATION")),
    api("listInsertFunctionInstances", "List Insert Function Instances",
        "List the instances of an insert function.",
        FUNCTION_ID),
    api("restoreFunctionVersion", "Restore Function Version",
        "Make an earlier saved version the current code of a function.",
        FUNCTION_ID, VERSION_ID),
    api("updateFunction", "Update Function",
        "Change the code, settings or display details of a function.",
        FUNCTION_ID,
        Input("code", comments="JavaScript source of the function.",
              example="async function onTrack(event, settings) {}"),
        Input("settings", comments="Settings the function declares, shown to whoever deploys it.",
              example=FUNCTION_SETTINGS, label="Function Settings"),
        Input("displayName", comments="Display name of the function.", example="Enrich orders"),
        LOGO_URL, DESCRIPTION),
    api("updateInsertFunctionInstance", "Update Insert Function Instance",
        "Change the name, settings or state of an insert function instance.",
        INSTANCE_ID, ENABLED,
        Input("name", comments="Name of the instance.", example="Enrich orders (prod)"), SETTINGS),
)
