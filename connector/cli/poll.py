"""`poll`: a trigger's new events as JSON lines, its state kept in a file between polls.

Each poll prints its events, one JSON object a line, flushes them, and only
then replaces the state file (atomically, owner-only): a crash in between
repeats those events on the next poll, it never loses one. The state file is
held by identity and locked on itself (`connector.cli.state_file`), so two
pollers never share one state, under one name or two. The first poll says on
stderr where it starts and how to read earlier events. With
`--watch SECONDS` it polls until interrupted; a failure that a later try may
cure (a timeout, a 5xx, a 429) is reported on stderr and the watch goes on.
"""

from __future__ import annotations

import argparse
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from connector.cli.api_runtime import runtime_for
from connector.cli.inputs import parse_inputs
from connector.cli.output import emit_line
from connector.cli.state_file import StateFile
from connector.errors import ConnectorError
from connector.redact import redact
from connector.registry import Registry
from connector.triggers.state import TriggerStateError

# Between polls of --watch; tests replace it.
sleep: Callable[[float], None] = time.sleep


def cmd_poll(args: argparse.Namespace, registry: Registry) -> int:
    trigger = registry.trigger(args.key)
    args.key = trigger.key
    values = parse_inputs(args.input, args.input_json, trigger.all_inputs, trigger.key)
    runtime = runtime_for(args, registry)
    with StateFile(Path(args.state), trigger.key) as held:
        state = held.read()
        if state is None:
            _first_poll_note(trigger.key, args.state, values.get("since"))
        while True:
            try:
                answer = runtime.poll(trigger.key, values, state)
            except TriggerStateError as exc:  # say which file holds it
                raise TriggerStateError(f"{args.state}: {exc.fields['state']}",
                                        trigger.key) from None
            except ConnectorError as exc:
                if args.watch is None or not exc.retryable:
                    raise
                print(f"error: {redact(str(exc))} (polling again in {args.watch:g}s)",
                      file=sys.stderr, flush=True)
            else:
                for event in answer["events"]:
                    emit_line(event)
                sys.stdout.flush()
                state = answer["state"]
                held.write(state)
            if args.watch is None:
                return 0
            sleep(args.watch)


def _first_poll_note(key: str, path: str, since: Any) -> None:
    """What a first poll returns, and how to get what it does not."""
    if since:
        print(f"{key}: first poll: events from {since} on; the state goes to {path}",
              file=sys.stderr, flush=True)
        return
    print(f"{key}: first poll: watching from now, so nothing that happened before is "
          f"returned; the state goes to {path}. For earlier events, poll with a new --state "
          "FILE and --input since=2024-05-01T00:00:00Z (any past time).",
          file=sys.stderr, flush=True)
