"""Live Plugins: JavaScript that runs in a source's analytics library (alpha)."""

from actions.ids import SOURCE_ID
from connector.spec import REGION, V1ALPHA, Action, ExampleFile, Input

EXAMPLES = ExampleFile.beside(__file__)

ACTIONS = (
    Action(
        "createLivePlugin", "Create Live Plugin",
        "Upload the Live Plugin code of a source, replacing any earlier code.",
        "POST", "/sources/{sourceId}/live-plugins/create", area="LivePlugins", media=V1ALPHA,
        inputs=(
            REGION, SOURCE_ID,
            Input("code", comments="JavaScript code of the plugin.", required=True,
                  example="analytics.addSourceMiddleware(({ payload, next }) => next(payload))"),
        ),
        body_model="CreateLivePluginAlphaInput", response_model="CreateLivePlugin200Response",
        example=EXAMPLES,
    ),
    Action(
        "deleteLivePluginCode", "Delete Live Plugin Code",
        "Remove the Live Plugin code of a source; the feature itself stays on.",
        "DELETE", "/sources/{sourceId}/live-plugins/delete-code", area="LivePlugins",
        media=V1ALPHA,
        inputs=(REGION, SOURCE_ID),
        response_model="DeleteLivePluginCode200Response", example=EXAMPLES,
    ),
    Action(
        "getLatestFromLivePlugins", "Get Latest from Live Plugins",
        "Fetch the current Live Plugin of a source.",
        "GET", "/sources/{sourceId}/live-plugins/latest", area="LivePlugins", media=V1ALPHA,
        inputs=(REGION, SOURCE_ID),
        response_model="GetLatestFromLivePlugins200Response", example=EXAMPLES,
    ),
)
