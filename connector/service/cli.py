"""`segment-connector serve`: run the HTTP service in the foreground.

Settings come from the flags, the `--config` file and the environment (see
`settings`). A setting that cannot work (a bad config file, a public address
with no service keys, a port in use) ends the command with one line on stderr
and exit status 2; keys and tokens are never printed, only counted.
"""

from __future__ import annotations

import argparse
import contextlib
import dataclasses
import json
import os
import socket
import sys
from collections.abc import Iterator
from typing import Any

from connector.errors import InputError
from connector.redact import redact

USAGE_ERROR = 2
ENV = "SEGMENT_CONNECTOR_SERVE"  # settings handed to worker processes (no secrets)


def _port(text: str) -> int:
    if not (text.isascii() and text.isdigit()) or not 1 <= int(text) <= 65535:
        raise argparse.ArgumentTypeError(f"must be a port from 1 to 65535, not {text!r}")
    return int(text)


def _workers(text: str) -> int:
    if not (text.isascii() and text.isdigit()) or not 1 <= int(text) <= 64:
        raise argparse.ArgumentTypeError(f"must be a whole number from 1 to 64, not {text!r}")
    return int(text)


def add_arguments(p: argparse.ArgumentParser) -> None:
    p.description = ("Serve the connector over HTTP (/v1: manifest, run, dry-run, items, "
                     "picklists, check; /docs; the playground at /).")
    p.add_argument("--host", default="127.0.0.1",
                   help="interface to listen on (default 127.0.0.1; any other needs "
                        "service keys)")
    p.add_argument("--port", type=_port, default=8000, help="port (default 8000)")
    p.add_argument("--workers", type=_workers, default=1,
                   help="worker processes (default 1; rate limits are kept per process "
                        "unless --redis is given)")
    p.add_argument("--redis", metavar="URL",
                   help="keep rate limits on this Redis (no password here: `ps` shows it), "
                        "shared by every worker and every service instance (needs the "
                        "distributed extra; default: the config's [service] redis, else "
                        "$SEGMENT_CONNECTOR_REDIS_URL)")
    p.add_argument("--config", metavar="FILE",
                   help="TOML file: [service] keys, base_url, body_limit; [profiles.NAME] "
                        "(default: $SEGMENT_CONNECTOR_CONFIG if set)")
    p.add_argument("--base-url", help="send every call here instead of the region's host "
                                      "(default: the config's, else $SEGMENT_BASE_URL)")
    p.add_argument("--simulator", action="store_true",
                   help="start the embedded simulator and send every call there; calls "
                        "without credentials use its token (a playground with no token)")
    p.add_argument("--allow-host", action="append", metavar="NAME[:PORT]", dest="hosts",
                   help="also answer requests for this host name, and pages of this origin "
                        "(repeatable; default: only 127.0.0.1, localhost, [::1] and the "
                        "address called; the config's [service] hosts add to it)")
    p.add_argument("--debug", action="store_true",
                   help="log each API request and response (secrets masked)")
    p.add_argument("--read-only", action="store_true",
                   help="refuse every write, whatever the credentials: a read policy over "
                        "every token, profile and key")
    p.add_argument("--log-format", choices=("text", "json"), default="text",
                   help="text lines, or one JSON object a record (secrets masked)")


def settings_from(args: argparse.Namespace, simulator: dict[str, str] | None = None) -> Any:
    from connector.distributed.app import url_argument
    from connector.service import settings

    config = args.config or os.environ.get("SEGMENT_CONNECTOR_CONFIG") or None
    loaded = settings.load(config, host=args.host, port=args.port, workers=args.workers,
                           base_url=args.base_url, debug=args.debug or None,
                           redis=url_argument(getattr(args, "redis", None), "service"),
                           hosts=getattr(args, "hosts", None),
                           read_only=getattr(args, "read_only", False) or None)
    if simulator is not None:
        profiles = {**loaded.profiles, "simulator": simulator}
        loaded = dataclasses.replace(loaded, base_url=simulator["base_url"],
                                     profiles=profiles, default_profile="simulator")
    return loaded


def run(args: argparse.Namespace) -> int:
    from connector.service.settings import open_proxy_problem

    if args.simulator and args.base_url:
        return _fail("--simulator and --base-url both say where calls go: give one")
    try:
        settings = settings_from(args)
    except InputError as exc:
        return _fail(str(exc))
    problem = open_proxy_problem(settings)
    if problem:
        return _fail(problem)
    sim = None
    simulator: dict[str, str] | None = None
    if args.simulator:
        from connector.simulator import Simulator

        sim = Simulator().start()
        simulator = {"token": sim.token, "base_url": sim.base_url}
        settings = settings_from(args, simulator)
    try:
        return _serve(args, settings, simulator)
    finally:
        if sim is not None:
            sim.stop()


def _serve(args: argparse.Namespace, settings: Any, simulator: dict[str, str] | None) -> int:
    import uvicorn

    from connector.service.limits import limits_for, server_options
    from connector.service.logs import log_config

    try:  # a port in use or an address not ours: one line, before anything starts
        sock = listening_socket(args.host, args.port)
    except OSError as exc:
        return _fail(f"cannot listen on {args.host}:{args.port}: {exc.strerror or exc}")
    print(f"segment-connector serve: {settings.describe()}", file=sys.stderr, flush=True)
    if simulator is not None:
        print(f"simulator at {simulator['base_url']}: calls without credentials use it",
              file=sys.stderr, flush=True)
    level = "debug" if args.debug else "info"
    options: dict[str, Any] = {"log_config": log_config(level, args.log_format),
                               "timeout_graceful_shutdown": 10, "backlog": 2048}
    if args.workers > 1:
        options.update(server_options(None))  # each worker sets its own limits
        from connector.metrics import share_between_processes

        share_between_processes()  # /metrics in any worker sums every worker's counts
        sock.close()  # uvicorn binds again in the parent and shares it with the workers
        # Each worker reads the settings again: only where they come from is handed on.
        os.environ[ENV] = json.dumps({"args": {k: getattr(args, k, None) for k in (
            "host", "port", "workers", "config", "base_url", "debug", "redis", "read_only",
            "hosts", "log_format")},
            "simulator": simulator})
        with _stopped_by_signal():
            uvicorn.run(f"{__name__}:app_from_environment", factory=True, host=args.host,
                        port=args.port, workers=args.workers, **options)
        return 0
    from connector.service.app import create_app

    limits = limits_for(settings.header_timeout, settings.max_connections)
    server = uvicorn.Server(uvicorn.Config(create_app(settings), **options,
                                           **server_options(limits)))
    with _stopped_by_signal():
        server.run(sockets=[sock])
    return 0


@contextlib.contextmanager
def _stopped_by_signal() -> Iterator[None]:
    """A stop by SIGINT or SIGTERM, after uvicorn's graceful shutdown, is a clean exit:
    uvicorn raises the signal again once done, which the CLI turns into an interrupt."""
    with contextlib.suppress(KeyboardInterrupt):
        yield


def listening_socket(host: str, port: int) -> socket.socket:
    """A TCP socket bound to `host:port` (IPv6 when the host is), ready for uvicorn."""
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    # IPPROTO_TCP named: asyncio sets TCP_NODELAY only on sockets that say they are TCP,
    # and without it every small answer waits out the client's delayed ACK (40 ms).
    sock = socket.socket(family, socket.SOCK_STREAM, socket.IPPROTO_TCP)
    try:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        sock.bind((host.strip("[]"), port))
    except OSError:
        sock.close()
        raise
    return sock


def app_from_environment() -> Any:
    """The app of one worker process (`--workers N`), from the settings the parent handed on."""
    from connector.service.app import create_app
    from connector.service.limits import configure, limits_for

    given = json.loads(os.environ[ENV])
    args = argparse.Namespace(**given["args"])
    settings = settings_from(args, given["simulator"])
    configure(limits_for(settings.header_timeout, settings.max_connections))
    return create_app(settings)


def _fail(message: str) -> int:
    print(f"error: {redact(message)}", file=sys.stderr, flush=True)
    return USAGE_ERROR
