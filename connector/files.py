"""Files written so that a crash leaves the old version or the new one, never a mix."""

from __future__ import annotations

import contextlib
import os
import tempfile
from pathlib import Path


def write_atomically(path: Path, text: str, sync_dir: bool = False) -> None:
    """Write a temporary file beside `path`, fsync it, then rename it over `path`: a reader
    (or a restart after a crash) finds the old file or the new one, never a mix."""
    path.parent.mkdir(parents=True, exist_ok=True)
    # mkstemp creates the file 0o600, and os.replace keeps that mode: owner-only.
    fd, tmp = tempfile.mkstemp(prefix=path.name + ".", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as fh:
            fh.write(text)
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    if sync_dir:  # makes the rename itself survive a power cut, not only a killed process
        with contextlib.suppress(OSError):
            dir_fd = os.open(path.parent, os.O_RDONLY)
            try:
                os.fsync(dir_fd)
            finally:
                os.close(dir_fd)
