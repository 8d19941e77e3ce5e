"""`segment-connector simulator`: run the local Public API in the foreground.

Start-up problems (a corrupt or misshapen state file, a port in use, an option out of
range) end the command with one line on stderr and exit status 2.
"""

from __future__ import annotations

import argparse
import math
import shlex
import sys
from collections.abc import Callable
from typing import TYPE_CHECKING

from connector.connection import ENVIRONMENT
from connector.simulator.errors import SimulatorError
from connector.simulator.faults import MAX_LATENCY_MS, Faults

if TYPE_CHECKING:
    from connector.simulator.server import Simulator

USAGE_ERROR = 2  # as argparse uses for a bad option


def probability(text: str) -> float:
    """An argparse type: a number from 0 to 1."""
    try:
        value = float(text)
    except ValueError:
        value = math.nan
    if not 0.0 <= value <= 1.0:  # NaN fails too
        raise argparse.ArgumentTypeError(f"must be a probability from 0 to 1, not {text!r}")
    return value


def _whole(low: int, high: int | None, what: str) -> Callable[[str], int]:
    """An argparse type: a whole number from `low` to `high` (no upper bound if None)."""
    def parse(text: str) -> int:
        try:
            value = int(text)
        except ValueError:
            value = low - 1
        if value < low or (high is not None and value > high):
            raise argparse.ArgumentTypeError(f"must be {what}, not {text!r}")
        return value
    return parse


def positive(text: str) -> float:
    """An argparse type: a finite number above 0."""
    try:
        value = float(text)
    except ValueError:
        value = math.nan
    if not (math.isfinite(value) and value > 0):
        raise argparse.ArgumentTypeError(f"must be a number above 0, not {text!r}")
    return value


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--host", default="127.0.0.1", help="Interface to listen on.")
    parser.add_argument("--port", type=_whole(0, 65535, "a port from 0 to 65535"), default=0,
                        help="Port; 0 picks a free one.")
    parser.add_argument("--token", default=None,
                        help="Bearer token to accept (never written to the state file). When "
                             "omitted: the token the state file keeps, else a new sgp_ token, "
                             "kept there for the next start.")
    parser.add_argument("--seed", type=int, default=0, help="Seed for ids and faults.")
    parser.add_argument("--state-file", default=None,
                        help="JSON file to load at start; every write is saved to it before "
                             "it is acknowledged, and it keeps the token, so a restart on it "
                             "accepts the same one (owner-only, replaced atomically).")
    parser.add_argument("--rate-limit", type=_whole(1, None, "a whole number above 0"),
                        default=None,
                        help="Default requests per minute per token (default: unlimited).")
    parser.add_argument("--time-scale", type=positive, default=1.0,
                        help="Multiplier for rate-limit windows (0.01: a minute lasts 0.6 s).")
    parser.add_argument("--fault-5xx", type=probability, default=0.0,
                        help="Probability of a 503 before the request is handled.")
    parser.add_argument("--fault-429", type=probability, default=0.0,
                        help="Probability of a spurious 429.")
    parser.add_argument("--latency-ms", default=0,
                        type=_whole(0, MAX_LATENCY_MS, f"from 0 to {MAX_LATENCY_MS}"),
                        help="Delay added to every request.")
    parser.add_argument("--drop-rate", type=probability, default=0.0,
                        help="Probability of closing the connection without an answer.")


def run(args: argparse.Namespace) -> int:
    from connector.simulator.server import Simulator

    try:
        faults = Faults(error_5xx=args.fault_5xx, error_429=args.fault_429,
                        latency_ms=args.latency_ms, drop_connection=args.drop_rate)
        sim = Simulator(host=args.host, port=args.port, token=args.token, seed=args.seed,
                        state_file=args.state_file, rate_limit=args.rate_limit,
                        time_scale=args.time_scale, faults=faults)
    except (SimulatorError, ValueError) as exc:
        return _fail(exc)

    def ready(sim: Simulator) -> None:
        # The token is the simulator's own, made for it: showing it is the point.
        print(f"Segment API simulator listening on {sim.base_url}", flush=True)
        print(f"Token: {sim.token}", flush=True)
        print("Point the segment-connector CLI at it (in another shell):", flush=True)
        for line in export_lines(sim):
            print(f"  {line}", flush=True)
        print("Press Ctrl-C to stop.", flush=True)

    try:
        sim.serve_forever(on_ready=ready)
    except SimulatorError as exc:
        return _fail(exc)
    print("Simulator stopped.", file=sys.stderr, flush=True)
    return 0


def export_lines(sim: Simulator) -> list[str]:
    """The shell lines that point the CLI at `sim` (the variables connector.connection
    reads), quoted for a POSIX shell."""
    values = {ENVIRONMENT["token"]: sim.token, ENVIRONMENT["base_url"]: sim.base_url}
    return [f"export {name}={shlex.quote(value)}" for name, value in values.items()]


def _fail(exc: Exception) -> int:
    print(f"error: {exc}", file=sys.stderr, flush=True)
    return USAGE_ERROR


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="segment-simulator", description=__doc__)
    add_arguments(parser)
    return run(parser.parse_args(argv))


if __name__ == "__main__":
    raise SystemExit(main())
