"""Destinations: where a workspace sends data, and their action subscriptions."""

from actions.ids import DESTINATION_ID, SOURCE_ID
from connector.spec import Input, Overlays

api = Overlays(__file__)

# The path names it `id`; it is a subscription id.
SUBSCRIPTION = Input("id", comments="Id of the destination subscription.", required=True,
                     picklist="destinationSubscriptions", label="Subscription ID",
                     example="iJA9ehsaRJGrGKBHwAgeKU")

ENABLED = Input("enabled", comments="Whether the destination receives data.")
NAME = Input("name", comments="Display name of the destination.", example="Webhooks prod")

ACTIONS = (
    api("createDestination", "Create Destination", "Create a destination fed by a source.",
        SOURCE_ID,
        Input("metadataId", comments="Catalog id of the destination type.",
              example="54521fd525e721e32a72ee8f", picklist="destinationsCatalog"),
        ENABLED, NAME,
        Input("settings",
              comments="Destination settings, keyed by the options of its catalog entry.",
              example={"apiKey": "abc123"})),
    api("createDestinationSubscription", "Create Destination Subscription",
        "Subscribe a destination action to events that match an FQL trigger.",
        DESTINATION_ID,
        Input("name", comments="Name of the subscription.", example="Track purchases"),
        Input("actionId", comments="Id of the destination action to run.",
              example="dVgGYgcDmBNJP3KGpfLg8X"),
        Input("trigger", comments="FQL condition that selects events.",
              example='type = "track" and event = "Order Completed"'),
        Input("enabled", comments="Whether the subscription runs.", example=True),
        Input("settings", comments="Field mappings and options of the action.",
              example={"mapping": {"email": {"@path": "$.email"}}}),
        Input("modelId",
              comments="Reverse ETL model that feeds the subscription, for reverse ETL only.",
              example="cGfiZgrWhQhTKWjp4gfvMk", picklist="reverseEtlModels")),
    api("deleteDestination", "Delete Destination", "Delete a destination.", DESTINATION_ID),
    api("getDestination", "Get Destination", "Fetch one destination.", DESTINATION_ID),
    api("getSubscriptionFromDestination", "Get Subscription from Destination",
        "Fetch one subscription of a destination.",
        DESTINATION_ID, SUBSCRIPTION, aliases=("getDestinationSubscription",)),
    api("listDeliveryMetricsSummaryFromDestination",
        "List Delivery Metrics Summary from Destination",
        "Summarise delivery metrics of a destination for one source.",
        DESTINATION_ID, SOURCE_ID,
        Input("startTime", comments="Start of the window (ISO 8601).",
              example="2024-05-01T00:00:00Z"),
        Input("endTime", comments="End of the window (ISO 8601).", example="2024-05-02T00:00:00Z"),
        Input("granularity",
              comments="Size of each time bucket; the API uses `MINUTE` when blank.",
              example="HOUR", choices=("MINUTE", "HOUR", "DAY"))),
    api("listDestinations", "List Destinations", "List the destinations of the workspace."),
    api("listSubscriptionsFromDestination", "List Subscriptions from Destination",
        "List the subscriptions of a destination.",
        DESTINATION_ID, aliases=("listDestinationSubscriptions",)),
    api("removeSubscriptionFromDestination", "Remove Subscription from Destination",
        "Delete a subscription of a destination.",
        DESTINATION_ID, SUBSCRIPTION, aliases=("deleteDestinationSubscription",)),
    api("updateDestination", "Update Destination",
        "Change the name, settings or state of a destination.",
        DESTINATION_ID, NAME, ENABLED,
        Input("settings", comments="Settings to change; a null value removes a key.",
              example={"apiKey": "abc123"})),
    api("updateSubscriptionForDestination", "Update Subscription for Destination",
        "Change the name, trigger, settings or state of a subscription.",
        DESTINATION_ID, SUBSCRIPTION,
        Input("input", comments="Fields to change: `name`, `trigger`, `enabled`, `settings`.",
              example={"name": "Track purchases", "enabled": True}),
        aliases=("updateDestinationSubscription",)),
)
