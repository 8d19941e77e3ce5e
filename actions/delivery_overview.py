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
# Destination-side and source-side metrics take different filter models.
DESTINATION_FILTER = Input("filter", "object",
                           "Only count events whose dimensions are in these lists.",
                           example={"eventName": ["Order Completed"]}, where="query",
                           schema="DeliveryOverviewDestinationFilterBy")
SOURCE_FILTER = Input("filter", "object", "Only count events whose dimensions are in these lists.",
                      example={"eventName": ["Order Completed"]}, where="query",
                      schema="DeliveryOverviewSourceFilterBy")

ACTIONS = (
    Action(
        "getEgressFailedMetricsFromDeliveryOverview",
        "Get Egress Failed Metrics from Delivery Overview",
        "Count events a destination failed to deliver, per time bucket.",
        "GET", "/delivery-overview/failed-delivery",
        area="DeliveryOverview", media=V1BETA, items="dataset",
        inputs=(
            REGION, SOURCE_ID, DESTINATION_CONFIG_ID, START_TIME, END_TIME, GRANULARITY, GROUP_BY,
            DESTINATION_FILTER, *paging(),
        ),
        response_model="GetEgressFailedMetricsFromDeliveryOverview200Response", example=EXAMPLES,
    ),
    Action(
        "getEgressSuccessMetricsFromDeliveryOverview",
        "Get Egress Success Metrics from Delivery Overview",
        "Count events delivered to a destination, per time bucket.",
        "GET", "/delivery-overview/successful-delivery",
        area="DeliveryOverview", media=V1BETA, items="dataset",
        inputs=(
            REGION, SOURCE_ID, DESTINATION_CONFIG_ID, START_TIME, END_TIME, GRANULARITY, GROUP_BY,
            DESTINATION_FILTER, *paging(),
        ),
        response_model="GetEgressFailedMetricsFromDeliveryOverview200Response", example=EXAMPLES,
    ),
    Action(
        "getFilteredAtDestinationMetricsFromDeliveryOverview",
        "Get Filtered At Destination Metrics from Delivery Overview",
        "Count events dropped on the way to a destination, per time bucket.",
        "GET", "/delivery-overview/filtered-at-destination",
        area="DeliveryOverview", media=V1BETA, items="dataset",
        inputs=(
            REGION, SOURCE_ID, DESTINATION_CONFIG_ID, START_TIME, END_TIME, GRANULARITY, GROUP_BY,
            DESTINATION_FILTER, *paging(),
        ),
        response_model="GetEgressFailedMetricsFromDeliveryOverview200Response", example=EXAMPLES,
    ),
    Action(
        "getFilteredAtSourceMetricsFromDeliveryOverview",
        "Get Filtered At Source Metrics from Delivery Overview",
        "Count events dropped at a source, per time bucket.",
        "GET", "/delivery-overview/filtered-at-source",
        area="DeliveryOverview", media=V1BETA, items="dataset",
        inputs=(
            REGION, SOURCE_ID, START_TIME, END_TIME, GRANULARITY, GROUP_BY, SOURCE_FILTER,
            *paging(),
        ),
        response_model="GetEgressFailedMetricsFromDeliveryOverview200Response", example=EXAMPLES,
    ),
    Action(
        "getIngressFailedMetricsFromDeliveryOverview",
        "Get Ingress Failed Metrics from Delivery Overview",
        "Count events a source failed to take in, per time bucket.",
        "GET", "/delivery-overview/failed-on-ingest",
        area="DeliveryOverview", media=V1BETA, items="dataset",
        inputs=(
            REGION, SOURCE_ID, START_TIME, END_TIME, GRANULARITY, GROUP_BY, SOURCE_FILTER,
            *paging(),
        ),
        response_model="GetEgressFailedMetricsFromDeliveryOverview200Response", example=EXAMPLES,
    ),
    Action(
        "getIngressSuccessMetricsFromDeliveryOverview",
        "Get Ingress Success Metrics from Delivery Overview",
        "Count events a source received, per time bucket.",
        "GET", "/delivery-overview/successfully-received",
        area="DeliveryOverview", media=V1BETA, items="dataset",
        inputs=(
            REGION, SOURCE_ID, START_TIME, END_TIME, GRANULARITY, GROUP_BY,
            Input("filter", "object", "Only count events whose dimensions are in these lists.",
                  example={"eventName": ["Order Completed"]}, where="query",
                  schema="DeliveryOverviewSuccessfullyReceivedFilterBy"),
            *paging(),
        ),
        response_model="GetEgressFailedMetricsFromDeliveryOverview200Response", example=EXAMPLES,
    ),
)
