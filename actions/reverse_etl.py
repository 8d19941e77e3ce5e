"""Reverse ETL: models that query a warehouse source and the syncs that send their rows."""

from dataclasses import replace

from actions.ids import MODEL_ID, SOURCE_ID, SUBSCRIPTION_ID
from connector.spec import REGION, V1ALPHA, Action, ExampleFile, Input, paging

EXAMPLES = ExampleFile.beside(__file__)

SYNC_ID = Input("syncId", comments="Id of the sync run.", required=True,
                example="2e9x6cXyzH6Q1sBs3DNqDjwsAqJ")
# Reverse ETL mappings are destination subscriptions; the path names them subscriptionId.
MAPPING_ID = replace(SUBSCRIPTION_ID, comments="Id of the mapping (destination subscription).")
QUERY = "SELECT id, email, plan FROM users"


def _text(key: str, comments: str, example: str, required: bool) -> Input:
    return Input(key, comments=comments, required=required, example=example)


def _model_fields(required: bool) -> tuple[Input, ...]:
    # Create needs every field; update takes any subset of the same fields.
    return (
        _text("name", "Short name of the model.", "Paying users", required),
        _text("description", "Longer explanation of what the model extracts.",
              "Users on a paid plan, for the CRM", required),
        Input("enabled", "boolean", "Whether syncs of the model run.", required=required),
        _text("query", "SQL run against the source to extract the records.", QUERY, required),
        _text("queryIdentifierColumn", "Column of the query that identifies each record.",
              "id", required),
    )


ACTIONS = (
    Action(
        "cancelReverseEtlSyncForModel", "Cancel Reverse ETL Sync for Model",
        "Cancel a running sync of a model; fails if the sync already ended.",
        "POST", "/reverse-etl-models/{modelId}/syncs/{syncId}/cancel", area="ReverseETL",
        media=V1ALPHA,
        inputs=(
            REGION, MODEL_ID, SYNC_ID,
            Input("reasonForCanceling", "integer", "Why: 0 wrong model, 1 wrong destination, "
                  "2 wrong keys, 3 wrong mapping, 4 other.", choices=(0, 1, 2, 3, 4), example=4),
        ),
        body_model="CancelReverseETLSyncForModelInput",
        response_model="CancelReverseETLSyncForModel200Response", example=EXAMPLES,
    ),
    Action(
        "createReverseEtlManualSync", "Create Reverse ETL Manual Sync",
        "Start a sync of a model to one mapping now.",
        "POST", "/reverse-etl-syncs", area="ReverseETL", media=V1ALPHA,
        inputs=(REGION, SOURCE_ID, MODEL_ID, MAPPING_ID),
        body_model="CreateReverseETLManualSyncInput",
        response_model="CreateReverseETLManualSync200Response", example=EXAMPLES,
    ),
    Action(
        "createReverseEtlModel", "Create Reverse Etl Model",
        "Create a model that extracts records from a warehouse source.",
        "POST", "/reverse-etl-models", area="ReverseETL", media=V1ALPHA, status=201,
        inputs=(
            REGION,
            replace(SOURCE_ID, comments="Id of the warehouse source the model queries."),
            *_model_fields(required=True),
        ),
        body_model="CreateReverseEtlModelInput",
        response_model="CreateReverseEtlModel201Response", example=EXAMPLES,
    ),
    Action(
        "deleteReverseEtlModel", "Delete Reverse Etl Model", "Delete a model.",
        "DELETE", "/reverse-etl-models/{modelId}", area="ReverseETL", media=V1ALPHA,
        inputs=(REGION, MODEL_ID),
        response_model="DeleteReverseEtlModel200Response", example=EXAMPLES,
    ),
    Action(
        "getReverseEtlModel", "Get Reverse Etl Model", "Fetch one model by id.",
        "GET", "/reverse-etl-models/{modelId}", area="ReverseETL", media=V1ALPHA,
        inputs=(REGION, MODEL_ID),
        response_model="GetReverseEtlModel200Response", example=EXAMPLES,
    ),
    Action(
        "getReverseEtlSyncStatus", "Get Reverse ETL Sync Status",
        "Fetch the status, timing and phase details of one sync.",
        "GET", "/reverse-etl-models/{modelId}/syncs/{syncId}", area="ReverseETL",
        media=V1ALPHA,
        inputs=(REGION, MODEL_ID, SYNC_ID),
        response_model="GetReverseETLSyncStatus200Response", example=EXAMPLES,
    ),
    Action(
        "listReverseEtlModels", "List Reverse Etl Models", "List the models of the workspace.",
        "GET", "/reverse-etl-models", area="ReverseETL", media=V1ALPHA, items="models",
        inputs=(REGION, *paging()),
        response_model="ListReverseEtlModels200Response", example=EXAMPLES,
    ),
    Action(
        "listReverseEtlSyncStatusesFromModelAndSubscriptionId",
        "List Reverse ETL Sync Statuses from Model And Subscription Id",
        "List the recent syncs of a model to one mapping, with their status.",
        "GET", "/reverse-etl-models/{modelId}/subscriptionId/{subscriptionId}/syncs",
        area="ReverseETL", media=V1ALPHA,
        inputs=(
            REGION, MODEL_ID, MAPPING_ID,
            # Plain count/cursor here, not a pagination object.
            Input("count", "integer", "Syncs per page (1-100).", default=10,
                  minimum=1, maximum=100),
            Input("cursor", comments="Cursor of the page to fetch, from `pagination.next`."),
        ),
        response_model="ListReverseETLSyncStatusesFromModelAndSubscriptionId200Response",
        example=EXAMPLES,
    ),
    Action(
        "updateReverseEtlModel", "Update Reverse Etl Model",
        "Change the name, query or state of a model.",
        "PATCH", "/reverse-etl-models/{modelId}", area="ReverseETL", media=V1ALPHA,
        inputs=(REGION, MODEL_ID, *_model_fields(required=False)),
        body_model="UpdateReverseEtlModelInput",
        response_model="UpdateReverseEtlModel200Response", example=EXAMPLES,
    ),
)
