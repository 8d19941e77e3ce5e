"""Config API page tokens that wrap the Public API's cursors.

A `page_token` is opaque to its holder: it carries the Public API cursor and
the endpoint it was issued for, so a token of one listing given to another is
refused before anything is sent. Tokens of the old API itself do not carry over
(the two APIs' cursors differ): a translated listing starts from its first page.
"""

from __future__ import annotations

import base64
import binascii
import json
from collections.abc import Mapping
from typing import Any

from connector.errors import InputError

PREFIX = "pt1."
MAX_PAGE_SIZE = 200


def wrap(cursor: str | None, path: str) -> str:
    """The `next_page_token` for the Public API `cursor` (`""` on the last page)."""
    if not cursor:
        return ""
    raw = json.dumps({"c": cursor, "p": path}, separators=(",", ":")).encode()
    return PREFIX + base64.urlsafe_b64encode(raw).decode().rstrip("=")


def unwrap(token: str, path: str) -> str:
    """The Public API cursor inside `token`; InputError when it is not one of this listing."""
    if not isinstance(token, str) or not token.startswith(PREFIX):
        raise InputError({"page_token": "is not a page token of this bridge (tokens of the "
                                        "Config API itself do not carry over: start from "
                                        "the first page)"}, "legacy")
    text = token[len(PREFIX):]
    try:
        data = json.loads(base64.urlsafe_b64decode(text + "=" * (-len(text) % 4)))
    except (binascii.Error, ValueError):
        raise InputError({"page_token": "is damaged: it cannot be read"}, "legacy") from None
    if not isinstance(data, dict) or not isinstance(data.get("c"), str):
        raise InputError({"page_token": "is damaged: it holds no cursor"}, "legacy")
    if data.get("p") != path:
        raise InputError({"page_token": "was issued for another listing"}, "legacy")
    return str(data["c"])


def paging_inputs(query: Mapping[str, str], path: str) -> dict[str, Any]:
    """`count` and `cursor` inputs from the Config API's `page_size` and `page_token`."""
    out: dict[str, Any] = {}
    size = query.get("page_size")
    if size not in (None, ""):
        try:
            count = int(str(size))
        except ValueError:
            raise InputError({"page_size": f"must be a whole number, not {size!r}"},
                             "legacy") from None
        if not 1 <= count <= MAX_PAGE_SIZE:
            raise InputError({"page_size": f"must be from 1 to {MAX_PAGE_SIZE}, not {count}"},
                             "legacy")
        out["count"] = count
    token = query.get("page_token")
    if token not in (None, ""):
        out["cursor"] = unwrap(str(token), path)
    return out
