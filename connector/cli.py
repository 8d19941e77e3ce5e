"""The `segment-connector` command: list, describe, run, picklist, manifest, simulator, demo.

The contract every command keeps: results are JSON on stdout; a failure is
one line on stderr (`error: <message>`, or one JSON object with
`--error-format json`) and an exit code that says whose move it is:

    0    success
    1    internal error (a bug); with `run --batch`: some lines failed
    2    bad input or usage; nothing was sent
    3    the API answered with an error
    4    no answer came (timeout, connection, deadline)
    130  interrupted (SIGINT); 143 terminated (SIGTERM)
    141  stdout was closed early (`| head`); ends quietly

Heavy modules (the runtime, requests, the simulator) load only in the
commands that use them, so `--help`, `list` and `describe` start fast.
"""

from __future__ import annotations

import argparse
import base64
import contextlib
import importlib
import json
import logging
import math
import os
import re
import signal
import sys
import threading
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any, NoReturn

from connector import __version__
from connector.connection import DEFAULT_REGION, REGIONS, Connection, config_path, load_profile
from connector.errors import ConnectorError, InputError, error_record, exit_code_of
from connector.redact import Secrets, current, redact, redact_value, scope
from connector.registry import Registry
from connector.spec import Action, DataSource, Input

MANIFEST = Path("manifest.json")
PROG = "segment-connector"
EXIT_PIPE = 128 + signal.SIGPIPE  # what a C tool killed by SIGPIPE reports
# RetryPolicy's defaults, stated here so that help does not import the retry
# module (tests keep the two equal); None on the command line keeps the policy's.
DEFAULT_TIMEOUT_S = 30.0
DEFAULT_DEADLINE_S = 300.0
DEFAULT_CONCURRENCY = 4
ERROR_FORMATS = ("text", "json")
# Where each connection setting comes from, first found wins, as Connection.resolve
# decides (a test holds the two together); help and the epilog are written from it.
CONNECTION_ORDER = ("flag", "environment", "profile")
_LAYER_NAMES = {"flag": "flag", "profile": "--profile", "environment": "environment"}
_ENV_NAMES = {"token": "SEGMENT_API_TOKEN", "region": "SEGMENT_REGION",
              "base_url": "SEGMENT_BASE_URL"}

EXIT_CODES = """\
exit codes:
  0    success
  1    internal error (a bug: please report it); run --batch: some lines failed
  2    bad input or usage, nothing was sent: unknown action, picklist or input,
       a value of the wrong type, an unreadable file, a missing token, ...
  3    the API answered with an error (4xx, or 5xx after the retries)
  4    no answer came: timeout, connection failure, --deadline spent
  130  interrupted (Ctrl-C); 143 terminated (SIGTERM)
  141  stdout was closed before all output was written (e.g. `| head`)"""

BATCH_EXIT_CODES = """\
exit codes with --batch:
  0    every line ran, or was done by an earlier run with the same --results
  1    some lines failed: their records in the results file say why (rerun to
       retry those that are safe to repeat)
  2    nothing ran: missing or unreadable FILE, refused --results, bad option
  4    no answer came from the API (the lines that failed could not reach it)
  130  interrupted (Ctrl-C), 143 terminated (SIGTERM): calls in flight were
       recorded; rerun with the same --results to go on
  The summary ({"total", "ok", "errors", ...}) is printed on stdout either way."""


class UsageError(InputError):
    """A command line argparse refused (an unknown command, a bad option value)."""

    def __init__(self, field: str, problem: str, prog: str) -> None:
        super().__init__({field: problem})
        # One line that reads well on its own, with the way to more help.
        self.args = (f"{field}: {problem} (see `{prog} --help`)",)

    @property
    def code(self) -> str:
        return "usage"


class _Interrupted(KeyboardInterrupt):
    """SIGTERM, raised like Ctrl-C so every `finally` runs; `signum` gives the exit code."""

    def __init__(self, signum: int) -> None:
        super().__init__(signal.Signals(signum).name)
        self.signum = signum


def _json_default(value: Any) -> Any:
    if isinstance(value, bytes):
        return {"base64": base64.b64encode(value).decode("ascii")}
    return str(value)


def emit(data: Any) -> None:
    print(redact(json.dumps(data, indent=2, default=_json_default, ensure_ascii=False)))


# -- inputs ------------------------------------------------------------------
_KIND_HINTS = {
    "integer": "give a whole number, e.g. 10",
    "number": "give a number, e.g. 1.5",
    "boolean": "give true or false",
    "object": 'give a JSON object, e.g. {"name": "value"}',
    "array": 'give a JSON array, e.g. ["a", "b"]',
}


def parse_inputs(pairs: Sequence[str], json_file: str | None,
                 declared: tuple[Input, ...], action: str | None = None) -> dict[str, Any]:
    """`--input-json FILE` (or `-` for stdin) first, then `--input name=value` pairs."""
    values: dict[str, Any] = {}
    if json_file:
        loaded = _read_json(json_file, "--input-json", action)
        if not isinstance(loaded, dict):
            raise InputError({"--input-json": "must hold a JSON object of input names to "
                              f"values, not {_json_kind(loaded)}"}, action)
        values.update(loaded)
    types = {inp.key: inp.type for inp in declared}
    given: set[str] = set()
    for pair in pairs:
        name, sep, raw = pair.partition("=")
        if not sep or not name:
            raise InputError({"--input": f"expected name=value, got {pair!r}"}, action)
        if name in given:  # the second would silently win: say so instead
            raise InputError({"--input": f"{name!r} is given more than once"}, action)
        given.add(name)
        values[name] = _typed(name, raw, types.get(name, "string"), action)
    return values


def _typed(name: str, raw: str, kind: str, action: str | None) -> Any:
    # Strings stay as typed; other kinds take JSON (`count=10`, `settings={"a":1}`).
    if kind == "string" or raw == "":  # blank: the input's default
        return raw
    try:
        return json.loads(raw)
    except json.JSONDecodeError as exc:
        if kind == "any":  # text is a fine value of an input of any type
            return raw
        hint = _KIND_HINTS.get(kind, "give JSON")
        raise InputError({name: f"not valid JSON ({_where_in_json(exc)}); {hint}"},
                         action) from None
    except RecursionError:
        raise InputError({name: "is nested too deeply to read as JSON"}, action) from None


def _where_in_json(exc: json.JSONDecodeError) -> str:
    return f"{exc.msg} at line {exc.lineno} column {exc.colno}"


def _json_kind(value: Any) -> str:
    return {list: "an array", str: "a string", bool: "a boolean", type(None): "null"}.get(
        type(value), "a number")


def _read_json(path: str, option: str, action: str | None) -> Any:
    text = _read_text(path, option, action)
    where = "stdin" if path == "-" else path
    try:
        return json.loads(text)
    except json.JSONDecodeError as exc:
        raise InputError({option: f"{where} is not valid JSON: {_where_in_json(exc)}"},
                         action) from None
    except RecursionError:
        raise InputError({option: f"{where} is nested too deeply to read as JSON"},
                         action) from None


def _read_text(path: str, option: str, action: str | None) -> str:
    try:
        if path == "-":
            return sys.stdin.read()
        return Path(path).read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise InputError({option: _unreadable(path, exc)}, action) from None


def _unreadable(path: str, exc: OSError | UnicodeDecodeError) -> str:
    """Why a file given on the command line cannot be read, in words."""
    where = "stdin" if path == "-" else path
    if isinstance(exc, UnicodeDecodeError):
        return f"{where} is not UTF-8 text (byte {exc.start} cannot be decoded)"
    if isinstance(exc, FileNotFoundError):
        return f"no such file: {where}"
    if isinstance(exc, IsADirectoryError):
        return f"{where} is a directory, not a file"
    if isinstance(exc, PermissionError):
        return f"cannot read {where}: permission denied"
    return f"cannot read {where}: {exc.strerror or exc}"


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
    kind = f"array of {inp.items}" if inp.type == "array" and inp.items else inp.type
    parts = [kind, "required" if inp.required else "optional"]
    if inp.default is not None:
        parts.append(f"default {json.dumps(inp.default)}")
    if inp.choices:
        parts.append("one of " + "|".join(map(str, inp.choices)))
    if inp.picklist:
        parts.append(f"picklist {inp.picklist}")
    if where and where != "control":
        parts.append(f"in {where}" + (f" as {inp.name}" if inp.name else ""))
    return f"  {inp.display} ({inp.key}): {', '.join(parts)}"


def example_inputs(found: Action | DataSource) -> dict[str, Any]:
    """Example values of the inputs a user fills (the ones `--example-inputs` uses)."""
    from connector.samples import sample_inputs, sample_value

    declared = {inp.key: inp.example for inp in _inputs_of(found) if inp.example is not None}
    if isinstance(found, Action):
        return {**declared, **sample_inputs(found)}
    return {**declared, **{inp.key: sample_value(inp) for inp in found.all_inputs
                           if inp.required}}


def _inputs_of(found: Action | DataSource) -> tuple[Input, ...]:
    return found.inputs if isinstance(found, Action) else found.all_inputs


def picklist_example(source: DataSource, registry: Registry) -> tuple[Any, str | None]:
    """The picklist's example result, and the action it was made from when it has none.

    Made the way the runtime makes options, from the feeding action's example payload.
    """
    if source.example is not None:
        return source.example, None
    from connector.runtime import _dig, _label  # the runtime's own option shaping

    action = registry.actions.get(source.action)
    payload = action.example_payload() if action is not None else None
    body = payload.get("data") if isinstance(payload, dict) else None
    data = body.get("data") if isinstance(body, dict) else None
    items = data.get(source.items or action.items or "") if isinstance(data, dict) else None
    if not isinstance(items, list):
        return None, None
    return {"result": [{"label": _label(source, item), "key": _dig(item, source.value)}
                       for item in items]}, source.action


def cmd_describe(args: argparse.Namespace, registry: Registry) -> int:
    from connector import manifest

    found = registry.find(args.key)
    args.key = found.key
    examples = example_inputs(found)
    if isinstance(found, Action):
        example, made_from = found.example_payload(), None
    else:
        example, made_from = picklist_example(found, registry)
    if args.json:
        described = (manifest.describe_action(found) if isinstance(found, Action)
                     else manifest.describe_datasource(found))
        described["examplePayload"] = example
        described["exampleInputs"] = examples
        emit(described)
        return 0
    if isinstance(found, Action):
        print(f"{found.display} (action {found.key}; plugin {found.plugin})")
        if found.aliases:
            print(f"Aliases: {', '.join(found.aliases)}")
        if found.run is None:
            print(f"{found.method} {found.path}  [{found.media}]")
        inputs, where = found.inputs, found.where
    else:
        print(f"{found.display} (picklist {found.key}; from action {found.action})")
        inputs = found.all_inputs

        def where(_inp: Input) -> str | None:
            return None
    print(found.description)
    print("\nInputs:")
    for inp in inputs:
        print(_input_line(inp, where(inp)))
        if inp.comments:
            print(f"      {inp.comments}")
        if inp.key in examples:
            print(f"      example: {json.dumps(examples[inp.key], ensure_ascii=False)}")
    print("\nExample payload" + (f" (from the example of {made_from}):" if made_from else ":"))
    print(json.dumps(example, indent=2, ensure_ascii=False))
    return 0


def _runtime(args: argparse.Namespace, registry: Registry) -> Any:
    from connector.retry import RetryPolicy
    from connector.runtime import Runtime

    conn = Connection.resolve(args.token, args.region, args.base_url, args.profile)
    current().add(conn.token)  # a profile's token too, for what the command prints
    policy = RetryPolicy().with_(timeout_s=args.timeout, deadline_s=args.deadline)
    # Long waits say why the command sits still, to a person watching a terminal only.
    on_wait = wait_notice if _stderr_is_terminal() else None
    return Runtime(conn, registry=registry, policy=policy, debug=args.debug, on_wait=on_wait)


def _stderr_is_terminal() -> bool:
    try:
        return sys.stderr.isatty()
    except (AttributeError, ValueError):  # replaced or closed stream
        return False


def wait_notice(seconds: float, reason: str) -> None:
    """One line on stderr before a long wait (a 429 back-off, rate-limit pacing)."""
    print(f"waiting {math.ceil(seconds)}s: {redact(reason)}", file=sys.stderr, flush=True)


def cmd_run(args: argparse.Namespace, registry: Registry) -> int:
    action = registry.action(args.key)
    args.key = action.key
    if args.batch:
        return _run_batch(args, registry, action)
    values = parse_inputs(args.input, args.input_json, action.inputs, action.key)
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
            raise InputError({"--batch": _unreadable(args.batch, exc)}, action.key) from None
    results = args.results or default_results_path(args.batch)
    summary = run_batch(_runtime(args, registry), action.key, args.batch, results,
                        concurrency=args.concurrency,
                        limiter=RateLimiter(time_scale=args.rate_scale),
                        retry_unknown=args.retry_unknown)
    emit(summary.to_dict())
    return int(summary.exit_code)


def cmd_picklist(args: argparse.Namespace, registry: Registry) -> int:
    source = registry.datasource(args.key)
    args.key = source.key
    values = parse_inputs(args.input, args.input_json, source.all_inputs, source.key)
    emit(_runtime(args, registry).picklist(source.key, values))
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


# -- parser --------------------------------------------------------------------
class _Parser(argparse.ArgumentParser):
    """Usage errors raise UsageError, so they print like every other failure (exit 2)."""

    def error(self, message: str) -> NoReturn:
        field, sep, problem = message.partition(": ")
        if not sep or not field.startswith("argument "):
            field, problem = "arguments", message
        else:
            field = field.removeprefix("argument ").split("/")[0]
            if field.isupper():  # a metavar (COMMAND): name it as the dest reads
                field = field.lower()
        raise UsageError(field, _suggest_choice(problem), self.prog)


def _suggest_choice(problem: str) -> str:
    """argparse's `invalid choice: 'lsit' (choose from ...)` with a did-you-mean."""
    found = re.match(r"invalid choice: '(.*)' \(choose from (.*)\)$", problem)
    if not found:
        return problem
    import difflib  # deferred: only a typo needs it

    choices = re.findall(r"'([^']*)'", found.group(2))
    close = difflib.get_close_matches(found.group(1), choices, n=1)
    return problem + (f"; did you mean {close[0]!r}?" if close else "")


def _error_format_option(p: argparse.ArgumentParser, default: Any) -> None:
    p.add_argument("--error-format", choices=ERROR_FORMATS, default=default,
                   help="how a failure is printed on stderr: text (`error: <message>`, one "
                        "line) or json (one object: status, action, error, exit_code); "
                        "default text")


def _connection_now(argv: Sequence[str]) -> dict[str, str]:
    """What --token, --region and --base-url would be if left out, and where from.

    Help only. The values are Connection.resolve's own (environment, and the
    profile when `--profile` is on the command line); the token is never shown.
    """
    profile = _option_value(argv, "--profile")
    try:
        now = Connection.resolve(profile=profile)
        prof = load_profile(profile) if profile else {}
    except InputError as exc:  # help still shows, saying what is wrong
        problem = "; ".join(f"{k}: {v}" for k, v in exc.fields.items())
        unusable = f"now: unusable, {problem}"
        return {"token": unusable, "region": unusable, "base_url": unusable,
                "profile": f"config file: {config_path()}"}
    layers = {"environment": lambda key: os.environ.get(_ENV_NAMES[key]),
              "profile": lambda key: prof.get(key)}

    def origin(key: str, value: str | None, skip: str = "") -> str:
        # The first layer, in the order resolve reads them, that holds the value.
        for layer in CONNECTION_ORDER[1:]:
            if value and layer != skip and layers[layer](key) == value:
                return f"${_ENV_NAMES[key]}" if layer == "environment" else \
                    f"profile {profile!r}"
        return "built in"

    token_from = origin("token", now.token)
    # A profile's token keeps the profile's host: the environment's is not read then.
    skip = "environment" if token_from.startswith("profile") else ""
    region_from = origin("region", now.region, skip)
    base_from = origin("base_url", now.base_url, skip)
    return {
        "token": (f"now: one is set, from {token_from}" if now.token else
                  "now: none set; give --token, $SEGMENT_API_TOKEN or a profile's token"),
        "region": (f"default: {now.region}, from {region_from}" if region_from != "built in"
                   else f"default: {now.region}"),
        "base_url": (f"default: {redact(now.base_url)}, from {base_from}" if now.base_url
                     else "default: none, the region's API host"),
        "profile": f"config file: {config_path()}",
    }


def _option_value(argv: Sequence[str], name: str) -> str | None:
    """The last value of `name` (`--name V` or `--name=V`) on a command line, if any."""
    value = None
    for i, arg in enumerate(argv):
        if arg == "--":
            break
        if arg == name and i + 1 < len(argv):
            value = argv[i + 1]
        elif arg.startswith(name + "="):
            value = arg.split("=", 1)[1]
    return value


def _settings_order() -> str:
    described = {
        "flag": "flags: --token, --region, --base-url",
        "profile": "the profile named by --profile, in the config file\n"
                   f"     ({config_path()}; $SEGMENT_CONNECTOR_CONFIG moves it)",
        "environment": "environment: $SEGMENT_API_TOKEN, $SEGMENT_REGION, $SEGMENT_BASE_URL",
    }
    lines = [f"  {i}. {described[layer]}" for i, layer in enumerate(CONNECTION_ORDER, 1)]
    lines.append(f"  {len(lines) + 1}. built in: region {DEFAULT_REGION}, no token, "
                 "no base URL")
    lines.append("  A profile's token goes only to that profile's host: when the token comes "
                 "from the\n  profile, $SEGMENT_REGION and $SEGMENT_BASE_URL are not read.")
    return "connection settings (token, region, base URL), first found wins:\n" + \
        "\n".join(lines)


def _connection_options(p: argparse.ArgumentParser, now: dict[str, str]) -> None:
    order = ", then ".join(_LAYER_NAMES[layer] for layer in CONNECTION_ORDER)
    g = p.add_argument_group(f"connection (first found wins: {order})")
    g.add_argument("--token", help=f"API token ({now['token']})")
    g.add_argument("--region", choices=REGIONS, help=f"API region: api (US) or eu1.api (EU) "
                   f"({now['region']})")
    g.add_argument("--base-url", help="send requests here instead: a simulator or proxy "
                   f"({now['base_url']})")
    g.add_argument("--profile", help=f"named profile of the config file ({now['profile']}; "
                   "$SEGMENT_CONNECTOR_CONFIG moves it)")
    g.add_argument("--debug", action="store_true",
                   help="log requests and responses to stderr (token masked), and the "
                        "traceback of an internal error")


def _time_options(p: argparse.ArgumentParser) -> None:
    g = p.add_argument_group("time limits")
    g.add_argument("--timeout", type=_seconds, metavar="SECONDS",
                   help=f"wait this long for one attempt's answer (default: "
                        f"{DEFAULT_TIMEOUT_S:g})")
    g.add_argument("--deadline", type=_seconds, metavar="SECONDS",
                   help="give up after this long, every attempt and retry wait included; "
                        f"exit 4 (default: {DEFAULT_DEADLINE_S:g})")


def _seconds(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"must be a number of seconds, not {text!r}") from None
    if not math.isfinite(value) or value <= 0:
        raise argparse.ArgumentTypeError(f"must be more than 0 seconds, not {text!r}")
    return value


def _concurrency(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"must be a whole number, not {text!r}") from None
    if value < 1:
        raise argparse.ArgumentTypeError(f"must be 1 or more, not {text!r}")
    return value


def _scale(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"must be a number, not {text!r}") from None
    if not math.isfinite(value) or value <= 0:
        raise argparse.ArgumentTypeError(f"must be more than 0, not {text!r}")
    return value


def _input_options(p: argparse.ArgumentParser) -> None:
    g = p.add_argument_group("inputs")
    g.add_argument("--input", "-i", action="append", default=[], metavar="NAME=VALUE",
                   help="an input value; repeatable, once per name. Strings as typed; "
                        "other types as JSON (count=10, followAll=true, settings='{\"a\":1}')")
    g.add_argument("--input-json", metavar="FILE",
                   help="inputs as one JSON object in FILE, - for stdin; --input values "
                        "override it")


def parser(argv: Sequence[str] = ()) -> argparse.ArgumentParser:
    """The command line; `argv` (when help is asked for) lets help show the profile's values."""
    raw = argparse.RawDescriptionHelpFormatter
    p = _Parser(prog=PROG, formatter_class=raw,
                description="Segment Public API actions and picklists: list them, describe "
                            "their inputs,\nrun them, fetch picklist options.",
                epilog=f"{EXIT_CODES}\n\n{_settings_order()}\n\n"
                       f"`{PROG} COMMAND --help` shows a command's options.")
    p.add_argument("--version", action="version", version=f"%(prog)s {__version__}",
                   help="print the version and exit")
    p.add_argument("--strict-plugins", action="store_true",
                   help="fail when a third-party plugin cannot be loaded (default: skip it "
                        "with a warning)")
    _error_format_option(p, "text")
    sub = p.add_subparsers(dest="command", required=True, metavar="COMMAND",
                           title="commands", help=f"one of these; `{PROG} COMMAND --help` "
                                                  "shows its options")
    # Per command too, so it works after the command name; SUPPRESS keeps a global one.
    hidden = argparse.SUPPRESS
    asks_help = any(a in ("-h", "--help") for a in argv)
    now = _connection_now(argv if asks_help else ())

    s = sub.add_parser("list", help="list actions and picklists",
                       description="List every action and picklist the plugins declare.")
    s.add_argument("--json", action="store_true",
                   help="print JSON (key, display, area, plugin) instead of a table")
    _error_format_option(s, hidden)
    s.set_defaults(fn=cmd_list)

    s = sub.add_parser("describe", help="inputs, defaults and example payload of an action "
                       "or picklist",
                       description="Inputs (type, default, example value), and an example "
                                   "payload of an action or picklist.")
    s.add_argument("key", help="action or picklist key or alias, e.g. createSource; see "
                               f"`{PROG} list`")
    s.add_argument("--json", action="store_true",
                   help="print the description as JSON (its manifest entry, with example "
                        "inputs)")
    _error_format_option(s, hidden)
    s.set_defaults(fn=cmd_describe)

    s = sub.add_parser("run", help="run an action; prints {\"data\": ...}",
                       formatter_class=raw, epilog=BATCH_EXIT_CODES,
                       description="Run an action once (prints {\"data\": <API body>}), or "
                                   "once per line of a JSONL file with --batch.")
    s.add_argument("key", help=f"action key or alias, e.g. listSources; see `{PROG} list`")
    _input_options(s)
    s.add_argument("--dry-run", action="store_true",
                   help="print the request (token masked), send nothing")
    s.add_argument("--example-inputs", action="store_true",
                   help="fill inputs not given with the action's example values")
    b = s.add_argument_group("bulk runs")
    b.add_argument("--batch", metavar="FILE",
                   help="run once per line of FILE (JSONL, one object of inputs a line); "
                        "- reads stdin and needs --results")
    b.add_argument("--results", metavar="FILE",
                   help="JSONL results, appended and resumed (default: FILE.results.jsonl)")
    b.add_argument("--concurrency", type=_concurrency, default=DEFAULT_CONCURRENCY,
                   metavar="N", help=f"calls in parallel (default: {DEFAULT_CONCURRENCY})")
    b.add_argument("--rate-scale", type=_scale, default=1.0, metavar="FACTOR",
                   help="scale the rate-limit periods, for a simulator run with "
                        "--time-scale (default: 1)")
    b.add_argument("--retry-unknown", action="store_true",
                   help="also rerun lines whose create/update may have taken effect")
    _time_options(s)
    _connection_options(s, now)
    _error_format_option(s, hidden)
    s.set_defaults(fn=cmd_run)

    s = sub.add_parser("picklist", help="fetch a picklist; prints {\"result\": [...]}",
                       description="Fetch the options of a picklist: "
                                   "{\"result\": [{\"label\", \"key\"}]}.")
    s.add_argument("key", help=f"picklist key or alias, e.g. sources; see `{PROG} list`")
    _input_options(s)
    _time_options(s)
    _connection_options(s, now)
    _error_format_option(s, hidden)
    s.set_defaults(fn=cmd_picklist)

    s = sub.add_parser("manifest", help="write manifest.json, or --check that it is current",
                       description="Write the manifest a flow builder reads, or check it.")
    s.add_argument("--output", "-o", default=str(MANIFEST), metavar="FILE",
                   help=f"file to write or check (default: {MANIFEST})")
    s.add_argument("--check", action="store_true",
                   help="write nothing; exit 1 when the file is missing or stale")
    _error_format_option(s, hidden)
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
        p = _Parser(prog=f"{PROG} {name}")
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


# -- failures ----------------------------------------------------------------------
def report(exc: BaseException, error_format: str, action: str | None,
           exit_code: int | None = None) -> int:
    """Print a failure on stderr (one line of text, or one JSON object); its exit code."""
    code = exit_code_of(exc) if exit_code is None else exit_code
    record = _interrupt_record(exc) if isinstance(exc, KeyboardInterrupt) else error_record(exc)
    if not isinstance(exc, ConnectorError | KeyboardInterrupt) and not str(exc):
        record["message"] = f"{type(exc).__name__} (no message)"  # never a bare name
    if error_format == "json":
        line = json.dumps(redact_value({"status": "error", "action": action, "error": record,
                                        "exit_code": code}),
                          ensure_ascii=False, default=str)
    else:
        text = str(exc) if isinstance(exc, ConnectorError) else record["message"]
        if not isinstance(exc, ConnectorError | KeyboardInterrupt):
            text = f"internal error: {text}"
        line = "error: " + " ".join(redact(text).split())  # always one line
    print(line, file=sys.stderr, flush=True)
    return code


def _interrupt_record(exc: KeyboardInterrupt) -> dict[str, Any]:
    name = signal.Signals(getattr(exc, "signum", signal.SIGINT)).name
    return {"type": "interrupted", "code": "interrupted", "category": "transient",
            "retryable": False,
            "message": f"interrupted by {name}: a create or update in flight may or may "
                       "not have taken effect"}


@contextlib.contextmanager
def _sigterm_as_interrupt() -> Iterator[None]:
    """SIGTERM unwinds like Ctrl-C (exit 143) instead of killing the process mid-write."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return

    def on_term(signum: int, _frame: Any) -> None:
        raise _Interrupted(signum)

    previous = signal.signal(signal.SIGTERM, on_term)
    try:
        yield
    finally:
        signal.signal(signal.SIGTERM, previous)


def _quiet_stdout() -> None:
    """After EPIPE: point stdout at /dev/null so the final flush cannot fail again.

    The way the Python docs recommend (`signal` module, "Note on SIGPIPE").
    """
    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
    except (OSError, ValueError, AttributeError):  # io.UnsupportedOperation is both
        pass  # a replaced stdout (tests): nothing left to flush to a pipe


def main(argv: Sequence[str] | None = None) -> int:
    # Everything the command prints, its failures included, is masked with these.
    secrets = Secrets(os.environ.get("SEGMENT_API_TOKEN"))
    with scope(secrets):
        return _main(list(sys.argv[1:] if argv is None else argv), secrets)


def _main(argv: list[str], secrets: Secrets) -> int:
    # Known before parsing, so that a usage error is printed in the format asked for.
    error_format = _option_value(argv, "--error-format")
    if error_format not in ERROR_FORMATS:
        error_format = "text"
    args: argparse.Namespace | None = None
    try:
        with _sigterm_as_interrupt():
            p = parser(argv)
            try:
                args, rest = p.parse_known_args(argv)
            except SystemExit as done:  # --help, --version
                return done.code if isinstance(done.code, int) else 0
            error_format = args.error_format
            if getattr(args, "delegated", False):
                args.rest = rest
            elif rest:
                p.error(f"unrecognized arguments: {' '.join(rest)}")
            secrets.add(getattr(args, "token", None))
            _log_to_stderr()
            registry = None
            if getattr(args, "needs_registry", True):
                registry = Registry.load(strict=args.strict_plugins)
            code = int(args.fn(args, registry) or 0)
            sys.stdout.flush()  # a closed pipe shows here, inside the handlers below
            return code
    except BrokenPipeError:
        _quiet_stdout()
        return EXIT_PIPE
    except KeyboardInterrupt as exc:
        return report(exc, error_format, getattr(args, "key", None),
                      128 + getattr(exc, "signum", signal.SIGINT))
    except Exception as exc:  # last line of defence: one line, no secrets
        if not isinstance(exc, ConnectorError) and getattr(args, "debug", False):
            import traceback

            print(redact("".join(traceback.format_exception(exc))), file=sys.stderr)
        try:
            return report(exc, error_format, getattr(args, "key", None))
        except BrokenPipeError:
            return exit_code_of(exc)


if __name__ == "__main__":
    sys.exit(main())
