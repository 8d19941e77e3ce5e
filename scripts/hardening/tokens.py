"""Tokens: a malformed token is refused when the connection is made, before any request,
and the refusal never quotes it."""

from __future__ import annotations

import json

import responses

from connector.connection import Connection
from connector.errors import InputError
from connector.runtime import Runtime
from hardening.cases import malformed_tokens
from hardening.common import Section, test_module


def measure() -> Section:
    section = Section(
        "Tokens",
        "Each malformed token is given as an argument and as `SEGMENT_API_TOKEN`, then "
        "used for a call: the token tests' cases (`tests/test_token_checks.py`), then "
        "each C0 control character, space, DEL, NEL, Unicode spaces and a seeded draw of "
        "non-ASCII characters at the start, middle and end of a good token.")
    good = test_module("test_token_checks").GOOD
    c = section.counts
    for _what, token in malformed_tokens():
        c["tried"] += 1
        texts: list[str] = []
        refused = 0
        with responses.RequestsMock(assert_all_requests_are_fired=False) as api:
            api.add(responses.GET, "https://api.segmentapis.com/", json={})
            for make in (lambda t=token: Connection(token=t),
                         lambda t=token: Connection.resolve(environ={"SEGMENT_API_TOKEN": t})):
                try:
                    Runtime(make()).run("getWorkspace", {})
                except InputError as exc:
                    refused += "token" in exc.fields
                    texts += [str(exc), repr(exc), json.dumps(exc.to_dict())]
                except Exception as exc:  # anything else is a finding, not a crash
                    c["other outcome"] += 1
                    texts.append(f"{exc!r} {exc}")
            c["requests sent"] += len(api.calls)
        c["refused"] += refused == 2
        quoted = [p for p in (token.strip(), good[6:20]) if len(p) >= 4]
        c["quoted"] += any(p in t for p in quoted for t in texts)
    section.row("Malformed tokens tried (as an argument and from the environment)",
                c["tried"])
    section.row("Refused, naming `token`, before any request", c["refused"])
    section.row("Requests sent", c["requests sent"])
    section.row("Refusals that quote the token", c["quoted"])
    return section
