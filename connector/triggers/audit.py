"""Triggers over the audit trail: events since the last poll, each exactly once.

The trail lists newest first, and its pages may shift while they are read
(new events push older ones to later pages), so a poll reads every event
from a little before its watermark (`OVERLAP`) to now and drops the ids it
has already returned. The state holds the watermark (the newest returned
event's time) and the ids returned within `OVERLAP` of it: events that share
a timestamp, or show up late with an earlier one, are neither missed nor
repeated. Times are the API's own, so the poller's clock never matters.

The first poll, unless given `since`, reads the newest event and marks
everything up to it as seen: it returns nothing that happened before it.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any

from connector.errors import InputError, ResponseError
from connector.triggers import state as states

if TYPE_CHECKING:
    from connector.runtime import Runtime

LISTING = "listAuditEvents"
OVERLAP = timedelta(minutes=5)
# Inputs a poll passes on to the listing (the API filters by them).
QUERY_INPUTS = ("resourceId", "resourceType")

Event = dict[str, Any]


@dataclass(frozen=True)
class AuditFeed:
    """New audit events whose type is one of `types` (any type when empty).

    `types_input` names a trigger input that narrows the types further (a list of
    event types, or one), for triggers that let the user choose.
    """

    types: frozenset[str] = frozenset()
    types_input: str | None = None
    page_size: int = 200
    kind: str = "audit"
    action: str = LISTING

    def wanted(self, values: Mapping[str, Any]) -> Callable[[Event], bool]:
        types = set(self.types)
        chosen = values.get(self.types_input) if self.types_input else None
        if chosen:
            picked = {chosen} if isinstance(chosen, str) else set(chosen)
            types = types & picked if types else picked
        return lambda event: not types or event.get("type") in types

    def poll(self, runtime: Runtime, values: Mapping[str, Any], state: Mapping[str, Any] | None,
             limit: int, trigger: str) -> tuple[list[Event], dict[str, Any]]:
        query = {k: values[k] for k in QUERY_INPUTS if values.get(k)}
        if values.get("region"):
            query["region"] = values["region"]
        wanted = self.wanted(values)
        if state is None:
            since = values.get("since")
            if not since:
                return [], self._start(runtime, query, wanted, trigger)
            start = states.parse_time(since, "since", trigger)
            floor: datetime | None = start  # `since` itself, no overlap
            after: str | None = states.format_time(start)
            seen: dict[str, str] = {}
        else:
            after, seen = _read_state(state, trigger)
            floor = states.before(states.parse_time(after, "state", trigger), OVERLAP) \
                if after else None
        events = [e for e in self._read(runtime, query, floor) if wanted(e)]
        new = [e for e in events if e["id"] not in seen][:limit]
        kept = new if len(new) == limit else events  # cut short: only what was returned
        return new, self._next(trigger, after, seen, kept)

    def _start(self, runtime: Runtime, query: Mapping[str, Any], wanted: Callable[[Event], bool],
               trigger: str) -> dict[str, Any]:
        """The state of a first poll: what the trail held when it was first read is seen.

        The newest page says where "now" is; events after it that the full read
        meets happened during this poll, so they stay new for the next one.
        """
        first = runtime.run(LISTING, {**query, "count": self.page_size})["data"]
        top = ((first or {}).get("data") or {}).get("events") or []
        top = [e for e in top if isinstance(e, dict) and isinstance(e.get("id"), str)]
        if not top:  # an empty trail: whatever comes next is new
            return states.fresh(trigger, self.kind, after=None, seen={})
        moment = _api_time(top[0])
        there = {e["id"] for e in top}
        before = [e for e in self._read(runtime, query, states.before(moment, OVERLAP))
                  if wanted(e) and (e["id"] in there or _api_time(e) < moment)]
        return self._next(trigger, top[0]["timestamp"], {}, before)

    def _next(self, trigger: str, after: str | None, seen: Mapping[str, str],
              events: Iterable[Event]) -> dict[str, Any]:
        """Watermark: the newest event known; seen: known ids within OVERLAP of it."""
        known = dict(seen)
        known.update((e["id"], e["timestamp"]) for e in events)
        times = {ts: states.parse_time(ts, "state", trigger)
                 for ts in {*known.values(), *([after] if after else [])}}
        if not times:
            return states.fresh(trigger, self.kind, after=after, seen={})
        top = max(times, key=lambda ts: times[ts])
        floor = states.before(times[top], OVERLAP)
        kept = {i: ts for i, ts in known.items() if times[ts] >= floor}
        return states.fresh(trigger, self.kind, after=top, seen=kept)

    def _read(self, runtime: Runtime, query: Mapping[str, Any], floor: datetime | None
              ) -> list[Event]:
        """Every event from `floor` (None: the whole trail) to now, oldest first, each once."""
        inputs = {**query, "count": self.page_size}
        if floor is not None:
            inputs["startTime"] = states.format_time(floor)
        by_id: dict[str, tuple[datetime, Event]] = {}
        for item in runtime.iter_items(LISTING, inputs):
            if not (isinstance(item, dict) and isinstance(item.get("id"), str)):
                raise ResponseError(f"{LISTING}: an event without an id: {item!r:.200}")
            if item["id"] not in by_id:  # a page that shifted repeats some
                by_id[item["id"]] = (_api_time(item), item)
        # Oldest first; the trail's own order (newest first) breaks timestamp ties.
        ordered = list(reversed(by_id.values()))
        return [event for _, event in sorted(ordered, key=lambda pair: pair[0])]


def _read_state(state: Mapping[str, Any], trigger: str) -> tuple[str | None, dict[str, str]]:
    after, seen = state.get("after"), state.get("seen")
    if (after is not None and not isinstance(after, str)) or not isinstance(seen, dict) \
            or not all(isinstance(k, str) and isinstance(v, str) for k, v in seen.items()):
        raise states.TriggerStateError("is damaged: `after` must be a time and `seen` an "
                                       "object of event ids and times", trigger)
    try:
        for moment in (after, *seen.values()):
            if moment is not None:
                states.parse_time(moment, "state")
    except InputError as exc:
        raise states.TriggerStateError(f"is damaged: {exc.fields['state']}", trigger) from None
    return after, seen


def _api_time(event: Event) -> datetime:
    """An event's time as the API gave it; a ResponseError when it has none."""
    try:
        return states.parse_time(event.get("timestamp"), "timestamp")
    except ValueError:
        raise ResponseError(f"{LISTING}: event {event['id']!r} has no RFC 3339 timestamp: "
                            f"{event.get('timestamp')!r:.60}") from None


