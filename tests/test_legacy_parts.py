"""The hard parts of the Config API bridge: slugs, update_mask, page tokens, the workspace,
rules in both spellings, config[] with secrets, and field mappings both ways."""

from __future__ import annotations

from typing import Any

import pytest
import responses
from legacy_support import AMPLITUDE, SECRET, WEBHOOKS, World, build

from connector.connection import Connection
from connector.errors import InputError, NotFoundError
from connector.legacy import fields, filters, rules, settings
from connector.legacy.errors import AmbiguousSlugError, NoCounterpartError
from connector.legacy.handlers.workspaces import catalog_destination
from connector.legacy.pages import unwrap, wrap
from connector.legacy.plan import Bridge
from connector.legacy.table import endpoints, field_set
from connector.runtime import Runtime
from connector.simulator import Simulator

DST = "/sources/web/destinations/amplitude"


@pytest.fixture
def w(simulator: Simulator) -> World:
    return build(simulator)


def actions(plan: Any) -> list[str]:
    return [s["action"] for s in plan.steps]


# -- slugs -------------------------------------------------------------------------------
def test_slugs_are_looked_up_once_per_run(w: World) -> None:
    bridge = w.bridge()
    _, first = bridge.call("GET", f"{w.base}{DST}")
    _, second = bridge.call("GET", f"{w.base}{DST}/filters")
    assert actions(first) == ["getWorkspace", "listSources",
                              "listConnectedDestinationsFromSource", "getDestination"]
    assert actions(second) == ["listFiltersFromDestination"]  # all three lookups cached


def test_a_write_forgets_what_it_changed(w: World) -> None:
    bridge = w.bridge()
    bridge.call("GET", f"{w.base}/sources/web")
    bridge.call("POST", f"{w.base}/sources", {"source": {
        "name": f"{w.name}/sources/late", "catalog_name": "catalog/sources/ios"}})
    out, plan = bridge.call("GET", f"{w.base}/sources/late")
    assert out["name"] == f"{w.name}/sources/late"
    assert "listSources" in actions(plan)  # re-listed: the new source is found


def test_two_destinations_of_one_type_are_ambiguous_naming_both(w: World) -> None:
    second = w.data("createDestination", {"sourceId": w.source_id, "metadataId": AMPLITUDE,
                                          "settings": {}, "name": "Second"})
    with pytest.raises(AmbiguousSlugError) as caught:
        w.bridge().call("GET", f"{w.base}{DST}")
    message = str(caught.value)
    assert w.destination_id in message and second["destination"]["id"] in message
    assert caught.value.exit_code == 2 and caught.value.code == "ambiguous"


def test_an_unknown_slug_is_a_404(w: World) -> None:
    with pytest.raises(NotFoundError) as caught:
        w.bridge().call("GET", f"{w.base}/sources/nope/destinations")
    assert caught.value.status == 404 and "sources/nope" in str(caught.value)


# -- the workspace -----------------------------------------------------------------------
def test_another_workspace_is_a_404_after_one_read(w: World) -> None:
    with pytest.raises(NotFoundError) as caught:
        w.bridge().call("DELETE", "/v1beta/workspaces/someone-else/sources/web")
    assert caught.value.status == 404
    assert w.data("getSource", {"sourceId": w.source_id})["source"]["slug"] == "web"


# -- update_mask ---------------------------------------------------------------------------
def test_patch_changes_only_masked_fields(w: World) -> None:
    out, _ = w.bridge().call("PATCH", f"{w.base}{DST}", {
        "destination": {"enabled": False, "display_name": "Not masked",
                        "config": [{"name": f"{w.name}{DST}/config/region", "value": "eu"}]},
        "update_mask": {"paths": ["destination.config"]}})
    stored = w.data("getDestination", {"destinationId": w.destination_id})["destination"]
    assert stored["enabled"] is True and stored["name"] != "Not masked"
    assert stored["settings"] == {"apiKey": SECRET, "region": "eu"}  # upserted
    assert {c["name"].rsplit("/", 1)[-1] for c in out["config"]} == {"apiKey", "region"}


def test_a_masked_setting_without_value_is_removed(w: World) -> None:
    w.bridge().call("PATCH", f"{w.base}{DST}", {
        "destination": {"config": [{"name": f"{w.name}{DST}/config/apiKey"}]},
        "update_mask": {"paths": ["destination.config"]}})
    stored = w.data("getDestination", {"destinationId": w.destination_id})["destination"]
    assert "apiKey" not in stored["settings"]


def test_a_masked_field_without_value_is_cleared(w: World) -> None:
    w.bridge().call("PATCH", f"{w.base}{DST}", {"destination": {},
                                                "update_mask": {"paths": ["destination.enabled"]}})
    stored = w.data("getDestination", {"destinationId": w.destination_id})["destination"]
    assert stored["enabled"] is False
    w.bridge().call("PATCH", f"{w.base}/sources/web/schema-config", {
        "schema_config": {"allow_unplanned_track_events": True},
        "update_mask": {"paths": ["schema_config.allow_unplanned_group_traits",
                                  "schema_config.common_track_event_on_violations"]}})
    schema = w.data("listSchemaSettingsInSource", {"sourceId": w.source_id})["settings"]
    assert schema["group"]["allowUnplannedTraits"] is False  # cleared
    assert schema["track"]["commonEventOnViolations"] == "ALLOW"  # an enum's empty value
    assert schema["track"]["allowUnplannedEvents"] is True  # given, not masked: unchanged


def test_a_cleared_filter_field_and_a_whole_config_clear(w: World) -> None:
    bridge = w.bridge()
    bridge.call("PATCH", f"{w.base}{DST}/filters/{w.filter_id}", {
        "filter": {"title": "ignored"}, "update_mask": {"paths": ["filter.enabled"]}})
    got = w.data("getFilterInDestination", {"destinationId": w.destination_id,
                                            "filterId": w.filter_id})["filter"]
    assert (got["enabled"], got["title"]) == (False, "Drop x")
    bridge.call("PATCH", f"{w.base}{DST}", {"update_mask": {"paths": ["destination.config"]}})
    stored = w.data("getDestination", {"destinationId": w.destination_id})["destination"]
    assert stored["settings"] == {}


def test_an_unknown_mask_path_is_refused_before_anything_is_sent(w: World) -> None:
    bridge = w.bridge()
    with pytest.raises(InputError) as caught:
        bridge.call("PATCH", f"{w.base}{DST}", {"update_mask": {"paths": ["destination.nope"]}})
    assert "update_mask.paths" in caught.value.fields
    with pytest.raises(InputError):
        bridge.call("PATCH", f"{w.base}{DST}", {"update_mask": {"paths": "destination.enabled"}})
    with pytest.raises(InputError) as caught:  # a PATCH without a mask would change nothing
        bridge.call("PATCH", f"{w.base}{DST}", {"destination": {"enabled": False}})
    assert "update_mask.paths" in caught.value.fields
    assert w.data("getDestination", {"destinationId": w.destination_id})[
        "destination"]["enabled"] is True


def test_a_mask_may_come_in_the_query(w: World) -> None:
    w.bridge().call("PATCH", f"{w.base}{DST}?update_mask.paths=destination.enabled",
                    {"destination": {"enabled": False, "display_name": "ignored"}})
    stored = w.data("getDestination", {"destinationId": w.destination_id})["destination"]
    assert stored["enabled"] is False and stored["name"] != "ignored"


# -- page tokens -------------------------------------------------------------------------
def test_page_tokens_walk_every_item_once(w: World) -> None:
    for i in range(5):
        w.data("createSource", {"slug": f"extra-{i}", "enabled": True,
                                "metadataId": "IqDTy1TpoU"})
    bridge, seen, token = w.bridge(), [], ""
    for _ in range(20):
        query = f"?page_size=2&page_token={token}" if token else "?page_size=2"
        out, _ = bridge.call("GET", f"{w.base}/sources{query}")
        assert len(out["sources"]) <= 2
        seen += [s["name"] for s in out["sources"]]
        token = out["next_page_token"]
        if not token:
            break
    assert len(seen) == len(set(seen)) == 7


def test_a_page_token_of_another_listing_or_damaged_is_refused(w: World) -> None:
    out, _ = w.bridge().call("GET", f"{w.base}/sources?page_size=1")
    token = out["next_page_token"]
    assert token and unwrap(token, f"/workspaces/{w.ws}/sources")
    for bad in (token[:-3], "CgwIAhIIc291cmNlcw", wrap("c", "/catalog/sources")):
        with pytest.raises(InputError) as caught:
            w.bridge().call("GET", f"{w.base}/sources?page_token={bad}")
        assert "page_token" in caught.value.fields
    with pytest.raises(InputError):
        w.bridge().call("GET", f"{w.base}/sources?page_size=0")


# -- rules -------------------------------------------------------------------------------
SCHEMA = {"properties": {"traits": {"type": "object", "required": ["email"]}}}
EVENT = {"name": "Order Completed", "description": "An order was paid", "version": 2,
         "rules": {"properties": {"properties": {"type": "object"}}}}


def test_rules_in_both_old_spellings_become_the_same_public_rules() -> None:
    ajb = {"global": SCHEMA, "identify": SCHEMA, "group": SCHEMA, "events": [EVENT]}
    tw7 = {"global": SCHEMA, "identify_traits": [SCHEMA], "group_traits": [SCHEMA],
           "events": [EVENT]}
    assert rules.to_public(ajb) == rules.to_public(tw7)
    kinds = [r["type"] for r in rules.to_public(ajb)]
    assert sorted(kinds) == ["COMMON", "GROUP", "IDENTIFY", "TRACK"]
    back, warnings = rules.to_config(rules.to_public(tw7))
    assert back == {"events": [EVENT | {"rules": EVENT["rules"]}], "global": SCHEMA,
                    "identify": SCHEMA, "group": SCHEMA} and warnings == []


def test_rules_that_have_no_config_counterpart_are_warned_about() -> None:
    back, warnings = rules.to_config([{"type": "PAGE", "key": "Home", "jsonSchema": {}}])
    assert back == {"events": []} and "PAGE" in warnings[0]


@pytest.mark.parametrize(("bad", "field"), [
    ({"identify": SCHEMA, "identify_traits": [SCHEMA]}, "tracking_plan.rules.identify_traits"),
    ({"events": [{"rules": {}}]}, "tracking_plan.rules.events[0].name"),
    ({"events": [{"name": "x", "version": 0}]}, "tracking_plan.rules.events[0].version"),
    ({"screens": []}, "tracking_plan.rules"),
])
def test_bad_rules_name_the_field(bad: dict[str, Any], field: str) -> None:
    with pytest.raises(InputError) as caught:
        rules.to_public(bad)
    assert field in caught.value.fields


def test_a_plan_made_with_tw7_rules_reads_back_with_them(w: World) -> None:
    out, _ = w.bridge().call("POST", f"{w.base}/tracking-plans", {"tracking_plan": {
        "display_name": "Typewriter", "rules": {"events": [EVENT],
                                                "identify_traits": [SCHEMA]}}})
    plan_id = out["name"].rsplit("/", 1)[-1]
    stored = w.data("listRulesFromTrackingPlan", {"trackingPlanId": plan_id})["rules"]
    assert {(r["type"], r.get("key")) for r in stored} == {("TRACK", "Order Completed"),
                                                           ("IDENTIFY", None)}
    again, _ = w.bridge().call("GET", f"{w.base}/tracking-plans/{plan_id}")
    assert again["rules"]["identify"] == SCHEMA and again["rules"]["events"] == [EVENT]


# -- config[] and secrets ---------------------------------------------------------------------
def test_config_list_and_settings_both_ways_with_secrets_masked() -> None:
    name = "workspaces/w/sources/s/destinations/amplitude"
    config = [{"name": f"{name}/config/apiKey", "value": SECRET},
              {"name": f"{name}/config/sampleRate", "value": 10}]
    assert settings.to_settings(config) == {"apiKey": SECRET, "sampleRate": 10}
    back = settings.to_config({"apiKey": SECRET, "sampleRate": 10}, name,
                              [{"name": "apiKey", "label": "API Key", "type": "STRING"}])
    assert back == [
        {"name": f"{name}/config/apiKey", "display_name": "API Key", "type": "string",
         "value": "••••" + SECRET[-4:]},
        {"name": f"{name}/config/sampleRate", "display_name": "sampleRate", "type": "number",
         "value": 10}]
    warnings: list[str] = []
    assert settings.to_settings(back, warnings) == {"sampleRate": 10}  # the mask stays out
    assert "apiKey" in warnings[0]


@pytest.mark.parametrize(("bad", "field"), [
    ("x", "config"), ([1], "config[0]"), ([{"value": 1}], "config[0].name"),
])
def test_bad_config_names_the_field(bad: Any, field: str) -> None:
    with pytest.raises(InputError) as caught:
        settings.to_settings(bad)
    assert field in caught.value.fields


def test_a_read_modify_write_keeps_the_secret(w: World) -> None:
    bridge = w.bridge()
    got, _ = bridge.call("GET", f"{w.base}{DST}")
    assert SECRET not in str(got)
    out, _ = bridge.call("PATCH", f"{w.base}{DST}", {
        "destination": {"config": got["config"]},
        "update_mask": {"paths": ["destination.config"]}})
    stored = w.data("getDestination", {"destinationId": w.destination_id})["destination"]
    assert stored["settings"]["apiKey"] == SECRET
    assert out["warnings"]


# -- field mappings both ways ------------------------------------------------------------------
def test_every_schema_config_field_maps_both_ways() -> None:
    pairs = fields.renames("schema_config")
    config = {c: f"value-{i}" for i, (c, _) in enumerate(pairs)}
    public = fields.to_public("schema_config", config)
    assert {p: fields.dig(public, p) for _, p in pairs} == {
        p: f"value-{i}" for i, (_, p) in enumerate(pairs)}
    assert fields.to_config("schema_config", public) == config


def test_every_function_field_maps_both_ways() -> None:
    pairs = fields.renames("function")
    assert ("logo_url", "logoUrl") in pairs and ("type", "resourceType") in pairs
    config = {c: f"v-{c}" for c, _ in pairs}
    assert fields.to_config("function", fields.to_public("function", config)) == config


def test_every_filter_action_maps_both_ways() -> None:
    config = [{"type": "drop_event"}, {"type": "sample_event", "percent": 0.1, "path": "x"},
              {"type": "whitelist_fields", "fields": {"properties": {"fields": ["a"]},
                                                      "context": {"fields": ["b"]}}},
              {"type": "blacklist_fields", "fields": {"traits": {"fields": ["c"]}}}]
    public = filters.actions_to_public(config)
    assert [a["type"] for a in public] == ["DROP", "SAMPLE", "ALLOW_PROPERTIES",
                                           "DROP_PROPERTIES"]
    assert public[2]["fields"] == {"properties": ["a"], "context": ["b"]}
    assert [filters.action_to_config(a) for a in public] == config
    with pytest.raises(InputError) as caught:
        filters.actions_to_public([{"type": "explode"}])
    assert "filter.actions[0].type" in caught.value.fields


def test_catalog_destination_fields_map_from_the_public_names() -> None:
    out = catalog_destination({
        "slug": "x", "name": "X", "categories": ["A", "B", "C", "D"],
        "supportedMethods": {"track": True}, "supportedPlatforms": {"server": True},
        "supportedFeatures": {"browserUnbundling": True}, "previousNames": ["Y"],
        "options": [{"name": "k", "label": "Key", "type": "STRING", "required": True}]})
    assert out["categories"] == {"primary": "A", "secondary": "B", "additional": ["C", "D"]}
    assert (out["methods"], out["platforms"]) == ({"track": True}, {"server": True})
    assert out["browserUnbundlingSupported"] and not out["browserUnbundlingPublic"]
    assert out["settings"] == [{"name": "k", "display_name": "Key", "type": "string",
                                "required": True}]
    assert out["name"] == "catalog/destinations/x" and out["previous_names"] == ["Y"]


def test_every_field_set_is_used_by_an_endpoint() -> None:
    used = {f["config"] for e in endpoints() for f in e.fields}
    for name in ("schema_config", "destination", "filter", "tracking_plan", "regulation",
                 "function"):
        assert {f["config"] for f in field_set(name)} <= used


# -- nothing sent when it cannot work ---------------------------------------------------------
OFFLINE = Runtime(Connection(token="sgp_offline_token_123456", base_url="http://127.0.0.1:9"))


@pytest.mark.parametrize(("method", "path", "body", "error"), [
    ("GET", "/v1beta/access-tokens", None, NoCounterpartError),
    ("POST", "/v1beta/access-tokens", None, NoCounterpartError),
    ("DELETE", "/v1beta/access-tokens/t1", None, NoCounterpartError),
    ("GET", "/v1beta/installs/7/token", None, NoCounterpartError),
    ("DELETE", "/v1beta/workspaces/w/regulations/r1", None, NoCounterpartError),
    ("DELETE", "/v1beta/workspaces/w/sources/s/regulations", None, NoCounterpartError),
    ("PATCH", "/v1beta/workspaces/w/sources", None, InputError),
    ("POST", "/v1beta/workspaces/w/sources", [1], InputError),
])
@responses.activate
def test_no_counterpart_and_bad_calls_send_nothing(method: str, path: str, body: Any,
                                                   error: type[Exception]) -> None:
    with pytest.raises(error) as caught:
        Bridge(OFFLINE).call(method, path, body)
    assert len(responses.calls) == 0
    assert getattr(caught.value, "exit_code", None) == 2
    if error is NoCounterpartError:
        assert caught.value.why in str(caught.value)  # type: ignore[attr-defined]


def test_dry_run_sends_nothing_and_shows_placeholders() -> None:
    with responses.RequestsMock() as mock:
        _, plan = Bridge(OFFLINE).call("POST", "/v1beta/workspaces/w/sources/web/destinations", {
            "destination": {"name": "workspaces/w/sources/web/destinations/amplitude",
                            "config": [{"name": "x/config/apiKey", "value": SECRET}]}},
            dry=True)
        assert len(mock.calls) == 0
    requests_ = [s["request"] for s in plan.steps]
    assert actions(plan) == ["getWorkspace", "listSources", "getDestinationsCatalog",
                             "createDestination"]
    create = requests_[-1]
    assert "<id of source web>" in str(create) and "sgp_offline_token_123456" not in str(
        requests_)


# -- several writes in one call ------------------------------------------------------------
def test_a_batch_with_an_unknown_source_connects_none(w: World) -> None:
    with pytest.raises(NotFoundError):
        w.bridge().call("POST", f"{w.base}/tracking-plans/{w.plan_id}/source-connections"
                                ":batchCreateConnections",
                        {"source_names": [f"{w.name}/sources/web", f"{w.name}/sources/ghost"]})
    assert w.data("listSourcesFromTrackingPlan", {"trackingPlanId": w.plan_id})["sources"] == []


def test_a_failure_after_a_write_says_what_was_already_done(w: World) -> None:
    deep: dict[str, Any] = {}
    for _ in range(80):  # deeper than the API reads: the rules are refused
        deep = {"items": deep}
    with pytest.raises(Exception) as caught:
        w.bridge().call("POST", f"{w.base}/tracking-plans", {"tracking_plan": {
            "display_name": "Half", "rules": {"global": deep}}})
    assert "already done before this failed, not undone: createTrackingPlan" in str(
        caught.value)
    assert caught.value.writes_done == ["createTrackingPlan"]  # type: ignore[attr-defined]


# -- regulations ----------------------------------------------------------------------------
def test_regulation_fields_map_both_ways(w: World) -> None:
    out, _ = w.bridge().call("POST", f"{w.base}/regulations", {
        "regulation_type": "Suppress_With_Delete",
        "attributes": {"name": "userId", "values": ["u-9"]}})
    [stored] = [r for r in w.data("listWorkspaceRegulations")["regulations"]
                if r["id"] == out["id"]]
    assert (stored["regulationType"], stored["subjectType"]) == ("SUPPRESS_WITH_DELETE",
                                                                 "USER_ID")
    assert out["regulation_type"] == "Suppress_With_Delete"
    assert out["name"] == f"{w.name}/regulations/{out['id']}"


@pytest.mark.parametrize(("body", "field"), [
    ({"regulation_type": "Suppress", "attributes": {"name": "userId", "values": ["u"]}},
     "regulation_type"),
    ({"regulation_type": "Suppress_Only", "attributes": {"name": "email", "values": ["u"]}},
     "attributes.name"),
    ({"regulation_type": "Suppress_Only", "attributes": {"name": "userId", "values": []}},
     "attributes.values"),
])
def test_bad_regulations_name_the_config_field(body: dict[str, Any], field: str) -> None:
    with pytest.raises(InputError) as caught:
        Bridge(OFFLINE).call("POST", "/v1beta/workspaces/w/regulations", body, dry=True)
    assert field in caught.value.fields


def test_path_segments_stay_inside_their_parameter() -> None:
    _, plan = Bridge(OFFLINE).call("GET", "/v1beta/workspaces/w/functions/%2E%2E", dry=True)
    assert plan.steps[-1]["request"]["url"].endswith("/functions/%2E%2E")
    _, plan = Bridge(OFFLINE).call("GET", "/v1beta/workspaces/w/functions/a%2F..%2Fsources",
                                   dry=True)
    assert plan.steps[-1]["request"]["url"].endswith("/functions/a%2F..%2Fsources")


def test_a_masked_rules_path_without_value_clears_every_rule(w: World) -> None:
    out, _ = w.bridge().call("PUT", f"{w.base}/tracking-plans/{w.plan_id}", {
        "update_mask": {"paths": ["tracking_plan.rules"]}})
    assert out["rules"] == {"events": []} and out["display_name"] == "Main plan"
    assert w.data("listRulesFromTrackingPlan", {"trackingPlanId": w.plan_id})["rules"] == []
    with pytest.raises(InputError) as caught:
        w.bridge().call("PUT", f"{w.base}/tracking-plans/{w.plan_id}", {
            "update_mask": {"paths": ["tracking_plan.display_name"]}})
    assert "tracking_plan.display_name" in caught.value.fields


def test_a_page_token_is_bound_to_the_parent_it_listed(w: World) -> None:
    w.data("createDestination", {"sourceId": w.source_id, "metadataId": WEBHOOKS,
                                 "settings": {}})
    w.data("createDestination", {"sourceId": w.other_source_id, "settings": {},
                                 "metadataId": WEBHOOKS})
    out, _ = w.bridge().call("GET", f"{w.base}/sources/web/destinations?page_size=1")
    assert out["next_page_token"]
    with pytest.raises(InputError) as caught:
        w.bridge().call("GET", f"{w.base}/sources/srv/destinations?page_token="
                               f"{out['next_page_token']}")
    assert "another listing" in caught.value.fields["page_token"]


def test_clearing_config_after_an_update_in_the_same_run_removes_every_key(w: World) -> None:
    bridge = w.bridge()
    bridge.call("PATCH", f"{w.base}{DST}", {"destination": {"config": [
        {"name": f"{w.name}{DST}/config/region", "value": "eu"}]},
        "update_mask": {"paths": ["destination.config"]}})
    bridge.call("PATCH", f"{w.base}{DST}", {"update_mask": {"paths": ["destination.config"]}})
    stored = w.data("getDestination", {"destinationId": w.destination_id})["destination"]
    assert stored["settings"] == {}


def test_a_destination_made_in_a_run_is_found_later_in_it(w: World) -> None:
    bridge = w.bridge()
    with pytest.raises(NotFoundError):
        bridge.call("GET", f"{w.base}/sources/srv/destinations/webhooks")
    bridge.call("POST", f"{w.base}/sources/srv/destinations", {"destination": {
        "name": f"{w.name}/sources/srv/destinations/webhooks", "config": []}})
    out, _ = bridge.call("GET", f"{w.base}/sources/srv/destinations/webhooks")
    assert out["name"] == f"{w.name}/sources/srv/destinations/webhooks"
    bridge.call("DELETE", f"{w.base}/sources/srv/destinations/webhooks")
    with pytest.raises(NotFoundError):
        bridge.call("GET", f"{w.base}/sources/srv/destinations/webhooks")
