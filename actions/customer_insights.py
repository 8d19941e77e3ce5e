"""Customer insights: hourly exports of profile collections."""

from connector.spec import REGION, V1ALPHA, Action, ExampleFile, Input

EXAMPLES = ExampleFile.beside(__file__)

ACTIONS = (
    Action(
        "createDownload", "Create Download",
        "Request a download of one hour of a customer insights collection.",
        "POST", "/customer-insights/download", area="CustomerInsights", media=V1ALPHA,
        inputs=(
            REGION,
            Input("collectionId", comments="Id of the collection to export.", required=True,
                  example="col_2Wd9RbhD3HVXVYhEAGE5TcJmrxS"),
            Input("hour", comments="Hour to export, as an RFC 3339 timestamp on the hour.",
                  required=True, example="2025-05-07T23:00:00Z"),
        ),
        body_model="CreateDownloadAlphaInput",
        response_model="CreateDownload200Response",
        example=EXAMPLES,
    ),
)
