"""Size: an answer is refused once its decoded body passes the cap, holding no more than
the cap and one decoding step; a listing that never ends is stopped after a set number
of pages."""

from __future__ import annotations

import tracemalloc
from typing import Any

import responses

from connector.body import STEP
from connector.connection import Connection
from connector.errors import ResponseError
from connector.runtime import MAX_EMPTY_PAGES, MAX_PAGES, PageCapError, Runtime
from connector.transport import MAX_BODY_BYTES
from hardening.common import Section, loopback, test_module

MiB = 1 << 20
PAGES = 50  # max_pages for the listings of items forever (the default is MAX_PAGES)
BASE = "https://api.segmentapis.com"


def measure() -> Section:
    section = Section(
        "Size",
        f"Compression bombs from the bounded-answer tests (`tests/test_bounded_answers.py`): "
        f"zeros that decode to the cap ({MAX_BODY_BYTES // MiB} MiB) plus 16 MiB, under 1 MiB "
        "on the wire, served by a loopback server with and without `Content-Length`; "
        "memory is Python's peak as `tracemalloc` counts it while one call runs. Listings "
        "from the page-cap tests (`tests/test_page_caps.py`): a fake API whose pages each "
        "name a fresh `next` cursor forever.")
    c = section.counts
    registry = test_module("test_secrets").REGISTRY
    peak = _bombs(c, registry)
    _pages(c, registry)
    section.row(f"Bombs: gzip, deflate, raw deflate x with and without Content-Length "
                f"({c['bombs']}): refused past the decoded cap (ResponseError)",
                c["bombs refused"])
    section.row(f"... peak memory below the cap plus one {STEP // MiB} MiB decoding step "
                "and 1 MiB of slack", f"{c['bombs within bound']} of {c['bombs']}")
    section.row("... highest peak, whole MiB rounded up", f"{peak} MiB")
    section.row(f"Endless empty pages with fresh cursors ({c['empty listings']} ways to list: "
                f"pages, items, followAll, picklist): stopped with PageCapError",
                f"{c['empty stopped']}, each after {MAX_EMPTY_PAGES} pages: "
                f"{c['empty at cap']} of {c['empty listings']}")
    section.row(f"Pages of items with fresh cursors forever, max_pages {PAGES} "
                f"({c['full listings']} ways to list: items, followAll, picklist): stopped "
                "with PageCapError", f"{c['full stopped']}, each after {PAGES} pages: "
                f"{c['full at cap']} of {c['full listings']}")
    section.notes.append(f"The default cap on one listing is {MAX_PAGES:,} pages "
                         "(`Runtime(max_pages=)`).")
    return section


def _bombs(c: Any, registry: Any) -> int:
    tb = test_module("test_bounded_answers")
    bound = MAX_BODY_BYTES + STEP + MiB
    highest = 0
    for encoding in ("gzip", "deflate", "raw"):
        body = tb.compressed(tb.BOMB_BYTES, encoding)
        header = "deflate" if encoding == "raw" else encoding
        for with_length in (True, False):
            c["bombs"] += 1
            with loopback(tb.bomb(body, header, with_length)) as url:
                rt = Runtime(Connection(token=tb.TOKEN, base_url=url), registry=registry,
                             policy=tb.POLICY.with_(timeout_s=30.0, deadline_s=60.0))
                tracemalloc.start()
                try:
                    rt.run("getSource", {"sourceId": "s1"})
                except ResponseError as exc:
                    c["bombs refused"] += "once decoded" in str(exc)
                finally:
                    _, peak = tracemalloc.get_traced_memory()
                    tracemalloc.stop()
            c["bombs within bound"] += peak < bound
            highest = max(highest, -(-peak // MiB))
    return highest


def _pages(c: Any, registry: Any) -> None:
    endless = test_module("test_page_caps").Endless

    def listing(rt: Runtime, way: str) -> None:
        if way == "pages":
            list(rt.iter_pages("listSources"))
        elif way == "items":
            list(rt.iter_items("listSources"))
        elif way == "followAll":
            rt.run("listSources", {"followAll": True, "maxItems": 10**9})
        else:
            rt.picklist("sources")

    for kind, sizes, ways, cap in (
            ("empty", lambda _n: 0, ("pages", "items", "followAll", "picklist"),
             MAX_EMPTY_PAGES),
            ("full", lambda _n: 2, ("items", "followAll", "picklist"), PAGES)):
        for way in ways:
            c[f"{kind} listings"] += 1
            server = endless(sizes)
            rt = Runtime(Connection(token="sgp_page_caps_token"), registry=registry,
                         sleep=lambda _s: None, max_pages=PAGES)
            with responses.RequestsMock() as api:
                api.add_callback(responses.GET, f"{BASE}/sources", callback=server)
                try:
                    listing(rt, way)
                except PageCapError:
                    c[f"{kind} stopped"] += 1
            c[f"{kind} at cap"] += server.pages == cap
