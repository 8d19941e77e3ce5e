"""The page walker on its own (`connector.paging`), fed by a fake `fetch`, and the
executor protocol custom actions are run through."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import pytest

import connector.runtime as runtime_module
from connector import paging
from connector.errors import InputError, ResponseError
from connector.paging import (
    MAX_EMPTY_PAGES,
    PageCapError,
    Paginator,
    RepeatedCursorError,
    read_cursor,
    resume_cursor,
)
from connector.registry import Registry
from connector.spec import Action, RequestExecutor


def pages(*answers: dict[str, Any]) -> tuple[list[Mapping[str, Any]], Any]:
    """A fetch answering `answers` in turn, and the inputs it was asked with."""
    asked: list[Mapping[str, Any]] = []

    def fetch(values: Mapping[str, Any]) -> Any:
        asked.append(dict(values))
        return answers[len(asked) - 1]

    return asked, fetch


def page(items: list[Any], next_: str | None = None) -> dict[str, Any]:
    return {"data": {"items": items, "pagination": {"current": "c", "next": next_}}}


def test_the_walker_follows_next_cursors_and_fetches_only_when_asked() -> None:
    asked, fetch = pages(page([1, 2], "p2"), page([3]))
    walk = Paginator().walk("listThings", "items", {"count": 2, "followAll": True}, fetch)
    assert asked == []  # nothing fetched before the first page is asked for
    got = [p.data["items"] for p in walk]
    assert got == [[1, 2], [3]]
    assert asked == [{"count": 2}, {"count": 2, "cursor": "p2"}]


def test_a_connector_cursor_resumes_inside_its_page() -> None:
    asked, fetch = pages(page([1, 2, 3], "p2"), page([4]))
    walk = Paginator().walk("listThings", "items", {"cursor": resume_cursor(None, 2)}, fetch)
    first = next(walk)
    assert first.data["items"] == [3] and first.dropped == 2 and first.start is None
    assert read_cursor(first.data["pagination"]["current"]) == (None, 2)
    assert asked == [{}]


def test_a_bad_connector_cursor_is_an_input_error_before_any_fetch() -> None:
    asked, fetch = pages()
    with pytest.raises(InputError):
        next(Paginator().walk("listThings", "items", {"cursor": "sgc1:???"}, fetch))
    assert asked == []


def test_a_repeated_cursor_stops_the_walk() -> None:
    _, fetch = pages(page([1], "a"), page([2], "b"), page([3], "a"))
    with pytest.raises(RepeatedCursorError, match="'a' twice"):
        list(Paginator().walk("listThings", "items", {}, fetch))


def test_the_page_cap_and_the_empty_page_cap_stop_the_walk() -> None:
    _, fetch = pages(*(page([n], f"c{n}") for n in range(5)))
    with pytest.raises(PageCapError, match="after 3 pages"):
        list(Paginator(max_pages=3).walk("listThings", "items", {}, fetch))
    _, fetch = pages(*(page([], f"c{n}") for n in range(5)))
    with pytest.raises(PageCapError, match="2 empty pages in a row"):
        list(Paginator(max_empty=2).walk("listThings", "items", {}, fetch))
    assert Paginator().max_empty == MAX_EMPTY_PAGES


def test_an_answer_without_a_data_object_is_a_response_error() -> None:
    _, fetch = pages({"oops": 1})
    with pytest.raises(ResponseError, match="listThings: answer has no `data` object"):
        list(Paginator().walk("listThings", "items", {}, fetch))


def test_the_old_names_are_still_importable_from_the_runtime() -> None:
    for name in ("MAX_PAGES", "MAX_EMPTY_PAGES", "RESUME_PREFIX", "PaginationError",
                 "RepeatedCursorError", "PageCapError", "read_cursor", "resume_cursor"):
        assert getattr(runtime_module, name) is getattr(paging, name)


def test_the_http_method_of_an_action_comes_from_it_or_from_its_executor() -> None:
    registry = Registry.load(installed=False)
    raw = registry.action("rawRequest")
    assert isinstance(raw.run, RequestExecutor)
    assert raw.method_for({"method": "post", "url": "/x"}) == "POST"
    assert raw.method_for({}) == ""
    plain = registry.action("getWorkspace")
    assert plain.method_for({"method": "DELETE"}) == plain.method == "GET"

    def bare(runtime: Any, values: Mapping[str, Any]) -> dict[str, Any]:
        return {"data": None}

    custom = Action("bare", "Bare", "A bare executor.", run=bare)
    assert not isinstance(custom.run, RequestExecutor)
    assert custom.method_for({"method": "POST"}) == ""
