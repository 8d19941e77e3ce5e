"""Space schema: the events, entities, properties and traits seen in an Engage space (alpha)."""

from actions.ids import SPACE_ID
from connector.spec import REGION, V1ALPHA, Action, ExampleFile, Input, paging

EXAMPLES = ExampleFile.beside(__file__)

ENTITY_SLUG = Input("entitySlug", comments="Slug of the entity.", required=True,
                    example="accounts")
EVENT_NAME = Input("eventName", comments="Name of the event.", required=True,
                   example="Order Completed")
PROPERTY_NAME = Input("propertyName", comments="Name of the property.", required=True,
                      example="revenue")
# The catalogue names this parameter's model "Filter", but it is a plain text filter.
SEARCH = Input("search", comments="Only return items whose name contains this text.",
               example="order")
COLLECTION = Input("collection", comments="Profile collection to read.", default="users",
                   example="users")
WITH_SAMPLES = Input("includeSampleValues", "boolean", "Also return sample values.",
                     default=False)
SAMPLES_COUNT = Input("samplesCount", "integer", "Sample values per item (1-100).",
                      default=20, minimum=1, maximum=100)


def _sort(by: str, direction: str) -> tuple[Input, Input]:
    # Each listing sorts by its own field and direction unless told otherwise.
    return (
        Input("sortBy", comments="Field to sort by.", default=by),
        Input("sortDir", comments="Sort direction: `asc` or `desc`.", default=direction),
    )


ACTIONS = (
    Action(
        "listEntityPaths", "List Entity Paths", "List the entity paths of a space.",
        "GET", "/spaces/{spaceId}/entity-paths", area="SpaceSchemaAPI", media=V1ALPHA,
        items="entityPaths",
        inputs=(REGION, SPACE_ID, *paging(), SEARCH),
        response_model="ListEntityPaths200Response", example=EXAMPLES,
    ),
    Action(
        "listEvents", "List Events", "List the events seen in a space.",
        "GET", "/spaces/{spaceId}/events", area="SpaceSchemaAPI", media=V1ALPHA,
        items="events",
        inputs=(REGION, SPACE_ID, *paging(), *_sort("lastSeenAt", "desc"), SEARCH),
        response_model="ListEvents200Response", example=EXAMPLES,
    ),
    Action(
        "listPropertiesFromEntity", "List Properties from Entity",
        "List the properties of an entity in a space.",
        "GET", "/spaces/{spaceId}/entities/{entitySlug}/properties", area="SpaceSchemaAPI",
        media=V1ALPHA, items="entityProperties",
        inputs=(REGION, SPACE_ID, ENTITY_SLUG, *paging(), WITH_SAMPLES, SAMPLES_COUNT),
        response_model="ListPropertiesFromEntity200Response", example=EXAMPLES,
    ),
    Action(
        "listPropertiesFromEvent", "List Properties from Event",
        "List the properties seen on an event in a space.",
        "GET", "/spaces/{spaceId}/events/{eventName}/properties", area="SpaceSchemaAPI",
        media=V1ALPHA, items="eventProperties",
        inputs=(REGION, SPACE_ID, EVENT_NAME, *paging(), *_sort("lastSeenAt", "desc"),
                SEARCH, WITH_SAMPLES, SAMPLES_COUNT),
        response_model="ListPropertiesFromEvent200Response", example=EXAMPLES,
    ),
    Action(
        "listSampleValuesFromEntityProperty", "List Sample Values from Entity Property",
        "List sample values of one property of an entity.",
        "GET", "/spaces/{spaceId}/entities/{entitySlug}/properties/{propertyName}/sample-values",
        area="SpaceSchemaAPI", media=V1ALPHA,
        inputs=(REGION, SPACE_ID, ENTITY_SLUG, PROPERTY_NAME),
        response_model="ListSampleValuesFromEntityProperty200Response", example=EXAMPLES,
    ),
    Action(
        "listSampleValuesFromEventProperty", "List Sample Values from Event Property",
        "List sample values of one property of an event.",
        "GET", "/spaces/{spaceId}/events/{eventName}/properties/{propertyName}/sample-values",
        area="SpaceSchemaAPI", media=V1ALPHA,
        inputs=(
            REGION, SPACE_ID, EVENT_NAME, PROPERTY_NAME,
            Input("propertyType", comments="Where the property sits: `PROPERTY` (event "
                  "properties) or `CONTEXT`.", required=True, choices=("CONTEXT", "PROPERTY"),
                  example="PROPERTY"),
        ),
        response_model="ListSampleValuesFromEventProperty200Response", example=EXAMPLES,
    ),
    Action(
        "listSampleValuesFromTrait", "List Sample Values from Trait",
        "List sample values of one trait in a space.",
        "GET", "/spaces/{spaceId}/traits/{traitKey}/sample-values", area="SpaceSchemaAPI",
        media=V1ALPHA,
        inputs=(
            REGION, SPACE_ID,
            Input("traitKey", comments="Key of the trait.", required=True, example="plan"),
            COLLECTION,
        ),
        response_model="ListSampleValuesFromTrait200Response", example=EXAMPLES,
    ),
    Action(
        "listTraits", "List Traits", "List the traits seen on the profiles of a space.",
        "GET", "/spaces/{spaceId}/traits", area="SpaceSchemaAPI", media=V1ALPHA,
        items="traits",
        inputs=(REGION, SPACE_ID, *paging(), *_sort("trait", "asc"), SEARCH, COLLECTION,
                WITH_SAMPLES, SAMPLES_COUNT),
        response_model="ListTraits200Response", example=EXAMPLES,
    ),
)
