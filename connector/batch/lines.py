"""Lines of input: JSONL read as bytes and decoded line by line, or mappings from Python.

A line that cannot be read as an object of inputs still becomes a `Line`,
carrying the problem and an excerpt, so the run records it and goes on.
"""

from __future__ import annotations

import json
import os
import sys
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any

from connector.batch.records import fingerprint
from connector.errors import InputError

BLANK = b" \t\r\n"  # JSON's whitespace: a line of only these is no line of input
EXCERPT_CHARS = 120


@dataclass(frozen=True, slots=True)
class Line:
    """One line of input: its inputs, or why it has none."""

    number: int
    fingerprint: str
    values: dict[str, Any] | None  # None when the line could not be read as inputs
    problem: InputError | None = None
    excerpt: str | None = None  # start of a line that could not be read


def _no_constant(name: str) -> Any:
    raise ValueError(f"{name} is not JSON")  # json.loads accepts NaN/Infinity by default


def _kind(value: Any) -> str:
    if isinstance(value, list):
        return "an array"
    if isinstance(value, str):
        return "a string"
    if value is None or isinstance(value, bool):
        return json.dumps(value)
    return "a number"


def parse_line(number: int, raw: bytes) -> Line:
    """A line's inputs, or the first reason they cannot be read (never raises)."""
    if number == 1 and raw.startswith(b"\xef\xbb\xbf"):
        raw = raw[3:]  # a UTF-8 byte order mark some editors write
    raw = raw.rstrip(b"\r\n")  # positions in messages stay those of the line as written

    def unread(problem: str) -> Line:
        bare = raw.strip(BLANK)
        excerpt = bare[:EXCERPT_CHARS * 4].decode("utf-8", "backslashreplace")
        return Line(number, fingerprint(bare), None, InputError({"line": problem}),
                    excerpt[:EXCERPT_CHARS])

    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        return unread(f"not valid UTF-8: byte {exc.start}: {exc.reason}")
    try:
        value = json.loads(text, parse_constant=_no_constant)
    except RecursionError:
        return unread("not readable: JSON nested too deep")
    except ValueError as exc:  # JSONDecodeError says where: line, column and char
        return unread(f"not valid JSON: {exc}")
    if not isinstance(value, dict):
        return unread(f"must hold a JSON object of inputs, not {_kind(value)}")
    try:
        digest = fingerprint(value)
    except (ValueError, RecursionError):  # deep enough to read, too deep to write back
        digest = fingerprint(raw.strip(BLANK))
    return Line(number, digest, value)


def mapping_line(number: int, value: Any) -> Line:
    """A line given from Python: a mapping of inputs."""
    if not isinstance(value, Mapping):
        return Line(number, _repr_digest(value), None,
                    InputError({"line": "must be a mapping of inputs"}),
                    _safe_repr(value)[:EXCERPT_CHARS])
    values = dict(value)
    try:
        digest = fingerprint(values)
    except (TypeError, ValueError, RecursionError):  # not JSON: its repr names it instead
        digest = _repr_digest(values)
    return Line(number, digest, values)


def _safe_repr(value: Any) -> str:
    try:
        return repr(value)
    except Exception:  # a broken __repr__ must not stop the run
        return f"<{type(value).__name__}>"


def _repr_digest(value: Any) -> str:
    return fingerprint(_safe_repr(value).encode("utf-8", "backslashreplace"))


def raw_lines(fh: IO[bytes]) -> Iterator[tuple[int, bytes]]:
    for number, raw in enumerate(fh, 1):
        if raw.strip(BLANK):
            yield number, raw


def count_lines(path: str | Path) -> int:
    with Path(path).open("rb") as fh:
        return sum(1 for _ in raw_lines(fh))


def open_input(lines: str | Path) -> tuple[IO[bytes], bool]:
    """The input as a binary stream, and whether it is ours to close."""
    if str(lines) == "-":
        return sys.stdin.buffer, False
    try:
        return Path(lines).open("rb"), True
    except OSError as exc:
        raise InputError({"batch": f"cannot read {lines}: {exc.strerror}"}) from None


def stat_of(fh: IO[bytes]) -> os.stat_result | None:
    try:
        return os.fstat(fh.fileno())
    except (OSError, ValueError, AttributeError):  # a stream with no file behind it
        return None
