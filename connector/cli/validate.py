"""`segment-connector validate [TARGET]`: check a plugin package; exit 1 on any error."""

from __future__ import annotations

import argparse
import json
import sys

FORMATS = ("text", "json")


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.description = ("Check a plugin package: registration, examples against their "
                          "schemas, defaults, required examples, descriptions, picklist "
                          "links, declared safety, and a dry run of every action. Exit 1 on "
                          "any error; warnings are reported apart and do not fail.")
    parser.add_argument("target", nargs="?", metavar="TARGET",
                        help="an installed distribution, an entry point of the "
                             "segment_connector group, or a module path (default: every "
                             "plugin installed, the built-ins included)")
    parser.add_argument("--format", choices=FORMATS, default="text",
                        help="text (default) or json, for CI")


def run(args: argparse.Namespace) -> int:
    from connector.validate import report, validate

    target, findings = validate(args.target)
    errors = [f for f in findings if f.level == "error"]
    if args.format == "json":
        json.dump(report(target, findings), sys.stdout, indent=1)
        print()
    else:
        for finding in findings:
            print(finding.line(), file=sys.stdout if finding.level == "warning" else sys.stderr)
        warnings = len(findings) - len(errors)
        print(f"{target.name}: {len(errors)} error(s), {warnings} warning(s)")
    return 1 if errors else 0
