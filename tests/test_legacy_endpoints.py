"""Every mapped Config API endpoint, called in its own shape, against the simulator over HTTP.

Each call makes only the Public API actions its table row names (plus the one
workspace check) and answers in the Config API's shape.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import pytest
from legacy_support import MEMBER, OWNER_ROLE, SOURCE_ADMIN, World, build

from connector.legacy.table import endpoints, find
from connector.simulator import Simulator

T0, T1 = "2024-01-01T00:00:00Z", "2024-01-02T00:00:00Z"
WINDOW = f"?start_time={T0}&end_time={T1}&granularity=hour"
DST = "/sources/web/destinations/amplitude"


@dataclass
class Case:
    method: str
    path: str  # formatted with the World: {base}, {name}, {filter_id}, ...
    check: Callable[[dict[str, Any], World], None]
    body: Callable[[World], dict[str, Any]] | None = None
    setup: Callable[[World], Any] | None = None


def _connect(w: World) -> None:
    w.rt.run("addSourceToTrackingPlan", {"trackingPlanId": w.plan_id, "sourceId": w.source_id})


def _fmt(text: str, w: World) -> str:
    return text.format(base=w.base, name=w.name, filter_id=w.filter_id, plan_id=w.plan_id,
                       function_id=w.function_id, regulation_id=w.regulation_id)


def _keys(*names: str) -> Callable[[dict[str, Any], World], None]:
    def check(out: dict[str, Any], _w: World) -> None:
        assert set(names) <= set(out), sorted(out)

    return check


def _listing(key: str, *item_keys: str, count: int | None = None
             ) -> Callable[[dict[str, Any], World], None]:
    def check(out: dict[str, Any], _w: World) -> None:
        assert out["next_page_token"] == ""
        assert isinstance(out[key], list) and out[key], out
        assert set(item_keys) <= set(out[key][0]), sorted(out[key][0])
        if count is not None:
            assert len(out[key]) == count

    return check


def _empty(out: dict[str, Any], _w: World) -> None:
    assert out == {}


def _source_web(out: dict[str, Any], w: World) -> None:
    assert out["name"] == f"{w.name}/sources/web"
    assert out["parent"] == w.name and out["catalog_name"] == "catalog/sources/javascript"
    assert out["write_keys"]


def _destination(out: dict[str, Any], w: World) -> None:
    assert out["name"] == f"{w.name}{DST}"
    assert out["parent"] == f"{w.name}/sources/web"
    [setting] = out["config"]
    assert setting["name"] == f"{w.name}{DST}/config/apiKey"
    assert setting["display_name"] == "API Key" and setting["value"].startswith("••••")


def _filter(out: dict[str, Any], w: World) -> None:
    assert out["name"] == f"{w.name}{DST}/filters/{w.filter_id}"
    assert out["actions"] == [{"type": "drop_event"}]


def _plan_with_rules(out: dict[str, Any], w: World) -> None:
    assert out["name"] == f"{w.name}/tracking-plans/{w.plan_id}"
    assert [e["name"] for e in out["rules"]["events"]] == ["Signed Up"]


def _series(out: dict[str, Any], w: World) -> None:
    assert out["warnings"], "a partial mapping says what it dropped"
    assert out["name"].startswith(f"{w.name}{DST}/metrics/")


def _function(out: dict[str, Any], w: World) -> None:
    assert out["name"] == f"{w.name}/functions/{w.function_id}"
    assert out["display_name"] and out["type"] == "SOURCE"


RULES = {"global": {"properties": {"context": {"type": "object"}}},
         "events": [{"name": "Order Completed", "version": 2, "rules": {"type": "object"}}],
         "identify_traits": [{"properties": {"traits": {"type": "object"}}}]}

CASES: dict[tuple[int, str], Case] = {
    (4, "GET"): Case("GET", "/v1beta/workspaces", _listing("workspaces", "name", "id", count=1)),
    (5, "GET"): Case("GET", "{base}", lambda o, w: _keys("display_name", "id")(o, w)
                     or None if o["name"] == w.name else pytest.fail(str(o))),
    (6, "GET"): Case("GET", "/v1beta/catalog/sources", _listing("sources", "name",
                                                                "display_name")),
    (7, "GET"): Case("GET", "/v1beta/catalog/sources/javascript",
                     lambda o, w: None if o["name"] == "catalog/sources/javascript"
                     else pytest.fail(str(o))),
    (8, "GET"): Case("GET", "/v1beta/catalog/destinations",
                     _listing("destinations", "name", "methods", "platforms", "settings")),
    (9, "GET"): Case("GET", "/v1beta/catalog/destinations/amplitude",
                     lambda o, w: None if o["settings"][0]["display_name"] == "API Key"
                     else pytest.fail(str(o))),
    (10, "GET"): Case("GET", "{base}/sources", _listing("sources", "name", "catalog_name",
                                                        "write_keys", count=2)),
    (11, "POST"): Case("POST", "{base}/sources",
                       lambda o, w: None if (o["name"], o["display_name"]) ==
                       (f"{w.name}/sources/app", "App") else pytest.fail(str(o)),
                       lambda w: {"source": {"name": f"{w.name}/sources/app",
                                             "catalog_name": "catalog/sources/ios",
                                             "display_name": "App"}}),
    (12, "GET"): Case("GET", "{base}/sources/web", _source_web),
    (13, "DELETE"): Case("DELETE", "{base}/sources/srv", _empty),
    (14, "GET"): Case("GET", "{base}/sources/web/schema-config",
                      _keys("allow_unplanned_track_events", "common_group_event_on_violations",
                            "forwarding_violations_to")),
    (15, "PATCH"): Case("PATCH", "{base}/sources/web/schema-config",
                        lambda o, w: None if o["allow_unplanned_identify_traits"] is False
                        else pytest.fail(str(o)),
                        lambda w: {"schema_config": {"allow_unplanned_identify_traits": False},
                                   "update_mask": {"paths": [
                                       "schema_config.allow_unplanned_identify_traits"]}}),
    (16, "GET"): Case("GET", "{base}/sources/web/destinations",
                      lambda o, w: _destination(o["destinations"][0], w)),
    (17, "POST"): Case("POST", "{base}/sources/srv/destinations",
                       lambda o, w: None if o["name"].endswith("/destinations/webhooks")
                       else pytest.fail(str(o)),
                       lambda w: {"destination": {
                           "name": f"{w.name}/sources/srv/destinations/webhooks",
                           "enabled": True, "config": []}}),
    (18, "GET"): Case("GET", "{base}" + DST, _destination),
    (19, "PATCH"): Case("PATCH", "{base}" + DST,
                        lambda o, w: None if o["enabled"] is False else pytest.fail(str(o)),
                        lambda w: {"destination": {"enabled": False},
                                   "update_mask": {"paths": ["destination.enabled"]}}),
    (20, "DELETE"): Case("DELETE", "{base}" + DST, _empty),
    (21, "GET"): Case("GET", "{base}" + DST + "/filters",
                      lambda o, w: _filter(o["filters"][0], w)),
    (22, "POST"): Case("POST", "{base}" + DST + "/filters",
                       lambda o, w: None if o["actions"] == [
                           {"type": "sample_event", "percent": 0.5, "path": "userId"}]
                       else pytest.fail(str(o)),
                       lambda w: {"filter": {"title": "Half", "if": "all", "enabled": True,
                                             "actions": [{"type": "sample_event",
                                                          "percent": 0.5, "path": "userId"}]}}),
    (23, "GET"): Case("GET", "{base}" + DST + "/filters/{filter_id}", _filter),
    (24, "PATCH"): Case("PATCH", "{base}" + DST + "/filters/{filter_id}",
                        lambda o, w: None if (o["title"], o["enabled"]) == ("Renamed", True)
                        else pytest.fail(str(o)),
                        lambda w: {"filter": {"title": "Renamed", "enabled": False},
                                   "update_mask": {"paths": ["filter.title"]}}),
    (25, "DELETE"): Case("DELETE", "{base}" + DST + "/filters/{filter_id}", _empty),
    (26, "POST"): Case("POST", "/v1beta/filters/preview", _keys("result"),
                       lambda w: {"filter": {"if": "all", "actions": [{"type": "drop_event"}]},
                                  "payload": {"type": "track", "event": "x"}}),
    (27, "GET"): Case("GET", "{base}" + DST + "/metrics/failed_events" + WINDOW, _series),
    (28, "GET"): Case("GET", "{base}" + DST + "/metrics:batchGet" + WINDOW,
                      lambda o, w: _series(o["metrics"][0] | {"warnings": o["warnings"]}, w),
                      lambda w: {"names": ["delivered", "errors"]}),
    (28, "POST"): Case("POST", "{base}" + DST + "/metrics:batchGet" + WINDOW,
                       lambda o, w: None if len(o["metrics"]) == 1 else pytest.fail(str(o)),
                       lambda w: {"names": ["delivered"]}),
    (29, "GET"): Case("GET", "{base}" + DST + "/metrics" + WINDOW,
                      lambda o, w: None if len(o["metrics"]) == 2 and o["warnings"]
                      else pytest.fail(str(o))),
    (30, "GET"): Case("GET", "{base}" + DST + "/metrics:getSummary",
                      lambda o, w: None if o["name"] == f"{w.name}{DST}"
                      else pytest.fail(str(o))),
    (31, "GET"): Case("GET", "{base}/event-delivery-metrics:batchGetSummary",
                      lambda o, w: None if len(o["summaries"]) == 1 else pytest.fail(str(o)),
                      lambda w: {"names": [f"{w.name}{DST}"]}),
    (31, "POST"): Case("POST", "{base}/event-delivery-metrics:batchGetSummary",
                       lambda o, w: None if len(o["summaries"]) == 1 else pytest.fail(str(o)),
                       lambda w: {"names": [f"{w.name}{DST}"]}),
    (32, "GET"): Case("GET", "{base}/tracking-plans",
                      lambda o, w: _plan_with_rules(o["tracking_plans"][0], w)),
    (33, "POST"): Case("POST", "{base}/tracking-plans",
                       lambda o, w: None if o["rules"]["identify"] == RULES[
                           "identify_traits"][0] and o["display_name"] == "New"
                       else pytest.fail(str(o)),
                       lambda w: {"tracking_plan": {"display_name": "New", "rules": RULES}}),
    (34, "GET"): Case("GET", "{base}/tracking-plans/{plan_id}", _plan_with_rules),
    (35, "PUT"): Case("PUT", "{base}/tracking-plans/{plan_id}",
                      lambda o, w: None if o["display_name"] == "Renamed" and
                      o["rules"]["events"][0]["name"] == "Signed Up" else pytest.fail(str(o)),
                      lambda w: {"tracking_plan": {"display_name": "Renamed", "rules": RULES},
                                 "update_mask": {"paths": ["tracking_plan.display_name"]}}),
    (35, "PATCH"): Case("PATCH", "{base}/tracking-plans/{plan_id}",
                        lambda o, w: None if o["rules"]["global"] == RULES["global"]
                        else pytest.fail(str(o)),
                        lambda w: {"tracking_plan": {"rules": RULES},
                                   "update_mask": {"paths": ["tracking_plan.rules"]}}),
    (36, "DELETE"): Case("DELETE", "{base}/tracking-plans/{plan_id}", _empty),
    (37, "POST"): Case("POST", "{base}/tracking-plans/{plan_id}/source-connections",
                       _keys("source_name", "tracking_plan_id"),
                       lambda w: {"source_name": f"{w.name}/sources/web"}),
    (38, "POST"): Case("POST", "{base}/tracking-plans/{plan_id}/source-connections"
                               ":batchCreateConnections",
                       lambda o, w: None if len(o["connections"]) == 2 else pytest.fail(str(o)),
                       lambda w: {"source_names": [f"{w.name}/sources/web",
                                                   f"{w.name}/sources/srv"]}),
    (39, "GET"): Case("GET", "{base}/tracking-plans/{plan_id}/source-connections",
                      lambda o, w: None if o["connections"] == [{
                          "source_name": f"{w.name}/sources/web", "tracking_plan_id": w.plan_id}]
                      else pytest.fail(str(o)), setup=_connect),
    (40, "DELETE"): Case("DELETE", "{base}/tracking-plans/{plan_id}/source-connections/web",
                         _empty, setup=_connect),
    (41, "POST"): Case("POST", "{base}/regulations",
                       lambda o, w: None if o["regulation_type"] == "Suppress_With_Delete"
                       else pytest.fail(str(o)),
                       lambda w: {"regulation_type": "Suppress_With_Delete",
                                  "attributes": {"name": "userId", "values": ["u-2"]}}),
    (42, "GET"): Case("GET", "{base}/regulations?regulation_types=Suppress_Only",
                      _listing("regulations", "name", "status")),
    (43, "GET"): Case("GET", "{base}/regulations/{regulation_id}",
                      lambda o, w: None if o["name"] == f"{w.name}/regulations/{w.regulation_id}"
                      else pytest.fail(str(o))),
    (45, "POST"): Case("POST", "{base}/sources/web/regulations", _keys("name", "id"),
                       lambda w: {"regulation_type": "Suppress_Only",
                                  "attributes": {"name": "userId", "values": ["u-3"]}}),
    # What the simulator lists here is its own making: the shape is checked, not the count.
    (47, "GET"): Case("GET", "{base}/suppressed-users",
                      lambda o, w: None if o["next_page_token"] == "" and all(
                          {"name", "attributes"} <= set(i) for i in o["suppressed_users"])
                      else pytest.fail(str(o))),
    (48, "GET"): Case("GET", "{base}/roles",
                      lambda o, w: None if o["warnings"] and any(
                          r["name"].endswith(OWNER_ROLE) and r["members"] for r in o["roles"])
                      else pytest.fail(str(o))),
    (49, "GET"): Case("GET", "{base}/roles/-/policies",
                      lambda o, w: None if o["warnings"] and o["policies"]
                      else pytest.fail(str(o))),
    (50, "POST"): Case("POST", "{base}/roles/" + SOURCE_ADMIN + "/policies",
                       lambda o, w: None if o["warnings"] and o["name"].endswith(MEMBER)
                       else pytest.fail(str(o)),
                       lambda w: {"policy": {"subject": f"users/{MEMBER}",
                                             "resources": [{"id": "", "type": "workspace"}]}}),
    (51, "DELETE"): Case("DELETE", "{base}/roles/" + OWNER_ROLE + "/policies/"
                         "1bOHeKJg5BbFhoQqBsgk6xZYi1D",
                         lambda o, w: None if set(o) == {"warnings"} else pytest.fail(str(o))),
    (52, "GET"): Case("GET", "{base}/invites", _listing("invites", "name", "email")),
    (53, "POST"): Case("POST", "{base}/invites",
                       lambda o, w: None if o["invites"][0]["email"] == "b@example.com"
                       else pytest.fail(str(o)),
                       lambda w: {"invites": [{"email": "b@example.com"}]}),
    (54, "DELETE"): Case("DELETE", "{base}/invites/new@example.com", _empty),
    (55, "GET"): Case("GET", "{base}/functions?type=source",
                      lambda o, w: _function(o["functions"][0], w)),
    (56, "GET"): Case("GET", "{base}/functions/{function_id}", _function),
    (57, "POST"): Case("POST", "{base}/functions",
                       lambda o, w: None if o["display_name"] == "Made" and o["code"] == "x"
                       else pytest.fail(str(o)),
                       lambda w: {"function": {"display_name": "Made", "code": "x",
                                               "type": "SOURCE"}}),
    (57, "PATCH"): Case("PATCH", "{base}/functions/{function_id}",
                        lambda o, w: None if (o["description"], o["display_name"]) ==
                        ("New text", "Fn") else pytest.fail(str(o)),
                        lambda w: {"function": {"description": "New text", "display_name": "X"},
                                   "update_mask": {"paths": ["function.description"]}}),
    (57, "DELETE"): Case("DELETE", "{base}/functions/{function_id}", _empty),
    (58, "GET"): Case("GET", "{base}/functions/{function_id}/deploy", _keys("deployment")),
    (58, "POST"): Case("POST", "{base}/functions/{function_id}/deploy", _keys("deployment")),
}


def test_every_mapped_endpoint_and_method_has_a_case() -> None:
    mapped = {(e.row, m) for e in endpoints() if e.kind != "none" for m in e.methods}
    assert mapped == set(CASES)


@pytest.mark.parametrize("key", sorted(CASES), ids=lambda k: f"{k[0]}-{k[1]}")
def test_endpoint_answers_in_config_shape_through_its_rows_actions(
        simulator: Simulator, key: tuple[int, str]) -> None:
    w = build(simulator)
    case = CASES[key]
    if case.setup:
        case.setup(w)
    path = _fmt(case.path, w)
    endpoint, _ = find(case.method, path)
    out, plan = w.bridge().call(case.method, path, case.body(w) if case.body else None)
    called = [s["action"] for s in plan.steps]
    assert called, "the call made no Public API request"
    assert set(called) - {"getWorkspace"} <= set(endpoint.public), called
    assert endpoint.public[-1] in called or key[0] in (28, 29, 27, 45, 50), called
    if "{ws}" in endpoint.path:
        assert called[0] == "getWorkspace"
    case.check(out, w)
    if endpoint.kind == "partial":
        assert out["warnings"]


FULL = sorted(k for k in CASES if any(e.row == k[0] and e.kind == "full" for e in endpoints()))


@pytest.mark.parametrize("key", FULL, ids=lambda k: f"{k[0]}-{k[1]}")
def test_full_endpoint_through_legacy_run(simulator: Simulator, key: tuple[int, str],
                                          capsys: pytest.CaptureFixture[str]) -> None:
    from connector.cli import main

    w = build(simulator)
    case = CASES[key]
    if case.setup:
        case.setup(w)
    argv = ["legacy", "run", case.method, _fmt(case.path, w), "--token", simulator.token,
            "--base-url", simulator.base_url]
    if case.body:
        argv += ["--body", json.dumps(case.body(w))]
    code = main(argv)
    out, err = capsys.readouterr()
    assert code == 0, err
    case.check(json.loads(out), w)


@pytest.mark.parametrize("key", sorted(CASES), ids=lambda k: f"{k[0]}-{k[1]}")
def test_dry_run_of_every_endpoint_sends_nothing(key: tuple[int, str]) -> None:
    import responses

    from connector.connection import Connection
    from connector.runtime import Runtime

    offline = Runtime(Connection(token="sgp_offline_token_123456", base_url="http://127.0.0.1:9"))
    w = World(None, offline, "acme", "src-id", "other-id", "dst-id",  # type: ignore[arg-type]
              "flt-id", "tp-id", "fn-id", "reg-id")
    case = CASES[key]
    path = _fmt(case.path, w)
    endpoint, _ = find(case.method, path)
    with responses.RequestsMock() as mock:
        _, plan = w.bridge().call(case.method, path, case.body(w) if case.body else None,
                                  dry=True)
        assert len(mock.calls) == 0
    shown = [s["action"] for s in plan.steps]
    assert shown and set(shown) - {"getWorkspace"} <= set(endpoint.public)
    assert all(s["request"]["url"].startswith("http://127.0.0.1:9/") for s in plan.steps)
