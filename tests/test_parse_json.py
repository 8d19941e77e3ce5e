"""Bodies are read as json reads bytes, whatever their encoding, on the fast path or not."""

from __future__ import annotations

import json
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from connector.body import parse_json

VALUES = st.recursive(st.none() | st.booleans() | st.integers() | st.text(),
                      lambda inner: st.lists(inner, max_size=3)
                      | st.dictionaries(st.text(max_size=5), inner, max_size=3), max_leaves=8)


def _both(raw: bytes) -> tuple[Any, Any]:
    def read(parse: Any) -> Any:
        try:
            return ("value", parse(raw))
        except ValueError as exc:
            return ("refused", type(exc).__name__)
    return read(parse_json), read(json.loads)


@settings(max_examples=300, deadline=None)
@given(VALUES, st.sampled_from(["utf-8", "utf-16-le", "utf-16-be", "utf-32", "utf-8-sig"]),
       st.booleans())
def test_every_encoding_json_reads(value: Any, encoding: str, ascii_only: bool) -> None:
    raw = json.dumps(value, ensure_ascii=ascii_only).encode(encoding)
    ours, theirs = _both(raw)
    assert ours == theirs == ("value", value)


@pytest.mark.parametrize("raw", [b"", b"  ", b"{", b'"\x00"', b"\x00\x00\x00{", b"nul\x00",
                                 b'{"a":1}\x00', b"\xff\xfe", b'{"caf\xc3\xa9":1}'])
def test_odd_bodies_read_or_fail_alike(raw: bytes) -> None:
    ours, theirs = _both(raw)
    assert ours == theirs
