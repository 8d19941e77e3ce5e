"""One poll of a trigger: inputs and state checked, the feed asked, the answer shaped."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

from connector.errors import InputError
from connector.triggers import state as states
from connector.validation import as_inputs, validate

if TYPE_CHECKING:
    from connector.runtime import Runtime


def poll(runtime: Runtime, key: str, inputs: Mapping[str, Any] | None,
         state: Mapping[str, Any] | None) -> dict[str, Any]:
    """`{"events": [...], "state": {...}}`: the events since `state`, oldest first.

    Inputs and state are checked before any request (InputError naming the field,
    or `state`); `since` is read only on a first poll (no state), on the poller's
    clock, and may not be in its future.
    """
    trigger = runtime.plugins.trigger(key)
    values = validate(trigger.all_inputs, as_inputs(inputs, trigger.key), trigger.key)
    if values.get("since"):
        since = states.parse_time(values["since"], "since", trigger.key)
        if since > datetime.now(UTC) + states.AHEAD:
            raise InputError({"since": f"{values['since']!r:.60} is in the future; a poll "
                                       "returns what happened from a past time on"},
                             trigger.key)
    prior = states.opened(state, trigger.key, trigger.feed.kind)
    limit = values.pop("maxEvents")  # validation fills in its default
    events, following = trigger.feed.poll(runtime, values, prior, limit, trigger.key)
    return {"events": events, "state": following}
