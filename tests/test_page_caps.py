"""Following `next` cursors ends: on a repeated cursor, after `max_pages` pages, or after
`MAX_EMPTY_PAGES` empty pages in a row that still name a next page."""

from __future__ import annotations

import json
from itertools import count
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest
import responses

from connector.connection import Connection
from connector.errors import InputError, ResponseError
from connector.ratelimit import RateLimiter
from connector.registry import Registry
from connector.runtime import (
    MAX_EMPTY_PAGES,
    MAX_PAGES,
    PageCapError,
    PaginationError,
    RepeatedCursorError,
    Runtime,
)

BASE = "https://api.segmentapis.com"


@pytest.fixture(scope="module")
def registry() -> Registry:
    return Registry.load(installed=False)


def runtime(registry: Registry, **options: Any) -> Runtime:
    return Runtime(Connection(token="sgp_page_caps_token"), registry=registry,
                   sleep=lambda _s: None, **options)


class Endless:
    """A listing that never ends: every page names a fresh `next` cursor.

    `sizes(n)` is the number of sources on page n (1-based); `last` ends the
    listing after that page instead.
    """

    def __init__(self, sizes: Any = lambda _n: 0, last: int | None = None) -> None:
        self.sizes, self.last = sizes, last
        self.cursors: list[str | None] = []
        self._ids = count()

    def __call__(self, request: Any) -> tuple[int, dict[str, str], str]:
        cursor = parse_qs(urlsplit(request.url).query).get("pagination.cursor", [None])[0]
        self.cursors.append(cursor)
        page = len(self.cursors)
        items = [{"id": f"src{next(self._ids)}", "name": "s"} for _ in range(self.sizes(page))]
        pagination: dict[str, Any] = {"current": cursor or "MA==", "totalEntries": None}
        if self.last is None or page < self.last:
            pagination["next"] = f"fresh-{page}"
        body = {"data": {"sources": items, "pagination": pagination}}
        return 200, {"Content-Type": "application/json"}, json.dumps(body)

    @property
    def pages(self) -> int:
        return len(self.cursors)


def serve(server: Endless) -> Endless:
    responses.add_callback(responses.GET, f"{BASE}/sources", callback=server)
    return server


# -- empty pages with fresh cursors forever ----------------------------------------------
@responses.activate
def test_iter_pages_stops_after_consecutive_empty_pages(registry: Registry) -> None:
    server = serve(Endless())
    pages = []
    with pytest.raises(PageCapError) as caught:
        for page in runtime(registry).iter_pages("listSources"):
            pages.append(page)
    assert len(pages) == server.pages == MAX_EMPTY_PAGES
    err = caught.value
    assert str(err) == (
        f"listSources: {MAX_EMPTY_PAGES} empty pages in a row, each naming a next page; "
        f"stopping instead of following them forever; it goes on at cursor "
        f"'fresh-{MAX_EMPTY_PAGES}'")
    assert isinstance(err, PaginationError) and isinstance(err, ResponseError)
    assert err.kind == "pagination" and err.to_dict()["type"] == "pagination"


@responses.activate
def test_follow_all_stops_on_endless_empty_pages(registry: Registry) -> None:
    server = serve(Endless())
    with pytest.raises(PageCapError, match="empty pages in a row"):
        runtime(registry).run("listSources", {"followAll": True})
    assert server.pages == MAX_EMPTY_PAGES


@responses.activate
def test_a_picklist_stops_on_endless_empty_pages(registry: Registry) -> None:
    server = serve(Endless())
    with pytest.raises(PageCapError):
        runtime(registry).picklist("sources")
    assert server.pages == MAX_EMPTY_PAGES


@responses.activate
def test_iter_items_stops_on_endless_empty_pages(registry: Registry) -> None:
    server = serve(Endless())
    with pytest.raises(PageCapError):
        list(runtime(registry).iter_items("listSources"))
    assert server.pages == MAX_EMPTY_PAGES


@responses.activate
def test_a_page_with_items_resets_the_count_of_empty_ones(registry: Registry) -> None:
    # Runs of empty pages just short of the limit, each broken by a page with one item.
    run = MAX_EMPTY_PAGES
    server = serve(Endless(lambda n: 1 if n % run == 0 else 0, last=3 * run))
    items = list(runtime(registry).iter_items("listSources"))
    assert len(items) == 3 and server.pages == 3 * run


@responses.activate
def test_an_empty_last_page_is_fine(registry: Registry) -> None:
    server = serve(Endless(last=MAX_EMPTY_PAGES))  # the last empty page names no next one
    assert list(runtime(registry).iter_pages("listSources"))[-1]["sources"] == []
    assert server.pages == MAX_EMPTY_PAGES


# -- pages with items and fresh cursors forever: max_pages --------------------------------
@responses.activate
def test_max_pages_stops_a_listing_with_items_forever(registry: Registry) -> None:
    server = serve(Endless(lambda _n: 2))
    rt = runtime(registry, max_pages=5)
    items = []
    with pytest.raises(PageCapError) as caught:
        for item in rt.iter_items("listSources"):
            items.append(item)
    assert len(items) == 10 and server.pages == 5  # every page fetched was handed out
    assert str(caught.value) == ("listSources: stopped after 5 pages, the cap on one listing "
                                 "(max_pages); it goes on at cursor 'fresh-5'")
    assert server.cursors == [None, "fresh-1", "fresh-2", "fresh-3", "fresh-4"]


@responses.activate
def test_max_pages_stops_follow_all_and_picklists(registry: Registry) -> None:
    server = serve(Endless(lambda _n: 3))
    rt = runtime(registry, max_pages=4)
    with pytest.raises(PageCapError, match="after 4 pages"):
        rt.run("listSources", {"followAll": True, "maxItems": 1000})
    assert server.pages == 4
    with pytest.raises(PageCapError, match="after 4 pages"):
        rt.picklist("sources")
    assert server.pages == 8


@responses.activate
def test_a_listing_of_exactly_max_pages_ends_normally(registry: Registry) -> None:
    server = serve(Endless(lambda _n: 1, last=4))
    assert len(list(runtime(registry, max_pages=4).iter_items("listSources"))) == 4
    assert server.pages == 4


@responses.activate
def test_enough_items_before_the_cap_is_no_error(registry: Registry) -> None:
    server = serve(Endless(lambda _n: 2))
    rt = runtime(registry, max_pages=3)
    out = rt.run("listSources", {"followAll": True, "maxItems": 6})["data"]["data"]
    assert len(out["sources"]) == 6 and out["pagination"]["truncated"] is True
    assert len(list(rt.iter_items("listSources", max_items=5))) == 5
    assert server.pages == 6


@responses.activate
def test_an_overlong_cursor_is_not_quoted(registry: Registry) -> None:
    pages = count()

    def answer(_request: Any) -> tuple[int, dict[str, str], str]:
        cursor = "x" * 5000 + str(next(pages))
        body = {"data": {"sources": [{"id": "a"}], "pagination": {"next": cursor}}}
        return 200, {}, json.dumps(body)

    responses.add_callback(responses.GET, f"{BASE}/sources", callback=answer)
    with pytest.raises(PageCapError) as caught:
        list(runtime(registry, max_pages=2).iter_pages("listSources"))
    assert str(caught.value) == ("listSources: stopped after 2 pages, the cap on one listing "
                                 "(max_pages)")


# -- the setting ------------------------------------------------------------------------------
def test_max_pages_defaults_and_is_kept_by_a_paced_copy(registry: Registry) -> None:
    assert runtime(registry).max_pages == MAX_PAGES == 10_000
    paced = runtime(registry, max_pages=7).with_(limiter=RateLimiter({}))
    assert paced.max_pages == 7


@pytest.mark.parametrize("value", [0, -1, True, 1.5, "5", float("inf")])
def test_max_pages_must_be_a_whole_number_of_at_least_one(registry: Registry,
                                                         value: Any) -> None:
    with pytest.raises(InputError) as caught:
        runtime(registry, max_pages=value)
    assert list(caught.value.fields) == ["max_pages"]


def test_a_repeated_cursor_is_a_pagination_error_too() -> None:
    assert issubclass(RepeatedCursorError, PaginationError)
    assert issubclass(PageCapError, PaginationError)
    assert RepeatedCursorError("x").kind == PageCapError("x").kind == "pagination"
