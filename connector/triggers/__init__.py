"""Polling triggers: what changed in the workspace since the last poll, each change once.

A trigger (`connector.spec.Trigger`) is stateless: a poll takes its inputs and
the opaque JSON state the previous poll returned (None the first time) and
answers `{"events": [...], "state": {...}}`, events oldest first. The caller
keeps the state (a flow engine stores it with the flow). No event comes twice
across polls and none is skipped, even when events share a timestamp or pages
shift while being read; the first poll starts from now unless given `since`.

Two feeds do the work: `AuditFeed` over the audit trail, and `ListingFeed`,
which diffs a listing for resources that leave no audit event.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from connector.connection import Connection
from connector.triggers.audit import AuditFeed
from connector.triggers.listing import ListingFeed
from connector.triggers.state import TriggerStateError

__all__ = ["AuditFeed", "ListingFeed", "TriggerStateError", "poll_trigger"]


def poll_trigger(key: str, inputs: Mapping[str, Any] | None = None,
                 state: Mapping[str, Any] | None = None,
                 connection: Connection | None = None, **options: Any) -> dict[str, Any]:
    """One poll of trigger `key` for flow engines; `options` are `Runtime`'s."""
    from connector.runtime import Runtime

    return Runtime(connection, **options).poll(key, inputs, state)
