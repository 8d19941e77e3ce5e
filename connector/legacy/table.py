"""The mapping table: one entry per Config API endpoint, loaded from `endpoints.json`."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Any
from urllib.parse import unquote, urlsplit

from connector.errors import InputError
from connector.legacy.errors import unknown_endpoint

DATA = Path(__file__).with_name("endpoints.json")
VERSION_PREFIX = "/v1beta"


@dataclass(frozen=True)
class Endpoint:
    """One Config API endpoint and what it becomes on the Public API."""

    row: int
    methods: tuple[str, ...]
    path: str
    summary: str
    kind: str  # full, partial or none
    public: tuple[str, ...]
    fields: tuple[dict[str, str], ...] = ()
    dropped: dict[str, str] = field(default_factory=dict)
    notes: str = ""
    why: str = ""
    alternative: str = ""
    items: str = ""  # the list key of a paged answer
    body: str = ""  # the key the request body wraps its object in

    @property
    def segments(self) -> list[str]:
        return self.path.strip("/").split("/")

    @property
    def key(self) -> str:
        return f"{'|'.join(self.methods)} {self.path}"

    def match(self, segments: list[str]) -> dict[str, str] | None:
        """The path parameters when `segments` fit this endpoint's template."""
        mine = self.segments
        if len(mine) != len(segments):
            return None
        params: dict[str, str] = {}
        for want, got in zip(mine, segments, strict=True):
            if want.startswith("{") and want.endswith("}"):
                if not got or ":" in got:
                    return None
                params[want[1:-1]] = got
            elif want != got:
                return None
        return params


@cache
def _data() -> dict[str, Any]:
    return dict(json.loads(DATA.read_text("utf-8")))


@cache
def endpoints() -> tuple[Endpoint, ...]:
    sets = _data()["field_sets"]
    out = []
    for row in _data()["endpoints"]:
        entry = dict(row)
        ref = entry.pop("fields_ref", None)
        fields = tuple(entry.pop("fields", ())) + tuple(sets[ref] if ref else ())
        out.append(Endpoint(methods=tuple(entry.pop("methods")), public=tuple(entry.pop("public")),
                            fields=fields, **entry))
    return tuple(out)


@cache
def _ranked() -> tuple[Endpoint, ...]:
    """Endpoints in match order: literal segments beat parameters (/roles/-/policies
    before /roles/{role}/policies)."""
    return tuple(sorted(endpoints(),
                        key=lambda e: -sum(not s.startswith("{") for s in e.segments)))


def field_set(name: str) -> list[dict[str, str]]:
    return list(_data()["field_sets"][name])


def base_url() -> str:
    return str(_data()["base_url"])


def split_path(path: str) -> tuple[str, list[str]]:
    """(query, segments) of a Config API path or URL, the `/v1beta` prefix optional."""
    if not isinstance(path, str) or not path.strip():
        raise InputError({"path": "give a Config API path such as /v1beta/workspaces/my-ws"},
                         "legacy")
    parts = urlsplit(path.strip())
    text = parts.path
    if text.startswith(VERSION_PREFIX + "/") or text == VERSION_PREFIX:
        text = text[len(VERSION_PREFIX):]
    segments = [unquote(s) for s in text.strip("/").split("/")] if text.strip("/") else []
    return parts.query, segments


def find(method: str, path: str) -> tuple[Endpoint, dict[str, str]]:
    """The endpoint `method path` calls, and its path parameters; InputError when none."""
    method = (method or "").upper()
    _, segments = split_path(path)
    for endpoint in _ranked():
        params = endpoint.match(segments)
        if params is not None and method in endpoint.methods:
            return endpoint, params
    raise unknown_endpoint(method, "/" + "/".join(segments))
