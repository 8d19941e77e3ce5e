"""Built-in picklists: each turns a listing into `{"result": [{"label", "key"}]}`.

The registry registers this module itself, by import, before any entry point.
"""

from typing import Any

from actions.ids import (
    AUDIENCE_AS_ID,
    AUDIENCE_ID,
    DESTINATION_ID,
    FILTER_SPACE_ID,
    FUNCTION_ID,
    SPACE_ID,
)
from connector.hookspecs import Register, hookimpl
from connector.spec import REGION, DataSource, Fields, Input


def _pick(key: str, display: str, action: str, *label: str, what: str,
          inputs: tuple[Input, ...] = (), value: str = "id",
          example: tuple[str, Any] | None = None, items: str | None = None) -> DataSource:
    sample = {"result": [{"label": example[0], "key": example[1]}]} if example else None
    return DataSource(key, display, f"Choose {what}.", action, label or ("name", "id"),
                      value, (REGION, *inputs), sample, items=items)


RESOURCE_TYPE = Input("resourceType", comments="Kind of function to list.", required=True,
                      choices=("DESTINATION", "INSERT_DESTINATION", "INSERT_SOURCE", "SOURCE"),
                      default="SOURCE", example="SOURCE")

DATASOURCES = (
    # The seed product's three picklists, same keys and payloads.
    _pick("sources", "Fetch Sources", "listSources", "name", "slug", "id", what="a source",
          example=("web", "rh5BDZp6QDHvXFCkibm1pR")),
    _pick("warehouses", "Fetch Warehouses", "listWarehouses", "settings.name", "metadata.name",
          "id",
          what="a warehouse", example=("Postgres", "kjU72LCJexvrqL7G4TMHHN")),
    _pick("destination", "Fetch Destination", "listDestinations", "name", "metadata.name", "id",
          what="a destination", example=("Amazon Kinesis", "5GFhvtz8fha42Cm4B9E6L8")),
    # The key is a label object, as the `labels` inputs of sources take it.
    _pick("labels", "Fetch Labels", "listLabels", "{key}:{value}", value=Fields("key", "value"),
          what="a label", items="labels",
          example=("environment:prod", {"key": "environment", "value": "prod"})),
    _pick("functions", "Fetch Functions", "listFunctions", "displayName", "id",
          what="a function", inputs=(RESOURCE_TYPE,)),
    _pick("users", "Fetch Users", "listUsers", "name", "email", "id", what="a user"),
    _pick("userGroups", "Fetch User Groups", "listUserGroups", what="a user group"),
    _pick("roles", "Fetch Roles", "listRoles", what="a role"),
    _pick("trackingPlans", "Fetch Tracking Plans", "listTrackingPlans", "name", "slug", "id",
          what="a tracking plan"),
    _pick("transformations", "Fetch Transformations", "listTransformations",
          what="a transformation"),
    _pick("spaces", "Fetch Spaces", "listSpaces", "name", "slug", "id", what="an Engage space"),
    _pick("audiences", "Fetch Audiences", "listAudiences", "name", "key", "id",
          what="an audience of a space", inputs=(SPACE_ID,)),
    _pick("computedTraits", "Fetch Computed Traits", "listComputedTraits", "name", "key", "id",
          what="a computed trait of a space", inputs=(SPACE_ID,)),
    _pick("destinationSubscriptions", "Fetch Destination Subscriptions",
          "listSubscriptionsFromDestination", "name", "actionSlug", "id",
          what="a subscription of a destination", inputs=(DESTINATION_ID,)),
    _pick("destinationFilters", "Fetch Destination Filters", "listFiltersFromDestination",
          "title", "if", "id", what="a filter of a destination", inputs=(DESTINATION_ID,)),
    _pick("reverseEtlModels", "Fetch Reverse ETL Models", "listReverseEtlModels",
          what="a reverse ETL model"),
    _pick("credentials", "Fetch Credentials", "listCredentials", what="a credential"),
    _pick("sourcesCatalog", "Fetch Source Catalog", "getSourcesCatalog", "name", "slug", "id",
          what="a source type from the catalog", example=("Javascript", "IqDTy1TpoU")),
    _pick("destinationsCatalog", "Fetch Destination Catalog", "getDestinationsCatalog",
          "name", "slug", "id", what="a destination type from the catalog",
          example=("Amazon Kinesis", "57da359580412f644ff33fb9")),
    _pick("warehousesCatalog", "Fetch Warehouse Catalog", "getWarehousesCatalog",
          "name", "slug", "id", what="a warehouse type from the catalog"),
    # Ids that live under a parent: each listing takes its parent under the key the
    # actions it serves use, so a flow maps the action's field to the picklist's input.
    _pick("audienceDestinations", "Fetch Audience Destinations", "listDestinationsFromAudience",
          "name", "metadata.name", "id", what="a destination connected to an audience",
          inputs=(SPACE_ID, AUDIENCE_ID),
          example=("Amazon Kinesis", "2Bn1LpzW7Qc5nGZdxvKR4bHs8Xa")),
    _pick("audienceActivations", "Fetch Audience Activations", "listActivationsFromAudience",
          "{activationName} ({activationType})", "activationName", "id",
          what="an activation of an audience", inputs=(SPACE_ID, AUDIENCE_ID),
          example=("vip_entered (Audience Entered)", "2hJ8mnZsM3rYXpcHpiP3jgJB1vW")),
    # Not paged: the whole list comes in one answer, under `audienceSchedules`.
    _pick("audienceSchedules", "Fetch Audience Schedules",
          "listAudienceSchedulesFromSpaceAndAudience", "{strategy}, next run {nextExecution}",
          "strategy", "id", what="a compute schedule of an audience",
          inputs=(SPACE_ID, AUDIENCE_AS_ID), items="audienceSchedules"),
    _pick("spaceFilters", "Fetch Space Filters", "listFiltersForSpace", "name", "if", "id",
          what="a filter of an Engage space", inputs=(FILTER_SPACE_ID,),
          example=("Drop test events", "2LmLZNp7rUC53k6KvlRrpNHLPcR")),
    _pick("insertFunctionInstances", "Fetch Insert Function Instances",
          "listInsertFunctionInstances", "name", "id",
          what="an instance of an insert function", inputs=(FUNCTION_ID,),
          example=("Enrich orders (prod)", "2Fr5uFAoV7Sgd7CoGzTi5FqWTzV")),
    _pick("functionVersions", "Fetch Function Versions", "listFunctionVersions",
          "{createdAt} by {author}", "createdAt", "id", what="a saved version of a function",
          inputs=(FUNCTION_ID,)),
    _pick("regulations", "Fetch Regulations", "listWorkspaceRegulations",
          "{regulationType} ({status}, {createdAt})", "regulationType", "id",
          what="a regulation of the workspace"),
    _pick("profilesWarehouses", "Fetch Profiles Warehouses", "listProfilesWarehouseInSpace",
          "settings.name", "schemaName", "metadata.name", "id",
          what="a profiles warehouse of an Engage space", inputs=(SPACE_ID,)),
)


@hookimpl
def register_datasources(register: Register) -> None:
    for source in DATASOURCES:
        register(source)
