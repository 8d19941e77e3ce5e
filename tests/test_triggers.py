"""Polling triggers against the simulator over real HTTP: each event exactly once, no gaps."""

from __future__ import annotations

import dataclasses
import threading
import time
from collections import Counter
from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from connector.connection import Connection
from connector.errors import InputError, PluginError, ResponseError
from connector.hookspecs import hookimpl
from connector.registry import Registry
from connector.runtime import Runtime
from connector.samples import sample_inputs
from connector.simulator import audit as sim_audit
from connector.simulator import ids as sim_ids
from connector.simulator.server import Simulator
from connector.spec import Trigger
from connector.triggers import AuditFeed, ListingFeed, TriggerStateError, poll_trigger
from connector.triggers import state as states


@pytest.fixture(scope="module")
def registry() -> Registry:
    return Registry.load(installed=False)


@pytest.fixture
def rt(simulator: Simulator, registry: Registry) -> Runtime:
    return Runtime(Connection(token=simulator.token, base_url=simulator.base_url), registry)


def small_pages(key: str, size: int = 2) -> Registry:
    """A registry whose trigger `key` reads `size` items a page, so pages shift under it."""
    reg = Registry.load(installed=False)
    trigger = reg.triggers.items[key]
    reg.triggers.items[key] = dataclasses.replace(
        trigger, feed=dataclasses.replace(trigger.feed, page_size=size))
    return reg


def create_source(rt: Runtime, slug: str) -> str:
    answer = rt.run("createSource", {"slug": slug, "metadataId": "IqDTy1TpoU", "enabled": True})
    return str(answer["data"]["data"]["source"]["id"])


def polls(rt: Runtime, key: str, state: Any, inputs: dict[str, Any] | None = None
          ) -> tuple[list[dict[str, Any]], Any]:
    answer = rt.poll(key, inputs or {}, state)
    return answer["events"], answer["state"]


def drain(rt: Runtime, state: Any, inputs: dict[str, Any] | None = None, rounds: int = 80
          ) -> tuple[list[str], Any]:
    """Poll `sourceCreated` until a poll has caught up: the ids returned, and the state."""
    got: list[str] = []
    for _ in range(rounds):
        events, state = polls(rt, "sourceCreated", state, inputs)
        got += [e["resourceId"] for e in events]
        if not state["behind"]:
            break
    return got, state


# -- the audit trail ----------------------------------------------------------------------
def test_first_poll_returns_nothing_that_happened_before_it(rt: Runtime) -> None:
    before = {create_source(rt, f"before-{i}") for i in range(3)}
    events, state = polls(rt, "sourceCreated", None)
    assert events == []
    after = create_source(rt, "after")
    events, state = polls(rt, "sourceCreated", state)
    assert [e["resourceId"] for e in events] == [after]
    assert not before & {e["resourceId"] for e in events}
    assert polls(rt, "sourceCreated", state)[0] == []


def test_first_poll_on_an_empty_trail_then_everything_after_it(rt: Runtime) -> None:
    events, state = polls(rt, "sourceCreated", None)
    assert events == []
    made = [create_source(rt, f"s-{i}") for i in range(4)]
    events, _ = polls(rt, "sourceCreated", state)
    assert [e["resourceId"] for e in events] == made


def test_sources_created_between_and_during_polls_come_exactly_once(
        simulator: Simulator) -> None:
    # Two items a page: every poll reads several pages while new events push older
    # ones onto later pages.
    reg = small_pages("sourceCreated")
    conn = Connection(token=simulator.token, base_url=simulator.base_url)
    rt, writer = Runtime(conn, reg), Runtime(conn, reg)
    for i in range(3):
        create_source(writer, f"old-{i}")
    events, state = polls(rt, "sourceCreated", None)
    assert events == []
    made: list[str] = []
    stop = threading.Event()

    def keep_creating() -> None:
        n = 0
        while not stop.is_set() and n < 60:
            made.append(create_source(writer, f"during-{n}"))
            n += 1

    seen: list[str] = []
    thread = threading.Thread(target=keep_creating)
    thread.start()
    try:
        for round_ in range(12):
            if round_ % 3 == 0:  # and some between polls, from this thread
                made.append(create_source(writer, f"between-{round_}"))
            events, state = polls(rt, "sourceCreated", state)
            seen += [e["resourceId"] for e in events]
    finally:
        stop.set()
        thread.join()
    seen += drain(rt, state)[0]  # whatever came last
    assert [k for k, n in Counter(seen).items() if n > 1] == []
    assert sorted(seen) == sorted(made)


def test_events_sharing_a_timestamp_are_neither_lost_nor_repeated(
        rt: Runtime, monkeypatch: pytest.MonkeyPatch) -> None:
    tie = sim_ids.now()  # every event from here on stamped with one time, the API's now
    monkeypatch.setattr(sim_audit, "now", lambda: tie)
    create_source(rt, "first")
    events, state = polls(rt, "sourceCreated", None)
    assert events == []
    batch_one = [create_source(rt, f"tie-{i}") for i in range(3)]
    events, state = polls(rt, "sourceCreated", state)
    assert [e["resourceId"] for e in events] == batch_one
    batch_two = [create_source(rt, f"tie-more-{i}") for i in range(2)]
    events, state = polls(rt, "sourceCreated", state)
    assert [e["resourceId"] for e in events] == batch_two


def test_max_events_cuts_a_poll_and_the_next_goes_on(rt: Runtime) -> None:
    _, state = polls(rt, "sourceCreated", None)
    made = [create_source(rt, f"s-{i}") for i in range(7)]
    got: list[str] = []
    sizes = []
    for _ in range(4):
        events, state = polls(rt, "sourceCreated", state, {"maxEvents": 3})
        sizes.append(len(events))
        got += [e["resourceId"] for e in events]
    assert sizes == [3, 3, 1, 0]
    assert got == made


def counting(rt: Runtime, monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The ops of every request `rt` sends from now on."""
    sent: list[str] = []
    send = rt.send

    def count(req: Any, *args: Any, **kwargs: Any) -> Any:
        sent.append(kwargs.get("op") or "")
        return send(req, *args, **kwargs)

    monkeypatch.setattr(rt, "send", count)
    return sent


def test_a_backlog_drains_over_polls_each_within_its_requests(
        simulator: Simulator, monkeypatch: pytest.MonkeyPatch) -> None:
    # Five events a page, and a listing cap of four pages: the backlog of 60 is three
    # times what one read may follow, yet each poll sends at most pages_for(maxEvents).
    reg = small_pages("sourceCreated", 5)
    conn = Connection(token=simulator.token, base_url=simulator.base_url)
    rt, writer = Runtime(conn, reg, max_pages=4), Runtime(conn, reg)
    _, state = polls(rt, "sourceCreated", None)
    made = [create_source(writer, f"b-{i}") for i in range(60)]
    sent = counting(rt, monkeypatch)
    budget = reg.trigger("sourceCreated").feed.pages_for(7)
    got: list[str] = []
    for _ in range(60):
        before = len(sent)
        events, state = polls(rt, "sourceCreated", state, {"maxEvents": 7})
        assert len(sent) - before <= budget and len(events) <= 7
        got += [e["resourceId"] for e in events]
        if not state["behind"]:
            break
    assert got == made  # each once, oldest first
    assert not state.get("behind")
    late = create_source(writer, "late")
    assert [e["resourceId"] for e in polls(rt, "sourceCreated", state)[0]] == [late]


def test_a_backlog_sharing_one_time_past_the_budget_is_read_whole(
        simulator: Simulator, monkeypatch: pytest.MonkeyPatch) -> None:
    reg = small_pages("sourceCreated", 2)
    rt = Runtime(Connection(token=simulator.token, base_url=simulator.base_url), reg)
    _, state = polls(rt, "sourceCreated", None)
    tie = sim_ids.now()
    monkeypatch.setattr(sim_audit, "now", lambda: tie)
    made = [create_source(rt, f"t-{i}") for i in range(15)]
    got, state = drain(rt, state, {"maxEvents": 4})
    assert sorted(got) == sorted(made) and len(got) == len(made)
    assert polls(rt, "sourceCreated", state)[0] == []


def test_a_backlog_drains_without_the_apis_clock(
        simulator: Simulator, monkeypatch: pytest.MonkeyPatch) -> None:
    # No Date header read: a first poll of an empty trail has no watermark, and the
    # backlog after it is found from the epoch on, within each poll's requests.
    monkeypatch.setattr(states.ApiClock, "observe", lambda self, headers: None)
    reg = small_pages("sourceCreated", 4)
    conn = Connection(token=simulator.token, base_url=simulator.base_url)
    rt = Runtime(conn, reg, max_pages=3)
    _, state = polls(rt, "sourceCreated", None)
    assert state["after"] is None
    made = [create_source(rt, f"e-{i}") for i in range(30)]
    assert drain(rt, state, {"maxEvents": 5})[0] == made


# -- an API whose clock is behind the poller's --------------------------------------------
HOUR = timedelta(hours=1)


@pytest.fixture
def hour_behind(monkeypatch: pytest.MonkeyPatch) -> None:
    """The simulated API stamps events, and dates its answers, an hour behind this clock."""
    monkeypatch.setattr(sim_ids, "clock_offset", -HOUR)


@pytest.mark.parametrize("offset", [-HOUR, HOUR], ids=["behind", "ahead"])
def test_an_api_an_hour_off_loses_and_repeats_nothing(
        simulator: Simulator, monkeypatch: pytest.MonkeyPatch, offset: timedelta) -> None:
    reg = small_pages("sourceCreated", 3)
    conn = Connection(token=simulator.token, base_url=simulator.base_url)
    rt, writer = Runtime(conn, reg), Runtime(conn, reg)
    monkeypatch.setattr(sim_ids, "clock_offset", offset - timedelta(seconds=10))
    old = create_source(writer, "old")  # ten seconds before `since`
    monkeypatch.setattr(sim_ids, "clock_offset", offset)
    stamp = writer.run("listAuditEvents", {})["data"]["data"]["events"][0]["timestamp"]
    assert abs(states.parse_time(stamp, "t") - datetime.now(UTC) - offset) < timedelta(minutes=1)
    # From now, by the poller's clock: an hour off by the API's.
    since = states.format_time(datetime.now(UTC))
    made = [create_source(writer, f"s-{i}") for i in range(4)]
    events, from_since = polls(rt, "sourceCreated", None, {"since": since})
    assert [e["resourceId"] for e in events] == made and old not in made
    _, from_now = polls(rt, "sourceCreated", None)
    more = [create_source(writer, f"m-{i}") for i in range(5)]
    for state in (from_since, from_now):
        got: list[str] = []
        for _ in range(3):
            events, state = polls(rt, "sourceCreated", state)
            got += [e["resourceId"] for e in events]
        assert got == more


@pytest.mark.usefixtures("hour_behind")
def test_a_watermark_ahead_of_the_apis_clock_is_refused(rt: Runtime) -> None:
    _, state = polls(rt, "sourceCreated", None)
    create_source(rt, "x")
    _, state = polls(rt, "sourceCreated", state)
    # Half an hour ahead of the API, half an hour behind the poller: from the future.
    ahead = states.format_time(datetime.now(UTC) - HOUR / 2)
    with pytest.raises(TriggerStateError) as err:
        polls(rt, "sourceCreated", {**state, "after": ahead})
    assert err.value.fields.keys() == {"state"} and "future" in str(err.value)
    assert err.value.code == "trigger_state"
    events, _ = polls(rt, "sourceCreated", state)  # the state it returned is fine
    assert events == []


def test_since_starts_from_a_time_instead_of_now(rt: Runtime) -> None:
    first = create_source(rt, "a")
    events, _ = polls(rt, "sourceCreated", None, {"since": "2000-01-01T00:00:00Z"})
    assert [e["resourceId"] for e in events] == [first]
    # A start in the future would hold every event back until then: named, nothing sent.
    with pytest.raises(InputError) as err:
        polls(rt, "sourceCreated", None, {"since": "2999-01-01T00:00:00Z"})
    assert err.value.fields.keys() == {"since"} and "future" in str(err.value)


def test_audit_event_trigger_filters_by_type_and_resource(rt: Runtime) -> None:
    _, state_all = polls(rt, "auditEvent", None)
    _, state_deleted = polls(rt, "auditEvent", None, {"eventType": ["Source Deleted"]})
    keep, gone = create_source(rt, "keep"), create_source(rt, "gone")
    rt.run("deleteSource", {"sourceId": gone})
    _, state_one = polls(rt, "auditEvent", None, {"resourceId": keep})
    rt.run("updateSource", {"sourceId": keep, "name": "kept"})
    events, _ = polls(rt, "auditEvent", state_all)
    assert [e["type"] for e in events] == ["Source Created", "Source Created",
                                           "Source Deleted", "Source Modified"]
    events, _ = polls(rt, "auditEvent", state_deleted, {"eventType": ["Source Deleted"]})
    assert [(e["type"], e["resourceId"]) for e in events] == [("Source Deleted", gone)]
    events, _ = polls(rt, "auditEvent", state_one, {"resourceId": keep})
    assert [(e["type"], e["resourceId"]) for e in events] == [("Source Modified", keep)]


def test_destination_and_warehouse_triggers(rt: Runtime, registry: Registry) -> None:
    _, dest_state = polls(rt, "destinationCreatedOrDeleted", None)
    _, wh_state = polls(rt, "warehouseCreatedOrChanged", None)
    _, deleted_state = polls(rt, "sourceDeleted", None)
    source = create_source(rt, "feed")
    made = rt.run("createDestination", {**sample_inputs(registry.action("createDestination")),
                                        "sourceId": source, "metadataId": KINESIS}
                   )["data"]["data"]["destination"]
    rt.run("deleteDestination", {"destinationId": made["id"]})
    wh = rt.run("createWarehouse", sample_inputs(registry.action("createWarehouse"))
                )["data"]["data"]["warehouse"]
    rt.run("updateWarehouse", {"warehouseId": wh["id"], "enabled": True, "settings": {}})
    rt.run("deleteSource", {"sourceId": source})
    events, _ = polls(rt, "destinationCreatedOrDeleted", dest_state)
    assert [(e["type"], e["resourceId"]) for e in events] == [
        ("Integration Created", made["id"]), ("Integration Deleted", made["id"])]
    events, _ = polls(rt, "warehouseCreatedOrChanged", wh_state)
    assert [e["type"] for e in events] == ["Storage Destination Created",
                                           "Storage Destination Modified",
                                           "Storage Destination Enabled"]
    assert {e["resourceId"] for e in events} == {wh["id"]}
    events, _ = polls(rt, "sourceDeleted", deleted_state)
    assert [e["resourceId"] for e in events] == [source]


# -- listings that leave no audit event ---------------------------------------------------
def create_function(rt: Runtime, registry: Registry, name: str, kind: str = "SOURCE") -> str:
    inputs = {**sample_inputs(registry.action("createFunction")), "displayName": name,
              "resourceType": kind}
    return str(rt.run("createFunction", inputs)["data"]["data"]["function"]["id"])


def test_new_functions_come_once_each_while_the_listing_shifts(simulator: Simulator) -> None:
    reg = small_pages("functionCreated")
    rt = Runtime(Connection(token=simulator.token, base_url=simulator.base_url), reg)
    old = [create_function(rt, reg, f"old-{i}") for i in range(3)]
    events, state = polls(rt, "functionCreated", None)
    assert events == []
    made: list[str] = []
    seen: list[str] = []
    for round_ in range(5):
        made += [create_function(rt, reg, f"fn-{round_}-{i}", kind)
                 for i, kind in enumerate(("SOURCE", "DESTINATION"))]
        if round_ == 2:  # deleting shifts every later item one place back
            rt.run("deleteFunction", {"functionId": old[0]})
        events, state = polls(rt, "functionCreated", state)
        seen += [e["resourceId"] for e in events]
        assert {e["type"] for e in events} <= {"Function Created"}
    assert sorted(seen) == sorted(made) and len(seen) == len(set(seen))
    # Only one kind when asked.
    _, only = polls(rt, "functionCreated", None, {"resourceType": "DESTINATION"})
    dest = create_function(rt, reg, "dest", "DESTINATION")
    create_function(rt, reg, "src", "SOURCE")
    events, _ = polls(rt, "functionCreated", only, {"resourceType": "DESTINATION"})
    assert [e["resourceId"] for e in events] == [dest]


class Churning(Runtime):
    """A runtime that calls `between()` after the first page of each read of `action`:
    the workspace changes while one read is half done."""

    def __init__(self, conn: Connection, reg: Registry, action: str,
                 between: Callable[[], None]) -> None:
        super().__init__(conn, reg)
        self.action, self.between = action, between

    def iter_pages(self, key: str, inputs: Any = None, on_headers: Any = None
                   ) -> Iterator[dict[str, Any]]:
        for n, page in enumerate(super().iter_pages(key, inputs, on_headers)):
            yield page
            if key == self.action and n == 0:
                self.between()


def churn_functions(simulator: Simulator, rounds: int, page: int = 2
                    ) -> tuple[list[str], list[str]]:
    """Functions made, and events returned, over polls of `functionCreated` (one kind)
    while, between the first and second page of each read, the first item listed is
    deleted and a new function made: the rest shift back a place, so the read misses
    one item although it counts as many ids as the listing's total."""
    reg = small_pages("functionCreated", page)
    conn = Connection(token=simulator.token, base_url=simulator.base_url)
    writer = Runtime(conn, reg)
    made: list[str] = []
    for i in range(6):
        create_function(writer, reg, f"old-{i}")

    def between() -> None:
        if len(made) >= rounds:
            return
        first = writer.run("listFunctions", {"resourceType": "SOURCE", "count": 1})
        writer.run("deleteFunction",
                   {"functionId": first["data"]["data"]["functions"][0]["id"]})
        made.append(create_function(writer, reg, f"new-{len(made)}"))

    rt = Churning(conn, reg, "listFunctions", between)
    inputs = {"resourceType": "SOURCE"}
    _, state = polls(Runtime(conn, reg), "functionCreated", None, inputs)
    seen: list[str] = []
    for _ in range(rounds + 3):  # the last polls read a still listing
        events, state = polls(rt, "functionCreated", state, inputs)
        assert {e["type"] for e in events} <= {"Function Created"}
        seen += [e["resourceId"] for e in events]
    return made, seen


def test_a_listing_read_that_missed_an_item_never_makes_it_new_again(
        simulator: Simulator) -> None:
    made, seen = churn_functions(simulator, rounds=5)
    assert [k for k, n in Counter(seen).items() if n > 1] == []
    assert sorted(seen) == sorted(made)


def test_an_id_is_forgotten_only_when_proven_gone(simulator: Simulator) -> None:
    reg = Registry.load()
    rt = Runtime(Connection(token=simulator.token, base_url=simulator.base_url), reg)
    inputs = {"resourceType": "SOURCE"}
    keep, drop = (create_function(rt, reg, n) for n in ("keep", "drop"))
    _, state = polls(rt, "functionCreated", None, inputs)
    rt.run("deleteFunction", {"functionId": drop})
    _, state = polls(rt, "functionCreated", state, inputs)
    assert state["absent"] == {drop: 1} and drop in state["known"]  # missing once: kept
    # Missing from a second read: gone by the lookup's 404, and forgotten.
    _, after = polls(rt, "functionCreated", state, inputs)
    assert drop not in after["known"] and after["absent"] == {} and keep in after["known"]
    # An id that a listing leaves out twice while the API still has it stays known.
    other = create_function(rt, reg, "other", "DESTINATION")  # not in the SOURCE listing
    hid = {**after, "known": {**after["known"], other: "0"}, "absent": {other: 1}}
    _, kept = polls(rt, "functionCreated", hid, inputs)
    assert other in kept["known"] and kept["absent"] == {other: 2}


def test_a_listing_since_a_time_returns_what_was_made_from_then_and_no_more(
        rt: Runtime, registry: Registry) -> None:
    old = create_function(rt, registry, "old")
    created = rt.run("getFunction", {"functionId": old})["data"]["data"]["function"]["createdAt"]
    cut = states.format_time(states.parse_time(created, "t") + timedelta(milliseconds=1))
    time.sleep(0.005)  # the next function's createdAt falls after the cut
    new = create_function(rt, registry, "new")
    events, state = polls(rt, "functionCreated", None, {"since": cut})
    assert [e["resourceId"] for e in events] == [new]
    assert polls(rt, "functionCreated", state)[0] == []  # the older one is known, not new


def test_tracking_plans_created_and_changed(rt: Runtime) -> None:
    _, state = polls(rt, "trackingPlanChanged", None)
    plan = rt.run("createTrackingPlan", {"name": "Web", "type": "LIVE"}
                  )["data"]["data"]["trackingPlan"]["id"]
    events, state = polls(rt, "trackingPlanChanged", state)
    assert [(e["type"], e["resourceId"]) for e in events] == [("Tracking Plan Created", plan)]
    assert polls(rt, "trackingPlanChanged", state)[0] == []
    rt.run("updateTrackingPlan", {"trackingPlanId": plan, "name": "Web v2"})
    events, state = polls(rt, "trackingPlanChanged", state)
    assert [(e["type"], e["resourceName"]) for e in events] == [
        ("Tracking Plan Modified", "Web v2")]
    assert polls(rt, "trackingPlanChanged", state)[0] == []


# -- state and inputs -------------------------------------------------------------------
KINESIS = "57da359580412f644ff33fb9"  # a destination type of the catalog
NOWHERE = Connection(token="sgp_nowhere_token_1234", base_url="http://127.0.0.1:9")


@pytest.mark.parametrize("state", [
    "text", [1], {}, {"seen": {}}, {"v": 99, "trigger": "sourceCreated", "feed": "audit"},
    {"v": 1, "trigger": "sourceCreated", "feed": "audit", "after": None, "seen": {},
     "behind": "yes"},
    {"v": 1, "trigger": "sourceCreated", "feed": "audit", "after": "2024-01-01T00:00:00Z",
     "seen": {}, "end": "2023-01-01T00:00:00Z"},
    {"v": 1, "trigger": "functionCreated", "feed": "listing", "known": {"a": "f"},
     "absent": {"b": 1}},
    {"v": 1, "trigger": "sourceDeleted", "feed": "audit", "after": None, "seen": {}},
    {"v": 1, "trigger": "sourceCreated", "feed": "audit", "after": None, "seen": []},
    {"v": 1, "trigger": "sourceCreated", "feed": "audit", "after": 5, "seen": {}},
    {"v": 1, "trigger": "sourceCreated", "feed": "audit", "after": "garbage", "seen": {}},
    {"v": 1, "trigger": "sourceCreated", "feed": "audit", "after": None, "seen": {"e": "b"}},
    {"v": 1, "trigger": "sourceCreated", "feed": "audit", "after": None,
     "seen": {"e": "0001-01-01T00:00:00+05:00"}},
])
def test_a_state_that_is_not_this_triggers_is_refused_before_any_request(
        registry: Registry, state: Any) -> None:
    listing = isinstance(state, dict) and state.get("feed") == "listing"
    key = "functionCreated" if listing else "sourceCreated"
    with pytest.raises(TriggerStateError) as err:
        Runtime(NOWHERE, registry).poll(key, {}, state)
    assert err.value.fields.keys() == {"state"}
    assert err.value.code == "trigger_state" and err.value.category == "config"


@pytest.mark.parametrize("since", ["0001-01-01T00:00:00+05:00", "9999-12-31T23:59:59-05:00",
                                   "yesterday", "2024-01-01T00:00:00+99:00"])
def test_a_start_time_utc_cannot_hold_is_named(registry: Registry, since: str) -> None:
    with pytest.raises(InputError) as err:
        Runtime(NOWHERE, registry).poll("sourceCreated", {"since": since}, None)
    assert err.value.fields.keys() == {"since"}


@pytest.mark.parametrize("moment", ["0001-01-01T00:00:00Z", "0001-01-01T00:04:00Z"])
def test_the_earliest_times_are_read_and_kept(rt: Runtime, moment: str) -> None:
    made = create_source(rt, "old-times")
    events, state = polls(rt, "sourceCreated", None, {"since": moment})
    assert [e["resourceId"] for e in events] == [made]
    early = {**state, "after": moment, "seen": {}}  # a watermark at the calendar's start
    events, state = polls(rt, "sourceCreated", early)
    assert [e["resourceId"] for e in events] == [made]
    assert polls(rt, "sourceCreated", state)[0] == []


def test_bad_inputs_are_named_before_any_request(registry: Registry) -> None:
    rt = Runtime(NOWHERE, registry)
    with pytest.raises(InputError) as err:
        rt.poll("sourceCreated", {"since": "yesterday"}, None)
    assert "since" in err.value.fields
    with pytest.raises(InputError) as err:
        rt.poll("sourceCreated", {"maxEvents": 0}, None)
    assert "maxEvents" in err.value.fields
    with pytest.raises(InputError) as err:
        rt.poll("sorceCreated", {}, None)
    assert err.value.code == "unknown_trigger" and "sourceCreated" in str(err.value)


def test_poll_trigger_is_the_one_call_for_flow_engines(simulator: Simulator) -> None:
    conn = Connection(token=simulator.token, base_url=simulator.base_url)
    first = poll_trigger("sourceCreated", {}, None, conn)
    create_source(Runtime(conn), "x")
    answer = poll_trigger("sourceCreated", {}, first["state"], conn)
    assert [e["resourceName"] for e in answer["events"]] == ["x"]


# -- plugins ----------------------------------------------------------------------------
class Plugin:
    def __init__(self, *triggers: Trigger) -> None:
        self.triggers = triggers

    @hookimpl
    def register_triggers(self, register: Any) -> None:
        for trigger in self.triggers:
            register(trigger)


def test_a_plugin_adds_a_trigger_on_its_own_feed(simulator: Simulator) -> None:
    labels = Trigger("labelCreated", "Label Created", "A label was created.",
                     AuditFeed(frozenset({"Label Created"})))
    reg = Registry.load(extra=[("mine", Plugin(labels))])
    assert reg.trigger("labelCreated").plugin == "mine"
    rt = Runtime(Connection(token=simulator.token, base_url=simulator.base_url), reg)
    _, state = polls(rt, "labelCreated", None)
    rt.run("createLabel", {"label": {"key": "team", "value": "web"}})
    events, _ = polls(rt, "labelCreated", state)
    assert [e["type"] for e in events] == ["Label Created"]


def test_plugin_mistakes_stop_start_up_naming_them() -> None:
    dup = Trigger("sourceCreated", "Again", "Duplicate.", AuditFeed())
    with pytest.raises(PluginError, match="duplicate trigger 'sourceCreated'"):
        Registry.load(extra=[("mine", Plugin(dup))])
    odd = Trigger("odd", "Odd", "No feed.", object())  # type: ignore[arg-type]
    with pytest.raises(PluginError, match=r"'odd'.*not an EventFeed"):
        Registry.load(extra=[("mine", Plugin(odd))])
    lost = Trigger("lost", "Lost", "Reads nothing.", ListingFeed("listNothing", "x", "X"))
    with pytest.raises(PluginError, match="listNothing"):
        Registry.load(extra=[("mine", Plugin(lost))])
    blind = Trigger("blind", "Blind", "Looks up nothing.",
                    ListingFeed("listFunctions", "x", "X", lookup=("getNothing", "id")))
    with pytest.raises(PluginError, match="getNothing"):
        Registry.load(extra=[("mine", Plugin(blind))])


def test_every_built_in_trigger_has_a_sample_event_in_its_own_shape(registry: Registry) -> None:
    for trigger in registry.triggers.items.values():
        sample = trigger.sample
        assert {"id", "timestamp", "type", "resourceId", "resourceType"} <= sample.keys()
        feed = trigger.feed
        if isinstance(feed, AuditFeed) and feed.types:
            assert sample["type"] in feed.types



def test_an_audit_event_without_a_time_is_the_apis_fault_not_the_inputs() -> None:
    class Trail:  # an API whose trail answers an event with no readable time
        def iter_pages(self, key: str, inputs: dict[str, Any], on_headers: Any = None
                       ) -> Iterator[dict[str, Any]]:
            yield {"events": [{"id": "e1", "timestamp": "soon", "type": "Source Created"}]}

    state = {"v": 1, "trigger": "t", "feed": "audit", "after": None, "seen": {}}
    with pytest.raises(ResponseError, match="no RFC 3339 timestamp"):
        AuditFeed().poll(Trail(), {}, state, 10, "t")
