"""The Runtime a command calls the API through, built from the command line's options."""

from __future__ import annotations

import argparse
import math
import sys
from typing import TYPE_CHECKING

from connector.connection import Connection
from connector.redact import current, redact
from connector.registry import Registry

if TYPE_CHECKING:  # the runtime itself loads only when a command calls the API
    from connector.runtime import Runtime


def runtime_for(args: argparse.Namespace, registry: Registry) -> Runtime:
    from connector.policy import load_profile_policy
    from connector.retry import RetryPolicy
    from connector.runtime import Runtime

    conn = Connection.resolve(args.token, args.region, args.base_url, args.profile)
    current().add(conn.token)  # a profile's token too, for what the command prints
    policy = RetryPolicy().with_(timeout_s=args.timeout, deadline_s=args.deadline)
    # The profile's rules hold whatever else the command line gives.
    access = load_profile_policy(args.profile) if args.profile else None
    # Long waits say why the command sits still, to a person watching a terminal only.
    on_wait = wait_notice if stderr_is_terminal() else None
    from connector.tracing import from_environment  # traces when OTEL_* asks for them

    return Runtime(conn, registry=registry, policy=policy, debug=args.debug, on_wait=on_wait,
                   access=access, events=[o for o in (from_environment(),) if o is not None])


def stderr_is_terminal() -> bool:
    try:
        return sys.stderr.isatty()
    except (AttributeError, ValueError):  # replaced or closed stream
        return False


def wait_notice(seconds: float, reason: str) -> None:
    """One line on stderr before a long wait (a 429 back-off, rate-limit pacing).

    A rate-limit wait is the normal pace of a run, not a failure: it says so.
    """
    then = ("for the rate limit, then going on" if reason.startswith("rate limit")
            else "then trying again")
    print(f"waiting {math.ceil(seconds)}s {then} ({redact(reason)})", file=sys.stderr,
          flush=True)
