"""IAM roles: the roles that permissions grant to users and user groups."""

from connector.spec import Overlays

api = Overlays(__file__)

ACTIONS = (
    api("listRoles", "List Roles", "List the roles that permissions can grant."),
)
