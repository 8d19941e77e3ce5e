"""`poll --state FILE`: the state file, held by identity from the first read to the last write.

The file is opened without following a symbolic link (a link is refused, naming
it), must be a regular file with one name (a second hard link would let two
pollers hold one state under two names), and is locked with `flock` on the open
file itself, not on a name beside it. Each new state is written to a new file
in the same directory, locked before it is renamed over the old one, so a poll
that opens the name afterwards finds it held; one that opened the old file
checks, once it holds the lock, that the name still points at that file.

A missing file is a first poll: a placeholder (`{"trigger": KEY, "pending": ...}`)
takes the name at once, locked, so a second first poll of the same file waits
its turn instead of starting a second trigger; it is removed again when the
poll saves nothing. An empty file, or one that is not a state of this
trigger, is an error naming the file: never a silent fresh start.
"""

from __future__ import annotations

import contextlib
import errno
import fcntl
import json
import os
import stat
from pathlib import Path
from types import TracebackType
from typing import Any

from connector.cli.inputs import unreadable
from connector.errors import InputError
from connector.files import new_locked, replace_locked
from connector.triggers.state import TriggerStateError

PENDING = "a first poll that has not saved a state yet; the next poll starts from now"
_OPEN_TRIES = 5  # the name replaced under us this often in a row: give up


def _error(problem: str) -> InputError:
    return InputError({"--state": problem})


class StateFile:
    """The state file of one poller, open and locked while the poller runs."""

    def __init__(self, path: Path, trigger: str) -> None:
        self.path, self.trigger = path, trigger
        self.name = path.name
        self.dir_fd = -1
        self.fd = -1
        self.placeholder = False  # the file is the first poll's placeholder, ours

    # -- holding the file -----------------------------------------------------------
    def __enter__(self) -> StateFile:
        if not self.name or self.name in (".", ".."):
            raise _error(f"{self.path} names a directory, not a file")
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            self.dir_fd = os.open(self.path.parent, os.O_RDONLY | os.O_DIRECTORY | os.O_CLOEXEC)
        except OSError as exc:
            raise _error(f"cannot open the directory of {self.path}: "
                         f"{exc.strerror or exc}") from None
        try:
            for _ in range(_OPEN_TRIES):
                if self._hold():
                    return self
            raise _error(f"{self.path} keeps being replaced by another process")
        except BaseException:
            self._close()
            raise

    def __exit__(self, kind: type[BaseException] | None, exc: BaseException | None,
                 tb: TracebackType | None) -> None:
        if self.placeholder and self._still_ours():  # nothing saved: leave no trace
            with contextlib.suppress(OSError):
                os.unlink(self.name, dir_fd=self.dir_fd)
        self._close()

    def _hold(self) -> bool:
        """Open and lock the file at the name; False when the name moved meanwhile."""
        try:
            fd = os.open(self.name, os.O_RDONLY | os.O_NOFOLLOW | os.O_CLOEXEC | os.O_NONBLOCK,
                         dir_fd=self.dir_fd)
        except FileNotFoundError:
            return self._create()
        except OSError as exc:
            if exc.errno == errno.ELOOP:
                raise _error(f"{self.path} is a symbolic link; give the state file itself "
                             "(it is opened by identity, never through a link)") from None
            raise _error(unreadable(str(self.path), exc)) from None
        self.fd = fd
        self._check_kind()
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            raise _error(f"{self.path} is in use by another poll") from None
        if not self._still_ours():  # replaced between the open and the lock: again
            self._close_file()
            return False
        self._check_kind()  # a link made before the lock
        return True

    def _create(self) -> bool:
        """A first poll: the placeholder takes the name, locked; False when another
        process made the file first."""
        text = json.dumps({"trigger": self.trigger, "pending": PENDING}) + "\n"
        try:
            fd, tmp = new_locked(self.dir_fd, self.name, text)
        except OSError as exc:
            raise _error(f"cannot create {self.path}: {exc.strerror or exc}") from None
        try:
            os.link(tmp, self.name, src_dir_fd=self.dir_fd, dst_dir_fd=self.dir_fd,
                    follow_symlinks=False)
        except FileExistsError:
            os.close(fd)
            return False
        except OSError as exc:
            os.close(fd)
            raise _error(f"cannot create {self.path}: {exc.strerror or exc}") from None
        finally:
            with contextlib.suppress(OSError):
                os.unlink(tmp, dir_fd=self.dir_fd)
        self.fd, self.placeholder = fd, True
        return True

    def _check_kind(self) -> None:
        info = os.fstat(self.fd)
        if not stat.S_ISREG(info.st_mode):
            raise _error(f"{self.path} is not a regular file")
        if info.st_nlink > 1:
            raise _error(f"{self.path} has {info.st_nlink} names (hard links); a state file "
                         "must have one, or two pollers could share it under two names")

    def _still_ours(self) -> bool:
        try:
            named = os.stat(self.name, dir_fd=self.dir_fd, follow_symlinks=False)
        except OSError:
            return False
        held = os.fstat(self.fd)
        return (named.st_dev, named.st_ino) == (held.st_dev, held.st_ino)

    def _close_file(self) -> None:
        if self.fd >= 0:
            os.close(self.fd)
            self.fd = -1

    def _close(self) -> None:
        self._close_file()
        if self.dir_fd >= 0:
            os.close(self.dir_fd)
            self.dir_fd = -1

    # -- its content -----------------------------------------------------------------
    def read(self) -> dict[str, Any] | None:
        """The saved state; None for a first poll (our placeholder, or one a first poll
        left behind)."""
        if self.placeholder:
            return None
        try:
            raw = b""
            while chunk := os.pread(self.fd, 1 << 16, len(raw)):
                raw += chunk
            text = raw.decode("utf-8")
        except (OSError, UnicodeDecodeError) as exc:
            raise _error(unreadable(str(self.path), exc)) from None
        if not text.strip():
            raise self._foreign("is empty, so it says nothing of what was already "
                                "delivered; remove it to start from now")
        try:
            state = json.loads(text)
        except (ValueError, RecursionError):
            raise self._foreign("is not a trigger state (not JSON); remove it to start "
                                "from now") from None
        if not isinstance(state, dict):
            raise self._foreign("is not a trigger state (not a JSON object)")
        if set(state) == {"trigger", "pending"}:
            if state["trigger"] != self.trigger:
                raise self._foreign(f"belongs to trigger {state['trigger']!r}, not "
                                    f"{self.trigger!r}")
            return None
        return state

    def _foreign(self, problem: str) -> TriggerStateError:
        """The file's content is not this trigger's state (`trigger_state`, naming it)."""
        return TriggerStateError(f"{self.path} {problem}", self.trigger)

    def write(self, state: dict[str, Any]) -> None:
        """Replace the file with `state`, keeping it held (see `replace_locked`)."""
        if not self._still_ours():
            raise _error(f"{self.path} was replaced or removed by another process while "
                         "this poll held it; the new state is not saved")
        text = json.dumps(state, ensure_ascii=False) + "\n"
        try:
            fd = replace_locked(self.dir_fd, self.name, text)
        except OSError as exc:
            raise _error(f"cannot write {self.path}: {exc.strerror or exc}") from None
        self._close_file()
        self.fd, self.placeholder = fd, False
