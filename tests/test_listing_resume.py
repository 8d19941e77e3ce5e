"""Listings cut by `maxItems` resume right after the last item returned: nothing skipped,
nothing repeated, whichever way the cursor is given back."""

from __future__ import annotations

import base64
import json
from collections import Counter
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest
import responses

from connector.connection import Connection
from connector.errors import InputError
from connector.registry import Registry
from connector.runtime import RESUME_PREFIX, Runtime, read_cursor, resume_cursor
from connector.simulator import Simulator

BASE = "https://api.segmentapis.com"
JAVASCRIPT = "IqDTy1TpoU"


@pytest.fixture(scope="module")
def registry() -> Registry:
    return Registry.load(installed=False)


@pytest.fixture
def rt(registry: Registry) -> Runtime:
    return Runtime(Connection(token="sgp_resume_test_token"), registry=registry,
                   sleep=lambda _s: None)


class Listing:
    """A listing as the API pages it: opaque cursors `o<offset>` pointing at page starts,
    `previous` one page back, `next` absent on the last page."""

    def __init__(self, n: int) -> None:
        self.items = [{"id": f"src{i}", "name": f"Source {i}"} for i in range(n)]
        self.queries: list[dict[str, list[str]]] = []

    def __call__(self, request: Any) -> tuple[int, dict[str, str], str]:
        query = parse_qs(urlsplit(request.url).query)
        self.queries.append(query)
        count = int(query.get("pagination.count", ["200"])[0])
        cursor = query.get("pagination.cursor", [None])[0]
        offset = int(cursor[1:]) if cursor else 0
        pagination: dict[str, Any] = {"current": f"o{offset}", "totalEntries": len(self.items)}
        if offset + count < len(self.items):
            pagination["next"] = f"o{offset + count}"
        if offset > 0:
            pagination["previous"] = f"o{max(0, offset - count)}"
        body = {"data": {"sources": self.items[offset:offset + count],
                         "pagination": pagination}}
        return 200, {"Content-Type": "application/json"}, json.dumps(body)

    @property
    def cursors(self) -> list[str | None]:
        return [q.get("pagination.cursor", [None])[0] for q in self.queries]


def serve(n: int) -> Listing:
    listing = Listing(n)
    responses.add_callback(responses.GET, f"{BASE}/sources", callback=listing)
    return listing


def ids(answer: dict[str, Any]) -> list[str]:
    return [s["id"] for s in answer["data"]["data"]["sources"]]


def pagination(answer: dict[str, Any]) -> dict[str, Any]:
    return answer["data"]["data"]["pagination"]


def src(*numbers: int) -> list[str]:
    return [f"src{i}" for i in numbers]


# -- the cursor ----------------------------------------------------------------------------
def test_resume_cursor_round_trips() -> None:
    for cursor, skip in [("o3", 1), (None, 2), ("Mw==", 0), ("a/b+c=", 999)]:
        text = resume_cursor(cursor, skip)
        assert text.startswith(RESUME_PREFIX)
        assert set(text[len(RESUME_PREFIX):]) <= set(
            "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_")
        assert read_cursor(text) == (cursor, skip)


def test_api_cursors_pass_through_untouched() -> None:
    assert read_cursor("Mw==") == ("Mw==", 0)
    assert read_cursor(None) == (None, 0)


def encoded(doc: Any) -> str:
    return RESUME_PREFIX + base64.urlsafe_b64encode(json.dumps(doc).encode()).decode()


BAD_CURSORS = [
    RESUME_PREFIX, RESUME_PREFIX + "!!!", RESUME_PREFIX + "bm90IGpzb24",  # "not json"
    encoded([1, 2]), encoded({"cursor": "o3"}), encoded({"cursor": "o3", "skip": -1}),
    encoded({"cursor": "o3", "skip": True}), encoded({"cursor": "o3", "skip": 1.5}),
    encoded({"cursor": 3, "skip": 1}), encoded({"cursor": "", "skip": 1}),
    encoded({"cursor": "o3", "skip": 1, "extra": 0}),
]


@pytest.mark.parametrize("bad", BAD_CURSORS)
def test_a_prefixed_cursor_that_does_not_decode_is_an_input_error(bad: str) -> None:
    with pytest.raises(InputError) as caught:
        read_cursor(bad, "listSources")
    assert list(caught.value.fields) == ["cursor"]
    assert caught.value.action == "listSources"


@pytest.mark.parametrize("how", ["run", "followAll", "iter_pages", "iter_items", "dry_run"])
@responses.activate
def test_a_bad_cursor_fails_before_anything_is_sent(rt: Runtime, how: str) -> None:
    listing = serve(5)
    inputs = {"count": 2, "cursor": RESUME_PREFIX + "garbage!"}
    with pytest.raises(InputError) as caught:
        if how == "run":
            rt.run("listSources", inputs)
        elif how == "followAll":
            rt.run("listSources", {**inputs, "followAll": True})
        elif how == "iter_pages":
            list(rt.iter_pages("listSources", inputs))
        elif how == "iter_items":
            list(rt.iter_items("listSources", inputs))
        else:
            rt.dry_run("listSources", inputs)
    assert "cursor" in caught.value.fields
    assert listing.queries == []


# -- where a followAll answer stops, and what it says -------------------------------------------
@responses.activate
def test_cut_inside_a_page_resumes_right_after_the_last_item(rt: Runtime) -> None:
    listing = serve(8)
    out = rt.run("listSources", {"followAll": True, "count": 3, "maxItems": 4})
    assert ids(out) == src(0, 1, 2, 3)
    assert pagination(out)["truncated"] is True
    cursor = pagination(out)["next"]
    assert read_cursor(cursor) == ("o3", 1)  # the second page, less its first item

    listing.queries.clear()
    resumed = rt.run("listSources", {"count": 3, "cursor": cursor})
    assert ids(resumed) == src(4, 5)
    assert listing.cursors == ["o3"]  # the API is asked for the page start
    assert pagination(resumed)["next"] == "o6"  # the rest of the page, then the API's cursor


@responses.activate
def test_cut_on_a_page_boundary_gives_the_api_cursor(rt: Runtime) -> None:
    listing = serve(8)
    out = rt.run("listSources", {"followAll": True, "count": 3, "maxItems": 6})
    assert ids(out) == src(*range(6))
    assert pagination(out)["next"] == "o6"
    assert pagination(out)["truncated"] is True
    assert len(listing.queries) == 2  # the third page is not fetched to find out


@responses.activate
def test_cut_inside_the_first_page(rt: Runtime) -> None:
    listing = serve(8)
    out = rt.run("listSources", {"followAll": True, "count": 5, "maxItems": 2})
    cursor = pagination(out)["next"]
    assert read_cursor(cursor) == (None, 2)
    listing.queries.clear()
    assert ids(rt.run("listSources", {"count": 5, "cursor": cursor})) == src(2, 3, 4)
    assert listing.cursors == [None]


@pytest.mark.parametrize(("n", "max_items"), [(8, 100), (6, 6), (0, 5)])
@responses.activate
def test_a_listing_read_to_its_end_is_not_truncated(rt: Runtime, n: int, max_items: int) -> None:
    serve(n)
    out = rt.run("listSources", {"followAll": True, "count": 3, "maxItems": max_items})
    assert ids(out) == src(*range(n))
    assert "next" not in pagination(out)
    assert pagination(out)["truncated"] is False


@responses.activate
def test_current_and_previous_are_the_first_pages(rt: Runtime) -> None:
    serve(12)
    out = rt.run("listSources", {"followAll": True, "count": 3, "cursor": "o3",
                                 "maxItems": 7})
    assert ids(out) == src(*range(3, 10))
    # The last page fetched (o9) had previous o6; the answer starts at o3.
    assert pagination(out) == {"current": "o3", "previous": "o0", "totalEntries": 12,
                               "next": resume_cursor("o9", 1), "truncated": True}


@responses.activate
def test_an_answer_resumed_inside_a_page_says_where_it_starts(rt: Runtime) -> None:
    serve(12)
    cursor = resume_cursor("o3", 2)
    out = rt.run("listSources", {"followAll": True, "count": 3, "cursor": cursor,
                                 "maxItems": 4})
    assert ids(out) == src(5, 6, 7, 8)
    # current: exactly where the items start; previous: the page they start in, which
    # holds the items just before them.
    assert pagination(out)["current"] == cursor
    assert pagination(out)["previous"] == "o3"
    assert pagination(out)["next"] == "o9"


@responses.activate
def test_a_single_page_resumed_inside_says_where_it_starts(rt: Runtime) -> None:
    serve(12)
    cursor = resume_cursor("o3", 1)
    out = rt.run("listSources", {"count": 3, "cursor": cursor})
    assert ids(out) == src(4, 5)
    assert pagination(out) == {"current": cursor, "previous": "o3", "next": "o6",
                               "totalEntries": 12}


# -- resuming, every way -------------------------------------------------------------------------
@pytest.mark.parametrize("count", [1, 2, 3, 5])
@pytest.mark.parametrize("max_items", [1, 2, 3, 4, 7])
@responses.activate
def test_chained_follow_all_answers_give_every_item_once(
        rt: Runtime, count: int, max_items: int) -> None:
    serve(11)
    seen: list[str] = []
    cursor: str | None = None
    for _ in range(20):
        inputs: dict[str, Any] = {"followAll": True, "count": count, "maxItems": max_items}
        if cursor:
            inputs["cursor"] = cursor
        out = rt.run("listSources", inputs)
        seen += ids(out)
        cursor = pagination(out).get("next")
        assert pagination(out)["truncated"] is (cursor is not None)
        if cursor is None:
            break
    assert seen == src(*range(11))


@responses.activate
def test_single_pages_from_a_resumed_cursor_walk_to_the_end(rt: Runtime) -> None:
    serve(10)
    out = rt.run("listSources", {"followAll": True, "count": 3, "maxItems": 4})
    seen = ids(out)
    cursor = pagination(out).get("next")
    while cursor:
        page = rt.run("listSources", {"count": 3, "cursor": cursor})
        seen += ids(page)
        cursor = pagination(page).get("next")
    assert seen == src(*range(10))


@responses.activate
def test_iter_pages_and_iter_items_resume_inside_a_page(rt: Runtime) -> None:
    serve(8)
    cursor = resume_cursor("o3", 2)
    pages = list(rt.iter_pages("listSources", {"count": 3, "cursor": cursor}))
    assert [[s["id"] for s in p["sources"]] for p in pages] == [src(5), src(6, 7)]
    assert pages[0]["pagination"]["current"] == cursor
    assert pages[1]["pagination"]["current"] == "o6"  # later pages are the API's own
    items = rt.iter_items("listSources", {"count": 3, "cursor": cursor})
    assert [s["id"] for s in items] == src(5, 6, 7)


@responses.activate
def test_a_skip_longer_than_the_page_carries_on(rt: Runtime) -> None:
    # A cursor made with count=5 given back with count=2: the skip spans pages.
    listing = serve(8)
    cursor = resume_cursor("o0", 5)
    assert [s["id"] for s in rt.iter_items("listSources", {"count": 2, "cursor": cursor})] \
        == src(5, 6, 7)
    assert listing.cursors == ["o0", "o2", "o4", "o6"]
    # One page at a time, the rest of the skip travels in `next`.
    first = rt.run("listSources", {"count": 2, "cursor": cursor})
    assert ids(first) == []
    assert read_cursor(pagination(first)["next"]) == ("o2", 3)
    out = rt.run("listSources", {"count": 2, "cursor": cursor, "followAll": True,
                                 "maxItems": 2})
    assert ids(out) == src(5, 6)
    assert pagination(out)["next"] == resume_cursor("o6", 1)


@responses.activate
def test_dry_run_shows_the_api_cursor_it_would_send(rt: Runtime) -> None:
    request = rt.dry_run("listSources", {"count": 3, "cursor": resume_cursor("o3", 1)})
    assert "pagination.cursor=o3" in request["url"]
    first = rt.dry_run("listSources", {"count": 3, "cursor": resume_cursor(None, 1)})
    assert "cursor" not in first["url"]


# -- iter_items and maxItems --------------------------------------------------------------------
@responses.activate
def test_iter_items_honours_max_items_given_as_an_input(rt: Runtime) -> None:
    listing = serve(10)
    assert len(list(rt.iter_items("listSources", {"count": 3, "maxItems": 4}))) == 4
    assert len(listing.queries) == 2
    assert len(list(rt.iter_items("listSources", {"count": 3, "maxItems": 5}))) == 5
    # Both given: the smaller wins.
    assert len(list(rt.iter_items("listSources", {"maxItems": 4}, max_items=2))) == 2
    assert len(list(rt.iter_items("listSources", {"maxItems": 2}, max_items=4))) == 2
    assert len(list(rt.iter_items("listSources", {"count": 3}))) == 10


@responses.activate
def test_iter_items_rejects_a_bad_max_items(rt: Runtime) -> None:
    listing = serve(10)
    with pytest.raises(InputError) as caught:
        list(rt.iter_items("listSources", {"maxItems": 0}))
    assert "maxItems" in caught.value.fields
    assert listing.queries == []


# -- against the simulator, over HTTP -----------------------------------------------------------
def make_sources(rt: Runtime, n: int) -> None:
    for i in range(n):
        rt.run("createSource", {"slug": f"resume-{i}", "metadataId": JAVASCRIPT})


def test_acceptance_follow_all_cut_then_resumed_against_the_simulator(
        simulator: Simulator) -> None:
    rt = Runtime(Connection(token=simulator.token, base_url=simulator.base_url))
    make_sources(rt, 7)
    every = [s["id"] for s in rt.iter_items("listSources", {"count": 1000})]
    assert len(every) >= 6

    out = rt.run("listSources", {"followAll": True, "count": 2, "maxItems": 3})
    assert ids(out) == every[:3]
    assert pagination(out)["truncated"] is True
    cursor = pagination(out)["next"]

    page = rt.run("listSources", {"count": 2, "cursor": cursor})
    assert ids(page)[0] == every[3]
    followed = rt.run("listSources", {"count": 2, "cursor": cursor, "followAll": True})
    assert ids(followed) == every[3:]
    assert pagination(followed)["truncated"] is False

    # One page at a time from the cursor to the end: every source exactly once.
    seen = ids(out)
    while cursor:
        page = rt.run("listSources", {"count": 2, "cursor": cursor})
        seen += ids(page)
        cursor = pagination(page).get("next")
    assert Counter(seen) == Counter(every) and seen == every

    resumed = pagination(out)["next"]
    assert [s["id"] for s in rt.iter_items("listSources", {"count": 2, "cursor": resumed})] \
        == every[3:]


def test_chained_small_answers_cover_the_simulator_listing(simulator: Simulator) -> None:
    rt = Runtime(Connection(token=simulator.token, base_url=simulator.base_url))
    make_sources(rt, 9)
    every = [s["id"] for s in rt.iter_items("listSources", {"count": 1000})]
    seen: list[str] = []
    cursor = None
    while True:
        inputs: dict[str, Any] = {"followAll": True, "count": 4, "maxItems": 3}
        if cursor:
            inputs["cursor"] = cursor
        out = rt.run("listSources", inputs)
        seen += ids(out)
        cursor = pagination(out).get("next")
        if not cursor:
            break
    assert seen == every
