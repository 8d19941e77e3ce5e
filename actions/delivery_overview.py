"""Delivery overview: event counts at each stage between a source and a destination."""

from actions.ids import SOURCE_ID
from connector.spec import Action, Input, Overlays

api = Overlays(__file__)

DESTINATION_CONFIG_ID = Input("destinationConfigId", comments="Id of the destination.",
                              example="5GFhvtz8fha42Cm4B9E6L8", picklist="destination")
START_TIME = Input("startTime", comments="Start of the window, inclusive (ISO 8601).",
                   example="2024-05-01T00:00:00Z")
END_TIME = Input("endTime", comments="End of the window, exclusive (ISO 8601).",
                 example="2024-05-02T00:00:00Z")
# The catalogue gives query parameters no enum; these are the answer's granularities.
GRANULARITY = Input("granularity", comments="Size of each time bucket.", example="HOUR",
                    choices=("MINUTE", "HOUR", "DAY"))
GROUP_BY = Input("groupBy", comments="Dimensions to group counts by, e.g. `eventName`.",
                 example=["eventName"])
FILTER = Input("filter", comments="Only count events whose dimensions are in these lists.",
               example={"eventName": ["Order Completed"]})

# Destination-side metrics also take the destination.
DESTINATION_SIDE = (SOURCE_ID, DESTINATION_CONFIG_ID)


def _metrics(key: str, display: str, description: str, scope: tuple[Input, ...]) -> Action:
    return api(key, display, description, *scope, START_TIME, END_TIME, GRANULARITY, GROUP_BY,
               FILTER)


ACTIONS = (
    _metrics("getEgressFailedMetricsFromDeliveryOverview",
             "Get Egress Failed Metrics from Delivery Overview",
             "Count events a destination failed to deliver, per time bucket.", DESTINATION_SIDE),
    _metrics("getEgressSuccessMetricsFromDeliveryOverview",
             "Get Egress Success Metrics from Delivery Overview",
             "Count events delivered to a destination, per time bucket.", DESTINATION_SIDE),
    _metrics("getFilteredAtDestinationMetricsFromDeliveryOverview",
             "Get Filtered At Destination Metrics from Delivery Overview",
             "Count events dropped on the way to a destination, per time bucket.",
             DESTINATION_SIDE),
    _metrics("getFilteredAtSourceMetricsFromDeliveryOverview",
             "Get Filtered At Source Metrics from Delivery Overview",
             "Count events dropped at a source, per time bucket.", (SOURCE_ID,)),
    _metrics("getIngressFailedMetricsFromDeliveryOverview",
             "Get Ingress Failed Metrics from Delivery Overview",
             "Count events a source failed to take in, per time bucket.", (SOURCE_ID,)),
    _metrics("getIngressSuccessMetricsFromDeliveryOverview",
             "Get Ingress Success Metrics from Delivery Overview",
             "Count events a source received, per time bucket.", (SOURCE_ID,)),
)
