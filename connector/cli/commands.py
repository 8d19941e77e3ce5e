"""The commands `list`, `run` (once, or `--batch` over a JSONL file), `picklist`, `check`,
`manifest`.

`describe` and `poll` are in their own modules; `simulator`, `demo` and `docs` are handed to
theirs (see `arguments`). Each command returns its exit code.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from connector.cli.api_runtime import runtime_for
from connector.cli.help_text import PROG, install_hint
from connector.cli.inputs import parse_inputs, unreadable
from connector.cli.output import emit
from connector.errors import InputError
from connector.registry import Registry
from connector.spec import Action


def cmd_list(args: argparse.Namespace, registry: Registry) -> int:
    actions = sorted(registry.actions.items.values(), key=lambda a: a.key)
    sources = sorted(registry.datasources.items.values(), key=lambda d: d.key)
    triggers = sorted(registry.triggers.items.values(), key=lambda t: t.key)
    if args.json:
        emit({"actions": [{"key": a.key, "display": a.display, "area": a.area,
                           "plugin": a.plugin} for a in actions],
              "picklists": [{"key": d.key, "display": d.display, "plugin": d.plugin}
                            for d in sources],
              "triggers": [{"key": t.key, "display": t.display, "plugin": t.plugin}
                           for t in triggers]})
        return 0
    print(f"Actions ({len(actions)}):")
    for a in actions:
        print(f"  {a.key:<48} {a.display}")
    print(f"\nPicklists ({len(sources)}):")
    for d in sources:
        print(f"  {d.key:<48} {d.display}")
    print(f"\nTriggers ({len(triggers)}):")
    for t in triggers:
        print(f"  {t.key:<48} {t.display}")
    for problem in registry.problems:
        print(f"\nskipped plugin {problem.plugin}: {problem.error}", file=sys.stderr)
    return 0


def cmd_run(args: argparse.Namespace, registry: Registry) -> int:
    action = registry.action(args.key)
    args.key = action.key
    if args.batch:
        return _run_batch(args, registry, action)
    values = parse_inputs(args.input, args.input_json, action.inputs, action.key)
    if args.example_inputs:
        from connector.samples import sample_inputs

        values = {**sample_inputs(action), **values}
    runtime = runtime_for(args, registry)
    emit(runtime.dry_run(action.key, values) if args.dry_run else runtime.run(action.key, values))
    return 0


def _run_batch(args: argparse.Namespace, registry: Registry, action: Action) -> int:
    from connector.batch import default_results_path, run_batch
    from connector.ratelimit import RateLimiter

    if args.input or args.input_json or args.dry_run or args.example_inputs:
        raise InputError({"--batch": "takes its inputs from the file, one JSON object a line; "
                          "drop --input, --input-json, --dry-run and --example-inputs"},
                         action.key)
    if args.batch == "-":
        if not args.results:
            raise InputError({"--results": "is required with --batch - (stdin has no file "
                              "name to put the results beside)"}, action.key)
    else:
        try:  # say it now, not from a worker thread half-way through
            with open(args.batch, "rb"):
                pass
        except OSError as exc:
            raise InputError({"--batch": unreadable(args.batch, exc)}, action.key) from None
    results = args.results or default_results_path(args.batch)
    if args.distributed:
        return _run_distributed(args, registry, action, results)
    from connector.reliability import from_arguments

    # A retry budget and a circuit for the run, so a failing API meets few retries.
    runtime = runtime_for(args, registry).watched(*from_arguments(args).observers())
    summary = run_batch(runtime, action.key, args.batch, results,
                        concurrency=args.concurrency,
                        limiter=RateLimiter(time_scale=args.rate_scale),
                        retry_unknown=args.retry_unknown)
    emit(summary.to_dict())
    report = summary.report()
    if report:
        print(report, file=sys.stderr)
    return int(summary.exit_code)


def _run_distributed(args: argparse.Namespace, registry: Registry, action: Action,
                     results: str | Path) -> int:
    """`run --batch --distributed`: the workers call the lines; tokens stay with them."""
    if not args.profile:
        raise InputError({"--profile": "is required with --distributed: each worker reads "
                          "the profile's token from its own config; tokens never go "
                          "through the broker"}, action.key)
    if args.token or args.base_url or args.region:
        raise InputError({"--distributed": "takes the connection from the workers' profile; "
                          "drop --token, --base-url and --region"}, action.key)
    try:
        from connector.distributed.app import url_argument
        from connector.distributed.coordinator import run_distributed
    except ImportError as exc:
        raise InputError({"--distributed": f"needs the distributed extra ({exc}): "
                          f"{install_hint('distributed')}"}, action.key) from None
    summary = run_distributed(action.key, args.batch, results, args.profile,
                              redis=url_argument(args.redis),
                              retry_unknown=args.retry_unknown, registry=registry,
                              options={"timeout": args.timeout, "deadline": args.deadline})
    emit(summary.to_dict())
    return int(summary.exit_code)


def cmd_picklist(args: argparse.Namespace, registry: Registry) -> int:
    source = registry.datasource(args.key)
    args.key = source.key
    values = parse_inputs(args.input, args.input_json, source.all_inputs, source.key)
    emit(runtime_for(args, registry).picklist(source.key, values))
    return 0


def cmd_check(args: argparse.Namespace, registry: Registry) -> int:
    from connector.check import check_connection

    runtime = runtime_for(args, registry)
    emit(check_connection(runtime.connection, registry=registry, policy=runtime.policy,
                          debug=runtime.debug, on_wait=runtime.on_wait, access=runtime.access))
    return 0


def cmd_manifest(args: argparse.Namespace, registry: Registry) -> int:
    from connector import manifest

    path = Path(args.output)
    if args.check:
        if not path.exists():
            print(f"{path} does not exist: run `{PROG} manifest`", file=sys.stderr)
            return 1
        if manifest.is_current(registry, path):
            print(f"{path} is up to date")
            return 0
        print(f"{path} is stale: run `{PROG} manifest`", file=sys.stderr)
        return 1
    try:
        manifest.write(registry, path)
    except OSError as exc:
        reason = ("no such directory: " + str(path.parent)
                  if isinstance(exc, FileNotFoundError) else exc.strerror or str(exc))
        raise InputError({"--output": f"cannot write {path}: {reason}"}) from None
    print(f"wrote {path}")
    return 0
