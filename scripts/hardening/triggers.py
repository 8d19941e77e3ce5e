"""Triggers: every event exactly once while the workspace changes between and during polls,
pages shift under the reader, events share a timestamp, a listing loses and gains items
between the pages of one read, and the API's clock is an hour behind the poller's."""

from __future__ import annotations

import threading
from collections import Counter
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta
from typing import Any

from connector.connection import Connection
from connector.runtime import Runtime
from connector.simulator import Simulator
from connector.simulator import audit as sim_audit
from connector.simulator import ids as sim_ids
from hardening.common import Section, test_module

DURING, POLLS, PAGE = 120, 20, 3  # creates by the second thread, polls, items a page
SHIFTS = 12  # reads of a listing during which one item is deleted and one created
BACKLOG, BACKLOG_PAGE, BACKLOG_EVENTS = 600, 20, 10  # a backlog, its page size, maxEvents
BEHIND = timedelta(hours=1)  # how far the API's clock is behind the poller's


CASES = (("sources", "Sources created between and during polls"),
         ("ties", "Sources sharing one timestamp"),
         ("functions", "Functions created while others are deleted"),
         ("shifting", "Functions created while a read is between two pages"),
         ("behind", "Sources, with the API's clock an hour behind"),
         ("backlog", "A backlog drained over polls"))


def _tests() -> Any:
    """tests/test_triggers.py: the report pages and makes objects as those tests do."""
    return test_module("test_triggers")


def _source(rt: Runtime, slug: str) -> str:
    return str(_tests().create_source(rt, slug))


def _function(rt: Runtime, name: str) -> str:
    return str(_tests().create_function(rt, rt.plugins, name))


@contextmanager
def _runtime(key: str) -> Iterator[tuple[Runtime, Runtime]]:
    sim = Simulator().start()
    try:
        conn = Connection(token=sim.token, base_url=sim.base_url)
        reg = _tests().small_pages(key, PAGE)
        yield Runtime(conn, reg), Runtime(conn, reg)
    finally:
        sim.stop()


def _tally(c: Counter[str], name: str, made: list[str], got: list[str]) -> None:
    counts = Counter(got)
    c[f"{name} made"] = len(made)
    c[f"{name} returned"] = len(got)
    c[f"{name} repeated"] = sum(n - 1 for n in counts.values() if n > 1)
    c[f"{name} missed"] = len(set(made) - set(got))
    c[f"{name} before"] = len(set(got) - set(made))  # from before the first poll


def _poll_all(rt: Runtime, key: str, state: Any, rounds: int,
              between: Callable[[int], None]) -> tuple[list[str], Any]:
    got: list[str] = []
    for n in range(rounds):
        between(n)
        answer = rt.poll(key, {}, state)
        got += [e["resourceId"] for e in answer["events"]]
        state = answer["state"]
    return got, state


def _sources_while_polling(c: Counter[str]) -> None:
    with _runtime("sourceCreated") as (rt, writer):
        for i in range(5):
            _source(writer, f"before-{i}")
        state = rt.poll("sourceCreated", {}, None)["state"]
        made: list[str] = []
        thread = threading.Thread(
            target=lambda: made.extend(_source(writer, f"during-{i}") for i in range(DURING)))
        thread.start()

        got, state = _poll_all(rt, "sourceCreated", state, POLLS,
                               lambda n: made.append(_source(writer, f"between-{n}")))
        thread.join()
        got += _tests().drain(rt, state, rounds=POLLS)[0]
        _tally(c, "sources", made, got)


def _same_timestamp(c: Counter[str]) -> None:
    original = sim_audit.now
    tie = sim_ids.now()  # every event stamped with one time, the API's now
    sim_audit.now = lambda: tie
    try:
        with _runtime("sourceCreated") as (rt, writer):
            _source(writer, "first")
            state = rt.poll("sourceCreated", {}, None)["state"]
            made: list[str] = []
            got, _ = _poll_all(rt, "sourceCreated", state, 10, lambda n: made.extend(
                _source(writer, f"tie-{n}-{i}") for i in range(n % 4)))
            _tally(c, "ties", made, got)
    finally:
        sim_audit.now = original


def _functions_with_deletes(c: Counter[str]) -> None:
    with _runtime("functionCreated") as (rt, writer):
        old = [_function(writer, f"old-{i}") for i in range(6)]
        state = rt.poll("functionCreated", {}, None)["state"]
        made: list[str] = []

        def between(n: int) -> None:
            made.extend(_function(writer, f"fn-{n}-{i}") for i in range(3))
            if n < len(old):  # each delete shifts every later item one place back
                writer.run("deleteFunction", {"functionId": old[n]})

        got, _ = _poll_all(rt, "functionCreated", state, 8, between)
        _tally(c, "functions", made, got)


def _shifting_pages(c: Counter[str]) -> None:
    sim = Simulator().start()
    try:
        made, got = _tests().churn_functions(sim, rounds=SHIFTS, page=PAGE)
    finally:
        sim.stop()
    _tally(c, "shifting", made, got)


def _clock_behind(c: Counter[str]) -> None:
    original = sim_ids.clock_offset
    try:
        with _runtime("sourceCreated") as (rt, writer):
            # Ten seconds before `since` (the Date header tells the API's time to a second).
            sim_ids.clock_offset = -BEHIND - timedelta(seconds=10)
            for i in range(5):
                _source(writer, f"before-{i}")
            sim_ids.clock_offset = -BEHIND
            since = datetime.now(UTC).isoformat()  # the poller's now: an hour ahead of the API
            made: list[str] = []

            def between(n: int) -> None:
                made.extend(_source(writer, f"behind-{n}-{i}") for i in range(n % 3))

            made.extend(_source(writer, f"first-{i}") for i in range(3))
            first = rt.poll("sourceCreated", {"since": since}, None)
            got = [e["resourceId"] for e in first["events"]]
            during: list[str] = []  # and a second thread creates while the polls read
            thread = threading.Thread(target=lambda: during.extend(
                _source(writer, f"behind-during-{i}") for i in range(DURING // 4)))
            thread.start()
            more, state = _poll_all(rt, "sourceCreated", first["state"], POLLS, between)
            thread.join()
            more += _tests().drain(rt, state, rounds=POLLS)[0]
            _tally(c, "behind", made + during, got + more)
    finally:
        sim_ids.clock_offset = original


def _backlog(c: Counter[str], section: Section) -> None:
    sim = Simulator().start()
    try:
        conn = Connection(token=sim.token, base_url=sim.base_url)
        reg = _tests().small_pages("sourceCreated", BACKLOG_PAGE)
        rt, writer = Runtime(conn, reg), Runtime(conn, reg)
        state = rt.poll("sourceCreated", {}, None)["state"]
        made = [_source(writer, f"backlog-{i}") for i in range(BACKLOG)]
        budget = reg.trigger("sourceCreated").feed.pages_for(BACKLOG_EVENTS)
        sent: list[str] = []
        send = rt.send
        rt.send = lambda *a, **k: sent.append(k.get("op", "")) or send(*a, **k)  # type: ignore[method-assign]
        got: list[str] = []
        polls = most = 0
        while polls < 20 * BACKLOG // BACKLOG_EVENTS:
            before = len(sent)
            answer = rt.poll("sourceCreated", {"maxEvents": BACKLOG_EVENTS}, state)
            state, polls = answer["state"], polls + 1
            most = max(most, len(sent) - before)
            c["backlog over budget"] += len(sent) - before > budget
            got += [e["resourceId"] for e in answer["events"]]
            if not state["behind"]:
                break
        c["backlog budget"] = budget
        c["backlog in order"] = got == made
        _tally(c, "backlog", made, got)
        section.timing.append(f"Trigger backlog: {BACKLOG} events drained in {polls} polls "
                              f"of at most {most} requests ({len(sent)} in all).")
    finally:
        sim.stop()


def measure() -> Section:
    section = Section(
        "Triggers",
        f"Polling against a simulator in this process, {PAGE} items a page so that pages "
        f"shift under the reader: sources created by a second thread during {POLLS} polls "
        f"({DURING}) and one before each poll; sources created in bursts that all share "
        "one timestamp; functions created between polls of a listing while older ones are "
        "deleted; functions listed while, between the first and second page of each "
        f"read, one listed item is deleted and another created ({SHIFTS} reads: each read "
        "misses an item, yet counts as many ids as the listing's total); sources polled "
        "from `since` (the poller's now) and on, created between polls and by a second "
        f"thread during them ({DURING // 4}), with the API's clock an hour behind the "
        f"poller's; a backlog of {BACKLOG} sources drained {BACKLOG_EVENTS} events a poll, "
        "each poll's requests counted. The first poll of each comes after objects already "
        "exist.")
    c = section.counts
    _sources_while_polling(c)
    _same_timestamp(c)
    _functions_with_deletes(c)
    _shifting_pages(c)
    _clock_behind(c)
    _backlog(c, section)
    for name, what in CASES:
        section.row(f"{what}: made, returned", f"{c[name + ' made']}, "
                    f"{c[name + ' returned']}")
        section.row("... returned twice, missed, from before the first poll",
                    f"{c[name + ' repeated']}, {c[name + ' missed']}, {c[name + ' before']}")
    section.row(f"Backlog of {BACKLOG} sources, {BACKLOG_PAGE} a page, maxEvents "
                f"{BACKLOG_EVENTS}: polls sending more than their {c['backlog budget']} "
                "requests", c["backlog over budget"])
    section.row("... returned oldest first", "yes" if c["backlog in order"] else "no")
    return section
