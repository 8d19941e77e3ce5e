"""Id inputs shared by several API areas, each tied to the picklist that fills it."""

from connector.spec import Input


def _id(key: str, what: str, picklist: str | None, example: str) -> Input:
    return Input(key, comments=f"Id of the {what}.", required=True,
                 picklist=picklist, example=example)


SOURCE_ID = _id("sourceId", "source", "sources", "rh5BDZp6QDHvXFCkibm1pR")
WAREHOUSE_ID = _id("warehouseId", "warehouse", "warehouses", "kjU72LCJexvrqL7G4TMHHN")
DESTINATION_ID = _id("destinationId", "destination", "destination", "5GFhvtz8fha42Cm4B9E6L8")
SPACE_ID = _id("spaceId", "Engage space", "spaces", "spa_9aQ1Lj62S4bomZKLF4DPqW")
AUDIENCE_ID = _id("audienceId", "audience", "audiences", "aud_0ujsszwN8NRY24YaXiTIE2VWDTS")
USER_GROUP_ID = _id("userGroupId", "user group", "userGroups", "2BCAu3dcvK2yk1fmbi8d8zWJFhE")
USER_ID = _id("userId", "user", "users", "1bOHeKJg5BbFhoQqBsgk6xZYi1D")
TRACKING_PLAN_ID = _id("trackingPlanId", "tracking plan", "trackingPlans",
                       "tp_2Bw3TU6uXHmpCfCnQRbUcCh5Kxf")
FUNCTION_ID = _id("functionId", "function", "functions", "sfnc_3uHhWt9RYsdyYdJeYDqPMr")
TRANSFORMATION_ID = _id("transformationId", "transformation", "transformations",
                        "2Bb6BFKnIs2JtE8iBWJDwgbuxRs")
MODEL_ID = _id("modelId", "reverse ETL model", "reverseEtlModels", "cGfiZgrWhQhTKWjp4gfvMk")
CREDENTIAL_ID = _id("credentialId", "credential", "credentials", "2rUVG9Rmg6SmLtTGcVyXoJmCZhn")
FILTER_ID = _id("filterId", "destination filter", "destinationFilters",
                "2LmLZNp7rUC53k6KvlRrpNHLPcR")
SUBSCRIPTION_ID = _id("subscriptionId", "destination subscription",
                      "destinationSubscriptions", "iJA9ehsaRJGrGKBHwAgeKU")
# The audience paths of schedules name the audience `id`, as their listing does.
AUDIENCE_AS_ID = Input("id", comments="Id of the audience.", required=True,
                       example="aud_0ujsszwN8NRY24YaXiTIE2VWDTS", picklist="audiences",
                       label="Audience ID")
# Space filters name their space `integrationId`, in the listing's query and the bodies.
FILTER_SPACE_ID = Input("integrationId", comments="Id of the space the filter applies to.",
                        required=True, picklist="spaces", example="spa_9aQ1Lj62S4bomZKLF4DPqW",
                        label="Space ID")
CONNECTION_ID = _id("connectionId", "audience's connection to a destination",
                    "audienceDestinations", "2Bn1LpzW7Qc5nGZdxvKR4bHs8Xa")
VERSION_ID = _id("versionId", "function version", "functionVersions",
                 "ifnv_2P7hFPzZDYgPHbZRMmtu95sSjMY")
