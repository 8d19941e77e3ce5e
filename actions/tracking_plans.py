"""Tracking plans (Protocols): the events a source may send and the rules that check them."""

from actions.ids import SOURCE_ID, TRACKING_PLAN_ID
from connector.spec import REGION, V1, Action, ExampleFile, Input, paging

EXAMPLES = ExampleFile.beside(__file__)

_RULE = {"type": "TRACK", "key": "Order Completed", "version": 1}
_RULE_SCHEMA = {"properties": {"properties": {"type": "object",
                                              "required": ["orderId"],
                                              "properties": {"orderId": {"type": "string"}}}}}
TYPE_HELP = "`LIVE`, `PROPERTY_LIBRARY`, `RULE_LIBRARY`, `TEMPLATE` or `ENGAGE`"


def _rules(model: str, comments: str) -> Input:
    # Each body model has its own schema, so this cannot be one shared constant.
    return Input("rules", "array", comments, required=True, items="object",
                 schema=f"{model}.rules", example=[{**_RULE, "jsonSchema": _RULE_SCHEMA}])


ACTIONS = (
    Action(
        "addSourceToTrackingPlan", "Add Source to Tracking Plan",
        "Connect a source to a tracking plan.",
        "POST", "/tracking-plans/{trackingPlanId}/sources", area="TrackingPlans", media=V1,
        inputs=(REGION, TRACKING_PLAN_ID, SOURCE_ID),
        body_model="AddSourceToTrackingPlanV1Input",
        response_model="AddSourceToTrackingPlan200Response", example=EXAMPLES,
    ),
    Action(
        "createTrackingPlan", "Create Tracking Plan", "Create an empty tracking plan.",
        "POST", "/tracking-plans", area="TrackingPlans", media=V1,
        inputs=(
            REGION,
            Input("name", comments="Name of the tracking plan.", required=True,
                  example="Web events"),
            Input("description", comments="What the tracking plan covers.",
                  example="Events of the marketing site"),
            Input("type", comments=f"Kind of plan: {TYPE_HELP}.", required=True,
                  example="LIVE"),
        ),
        body_model="CreateTrackingPlanV1Input", response_model="CreateTrackingPlan200Response",
        example=EXAMPLES,
    ),
    Action(
        "deleteTrackingPlan", "Delete Tracking Plan", "Delete a tracking plan.",
        "DELETE", "/tracking-plans/{trackingPlanId}", area="TrackingPlans", media=V1,
        inputs=(REGION, TRACKING_PLAN_ID),
        response_model="DeleteTrackingPlan200Response", example=EXAMPLES,
    ),
    Action(
        "getTrackingPlan", "Get Tracking Plan", "Fetch one tracking plan by id.",
        "GET", "/tracking-plans/{trackingPlanId}", area="TrackingPlans", media=V1,
        inputs=(REGION, TRACKING_PLAN_ID),
        response_model="GetTrackingPlan200Response", example=EXAMPLES,
    ),
    Action(
        "listRulesFromTrackingPlan", "List Rules from Tracking Plan",
        "List the rules of a tracking plan.",
        "GET", "/tracking-plans/{trackingPlanId}/rules", area="TrackingPlans", media=V1,
        items="rules",
        inputs=(REGION, TRACKING_PLAN_ID, *paging()),
        response_model="ListRulesFromTrackingPlan200Response", example=EXAMPLES,
    ),
    Action(
        "listSourcesFromTrackingPlan", "List Sources from Tracking Plan",
        "List the sources connected to a tracking plan.",
        "GET", "/tracking-plans/{trackingPlanId}/sources", area="TrackingPlans", media=V1,
        items="sources",
        inputs=(REGION, TRACKING_PLAN_ID, *paging()),
        response_model="ListSourcesFromTrackingPlan200Response", example=EXAMPLES,
    ),
    Action(
        "listTrackingPlans", "List Tracking Plans", "List the tracking plans of the workspace.",
        "GET", "/tracking-plans", area="TrackingPlans", media=V1, items="trackingPlans",
        inputs=(
            REGION,
            Input("type", comments=f"Only plans of this kind: {TYPE_HELP}. Blank: all.",
                  example="LIVE"),
            *paging(),
        ),
        response_model="ListTrackingPlans200Response", example=EXAMPLES,
    ),
    Action(
        "removeRulesFromTrackingPlan", "Remove Rules from Tracking Plan",
        "Delete rules from a tracking plan.",
        "DELETE", "/tracking-plans/{trackingPlanId}/rules", area="TrackingPlans", media=V1,
        inputs=(
            REGION, TRACKING_PLAN_ID,
            # Objects in the query string: each is sent as rules.type=...&rules.version=...
            Input("rules", "array", "Rules to delete, each a `type`, `key` and `version`.",
                  required=True, items="object", where="query", schema="RemoveRuleV1[]",
                  example=[_RULE]),
        ),
        response_model="RemoveRulesFromTrackingPlan200Response", example=EXAMPLES,
    ),
    Action(
        "removeSourceFromTrackingPlan", "Remove Source from Tracking Plan",
        "Disconnect a source from a tracking plan.",
        "DELETE", "/tracking-plans/{trackingPlanId}/sources", area="TrackingPlans", media=V1,
        inputs=(REGION, TRACKING_PLAN_ID, SOURCE_ID),
        response_model="RemoveSourceFromTrackingPlan200Response", example=EXAMPLES,
    ),
    Action(
        "replaceRulesInTrackingPlan", "Replace Rules in Tracking Plan",
        "Set the rules of a tracking plan, dropping any not listed.",
        "PUT", "/tracking-plans/{trackingPlanId}/rules", area="TrackingPlans", media=V1,
        inputs=(REGION, TRACKING_PLAN_ID, _rules(
            "ReplaceRulesInTrackingPlanV1Input",
            "All rules of the plan, each a `type`, `key`, `version` and `jsonSchema`.")),
        body_model="ReplaceRulesInTrackingPlanV1Input",
        response_model="ReplaceRulesInTrackingPlan200Response", example=EXAMPLES,
    ),
    Action(
        "updateRulesInTrackingPlan", "Update Rules in Tracking Plan",
        "Add rules to a tracking plan or change existing ones.",
        "PATCH", "/tracking-plans/{trackingPlanId}/rules", area="TrackingPlans", media=V1,
        inputs=(REGION, TRACKING_PLAN_ID, _rules(
            "UpdateRulesInTrackingPlanV1Input",
            "Rules to add or change, each a `type`, `key`, `version`, `jsonSchema` and "
            "optional `newKey`.")),
        body_model="UpdateRulesInTrackingPlanV1Input",
        response_model="UpdateRulesInTrackingPlan200Response", example=EXAMPLES,
    ),
    Action(
        "updateTrackingPlan", "Update Tracking Plan",
        "Change the name or description of a tracking plan.",
        "PATCH", "/tracking-plans/{trackingPlanId}", area="TrackingPlans", media=V1,
        inputs=(
            REGION, TRACKING_PLAN_ID,
            Input("name", comments="New name of the tracking plan.", example="Web events"),
            Input("description", comments="New description of the tracking plan.",
                  example="Events of the marketing site"),
        ),
        body_model="UpdateTrackingPlanV1Input", response_model="UpdateTrackingPlan200Response",
        example=EXAMPLES,
    ),
)
