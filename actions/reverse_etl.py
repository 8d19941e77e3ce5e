"""Reverse ETL: models that query a warehouse source and the syncs that send their rows."""

from dataclasses import replace

from actions.ids import MODEL_ID, SOURCE_ID, SUBSCRIPTION_ID
from connector.spec import Input, Overlays

api = Overlays(__file__)

SYNC_ID = Input("syncId", comments="Id of the sync run.", example="2e9x6cXyzH6Q1sBs3DNqDjwsAqJ")
# Reverse ETL mappings are destination subscriptions; the path names them subscriptionId.
MAPPING_ID = replace(SUBSCRIPTION_ID, comments="Id of the mapping (destination subscription).")
QUERY = "SELECT id, email, plan FROM users"


# Create needs every field; update takes any subset of the same fields.
MODEL_FIELDS = (
    Input("name", comments="Short name of the model.", example="Paying users"),
    Input("description", comments="Longer explanation of what the model extracts.",
          example="Users on a paid plan, for the CRM"),
    Input("enabled", comments="Whether syncs of the model run.", example=True),
    Input("query", comments="SQL run against the source to extract the records.", example=QUERY),
    Input("queryIdentifierColumn", comments="Column of the query that identifies each record.",
          example="id"),
)


ACTIONS = (
    api("cancelReverseEtlSyncForModel", "Cancel Reverse ETL Sync for Model",
        "Cancel a running sync of a model; fails if the sync already ended.",
        MODEL_ID, SYNC_ID,
        # The catalogue takes any number; the API knows these five reasons.
        Input("reasonForCanceling", "integer", "Why: 0 wrong model, 1 wrong destination, "
              "2 wrong keys, 3 wrong mapping, 4 other.", choices=(0, 1, 2, 3, 4), example=4)),
    api("createReverseEtlManualSync", "Create Reverse ETL Manual Sync",
        "Start a sync of a model to one mapping now.",
        SOURCE_ID, MODEL_ID, MAPPING_ID),
    api("createReverseEtlModel", "Create Reverse Etl Model",
        "Create a model that extracts records from a warehouse source.",
        replace(SOURCE_ID, comments="Id of the warehouse source the model queries."),
        *MODEL_FIELDS),
    api("deleteReverseEtlModel", "Delete Reverse Etl Model", "Delete a model.", MODEL_ID),
    api("getReverseEtlModel", "Get Reverse Etl Model", "Fetch one model by id.", MODEL_ID),
    api("getReverseEtlSyncStatus", "Get Reverse ETL Sync Status",
        "Fetch the status, timing and phase details of one sync.",
        MODEL_ID, SYNC_ID),
    api("listReverseEtlModels", "List Reverse Etl Models", "List the models of the workspace."),
    api("listReverseEtlSyncStatusesFromModelAndSubscriptionId",
        "List Reverse ETL Sync Statuses from Model And Subscription Id",
        "List the recent syncs of a model to one mapping, with their status.",
        MODEL_ID, MAPPING_ID,
        # Plain count/cursor here, not a pagination object.
        Input("count", "integer", "Syncs per page (1-100).", default=10, minimum=1, maximum=100),
        Input("cursor", comments="Cursor of the page to fetch, from `pagination.next`.")),
    api("updateReverseEtlModel", "Update Reverse Etl Model",
        "Change the name, query or state of a model.",
        MODEL_ID, *MODEL_FIELDS),
)
