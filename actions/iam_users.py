"""IAM users: the people with access to the workspace, their invites and permissions."""

from actions.ids import USER_ID
from connector.spec import Input, Overlays

api = Overlays(__file__)

# Grants workspace-wide access with one role; the seed product's invite template uses it too.
_PERMISSIONS_EXAMPLE = [{"roleId": "1WDUuRLxv84rrfCNUwvkrRtkxnS",
                         "resources": [{"id": "9aQ1Lj62S4bomZKLF4DPqW", "type": "WORKSPACE"}]}]


def _permissions(what: str) -> Input:
    return Input("permissions", comments=f"Permissions {what}: a `roleId` and the `resources` "
                 "it applies to.", example=_PERMISSIONS_EXAMPLE)


ACTIONS = (
    api("addPermissionsToUser", "Add Permissions to User",
        "Grant a user more permissions, keeping those it has.",
        USER_ID,
        _permissions("to add")),
    api("createInvites", "Create Invites", "Invite people by email to join the workspace.",
        Input("invites", comments="Invites, each an `email` and the `permissions` to grant.",
              example=[{"email": "foo@example.com", "permissions": _PERMISSIONS_EXAMPLE}]),
        aliases=("createUserInvites",)),
    api("deleteInvites", "Delete Invites", "Withdraw the pending invites sent to some emails.",
        Input("emails", comments="Emails whose invites to withdraw.", example=["foo@example.com"])),
    api("deleteUsers", "Delete Users", "Remove one or more users from the workspace.",
        Input("userIds", comments="Ids of the users to remove.", picklist="users",
              example=["1bOHeKJg5BbFhoQqBsgk6xZYi1D"], placeholder=["000xxx"]),
        aliases=("deleteUser",)),
    api("getUser", "Get User", "Fetch one user by id.", USER_ID),
    api("listInvites", "List Invites", "List the pending invites of the workspace."),
    api("listUserGroupsFromUser", "List User Groups from User",
        "List the user groups a user belongs to.",
        USER_ID),
    api("listUsers", "List Users", "List the users with access to the workspace."),
    api("replacePermissionsForUser", "Replace Permissions for User",
        "Set a user's permissions, dropping any not listed.",
        USER_ID, _permissions("to keep"), safety="destructive"),
)
