"""Credentials: shared warehouse logins that sources and warehouses reuse."""

from actions.ids import CREDENTIAL_ID
from connector.spec import REGION, Action, ExampleFile, Input, paging

EXAMPLES = ExampleFile.beside(__file__)

ACTIONS = (
    Action(
        "createCredential", "Create Credential",
        "Store a warehouse login that sources and warehouses can share.",
        "POST", "/credentials", area="Credentials", status=201,
        inputs=(
            REGION,
            Input("name", comments="Name of the credential.", required=True,
                  example="Snowflake prod"),
            Input("settings", "object",
                  "Type-specific settings; `type` (e.g. `Snowflake`) is required.", required=True,
                  example={"type": "Snowflake", "user": "SEGMENT"}),
        ),
        body_model="CreateCredentialV1Input",
        response_model="CreateCredential201Response",
        example=EXAMPLES,
    ),
    Action(
        "deleteCredential", "Delete Credential", "Delete a credential.",
        "DELETE", "/credentials/{credentialId}", area="Credentials",
        inputs=(REGION, CREDENTIAL_ID),
        response_model="DeleteCredential200Response", example=EXAMPLES,
    ),
    Action(
        "getCredential", "Get Credential", "Fetch one credential.",
        "GET", "/credentials/{credentialId}", area="Credentials",
        inputs=(REGION, CREDENTIAL_ID),
        response_model="GetCredential200Response", example=EXAMPLES,
    ),
    Action(
        "listCredentialConsumers", "List Credential Consumers",
        "List the sources and warehouses that use a credential.",
        "GET", "/credentials/{credentialId}/consumers", area="Credentials",
        inputs=(
            REGION, CREDENTIAL_ID,
            Input("warehousesPagination", "object", "Page of warehouses: `count` and `cursor`.",
                  example={"count": 50}, where="query", schema="PaginationInput"),
            Input("sourcesPagination", "object", "Page of sources: `count` and `cursor`.",
                  example={"count": 50}, where="query", schema="PaginationInput"),
        ),
        response_model="ListCredentialConsumers200Response", example=EXAMPLES,
    ),
    Action(
        "listCredentials", "List Credentials", "List the credentials of the workspace.",
        "GET", "/credentials", area="Credentials", items="credentials",
        inputs=(REGION, *paging()),
        response_model="ListCredentials200Response", example=EXAMPLES,
    ),
    Action(
        "updateCredential", "Update Credential",
        "Rename a credential or change some of its settings.",
        "PATCH", "/credentials/{credentialId}", area="Credentials",
        inputs=(
            REGION, CREDENTIAL_ID,
            Input("name", comments="Name of the credential.", example="Snowflake prod"),
            Input("settings", "object", "Settings to change; `type` cannot change.",
                  example={"user": "SEGMENT_RW"}),
        ),
        body_model="UpdateCredentialV1Input",
        response_model="UpdateCredential200Response",
        example=EXAMPLES,
    ),
)
