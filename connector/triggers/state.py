"""The opaque state a trigger hands back after each poll, and its checks.

A state is a JSON object the caller keeps (a flow engine stores it with the
flow) and passes back unchanged: `{"v": 1, "trigger": key, "feed": kind, ...}`
plus the feed's own fields. A state of another trigger, another version or
another shape is an input error naming `state`, raised before anything is sent.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import UTC, datetime, timedelta
from typing import Any

from connector.errors import InputError

VERSION = 1


class TriggerStateError(InputError):
    """The state passed to a poll is not one this trigger handed back."""

    kind = "trigger_state"

    def __init__(self, problem: str, trigger: str | None = None) -> None:
        super().__init__({"state": problem}, trigger)


def fresh(trigger: str, feed: str, **fields: Any) -> dict[str, Any]:
    return {"v": VERSION, "trigger": trigger, "feed": feed, **fields}


def opened(state: Any, trigger: str, feed: str) -> dict[str, Any] | None:
    """The state checked (None for a first poll); TriggerStateError when it is not ours."""
    if state is None or state == {}:
        return None
    if not isinstance(state, Mapping):
        raise TriggerStateError(f"must be the JSON object an earlier poll returned, "
                                f"not {type(state).__name__}", trigger)
    if state.get("v") != VERSION:
        raise TriggerStateError(f"has version {state.get('v')!r}; this connector reads "
                                f"version {VERSION}", trigger)
    if state.get("trigger") != trigger or state.get("feed") != feed:
        raise TriggerStateError(f"belongs to trigger {state.get('trigger')!r}, not "
                                f"{trigger!r}", trigger)
    return dict(state)


def parse_time(text: Any, field: str, trigger: str | None = None) -> datetime:
    """An RFC 3339 time, in UTC; an input error naming `field` otherwise (a time UTC
    cannot hold, such as year 1 at +05:00, included)."""
    try:
        moment = datetime.fromisoformat(str(text))
        return moment.astimezone(UTC) if moment.tzinfo else moment.replace(tzinfo=UTC)
    except (ValueError, OverflowError):
        raise InputError({field: f"{text!r:.60} is not an RFC 3339 date-time in range, e.g. "
                                 "2024-05-01T00:00:00Z"}, trigger) from None


def format_time(moment: datetime) -> str:
    """UTC, millisecond precision, a four-digit year and `Z`: the audit trail's own form."""
    return moment.astimezone(UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")


def before(moment: datetime, span: timedelta) -> datetime:
    """`moment - span`, or the earliest time there is when that would leave the calendar."""
    try:
        return moment - span
    except OverflowError:
        return datetime.min.replace(tzinfo=UTC)
