"""Masking: the token and secret fields never show, whatever a hostile API echoes back.

The fake API is the masking tests' own (`tests/test_secrets.py`, `tests/test_secrets_scoped.py`):
it echoes the Authorization header in bodies, headers, redirects and transport error
messages, and in error messages longer than every cut-off.
"""

from __future__ import annotations

import contextlib
import io
import json
import logging
import random
import secrets
import tempfile
import traceback
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any
from urllib.parse import quote

import responses

from connector import cli
from connector.batch import run_batch
from connector.connection import Connection
from connector.errors import ConnectorError
from connector.runtime import Runtime
from connector.samples import sample_inputs
from hardening.cases import SECRET_FIELDS
from hardening.common import SEED, Records, Section, capture_logs, params, test_module

SINK = "http://127.0.0.1:9"  # nothing listens: every request is answered by the fake API


def forms(token: str) -> set[str]:
    """Every way `token` could show: as written, without its prefix, escaped in JSON,
    URL-quoted, and the start or end a cut-off would leave."""
    return {token, token[4:], json.dumps(token)[1:-1], quote(token, safe=""), token[:16],
            token[-16:]}


def holds(texts: list[str], token: str) -> bool:
    found = forms(token)
    return any(f in text for text in texts for f in found)


@contextlib.contextmanager
def hostile(callback: Callable[..., Any]) -> Iterator[responses.RequestsMock]:
    """Every method on every URL answered by `callback`."""
    with responses.RequestsMock(assert_all_requests_are_fired=False) as api:
        for verb in test_module("test_secrets").METHODS:
            api.add_callback(verb, test_module("test_secrets").ANY_URL, callback=callback)
        yield api


@contextlib.contextmanager
def cli_session() -> Iterator[Callable[[list[str]], tuple[int, str, str]]]:
    """`cli.main` in this process, its stdout and stderr captured (the CLI's log handler
    writes to whatever stderr is current); the handler and level it set are taken away
    afterwards."""
    pkg = logging.getLogger("segment_connector")
    before, level = list(pkg.handlers), pkg.level

    def run(argv: list[str]) -> tuple[int, str, str]:
        out, err = io.StringIO(), io.StringIO()
        with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
            code = cli.main(argv)
        return code, out.getvalue(), err.getvalue()

    try:
        yield run
    finally:
        for handler in pkg.handlers[:]:
            if handler not in before:
                pkg.removeHandler(handler)
        pkg.setLevel(level)


def measure() -> Section:
    section = Section(
        "Masking",
        "A fresh random token, never printed, goes through every action, picklist and "
        "Raw Request (each method) with debug on, against the masking tests' fake API: "
        "each answer of `tests/test_secrets.py` (JSON, HTML, empty, a redirect, a dropped "
        "connection, a timeout, 4xx, 429, 5xx, all echoing the token) and an error message "
        "holding it beyond every cut-off. *Holding the token* means any of: as written, "
        "without `sgp_`, JSON-escaped, URL-quoted, or its first or last 16 characters.")
    ts = test_module("test_secrets")
    token = "sgp_" + secrets.token_hex(32)
    c = section.counts
    leaky: set[tuple[str, str]] = set()  # (answer, type of the link holding the token)
    with capture_logs() as records:
        _runtime_sweep(c, records, token, leaky)
        _dry_runs(c, token)
        with cli_session() as run_cli:
            _cli_sweep(c, records, run_cli, token)
            _json_special(c, records, run_cli)
            _secret_fields(c, records, run_cli, token)
    targets = len(ts.ACTIONS) + len(ts.PICKLISTS) + len(ts.METHODS)
    answers = len(ts.ANSWERS) + 1
    section.row(f"Runs: {len(ts.ACTIONS)} actions, {len(ts.PICKLISTS)} picklists and Raw "
                f"Request with {len(ts.METHODS)} methods, each against {answers} answers",
                f"{c['runs']} ({targets} x {answers})")
    section.row("... ended ok / in a typed error / untyped",
                f"{c['ok']} / {c['typed']} / {c['untyped']}")
    section.row("... requests sent, each with the token", c["requests"])
    section.row("... holding the token: log records / error messages (str, repr, "
                "attributes, to_dict, traceback lines) / exception chains (a link holding "
                "it, or the library's request)",
                f"{c['log leaks']} / {c['error leaks']} / {c['chain leaks']}")
    section.row("CLI, every action once (seeded answer), debug on: runs / stdout, stderr "
                "or log records holding the token", f"{c['cli runs']} / {c['cli leaks']}")
    section.row("Dry runs of every action, debug on: runs / outputs holding the token",
                f"{c['dry runs']} / {c['dry leaks']}")
    section.row(f"JSON-special tokens ({c['special tokens']}) through the CLI, answers ok "
                "and long: runs / output that is not JSON / holding the token",
                f"{c['special runs']} / {c['special not json']} / {c['special leaks']}")
    section.row(f"Secret fields ({len(SECRET_FIELDS)}: password, privateKey, apiKey, a "
                "setting flagged sensitive, apiSecret, a Raw Request body password): shown "
                "in dry runs (runtime, CLI) / debug logs or CLI output / results files",
                f"{c['secret in dry runs']} / {c['secret in logs']} / "
                f"{c['secret in results']}")
    section.row("... requests that carried the value intact (runtime, CLI, batch)",
                f"{c['secret sent intact']} of {c['secret requests']}")
    if leaky:
        answers_, links = sorted({a for a, _ in leaky}), sorted({t for _, t in leaky})
        section.notes.append(
            f"Exception chains holding the token: answers {', '.join(answers_)}; links "
            f"{', '.join(links)}. `raise ... from None` hides a link from tracebacks but "
            "keeps it as `__context__`, with its attributes (a decoding error's `doc` is "
            "the whole body).")
    return section


def error_texts(exc: BaseException) -> list[str]:
    """What a caller may print or log of an error: message, repr, attributes and record of
    the error, and each line a traceback shows of every exception in its chain (the
    chain walk itself is `holds_secret`'s)."""
    texts = [str(exc), repr(exc), repr(vars(exc))]
    if isinstance(exc, ConnectorError):
        texts.append(json.dumps(exc.to_dict(), default=str))
    for link in test_module("test_secrets_scoped").chain(exc):
        texts += traceback.format_exception_only(link)
    return texts


def _runtime_sweep(c: Any, records: Records, token: str, leaky: set[tuple[str, str]]) -> None:
    ts, tss = test_module("test_secrets"), test_module("test_secrets_scoped")
    targets = ([("action", k, "GET") for k in ts.ACTIONS]
               + [("picklist", k, "GET") for k in ts.PICKLISTS]
               + [("raw", "rawRequest", m) for m in ts.METHODS])
    answers: list[tuple[Any, Callable[..., Any]]] = [(a, ts.hostile_api(a)) for a in ts.ANSWERS]
    answers.append(("long", tss.echo("long")))
    for kind, key, method in targets:
        for answer, callback in answers:
            rt = Runtime(Connection(token=token), registry=ts.REGISTRY, policy=ts.POLICY,
                         debug=True, sleep=lambda _s: None)
            records.lines.clear()
            c["runs"] += 1
            with hostile(callback) as api:
                try:
                    ts.call(rt, kind, key, method)
                    c["ok"] += 1
                except Exception as exc:  # every error path, typed or not
                    c["typed" if isinstance(exc, ConnectorError) else "untyped"] += 1
                    c["error leaks"] += holds(error_texts(exc), token)
                    held = [type(link).__name__ for link in tss.chain(exc)
                            if tss.holds_secret(link, token)]
                    c["chain leaks"] += bool(held)
                    leaky.update((str(answer), name) for name in held)
                sent = [call.request.headers.get("Authorization") for call in api.calls]
            c["requests"] += len(sent)
            c["requests without the token"] += sum(h != f"Bearer {token}" for h in sent)
            c["log leaks"] += holds(records.lines, token)


def _dry_runs(c: Any, token: str) -> None:
    ts = test_module("test_secrets")
    rt = Runtime(Connection(token=token), registry=ts.REGISTRY, debug=True)
    for key in ts.ACTIONS:
        c["dry runs"] += 1
        try:
            text = json.dumps(rt.dry_run(key, sample_inputs(ts.REGISTRY.action(key))),
                              default=str)
        except ConnectorError as exc:
            text = f"{exc!r} {exc}"
        c["dry leaks"] += holds([text], token)


def _cli_sweep(c: Any, records: Records, run_cli: Callable[[list[str]], tuple[int, str, str]],
               token: str) -> None:
    ts = test_module("test_secrets")
    rng = random.Random(SEED)
    for key in ts.ACTIONS:
        answer = rng.choice(ts.CLI_ANSWERS)
        argv = ["run", key, "--example-inputs", "--token", token, "--debug"]
        if key == "rawRequest":
            argv += ["-i", "url=/sources", "-i", "method=GET"]
        records.lines.clear()
        with hostile(ts.hostile_api(answer)):
            code, out, err = run_cli(argv)
        c["cli runs"] += 1
        c["cli silent failures"] += code != 0 and not err
        c["cli leaks"] += holds([out, err, *records.lines], token)


def _json_special(c: Any, records: Records,
                  run_cli: Callable[[list[str]], tuple[int, str, str]]) -> None:
    tss = test_module("test_secrets_scoped")
    tokens = params("test_secrets_scoped", "test_cli_output_stays_valid_json_whatever_the_token",
                    "token")
    c["special tokens"] = len(tokens)
    for token in tokens:
        # The long error through Raw Request, which retries nothing unless asked: the
        # default policy would retry a GET's 500 after real waits.
        for answer, call in (("ok", ["getSource", "-i", "sourceId=s1"]),
                             ("long", ["rawRequest", "-i", "url=/sources/s1", "-i",
                                       "method=GET"])):
            records.lines.clear()
            with hostile(tss.echo(answer)):
                _, out, err = run_cli(["run", *call, "--token", token, "--base-url", SINK,
                                       "--debug"])
            c["special runs"] += 1
            if answer == "ok":
                try:
                    json.loads(out)
                except ValueError:
                    c["special not json"] += 1
            c["special leaks"] += holds([out, err, *records.lines], token)


def _secret_fields(c: Any, records: Records,
                   run_cli: Callable[[list[str]], tuple[int, str, str]], token: str) -> None:
    ts, tss = test_module("test_secrets"), test_module("test_secrets_scoped")
    policy = tss.POLICY
    with tempfile.TemporaryDirectory() as tmp:
        for n, (_what, key, make) in enumerate(SECRET_FIELDS):
            value = f"secret-{n}-" + secrets.token_hex(12)
            inputs = make(value)
            rt = Runtime(Connection(token=token, base_url=SINK), registry=ts.REGISTRY,
                         policy=policy, debug=True)
            shown_dry = [json.dumps(rt.dry_run(key, inputs))]
            path = Path(tmp) / f"in{n}.json"
            path.write_text(json.dumps(inputs), encoding="utf-8")
            base = ["run", key, "--input-json", str(path), "--token", token,
                    "--base-url", SINK]
            records.lines.clear()
            with hostile(tss.echo("ok")) as api:
                rt.run(key, inputs)
                code, out, err = run_cli([*base, "--debug"])
                _, dry_out, dry_err = run_cli([*base, "--dry-run"])
                results = Path(tmp) / f"out{n}.jsonl"
                # A second line the action refuses: its error record is written too.
                run_batch(Runtime(Connection(token=token, base_url=SINK), registry=ts.REGISTRY,
                                  policy=policy), key, [inputs, {**inputs, "region": "mars"}],
                          results, progress=False, handle_signals=False)
                bodies = [call.request.body or b"" for call in api.calls]
            shown_dry += [dry_out, dry_err]
            c["secret in dry runs"] += sum(value in text for text in shown_dry)
            c["secret in logs"] += sum(value in text for text in [out, err, *records.lines])
            c["secret in results"] += value in results.read_text(encoding="utf-8")
            c["secret requests"] += len(bodies)
            c["secret sent intact"] += sum(
                value in (b.decode() if isinstance(b, bytes) else b) for b in bodies)
            c["secret cli failures"] += code != 0
