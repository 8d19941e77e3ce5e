"""Destinations: where a workspace sends data, and their action subscriptions."""

from actions.ids import DESTINATION_ID, SOURCE_ID
from connector.spec import REGION, V1ALPHA, V1BETA, Action, ExampleFile, Input, paging

EXAMPLES = ExampleFile.beside(__file__)

# The path names it `id`; it is a subscription id.
SUBSCRIPTION = Input("id", comments="Id of the destination subscription.", required=True,
                     picklist="destinationSubscriptions", label="Subscription ID",
                     example="iJA9ehsaRJGrGKBHwAgeKU")

ENABLED = Input("enabled", "boolean", "Whether the destination receives data.")
NAME = Input("name", comments="Display name of the destination.", example="Webhooks prod")

ACTIONS = (
    Action(
        "createDestination", "Create Destination", "Create a destination fed by a source.",
        "POST", "/destinations", area="Destinations",
        inputs=(
            REGION, SOURCE_ID,
            Input("metadataId", comments="Catalog id of the destination type.", required=True,
                  example="54521fd525e721e32a72ee8f", picklist="destinationsCatalog"),
            ENABLED, NAME,
            Input("settings", "object",
                  "Destination settings, keyed by the options of its catalog entry.",
                  required=True, example={"apiKey": "abc123"}),
        ),
        body_model="CreateDestinationV1Input",
        response_model="CreateDestination200Response",
        example=EXAMPLES,
    ),
    Action(
        "createDestinationSubscription", "Create Destination Subscription",
        "Subscribe a destination action to events that match an FQL trigger.",
        "POST", "/destinations/{destinationId}/subscriptions", area="Destinations", media=V1ALPHA,
        inputs=(
            REGION, DESTINATION_ID,
            Input("name", comments="Name of the subscription.", required=True,
                  example="Track purchases"),
            Input("actionId", comments="Id of the destination action to run.", required=True,
                  example="dVgGYgcDmBNJP3KGpfLg8X"),
            Input("trigger", comments="FQL condition that selects events.", required=True,
                  example='type = "track" and event = "Order Completed"'),
            Input("enabled", "boolean", "Whether the subscription runs.", required=True),
            Input("settings", "object", "Field mappings and options of the action.",
                  example={"mapping": {"email": {"@path": "$.email"}}}),
            Input("modelId",
                  comments="Reverse ETL model that feeds the subscription, for reverse ETL only.",
                  example="cGfiZgrWhQhTKWjp4gfvMk", picklist="reverseEtlModels"),
        ),
        body_model="CreateDestinationSubscriptionAlphaInput",
        response_model="CreateDestinationSubscription200Response",
        example=EXAMPLES,
    ),
    Action(
        "deleteDestination", "Delete Destination", "Delete a destination.",
        "DELETE", "/destinations/{destinationId}", area="Destinations",
        inputs=(REGION, DESTINATION_ID),
        response_model="DeleteDestination200Response", example=EXAMPLES,
    ),
    Action(
        "getDestination", "Get Destination", "Fetch one destination.",
        "GET", "/destinations/{destinationId}", area="Destinations",
        inputs=(REGION, DESTINATION_ID),
        response_model="GetDestination200Response", example=EXAMPLES,
    ),
    Action(
        "getSubscriptionFromDestination", "Get Subscription from Destination",
        "Fetch one subscription of a destination.",
        "GET", "/destinations/{destinationId}/subscriptions/{id}",
        area="Destinations", media=V1ALPHA, aliases=("getDestinationSubscription",),
        inputs=(REGION, DESTINATION_ID, SUBSCRIPTION),
        response_model="GetSubscriptionFromDestination200Response", example=EXAMPLES,
    ),
    Action(
        "listDeliveryMetricsSummaryFromDestination",
        "List Delivery Metrics Summary from Destination",
        "Summarise delivery metrics of a destination for one source.",
        "GET", "/destinations/{destinationId}/delivery-metrics", area="Destinations", media=V1BETA,
        inputs=(
            REGION, DESTINATION_ID, SOURCE_ID,
            Input("startTime", comments="Start of the window (ISO 8601).",
                  example="2024-05-01T00:00:00Z"),
            Input("endTime", comments="End of the window (ISO 8601).",
                  example="2024-05-02T00:00:00Z"),
            Input("granularity",
                  comments="Size of each time bucket; the API uses `MINUTE` when blank.",
                  example="HOUR", choices=("MINUTE", "HOUR", "DAY")),
        ),
        response_model="ListDeliveryMetricsSummaryFromDestination200Response", example=EXAMPLES,
    ),
    Action(
        "listDestinations", "List Destinations", "List the destinations of the workspace.",
        "GET", "/destinations", area="Destinations", items="destinations",
        inputs=(REGION, *paging()),
        response_model="ListDestinations200Response", example=EXAMPLES,
    ),
    Action(
        "listSubscriptionsFromDestination", "List Subscriptions from Destination",
        "List the subscriptions of a destination.",
        "GET", "/destinations/{destinationId}/subscriptions",
        area="Destinations", media=V1ALPHA, items="subscriptions",
        aliases=("listDestinationSubscriptions",),
        inputs=(REGION, DESTINATION_ID, *paging()),
        response_model="ListSubscriptionsFromDestination200Response", example=EXAMPLES,
    ),
    Action(
        "removeSubscriptionFromDestination", "Remove Subscription from Destination",
        "Delete a subscription of a destination.",
        "DELETE", "/destinations/{destinationId}/subscriptions/{id}",
        area="Destinations", media=V1ALPHA, aliases=("deleteDestinationSubscription",),
        inputs=(REGION, DESTINATION_ID, SUBSCRIPTION),
        response_model="RemoveSubscriptionFromDestination200Response", example=EXAMPLES,
    ),
    Action(
        "updateDestination", "Update Destination",
        "Change the name, settings or state of a destination.",
        "PATCH", "/destinations/{destinationId}", area="Destinations",
        inputs=(
            REGION, DESTINATION_ID, NAME, ENABLED,
            Input("settings", "object", "Settings to change; a null value removes a key.",
                  example={"apiKey": "abc123"}),
        ),
        body_model="UpdateDestinationV1Input",
        response_model="UpdateDestination200Response",
        example=EXAMPLES,
    ),
    Action(
        "updateSubscriptionForDestination", "Update Subscription for Destination",
        "Change the name, trigger, settings or state of a subscription.",
        "PATCH", "/destinations/{destinationId}/subscriptions/{id}",
        area="Destinations", media=V1ALPHA, aliases=("updateDestinationSubscription",),
        inputs=(
            REGION, DESTINATION_ID, SUBSCRIPTION,
            Input("input", "object", "Fields to change: `name`, `trigger`, `enabled`, `settings`.",
                  required=True, example={"name": "Track purchases", "enabled": True},
                  schema="UpdateSubscriptionForDestinationAlphaInput.input"),
        ),
        body_model="UpdateSubscriptionForDestinationAlphaInput",
        response_model="UpdateSubscriptionForDestination200Response",
        example=EXAMPLES,
    ),
)
