"""Workspaces: the workspace that the API token belongs to."""

from connector.spec import REGION, V1, Action, ExampleFile

EXAMPLES = ExampleFile.beside(__file__)

ACTIONS = (
    Action(
        "getWorkspace", "Get Workspace", "Fetch the workspace that the token belongs to.",
        "GET", "/", area="Workspaces", media=V1,
        inputs=(REGION,),
        response_model="GetWorkspace200Response", example=EXAMPLES,
    ),
)
