"""Computed traits: per-profile values that Engage computes from events."""

from actions.ids import SPACE_ID
from connector.spec import Input, Overlays

api = Overlays(__file__)

ENABLED = Input("enabled", comments="Whether the trait is computed.")
DESCRIPTION = Input("description", comments="Description of the trait.",
                    example="Orders in 30 days")
# The paths name this one `id`.
TRAIT_ID = Input("id", comments="Id of the computed trait.", required=True,
                 example="ut_2Bl3Zp2LvDZaLHnAtQ8hMqEcPWr", picklist="computedTraits",
                 label="Computed Trait ID")

ACTIONS = (
    api("createComputedTrait", "Create Computed Trait",
        "Create a computed trait in an Engage space.",
        SPACE_ID,
        Input("name", comments="Name of the trait.", example="Order count 30d"),
        ENABLED, DESCRIPTION,
        Input("definition", comments="Query that computes the trait value, and whether it "
              "is about `USERS` or `ACCOUNTS`.",
              example={"query": "event('Order Completed').count() within 30 days",
                       "type": "USERS"}),
        Input("options", comments="Computation options of the trait.")),
    api("getComputedTrait", "Get Computed Trait", "Fetch one computed trait of a space.",
        SPACE_ID, TRAIT_ID),
    api("listComputedTraits", "List Computed Traits",
        "List the computed traits of an Engage space.",
        SPACE_ID),
    api("removeComputedTraitFromSpace", "Remove Computed Trait from Space",
        "Delete a computed trait from a space.",
        SPACE_ID, TRAIT_ID),
    api("updateComputedTraitForSpace", "Update Computed Trait for Space",
        "Change the name, definition or state of a computed trait.",
        SPACE_ID, TRAIT_ID, ENABLED,
        Input("name", comments="Name of the trait.", example="Order count 30d"), DESCRIPTION,
        Input("definition", comments="Query that computes the trait value.")),
)
