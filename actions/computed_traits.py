"""Computed traits: per-profile values that Engage computes from events."""

from actions.ids import SPACE_ID
from connector.spec import REGION, V1ALPHA, Action, ExampleFile, Input, paging

EXAMPLES = ExampleFile.beside(__file__)

ENABLED = Input("enabled", "boolean", "Whether the trait is computed.")
DESCRIPTION = Input("description", comments="Description of the trait.",
                    example="Orders in 30 days")
# The paths name this one `id`.
TRAIT_ID = Input("id", comments="Id of the computed trait.", required=True,
                 example="ut_2Bl3Zp2LvDZaLHnAtQ8hMqEcPWr", picklist="computedTraits",
                 label="Computed Trait ID")

ACTIONS = (
    Action(
        "createComputedTrait", "Create Computed Trait",
        "Create a computed trait in an Engage space.",
        "POST", "/spaces/{spaceId}/computed-traits", area="ComputedTraits", media=V1ALPHA,
        inputs=(
            REGION, SPACE_ID,
            Input("name", comments="Name of the trait.", required=True, example="Order count 30d"),
            ENABLED, DESCRIPTION,
            Input("definition", "object", "Query that computes the trait value.", required=True,
                  schema="CreateComputedTraitAlphaInput.definition"),
            Input("options", "object", "Computation options of the trait.",
                  schema="CreateComputedTraitAlphaInput.options"),
        ),
        body_model="CreateComputedTraitAlphaInput",
        response_model="CreateComputedTrait200Response",
        example=EXAMPLES,
    ),
    Action(
        "getComputedTrait", "Get Computed Trait", "Fetch one computed trait of a space.",
        "GET", "/spaces/{spaceId}/computed-traits/{id}", area="ComputedTraits", media=V1ALPHA,
        inputs=(REGION, SPACE_ID, TRAIT_ID),
        response_model="GetComputedTrait200Response", example=EXAMPLES,
    ),
    Action(
        "listComputedTraits", "List Computed Traits",
        "List the computed traits of an Engage space.",
        "GET", "/spaces/{spaceId}/computed-traits",
        area="ComputedTraits", media=V1ALPHA, items="computedTraits",
        inputs=(REGION, SPACE_ID, *paging()),
        response_model="ListComputedTraits200Response", example=EXAMPLES,
    ),
    Action(
        "removeComputedTraitFromSpace", "Remove Computed Trait from Space",
        "Delete a computed trait from a space.",
        "DELETE", "/spaces/{spaceId}/computed-traits/{id}", area="ComputedTraits", media=V1ALPHA,
        inputs=(REGION, SPACE_ID, TRAIT_ID),
        response_model="RemoveComputedTraitFromSpace200Response", example=EXAMPLES,
    ),
    Action(
        "updateComputedTraitForSpace", "Update Computed Trait for Space",
        "Change the name, definition or state of a computed trait.",
        "PATCH", "/spaces/{spaceId}/computed-traits/{id}", area="ComputedTraits", media=V1ALPHA,
        inputs=(
            REGION, SPACE_ID, TRAIT_ID, ENABLED,
            Input("name", comments="Name of the trait.", example="Order count 30d"),
            DESCRIPTION,
            Input("definition", "object", "Query that computes the trait value.",
                  schema="UpdateComputedTraitForSpaceAlphaInput.definition"),
        ),
        body_model="UpdateComputedTraitForSpaceAlphaInput",
        response_model="UpdateComputedTraitForSpace200Response",
        example=EXAMPLES,
    ),
)
