"""Functions: custom source, destination and insert code, its versions and instances."""

from actions.ids import FUNCTION_ID
from connector.spec import REGION, V1ALPHA, Action, ExampleFile, Input, paging

EXAMPLES = ExampleFile.beside(__file__)

# Settings shown by default on create/update, as the seed product does.
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
ENABLED = Input("enabled", "boolean", "Whether the instance processes events.")
SETTINGS = Input("settings", "object", "Instance settings, as the function declares them.",
                 required=True, example={"apiKey": "abc123"})
INSTANCE_ID = Input("instanceId", comments="Id of the insert function instance.", required=True,
                    example="2Fr5uFAoV7Sgd7CoGzTi5FqWTzV")

ACTIONS = (
    Action(
        "createFunction", "Create Function",
        "Create a source, destination or insert function from code.",
        "POST", "/functions", area="Functions",
        inputs=(
            REGION,
            Input("code", comments="JavaScript source of the function.", required=True,
                  example="async function onTrack(event, settings) {}"),
            Input("settings", "array",
                  "Settings the function declares, shown to whoever deploys it.",
                  default=FUNCTION_SETTINGS, schema="CreateFunctionV1Input.settings",
                  label="Function Settings"),
            Input("displayName", comments="Display name of the function.", required=True,
                  example="Enrich orders"),
            LOGO_URL,
            Input("resourceType",
                  comments="Kind of function, e.g. `SOURCE` or `INSERT_DESTINATION`.",
                  required=True, example="DESTINATION"),
            DESCRIPTION,
        ),
        body_model="CreateFunctionV1Input",
        response_model="CreateFunction200Response",
        example=EXAMPLES,
    ),
    Action(
        "createFunctionDeployment", "Create Function Deployment",
        "Deploy the latest code of a function to its instances.",
        "POST", "/functions/{functionId}/deploy", area="Functions",
        inputs=(REGION, FUNCTION_ID),
        response_model="CreateFunctionDeployment200Response", example=EXAMPLES,
    ),
    Action(
        "createInsertFunctionInstance", "Create Insert Function Instance",
        "Attach an insert function to a source or destination.",
        "POST", "/insert-function-instances", area="Functions", media=V1ALPHA,
        inputs=(
            REGION, FUNCTION_ID,
            Input("integrationId", comments="Id of the source or destination to attach to.",
                  required=True, example="5GFhvtz8fha42Cm4B9E6L8"),
            ENABLED,
            Input("name", comments="Name of the instance.", required=True,
                  example="Enrich orders (prod)"),
            SETTINGS,
        ),
        body_model="CreateInsertFunctionInstanceAlphaInput",
        response_model="CreateInsertFunctionInstance200Response",
        example=EXAMPLES,
    ),
    Action(
        "deleteFunction", "Delete Function", "Delete a function.",
        "DELETE", "/functions/{functionId}", area="Functions",
        inputs=(REGION, FUNCTION_ID),
        response_model="DeleteFunction200Response", example=EXAMPLES,
    ),
    Action(
        "deleteInsertFunctionInstance", "Delete Insert Function Instance",
        "Delete an insert function instance.",
        "DELETE", "/insert-function-instances/{instanceId}", area="Functions", media=V1ALPHA,
        inputs=(REGION, INSTANCE_ID),
        response_model="DeleteInsertFunctionInstance200Response", example=EXAMPLES,
    ),
    Action(
        "getFunction", "Get Function", "Fetch one function.",
        "GET", "/functions/{functionId}", area="Functions",
        inputs=(REGION, FUNCTION_ID),
        response_model="GetFunction200Response", example=EXAMPLES,
    ),
    Action(
        "getFunctionVersion", "Get Function Version", "Fetch one saved version of a function.",
        "GET", "/functions/{functionId}/versions/{versionId}", area="Functions", media=V1ALPHA,
        inputs=(
            REGION, FUNCTION_ID,
            Input("versionId", comments="Id of the function version.", required=True,
                  example="ifnv_2P7hFPzZDYgPHbZRMmtu95sSjMY"),
        ),
        response_model="GetFunctionVersion200Response", example=EXAMPLES,
    ),
    Action(
        "getInsertFunctionInstance", "Get Insert Function Instance",
        "Fetch one insert function instance.",
        "GET", "/insert-function-instances/{instanceId}", area="Functions", media=V1ALPHA,
        inputs=(REGION, INSTANCE_ID),
        response_model="GetInsertFunctionInstance200Response", example=EXAMPLES,
    ),
    Action(
        "listFunctionVersions", "List Function Versions", "List the saved versions of a function.",
        "GET", "/functions/{functionId}/versions",
        area="Functions", media=V1ALPHA, items="versions",
        inputs=(REGION, FUNCTION_ID, *paging()),
        response_model="ListFunctionVersions200Response", example=EXAMPLES,
    ),
    Action(
        "listFunctions", "List Functions", "List the functions of one type in the workspace.",
        "GET", "/functions", area="Functions", items="functions",
        inputs=(
            REGION,
            Input("resourceType",
                  comments="Kind of function to list, e.g. `SOURCE` or `DESTINATION`.",
                  required=True, example="DESTINATION"),
            *paging(),
        ),
        response_model="ListFunctions200Response", example=EXAMPLES,
    ),
    Action(
        "listInsertFunctionInstances", "List Insert Function Instances",
        "List the instances of an insert function.",
        "GET", "/insert-function-instances", area="Functions", media=V1ALPHA, items="instances",
        inputs=(REGION, FUNCTION_ID, *paging()),
        response_model="ListInsertFunctionInstances200Response", example=EXAMPLES,
    ),
    Action(
        "restoreFunctionVersion", "Restore Function Version",
        "Make an earlier saved version the current code of a function.",
        "POST", "/functions/{functionId}/versions", area="Functions", media=V1ALPHA,
        inputs=(
            REGION, FUNCTION_ID,
            Input("versionId", comments="Id of the version to restore.", required=True,
                  example="ifnv_2P7hFPzZDYgPHbZRMmtu95sSjMY"),
        ),
        body_model="RestoreFunctionVersionAlphaInput",
        response_model="RestoreFunctionVersion200Response",
        example=EXAMPLES,
    ),
    Action(
        "updateFunction", "Update Function",
        "Change the code, settings or display details of a function.",
        "PATCH", "/functions/{functionId}", area="Functions",
        inputs=(
            REGION, FUNCTION_ID,
            Input("code", comments="JavaScript source of the function.",
                  example="async function onTrack(event, settings) {}"),
            Input("settings", "array",
                  "Settings the function declares, shown to whoever deploys it.",
                  default=FUNCTION_SETTINGS, schema="UpdateFunctionV1Input.settings",
                  label="Function Settings"),
            Input("displayName", comments="Display name of the function.",
                  example="Enrich orders"),
            LOGO_URL, DESCRIPTION,
        ),
        body_model="UpdateFunctionV1Input",
        response_model="UpdateFunction200Response",
        example=EXAMPLES,
    ),
    Action(
        "updateInsertFunctionInstance", "Update Insert Function Instance",
        "Change the name, settings or state of an insert function instance.",
        "PATCH", "/insert-function-instances/{instanceId}", area="Functions", media=V1ALPHA,
        inputs=(
            REGION, INSTANCE_ID, ENABLED,
            Input("name", comments="Name of the instance.", example="Enrich orders (prod)"),
            SETTINGS,
        ),
        body_model="UpdateInsertFunctionInstanceAlphaInput",
        response_model="UpdateInsertFunctionInstance200Response",
        example=EXAMPLES,
    ),
)
