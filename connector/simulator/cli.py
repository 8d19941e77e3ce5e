"""`segment-connector simulator`: run the local Public API in the foreground."""

from __future__ import annotations

import argparse
import sys

from connector.simulator.faults import Faults


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--host", default="127.0.0.1", help="Interface to listen on.")
    parser.add_argument("--port", type=int, default=0, help="Port; 0 picks a free one.")
    parser.add_argument("--token", default=None,
                        help="Bearer token to accept; a new sgp_ token when omitted.")
    parser.add_argument("--seed", type=int, default=0, help="Seed for ids and faults.")
    parser.add_argument("--state-file", default=None,
                        help="JSON file to load at start and save at exit.")
    parser.add_argument("--rate-limit", type=int, default=None,
                        help="Default requests per minute per token (default: unlimited).")
    parser.add_argument("--time-scale", type=float, default=1.0,
                        help="Multiplier for rate-limit windows (0.01: a minute lasts 0.6 s).")
    parser.add_argument("--fault-5xx", type=float, default=0.0,
                        help="Probability of a 503 before the request is handled.")
    parser.add_argument("--fault-429", type=float, default=0.0,
                        help="Probability of a spurious 429.")
    parser.add_argument("--latency-ms", type=int, default=0,
                        help="Delay added to every request.")
    parser.add_argument("--drop-rate", type=float, default=0.0,
                        help="Probability of closing the connection without an answer.")


def run(args: argparse.Namespace) -> int:
    from connector.simulator.server import Simulator

    faults = Faults(error_5xx=args.fault_5xx, error_429=args.fault_429,
                    latency_ms=args.latency_ms, drop_connection=args.drop_rate)
    sim = Simulator(host=args.host, port=args.port, token=args.token, seed=args.seed,
                    state_file=args.state_file, rate_limit=args.rate_limit,
                    time_scale=args.time_scale, faults=faults)

    def ready(sim: Simulator) -> None:
        # The token is the simulator's own, made for this run: showing it is the point.
        print(f"Segment API simulator listening on {sim.base_url}", flush=True)
        print(f"Token: {sim.token}", flush=True)
        print("Press Ctrl-C to stop.", flush=True)

    sim.serve_forever(on_ready=ready)
    print("Simulator stopped.", file=sys.stderr, flush=True)
    return 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="segment-simulator", description=__doc__)
    add_arguments(parser)
    return run(parser.parse_args(argv))


if __name__ == "__main__":
    raise SystemExit(main())
