"""Customer insights: hourly exports of profile collections."""

from connector.spec import Input, Overlays

api = Overlays(__file__)

ACTIONS = (
    api("createDownload", "Create Download",
        "Request a download of one hour of a customer insights collection.",
        Input("collectionId", comments="Id of the collection to export.",
              example="col_2Wd9RbhD3HVXVYhEAGE5TcJmrxS"),
        Input("hour", comments="Hour to export, as an RFC 3339 timestamp on the hour.",
              example="2025-05-07T23:00:00Z")),
)
