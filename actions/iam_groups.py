"""User groups: sets of users and invites that share permissions."""

from actions.ids import USER_GROUP_ID
from connector.spec import Input, Overlays

api = Overlays(__file__)

PERMISSIONS_EXAMPLE = [{"roleId": "1WDUuRLxv84rrfCNUwvkrRtkxnS",
                        "resources": [{"id": "9aQ1Lj62S4bomZKLF4DPqW", "type": "WORKSPACE"}]}]

EMAILS = Input("emails", comments="Email addresses of users or invitees.",
               example=["jane@example.com"])
NAME = Input("name", comments="Name of the user group.", example="Analysts")

ACTIONS = (
    api("addPermissionsToUserGroup", "Add Permissions to User Group",
        "Grant more permissions to a user group.",
        USER_GROUP_ID,
        Input("permissions", comments="Roles and the resources each applies to.",
              example=PERMISSIONS_EXAMPLE)),
    api("addUsersToUserGroup", "Add Users to User Group",
        "Add users or pending invites to a user group by email.",
        USER_GROUP_ID, EMAILS),
    api("createUserGroup", "Create User Group", "Create a user group.", NAME),
    api("deleteUserGroup", "Delete User Group", "Delete a user group.", USER_GROUP_ID),
    api("getUserGroup", "Get User Group", "Fetch one user group.", USER_GROUP_ID),
    api("listInvitesFromUserGroup", "List Invites from User Group",
        "List the pending invites of a user group.",
        USER_GROUP_ID),
    api("listUserGroups", "List User Groups", "List the user groups of the workspace."),
    api("listUsersFromUserGroup", "List Users from User Group", "List the users of a user group.",
        USER_GROUP_ID),
    api("removeUsersFromUserGroup", "Remove Users from User Group",
        "Remove users from a user group by email.",
        USER_GROUP_ID,
        Input("emails", comments="Email addresses of users or invitees.",
              example=["jane@example.com"])),
    api("replacePermissionsForUserGroup", "Replace Permissions for User Group",
        "Replace every permission of a user group.",
        USER_GROUP_ID,
        Input("permissions", comments="Roles and the resources each applies to.",
              example=PERMISSIONS_EXAMPLE),
        safety="destructive"),  # drops the permissions not listed
    api("replaceUsersInUserGroup", "Replace Users in User Group",
        "Replace every member of a user group.",
        USER_GROUP_ID, EMAILS, safety="destructive"),
    api("updateUserGroup", "Update User Group", "Rename a user group.", USER_GROUP_ID, NAME),
)
