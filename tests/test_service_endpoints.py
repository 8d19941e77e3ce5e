"""Every endpoint of the service, over real HTTP, against the simulator over real HTTP."""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

import pytest
import requests
from service_support import registry, settings

from connector import manifest
from connector.service.embedded import EmbeddedService
from connector.simulator import Simulator

JAVASCRIPT = "IqDTy1TpoU"  # source catalog id of Javascript (simulator fixture)
PROBLEM = "application/problem+json"


def post(http: requests.Session, svc: EmbeddedService, path: str, sim: Simulator,
         inputs: dict[str, Any] | None = None, **kw: Any) -> requests.Response:
    headers = {"X-Segment-Token": sim.token, **kw.pop("headers", {})}
    body = kw.pop("json", {"inputs": inputs or {}})
    return http.post(svc.url + path, json=body, headers=headers, timeout=30, **kw)


def test_health_and_readiness(service: EmbeddedService, http: requests.Session) -> None:
    assert http.get(service.url + "/healthz").json() == {"status": "ok"}
    ready = http.get(service.url + "/readyz").json()
    assert ready == {"status": "ready", "actions": len(registry().actions.items),
                     "picklists": len(registry().datasources.items)}


def test_manifest_is_the_manifest_build_gives(service: EmbeddedService,
                                              http: requests.Session) -> None:
    got = http.get(service.url + "/v1/manifest")
    assert got.status_code == 200
    assert got.json() == json.loads(json.dumps(manifest.build(registry())))


def test_one_action_by_key_or_alias(service: EmbeddedService, http: requests.Session) -> None:
    built = {a["key"]: a for a in manifest.build(registry())["actions"]}
    got = http.get(service.url + "/v1/actions/createSource").json()
    assert got == json.loads(json.dumps(built["createSource"]))
    alias = built["getSourcesCatalog"]["aliases"][0]
    assert http.get(f"{service.url}/v1/actions/{alias}").json()["key"] == "getSourcesCatalog"


def test_unknown_action_is_a_404_problem_with_suggestions(
        service: EmbeddedService, http: requests.Session, sim: Simulator) -> None:
    for got in (http.get(service.url + "/v1/actions/getSourc"),
                post(http, service, "/v1/actions/getSourc/run", sim)):
        assert got.status_code == 404
        assert got.headers["content-type"] == PROBLEM
        body = got.json()
        assert body["code"] == "unknown_action" and body["status"] == 404
        assert "getSource" in body["suggestions"]
    got = post(http, service, "/v1/picklists/sourcez", sim)
    assert got.status_code == 404 and got.json()["code"] == "unknown_picklist"


def test_run_creates_and_reads(service: EmbeddedService, http: requests.Session,
                               sim: Simulator) -> None:
    made = post(http, service, "/v1/actions/createSource/run", sim,
                {"slug": "svc-run", "metadataId": JAVASCRIPT})
    assert made.status_code == 200
    source = made.json()["data"]["data"]["source"]
    assert sim.state["sources"][source["id"]]["slug"] == "svc-run"
    got = post(http, service, "/v1/actions/getSource/run", sim, {"sourceId": source["id"]})
    assert got.json()["data"]["data"]["source"]["slug"] == "svc-run"


def test_dry_run_sends_nothing_and_masks_the_token(
        service: EmbeddedService, http: requests.Session, sim: Simulator) -> None:
    before = sim.state.changes
    got = post(http, service, "/v1/actions/createSource/dry-run", sim,
               {"slug": "never-made", "metadataId": JAVASCRIPT})
    assert got.status_code == 200
    body = got.json()
    assert body["method"] == "POST" and body["url"] == sim.base_url + "/sources"
    assert body["headers"]["Authorization"] == "Bearer ***"
    assert sim.token not in got.text
    assert sim.state.changes == before
    assert not any(s["slug"] == "never-made" for s in sim.state["sources"].values())


def test_input_errors_name_the_field(service: EmbeddedService, http: requests.Session,
                                    sim: Simulator) -> None:
    got = post(http, service, "/v1/actions/getSource/run", sim, {})
    assert got.status_code == 422 and got.headers["content-type"] == PROBLEM
    body = got.json()
    assert body["fields"] == {"sourceId": "is required"}
    assert (body["code"], body["category"], body["retryable"]) == ("input", "config", False)
    got = post(http, service, "/v1/actions/listSources/run", sim, {"count": "many"})
    assert got.status_code == 422 and "count" in got.json()["fields"]
    got = post(http, service, "/v1/actions/getSource/run", sim, json={"inputs": [1]})
    assert got.status_code == 422 and "inputs" in got.json()["fields"]
    got = post(http, service, "/v1/actions/getSource/run", sim, json={"input": {}})
    assert got.status_code == 422 and "input" in got.json()["fields"]
    raw = http.post(service.url + "/v1/actions/getSource/run", data="{not json",
                    headers={"X-Segment-Token": sim.token, "Content-Type": "application/json"})
    assert raw.status_code == 400 and raw.json()["fields"] == {"body": "is not valid JSON"}
    for body in (b'{"inputs": {"x": "\xff"}}', b"\xef\xbb", b"[", b" \t\n ]"):
        raw = http.post(service.url + "/v1/actions/getSource/run", data=body,
                        headers={"X-Segment-Token": sim.token, "Content-Type": "application/json"})
        assert raw.status_code == 400 and raw.json()["fields"] == {"body": "is not valid JSON"}


def test_api_errors_keep_their_status_and_envelope(
        service: EmbeddedService, http: requests.Session, sim: Simulator) -> None:
    got = post(http, service, "/v1/actions/getSource/run", sim, {"sourceId": "missing"})
    assert got.status_code == 404 and got.headers["content-type"] == PROBLEM
    body = got.json()
    assert body["code"] == "not_found" and body["apiStatus"] == 404
    assert body["errors"][0]["type"] == "not-found"
    refused = post(http, service, "/v1/actions/getWorkspace/run", sim,
                   headers={"X-Segment-Token": "sgp_notTheSimulatorsToken"})
    assert refused.status_code == 401 and refused.json()["code"] == "auth"
    assert "sgp_notTheSimulatorsToken" not in refused.text


@pytest.fixture(scope="module")
def hurried(sim: Simulator) -> Iterator[EmbeddedService]:
    """A service whose calls get 0.2 s per attempt and 0.5 s in all."""
    with EmbeddedService(settings(sim, timeout=0.2, deadline=0.5), registry=registry()) as svc:
        yield svc


def test_rate_limited_answers_429_with_retry_after(http: requests.Session,
                                                  sim: Simulator) -> None:
    # The API asks for a wait of 1 s, past the call's deadline: it ends at once with 429.
    # (A service of its own: the 429 holds this token's calls on the service for 1 s.)
    with EmbeddedService(settings(sim, deadline=0.5), registry=registry()) as svc:
        got = post(http, svc, "/v1/actions/rawRequest/run", sim,
                   {"url": "/echo", "method": "GET", "headers": {"X-Simulator-Fault": "429"}})
    assert got.status_code == 429
    assert got.headers["Retry-After"] == "1"
    body = got.json()
    assert (body["category"], body["retryable"], body["retryAfter"]) == ("transient", True, 1.0)


def test_upstream_failures_are_bad_gateway(service: EmbeddedService, http: requests.Session,
                                           sim: Simulator) -> None:
    got = post(http, service, "/v1/actions/rawRequest/run", sim,
               {"url": "/echo", "method": "GET", "headers": {"X-Simulator-Fault": "503"}})
    assert got.status_code == 502
    assert (got.json()["code"], got.json()["retryable"]) == ("server", True)
    got = post(http, service, "/v1/actions/rawRequest/run", sim,
               {"url": "/echo", "method": "GET", "headers": {"X-Simulator-Fault": "drop"}})
    assert got.status_code == 502 and got.json()["code"] == "connection"


def test_no_answer_in_time_is_a_gateway_timeout(hurried: EmbeddedService,
                                                http: requests.Session, sim: Simulator) -> None:
    got = post(http, hurried, "/v1/actions/rawRequest/run", sim,
               {"url": "/echo", "method": "GET",
                "queryParams": {"delay": 1000, "message": "slow"}})
    assert got.status_code == 504
    assert got.json()["code"] in ("timeout", "deadline")


def test_items_stream_every_page_as_ndjson(service: EmbeddedService, http: requests.Session,
                                           sim: Simulator) -> None:
    for n in range(7):
        post(http, service, "/v1/actions/createSource/run", sim,
             {"slug": f"svc-items-{n}", "metadataId": JAVASCRIPT}).raise_for_status()
    got = post(http, service, "/v1/actions/listSources/items", sim, {"count": 2}, stream=True)
    assert got.status_code == 200
    assert got.headers["content-type"].startswith("application/x-ndjson")
    lines = [json.loads(line) for line in got.iter_lines() if line]
    slugs = [item["slug"] for item in lines]
    assert sorted(slugs) == sorted(s["slug"] for s in sim.state["sources"].values())
    assert {f"svc-items-{n}" for n in range(7)} <= set(slugs)
    capped = post(http, service, "/v1/actions/listSources/items", sim,
                  {"count": 2, "maxItems": 3}).text.splitlines()
    assert len(capped) == 3


def test_items_failing_at_once_is_a_problem_and_later_an_error_line(
        service: EmbeddedService, http: requests.Session, sim: Simulator) -> None:
    got = post(http, service, "/v1/actions/getSource/items", sim, {"sourceId": "x"})
    assert got.status_code == 422 and got.json()["fields"]["action"].endswith("listing")
    for n in range(3):
        post(http, service, "/v1/actions/createSource/run", sim,
             {"slug": f"svc-broken-{n}", "metadataId": JAVASCRIPT}).raise_for_status()
    # The second page's request fails: the stream has begun, so it ends with an error line.
    original = sim.fault_plan
    calls = {"n": 0}

    def plan(header: str | None) -> Any:
        calls["n"] += 1
        return original("401" if calls["n"] == 2 else header)

    sim.fault_plan = plan  # type: ignore[method-assign]
    try:
        got = post(http, service, "/v1/actions/listSources/items", sim, {"count": 1})
    finally:
        sim.fault_plan = original  # type: ignore[method-assign]
    lines = [json.loads(line) for line in got.text.splitlines()]
    assert got.status_code == 200 and len(lines) == 2
    assert "slug" in lines[0]
    assert lines[1]["error"]["code"] == "auth" and lines[1]["error"]["status"] == 401


def test_picklist_pages_with_a_token(service: EmbeddedService, http: requests.Session,
                                     sim: Simulator) -> None:
    for n in range(3):
        post(http, service, "/v1/actions/createSource/run", sim,
             {"slug": f"svc-pick-{n}", "metadataId": JAVASCRIPT}).raise_for_status()
    first = post(http, service, "/v1/picklists/sources", sim,
                 {"filter": "svc-pick", "maxItems": 2}).json()
    assert first["truncated"] is True and len(first["result"]) == 2
    rest = post(http, service, "/v1/picklists/sources", sim,
                {"filter": "svc-pick", "maxItems": 2,
                 "pageToken": first["nextPageToken"]}).json()
    labels = [o["label"] for o in first["result"] + rest["result"]]
    assert sorted(labels) == [f"svc-pick-{n}" for n in range(3)]


def test_check_names_the_workspace(service: EmbeddedService, http: requests.Session,
                                   sim: Simulator) -> None:
    got = http.post(service.url + "/v1/check", headers={"X-Segment-Token": sim.token})
    assert got.status_code == 200
    assert got.json() == {"workspace": {k: sim.state.workspace[k] for k in ("id", "name", "slug")},
                          "region": "api", "baseUrl": sim.base_url}
    refused = http.post(service.url + "/v1/check", headers={"X-Segment-Token": "sgp_nope1234"})
    assert refused.status_code == 401 and refused.json()["code"] == "token_refused"


def test_credentials_problems(service: EmbeddedService, http: requests.Session,
                              sim: Simulator) -> None:
    none = http.post(service.url + "/v1/check")
    assert none.status_code == 401 and none.json()["code"] == "no_credentials"
    bad = http.post(service.url + "/v1/check", headers={"X-Segment-Token": "sgp_a b"})
    assert bad.status_code == 422 and "X-Segment-Token" in bad.json()["fields"]
    region = http.post(service.url + "/v1/check", headers={"X-Segment-Token": sim.token,
                                                             "X-Segment-Region": "mars"})
    assert region.status_code == 422 and "X-Segment-Region" in region.json()["fields"]
    profile = http.post(service.url + "/v1/check", headers={"X-Segment-Profile": "prod"})
    assert profile.status_code == 404 and profile.json()["code"] == "unknown_profile"
    both = http.post(service.url + "/v1/check", headers={"X-Segment-Profile": "prod",
                                                           "X-Segment-Token": sim.token})
    assert both.status_code == 422


def test_unknown_route_and_method_are_problems(service: EmbeddedService,
                                               http: requests.Session) -> None:
    got = http.get(service.url + "/v1/nothing")
    assert got.status_code == 404 and got.headers["content-type"] == PROBLEM
    got = http.delete(service.url + "/v1/manifest")
    assert got.status_code == 405 and got.json()["code"] == "method_not_allowed"


def test_openapi_carries_every_action_input_schema(service: EmbeddedService,
                                                   http: requests.Session) -> None:
    spec = http.get(service.url + "/openapi.json").json()
    built = manifest.build(registry())
    schemas = spec["components"]["schemas"]
    for action in built["actions"]:
        # The same inputs (test_service_openapi checks what each schema means).
        assert list(schemas[f"Inputs_{action['key']}"]["properties"]) == \
            list(action["inputSchema"]["properties"])
        run = spec["paths"][f"/v1/actions/{action['key']}/run"]["post"]
        ref = run["requestBody"]["content"]["application/json"]["schema"]
        assert ref["properties"]["inputs"]["$ref"].endswith(f"/Inputs_{action['key']}")
    for source in built["picklists"]:
        assert list(schemas[f"PicklistInputs_{source['key']}"]["properties"]) == \
            list(source["inputSchema"]["properties"])
    for trigger in built["triggers"]:
        assert list(schemas[f"TriggerInputs_{trigger['key']}"]["properties"]) == \
            list(trigger["inputSchema"]["properties"])
        assert f"/v1/triggers/{trigger['key']}/poll" in spec["paths"]
    for path in ("/v1/manifest", "/v1/actions/{key}/dry-run", "/v1/actions/{key}/items",
                 "/v1/check", "/healthz", "/readyz"):
        assert path in spec["paths"]


def test_docs_are_served_without_a_cdn(service: EmbeddedService,
                                       http: requests.Session) -> None:
    page = http.get(service.url + "/docs")
    assert page.status_code == 200
    assert "http://" not in page.text and "https://" not in page.text
    assert "<script>" not in page.text  # no inline script: the page's policy forbids it
    assert "script-src 'self'" in page.headers["content-security-policy"]
    assert "openapi.json" in http.get(service.url + "/static/docs.js").text
    for asset in ("swagger-ui-bundle.js", "swagger-ui.css"):
        got = http.get(f"{service.url}/docs/assets/{asset}")
        assert got.status_code == 200 and len(got.content) > 10_000


def test_playground_page_is_served_at_the_root(service: EmbeddedService,
                                               http: requests.Session) -> None:
    from connector.service.app import STATIC

    got = http.get(service.url + "/")
    if (STATIC / "index.html").is_file():
        assert got.status_code == 200 and got.headers["content-type"].startswith("text/html")
        assert got.text == (STATIC / "index.html").read_text(encoding="utf-8")
    else:
        assert got.status_code == 404


def test_trigger_poll_returns_each_new_event_once(
        service: EmbeddedService, http: requests.Session, sim: Simulator) -> None:
    first = post(http, service, "/v1/triggers/sourceCreated/poll", sim,
                 json={"inputs": {}, "state": None})
    assert first.status_code == 200, first.text
    assert first.json()["events"] == []
    state = first.json()["state"]
    assert "***" not in json.dumps(state)  # handed back as the caller must keep it
    made = [post(http, service, "/v1/actions/createSource/run", sim,
                 {"slug": f"svc-poll-{n}", "metadataId": JAVASCRIPT}).json()
            ["data"]["data"]["source"]["id"] for n in range(2)]
    second = post(http, service, "/v1/triggers/sourceCreated/poll", sim,
                  json={"inputs": {}, "state": state}).json()
    assert sorted(e["resourceId"] for e in second["events"]) == sorted(made)
    assert {e["type"] for e in second["events"]} == {"Source Created"}
    third = post(http, service, "/v1/triggers/sourceCreated/poll", sim,
                 json={"inputs": {}, "state": second["state"]}).json()
    assert third["events"] == []


def test_trigger_poll_problems(service: EmbeddedService, http: requests.Session,
                               sim: Simulator) -> None:
    unknown = post(http, service, "/v1/triggers/sourceCreate/poll", sim)
    assert unknown.status_code == 404 and unknown.json()["code"] == "unknown_trigger"
    assert "sourceCreated" in unknown.json()["suggestions"]
    bad = post(http, service, "/v1/triggers/sourceCreated/poll", sim,
               json={"inputs": {}, "state": {"made": "up"}})
    assert bad.status_code == 422 and bad.json()["code"] == "trigger_state"
    since = post(http, service, "/v1/triggers/sourceCreated/poll", sim, {"since": "yesterday"})
    assert since.status_code == 422 and "since" in since.json()["fields"]


def test_a_page_is_sent_before_the_next_is_asked_for(
        service: EmbeddedService, sim: Simulator, http: requests.Session) -> None:
    import threading

    for n in range(4):
        post(http, service, "/v1/actions/createSource/run", sim,
             {"slug": f"svc-paged-{n}", "metadataId": JAVASCRIPT}).raise_for_status()
    total = len(sim.state["sources"])
    first_page_read = threading.Event()
    original = sim.fault_plan
    asked: list[bool] = []

    def plan(header: str | None) -> Any:
        # The second page is held until the client has read the first: a service that
        # sent nothing before fetching it would keep the client waiting for the hold.
        asked.append(first_page_read.wait(10) if asked else True)
        return original(header)

    sim.fault_plan = plan  # type: ignore[method-assign]
    try:
        got = post(http, service, "/v1/actions/listSources/items", sim,
                   {"count": total - 1}, stream=True)
        lines = got.iter_lines()
        page = [json.loads(next(lines)) for _ in range(total - 1)]
        first_page_read.set()
        rest = [json.loads(line) for line in lines if line]
    finally:
        first_page_read.set()
        sim.fault_plan = original  # type: ignore[method-assign]
    assert len(page) + len(rest) == total and len(rest) == 1
    assert asked == [True, True]  # the second page was asked for after the first was read
