"""Tracking plans (Protocols): the events a source may send and the rules that check them."""

from actions.ids import SOURCE_ID, TRACKING_PLAN_ID
from connector.spec import Input, Overlays

api = Overlays(__file__)

_RULE = {"type": "TRACK", "key": "Order Completed", "version": 1}
_RULE_SCHEMA = {"properties": {"properties": {"type": "object",
                                              "required": ["orderId"],
                                              "properties": {"orderId": {"type": "string"}}}}}
TYPE_HELP = "`LIVE`, `PROPERTY_LIBRARY`, `RULE_LIBRARY`, `TEMPLATE` or `ENGAGE`"


def _rules(comments: str) -> Input:
    return Input("rules", comments=comments, example=[{**_RULE, "jsonSchema": _RULE_SCHEMA}])


ACTIONS = (
    api("addSourceToTrackingPlan", "Add Source to Tracking Plan",
        "Connect a source to a tracking plan.",
        TRACKING_PLAN_ID, SOURCE_ID),
    api("createTrackingPlan", "Create Tracking Plan", "Create an empty tracking plan.",
        Input("name", comments="Name of the tracking plan.", example="Web events"),
        Input("description", comments="What the tracking plan covers.",
              example="Events of the marketing site"),
        Input("type", comments=f"Kind of plan: {TYPE_HELP}.", example="LIVE")),
    api("deleteTrackingPlan", "Delete Tracking Plan", "Delete a tracking plan.", TRACKING_PLAN_ID),
    api("getTrackingPlan", "Get Tracking Plan", "Fetch one tracking plan by id.", TRACKING_PLAN_ID),
    api("listRulesFromTrackingPlan", "List Rules from Tracking Plan",
        "List the rules of a tracking plan.",
        TRACKING_PLAN_ID),
    api("listSourcesFromTrackingPlan", "List Sources from Tracking Plan",
        "List the sources connected to a tracking plan.",
        TRACKING_PLAN_ID),
    api("listTrackingPlans", "List Tracking Plans", "List the tracking plans of the workspace.",
        Input("type", comments=f"Only plans of this kind: {TYPE_HELP}. Blank: all.",
              example="LIVE")),
    api("removeRulesFromTrackingPlan", "Remove Rules from Tracking Plan",
        "Delete rules from a tracking plan.",
        TRACKING_PLAN_ID,
        # Objects in the query string: each is sent as rules.type=...&rules.version=...
        Input("rules", comments="Rules to delete, each a `type`, `key` and `version`.",
              example=[_RULE])),
    api("removeSourceFromTrackingPlan", "Remove Source from Tracking Plan",
        "Disconnect a source from a tracking plan.",
        TRACKING_PLAN_ID, SOURCE_ID),
    api("replaceRulesInTrackingPlan", "Replace Rules in Tracking Plan",
        "Set the rules of a tracking plan, dropping any not listed.",
        TRACKING_PLAN_ID,
        _rules("All rules of the plan, each a `type`, `key`, `version` and `jsonSchema`."),
        safety="destructive"),
    api("updateRulesInTrackingPlan", "Update Rules in Tracking Plan",
        "Add rules to a tracking plan or change existing ones.",
        TRACKING_PLAN_ID,
        _rules("Rules to add or change, each a `type`, `key`, `version`, `jsonSchema` and "
               "optional `newKey`.")),
    api("updateTrackingPlan", "Update Tracking Plan",
        "Change the name or description of a tracking plan.",
        TRACKING_PLAN_ID,
        Input("name", comments="New name of the tracking plan.", example="Web events"),
        Input("description", comments="New description of the tracking plan.",
              example="Events of the marketing site")),
)
