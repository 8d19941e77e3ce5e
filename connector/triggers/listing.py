"""Triggers that diff a listing, for resources that leave no audit event.

Each poll reads the whole listing and compares it with the state: ids not
seen before are `created`; with `changes` on, a known id whose fingerprint
(a hash of the whole item) moved is `changed`. An id the
state knows stays known while it is missing from a read, since a page that
shifted can hide it: it is forgotten only after a read that was provably
whole (as many distinct ids as the listing's `totalEntries`, on the first
page and the last). An event not returned (over the poll's limit) is not
marked known, so it comes in the next poll.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

from connector.triggers import state as states

if TYPE_CHECKING:
    from connector.runtime import Runtime

Event = dict[str, Any]


@dataclass(frozen=True)
class ListingFeed:
    """Created (and, with `changes`, changed) items of the listing `action`.

    `resource` names the kind in events (`function`); `each` runs the listing
    once per value of an input left blank (every function type, say).
    """

    action: str
    resource: str
    label: str  # "Function": events are "Function Created" and "Function Modified"
    changes: bool = False
    each: tuple[str, tuple[str, ...]] | None = None
    page_size: int = 200
    kind: str = "listing"

    def poll(self, runtime: Runtime, values: Mapping[str, Any], state: Mapping[str, Any] | None,
             limit: int, trigger: str) -> tuple[list[Event], dict[str, Any]]:
        items, whole = self._read(runtime, values)
        if state is None:  # what is there already is known, but what `since` asks for
            since = values.get("since")
            floor = states.parse_time(since, "since", trigger) if since else None
            known = {ident: fp for ident, (fp, item) in items.items()
                     if floor is None or _when(item, "createdAt") < floor}
            if floor is None:
                return [], states.fresh(trigger, self.kind, known=known)
        else:
            known = _read_state(state, trigger)
        events: list[Event] = []
        for ident, (fp, item) in items.items():
            if ident not in known:
                events.append(self._event(ident, fp, item, "Created"))
            elif self.changes and known[ident] != fp:
                events.append(self._event(ident, fp, item, "Modified"))
        events.sort(key=lambda e: states.parse_time(e["timestamp"], "timestamp"))
        events = events[:limit]
        if whole and len(events) < limit:  # nothing hidden: drop what is gone
            known = {i: fp for i, fp in known.items() if i in items}
        known.update((e["resourceId"], e["fingerprint"]) for e in events)
        for event in events:
            del event["fingerprint"]
        return events, states.fresh(trigger, self.kind, known=known)

    def _read(self, runtime: Runtime, values: Mapping[str, Any]
              ) -> tuple[dict[str, tuple[str, Any]], bool]:
        """{id: (fingerprint, item)} of every item, and whether the read was whole."""
        items: dict[str, tuple[str, Any]] = {}
        whole = True
        for inputs in self._listings(values):
            ids_before = len(items)
            totals: list[Any] = []
            for page in runtime.iter_pages(self.action, {**inputs, "count": self.page_size}):
                totals.append((page.get("pagination") or {}).get("totalEntries"))
                for item in page.get(self._items(runtime), []) or []:
                    if isinstance(item, dict) and isinstance(item.get("id"), str):
                        items.setdefault(item["id"], (_fingerprint(item), item))
            read = len(items) - ids_before
            whole = whole and bool(totals) and totals[0] == totals[-1] == read
        return items, whole

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

    def _event(self, ident: str, fp: str, item: Any, change: str) -> Event:
        stamp = item.get("updatedAt" if change == "Modified" else "createdAt")
        when = _when(item, "updatedAt" if change == "Modified" else "createdAt")
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


def _when(item: Mapping[str, Any], field: str) -> datetime:
    """The item's own time, else now (a listing without times is seen as it is read)."""
    try:
        return states.parse_time(item[field], field)
    except (KeyError, ValueError):
        return datetime.now(UTC)


def _read_state(state: Mapping[str, Any], trigger: str) -> dict[str, str]:
    known = state.get("known")
    if not isinstance(known, dict) or \
            not all(isinstance(k, str) and isinstance(v, str) for k, v in known.items()):
        raise states.TriggerStateError("is damaged: `known` must be an object of ids and "
                                       "fingerprints", trigger)
    return dict(known)
