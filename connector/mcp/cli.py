"""`segment-connector mcp`: the MCP server over stdio, for a client that starts it.

The connection comes from the environment or a profile, as for `run`
(`--token` is left out: a command line is visible to other users); the
profile's policy holds, `--read-only` adds a read policy over it. Stdout
carries the protocol alone: every log line goes to stderr.
"""

from __future__ import annotations

import argparse
from typing import Any

from connector.connection import REGIONS


def add_arguments(p: argparse.ArgumentParser) -> None:
    p.description = ("Serve every action as MCP tools over stdio: a few meta-tools "
                     "(search, describe, run, dry run, picklist, poll) by default, or the "
                     "actions of some areas with --toolsets.")
    p.add_argument("--toolsets", metavar="AREAS",
                   help="list these areas' actions as tools (comma-separated, e.g. "
                        "sources,destinations; all: every action) instead of the meta-tools")
    p.add_argument("--read-only", action="store_true",
                   help="refuse every write whatever the profile's policy allows")
    p.add_argument("--profile", help="named profile of the config file: its token, region, "
                   "base URL and policy (default: the environment, SEGMENT_API_TOKEN)")
    p.add_argument("--region", choices=REGIONS, help="API region: api (US) or eu1.api (EU)")
    p.add_argument("--base-url", help="send requests here instead: a simulator or proxy")
    p.add_argument("--max-bytes", type=int, default=None, metavar="N",
                   help="largest answer a tool gives, in bytes (default 50000); a listing "
                        "past it is cut and resumable")
    p.add_argument("--strict-plugins", action="store_true",
                   help="fail when a third-party plugin cannot be loaded")


def run(args: argparse.Namespace) -> int:
    # Without the extra, the CLI's _delegate names it and how to install it.
    import anyio
    from mcp.server.stdio import stdio_server

    server = build(args)

    async def serve() -> None:
        async with stdio_server() as (read, write):
            await server.run(read, write, server.create_initialization_options())

    anyio.run(serve)
    return 0


def build(args: argparse.Namespace) -> Any:
    """The SDK's server for these options; InputError naming the option at fault."""
    from connector.connection import Connection
    from connector.errors import InputError
    from connector.mcp import answers, tools
    from connector.mcp.server import FixedGateway, ToolServer
    from connector.policy import READ_ONLY, load_profile_policy
    from connector.redact import current
    from connector.registry import Registry
    from connector.runtime import Runtime

    registry = Registry.load(strict=args.strict_plugins)
    conn = Connection.resolve(None, args.region, args.base_url, args.profile)
    current().add(conn.token)
    access = [p for p in (load_profile_policy(args.profile) if args.profile else None,
                          READ_ONLY if args.read_only else None) if p is not None]
    areas = None
    if args.toolsets is not None:
        names = [n for n in args.toolsets.split(",") if n.strip()]
        if not names:
            raise InputError({"--toolsets": "name at least one area, or all"})
        areas = tools.select_areas(registry, [n.strip() for n in names])
    max_bytes = answers.DEFAULT_MAX_BYTES if args.max_bytes is None else args.max_bytes
    if max_bytes < answers.MIN_MAX_BYTES:
        raise InputError({"--max-bytes": f"must be at least {answers.MIN_MAX_BYTES}"})
    runtime = Runtime(conn, registry=registry, access=access)
    return ToolServer(FixedGateway(runtime), areas, max_bytes).build()
