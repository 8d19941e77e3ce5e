"""Following cursors across pages, and picklists built from every page of a listing."""

from __future__ import annotations

import json
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest
import responses

from connector.connection import Connection
from connector.errors import InputError
from connector.registry import Registry
from connector.runtime import RepeatedCursorError, Runtime, fetch_picklist, read_cursor

BASE = "https://api.segmentapis.com"


@pytest.fixture(scope="module")
def registry() -> Registry:
    return Registry.load(installed=False)


@pytest.fixture
def rt(registry: Registry) -> Runtime:
    return Runtime(Connection(token="sgp_paging_test_token"), registry=registry,
                   sleep=lambda _s: None)


class Pages:
    """Serves `pages` (lists of items) under `key`, chained by cursors c1, c2, ..."""

    def __init__(self, key: str, pages: list[list[dict[str, Any]]],
                 cursors: list[str | None] | None = None) -> None:
        self.key = key
        self.pages = pages
        self.cursors = cursors or [f"c{i}" for i in range(1, len(pages))] + [None]
        self.queries: list[dict[str, list[str]]] = []

    def __call__(self, request: Any) -> tuple[int, dict[str, str], str]:
        query = parse_qs(urlsplit(request.url).query)
        self.queries.append(query)
        cursor = query.get("pagination.cursor", [None])[0]
        index = 0 if cursor is None else int(cursor[1:])
        pagination: dict[str, Any] = {"current": cursor or "MA==", "totalEntries": 99}
        if self.cursors[index]:
            pagination["next"] = self.cursors[index]
        body = {"data": {self.key: self.pages[index], "pagination": pagination}}
        return 200, {"Content-Type": "application/json"}, json.dumps(body)


def sources(start: int, n: int) -> list[dict[str, Any]]:
    return [{"id": f"src{i}", "name": f"Source {i}", "slug": f"source-{i}"}
            for i in range(start, start + n)]


def serve(path: str, pages: Pages) -> Pages:
    responses.add_callback(responses.GET, BASE + path, callback=pages)
    return pages


# -- following pages -------------------------------------------------------------------
@responses.activate
def test_follow_all_returns_every_page(rt: Runtime) -> None:
    pages = serve("/sources", Pages("sources", [sources(0, 3), sources(3, 3), sources(6, 2)]))
    out = rt.run("listSources", {"followAll": True, "count": 3})["data"]["data"]
    assert [s["id"] for s in out["sources"]] == [f"src{i}" for i in range(8)]
    assert "next" not in out["pagination"]
    assert len(pages.queries) == 3
    assert [q.get("pagination.cursor") for q in pages.queries] == [None, ["c1"], ["c2"]]
    assert all(q["pagination.count"] == ["3"] for q in pages.queries)


@responses.activate
def test_without_follow_all_only_the_first_page(rt: Runtime) -> None:
    serve("/sources", Pages("sources", [sources(0, 2), sources(2, 2)]))
    out = rt.run("listSources", {})["data"]["data"]
    assert [s["id"] for s in out["sources"]] == ["src0", "src1"]
    assert out["pagination"]["next"] == "c1"
    assert len(responses.calls) == 1


@responses.activate
def test_max_items_caps_follow_all(rt: Runtime) -> None:
    pages = serve("/sources", Pages("sources", [sources(0, 3), sources(3, 3), sources(6, 3)]))
    out = rt.run("listSources", {"followAll": True, "count": 3, "maxItems": 4})["data"]["data"]
    assert [s["id"] for s in out["sources"]] == ["src0", "src1", "src2", "src3"]
    assert len(pages.queries) == 2  # the third page is never asked for
    # Cut inside the second page: `next` resumes there, after src3 (not at c2, past src5).
    assert out["pagination"]["truncated"] is True
    assert read_cursor(out["pagination"]["next"]) == ("c1", 1)


@responses.activate
def test_iter_items_streams_page_by_page(rt: Runtime) -> None:
    pages = serve("/sources", Pages("sources", [sources(0, 2), sources(2, 2), sources(4, 2)]))
    items = rt.iter_items("listSources", {"count": 2})
    assert next(items)["id"] == "src0"
    assert len(pages.queries) == 1  # nothing fetched ahead
    assert [s["id"] for s in items] == ["src1", "src2", "src3", "src4", "src5"]
    assert len(pages.queries) == 3


@responses.activate
def test_iter_items_max_items(rt: Runtime) -> None:
    pages = serve("/sources", Pages("sources", [sources(0, 2), sources(2, 2), sources(4, 2)]))
    assert len(list(rt.iter_items("listSources", {}, max_items=3))) == 3
    assert len(pages.queries) == 2


@responses.activate
def test_iter_pages_yields_data_objects(rt: Runtime) -> None:
    serve("/sources", Pages("sources", [sources(0, 1), sources(1, 1)]))
    pages = list(rt.iter_pages("listSources"))
    assert [p["sources"][0]["id"] for p in pages] == ["src0", "src1"]


@responses.activate
def test_repeated_cursor_raises_instead_of_looping(rt: Runtime) -> None:
    # Page 1 points to c1, page c1 points to c1 again.
    serve("/sources", Pages("sources", [sources(0, 1), sources(1, 1)], cursors=["c1", "c1"]))
    with pytest.raises(RepeatedCursorError, match="c1"):
        rt.run("listSources", {"followAll": True})
    assert len(responses.calls) == 2


def test_iter_pages_of_a_non_listing_is_an_input_error(rt: Runtime) -> None:
    with pytest.raises(InputError):
        list(rt.iter_pages("getSource", {"sourceId": "x"}))


# -- picklists ---------------------------------------------------------------------------
@responses.activate
def test_sources_picklist_covers_every_page(rt: Runtime) -> None:
    pages = serve("/sources", Pages("sources", [sources(0, 2), sources(2, 2)]))
    result = rt.picklist("sources")
    assert result == {"result": [{"label": f"Source {i}", "key": f"src{i}"} for i in range(4)],
                      "truncated": False}
    assert pages.queries[0]["pagination.count"] == ["200"]


@responses.activate
def test_sources_picklist_falls_back_to_slug_then_id(rt: Runtime) -> None:
    serve("/sources", Pages("sources", [[{"id": "a", "slug": "web", "name": ""},
                                         {"id": "b"}]]))
    assert rt.picklist("sources")["result"] == [{"label": "web", "key": "a"},
                                                {"label": "b", "key": "b"}]


@responses.activate
def test_warehouses_picklist(rt: Runtime) -> None:
    serve("/warehouses", Pages("warehouses", [
        [{"id": "wh1", "settings": {"name": "Main"}, "metadata": {"name": "Postgres"}}],
        [{"id": "wh2", "metadata": {"name": "Snowflake"}}],
    ]))
    assert rt.picklist("warehouses")["result"] == [{"label": "Main", "key": "wh1"},
                                                    {"label": "Snowflake", "key": "wh2"}]


@responses.activate
def test_destination_picklist(rt: Runtime) -> None:
    serve("/destinations", Pages("destinations", [
        [{"id": "d1", "name": "Kinesis prod", "metadata": {"name": "Amazon Kinesis"}}],
        [{"id": "d2", "name": None, "metadata": {"name": "Webhooks"}}],
    ]))
    assert rt.picklist("destination") == {"result": [
        {"label": "Kinesis prod", "key": "d1"}, {"label": "Webhooks", "key": "d2"}],
        "truncated": False}


@responses.activate
def test_picklist_text_filter_is_case_insensitive(rt: Runtime) -> None:
    serve("/sources", Pages("sources", [
        [{"id": "1", "name": "Web Prod"}, {"id": "2", "name": "iOS"}],
        [{"id": "3", "name": "web staging"}],
    ]))
    result = rt.picklist("sources", {"filter": "WEB"})["result"]
    assert [o["key"] for o in result] == ["1", "3"]


@responses.activate
def test_picklist_max_items(rt: Runtime) -> None:
    serve("/sources", Pages("sources", [sources(0, 3), sources(3, 3)]))
    assert len(rt.picklist("sources", {"maxItems": 4})["result"]) == 4


@responses.activate
def test_dependent_picklist_passes_the_parent_id(rt: Runtime) -> None:
    pages = serve("/spaces/spa_1/audiences", Pages("audiences", [
        [{"id": "aud_1", "name": "Buyers", "key": "buyers"}],
        [{"id": "aud_2", "key": "churned"}],
    ]))
    result = rt.picklist("audiences", {"spaceId": "spa_1"})
    assert result["result"] == [{"label": "Buyers", "key": "aud_1"},
                                {"label": "churned", "key": "aud_2"}]
    assert len(pages.queries) == 2


@responses.activate
def test_dependent_picklist_without_its_parent_is_an_input_error(rt: Runtime) -> None:
    with pytest.raises(InputError) as caught:
        rt.picklist("audiences")
    assert "spaceId" in caught.value.fields
    assert len(responses.calls) == 0


@responses.activate
def test_fetch_picklist_one_call(registry: Registry) -> None:
    serve("/sources", Pages("sources", [sources(0, 1)]))
    out = fetch_picklist("sources", connection=Connection(token="sgp_x_token"),
                         registry=registry)
    assert out == {"result": [{"label": "Source 0", "key": "src0"}], "truncated": False}
