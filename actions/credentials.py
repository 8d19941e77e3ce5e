"""Credentials: shared warehouse logins that sources and warehouses reuse."""

from actions.ids import CREDENTIAL_ID
from connector.spec import Input, Overlays

api = Overlays(__file__)

ACTIONS = (
    api("createCredential", "Create Credential",
        "Store a warehouse login that sources and warehouses can share.",
        Input("name", comments="Name of the credential.", example="Snowflake prod"),
        Input("settings",
              comments="Type-specific settings; `type` (e.g. `Snowflake`) is required.",
              example={"type": "Snowflake", "user": "SEGMENT"})),
    api("deleteCredential", "Delete Credential", "Delete a credential.", CREDENTIAL_ID),
    api("getCredential", "Get Credential", "Fetch one credential.", CREDENTIAL_ID),
    api("listCredentialConsumers", "List Credential Consumers",
        "List the sources and warehouses that use a credential.",
        CREDENTIAL_ID,
        Input("warehousesPagination", comments="Page of warehouses: `count` and `cursor`.",
              example={"count": 50}),
        Input("sourcesPagination", comments="Page of sources: `count` and `cursor`.",
              example={"count": 50})),
    api("listCredentials", "List Credentials", "List the credentials of the workspace."),
    api("updateCredential", "Update Credential",
        "Rename a credential or change some of its settings.",
        CREDENTIAL_ID,
        Input("name", comments="Name of the credential.", example="Snowflake prod"),
        Input("settings", comments="Settings to change; `type` cannot change.",
              example={"user": "SEGMENT_RW"})),
)
