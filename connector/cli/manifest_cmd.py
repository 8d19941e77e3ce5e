"""`manifest diff OLD NEW` beside `manifest`: what changed between two manifests.

Mounted on the `manifest` command as an optional sub-command, so `manifest` alone
still writes or checks the file; the diff itself (`connector.manifest_diff`)
loads only when asked for, and neither loads the plugins.
"""

from __future__ import annotations

import argparse
import json
import sys
from typing import Any

from connector.errors import InputError
from connector.registry import Registry

FORMATS = ("text", "json")


def mount(manifest: argparse.ArgumentParser) -> None:
    """Give the `manifest` parser its `diff` sub-command."""
    manifest.add_argument("--builtin", action="store_true",
                          help="the built-in plugins only, leaving installed ones out (the "
                               "project's own manifest.json)")
    sub = manifest.add_subparsers(dest="manifest_command", metavar="diff", required=False,
                                  title="sub-commands",
                                  help="diff OLD NEW: what changed between two manifests")
    d = sub.add_parser("diff", help="what changed between two manifests; exit 1 when "
                                    "anything breaking did",
                       description="Compare two manifests: each change is breaking (a flow "
                                   "built on OLD stops working), risky or additive. Exit 1 "
                                   "when any change is breaking, 2 when a file is unreadable.")
    d.add_argument("old", metavar="OLD", help="the earlier manifest.json")
    d.add_argument("new", metavar="NEW", help="the later manifest.json")
    d.add_argument("--format", choices=FORMATS, default="text",
                   help="text (default) or json (counts and every change)")
    manifest.set_defaults(fn=_dispatch, needs_registry=False)


def _dispatch(args: argparse.Namespace, _registry: Registry | None) -> int:
    if args.manifest_command == "diff":
        return cmd_diff(args)
    from connector.cli.commands import cmd_manifest

    return cmd_manifest(args, Registry.load(strict=args.strict_plugins,
                                            installed=not args.builtin))


def cmd_diff(args: argparse.Namespace) -> int:
    from connector import manifest_diff

    loaded: dict[str, Any] = {}
    for name in ("old", "new"):
        path = getattr(args, name)
        try:
            loaded[name] = manifest_diff.load(path)
        except (OSError, ValueError) as exc:
            reason = exc.strerror if isinstance(exc, OSError) and exc.strerror else str(exc)
            raise InputError({name.upper(): f"cannot read {path}: {reason}"}) from None
    changes = manifest_diff.diff(loaded["old"], loaded["new"])
    if args.format == "json":
        json.dump(manifest_diff.report(changes), sys.stdout, indent=1)
        print()
    else:
        print(manifest_diff.text(changes))
    return 1 if any(c.level == "breaking" for c in changes) else 0
