"""`segment-connector legacy run|explain|scan`: Config API calls on the Public API."""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Any

from connector.errors import InputError


def add_arguments(parser: argparse.ArgumentParser) -> None:
    from connector.cli.arguments import _api_options
    from connector.cli.help_text import connection_now

    parser.description = ("Run legacy Config API (platform.segmentapis.com/v1beta) calls "
                          "unchanged on the Public API, explain what each becomes, or find "
                          "them in scripts.")
    sub = parser.add_subparsers(dest="legacy_command", required=True, metavar="COMMAND")
    s = sub.add_parser("run", help="answer one Config API call in the Config API's shape",
                       description="Translate one Config API call into Public API actions, "
                                   "run them, and print the answer in the Config API's shape.")
    s.add_argument("method", help="GET, POST, PUT, PATCH or DELETE")
    s.add_argument("path", help="Config API path or URL, e.g. /v1beta/workspaces/my-ws/sources")
    s.add_argument("--body", metavar="JSON", help="request body: JSON text, - for stdin or "
                   "@FILE; prefer - or @FILE for a body holding secrets (a command line is "
                   "visible to other local users)")
    s.add_argument("--dry-run", action="store_true",
                   help="print the Public API requests it would send (token masked), send "
                        "nothing; ids a lookup would find show as <placeholders>")
    _api_options(s, connection_now(None))
    s = sub.add_parser("explain", help="print the plan of a Config API call; sends nothing",
                       description="The Public API actions, field mapping and dropped fields "
                                   "of a Config API call, from the mapping table alone.")
    s.add_argument("method", nargs="?", help="GET, POST, PUT, PATCH or DELETE")
    s.add_argument("path", nargs="?", help="Config API path, e.g. /v1beta/workspaces/ws/sources")
    s.add_argument("--all", action="store_true", help="every endpoint of the table")
    s.add_argument("--json", action="store_true", help="print JSON instead of text")
    s = sub.add_parser("scan", help="find Config API calls in files and their replacements",
                       description="Find Config API calls (URLs, curl lines, HTTP client "
                                   "calls, the segment-config-api and "
                                   "@perspective-software/segment-api client libraries) in "
                                   "shell, Python, JavaScript and JSON files and list each "
                                   "with its Public API replacement.")
    s.add_argument("files", nargs="+", metavar="FILE")
    s.add_argument("--json", action="store_true", help="print JSON instead of text")


def run(args: argparse.Namespace) -> int:
    return int({"run": _run, "explain": _explain, "scan": _scan}[args.legacy_command](args))


def _body(text: str | None) -> Any:
    if text is None:
        return None
    if text == "-":
        raw = sys.stdin.read()
    elif text.startswith("@"):
        try:
            raw = Path(text[1:]).read_text("utf-8")
        except (OSError, UnicodeDecodeError) as exc:
            raise InputError({"body": f"{text[1:]} cannot be read: "
                                      f"{getattr(exc, 'strerror', None) or exc}"},
                             "legacy") from None
    else:
        raw = text
    try:
        body = json.loads(raw)
    except json.JSONDecodeError as exc:
        raise InputError({"body": f"is not valid JSON: line {exc.lineno} column {exc.colno}: "
                                  f"{exc.msg}"}, "legacy") from None
    if not isinstance(body, dict):
        raise InputError({"body": "must be a JSON object"}, "legacy")
    return body


def _run(args: argparse.Namespace) -> int:
    from connector.cli.api_runtime import runtime_for
    from connector.cli.output import emit
    from connector.legacy.plan import Bridge
    from connector.registry import Registry

    body = _body(args.body)  # read and checked before the connection is resolved
    bridge = Bridge(runtime_for(args, Registry.load()))
    result, plan = bridge.call(args.method, args.path, body, dry=args.dry_run)
    if args.dry_run:
        emit({"endpoint": f"{args.method.upper()} {plan.endpoint.path}",
              "requests": [s["request"] for s in plan.steps], "warnings": plan.warnings})
    else:
        emit(result)
    return 0


def _explain(args: argparse.Namespace) -> int:
    from connector.cli.output import emit
    from connector.legacy.explain import as_text, explain, explain_all

    if args.all:
        plans = explain_all()
        if args.json:
            emit(plans)
        else:
            print("\n\n".join(as_text(p) for p in plans))
        return 0
    if not args.method or not args.path:
        raise InputError({"path": "give METHOD PATH, or --all"}, "legacy")
    plan = explain(args.method, args.path)
    if args.json:
        emit(plan)
    else:
        print(as_text(plan))
    return 0


def _scan(args: argparse.Namespace) -> int:
    from connector.cli.output import emit
    from connector.legacy.scan import as_text, scan_files

    findings = scan_files(list(args.files))
    if args.json:
        emit([f.to_dict() for f in findings])
    else:
        print(as_text(findings))
    return 0
