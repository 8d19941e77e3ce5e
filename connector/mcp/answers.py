"""Answers that fit: a listing past the size cap returns what fits and the cursor that resumes it.

A client reads a tool's answer into a model's context, and clients refuse
answers past their limit. Every answer is held under `maxBytes` (the
server's cap, which a call may lower): a listing stops at the last item
that fits, says `truncated` and gives `nextCursor`, passed back as the
`cursor` input to go on from the very next item (a connector cursor when
the cut falls inside an API page). Any other answer past the cap is an
`AnswerTooLargeError` that says by how much; nothing is cut from it.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

from connector.errors import CONFIG, EXIT_INPUT, ConnectorError, InputError
from connector.paging import read_cursor, resume_cursor
from connector.spec import Action
from connector.validation import validate

DEFAULT_MAX_BYTES = 50_000  # about 12,500 tokens: room left in any context window
MIN_MAX_BYTES = 1_000
MAX_ITEMS_FLOOR = 1  # a listing answer holds at least one item, or fails


class AnswerTooLargeError(ConnectorError):
    """An answer does not fit the size cap (`maxBytes`); ask for less (fewer items, a filter)."""

    kind = "too_large"
    category = CONFIG
    exit_code = EXIT_INPUT

    def __init__(self, message: str, size: int, cap: int) -> None:
        super().__init__(message)
        self.size, self.cap = size, cap

    def to_dict(self) -> dict[str, Any]:
        return {**super().to_dict(), "size": self.size, "maxBytes": self.cap}


def size_of(value: Any) -> int:
    return len(json.dumps(value, ensure_ascii=False, separators=(",", ":"), default=str
                          ).encode())


def cap_from(value: Any, server_cap: int) -> int:
    """The cap of one call: the caller's `maxBytes` when it is lower than the server's."""
    if value is None:
        return server_cap
    if isinstance(value, bool) or not isinstance(value, int) or value < MIN_MAX_BYTES:
        raise InputError({"maxBytes": f"must be a whole number of at least {MIN_MAX_BYTES}"})
    return min(value, server_cap)


def fitted(answer: Mapping[str, Any], cap: int, what: str) -> dict[str, Any]:
    """`answer` as it is when it fits under `cap`; AnswerTooLargeError otherwise."""
    size = size_of(answer)
    if size > cap:
        raise AnswerTooLargeError(f"{what}: the answer is {size} bytes, over the cap of {cap}; "
                                  "ask for less (fewer items, a filter, a smaller maxEvents)",
                                  size, cap)
    return dict(answer)


def listing(runtime: Any, action: Action, values: Mapping[str, Any], cap: int
            ) -> dict[str, Any]:
    """Run a paginated listing: pages from `cursor` on, every page when `followAll`, at most
    `maxItems` items, cut at the last item that fits under `cap` bytes.

    Answers `{"data": <the first page's body, items merged>, "truncated", "nextCursor"?}`:
    `truncated` when the cap or `maxItems` cut it short, `nextCursor` whenever more follow.
    """
    key = action.items or "items"
    clean = validate(action.inputs, values, action.key)  # bad input: before anything is sent
    follow = bool(clean.get("followAll"))
    max_items = clean.get("maxItems") if follow else None
    wanted = {k: v for k, v in values.items() if k not in ("followAll", "maxItems")}
    start: Any = values.get("cursor") or None
    items: list[Any] = []
    used = 0  # bytes of the items taken, a comma each
    first: dict[str, Any] | None = None
    resume: str | None = None
    cut = False  # stopped inside what was asked for: by the cap or maxItems
    for data in runtime.iter_pages(action.key, wanted):
        first = first if first is not None else data
        got = data.get(key)
        got = got if isinstance(got, list) else []
        # Everything around the items, with the longest cursor this page could resume at.
        longest = max(str(start or ""), str((data.get("pagination") or {}).get("next") or ""),
                      key=len)
        frame = size_of(_answer(first, key, [], resume_cursor(longest, 10**12), True))
        for at, item in enumerate(got):
            size = size_of(item) + 1
            full = max_items is not None and len(items) >= max_items
            if full or frame + used + size > cap:
                if not items:
                    raise AnswerTooLargeError(f"{action.key}: the first item does not fit "
                                              f"the cap of {cap} bytes", frame + size, cap)
                api_cursor, skip = read_cursor(start, action.key)
                resume = resume_cursor(api_cursor, skip + at)
                cut = True
                break
            used += size
            items.append(item)
        if resume is not None:
            break
        start = (data.get("pagination") or {}).get("next") or None
        if not follow or start is None:
            resume = start
            break
    return _answer(first or {}, key, items, resume, cut)


def _answer(first: Mapping[str, Any], key: str, items: list[Any], resume: str | None,
            cut: bool) -> dict[str, Any]:
    """The listing's answer in the first page's shape, `pagination.next` resuming it."""
    body = dict(first)
    body[key] = items
    pagination = {k: v for k, v in dict(body.get("pagination") or {}).items()
                  if k not in ("next", "previous")}
    if resume:
        pagination["next"] = resume
    body["pagination"] = pagination
    out: dict[str, Any] = {"data": {"data": body}, "truncated": cut}
    if resume:
        out["nextCursor"] = resume
    return out
