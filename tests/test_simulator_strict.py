"""The simulator is as strict as the API: every id a path names must exist (404 in the
API's envelope otherwise, also once deleted), every family lives through create, get,
update, list and delete, and each bad request gets the status the API documents for it
with every problem named."""

from __future__ import annotations

import json
import re
from typing import Any

import pytest
import requests

from connector.simulator import Simulator, catalog, records
from connector.simulator.scenario import JS, SPACE, Walk

UNKNOWN = "rh5BDZp6QDHvXFCkibm1pR"  # spelt like an id, made by nobody
# Path parameters that name things the API does not create by id (events, traits,
# entities, properties, audience types): any value is a question, not a reference.
NAMES = frozenset({"audienceType", "entitySlug", "eventName", "propertyName", "traitKey"})
ID_ADDRESSED = sorted((op.op_id, name) for op in catalog.operations().values()
                      for name in op.path_params if name not in NAMES)


@pytest.fixture(scope="module")
def walk() -> Any:
    with Simulator(seed=5, endpoint_limits=False) as sim:
        walk = Walk(sim)
        walk.setup()
        yield walk


def _not_found(r: requests.Response) -> bool:
    """A 404 in the API's envelope."""
    if r.status_code != 404:
        return False
    errors = r.json().get("errors") or [{}]
    return bool(errors[0].get("type") == "not-found")


def test_every_id_addressed_operation_is_under_test() -> None:
    ops = {op_id for op_id, _ in ID_ADDRESSED}
    assert len(ops) > 130
    # The families the generic answers keep are among them, each by every id it is named by.
    for family in records.FAMILIES:
        assert any(records.family_of(catalog.operations()[op_id], name) == family
                   for op_id, name in ID_ADDRESSED), family.name


@pytest.mark.parametrize(("op_id", "param"), ID_ADDRESSED)
def test_an_id_never_made_is_404(walk: Walk, op_id: str, param: str) -> None:
    # Everything else in the request is valid: only the made-up id can be wrong.
    r = walk.call(op_id, params={param: UNKNOWN})
    assert _not_found(r), f"{op_id} with {param}={UNKNOWN}: {r.status_code} {r.text[:200]}"


# Each family's life: create, the path parameter naming one, get, update, list, delete
# (None where the API has no such operation: a connection or a profiles warehouse is not
# read alone; regulations, previews and syncs are never deleted).
FAMILIES = [
    ("createSource", "sourceId", "getSource", "updateSource", "listSources", "deleteSource"),
    ("createDestination", "destinationId", "getDestination", "updateDestination",
     "listDestinations", "deleteDestination"),
    ("createWarehouse", "warehouseId", "getWarehouse", "updateWarehouse", "listWarehouses",
     "deleteWarehouse"),
    ("createFunction", "functionId", "getFunction", "updateFunction", "listFunctions",
     "deleteFunction"),
    ("createTransformation", "transformationId", "getTransformation", "updateTransformation",
     "listTransformations", "deleteTransformation"),
    ("createTrackingPlan", "trackingPlanId", "getTrackingPlan", "updateTrackingPlan",
     "listTrackingPlans", "deleteTrackingPlan"),
    ("createReverseEtlModel", "modelId", "getReverseEtlModel", "updateReverseEtlModel",
     "listReverseEtlModels", "deleteReverseEtlModel"),
    ("createUserGroup", "userGroupId", "getUserGroup", "updateUserGroup", "listUserGroups",
     "deleteUserGroup"),
    ("createInsertFunctionInstance", "instanceId", "getInsertFunctionInstance",
     "updateInsertFunctionInstance", "listInsertFunctionInstances",
     "deleteInsertFunctionInstance"),
    ("createDestinationSubscription", "id", "getSubscriptionFromDestination",
     "updateSubscriptionForDestination", "listSubscriptionsFromDestination",
     "removeSubscriptionFromDestination"),
    ("createFilterForDestination", "filterId", "getFilterInDestination",
     "updateFilterForDestination", "listFiltersFromDestination",
     "removeFilterFromDestination"),
    ("createAudience", "id", "getAudience", "updateAudienceForSpace", "listAudiences",
     "removeAudienceFromSpace"),
    ("addAudienceScheduleToAudience", "scheduleId", "getAudienceScheduleFromSpaceAndAudience",
     "updateAudienceScheduleForAudience", "listAudienceSchedulesFromSpaceAndAudience",
     "removeAudienceScheduleFromAudience"),
    ("addActivationToAudience", "id", "getActivationFromAudience",
     "updateActivationForAudience", "listActivationsFromAudience",
     "removeActivationFromAudience"),
    ("addDestinationToAudience", "destinationId", None, "updateDestinationForAudience",
     "listDestinationsFromAudience", "removeDestinationFromAudience"),
    ("createComputedTrait", "id", "getComputedTrait", "updateComputedTraitForSpace",
     "listComputedTraits", "removeComputedTraitFromSpace"),
    ("createCredential", "credentialId", "getCredential", "updateCredential",
     "listCredentials", "deleteCredential"),
    ("createFilterForSpace", "id", "getFilterById", "updateFilterById", "listFiltersForSpace",
     "deleteFilterById"),
    ("createProfilesWarehouse", "warehouseId", None,
     "updateProfilesWarehouseForSpaceWarehouse", "listProfilesWarehouseInSpace",
     "removeProfilesWarehouseFromSpace"),
    ("createWorkspaceRegulation", "regulateId", "getRegulation", None,
     "listWorkspaceRegulations", None),
    ("createAudiencePreview", "id", "getAudiencePreview", None, None, None),
    ("createReverseEtlManualSync", "syncId", "getReverseEtlSyncStatus", None,
     "listReverseEtlSyncStatusesFromModelAndSubscriptionId", None),
]


def _made_id(data: dict[str, Any]) -> str:
    """The id of what a create answered: `data.<object>.id` (or `syncId`), or `regulateId`."""
    if isinstance(data.get("regulateId"), str):
        return str(data["regulateId"])
    obj = next(v for v in data.values() if isinstance(v, dict) and ("id" in v or "syncId" in v))
    return str(obj.get("id") or obj["syncId"])


def _fresh(walk: Walk, create: str) -> str:
    """Make one more of a family, apart from the walk's own: a connection is named by its
    destination, so a fresh one connects another destination."""
    body = walk.body(catalog.operations()[create])
    if create == "addDestinationToAudience":
        walk.serial += 1
        body["destination"] = {"id": f"dest-{walk.serial}", "type": "DESTINATION"}
    return _made_id(_ok(walk.call(create, body=body), create))


def _ok(r: requests.Response, what: str) -> dict[str, Any]:
    assert r.status_code < 300, f"{what}: {r.status_code} {r.text[:300]}"
    return dict(r.json()["data"])


@pytest.mark.parametrize("life", FAMILIES, ids=[f[0] for f in FAMILIES])
def test_every_family_lives_and_dies(walk: Walk, life: tuple[Any, ...]) -> None:
    create, param, get, update, listing, delete = life
    assert all(op in catalog.operations() for op in life[2:] if op), life
    made = _fresh(walk, create)
    at = {param: made}
    if get:
        assert made in json.dumps(_ok(walk.call(get, params=at), get))
    if update:
        _ok(walk.call(update, params=at), update)
        if get:  # the update was kept, not only answered
            assert made in json.dumps(_ok(walk.call(get, params=at), get))
    if listing:
        assert made in json.dumps(_ok(walk.call(listing), listing)), f"{listing} lacks {made}"
    if delete is None:
        return
    _ok(walk.call(delete, params=at), delete)
    for after in (get, update, delete):
        if after:
            assert _not_found(walk.call(after, params=at)), f"{after} after {delete}"
    if listing:
        assert made not in json.dumps(_ok(walk.call(listing), listing))


def test_children_go_with_their_audience(walk: Walk) -> None:
    audience = _made_id(_ok(walk.call("createAudience"), "createAudience"))
    schedule = _made_id(_ok(walk.call("addAudienceScheduleToAudience", params={"id": audience}),
                            "schedule"))
    _ok(walk.call("removeAudienceFromSpace", params={"id": audience}), "remove")
    r = walk.call("getAudienceScheduleFromSpaceAndAudience",
                  params={"id": audience, "scheduleId": schedule})
    assert _not_found(r)
    assert not walk.sim.state["records"]["audienceSchedules"].get(schedule)


def test_an_audience_of_one_space_is_not_found_in_another(walk: Walk) -> None:
    audience = walk.ids["audiences"]
    assert walk.call("getAudience", params={"id": audience}).status_code == 200
    other = walk.call("getAudience", params={"spaceId": "spa_other", "id": audience})
    assert _not_found(other)  # the space itself is unknown
    assert SPACE in walk.sim.state["spaces"]


# --- requests refused as the API refuses them ---------------------------------------------

def _errors(r: requests.Response, status: int) -> list[dict[str, Any]]:
    assert r.status_code == status, r.text[:300]
    body = r.json()
    assert set(body) == {"errors"}
    return list(body["errors"])


def _raw(walk: Walk, method: str, path: str, data: bytes | str | None = None,
         **kwargs: Any) -> requests.Response:
    return walk.session.request(method, walk.sim.base_url + path, data=data, timeout=10,
                                headers={"Content-Type": "application/json"}, **kwargs)


UPDATES_NEEDING_A_BODY = ["updateSource", "updateSchemaSettingsInSource", "updateDestination",
                          "updateFunction", "updateTrackingPlan", "updateTransformation",
                          "updateFilterForDestination"]


@pytest.mark.parametrize("op_id", UPDATES_NEEDING_A_BODY)
def test_an_update_without_a_body_is_422(walk: Walk, op_id: str) -> None:
    op = catalog.operations()[op_id]
    path = op.path
    for name in op.path_params:
        path = path.replace("{" + name + "}", walk.path_value(op, name))
    (error,) = _errors(_raw(walk, op.method, path), 422)
    assert error == {"type": "input-validation", "message": "A request body is required",
                     "field": "body"}


@pytest.mark.parametrize("op_id", sorted(o.op_id for o in catalog.operations().values()
                                         if o.body_model))
def test_a_body_that_is_not_json_is_422_on_every_operation_that_takes_one(
        walk: Walk, op_id: str) -> None:
    op = catalog.operations()[op_id]
    path = op.path
    for name in op.path_params:
        path = path.replace("{" + name + "}", walk.path_value(op, name))
    (error,) = _errors(_raw(walk, op.method, path, data=b'{"name": '), 422)
    assert error["field"] == "body" and error["message"] == "Body is not valid JSON"


def test_every_validation_error_is_named(walk: Walk) -> None:
    r = _raw(walk, "POST", "/sources", data='{"slug": 5, "enabled": "yes", "colour": "red"}')
    assert {(e["field"], e["message"]) for e in _errors(r, 422)} == {
        ("metadataId", '"metadataId" is required'),
        ("slug", '"slug" must be a string'),
        ("enabled", '"enabled" must be true or false'),
        ("colour", '"colour" is not allowed'),
    }
    # Deep down too, each with its path.
    r = _raw(walk, "POST", "/labels", data='{"label": {"key": 1, "value": 2}}')
    assert [e["field"] for e in _errors(r, 422)] == ["label.key", "label.value"]


def test_source_settings_refuse_unknown_keys_and_wrong_shapes(walk: Walk) -> None:
    source = walk.ids["sourceId"]
    r = _raw(walk, "PATCH", f"/sources/{source}/settings",
             data='{"colour": 1, "track": "on", "identify": {"allowUnplannedTraits": "x"}}')
    assert {e["field"] for e in _errors(r, 422)} == {
        "colour", "track", "identify.allowUnplannedTraits"}
    assert "colour" not in walk.sim.state["schemaSettings"].get(source, {})
    # A scalar an older state file holds is replaced by an object, not a crash.
    walk.sim.state["schemaSettings"].setdefault(source, {})["track"] = "on"
    r = _raw(walk, "PATCH", f"/sources/{source}/settings",
             data='{"track": {"allowUnplannedEvents": false}}')
    assert r.status_code == 200
    assert r.json()["data"]["settings"]["track"] == {"allowUnplannedEvents": False}


def test_conflicts_are_409(walk: Walk) -> None:
    body = f'{{"slug": "taken", "enabled": true, "metadataId": "{JS}"}}'
    assert _raw(walk, "POST", "/sources", data=body).status_code == 201
    (error,) = _errors(_raw(walk, "POST", "/sources", data=body), 409)
    assert error["type"] == "conflict" and error["field"] == "slug"
    other = walk.create("createSource", "other", ("source", "id"), slug="free", enabled=True,
                        metadataId=JS)
    _errors(_raw(walk, "PATCH", f"/sources/{other}", data='{"slug": "taken"}'), 409)
    label = '{"label": {"key": "dup", "value": "one"}}'
    assert _raw(walk, "POST", "/labels", data=label).status_code == 201
    _errors(_raw(walk, "POST", "/labels", data=label), 409)


def test_query_values_are_checked(walk: Walk) -> None:
    destination = walk.ids["destinationId"]
    r = walk.session.get(f"{walk.sim.base_url}/destinations/{destination}/delivery-metrics",
                         params={"sourceId": walk.ids["sourceId"], "granularity": "WEEK"},
                         timeout=10)
    (error,) = _errors(r, 422)
    assert error["field"] == "granularity" and "DAY, HOUR, MINUTE" in error["message"]
    r = walk.session.get(f"{walk.sim.base_url}/events/volume", timeout=10,
                         params={"granularity": "DAY", "startTime": "", "endTime": "soon"})
    assert {(e["field"], e["message"]) for e in _errors(r, 422)} == {
        ("startTime", '"startTime" must not be empty'),
        ("endTime", '"endTime" must be an ISO-8601 date-time')}


def test_an_oversized_body_is_413(walk: Walk) -> None:
    body = '{"label": {"key": "big", "value": "' + "x" * 6_000_000 + '"}}'
    (error,) = _errors(_raw(walk, "POST", "/labels", data=body), 413)
    assert error["type"] == "payload-too-large"
    assert not any(label["key"] == "big" for label in walk.sim.state["labels"].values())


def test_null_means_not_given_and_is_never_echoed(walk: Walk) -> None:
    r = _raw(walk, "POST", "/filters", data='{"integrationId": "int1", "name": "Drop", '
             '"if": "all", "description": null, "enabled": null}')
    made = _ok(r, "createFilterForSpace")["filter"]
    assert made["description"] is not None and made["enabled"] is not None
    got = _ok(walk.call("getFilterById", params={"id": made["id"]}), "get")["filter"]
    assert None not in got.values()
    source = walk.ids["sourceId"]
    before = walk.sim.state["sources"][source]["enabled"]
    r = _raw(walk, "PATCH", f"/sources/{source}", data='{"enabled": null, "name": null}')
    assert r.status_code == 200 and r.json()["data"]["source"]["enabled"] == before


def test_a_rules_delete_it_cannot_read_removes_nothing(walk: Walk) -> None:
    plan = walk.ids["trackingPlanId"]
    rule = {"type": "TRACK", "key": "Order Completed", "version": 1, "jsonSchema": {}}
    assert walk.session.put(f"{walk.sim.base_url}/tracking-plans/{plan}/rules", timeout=10,
                            json={"rules": [rule]}).status_code == 200
    r = walk.session.delete(f"{walk.sim.base_url}/tracking-plans/{plan}/rules", timeout=10,
                            params={"rules": ["not json", '{"type": "TRACK"}']})
    assert [e["field"] for e in _errors(r, 422)] == ["rules.0", "rules.1.version"]
    assert len(walk.sim.state["trackingPlanRules"][plan]) == 1
    r = walk.session.delete(f"{walk.sim.base_url}/tracking-plans/{plan}/rules", timeout=10,
                            params={"rules": ['{"type": "TRACK", "key": "Order Completed", '
                                              '"version": 1}']})
    assert r.status_code == 200 and walk.sim.state["trackingPlanRules"][plan] == []


def test_a_profiles_warehouse_has_the_metadata_it_asked_for(walk: Walk) -> None:
    from connector.simulator.scenario import POSTGRES

    made = _ok(walk.call("createProfilesWarehouse"), "create")["profilesWarehouse"]
    assert made["metadata"] == walk.sim.state["warehouseMetadata"][POSTGRES]
    r = walk.session.post(f"{walk.sim.base_url}/spaces/{SPACE}/profiles-warehouses",
                          json={"metadataId": "nope", "settings": {}}, timeout=10)
    assert _not_found(r)


def test_a_deleted_space_filter_says_so(walk: Walk) -> None:
    made = _made_id(_ok(walk.call("createFilterForSpace"), "create"))
    assert _ok(walk.call("deleteFilterById", params={"id": made}), "delete") == {"deleted": True}


def test_every_query_problem_comes_in_one_answer(walk: Walk) -> None:
    r = walk.session.get(f"{walk.sim.base_url}/events/volume", timeout=10,
                         params={"granularity": "YEAR", "startTime": "2024-01-01T00:00:00Z",
                                 "endTime": "2024-01-02T00:00:00Z", "pagination.count": "0"})
    assert [e["field"] for e in _errors(r, 422)] == ["granularity", "pagination.count"]


def _shape(path: str) -> str:
    """`/spaces/{spaceId}/audiences/{id}` -> `/spaces/{}/audiences/{}`."""
    return re.sub(r"\{\w+\}", "{}", path)


def _life_of(op_id: str, param: str) -> tuple[Any, ...] | None:
    """The family (a FAMILIES row with a delete) whose object `param` of `op_id` names."""
    path = catalog.operations()[op_id].path
    prefix = _shape(path[: path.index("{" + param + "}") + len(param) + 2])
    deletable = [life for life in FAMILIES if life[5]]
    for life in deletable:
        if _shape(catalog.operations()[str(life[5])].path) == prefix:
            return life
    # A stored resource named under another path (`/regulations/sources/{sourceId}`).
    return next((life for life in deletable if life[1] == param
                 and _shape(catalog.operations()[str(life[5])].path).count("{}") == 1), None)


DELETED_CASES = [(op_id, param) for op_id, param in ID_ADDRESSED if _life_of(op_id, param)]


def test_the_deleted_cases_reach_every_deletable_family() -> None:
    reached = {_life_of(op_id, param) for op_id, param in DELETED_CASES}
    assert reached == {life for life in FAMILIES if life[5]}
    assert len(DELETED_CASES) > 120


@pytest.mark.parametrize(("op_id", "param"), DELETED_CASES)
def test_an_id_once_deleted_is_404(walk: Walk, op_id: str, param: str) -> None:
    life = _life_of(op_id, param)
    assert life is not None
    create, id_param, *_, delete = life
    made = _fresh(walk, create)
    _ok(walk.call(delete, params={id_param: made}), delete)
    r = walk.call(op_id, params={param: made})
    assert _not_found(r), f"{op_id} with deleted {param}={made}: {r.status_code} {r.text[:200]}"


def test_one_destination_connected_to_two_audiences_is_two_connections(walk: Walk) -> None:
    first, second = (_fresh(walk, "createAudience") for _ in range(2))
    body = {"destination": {"id": "dest-shared", "type": "DESTINATION"}}
    for audience in (first, second):
        _ok(walk.call("addDestinationToAudience", params={"audienceId": audience}, body=body),
            "connect")
    _ok(walk.call("removeDestinationFromAudience",
                  params={"audienceId": first, "destinationId": "dest-shared"}), "remove")
    gone = walk.call("updateDestinationForAudience",
                     params={"audienceId": first, "destinationId": "dest-shared"})
    kept = walk.call("updateDestinationForAudience",
                     params={"audienceId": second, "destinationId": "dest-shared"})
    assert _not_found(gone) and kept.status_code == 200
    listed = _ok(walk.call("listDestinationsFromAudience", params={"audienceId": second}),
                 "list")
    assert [c["id"] for c in listed["connections"]] == ["dest-shared"]
