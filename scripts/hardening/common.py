"""What every hardening class shares: its section of the report, the tests' case lists,
log capture and a loopback server that answers with whatever bytes a case writes."""

from __future__ import annotations

import contextlib
import importlib.util
import logging
import socket
import sys
import threading
import time
from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest

ROOT = Path(__file__).resolve().parents[2]
TESTS = ROOT / "tests"
SEED = 20240601  # the fault suite's: one seed for every generated case list
_PARAM = type(pytest.param(None))


@dataclass
class Section:
    """One hardening class: a table of deterministic figures, and what varies by machine.

    `counts` holds the figures by name, for tests to check; `rows` are the same
    figures as the report shows them.
    """

    title: str
    intro: str
    counts: Counter[str] = field(default_factory=Counter)
    rows: list[tuple[str, str]] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)  # deterministic lines under the table
    timing: list[str] = field(default_factory=list)  # machine-dependent lines
    seconds: float = 0.0

    def row(self, label: str, text: object) -> None:
        self.rows.append((label, str(text)))

    def to_markdown(self) -> str:
        lines = [f"## {self.title}", "", self.intro, "", "| Case | Figure |", "|---|---|"]
        lines += [f"| {label} | {text} |" for label, text in self.rows]
        if self.notes:
            lines += ["", *self.notes]
        return "\n".join(lines) + "\n"


def timed(measure: Callable[[], Section]) -> Section:
    started = time.monotonic()
    section = measure()
    section.seconds = time.monotonic() - started
    return section


# -- the tests' case lists ------------------------------------------------------------
@cache
def test_module(name: str) -> ModuleType:
    """`tests/<name>.py`, imported once (pytest's copy when it has one), so the report
    runs the very cases the tests do instead of a copy that drifts."""
    path = TESTS / f"{name}.py"
    loaded = sys.modules.get(name)
    if loaded is not None and Path(getattr(loaded, "__file__", "")) == path:
        return loaded
    spec = importlib.util.spec_from_file_location(f"_cases_{name}", path)
    if spec is None or spec.loader is None:
        raise ImportError(f"cannot load {path}")
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module
    spec.loader.exec_module(module)
    return module


def params(module: str, test: str, argnames: str) -> list[Any]:
    """The values of `@pytest.mark.parametrize(argnames, ...)` on `tests/<module>.py::test`:
    one value per case, a tuple when `argnames` names several."""
    fn = getattr(test_module(module), test)
    for mark in getattr(fn, "pytestmark", []):
        if mark.name != "parametrize" or not mark.args:
            continue
        names = mark.args[0]
        names = [n.strip() for n in names.split(",")] if isinstance(names, str) else list(names)
        wanted = [n.strip() for n in argnames.split(",")]
        if names == wanted:
            out = []
            for case in mark.args[1]:
                # pytest.param(...) keeps its values apart; a bare case is the values.
                values = case.values if isinstance(case, _PARAM) else (
                    (case,) if len(wanted) == 1 else tuple(case))
                out.append(values[0] if len(wanted) == 1 else tuple(values))
            return out
    raise LookupError(f"tests/{module}.py::{test} has no parametrize of {argnames!r}")


# -- log records ----------------------------------------------------------------------
class Records(logging.Handler):
    """Every record logged while it is installed, formatted, caught at the root as a host
    application would."""

    def __init__(self) -> None:
        super().__init__(logging.DEBUG)
        self.setFormatter(logging.Formatter("%(levelname)s %(name)s: %(message)s"))
        self.lines: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.lines.append(self.format(record))


@contextlib.contextmanager
def capture_logs() -> Iterator[Records]:
    handler = Records()
    root, pkg = logging.getLogger(), logging.getLogger("segment_connector")
    old = pkg.level
    root.addHandler(handler)
    pkg.setLevel(logging.DEBUG)
    try:
        yield handler
    finally:
        root.removeHandler(handler)
        pkg.setLevel(old)


# -- a loopback server ----------------------------------------------------------------
Writer = Callable[[socket.socket], None]


@contextlib.contextmanager
def loopback(writer: Writer) -> Iterator[str]:
    """A server on 127.0.0.1 answering every connection with `writer`; its base URL."""
    lsock = socket.create_server(("127.0.0.1", 0))

    def handle(conn: socket.socket) -> None:
        with conn:
            try:
                conn.recv(65536)
                writer(conn)
            except OSError:
                return  # the client cut the answer off: what the cases expect

    def accept() -> None:
        while True:
            try:
                conn, _ = lsock.accept()
            except OSError:  # closed: the case is over
                return
            threading.Thread(target=handle, args=(conn,), daemon=True).start()

    threading.Thread(target=accept, daemon=True).start()
    try:
        yield f"http://127.0.0.1:{lsock.getsockname()[1]}"
    finally:
        lsock.close()
