"""The `segment-connector` command: list, describe, run, picklist, manifest, simulator, demo."""

from __future__ import annotations

import argparse
import base64
import importlib
import json
import logging
import os
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from connector import redact as redaction
from connector.connection import REGIONS, Connection
from connector.errors import ConnectorError, InputError
from connector.redact import redact
from connector.registry import Registry
from connector.spec import Action, DataSource, Input

MANIFEST = Path("manifest.json")
EXIT_INPUT = 2


def _json_default(value: Any) -> Any:
    if isinstance(value, bytes):
        return {"base64": base64.b64encode(value).decode("ascii")}
    return str(value)


def emit(data: Any) -> None:
    print(redact(json.dumps(data, indent=2, default=_json_default, ensure_ascii=False)))


# -- inputs ------------------------------------------------------------------
def parse_inputs(pairs: Sequence[str], json_file: str | None,
                 declared: tuple[Input, ...]) -> dict[str, Any]:
    """`--input-json FILE` (or `-` for stdin) first, then `--input name=value` pairs."""
    values: dict[str, Any] = {}
    if json_file:
        text = sys.stdin.read() if json_file == "-" else Path(json_file).read_text("utf-8")
        try:
            loaded = json.loads(text)
        except ValueError as exc:
            raise InputError({"--input-json": f"not valid JSON: {exc}"}) from None
        if not isinstance(loaded, dict):
            raise InputError({"--input-json": "must hold a JSON object"})
        values.update(loaded)
    types = {inp.key: inp.type for inp in declared}
    for pair in pairs:
        name, sep, raw = pair.partition("=")
        if not sep or not name:
            raise InputError({"--input": f"expected name=value, got {pair!r}"})
        values[name] = _typed(raw, types.get(name, "string"))
    return values


def _typed(raw: str, kind: str) -> Any:
    # Strings stay as typed; other kinds accept JSON (`count=10`, `settings={"a":1}`).
    if kind == "string":
        return raw
    try:
        return json.loads(raw)
    except ValueError:
        return raw


# -- commands ----------------------------------------------------------------
def cmd_list(args: argparse.Namespace, registry: Registry) -> int:
    actions = sorted(registry.actions.items.values(), key=lambda a: a.key)
    sources = sorted(registry.datasources.items.values(), key=lambda d: d.key)
    if args.json:
        emit({"actions": [{"key": a.key, "display": a.display, "area": a.area,
                           "plugin": a.plugin} for a in actions],
              "picklists": [{"key": d.key, "display": d.display, "plugin": d.plugin}
                            for d in sources]})
        return 0
    print(f"Actions ({len(actions)}):")
    for a in actions:
        print(f"  {a.key:<48} {a.display}")
    print(f"\nPicklists ({len(sources)}):")
    for d in sources:
        print(f"  {d.key:<48} {d.display}")
    for problem in registry.problems:
        print(f"\nskipped plugin {problem.plugin}: {problem.error}", file=sys.stderr)
    return 0


def _input_line(inp: Input, where: str | None) -> str:
    parts = [inp.type + ("[]" if inp.items and inp.type == "array" else "")]
    parts.append("required" if inp.required else "optional")
    if inp.default is not None:
        parts.append(f"default {json.dumps(inp.default)}")
    if inp.choices:
        parts.append("one of " + "|".join(map(str, inp.choices)))
    if inp.picklist:
        parts.append(f"picklist {inp.picklist}")
    if where and where != "control":
        parts.append(f"in {where}" + (f" as {inp.name}" if inp.name else ""))
    return f"  {inp.display} ({inp.key}): {', '.join(parts)}"


def cmd_describe(args: argparse.Namespace, registry: Registry) -> int:
    from connector import manifest

    found: Action | DataSource | None = registry.actions.get(args.key)
    if found is None:
        found = registry.datasource(args.key)
    if args.json:
        emit(manifest.describe_action(found) if isinstance(found, Action)
             else manifest.describe_datasource(found))
        return 0
    if isinstance(found, Action):
        print(f"{found.display} (action {found.key}; plugin {found.plugin})")
        if found.aliases:
            print(f"Aliases: {', '.join(found.aliases)}")
        if found.run is None:
            print(f"{found.method} {found.path}  [{found.media}]")
        inputs, example = found.inputs, found.example_payload()
        where = found.where
    else:
        print(f"{found.display} (picklist {found.key}; from action {found.action})")
        inputs, example = found.all_inputs, found.example

        def where(_inp: Input) -> str | None:
            return None
    print(found.description)
    print("\nInputs:")
    for inp in inputs:
        print(_input_line(inp, where(inp)))
        if inp.comments:
            print(f"      {inp.comments}")
    print("\nExample payload:")
    print(json.dumps(example, indent=2))
    return 0


def _runtime(args: argparse.Namespace, registry: Registry) -> Any:
    from connector.runtime import Runtime

    conn = Connection.resolve(args.token, args.region, args.base_url, args.profile)
    return Runtime(conn, registry=registry, debug=args.debug)


def cmd_run(args: argparse.Namespace, registry: Registry) -> int:
    action = registry.action(args.key)
    if args.batch:
        return _run_batch(args, registry, action)
    values = parse_inputs(args.input, args.input_json, action.inputs)
    if args.example_inputs:
        from connector.samples import sample_inputs

        values = {**sample_inputs(action), **values}
    runtime = _runtime(args, registry)
    emit(runtime.dry_run(action.key, values) if args.dry_run else runtime.run(action.key, values))
    return 0


def _run_batch(args: argparse.Namespace, registry: Registry, action: Action) -> int:
    from connector.batch import default_results_path, run_batch
    from connector.ratelimit import RateLimiter

    if args.input or args.input_json or args.dry_run or args.example_inputs:
        raise InputError({"--batch": "takes its inputs from the file, one JSON object a line"})
    results = args.results or default_results_path(args.batch)
    summary = run_batch(_runtime(args, registry), action.key, args.batch, results,
                        concurrency=args.concurrency,
                        limiter=RateLimiter(time_scale=args.rate_scale),
                        retry_unknown=args.retry_unknown)
    emit(summary.to_dict())
    return summary.exit_code


def cmd_picklist(args: argparse.Namespace, registry: Registry) -> int:
    source = registry.datasource(args.key)
    values = parse_inputs(args.input, args.input_json, source.all_inputs)
    emit(_runtime(args, registry).picklist(source.key, values))
    return 0


def cmd_manifest(args: argparse.Namespace, registry: Registry) -> int:
    from connector import manifest

    path = Path(args.output)
    if args.check:
        if manifest.is_current(registry, path):
            print(f"{path} is up to date")
            return 0
        print(f"{path} is stale: run `segment-connector manifest`", file=sys.stderr)
        return 1
    manifest.write(registry, path)
    print(f"wrote {path}")
    return 0


# -- parser --------------------------------------------------------------------
def _connection_options(p: argparse.ArgumentParser) -> None:
    g = p.add_argument_group("connection")
    g.add_argument("--token", help="API token (default: $SEGMENT_API_TOKEN or the profile)")
    g.add_argument("--region", choices=REGIONS, help="API region (default: api)")
    g.add_argument("--base-url", help="send requests here instead (simulator, proxy)")
    g.add_argument("--profile", help="named profile of the config file")
    g.add_argument("--debug", action="store_true",
                   help="log requests and responses to stderr (token masked)")


def _input_options(p: argparse.ArgumentParser) -> None:
    p.add_argument("--input", "-i", action="append", default=[], metavar="NAME=VALUE",
                   help="an input value; repeatable (JSON for non-string inputs)")
    p.add_argument("--input-json", metavar="FILE", help="inputs as a JSON object; - for stdin")


def parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="segment-connector",
                                description="Segment Public API actions and picklists.")
    p.add_argument("--strict-plugins", action="store_true",
                   help="fail when a third-party plugin cannot be loaded")
    sub = p.add_subparsers(dest="command", required=True)

    s = sub.add_parser("list", help="list actions and picklists")
    s.add_argument("--json", action="store_true")
    s.set_defaults(fn=cmd_list)

    s = sub.add_parser("describe", help="inputs, defaults and example payload of a plugin")
    s.add_argument("key")
    s.add_argument("--json", action="store_true")
    s.set_defaults(fn=cmd_describe)

    s = sub.add_parser("run", help="run an action; prints {\"data\": ...}")
    s.add_argument("key")
    _input_options(s)
    s.add_argument("--dry-run", action="store_true", help="print the request, send nothing")
    s.add_argument("--example-inputs", action="store_true",
                   help="fill inputs not given with the action's example values")
    b = s.add_argument_group("bulk runs")
    b.add_argument("--batch", metavar="FILE",
                   help="run once per line of FILE (JSONL, one object of inputs a line)")
    b.add_argument("--results", metavar="FILE",
                   help="JSONL results, appended and resumed (default: FILE.results.jsonl)")
    b.add_argument("--concurrency", type=int, default=4, help="calls in parallel (default 4)")
    b.add_argument("--rate-scale", type=float, default=1.0,
                   help="scale the rate-limit periods (for a simulator run with --time-scale)")
    b.add_argument("--retry-unknown", action="store_true",
                   help="also rerun lines whose create/update may have taken effect")
    _connection_options(s)
    s.set_defaults(fn=cmd_run)

    s = sub.add_parser("picklist", help="fetch a picklist; prints {\"result\": [...]}")
    s.add_argument("key")
    _input_options(s)
    _connection_options(s)
    s.set_defaults(fn=cmd_picklist)

    s = sub.add_parser("manifest", help="write manifest.json, or --check that it is current")
    s.add_argument("--output", "-o", default=str(MANIFEST))
    s.add_argument("--check", action="store_true", help="exit 1 when the file is stale")
    s.set_defaults(fn=cmd_manifest)

    _mount_optional(sub)
    return p


def _mount_optional(sub: Any) -> None:
    """Commands whose modules load only when used, so they cost nothing at start-up."""
    for name, module, help_text in (
        ("simulator", "connector.simulator.cli", "serve a local simulator of the Segment API"),
        ("demo", "connector.demo", "run a short flow against the simulator (or --real)"),
        ("docs", "connector.docs", "write the Markdown reference in docs/, or --check it"),
    ):
        # No arguments here: main() hands everything after the name to the module.
        s = sub.add_parser(name, help=help_text, add_help=False)
        s.set_defaults(fn=_delegate(name, module), needs_registry=False, delegated=True)


def _delegate(name: str, module: str) -> Any:
    def fn(args: argparse.Namespace, _registry: Registry | None) -> int:
        mod = importlib.import_module(module)
        p = argparse.ArgumentParser(prog=f"segment-connector {name}")
        mod.add_arguments(p)
        return int(mod.run(p.parse_args(args.rest)) or 0)

    return fn


def _log_to_stderr() -> None:
    root = logging.getLogger("segment_connector")
    if not any(getattr(h, "_segment_cli", False) for h in root.handlers):
        handler = logging.StreamHandler(sys.stderr)
        handler.setFormatter(logging.Formatter("%(levelname)s %(name)s: %(message)s"))
        handler._segment_cli = True  # type: ignore[attr-defined]
        root.addHandler(handler)
    root.setLevel(logging.INFO)


def main(argv: Sequence[str] | None = None) -> int:
    p = parser()
    args, rest = p.parse_known_args(argv)
    if getattr(args, "delegated", False):
        args.rest = rest
    elif rest:
        p.error(f"unrecognized arguments: {' '.join(rest)}")
    redaction.remember(getattr(args, "token", None))
    redaction.remember(os.environ.get("SEGMENT_API_TOKEN"))
    _log_to_stderr()
    try:
        registry = None
        if getattr(args, "needs_registry", True):
            registry = Registry.load(strict=args.strict_plugins)
        return int(args.fn(args, registry) or 0)
    except ConnectorError as exc:
        print(f"error: {redact(str(exc))}", file=sys.stderr)
        return exc.exit_code
    except KeyboardInterrupt:
        print("interrupted", file=sys.stderr)
        return 130
    except Exception as exc:  # last line of defence: one line, no traceback, no secrets
        print(f"error: {type(exc).__name__}: {redact(str(exc))}", file=sys.stderr)
        return 1


if __name__ == "__main__":
    sys.exit(main())
