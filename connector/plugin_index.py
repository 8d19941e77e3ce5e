"""Installed plugins' entry points, from a small index kept in the user's cache directory.

Finding the `segment_connector` entry points with `importlib.metadata` reads
every installed distribution's metadata, so start-up would grow with the
environment (hundreds of distributions in a platform that embeds the
connector). The index keeps the answer, keyed on a fingerprint that is cheap
to check: one `stat` of each `sys.path` entry. Installing, upgrading or
removing a distribution adds, renames or deletes its `*.dist-info` directory
there, which changes that directory's modification time; the entry-points
files of the distributions that declare plugins are stat-ed too, so one
edited in place is seen. Any change, and the index is rebuilt from
`importlib.metadata`.

The index is one JSON file per `sys.path`, written atomically (a temporary
file renamed over it). One that is unreadable, malformed, of another format,
not owned by this user, or for another fingerprint is never trusted: the
entry points are read afresh. One is not written while a fingerprinted
directory changed within the last `RACY_S` seconds, since a change in the
same clock tick would leave its modification time as it was.
`SEGMENT_CONNECTOR_CACHE_DIR` names the cache directory (empty: no index).
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import re
import sys
import time
from dataclasses import dataclass
from importlib import import_module
from pathlib import Path
from typing import Any

FORMAT = 2  # 2: each entry point with its distribution's name and version
ENV = "SEGMENT_CONNECTOR_CACHE_DIR"
RACY_S = 2.0
MAX_INDEX_BYTES = 1024 * 1024
KEEP_FILES = 64  # index files kept in the cache directory (one per sys.path seen)
# `name = module[:attr.attr] [extras]`, as importlib.metadata.EntryPoint reads a value.
_VALUE = re.compile(r"(?P<module>[\w.]+)\s*(?::\s*(?P<attr>[\w.]+)\s*)?(?:\[.*\]\s*)?$")
_NAME = re.compile(r"[^=\n]*\S[^=\n]*")  # any text but `=` and line breaks
clock = time.time  # wall clock, compared with modification times


@dataclass(frozen=True)
class EntryPoint:
    """One `segment_connector` entry point: its name and `module[:attr]` value."""

    name: str
    value: str
    dist: tuple[str, str] | None = None  # (name, version) of the distribution declaring it

    def load(self) -> Any:
        """The object the value names (the module, or an attribute of it)."""
        found = _VALUE.match(self.value)
        if found is None:
            raise ValueError(f"entry point value {self.value!r} is not module[:attr]")
        obj: Any = import_module(found["module"])
        for part in (found["attr"] or "").split("."):
            if part:
                obj = getattr(obj, part)
        return obj


def cache_dir() -> Path | None:
    """Where indexes are kept: $SEGMENT_CONNECTOR_CACHE_DIR, else the platform's user cache
    directory; None when the variable is set empty (no index)."""
    given = os.environ.get(ENV)
    if given is not None:
        return Path(given) if given.strip() else None
    if sys.platform == "win32":
        base = os.environ.get("LOCALAPPDATA") or str(Path.home() / "AppData" / "Local")
        return Path(base) / "segment-connector" / "Cache"
    if sys.platform == "darwin":
        return Path.home() / "Library" / "Caches" / "segment-connector"
    return Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache") / "segment-connector"


def entry_points(group: str) -> list[EntryPoint]:
    """The entry points of `group` on `sys.path`, as importlib.metadata lists them; from the
    index when its fingerprint still holds."""
    entries = [p or os.getcwd() for p in sys.path]  # "": the current directory
    where = cache_dir()
    index = None
    if where is not None:
        key = hashlib.sha256("\0".join([sys.version, group, *entries]).encode(
            "utf-8", "surrogatepass")).hexdigest()[:32]
        index = where / f"entry-points-{key}.json"
        found = _read(index, _fingerprint(entries))
        if found is not None:
            return found
    started = clock()
    listed, files = _scan(group)
    if index is not None and not _changed_since([*entries, *files], started - RACY_S):
        # Fingerprinted after the scan: what changed during it is not taken as seen.
        _write(index, {"format": FORMAT, "fingerprint": _fingerprint(entries),
                       "files": [[f, _mtime(f)] for f in files],
                       "entry_points": [[e.name, e.value, *(e.dist or ())] for e in listed]})
    return listed


def _stat(path: str) -> str:
    try:
        st = os.stat(path)
    except OSError:
        return "-"
    return f"{st.st_mtime_ns}:{st.st_ino}:{st.st_size}"


def _mtime(path: str) -> int:
    try:
        return os.stat(path).st_mtime_ns
    except OSError:
        return -1


def _fingerprint(entries: list[str]) -> str:
    return hashlib.sha256("\0".join(f"{p}\n{_stat(p)}" for p in entries).encode(
        "utf-8", "surrogatepass")).hexdigest()


def _changed_since(entries: list[str], when: float) -> bool:
    return any(_mtime(p) >= when * 1e9 for p in entries)


def _scan(group: str) -> tuple[list[EntryPoint], list[str]]:
    """importlib.metadata's answer, and the entry-points files it came from."""
    from importlib.metadata import entry_points as installed

    found: list[EntryPoint] = []
    files: list[str] = []
    for ep in installed(group=group):
        dist = (ep.dist.name, ep.dist.version) if ep.dist is not None else None
        found.append(EntryPoint(ep.name, ep.value, dist))
        location = getattr(ep.dist, "_path", None)
        if location is not None:
            where = os.path.abspath(os.path.join(location, "entry_points.txt"))
            if where not in files:
                files.append(where)
    return found, files


def _read(index: Path, fingerprint: str) -> list[EntryPoint] | None:
    """The index's entry points if it is well formed, this user's and current; else None."""
    try:
        with open(index, "rb") as f:
            if hasattr(os, "getuid") and os.fstat(f.fileno()).st_uid != os.getuid():
                return None
            raw = f.read(MAX_INDEX_BYTES + 1)
        data = json.loads(raw) if len(raw) <= MAX_INDEX_BYTES else None
    except (OSError, ValueError):
        return None
    if not (isinstance(data, dict) and data.get("format") == FORMAT
            and data.get("fingerprint") == fingerprint):
        return None
    files, listed = data.get("files"), data.get("entry_points")
    if not (isinstance(files, list) and isinstance(listed, list)):
        return None
    for item in files:
        if not (isinstance(item, list) and len(item) == 2 and isinstance(item[0], str)
                and isinstance(item[1], int) and _mtime(item[0]) == item[1]):
            return None
    out: list[EntryPoint] = []
    for item in listed:
        if not (isinstance(item, list) and len(item) in (2, 4)
                and all(isinstance(part, str) for part in item)
                and _NAME.fullmatch(item[0]) and _VALUE.fullmatch(item[1])):
            return None
        out.append(EntryPoint(item[0], item[1], (item[2], item[3]) if len(item) == 4 else None))
    return out


def _write(index: Path, data: dict[str, Any]) -> None:
    """Atomically, or not at all: an index that cannot be written is simply not kept."""
    temp = index.with_name(f".{index.name}.{os.getpid()}.{os.urandom(4).hex()}")
    try:
        index.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
        fd = os.open(temp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "w", encoding="utf-8") as f:
            json.dump(data, f)
        os.replace(temp, index)
        _prune(index.parent)
    except OSError:
        with contextlib.suppress(OSError):
            temp.unlink()


def _prune(where: Path) -> None:
    """Keep the newest `KEEP_FILES` indexes (a sys.path no longer used leaves one behind)."""
    found = sorted(where.glob("entry-points-*.json"), key=lambda p: _mtime(str(p)))
    for old in found[:-KEEP_FILES]:
        with contextlib.suppress(OSError):
            old.unlink()
