"""Testing: an echo endpoint for checking a connection and error handling."""

from connector.spec import Input, Overlays

api = Overlays(__file__)

ACTIONS = (
    api("echo", "Echo", "Send a message and get it back, optionally as a delayed or failed call.",
        Input("message", comments="Text returned in the response's `message`.",
              example="Hello, Segment"),
        # Integral in practice; declared integer so the query shows `250`, not `250.0`.
        Input("delay", "integer", "Wait this many milliseconds before answering.", minimum=0,
              example=250),
        Input("triggerError", "boolean", "Answer with a 4xx error carrying the message."),
        Input("triggerMultipleErrors", "boolean",
              "Answer with a 4xx error listing the message (ignored with Trigger Error)."),
        Input("triggerUnexpectedError", "boolean",
              "Answer with a 500 error (ignored when another error is triggered)."),
        Input("statusCode", "integer", "HTTP status code to answer with.", example=200)),
)
