"""dbt: on-demand syncs of the dbt models linked to a source."""

from actions.ids import SOURCE_ID
from connector.spec import REGION, V1BETA, Action, ExampleFile

EXAMPLES = ExampleFile.beside(__file__)

ACTIONS = (
    Action(
        "createDbtModelSyncTrigger", "Create Dbt Model Sync Trigger",
        "Start a sync of the dbt models behind a source.",
        "POST", "/dbt-model-syncs/trigger", area="Dbt", media=V1BETA,
        inputs=(REGION, SOURCE_ID),
        body_model="CreateDbtModelSyncTriggerInput",
        response_model="CreateDbtModelSyncTrigger200Response",
        example=EXAMPLES,
    ),
)
