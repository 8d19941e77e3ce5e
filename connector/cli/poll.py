"""`poll`: a trigger's new events as JSON lines, its state kept in a file between polls.

Each poll prints its events, one JSON object a line, flushes them, and only
then replaces the state file (atomically, owner-only): a crash in between
repeats those events on the next poll, it never loses one. A lock beside the
state file (`FILE.lock`) stops two pollers from sharing one state. With
`--watch SECONDS` it polls until interrupted; a failure that a later try may
cure (a timeout, a 5xx, a 429) is reported on stderr and the watch goes on.
"""

from __future__ import annotations

import argparse
import contextlib
import fcntl
import json
import os
import sys
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

from connector.cli.api_runtime import runtime_for
from connector.cli.inputs import parse_inputs, unreadable
from connector.cli.output import emit_line
from connector.errors import ConnectorError, InputError
from connector.files import write_atomically
from connector.redact import redact
from connector.registry import Registry

# Between polls of --watch; tests replace it.
sleep: Callable[[float], None] = time.sleep


def cmd_poll(args: argparse.Namespace, registry: Registry) -> int:
    trigger = registry.trigger(args.key)
    args.key = trigger.key
    values = parse_inputs(args.input, args.input_json, trigger.all_inputs, trigger.key)
    path = Path(args.state)
    runtime = runtime_for(args, registry)
    with _locked(path):
        state = read_state(path)
        while True:
            try:
                answer = runtime.poll(trigger.key, values, state)
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
                write_atomically(path, json.dumps(state, ensure_ascii=False) + "\n")
            if args.watch is None:
                return 0
            sleep(args.watch)


def read_state(path: Path) -> dict[str, Any] | None:
    """The saved state; None when the file is missing or empty (a first poll)."""
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        return None
    except (OSError, UnicodeDecodeError) as exc:
        raise InputError({"--state": unreadable(str(path), exc)}) from None
    if not text.strip():
        return None
    try:
        state = json.loads(text)
    except (ValueError, RecursionError):
        raise InputError({"--state": f"{path} is not a trigger state (not JSON); remove it "
                                     "to start from now"}) from None
    if not isinstance(state, dict):
        raise InputError({"--state": f"{path} is not a trigger state (not a JSON object)"})
    return state


@contextlib.contextmanager
def _locked(path: Path) -> Iterator[None]:
    lock = path.with_name(path.name + ".lock")
    try:
        fd = os.open(lock, os.O_RDWR | os.O_CREAT, 0o600)
    except OSError as exc:
        raise InputError({"--state": unreadable(str(lock), exc)}) from None
    try:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            raise InputError({"--state": f"{path} is in use by another poll "
                                         f"(it holds {lock})"}) from None
        yield
    finally:
        os.close(fd)
