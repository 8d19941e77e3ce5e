"""`update_mask` semantics: only the listed paths change; a listed path without a value clears.

A Config API PATCH names the fields it changes in `update_mask.paths`
(`destination.enabled`, `schema_config.allow_unplanned_track_events`). A value
with no listed path is ignored. The Public API has no mask: the translation
sends exactly the listed fields, a cleared one as its explicit empty value.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from connector.errors import InputError


class _Clear:
    """A masked path the body gives no value for: the field is to be emptied."""

    def __repr__(self) -> str:
        return "CLEAR"


CLEAR: Any = _Clear()


def paths(body: Mapping[str, Any] | None, query: Mapping[str, str] | None = None
          ) -> list[str] | None:
    """The mask's paths (from the body, or `update_mask.paths` in the query); None: no mask."""
    mask = (body or {}).get("update_mask")
    if mask is None and query and query.get("update_mask.paths"):
        return [p.strip() for p in str(query["update_mask.paths"]).split(",") if p.strip()]
    if mask is None:
        return None
    got = mask.get("paths") if isinstance(mask, Mapping) else None
    if not isinstance(got, list) or not all(isinstance(p, str) and p for p in got):
        raise InputError({"update_mask.paths": "must be a list of field paths such as "
                                               "\"destination.enabled\""}, "legacy")
    return list(got)


def masked(obj: Mapping[str, Any] | None, prefix: str, mask: Iterable[str] | None,
           allowed: Iterable[str], required: bool = False) -> dict[str, Any]:
    """Field -> value (or CLEAR) for each masked field of `obj` (the `prefix` object).

    Paths may be written with or without the prefix (`destination.enabled`,
    `enabled`). Without a mask every field given is taken, as the Config API's
    PUT does; a PATCH (`required`) must have one. A path naming no known field
    is an InputError, before any I/O.
    """
    obj = obj or {}
    known = list(allowed)
    if mask is None and required:
        raise InputError({"update_mask.paths": "is required: list the fields to change, "
                                               f"e.g. {prefix}.{known[0]}"}, "legacy")
    if mask is None:
        return {k: v for k, v in obj.items() if k in known}
    out: dict[str, Any] = {}
    for path in mask:
        name = path[len(prefix) + 1:] if path.startswith(prefix + ".") else path
        if name not in known:
            raise InputError({"update_mask.paths": f"{path!r} is not a field this endpoint "
                                                   f"updates; known: {', '.join(known)}"},
                             "legacy")
        out[name] = obj[name] if obj.get(name) is not None else CLEAR
    return out
