"""Follow a listing's `next` cursors, page by page, and the connector's own resume cursors.

The walker asks its caller for each page through `fetch(values) -> body`, so it
knows nothing of requests, retries or the runtime; it holds the guards that stop
a listing whose pages would never end: a repeated cursor, a cap on pages, and a
cap on empty pages in a row that still name a next page.
"""

from __future__ import annotations

import base64
import json
import re
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from typing import Any

from connector.errors import InputError, ResponseError

# Pages one listing follows at most (`Runtime(max_pages=...)`), and empty pages in a
# row that still name a `next` page: past either, a server handing out fresh
# cursors forever is stopped rather than followed.
MAX_PAGES = 10_000
MAX_EMPTY_PAGES = 20
# Cursors the connector makes itself (to resume inside an API page) start with this;
# the rest is base64url of {"cursor": <API cursor of the page or null>, "skip": <n>}.
RESUME_PREFIX = "sgc1:"
_B64URL = re.compile(r"[A-Za-z0-9_-]+")
__all__ = ["MAX_EMPTY_PAGES", "MAX_PAGES", "RESUME_PREFIX", "Page", "PageCapError",
           "PaginationError", "Paginator", "RepeatedCursorError", "is_resume", "read_cursor",
           "resume_cursor", "set_cursor"]

Fetch = Callable[[Mapping[str, Any]], Any]  # the listing's inputs -> the API's answer body


class PaginationError(ResponseError):
    """Following a listing's `next` cursors was stopped: the pages would never end."""

    kind = "pagination"


class RepeatedCursorError(PaginationError):
    """The API gave a `next` cursor it had given before."""


class PageCapError(PaginationError):
    """A listing went on past `max_pages` pages, or `MAX_EMPTY_PAGES` empty ones in a row."""


@dataclass(frozen=True, slots=True)
class Page:
    data: dict[str, Any]  # the page's `data`, less the items a resumed cursor skips
    start: str | None  # the API cursor it was asked with; None: the first page
    dropped: int  # items left out at its start


class Paginator:
    """Walks one listing's pages, stopping on a repeated cursor or past the page caps."""

    __slots__ = ("max_empty", "max_pages")

    def __init__(self, max_pages: int = MAX_PAGES, max_empty: int = MAX_EMPTY_PAGES) -> None:
        self.max_pages = max_pages
        self.max_empty = max_empty

    def walk(self, name: str, items_key: str | None, inputs: Mapping[str, Any],
             fetch: Fetch) -> Iterator[Page]:
        """Every page from the `cursor` input on, fetched only when asked for.

        A connector cursor is read (an InputError before any I/O when it does
        not decode): its API page is requested and its first `skip` items are
        left out; when a page holds fewer, the rest is skipped on the next one.
        `name` (the action's key) names the listing in errors.
        """
        values = {k: v for k, v in inputs.items() if k != "followAll"}
        cursor, skip = read_cursor(values.get("cursor"), name)
        if cursor == "":  # blank: the first page, as the API reads it
            cursor = None
        key = items_key or ""
        seen: set[str] = set()
        pages = empty = 0  # pages fetched; empty ones in a row that still had a `next`
        while True:
            set_cursor(values, cursor)
            body = fetch(values)
            data = body.get("data") if isinstance(body, dict) else None
            if not isinstance(data, dict):
                raise ResponseError(f"{name}: answer has no `data` object")
            api_next = (data.get("pagination") or {}).get("next")
            pages += 1
            items = data.get(key)
            items = items if isinstance(items, list) else []
            # A page with no items (none listed, or no list at all) is empty; a listing
            # whose items key is unknown counts on `max_pages` alone.
            empty = empty + 1 if key and not items else 0
            dropped = 0
            if skip:
                dropped = min(skip, len(items))
                skip -= dropped
                data = _resumed(data, key, items[dropped:], cursor, dropped,
                                resume_cursor(api_next, skip) if skip and api_next else None)
            yield Page(data, cursor, dropped)
            if not api_next:
                return
            self._check(name, api_next, seen, pages, empty)
            seen.add(api_next)
            cursor = api_next

    def _check(self, name: str, api_next: Any, seen: set[str], pages: int, empty: int) -> None:
        """Raise when following `api_next` would not end."""
        if api_next in seen:
            raise RepeatedCursorError(
                f"{name}: the API returned cursor {api_next!r} twice; "
                "stopping instead of looping")
        if pages >= self.max_pages:
            raise PageCapError(
                f"{name}: stopped after {pages} pages, the cap on one listing "
                f"(max_pages){_goes_on(api_next)}")
        if empty >= self.max_empty:
            raise PageCapError(
                f"{name}: {empty} empty pages in a row, each naming a next page; "
                f"stopping instead of following them forever{_goes_on(api_next)}")


def resume_cursor(cursor: str | None, skip: int) -> str:
    """A cursor of the connector's own: the API page at `cursor` (None: the first
    page) less its first `skip` items. API cursors point at page starts only."""
    raw = json.dumps({"cursor": cursor, "skip": skip}, separators=(",", ":")).encode()
    return RESUME_PREFIX + base64.urlsafe_b64encode(raw).decode().rstrip("=")


def is_resume(value: Any) -> bool:
    """Whether `value` is a cursor of the connector's own (`resume_cursor`)."""
    return isinstance(value, str) and value.startswith(RESUME_PREFIX)


def read_cursor(value: Any, action: str | None = None) -> tuple[Any, int]:
    """`(API cursor, items to skip)` of a `cursor` input. A connector cursor is
    decoded; any other value is the API's, returned as is with nothing to skip."""
    if not is_resume(value):
        return value, 0
    text = value[len(RESUME_PREFIX):]
    doc: Any = None
    if _B64URL.fullmatch(text):
        try:
            doc = json.loads(base64.urlsafe_b64decode(text + "=" * (-len(text) % 4)))
        except (ValueError, RecursionError):  # binascii and Unicode errors are ValueErrors
            doc = None
    if isinstance(doc, dict) and set(doc) == {"cursor", "skip"}:
        cursor, skip = doc["cursor"], doc["skip"]
        if (cursor is None or (isinstance(cursor, str) and cursor)) \
                and type(skip) is int and skip >= 0:
            return cursor, skip
    raise InputError({"cursor": f"starts with {RESUME_PREFIX!r} but is not a cursor this "
                      "connector gave; pass `pagination.next` back unchanged"}, action)


def set_cursor(values: dict[str, Any], cursor: Any) -> None:
    """Put `cursor` in a listing's inputs; None takes it out (the first page)."""
    if cursor is None:
        values.pop("cursor", None)
    else:
        values["cursor"] = cursor


def _resumed(data: dict[str, Any], key: str, items: list[Any], start: str | None,
             dropped: int, carried: str | None) -> dict[str, Any]:
    """A page resumed inside: its items from the resume point on, and a `pagination`
    that says so. `current` is where the items start; `previous` the API page they
    start in, which holds the items before them (going back repeats, never skips)."""
    out = dict(data)
    out[key] = items
    pagination = dict(data.get("pagination") or {})
    if dropped:
        page_start = pagination.get("current") or start
        pagination["current"] = resume_cursor(start, dropped)
        if page_start:
            pagination["previous"] = page_start
        else:
            pagination.pop("previous", None)
    if carried:  # this page held fewer items than were to be skipped
        pagination["next"] = carried
    out["pagination"] = pagination
    return out


def _goes_on(cursor: Any) -> str:
    """Where the listing would go on, when the cursor is short enough to quote."""
    if isinstance(cursor, str) and len(cursor) <= 200:
        return f"; it goes on at cursor {cursor!r}"
    return ""
