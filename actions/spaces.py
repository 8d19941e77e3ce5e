"""Spaces: Engage spaces and the messaging subscriptions of their profiles (alpha)."""

from actions.ids import SPACE_ID
from connector.spec import Input, Overlays

api = Overlays(__file__)

ACTIONS = (
    api("batchQueryMessagingSubscriptionsForSpace",
        "Batch Query Messaging Subscriptions for Space",
        "Look up the messaging subscription status of several email addresses or phone numbers.",
        SPACE_ID,
        Input("subscriptions", comments="Contacts to look up, each a `key` (the address "
              "or number) and its `type` (`EMAIL`, `SMS`, ...).",
              example=[{"key": "foo@example.com", "type": "EMAIL"}]),
        safety="read", idempotent=True),  # a POST that changes nothing
    api("getSpace", "Get Space", "Fetch one Engage space by id.", SPACE_ID),
    api("listSpaces", "List Spaces", "List the Engage spaces of the workspace."),
    api("replaceMessagingSubscriptionsInSpaces", "Replace Messaging Subscriptions in Spaces",
        "Set the messaging subscription status of email addresses or phone numbers.",
        SPACE_ID,
        Input("subscriptions", comments="Contacts to update, each a `key`, its `type`, "
              "a `status` and optional subscription `groups`.",
              example=[{"key": "foo@example.com", "type": "EMAIL", "status": "SUBSCRIBED"}])),
)
