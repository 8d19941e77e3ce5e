"""`segment-connector worker`: a Celery worker that runs the connector's tasks.

    segment-connector worker --redis redis://127.0.0.1:6379/0 --concurrency 4

Each worker resolves credential references (profile names) from its own
configuration file (`SEGMENT_CONNECTOR_CONFIG` or the default path) and paces
every call with the rate limit shared on Redis. Every worker of a fleet must
be given the same `--rate-scale` (1 against the real API). Retries are kept
within one budget shared on Redis by the whole fleet, and each process keeps
a circuit per API host. `--metrics-port` serves Prometheus metrics (with the
prefork pool, every child's, through the library's multiprocess mode).

A worker refuses to start on a Redis that may lose what the runs keep there
(no append-only file, or an evicting `maxmemory-policy`), and looks again
before writes while it runs (`durability`), unless `--accept-redis-data-loss`
says to go on. Lost connections to Redis are retried; the worker exits non-zero
only when it cannot go on.
"""

from __future__ import annotations

import argparse
from typing import Any

from connector.redact import get_logger

log = get_logger("segment_connector.distributed")


def add_arguments(p: argparse.ArgumentParser) -> None:
    p.description = __doc__.splitlines()[0] if __doc__ else None
    p.add_argument("--redis", metavar="URL", default=None,
                   help="broker, results and shared rate limit, without a password "
                        "(default: $SEGMENT_CONNECTOR_REDIS_URL, else [distributed] redis "
                        "of the config file, else redis://127.0.0.1:6379/0)")
    p.add_argument("--concurrency", type=int, default=1, metavar="N",
                   help="tasks run at once by this worker (default: 1)")
    p.add_argument("--pool", choices=("prefork", "solo", "threads"), default="prefork",
                   help="how tasks run: child processes (default), in the worker itself, "
                        "or threads")
    p.add_argument("--rate-scale", type=float, default=1.0, metavar="FACTOR",
                   help="scale the rate-limit periods, for a simulator run with "
                        "--time-scale (default: 1)")
    p.add_argument("--hostname", metavar="NAME", default=None,
                   help="the worker's node name (default: celery@<host>)")
    p.add_argument("--accept-redis-data-loss", action="store_true",
                   help="send writes even on a Redis that may lose the runs' bookkeeping "
                        "(no append-only file, or evicting keys): a restart or an eviction "
                        "then leaves lines unknown or not run (never sent twice)")
    p.add_argument("--loglevel", default="warning",
                   choices=("debug", "info", "warning", "error"),
                   help="Celery's log level (default: warning)")
    p.add_argument("--log-format", choices=("text", "json"), default="text",
                   help="text lines, or one JSON object a record (secrets masked)")
    p.add_argument("--metrics-port", type=int, default=None, metavar="PORT",
                   help="serve Prometheus metrics at http://HOST:PORT/metrics")
    p.add_argument("--metrics-host", default="127.0.0.1", metavar="HOST",
                   help="interface the metrics listen on (default: 127.0.0.1)")
    from connector.reliability import add_arguments as guard_arguments

    guard_arguments(p)


def run(args: argparse.Namespace) -> int:
    import celery  # noqa: F401  # a missing extra is said before Redis is tried

    from connector.distributed import tasks
    from connector.distributed.app import QUEUE, make_app, url_argument
    from connector.distributed.durability import Guard
    from connector.distributed.presence import announced
    from connector.errors import InputError

    if args.concurrency < 1:
        raise InputError({"--concurrency": f"must be 1 or more, not {args.concurrency}"})
    if not args.rate_scale > 0:
        raise InputError({"--rate-scale": f"must be above 0, not {args.rate_scale}"})
    url_argument(args.redis)
    from connector.logformat import configure
    from connector.reliability import from_arguments

    tasks.settings.guards = from_arguments(args)
    configure(args.log_format, args.loglevel,
              ("segment_connector", "celery") if args.log_format == "json"
              else ("segment_connector",))
    if args.metrics_port is not None:
        tasks.settings.metrics = _serve_metrics(args)
    # Loaded before the first task (and before prefork's children fork, who inherit it):
    # a task's time is its call's, not the plugins' start-up.
    from connector.registry import default_registry

    default_registry()
    tasks.settings.redis_url = args.redis
    tasks.settings.rate_scale = args.rate_scale
    tasks.settings.guard = Guard(accept_loss=args.accept_redis_data_loss)
    refuse_unsafe_redis(tasks.redis_client(), tasks.settings.guard)
    app = make_app(args.redis)
    argv = ["worker", f"--pool={args.pool}", f"--concurrency={args.concurrency}",
            f"--loglevel={args.loglevel.upper()}", "--queues", QUEUE,
            "--without-gossip", "--without-mingle", "--without-heartbeat"]
    if args.hostname:
        argv += ["--hostname", args.hostname]
    with announced(tasks.redis_client(), args.hostname or tasks.worker_id()):
        return celery_main(app, argv)


def celery_main(app: Any, argv: list[str]) -> int:
    """Run Celery's command line on `app`; its exit status (`app.worker_main` drops it,
    so a worker stopped by an unrecoverable error would exit 0)."""
    from celery.bin.celery import celery

    celery.params[0].default = app
    try:
        return int(celery.main(args=argv, standalone_mode=False) or 0)
    finally:
        celery.params[0].default = None


def refuse_unsafe_redis(client: Any, guard: Any) -> None:
    """At start: an InputError naming the flag when Redis may lose data and the operator
    has not accepted it. A Redis not reachable yet is checked before the first write."""
    import redis

    from connector.distributed.durability import ACCEPT_FLAG
    from connector.errors import InputError

    try:
        verdict = guard.verdict(client)
    except redis.RedisError as exc:
        log.warning("Redis cannot be reached yet (%s); its settings are checked before "
                    "the first write", type(exc).__name__)
        return
    if not verdict.safe and not guard.accept_loss:
        raise InputError({ACCEPT_FLAG: f"not given, and Redis may lose the runs' "
                          f"bookkeeping: {verdict.describe()}. Turn on its append-only "
                          "file (appendonly yes) and set maxmemory-policy noeviction, or "
                          f"start with {ACCEPT_FLAG} to accept the risk"})


def _serve_metrics(args: argparse.Namespace) -> object:
    """Metrics for every task of this worker, served on their own port."""
    from connector.errors import InputError

    if not 1 <= args.metrics_port <= 65535:
        raise InputError({"--metrics-port": f"must be a port from 1 to 65535, not "
                          f"{args.metrics_port}"})
    from connector.metrics import Metrics, share_between_processes

    if args.pool == "prefork":
        share_between_processes()  # before prometheus-client loads: the children count there
    from prometheus_client import start_http_server

    metrics = Metrics()
    served = metrics.collected()
    try:
        start_http_server(args.metrics_port, args.metrics_host, registry=served)
    except OSError as exc:
        raise InputError({"--metrics-port": f"cannot listen on {args.metrics_host}:"
                          f"{args.metrics_port}: {exc.strerror or exc}"}) from None
    return metrics
