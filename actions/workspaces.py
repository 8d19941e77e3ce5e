"""Workspaces: the workspace that the API token belongs to."""

from connector.spec import Overlays

api = Overlays(__file__)

ACTIONS = (
    api("getWorkspace", "Get Workspace", "Fetch the workspace that the token belongs to."),
)
