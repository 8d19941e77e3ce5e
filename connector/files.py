"""Files written so that a crash leaves the old version or the new one, never a mix."""

from __future__ import annotations

import contextlib
import fcntl
import os
import secrets
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


def new_locked(dir_fd: int, name: str, text: str) -> tuple[int, str]:
    """A new file in the directory `dir_fd` under a fresh name (made from `name`, never
    through a link), holding `text`, synced and locked with `flock`: its descriptor and
    its name."""
    tmp = f".{name}.{os.getpid()}.{secrets.token_hex(4)}.tmp"
    flags = os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW | os.O_CLOEXEC
    fd = os.open(tmp, flags, 0o600, dir_fd=dir_fd)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)  # a fresh file: nobody else holds it
        left = memoryview(text.encode("utf-8"))
        while left:
            left = left[os.write(fd, left):]
        os.fsync(fd)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(tmp, dir_fd=dir_fd)
        os.close(fd)
        raise
    return fd, tmp


def replace_locked(dir_fd: int, name: str, text: str) -> int:
    """Like `write_atomically`, for a file held by identity: the new file (`new_locked`)
    is locked before it takes `name`, synced with its directory, and its descriptor
    returned, still locked. A process that opens `name` after the rename finds the lock;
    one that opened the old file before it must check, after locking, that `name` is
    still the file it holds."""
    fd, tmp = new_locked(dir_fd, name, text)
    try:
        os.replace(tmp, name, src_dir_fd=dir_fd, dst_dir_fd=dir_fd)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(tmp, dir_fd=dir_fd)
        os.close(fd)
        raise
    with contextlib.suppress(OSError):
        os.fsync(dir_fd)
    return fd
