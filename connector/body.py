"""Read an answer's body under a cap on its decoded size.

The cap counts bytes after `Content-Encoding` is undone, whatever
`Content-Length` says: a 1 MB gzip body can decode to gigabytes. Decoding is
done here, in bounded steps (`max_length`), so memory never holds more than
the cap plus one step, however well the body compresses.
"""

from __future__ import annotations

import json
import zlib
from typing import Any

from connector.errors import ResponseError

CHUNK = 65536
STEP = 1 << 20  # most decoded bytes one decompress call may produce


class _Inflater:
    """gzip or deflate (zlib-wrapped, or raw as some servers send it), one step at a time."""

    def __init__(self, encoding: str) -> None:
        # 32 + MAX_WBITS: a gzip or zlib header, detected; deflate may also come raw.
        self._raw_fallback = encoding == "deflate"
        self._first = True
        self._z = zlib.decompressobj(32 + zlib.MAX_WBITS)

    def feed(self, data: bytes, room: int) -> list[bytes]:
        """Decoded pieces of `data`, stopping once more than `room` bytes came out."""
        out: list[bytes] = []
        size = 0
        step = min(room + 1, STEP)
        try:
            piece = self._z.decompress(data, step)
        except zlib.error:
            if not (self._first and self._raw_fallback):
                raise
            self._z = zlib.decompressobj(-zlib.MAX_WBITS)
            piece = self._z.decompress(data, step)
        self._first = False
        while True:
            out.append(piece)
            size += len(piece)
            if size > room or not self._z.unconsumed_tail:
                return out
            piece = self._z.decompress(self._z.unconsumed_tail, min(room - size + 1, STEP))


def read_capped(raw: Any, headers: Any, cap: int, where: str, status: int) -> bytes:
    """The body of a urllib3 response `raw`, decoded; ResponseError past `cap` bytes."""
    encoding = (headers.get("Content-Encoding") or "identity").strip().lower()
    declared = headers.get("Content-Length")
    if encoding == "identity":
        if declared and declared.isdigit() and int(declared) <= cap:
            return bytes(raw.read(decode_content=False))  # one read: length known and allowed
        inflater = None
    elif encoding in ("gzip", "x-gzip", "deflate"):
        inflater = _Inflater(encoding)
    else:
        raise ResponseError(f"{where}: unsupported Content-Encoding {encoding!r}", status=status)
    chunks: list[bytes] = []
    size = 0
    while True:
        data = raw.read(CHUNK, decode_content=False)
        if not data:
            return b"".join(chunks)
        try:
            pieces = [data] if inflater is None else inflater.feed(data, cap - size)
        except zlib.error as exc:
            raise ResponseError(f"{where}: body does not decode as {encoding}: {exc}",
                                status=status) from None
        for piece in pieces:
            size += len(piece)
            if size > cap:
                raise ResponseError(f"{where}: response body exceeds {cap} bytes"
                                    + (" once decoded" if inflater else ""), status=status)
            chunks.append(piece)


def parse_json(raw: bytes) -> Any:
    """`json.loads(raw)`: ASCII text with no NUL among its first bytes (nearly every body)
    read as text, past json's encoding sniffing; anything else left to it (UTF-8, 16, 32).
    Raises ValueError as json does."""
    if raw.isascii() and 0 not in raw[:4]:
        return json.loads(raw.decode("ascii"))
    return json.loads(raw)
