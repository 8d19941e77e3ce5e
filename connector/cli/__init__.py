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

Modules: `arguments` (the command line, its options and usage errors),
`help_text` (exit codes and connection settings as help states them),
`commands` (list, run, picklist, manifest), `describe`, `inputs` (--input,
--input-json), `api_runtime` (the Runtime a command calls the API through),
`output` (JSON on stdout) and `failures` (errors on stderr, SIGTERM, a closed pipe).
"""

from __future__ import annotations

import argparse
import os
import signal
import sys
from collections.abc import Sequence

from connector.cli.arguments import ERROR_FORMATS, option_value, parser
from connector.cli.failures import EXIT_PIPE, quiet_stdout, report, sigterm_as_interrupt
from connector.cli.output import log_to_stderr
from connector.errors import ConnectorError, exit_code_of
from connector.redact import Secrets, redact, scope
from connector.registry import Registry

__all__ = ["main", "parser"]


def main(argv: Sequence[str] | None = None) -> int:
    # Everything the command prints, its failures included, is masked with these.
    secrets = Secrets(os.environ.get("SEGMENT_API_TOKEN"))
    with scope(secrets):
        return _main(list(sys.argv[1:] if argv is None else argv), secrets)


def _main(argv: list[str], secrets: Secrets) -> int:
    # Known before parsing, so that a usage error is printed in the format asked for.
    error_format = option_value(argv, "--error-format")
    if error_format not in ERROR_FORMATS:
        error_format = "text"
    args: argparse.Namespace | None = None
    try:
        with sigterm_as_interrupt():
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
            log_to_stderr(getattr(args, "log_format", "text"))
            registry = None
            if getattr(args, "needs_registry", True):
                registry = Registry.load(strict=args.strict_plugins)
            code = int(args.fn(args, registry) or 0)
            sys.stdout.flush()  # a closed pipe shows here, inside the handlers below
            return code
    except BrokenPipeError:
        quiet_stdout()
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
