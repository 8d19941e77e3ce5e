"""Raw Request inputs: what HTTP, UTF-8 or the host guard cannot take is refused, in a run
and a dry run alike, before anything is sent, and the refusal never quotes a value."""

from __future__ import annotations

import json
import re
from typing import Any
from urllib.parse import urlsplit

import responses

from actions.raw_request import target_url
from connector.connection import SEGMENT_HOSTS, Connection
from connector.errors import InputError
from connector.runtime import Runtime
from hardening.cases import (
    HOSTILE_URLS,
    hostile_header_names,
    hostile_header_values,
    hostile_ports,
    hostile_schemes,
)
from hardening.common import Section, test_module

ANY_URL = re.compile(r".*")
API = "https://api.segmentapis.com"


def guard_results(urls: tuple[str, ...] = HOSTILE_URLS) -> dict[str, str]:
    """Each URL -> `refused`, `path on <host>` (kept on the API host) or `LEAVES <host>`."""
    out = {}
    for url in urls:
        try:
            host = urlsplit(target_url(url, API)).hostname or ""
        except InputError:
            out[url] = "refused"
            continue
        out[url] = f"path on {host}" if host in SEGMENT_HOSTS else f"LEAVES {host}"
    return out


def measure() -> Section:
    section = Section(
        "Raw Request inputs",
        "Each input is run and dry-run through Raw Request against a fake API that records "
        "every request: the refusals of the Raw Request tests "
        "(`tests/test_raw_request_hostile.py`), then a header name holding each character "
        "those tests say breaks a name, a value holding a secret and each control character "
        "or (a seeded draw) a character beyond Latin-1, other ports and schemes on a "
        "Segment host (fixed and seeded), and hostile URLs (other hosts, scheme-relative, "
        "userinfo tricks, backslashes, encoded variants, look-alike hosts, CR/LF).")
    trh = test_module("test_raw_request_hostile")
    secret = trh.SECRET
    rt = Runtime(Connection(token=trh.TOKEN), registry=test_module("test_secrets").REGISTRY,
                 policy=trh.POLICY, sleep=lambda _s: None)
    groups: list[tuple[str, list[dict[str, Any]]]] = [
        ("The Raw Request tests' refusals", [extra for _, extra, _ in trh.BAD]),
        ("Header names with a character a name may not hold",
         [{"headers": {name: "1"}} for name in hostile_header_names()]),
        ("Header values with a control character or beyond Latin-1",
         [{"headers": {"X-Api-Key": value}} for value in hostile_header_values(secret)]),
        ("Ports other than 443 on a Segment host",
         [{"url": f"https://api.segmentapis.com:{port}/sources"} for port in hostile_ports()]),
        ("Schemes other than https on a Segment host",
         [{"url": f"{scheme}://api.segmentapis.com/sources"} for scheme in hostile_schemes()]),
    ]
    c = section.counts
    for label, cases in groups:
        refused = sent = 0
        for extra in cases:
            outcome = _try(rt, {"url": "/sources", "method": "GET", **extra}, secret)
            refused += outcome["refused"]
            sent += outcome["sent"]
            c["quoted"] += outcome["quoted"]
        c["tried"] += len(cases)
        c["refused"] += refused
        c["sent"] += sent
        section.row(label, f"{len(cases)} tried, {refused} refused, {sent} sent")
    guard = guard_results()
    kept = [url for url, v in guard.items() if v.startswith("path on")]
    leaves = [url for url, v in guard.items() if v.startswith("LEAVES")]
    url_sent_elsewhere = 0
    for url in HOSTILE_URLS:
        outcome = _try(rt, {"url": url, "method": "GET"}, secret)
        url_sent_elsewhere += outcome["elsewhere"]
    c["urls"] = len(guard)
    c["urls refused"] = sum(v == "refused" for v in guard.values())
    c["urls kept"] = len(kept)
    c["urls leaving"] = len(leaves) + url_sent_elsewhere
    section.row("Hostile URLs: refused / kept as a path on the API host / sent elsewhere",
                f"{len(guard)} tried: {c['urls refused']} / {c['urls kept']} / "
                f"{c['urls leaving']}")
    section.row("Refusals that quote the secret, or hold a line break", c["quoted"])
    if kept or leaves:
        section.notes += ["URLs that were not refused:", "",
                          *(f"- `{url!r}`: {guard[url]}" for url in [*kept, *leaves])]
    return section


def _try(rt: Runtime, inputs: dict[str, Any], secret: str) -> dict[str, int]:
    """Run and dry-run `inputs`: refused by both (the same fields), requests sent, sent
    off the API host, refusals quoting `secret`."""
    out = {"refused": 0, "sent": 0, "elsewhere": 0, "quoted": 0}
    errors = []
    with responses.RequestsMock(assert_all_requests_are_fired=False) as api:
        for method in ("GET", "POST"):
            api.add_callback(method, ANY_URL, callback=lambda _r: (200, {}, "{}"))
        for call in (rt.dry_run, rt.run):
            try:
                call("rawRequest", inputs)
            except InputError as exc:
                errors.append(exc)
        out["sent"] = len(api.calls)
        out["elsewhere"] = sum(urlsplit(call.request.url or "").hostname not in SEGMENT_HOSTS
                               for call in api.calls)
    if len(errors) == 2 and errors[0].fields == errors[1].fields:
        out["refused"] = 1
    for error in errors:
        text = str(error) + json.dumps(error.to_dict())
        out["quoted"] += secret in text or "\r" in text or "\n" in text
    return out
