"""Delivery overview: event counts at each stage between a source and a destination."""

from actions.ids import SOURCE_ID
from connector.spec import REGION, V1BETA, Action, ExampleFile, Input, paging

EXAMPLES = ExampleFile.beside(__file__)

DESTINATION_CONFIG_ID = Input("destinationConfigId", comments="Id of the destination.",
                              required=True, example="5GFhvtz8fha42Cm4B9E6L8",
                              picklist="destination")
START_TIME = Input("startTime", comments="Start of the window, inclusive (ISO 8601).",
                   required=True, example="2024-05-01T00:00:00Z")
END_TIME = Input("endTime", comments="End of the window, exclusive (ISO 8601).", required=True,
                 example="2024-05-02T00:00:00Z")
GRANULARITY = Input("granularity", comments="Size of each time bucket.", required=True,
                    example="HOUR", choices=("MINUTE", "HOUR", "DAY"))
GROUP_BY = Input("groupBy", "array", "Dimensions to group counts by, e.g. `eventName`.",
                 example=["eventName"], where="query", items="string")


def _filter(model: str) -> Input:
    # Each side of the pipeline has its own filter model.
    return Input("filter", "object", "Only count events whose dimensions are in these lists.",
                 example={"eventName": ["Order Completed"]}, where="query", schema=model)


DESTINATION_FILTER = _filter("DeliveryOverviewDestinationFilterBy")
SOURCE_FILTER = _filter("DeliveryOverviewSourceFilterBy")
RECEIVED_FILTER = _filter("DeliveryOverviewSuccessfullyReceivedFilterBy")

# Destination-side metrics also take the destination; all six share one response model.
DESTINATION_SIDE = (SOURCE_ID, DESTINATION_CONFIG_ID)


def _metrics(key: str, display: str, description: str, path: str,
             scope: tuple[Input, ...], filter_by: Input) -> Action:
    return Action(
        key, display, description, "GET", f"/delivery-overview/{path}",
        area="DeliveryOverview", media=V1BETA, items="dataset",
        inputs=(REGION, *scope, START_TIME, END_TIME, GRANULARITY, GROUP_BY, filter_by,
                *paging()),
        response_model="GetEgressFailedMetricsFromDeliveryOverview200Response",
        example=EXAMPLES,
    )


ACTIONS = (
    _metrics("getEgressFailedMetricsFromDeliveryOverview",
             "Get Egress Failed Metrics from Delivery Overview",
             "Count events a destination failed to deliver, per time bucket.",
             "failed-delivery", DESTINATION_SIDE, DESTINATION_FILTER),
    _metrics("getEgressSuccessMetricsFromDeliveryOverview",
             "Get Egress Success Metrics from Delivery Overview",
             "Count events delivered to a destination, per time bucket.",
             "successful-delivery", DESTINATION_SIDE, DESTINATION_FILTER),
    _metrics("getFilteredAtDestinationMetricsFromDeliveryOverview",
             "Get Filtered At Destination Metrics from Delivery Overview",
             "Count events dropped on the way to a destination, per time bucket.",
             "filtered-at-destination", DESTINATION_SIDE, DESTINATION_FILTER),
    _metrics("getFilteredAtSourceMetricsFromDeliveryOverview",
             "Get Filtered At Source Metrics from Delivery Overview",
             "Count events dropped at a source, per time bucket.",
             "filtered-at-source", (SOURCE_ID,), SOURCE_FILTER),
    _metrics("getIngressFailedMetricsFromDeliveryOverview",
             "Get Ingress Failed Metrics from Delivery Overview",
             "Count events a source failed to take in, per time bucket.",
             "failed-on-ingest", (SOURCE_ID,), SOURCE_FILTER),
    _metrics("getIngressSuccessMetricsFromDeliveryOverview",
             "Get Ingress Success Metrics from Delivery Overview",
             "Count events a source received, per time bucket.",
             "successfully-received", (SOURCE_ID,), RECEIVED_FILTER),
)
