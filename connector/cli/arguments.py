"""The command line: every command's options, their help, and usage errors (exit 2)."""

from __future__ import annotations

import argparse
import importlib
import math
import re
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any, NoReturn

from connector import __version__
from connector.cli import commands, describe, manifest_cmd, poll
from connector.cli.help_text import (
    BATCH_EXIT_CODES,
    CONNECTION_ORDER,
    EXIT_CODES,
    LAYER_NAMES,
    PROG,
    connection_now,
    install_hint,
    settings_order,
)
from connector.connection import REGIONS
from connector.errors import InputError
from connector.registry import Registry

MANIFEST = Path("manifest.json")
# RetryPolicy's defaults, stated here so that help does not import the retry
# module (tests keep the two equal); None on the command line keeps the policy's.
DEFAULT_TIMEOUT_S = 30.0
DEFAULT_DEADLINE_S = 300.0
DEFAULT_CONCURRENCY = 4
ERROR_FORMATS = ("text", "json")


class UsageError(InputError):
    """A command line argparse refused (an unknown command, a bad option value)."""

    def __init__(self, field: str, problem: str, prog: str) -> None:
        super().__init__({field: problem})
        # One line that reads well on its own, with the way to more help.
        self.args = (f"{field}: {problem} (see `{prog} --help`)",)

    @property
    def code(self) -> str:
        return "usage"


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


def option_value(argv: Sequence[str], name: str) -> str | None:
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


# -- option values ---------------------------------------------------------------------
def _above_zero(unit: str = "") -> Callable[[str], float]:
    """An argparse type: a finite number above 0, counted in `unit` when one is named."""
    of_unit, in_unit = (f" of {unit}", f" {unit}") if unit else ("", "")

    def parse(text: str) -> float:
        try:
            value = float(text)
        except ValueError:
            raise argparse.ArgumentTypeError(
                f"must be a number{of_unit}, not {text!r}") from None
        if not math.isfinite(value) or value <= 0:
            raise argparse.ArgumentTypeError(f"must be more than 0{in_unit}, not {text!r}")
        return value

    return parse


_seconds = _above_zero("seconds")
_scale = _above_zero()


def _concurrency(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"must be a whole number, not {text!r}") from None
    from connector.batch.run import MAX_CONCURRENCY  # deferred: batch loads only for --batch

    if value < 1:
        raise argparse.ArgumentTypeError(f"must be 1 or more, not {text!r}")
    if value > MAX_CONCURRENCY:
        raise argparse.ArgumentTypeError(f"must be {MAX_CONCURRENCY} or less, not {text!r}")
    return value


# -- option groups ---------------------------------------------------------------------
def _error_format_option(p: argparse.ArgumentParser, default: Any) -> None:
    p.add_argument("--error-format", choices=ERROR_FORMATS, default=default,
                   help="how a failure is printed on stderr: text (`error: <message>`, one "
                        "line) or json (one object: status, action, error, exit_code); "
                        "default text")


def _connection_options(p: argparse.ArgumentParser, now: dict[str, str]) -> None:
    order = ", then ".join(LAYER_NAMES[layer] for layer in CONNECTION_ORDER)
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


def _api_options(p: argparse.ArgumentParser, now: dict[str, str]) -> None:
    """What every command that calls the API takes: time limits, the connection, and the
    error format (after the command name too; SUPPRESS keeps a global one)."""
    _time_options(p)
    _connection_options(p, now)
    _error_format_option(p, argparse.SUPPRESS)


def _input_options(p: argparse.ArgumentParser) -> None:
    g = p.add_argument_group("inputs")
    g.add_argument("--input", "-i", action="append", default=[], metavar="NAME=VALUE",
                   help="an input value; repeatable, once per name. Strings as typed; "
                        "other types as JSON (count=10, followAll=true, settings='{\"a\":1}')")
    g.add_argument("--input-json", metavar="FILE",
                   help="inputs as one JSON object in FILE, - for stdin; --input values "
                        "override it")


# -- the commands ----------------------------------------------------------------------
def parser(argv: Sequence[str] = ()) -> argparse.ArgumentParser:
    """The command line; `argv` (when help is asked for) lets help show the profile's values."""
    raw = argparse.RawDescriptionHelpFormatter
    p = _Parser(prog=PROG, formatter_class=raw,
                description="Segment Public API actions and picklists: list them, describe "
                            "their inputs,\nrun them, fetch picklist options.",
                epilog=f"{EXIT_CODES}\n\n{settings_order()}\n\n"
                       f"`{PROG} COMMAND --help` shows a command's options.")
    p.add_argument("--version", action="version", version=f"%(prog)s {__version__}",
                   help="print the version and exit")
    p.add_argument("--strict-plugins", action="store_true",
                   help="fail when a third-party plugin cannot be loaded (default: skip it "
                        "with a warning)")
    _error_format_option(p, "text")
    p.add_argument("--log-format", choices=("text", "json"), default="text",
                   help="log records on stderr as text lines or one JSON object each "
                        "(secrets masked); default text")
    sub = p.add_subparsers(dest="command", required=True, metavar="COMMAND",
                           title="commands", help=f"one of these; `{PROG} COMMAND --help` "
                                                  "shows its options")
    # Per command too, so it works after the command name; SUPPRESS keeps a global one.
    hidden = argparse.SUPPRESS
    asks_help = any(a in ("-h", "--help") for a in argv)
    now = connection_now(option_value(argv, "--profile") if asks_help else None)

    s = sub.add_parser("list", help="list actions, picklists and triggers",
                       description="List every action, picklist and trigger the plugins declare.")
    s.add_argument("--json", action="store_true",
                   help="print JSON (key, display, area, plugin) instead of a table")
    _error_format_option(s, hidden)
    s.set_defaults(fn=commands.cmd_list)

    s = sub.add_parser("describe", help="inputs, defaults and example payload of an action, "
                       "picklist or trigger",
                       description="Inputs (type, default, example value), and an example "
                                   "payload (a trigger: sample event) of an action, picklist "
                                   "or trigger.")
    s.add_argument("key", help="action, picklist or trigger key or alias, e.g. createSource; see "
                               f"`{PROG} list`")
    s.add_argument("--json", action="store_true",
                   help="print the description as JSON (its manifest entry, with example "
                        "inputs)")
    _error_format_option(s, hidden)
    s.set_defaults(fn=describe.cmd_describe)

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
    b.add_argument("--distributed", action="store_true",
                   help="fan the lines out over `worker` processes (extra: distributed); "
                        "needs --profile, which each worker reads from its own config; "
                        "the workers' number sets the calls in parallel, not --concurrency")
    b.add_argument("--redis", metavar="URL", default=None,
                   help="with --distributed: the workers' Redis, without a password "
                        "(default: $SEGMENT_CONNECTOR_REDIS_URL, else [distributed] redis "
                        "of the config file, else redis://127.0.0.1:6379/0)")
    from connector.reliability import add_arguments as guard_options

    guard_options(s)
    _api_options(s, now)
    s.set_defaults(fn=commands.cmd_run)

    s = sub.add_parser("picklist", help="fetch a picklist; prints {\"result\": [...]}",
                       description="Fetch the options of a picklist: "
                                   "{\"result\": [{\"label\", \"key\"}]}.")
    s.add_argument("key", help=f"picklist key or alias, e.g. sources; see `{PROG} list`")
    _input_options(s)
    _api_options(s, now)
    s.set_defaults(fn=commands.cmd_picklist)

    s = sub.add_parser("poll", help="poll a trigger; prints its new events as JSON lines",
                       description="Poll a trigger once (or every SECONDS with --watch): "
                                   "print each new event as one JSON line, then save the "
                                   "state for the next poll in --state FILE. The first "
                                   "poll starts from now (or from the `since` input).")
    s.add_argument("key", help=f"trigger key or alias, e.g. sourceCreated; see `{PROG} list`")
    s.add_argument("--state", required=True, metavar="FILE",
                   help="where the trigger's state is kept between polls (created on the "
                        "first poll, replaced atomically after each)")
    s.add_argument("--watch", type=_seconds, metavar="SECONDS",
                   help="keep polling, SECONDS apart, until interrupted")
    _input_options(s)
    _api_options(s, now)
    s.set_defaults(fn=poll.cmd_poll)

    s = sub.add_parser("check", help="test the connection; prints the workspace it reaches",
                       description="Prove the connection with the cheapest read (getWorkspace) "
                                   "and print the workspace's id, name and slug, and the region.")
    _api_options(s, now)
    s.set_defaults(fn=commands.cmd_check)

    s = sub.add_parser("manifest", help="write manifest.json, or --check that it is current",
                       description="Write the manifest a flow builder reads, or check it.")
    s.add_argument("--output", "-o", default=str(MANIFEST), metavar="FILE",
                   help=f"file to write or check (default: {MANIFEST})")
    s.add_argument("--check", action="store_true",
                   help="write nothing; exit 1 when the file is missing or stale")
    _error_format_option(s, hidden)
    s.set_defaults(fn=commands.cmd_manifest)
    manifest_cmd.mount(s)

    _mount_optional(sub)
    return p


def _mount_optional(sub: Any) -> None:
    """Commands whose modules load only when used, so they cost nothing at start-up."""
    for name, module, help_text in (
        ("simulator", "connector.simulator.cli", "serve a local simulator of the Segment API"),
        ("demo", "connector.demo", "run a short flow against the simulator (or --real)"),
        ("docs", "connector.docs", "write the Markdown reference in docs/, or --check it"),
        ("legacy", "connector.legacy.cli", "run, explain or scan legacy Config API calls"),
        ("serve", "connector.service.cli", "serve the connector over HTTP (the serve extra)"),
        ("mcp", "connector.mcp.cli", "serve the actions as MCP tools over stdio (the mcp extra)"),
        ("worker", "connector.distributed.worker",
         "run a Celery worker for distributed bulk runs (extra: distributed)"),
        ("validate", "connector.cli.validate", "check a plugin package; exit 1 on any error"),
        ("new", "connector.scaffold", "make a new plugin package: `new plugin NAME`"),
    ):
        # No arguments here: main() hands everything after the name to the module.
        s = sub.add_parser(name, help=help_text, add_help=False)
        s.set_defaults(fn=_delegate(name, module), needs_registry=False, delegated=True)


# Commands of an extra, and the packages of that extra they import.
_EXTRAS = {"serve": ("serve", {"fastapi", "uvicorn", "starlette"}),
           "worker": ("distributed", {"celery", "redis", "kombu"}),
           "mcp": ("mcp", {"mcp", "mcp_types", "anyio"})}



def _delegate(name: str, module: str) -> Any:
    def fn(args: argparse.Namespace, _registry: Registry | None) -> int:
        try:
            mod = importlib.import_module(module)
            p = _Parser(prog=f"{PROG} {name}")
            mod.add_arguments(p)
            return int(mod.run(p.parse_args(args.rest)) or 0)
        except ImportError as exc:
            extra, packages = _EXTRAS.get(name, ("", set()))
            missing = (exc.name or "").partition(".")[0]
            if missing not in packages:
                raise
            raise InputError({name: f"needs the {extra} extra ({missing} is not installed): "
                              f"{install_hint(extra)}"}) from None

    return fn
