"""Triggers over the audit trail: events since the last poll, each exactly once.

The trail lists newest first, and its pages may shift while they are read
(new events push older ones to later pages), so a caught-up poll reads every
event from a little before its watermark (`OVERLAP`) to now and drops the ids
it has already returned. The state holds the watermark (the newest returned
event's time, or the end of the last window read) and the ids returned within
`OVERLAP` of it: events that share a timestamp, or show up late with an
earlier one, are neither missed nor repeated. Event times are the API's own;
the API's clock (its `Date` header) says where "now" is, so a poller whose
clock disagrees with the API's by hours neither loses nor repeats events.

A poll sends at most `pages_for(maxEvents)` requests (and no more than the
runtime's `max_pages`), one page each. When the events after the watermark
do not fit in a page, the poll narrows the time window it reads (`endTime`)
to the oldest part that does, returns that part, and the next poll goes on
from there (the state says it is `behind`, and while narrowing, the `end`
from which the trail holds too much): a long backlog drains over polls,
oldest first, whatever the listing's page cap. Only events that share one
millisecond beyond what the budget reads are read whole.

The first poll, unless given `since`, reads the newest event and marks
everything up to it as seen: it returns nothing that happened before it;
the next poll reads from that event's time on (a late event stamped before
it counts as before the first poll). The state's `start` keeps the overlap
of later polls from reaching back before that time, or before `since`.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING, Any

from connector.errors import InputError, ResponseError
from connector.paging import MAX_PAGES
from connector.triggers import state as states

if TYPE_CHECKING:
    from connector.runtime import Runtime

LISTING = "listAuditEvents"
OVERLAP = timedelta(minutes=5)
MILLISECOND = timedelta(milliseconds=1)  # the trail's resolution
EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
MIN_PAGES = 4  # requests one poll may send, at least
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

    def pages_for(self, limit: int) -> int:
        """Requests one poll returning at most `limit` events sends at most."""
        return max(MIN_PAGES, -(-limit // self.page_size) + 1)

    def poll(self, runtime: Runtime, values: Mapping[str, Any], state: Mapping[str, Any] | None,
             limit: int, trigger: str) -> tuple[list[Event], dict[str, Any]]:
        query = {k: values[k] for k in QUERY_INPUTS if values.get(k)}
        if values.get("region"):
            query["region"] = values["region"]
        wanted = self.wanted(values)
        reader = _Reader(self, runtime, query,
                         min(self.pages_for(limit), getattr(runtime, "max_pages", MAX_PAGES)))
        if state is None:
            since = values.get("since")
            if not since:
                return [], self._start(reader, wanted, trigger)
            reader.probe()  # the API's clock, to put `since` (the poller's) on it
            start = reader.clock.to_api(states.parse_time(since, "since", trigger))
            after: str | None = states.format_time(start)
            seen: dict[str, str] = {}
            behind, end, begun = True, None, after  # from `since` itself, no overlap
        else:
            after, seen, behind, end, begun = _read_state(state, trigger)
        mark = states.parse_time(after, "state", trigger) if after else None
        floor = mark
        if mark is not None and not behind:  # caught up: reread the overlap, from the start
            floor = states.before(mark, OVERLAP)
            if begun:
                floor = max(floor, states.parse_time(begun, "state"))
        read, end, done, empty_to = reader.window(floor, mark, end, limit)
        if mark is not None:
            reader.check_not_ahead(mark, read, trigger)
        if not done:  # out of requests before a window fitted: the next poll goes on
            if empty_to > (mark or EPOCH):  # nothing before it
                after = states.format_time(empty_to)
            return [], states.fresh(trigger, self.kind, after=after, seen=seen, behind=True,
                                    end=_hint(end, after), start=begun)
        events = [e for e in read if wanted(e)]
        new = [e for e in events if e["id"] not in seen][:limit]
        cut = len(new) == limit
        kept = new if cut else events  # cut short: only what was returned
        # A window that ended before now leaves the poll behind; read whole, it counts
        # as far as its end.
        nxt = self._next(trigger, after, seen, kept, None if cut else end, begun)
        nxt["behind"] = cut or end is not None
        if cut and _hint(end, nxt["after"]):
            nxt["end"] = _hint(end, nxt["after"])  # the rest of this window fits: read it next
        return new, nxt

    def _start(self, reader: _Reader, wanted: Callable[[Event], bool],
               trigger: str) -> dict[str, Any]:
        """The state of a first poll: what the trail held when it was first read is seen.

        The newest event says where "now" is; the next poll reads from there on,
        and the ids at that very time (events can share it) count as seen.
        """
        top = reader.newest()
        if not top:  # an empty trail: whatever comes next is new
            now = reader.clock.now()
            after = states.format_time(states.before(now, states.AHEAD)) if now else None
            return states.fresh(trigger, self.kind, after=after, seen={}, behind=True,
                                start=after)
        moment = _api_time(top[0])
        at_moment = [e for e in top if _api_time(e) == moment and wanted(e)]
        stamp = top[0]["timestamp"]
        return {**self._next(trigger, stamp, {}, at_moment, None, stamp), "behind": True}

    def _next(self, trigger: str, after: str | None, seen: Mapping[str, str],
              events: Iterable[Event], reached: datetime | None = None,
              begun: str | None = None) -> dict[str, Any]:
        """Watermark: the newest event known (or the end of the window read); seen: known
        ids within OVERLAP of it; start: where the trigger began (a first poll's now, or
        `since`), while the overlap could reach before it."""
        known = dict(seen)
        known.update((e["id"], e["timestamp"]) for e in events)
        marks = {*known.values(), *([after] if after else [])}
        if reached is not None:
            marks.add(states.format_time(reached))
        times = {ts: states.parse_time(ts, "state", trigger) for ts in marks}
        if not times:
            return states.fresh(trigger, self.kind, after=after, seen={}, start=begun)
        top = max(times, key=lambda ts: times[ts])
        floor = states.before(times[top], OVERLAP)
        kept = {i: ts for i, ts in known.items() if times[ts] >= floor}
        if begun and states.parse_time(begun, "state") <= floor:
            begun = None  # the overlap no longer reaches back to it
        return states.fresh(trigger, self.kind, after=top, seen=kept, start=begun)


class _Reader:
    """One poll's reads of the trail, within its budget of requests."""

    def __init__(self, feed: AuditFeed, runtime: Runtime, query: Mapping[str, Any],
                 budget: int) -> None:
        self.feed, self.runtime, self.query, self.budget = feed, runtime, query, budget
        self.clock = states.ApiClock()

    def probe(self) -> None:
        """One request for the API's clock."""
        self._pages(None, None, 1, {"count": 1})

    def newest(self) -> list[Event]:
        """The newest events: the first page, and more while they share its top's time."""
        inputs = {**self.query, "count": self.feed.page_size}
        out: list[Event] = []
        for page in self.runtime.iter_pages(LISTING, inputs, on_headers=self.clock.observe):
            out += _events(page)
            if not out or _api_time(out[-1]) != _api_time(out[0]):
                break
        return out

    def window(self, floor: datetime | None, mark: datetime | None, end: datetime | None,
               want: int) -> tuple[list[Event], datetime | None, bool, datetime]:
        """Events of the oldest windows from `floor` that the budget reads whole (about
        `want` of them), oldest first, their end (None: now) and True; when the requests
        ran out before a window fitted, no events, the time from which the trail holds
        more than the budget reads (the next poll's `end`) and False. Last, the time up
        to which the trail proved empty after `mark` (`mark` when it did not).

        `end` is such a time from the last poll (or the end of a window it returned
        only part of), or None. Each read is one page. A first read of the window
        tells where the trail is dense; the next window starts at `mark` and ends
        where three quarters of a page should lie, were the backlog as dense from the
        watermark on. A window read whole with fewer than `want` events is followed by
        the next, sized by its own density. Once a window comes back empty (a burst
        after a quiet spell), the windows halve what is left between the last empty
        one and the oldest event read.
        """
        # No watermark (an empty trail, first read without the API's clock): every event
        # is new, and the oldest are found from the epoch on.
        lo = mark if mark is not None else EPOCH
        start, upper = floor, end  # from `upper` on, the trail holds too much
        if end is not None:
            start = lo
        width: timedelta | None = None  # the span of about `target` events
        target = max(1, self.feed.page_size * 3 // 4)  # what a window should hold: most of a page
        quiet = False  # a window came back empty: the trail is not evenly dense
        above: list[Event] = []  # the last partial read: every event after `upper`, to
        above_end = end  # its end
        whole_read: list[Event] = []  # windows read whole, from `mark` to `lo`
        while True:
            got, whole = self._pages(start, end, 1)  # one page a read: each one tells more
            if whole and end is None:
                return _oldest_first(whole_read + got), None, True, lo
            if whole and end is not None:  # [start, end] read whole: go on after it
                whole_read += got
                if len(whole_read) >= want or self.budget <= 0:
                    return _oldest_first(whole_read), end, True, end
                if upper is not None and end >= upper:  # as far as the dense part: read on
                    lo = start = end
                    end = upper = above_end = width = None
                    above, quiet = [], False
                    continue
                if got:  # the next window as dense as this one
                    span = end - (start or lo)
                    more = min(want - len(whole_read), target)
                    width = max(span * more / len(got), MILLISECOND)
                else:
                    quiet = True  # from now on, halve
                lo = start = end
            else:
                times = [_api_time(e) for e in got]
                if mark is not None and min(times) < mark:
                    # Every event from the watermark on has been read: the overlap
                    # before it did not fit, and is left for when the poll has caught up.
                    return _oldest_first(whole_read + got), end, True, lo
                upper, start, above, above_end = min(times), lo, got, end
                # Events that all share one time tell no density: halve instead.
                width = (max(times) - min(times)) * target / len(times) or None
            end = _next_end(lo, upper, None if quiet else width)
            if end is None and self.budget > 0:  # what is left lies within a millisecond
                got, whole = self._pages(start, upper, self.budget)
                if not whole:  # events sharing one time beyond the budget: read them all
                    got, _ = self._pages(start, upper, None)
                return _oldest_first(whole_read + got + above), above_end, True, lo
            if end is None or self.budget <= 0:
                if whole_read:  # what was read whole, up to where it was read
                    return _oldest_first(whole_read), lo, True, lo
                return [], upper, False, lo

    def _pages(self, floor: datetime | None, end: datetime | None, pages: int | None,
               extra: Mapping[str, Any] | None = None) -> tuple[list[Event], bool]:
        """Events of [floor, end] newest first, at most `pages` pages (None: every one),
        and whether that was all of them."""
        inputs = {**self.query, "count": self.feed.page_size, **(extra or {})}
        if floor is not None:
            inputs["startTime"] = states.format_time(floor)
        if end is not None:
            inputs["endTime"] = states.format_time(end)
        got: list[Event] = []
        pages_read = self.runtime.iter_pages(LISTING, inputs, on_headers=self.clock.observe)
        for read, page in enumerate(pages_read, 1):
            self.budget -= 1
            got += _events(page)
            more = bool((page.get("pagination") or {}).get("next"))
            if more and pages is not None and read >= pages:
                return got, False
        return got, True

    def check_not_ahead(self, mark: datetime, read: list[Event], trigger: str) -> None:
        """A watermark ahead of the API's now is a state from the future (or another API):
        refused, since it would hold back every event until the API's clock passed it."""
        now = self.clock.now()
        if now is None:  # no Date header: the newest event, or the poller's clock
            now = max([_api_time(e) for e in read] + [self.clock.local()])
        if mark > now + states.AHEAD:  # AHEAD < OVERLAP: within it, nothing is missed
            raise states.TriggerStateError(
                f"is from the future: its watermark {states.format_time(mark)} is ahead of "
                f"the API's clock ({states.format_time(now)}); it was not written by a poll "
                "of this workspace", trigger)


def _hint(end: datetime | None, after: str | None) -> str | None:
    """`end` as a state keeps it, when it comes after the watermark `after`."""
    if end is None:
        return None
    text = states.format_time(end)
    if after and states.parse_time(text, "end") <= states.parse_time(after, "after"):
        return None  # what is left shares the watermark's own time
    return text


def _next_end(lo: datetime | None, upper: datetime | None, width: timedelta | None
              ) -> datetime | None:
    """The end of the next window from `lo`, before `upper`: `lo + width`, or half way
    (no width, or one that does not fall between); None when no window fits between
    (less than the trail's millisecond)."""
    if lo is None or upper is None or upper - lo <= MILLISECOND:
        return None
    if width is not None and lo + max(width, MILLISECOND) < upper:
        return lo + max(width, MILLISECOND)
    return lo + (upper - lo) / 2

def _events(page: Mapping[str, Any]) -> list[Event]:
    out = []
    for item in page.get("events") or []:
        if not (isinstance(item, dict) and isinstance(item.get("id"), str)):
            raise ResponseError(f"{LISTING}: an event without an id: {item!r:.200}")
        out.append(item)
    return out


def _oldest_first(events: Iterable[Event]) -> list[Event]:
    """Each event once (a page that shifted repeats some), oldest first; the trail's own
    order (newest first) breaks timestamp ties."""
    by_id: dict[str, tuple[datetime, Event]] = {}
    for event in events:
        if event["id"] not in by_id:
            by_id[event["id"]] = (_api_time(event), event)
    ordered = list(reversed(by_id.values()))
    return [event for _, event in sorted(ordered, key=lambda pair: pair[0])]


def _read_state(state: Mapping[str, Any], trigger: str
                ) -> tuple[str | None, dict[str, str], bool, datetime | None, str | None]:
    after, seen = state.get("after"), state.get("seen")
    behind, end, begun = state.get("behind", False), state.get("end"), state.get("start")
    if (after is not None and not isinstance(after, str)) or not isinstance(seen, dict) \
            or not all(isinstance(k, str) and isinstance(v, str) for k, v in seen.items()) \
            or not isinstance(behind, bool) \
            or not all(t is None or isinstance(t, str) for t in (end, begun)):
        raise states.TriggerStateError("is damaged: `after`, `end` and `start` must be times, "
                                       "`seen` an object of event ids and times and `behind` "
                                       "true or false", trigger)
    try:
        for moment in (after, end, begun, *seen.values()):
            if moment is not None:
                states.parse_time(moment, "state")
    except InputError as exc:
        raise states.TriggerStateError(f"is damaged: {exc.fields['state']}", trigger) from None
    until = states.parse_time(end, "state") if end else None
    if until is not None and (after is None or until <= states.parse_time(after, "state")):
        raise states.TriggerStateError("is damaged: `end` must come after `after`", trigger)
    return after, seen, behind, until, begun


def _api_time(event: Event) -> datetime:
    """An event's time as the API gave it; a ResponseError when it has none."""
    try:
        return states.parse_time(event.get("timestamp"), "timestamp")
    except ValueError:
        raise ResponseError(f"{LISTING}: event {event['id']!r} has no RFC 3339 timestamp: "
                            f"{event.get('timestamp')!r:.60}") from None
