"""Every catalogue operation, called with valid input, answers its documented 2xx status
with a body that fits its response schema (enums and unions included), reads like the
API's (no placeholders), keeps the path's ids, and gives back what creates and updates
sent where the response model has those fields."""

from __future__ import annotations

import copy
import re
from collections.abc import Iterator
from typing import Any

import pytest
import requests
from jsonschema import Draft202012Validator

from connector.simulator import Simulator, catalog, fixtures
from connector.simulator.scenario import CLEANUP, JS, Walk, order

# Values a schema walker leaves when it has nothing better; the API never sends them.
PLACEHOLDER = re.compile(r"^(example|placeholder|todo|lorem|foo|bar)\b", re.IGNORECASE)
# `string` is a real value of these (an option's or a property's data type).
TYPE_NAMES = frozenset({"type", "dataType"})
ECHOED = re.compile(r"^(create|update)[A-Z]")


def _deref(schema: dict[str, Any], node: dict[str, Any]) -> dict[str, Any]:
    """Through $refs and a nullable anyOf, to the object (or union) model."""
    while True:
        if "$ref" in node:
            node = schema["$defs"][node["$ref"].rsplit("/", 1)[-1]]
        elif "anyOf" in node and len([b for b in node["anyOf"] if b.get("type") != "null"]) == 1:
            node = next(b for b in node["anyOf"] if b.get("type") != "null")
        else:
            return node


def _strings(value: Any, key: str = "") -> Iterator[tuple[str, str]]:
    if isinstance(value, dict):
        for k, v in value.items():
            yield from _strings(v, k)
    elif isinstance(value, list):
        for item in value:
            yield from _strings(item, key)
    elif isinstance(value, str):
        yield key, value


def _dicts(value: Any) -> Iterator[dict[str, Any]]:
    if isinstance(value, dict):
        yield value
        for v in value.values():
            yield from _dicts(v)
    elif isinstance(value, list):
        for item in value:
            yield from _dicts(item)


def _comes_back(sent: Any, got: Any) -> bool:
    """`got` holds what was sent: equal, or for an object every sent key (settings are
    upserts: a stored object keeps the keys the request left out; null removes)."""
    if isinstance(sent, dict) and isinstance(got, dict):
        return all(got.get(k) is None if v is None else _comes_back(v, got.get(k))
                   for k, v in sent.items())
    return bool(sent == got)


def sent_fields(body: dict[str, Any]) -> dict[str, Any]:
    """Body fields, and the fields of an object the body wraps (`{"input": {...}}`)."""
    out: dict[str, Any] = {}
    for value in body.values():
        if isinstance(value, dict):
            out.update(value)
    return out | body


def echo_problems(op: catalog.Operation, body: dict[str, Any], data: dict[str, Any]
                  ) -> list[str]:
    """Sent fields that the answer's objects have in their model but do not give back."""
    schema = catalog.schema(op.response_model)
    sent = sent_fields(body)
    problems = []
    for key, node in _deref(schema, schema["properties"]["data"]).get("properties", {}).items():
        obj = data.get(key)
        if not isinstance(obj, dict):
            continue
        for name in _deref(schema, node).get("properties", {}):
            if name in sent and not _comes_back(sent[name], obj.get(name)):
                problems.append(f"{key}.{name}: sent {sent[name]!r}, got {obj.get(name)!r}")
    return problems


def check_answer(op: catalog.Operation, r: requests.Response, path_ids: dict[str, str],
                 body: dict[str, Any] | None) -> list[str]:
    """What is wrong with one answer (empty: nothing)."""
    if r.status_code != op.status:
        return [f"status {r.status_code}: {r.text[:200]}"]
    answer = r.json()
    if "data" not in answer:
        return ["no data"]
    errors = [f"schema: {e.json_path}: {e.message[:150]}" for e in
              Draft202012Validator(catalog.schema(op.response_model)).iter_errors(answer)]
    errors += [f"placeholder {key}={value!r}" for key, value in _strings(answer["data"])
               if PLACEHOLDER.match(value) or (value == "string" and key not in TYPE_NAMES)]
    for obj in _dicts(answer["data"]):
        errors += [f"{name}={obj[name]!r}, the path says {value!r}"
                   for name, value in path_ids.items() if name in obj and obj[name] != value]
    if body is not None and ECHOED.match(op.op_id):
        errors += [f"echo: {p}" for p in echo_problems(op, body, answer["data"])]
    return errors


def test_catalogue_has_201_operations() -> None:
    assert len(catalog.operations()) == 201


def test_every_operation_answers_its_schema() -> None:
    failures: list[str] = []
    echoed = 0
    with Simulator(seed=3) as sim:
        walk = Walk(sim)
        walk.setup()
        for op_id in order():
            op = catalog.operations()[op_id]
            path_ids = {name: walk.path_value(op, name) for name in op.path_params
                        if name.endswith("Id")}
            body = walk.body(op) if op.body_model else None
            r = walk.call(op_id, body=body)
            failures += [f"{op_id}: {problem}" for problem in check_answer(op, r, path_ids, body)]
            if body is not None and ECHOED.match(op_id) and r.status_code < 300:
                echoed += 1
            if op_id in CLEANUP and r.status_code < 300:
                undo, param, key = CLEANUP[op_id]
                made = r.json()["data"][key]["id"]
                assert walk.call(undo, params={param: made}).status_code == 200
        assert failures == [], "\n".join(failures)
        assert echoed > 40  # the echo check saw the creates and updates
        assert walk.ids["sourceId"] not in sim.state["sources"]  # deleteSource ran last


def test_the_walk_checks_enums_unions_echoes_and_placeholders() -> None:
    # The checks above reject what the catalogue's enums and unions forbid, not only
    # missing fields and wrong types.
    op = catalog.operations()["addAudienceScheduleToAudience"]
    schema = catalog.schema(op.response_model)
    assert set(_deref(schema, {"$ref": "#/$defs/Config"})["anyOf"][0]) == {"$ref"}
    good = {"data": {"audienceSchedule": {"id": "sch_1", "strategy": "PERIODIC",
                                          "config": {"interval": "1h"}}}}
    validator = Draft202012Validator(schema)
    assert validator.is_valid(good)
    off_enum = copy.deepcopy(good)
    off_enum["data"]["audienceSchedule"]["strategy"] = "SUCCESS"
    off_union = copy.deepcopy(good)
    off_union["data"]["audienceSchedule"]["config"] = {"every": "1h"}
    assert not validator.is_valid(off_enum) and not validator.is_valid(off_union)

    class Answer:
        status_code = 200

        def __init__(self, body: Any) -> None:
            self.body = body

        def json(self) -> Any:
            return self.body

    placeholder = copy.deepcopy(good)
    placeholder["data"]["audienceSchedule"]["id"] = "example"
    assert any("placeholder" in e for e in check_answer(op, Answer(placeholder), {}, None))  # type: ignore[arg-type]
    update = catalog.operations()["updateAudienceScheduleForAudience"]
    sent = {"strategy": "PERIODIC", "config": {"interval": "2h"}}
    assert echo_problems(update, sent, good["data"]) == [
        "audienceSchedule.config: sent {'interval': '2h'}, got {'interval': '1h'}"]
    assert echo_problems(update, {"config": {"interval": "1h"}}, good["data"]) == []


@pytest.mark.parametrize("op_id", ["getSource", "getDestination", "getWarehouse",
                                   "getFunction", "getTrackingPlan", "getReverseEtlModel",
                                   "getUserGroup", "listConnectedDestinationsFromSource"])
def test_unknown_parent_gives_404(op_id: str) -> None:
    with Simulator() as sim:
        walk = Walk(sim)
        walk.ids = {}
        op = catalog.operations()[op_id]
        r = walk.call(op_id, params={p: "rh5BDZp6QDHvXFCkibm1pR" for p in op.path_params})
        assert r.status_code == 404
        assert r.json()["errors"][0]["type"] == "not-found"


def test_requests_leave_the_audit_events_their_operations_name() -> None:
    with Simulator() as sim:
        walk = Walk(sim)
        source = walk.create("createSource", "sourceId", ("source", "id"),
                             slug="audited", enabled=True, metadataId=JS)
        assert walk.call("updateSource", body={"enabled": False}).status_code == 200
        assert walk.call("updateSource", body={"name": "Renamed"}).status_code == 200
        audience = walk.call("createAudience", body={
            "name": "Buyers", "audienceType": "USERS",
            "definition": {"query": "event('Order Completed').count() > 0"},
        }).json()["data"]["audience"]

        def events(**query: str) -> list[dict[str, Any]]:
            r = walk.session.get(f"{sim.base_url}/audit-events", params=query, timeout=10)
            assert r.status_code == 200
            errors = list(Draft202012Validator(
                catalog.schema("ListAuditEvents200Response")).iter_errors(r.json()))
            assert errors == []
            return list(r.json()["data"]["events"])

        # Newest first; an update names only the changes it made (no settings: no
        # "Source Settings Modified"; enabled false: "Source Disabled", not "Enabled").
        assert [e["type"] for e in events(resourceId=source)] == [
            "Source Modified", "Source Disabled", "Source Modified", "Source Created"]
        latest = events()[0]
        assert latest["type"] == "Audience Created" and latest["resourceId"] == audience["id"]
        assert latest["resourceName"] == "Buyers" and latest["resourceType"] == "audience"
        assert latest["actorEmail"] == fixtures.USERS[0]["email"]
        assert {e["type"] for e in events(resourceType="source")} == {
            "Source Created", "Source Modified", "Source Disabled"}
        assert events(endTime="2000-01-01T00:00:00Z") == []
        assert walk.session.get(f"{sim.base_url}/audit-events", params={"startTime": "soon"},
                                timeout=10).status_code == 422


def test_what_a_schema_made_create_makes_can_be_read_changed_listed_and_deleted() -> None:
    with Simulator() as sim:
        walk = Walk(sim)

        def call(op_id: str, body: dict[str, Any] | None = None, **params: str) -> Any:
            r = walk.call(op_id, params=params, body=body)
            op = catalog.operations()[op_id]
            assert r.status_code == op.status, r.text
            assert Draft202012Validator(catalog.schema(op.response_model)).is_valid(r.json())
            return r.json()["data"]

        made = [call("createAudience", {"name": name, "audienceType": "USERS",
                                        "definition": {"query": "true"}})["audience"]
                for name in ("Buyers", "Churned")]
        buyers = made[0]
        assert buyers["id"].startswith("aud_") and buyers["id"] != made[1]["id"]
        got = call("getAudience", id=buyers["id"])["audience"]
        assert (got["id"], got["name"], got["definition"]) == (
            buyers["id"], "Buyers", {"query": "true"})
        changed = call("updateAudienceForSpace", {"name": "Big buyers"},
                       id=buyers["id"])["audience"]
        assert (changed["id"], changed["name"]) == (buyers["id"], "Big buyers")
        assert call("getAudience", id=buyers["id"])["audience"]["name"] == "Big buyers"
        listed = call("listAudiences")["audiences"]
        assert [(a["id"], a["name"]) for a in listed] == [
            (buyers["id"], "Big buyers"), (made[1]["id"], "Churned")]
        call("removeAudienceFromSpace", id=buyers["id"])
        assert [a["id"] for a in call("listAudiences")["audiences"]] == [made[1]["id"]]


@pytest.mark.parametrize(("value", "status"), [("HOUR", 200), ("hour", 422), ("WEEK", 422)])
def test_query_values_keep_to_the_enum_the_answer_echoes(value: str, status: int) -> None:
    # Query parameters carry no enum in the catalogue; the response model that echoes
    # the field does, and that is the API's.
    with Simulator() as sim:
        r = requests.get(f"{sim.base_url}/events/volume", timeout=10,
                         headers={"Authorization": f"Bearer {sim.token}"},
                         params={"granularity": value, "startTime": "2024-01-01T00:00:00Z",
                                 "endTime": "2024-01-02T00:00:00Z"})
        assert r.status_code == status, r.text
        if status == 200:
            assert r.json()["data"]["query"]["granularity"] == value
        else:
            assert r.json()["errors"][0]["field"] == "granularity"


def test_created_ids_are_spelt_as_their_familys() -> None:
    b58, ksuid = r"[1-9A-HJ-NP-Za-km-z]{22}", r"[12][0-9A-Za-z]{26}"
    with Simulator() as sim:
        walk = Walk(sim)
        walk.setup()
        spelling = {"sourceId": b58, "destinationId": b58, "warehouseId": b58,
                    "functionId": "sfnc_" + b58, "trackingPlanId": "tp_" + ksuid,
                    "userGroupId": ksuid, "transformationId": ksuid, "filterId": ksuid,
                    "modelId": b58, "subscriptionId": b58}
        assert {key: walk.ids[key] for key in spelling
                if not re.fullmatch(spelling[key], walk.ids[key])} == {}
