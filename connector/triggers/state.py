"""The opaque state a trigger hands back after each poll, and its checks.

A state is a JSON object the caller keeps (a flow engine stores it with the
flow) and passes back unchanged: `{"v": 1, "trigger": key, "feed": kind, ...}`
plus the feed's own fields. A state that is empty (`{}`), of another trigger,
another version or another shape is an input error naming `state`, raised before
anything is sent: never a silent fresh start, which would lose what happened
since. A first poll passes no state (None, JSON null).

Times the API stamps are compared with the API's clock, never the poller's:
`ApiClock` reads it off each answer's `Date` header.
"""

from __future__ import annotations

import email.utils
from collections.abc import Callable, Mapping
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
    if state is None:
        return None
    if not isinstance(state, Mapping):
        raise TriggerStateError(f"must be the JSON object an earlier poll returned, "
                                f"not {type(state).__name__}", trigger)
    if not state:
        raise TriggerStateError("is empty ({}): pass the state the last poll returned, or "
                                "none (null) for a first poll that starts from now", trigger)
    if "v" not in state or "trigger" not in state:
        fields = ", ".join(sorted(map(str, state)))
        raise TriggerStateError(f"is not a trigger state (it has {fields:.80}; a state has "
                                "`v` and `trigger`)", trigger)
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


# How far a time may be ahead of the clock it is read on (the API's servers, or the
# poller and the user, disagree by less); further is from the future, refused.
AHEAD = timedelta(minutes=1)
# Clock differences below this are within the `Date` header's one-second resolution and the
# time an answer takes: they are read as none.
SKEW_RESOLUTION = timedelta(seconds=2)


class ApiClock:
    """The API's time, read off the `Date` header of the first answer that has one.

    `skew` is the API's clock less the poller's (None until an answer says), so
    a time on the poller's clock (a `since` input) can be put on the API's.
    """

    def __init__(self, local: Callable[[], datetime] | None = None) -> None:
        self.local = local or (lambda: datetime.now(UTC))
        self.skew: timedelta | None = None

    def observe(self, headers: Mapping[str, str]) -> None:
        if self.skew is not None:
            return
        try:
            told = email.utils.parsedate_to_datetime(headers.get("Date") or "")
        except (TypeError, ValueError, IndexError):
            return  # no usable Date: the API's clock stays unknown
        if told.tzinfo is None:
            told = told.replace(tzinfo=UTC)
        skew = told - self.local()
        self.skew = skew if abs(skew) >= SKEW_RESOLUTION else timedelta(0)

    def now(self) -> datetime | None:
        """The API's time now; None when no answer gave it."""
        return None if self.skew is None else self.local() + self.skew

    def to_api(self, moment: datetime) -> datetime:
        """A time on the poller's clock, on the API's (unchanged while the skew is unknown)."""
        return moment + self.skew if self.skew else moment
