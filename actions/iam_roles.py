"""IAM roles: the roles that permissions grant to users and user groups."""

from connector.spec import REGION, V1, Action, ExampleFile, paging

EXAMPLES = ExampleFile.beside(__file__)

ACTIONS = (
    Action(
        "listRoles", "List Roles", "List the roles that permissions can grant.",
        "GET", "/roles", area="IAMRoles", media=V1, items="roles",
        inputs=(REGION, *paging()),
        response_model="ListRoles200Response", example=EXAMPLES,
    ),
)
