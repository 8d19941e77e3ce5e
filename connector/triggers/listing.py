"""Triggers that diff a listing, for resources that leave no audit event.

Each poll reads the whole listing and compares it with the state: ids not
seen before are `created`; with `changes` on, a known id whose fingerprint
(a hash of the whole item) moved is `changed`. An event not returned (over
the poll's limit) is not marked known, so it comes in the next poll.

A listing read while items are deleted and created can look whole and still
miss an item (a delete before it moves it onto a page already read), so no
read is taken as proof that a known id is gone. An id missing from a read is
kept, and counted in the state's `absent`; it is forgotten only when missing
from `ABSENT_READS` reads in a row and, for a feed with a `lookup` (an action
that gets one item by id), when that lookup answers 404. Until then it stays
known, so an item a read missed never comes again as new.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

from connector.errors import ConnectorError, NotFoundError
from connector.triggers import state as states

ABSENT_READS = 2  # reads in a row an id must be missing from before it may be gone
MAX_LOOKUPS = 20  # lookups one poll sends, at most (the rest wait for the next poll)

if TYPE_CHECKING:
    from connector.runtime import Runtime

Event = dict[str, Any]


@dataclass(frozen=True)
class ListingFeed:
    """Created (and, with `changes`, changed) items of the listing `action`.

    `resource` names the kind in events (`function`); `each` runs the listing
    once per value of an input left blank (every function type, say); `lookup`
    is the action and its id input that get one item (`getFunction`,
    `functionId`): its 404 proves a missing id gone.
    """

    action: str
    resource: str
    label: str  # "Function": events are "Function Created" and "Function Modified"
    changes: bool = False
    each: tuple[str, tuple[str, ...]] | None = None
    lookup: tuple[str, str] | None = None
    page_size: int = 200
    kind: str = "listing"

    def poll(self, runtime: Runtime, values: Mapping[str, Any], state: Mapping[str, Any] | None,
             limit: int, trigger: str) -> tuple[list[Event], dict[str, Any]]:
        known, absent = _read_state(state, trigger) if state is not None else ({}, {})
        clock = states.ApiClock()
        items = self._read(runtime, values, clock)
        if state is None:  # what is there already is known, but what `since` asks for
            since = values.get("since")
            floor = clock.to_api(states.parse_time(since, "since", trigger)) if since else None
            known = {ident: fp for ident, (fp, item) in items.items()
                     if floor is None or _when(item, "createdAt", clock) < floor}
            if floor is None:
                return [], states.fresh(trigger, self.kind, known=known, absent={})
        events: list[Event] = []
        for ident, (fp, item) in items.items():
            if ident not in known:
                events.append(self._event(ident, fp, item, "Created", clock))
            elif self.changes and known[ident] != fp:
                events.append(self._event(ident, fp, item, "Modified", clock))
        events.sort(key=lambda e: states.parse_time(e["timestamp"], "timestamp"))
        events = events[:limit]
        known.update((e["resourceId"], e["fingerprint"]) for e in events)
        for event in events:
            del event["fingerprint"]
        missing = {i: absent.get(i, 0) + 1 for i in known if i not in items}
        for ident in self._gone(runtime, values, missing):
            del known[ident], missing[ident]
        return events, states.fresh(trigger, self.kind, known=known, absent=missing)

    def _gone(self, runtime: Runtime, values: Mapping[str, Any], missing: Mapping[str, int]
              ) -> list[str]:
        """Of the ids missing from reads, those proven gone: missing `ABSENT_READS` times
        in a row and, with a `lookup`, not found by it (other errors prove nothing)."""
        due = [i for i, n in missing.items() if n >= ABSENT_READS]
        if self.lookup is None:
            return due
        action, id_input = self.lookup
        region = {"region": values["region"]} if values.get("region") else {}
        gone = []
        for ident in due[:MAX_LOOKUPS]:
            try:
                runtime.run(action, {id_input: ident, **region})
            except NotFoundError:
                gone.append(ident)
            except ConnectorError:
                continue  # unproven: asked again next poll
        return gone

    def _read(self, runtime: Runtime, values: Mapping[str, Any], clock: states.ApiClock
              ) -> dict[str, tuple[str, Any]]:
        """{id: (fingerprint, item)} of every item one read met."""
        items: dict[str, tuple[str, Any]] = {}
        key = self._items(runtime)
        for inputs in self._listings(values):
            for page in runtime.iter_pages(self.action, {**inputs, "count": self.page_size},
                                           on_headers=clock.observe):
                for item in page.get(key, []) or []:
                    if isinstance(item, dict) and isinstance(item.get("id"), str):
                        items.setdefault(item["id"], (_fingerprint(item), item))
        return items

    def _items(self, runtime: Runtime) -> str:
        return runtime.plugins.action(self.action).items or ""

    def _listings(self, values: Mapping[str, Any]) -> Iterator[dict[str, Any]]:
        base = {k: v for k, v in values.items()
                if k not in ("since", "maxEvents") and v not in (None, "")}
        if self.each is None or base.get(self.each[0]):
            yield base
            return
        name, choices = self.each
        for choice in choices:
            yield {**base, name: choice}

    def _event(self, ident: str, fp: str, item: Any, change: str, clock: states.ApiClock
               ) -> Event:
        stamp = item.get("updatedAt" if change == "Modified" else "createdAt")
        when = _when(item, "updatedAt" if change == "Modified" else "createdAt", clock)
        return {"id": f"{ident}:{fp}" if change == "Modified" else f"{ident}:created",
                "timestamp": stamp if isinstance(stamp, str) else states.format_time(when),
                "type": f"{self.label} {change}", "resourceId": ident,
                "resourceType": self.resource,
                "resourceName": item.get("name") or item.get("displayName") or ident,
                "resource": item, "fingerprint": fp}


def _fingerprint(item: Mapping[str, Any]) -> str:
    # The whole item, not only `updatedAt`: a change that leaves the stamp alone still counts.
    text = json.dumps(item, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return hashlib.sha256(text.encode()).hexdigest()[:16]


def _when(item: Mapping[str, Any], field: str, clock: states.ApiClock) -> datetime:
    """The item's own time, else the API's now (a listing without times is seen as it is
    read)."""
    try:
        return states.parse_time(item[field], field)
    except (KeyError, ValueError):
        return clock.now() or datetime.now(UTC)


def _read_state(state: Mapping[str, Any], trigger: str) -> tuple[dict[str, str], dict[str, int]]:
    known, absent = state.get("known"), state.get("absent", {})
    if not isinstance(known, dict) or \
            not all(isinstance(k, str) and isinstance(v, str) for k, v in known.items()):
        raise states.TriggerStateError("is damaged: `known` must be an object of ids and "
                                       "fingerprints", trigger)
    if not isinstance(absent, dict) or not all(
            k in known and type(n) is int and n > 0 for k, n in absent.items()):
        raise states.TriggerStateError("is damaged: `absent` must count reads missing ids "
                                       "of `known`", trigger)
    return dict(known), dict(absent)
