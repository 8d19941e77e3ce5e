"""Space schema: the events, entities, properties and traits seen in an Engage space (alpha)."""

from actions.ids import SPACE_ID
from connector.spec import Input, Overlays

api = Overlays(__file__)

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
    api("listEntityPaths", "List Entity Paths", "List the entity paths of a space.",
        SPACE_ID, SEARCH),
    api("listEvents", "List Events", "List the events seen in a space.",
        SPACE_ID,
        *_sort("lastSeenAt", "desc"), SEARCH),
    api("listPropertiesFromEntity", "List Properties from Entity",
        "List the properties of an entity in a space.",
        SPACE_ID, ENTITY_SLUG, WITH_SAMPLES, SAMPLES_COUNT),
    api("listPropertiesFromEvent", "List Properties from Event",
        "List the properties seen on an event in a space.",
        SPACE_ID, EVENT_NAME,
        *_sort("lastSeenAt", "desc"), SEARCH, WITH_SAMPLES, SAMPLES_COUNT),
    api("listSampleValuesFromEntityProperty", "List Sample Values from Entity Property",
        "List sample values of one property of an entity.",
        SPACE_ID, ENTITY_SLUG, PROPERTY_NAME),
    api("listSampleValuesFromEventProperty", "List Sample Values from Event Property",
        "List sample values of one property of an event.",
        SPACE_ID, EVENT_NAME, PROPERTY_NAME,
        Input("propertyType", comments="Where the property sits: `PROPERTY` (event "
"properties) or `CONTEXT`.",
              choices=("CONTEXT", "PROPERTY"), example="PROPERTY")),
    api("listSampleValuesFromTrait", "List Sample Values from Trait",
        "List sample values of one trait in a space.",
        SPACE_ID,
        Input("traitKey", comments="Key of the trait.", example="plan"), COLLECTION),
    api("listTraits", "List Traits", "List the traits seen on the profiles of a space.",
        SPACE_ID,
        *_sort("trait", "asc"), SEARCH, COLLECTION, WITH_SAMPLES, SAMPLES_COUNT),
)
