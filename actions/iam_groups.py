"""User groups: sets of users and invites that share permissions."""

from actions.ids import USER_GROUP_ID
from connector.spec import REGION, Action, ExampleFile, Input, paging

EXAMPLES = ExampleFile.beside(__file__)

PERMISSIONS_EXAMPLE = [{"roleId": "1WDUuRLxv84rrfCNUwvkrRtkxnS",
                        "resources": [{"id": "9aQ1Lj62S4bomZKLF4DPqW", "type": "WORKSPACE"}]}]

EMAILS = Input("emails", "array", "Email addresses of users or invitees.", required=True,
               example=["jane@example.com"], items="string")
NAME = Input("name", comments="Name of the user group.", required=True, example="Analysts")

ACTIONS = (
    Action(
        "addPermissionsToUserGroup", "Add Permissions to User Group",
        "Grant more permissions to a user group.",
        "POST", "/groups/{userGroupId}/permissions", area="IAMGroups",
        inputs=(
            REGION, USER_GROUP_ID,
            Input("permissions", "array", "Roles and the resources each applies to.",
                  required=True, example=PERMISSIONS_EXAMPLE,
                  schema="AddPermissionsToUserGroupV1Input.permissions"),
        ),
        body_model="AddPermissionsToUserGroupV1Input",
        response_model="AddPermissionsToUserGroup200Response",
        example=EXAMPLES,
    ),
    Action(
        "addUsersToUserGroup", "Add Users to User Group",
        "Add users or pending invites to a user group by email.",
        "POST", "/groups/{userGroupId}/users", area="IAMGroups",
        inputs=(REGION, USER_GROUP_ID, EMAILS),
        body_model="AddUsersToUserGroupV1Input",
        response_model="AddUsersToUserGroup200Response",
        example=EXAMPLES,
    ),
    Action(
        "createUserGroup", "Create User Group", "Create a user group.",
        "POST", "/groups", area="IAMGroups",
        inputs=(REGION, NAME),
        body_model="CreateUserGroupV1Input",
        response_model="CreateUserGroup200Response",
        example=EXAMPLES,
    ),
    Action(
        "deleteUserGroup", "Delete User Group", "Delete a user group.",
        "DELETE", "/groups/{userGroupId}", area="IAMGroups",
        inputs=(REGION, USER_GROUP_ID),
        response_model="DeleteUserGroup200Response", example=EXAMPLES,
    ),
    Action(
        "getUserGroup", "Get User Group", "Fetch one user group.",
        "GET", "/groups/{userGroupId}", area="IAMGroups",
        inputs=(REGION, USER_GROUP_ID),
        response_model="GetUserGroup200Response", example=EXAMPLES,
    ),
    Action(
        "listInvitesFromUserGroup", "List Invites from User Group",
        "List the pending invites of a user group.",
        "GET", "/groups/{userGroupId}/invites", area="IAMGroups", items="emails",
        inputs=(REGION, USER_GROUP_ID, *paging()),
        response_model="ListInvitesFromUserGroup200Response", example=EXAMPLES,
    ),
    Action(
        "listUserGroups", "List User Groups", "List the user groups of the workspace.",
        "GET", "/groups", area="IAMGroups", items="userGroups",
        inputs=(REGION, *paging()),
        response_model="ListUserGroups200Response", example=EXAMPLES,
    ),
    Action(
        "listUsersFromUserGroup", "List Users from User Group", "List the users of a user group.",
        "GET", "/groups/{userGroupId}/users", area="IAMGroups", items="users",
        inputs=(REGION, USER_GROUP_ID, *paging()),
        response_model="ListUsersFromUserGroup200Response", example=EXAMPLES,
    ),
    Action(
        "removeUsersFromUserGroup", "Remove Users from User Group",
        "Remove users from a user group by email.",
        "DELETE", "/group/{userGroupId}/users", area="IAMGroups",
        inputs=(
            REGION, USER_GROUP_ID,
            Input("emails", "array", "Email addresses of users or invitees.", required=True,
                  example=["jane@example.com"], where="query", items="string"),
        ),
        response_model="RemoveUsersFromUserGroup200Response", example=EXAMPLES,
    ),
    Action(
        "replacePermissionsForUserGroup", "Replace Permissions for User Group",
        "Replace every permission of a user group.",
        "PUT", "/groups/{userGroupId}/permissions", area="IAMGroups",
        inputs=(
            REGION, USER_GROUP_ID,
            Input("permissions", "array", "Roles and the resources each applies to.",
                  required=True, example=PERMISSIONS_EXAMPLE,
                  schema="ReplacePermissionsForUserGroupV1Input.permissions"),
        ),
        body_model="ReplacePermissionsForUserGroupV1Input",
        response_model="ReplacePermissionsForUserGroup200Response",
        example=EXAMPLES,
    ),
    Action(
        "replaceUsersInUserGroup", "Replace Users in User Group",
        "Replace every member of a user group.",
        "PUT", "/group/{userGroupId}/users", area="IAMGroups",
        inputs=(REGION, USER_GROUP_ID, EMAILS),
        body_model="ReplaceUsersInUserGroupV1Input",
        response_model="ReplaceUsersInUserGroup200Response",
        example=EXAMPLES,
    ),
    Action(
        "updateUserGroup", "Update User Group", "Rename a user group.",
        "PATCH", "/groups/{userGroupId}", area="IAMGroups",
        inputs=(REGION, USER_GROUP_ID, NAME),
        body_model="UpdateUserGroupV1Input",
        response_model="UpdateUserGroup200Response",
        example=EXAMPLES,
    ),
)
