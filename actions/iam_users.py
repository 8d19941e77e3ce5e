"""IAM users: the people with access to the workspace, their invites and permissions."""

from actions.ids import USER_ID
from connector.spec import REGION, V1, Action, ExampleFile, Input, paging

EXAMPLES = ExampleFile.beside(__file__)

# Grants workspace-wide access with one role; the seed product's default invite uses it too.
_PERMISSIONS_EXAMPLE = [{"roleId": "1WDUuRLxv84rrfCNUwvkrRtkxnS",
                         "resources": [{"id": "9aQ1Lj62S4bomZKLF4DPqW", "type": "WORKSPACE"}]}]


def _permissions(model: str, what: str) -> Input:
    # Same shape in both bodies, but each body model names its own schema.
    return Input("permissions", "array", f"Permissions {what}: a `roleId` and the "
                 "`resources` it applies to.", required=True, items="object",
                 schema=f"{model}.permissions", example=_PERMISSIONS_EXAMPLE)


ACTIONS = (
    Action(
        "addPermissionsToUser", "Add Permissions to User",
        "Grant a user more permissions, keeping those it has.",
        "POST", "/users/{userId}/permissions", area="IAMUsers", media=V1,
        inputs=(REGION, USER_ID, _permissions("AddPermissionsToUserV1Input", "to add")),
        body_model="AddPermissionsToUserV1Input",
        response_model="AddPermissionsToUser200Response", example=EXAMPLES,
    ),
    Action(
        "createInvites", "Create Invites", "Invite people by email to join the workspace.",
        "POST", "/invites", area="IAMUsers", media=V1, status=201,
        aliases=("createUserInvites",),
        inputs=(
            REGION,
            Input("invites", "array", "Invites, each an `email` and the `permissions` to grant.",
                  required=True, items="object", schema="CreateInvitesV1Input.invites",
                  default=[{"email": "foo@example.com", "permissions": _PERMISSIONS_EXAMPLE}]),
        ),
        body_model="CreateInvitesV1Input", response_model="CreateInvites201Response",
        example=EXAMPLES,
    ),
    Action(
        "deleteInvites", "Delete Invites", "Withdraw the pending invites sent to some emails.",
        "DELETE", "/invites", area="IAMUsers", media=V1,
        inputs=(
            REGION,
            Input("emails", "array", "Emails whose invites to withdraw.", required=True,
                  items="string", where="query", example=["foo@example.com"]),
        ),
        response_model="DeleteInvites200Response", example=EXAMPLES,
    ),
    Action(
        "deleteUsers", "Delete Users", "Remove one or more users from the workspace.",
        "DELETE", "/users", area="IAMUsers", media=V1, aliases=("deleteUser",),
        inputs=(
            REGION,
            Input("userIds", "array", "Ids of the users to remove.", required=True,
                  items="string", where="query", default=["000xxx"], picklist="users"),
        ),
        response_model="DeleteUsers200Response", example=EXAMPLES,
    ),
    Action(
        "getUser", "Get User", "Fetch one user by id.",
        "GET", "/users/{userId}", area="IAMUsers", media=V1,
        inputs=(REGION, USER_ID),
        response_model="GetUser200Response", example=EXAMPLES,
    ),
    Action(
        "listInvites", "List Invites", "List the pending invites of the workspace.",
        "GET", "/invites", area="IAMUsers", media=V1, items="invites",
        inputs=(REGION, *paging()),
        response_model="ListInvites200Response", example=EXAMPLES,
    ),
    Action(
        "listUserGroupsFromUser", "List User Groups from User",
        "List the user groups a user belongs to.",
        "GET", "/users/{userId}/groups", area="IAMUsers", media=V1, items="groups",
        inputs=(REGION, USER_ID, *paging()),
        response_model="ListUserGroupsFromUser200Response", example=EXAMPLES,
    ),
    Action(
        "listUsers", "List Users", "List the users with access to the workspace.",
        "GET", "/users", area="IAMUsers", media=V1, items="users",
        inputs=(REGION, *paging()),
        response_model="ListUsers200Response", example=EXAMPLES,
    ),
    Action(
        "replacePermissionsForUser", "Replace Permissions for User",
        "Set a user's permissions, dropping any not listed.",
        "PUT", "/users/{userId}/permissions", area="IAMUsers", media=V1,
        inputs=(REGION, USER_ID, _permissions("ReplacePermissionsForUserV1Input", "to keep")),
        body_model="ReplacePermissionsForUserV1Input",
        response_model="ReplacePermissionsForUser200Response", example=EXAMPLES,
    ),
)
