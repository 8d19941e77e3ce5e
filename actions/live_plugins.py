"""Live Plugins: JavaScript that runs in a source's analytics library (alpha)."""

from actions.ids import SOURCE_ID
from connector.spec import Input, Overlays

api = Overlays(__file__)

ACTIONS = (
    api("createLivePlugin", "Create Live Plugin",
        "Upload the Live Plugin code of a source, replacing any earlier code.",
        SOURCE_ID,
        Input("code", comments="JavaScript code of the plugin.",
              example="analytics.addSourceMiddleware(({ payload, next }) => next(payload))")),
    api("deleteLivePluginCode", "Delete Live Plugin Code",
        "Remove the Live Plugin code of a source; the feature itself stays on.",
        SOURCE_ID),
    api("getLatestFromLivePlugins", "Get Latest from Live Plugins",
        "Fetch the current Live Plugin of a source.",
        SOURCE_ID),
)
