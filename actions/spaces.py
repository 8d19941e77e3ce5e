"""Spaces: Engage spaces and the messaging subscriptions of their profiles (alpha)."""

from actions.ids import SPACE_ID
from connector.spec import REGION, V1ALPHA, Action, ExampleFile, Input, paging

EXAMPLES = ExampleFile.beside(__file__)

ACTIONS = (
    Action(
        "batchQueryMessagingSubscriptionsForSpace",
        "Batch Query Messaging Subscriptions for Space",
        "Look up the messaging subscription status of several email addresses or phone numbers.",
        "POST", "/spaces/{spaceId}/messaging-subscriptions/batch", area="Spaces",
        media=V1ALPHA,
        inputs=(
            REGION, SPACE_ID,
            Input("subscriptions", "array", "Contacts to look up, each a `key` (the address "
                  "or number) and its `type` (`EMAIL`, `SMS`, ...).", required=True,
                  items="object",
                  schema="BatchQueryMessagingSubscriptionsForSpaceAlphaInput.subscriptions",
                  example=[{"key": "foo@example.com", "type": "EMAIL"}]),
        ),
        body_model="BatchQueryMessagingSubscriptionsForSpaceAlphaInput",
        response_model="BatchQueryMessagingSubscriptionsForSpace200Response", example=EXAMPLES,
    ),
    Action(
        "getSpace", "Get Space", "Fetch one Engage space by id.",
        "GET", "/spaces/{spaceId}", area="Spaces", media=V1ALPHA,
        inputs=(REGION, SPACE_ID),
        response_model="GetSpace200Response", example=EXAMPLES,
    ),
    Action(
        "listSpaces", "List Spaces", "List the Engage spaces of the workspace.",
        "GET", "/spaces", area="Spaces", media=V1ALPHA, items="spaces",
        inputs=(REGION, *paging()),
        response_model="ListSpaces200Response", example=EXAMPLES,
    ),
    Action(
        "replaceMessagingSubscriptionsInSpaces", "Replace Messaging Subscriptions in Spaces",
        "Set the messaging subscription status of email addresses or phone numbers.",
        "PUT", "/spaces/{spaceId}/messaging-subscriptions", area="Spaces", media=V1ALPHA,
        inputs=(
            REGION, SPACE_ID,
            Input("subscriptions", "array", "Contacts to update, each a `key`, its `type`, "
                  "a `status` and optional subscription `groups`.", required=True,
                  items="object",
                  schema="ReplaceMessagingSubscriptionsInSpacesAlphaInput.subscriptions",
                  example=[{"key": "foo@example.com", "type": "EMAIL",
                            "status": "SUBSCRIBED"}]),
        ),
        body_model="ReplaceMessagingSubscriptionsInSpacesAlphaInput",
        response_model="ReplaceMessagingSubscriptionsInSpaces200Response", example=EXAMPLES,
    ),
)
