"""The results file: created owner-only, locked for one run, loaded, refused, appended.

Opening refuses (untouched) anything that is not this action's results file,
drops a last record cut short by a crash, and reads each line's last state.
"""

from __future__ import annotations

import contextlib
import errno
import fcntl
import json
import os
import stat
import threading
from collections.abc import Mapping
from pathlib import Path
from typing import Any, cast

from connector.batch.records import FORMAT, SAFE, STATUSES, UNKNOWN, VERSION, encode, header
from connector.errors import InputError
from connector.redact import Secrets, redact_value


class ResultsInUseError(InputError):
    """Another run holds the results file; running too could create things twice."""

    kind = "results_in_use"

    def __init__(self, path: str | Path) -> None:
        super().__init__({"results": f"{path} is in use by another run"})
        self.args = (f"results: {path} is in use by another run; wait for it to end "
                     "or give another results file",)


def default_results_path(batch: str | Path) -> Path:
    """`inputs.jsonl` -> `inputs.results.jsonl`; stdin has no name to derive one from."""
    if str(batch) == "-":
        raise InputError({"--results": "is required when the batch is read from stdin (-)"})
    batch = Path(batch)
    return batch.with_name(batch.name.removesuffix(".jsonl") + ".results.jsonl")


_HEAD = encode(header(""))[:len(FORMAT) + 12]  # {"format":"<FORMAT>"


def _refuse(path: Path, problem: str) -> InputError:
    return InputError({"results": f"{path} {problem}"})


class ResultsFile:
    """Append-only JSONL of one action's outcomes, locked for one run at a time.

    Opening takes an exclusive lock (flock, non-blocking), then reads the file:
    the last record of each line, by (fingerprint, occurrence), is `state`.
    Anything that is not this action's results file is refused untouched.
    """

    def __init__(self, path: str | Path, action: str,
                 not_same_as: os.stat_result | None = None,
                 secrets: Secrets | None = None) -> None:
        self.path = Path(path)
        self.action = action
        self.secrets = secrets  # masked in every record; None: the current scope's
        self.state: dict[tuple[str, int], tuple[str, str | None]] = {}
        self._lock = threading.Lock()
        self._fd = self._open(not_same_as)
        try:
            self._load()
        except BaseException:
            self.close()
            raise

    def _open(self, not_same_as: os.stat_result | None) -> int:
        try:
            before = os.stat(self.path)
        except FileNotFoundError:
            before = None
        except OSError as exc:
            raise _refuse(self.path, f"cannot be read: {exc.strerror}") from None
        if before is not None:
            if not stat.S_ISREG(before.st_mode):
                raise _refuse(self.path, "is not a regular file")
            if not_same_as is not None and os.path.samestat(before, not_same_as):
                raise _refuse(self.path, "is the input file; give another results file")
        try:  # no O_TRUNC: a file we end up refusing keeps every byte
            fd = os.open(self.path, os.O_RDWR | os.O_CREAT | os.O_APPEND | os.O_CLOEXEC, 0o600)
        except OSError as exc:
            raise _refuse(self.path, f"cannot be opened: {exc.strerror}") from None
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError as exc:
            os.close(fd)
            if exc.errno in (errno.EWOULDBLOCK, errno.EAGAIN, errno.EACCES):
                raise ResultsInUseError(self.path) from None
            raise _refuse(self.path, f"cannot be locked: {exc.strerror}") from None
        if before is None:  # created: make its name durable too
            _fsync_dir(self.path.parent)
        return fd

    def _load(self) -> None:
        mine = encode(header(self.action))
        end = 0  # offset after the last good line
        with open(self._fd, "rb", closefd=False) as fh:
            fh.seek(0)
            for index, raw in enumerate(fh):
                whole = raw.endswith(b"\n")
                if index == 0:
                    if not whole and raw.startswith(_HEAD) and mine.startswith(raw):
                        break  # the header itself was cut short: start afresh
                    self._check_header(raw)
                else:
                    record = self._record(raw)
                    if record is None:
                        if whole:
                            raise _refuse(self.path, f"is damaged at line {index + 1}; "
                                          "move it aside or give another results file")
                        break  # a record cut short by a crash: dropped below
                    self.state[(record["fingerprint"], record["occurrence"])] = (
                        record["status"], record.get("retry"))
                end += len(raw)
                if not whole:  # a complete last record missing only its newline
                    self._append(b"\n")
                    end += 1
        if os.fstat(self._fd).st_size > end:
            os.ftruncate(self._fd, end)  # only ever the truncated last line
        if end == 0:
            self._append(mine)

    def _check_header(self, raw: bytes) -> None:
        try:
            head = json.loads(raw)
        except (ValueError, RecursionError):
            head = None
        if not isinstance(head, dict) or head.get("format") != FORMAT:
            if isinstance(head, dict) and isinstance(head.get("line"), int) \
                    and head.get("status") in STATUSES:
                raise _refuse(self.path, "holds results in an older format that does not "
                              "name its action; finish that run with the version that "
                              "wrote it, or give another results file")
            raise _refuse(self.path, "is not a results file of segment-connector; "
                          "refusing to write to it (give another results file)")
        if not isinstance(head.get("version"), int) or head["version"] > VERSION:
            raise _refuse(self.path, f"was written by a newer version (format version "
                          f"{head.get('version')!r}); use that version to resume it")
        if head.get("action") != self.action:
            raise _refuse(self.path, f"holds results of action {head.get('action')!r}, not "
                          f"{self.action!r}; give another results file")

    def _record(self, raw: bytes) -> dict[str, Any] | None:
        try:
            rec = json.loads(raw)
        except (ValueError, RecursionError):
            return None
        ok = (isinstance(rec, dict) and rec.get("action") == self.action
              and isinstance(rec.get("fingerprint"), str)
              and isinstance(rec.get("occurrence"), int) and rec.get("status") in STATUSES
              and (rec["status"] != "error" or rec.get("retry") in (SAFE, UNKNOWN)))
        return rec if ok else None

    def write(self, record: Mapping[str, Any]) -> None:
        """Append one record durably; raises (TypeError, ValueError, OSError) and then
        leaves the file as it was, so a failed write never damages the next record."""
        self._append(encode(cast(Mapping[str, Any], redact_value(record, self.secrets))))

    def write_many(self, records: list[Mapping[str, Any]]) -> None:
        """Append records durably with one sync (all or none, as `write`)."""
        self._append(b"".join(encode(cast(Mapping[str, Any], redact_value(r, self.secrets)))
                              for r in records))

    def _append(self, data: bytes) -> None:
        with self._lock:
            size = os.fstat(self._fd).st_size
            try:
                view = memoryview(data)
                while view:
                    view = view[os.write(self._fd, view):]
                os.fsync(self._fd)
            except OSError:
                with contextlib.suppress(OSError):  # else the next run drops the cut line
                    os.ftruncate(self._fd, size)
                raise

    def close(self) -> None:
        with self._lock:
            if self._fd >= 0:
                os.close(self._fd)  # releases the lock
                self._fd = -1


def _fsync_dir(path: Path) -> None:
    try:
        fd = os.open(path, os.O_RDONLY | os.O_DIRECTORY)
    except OSError:
        return
    try:
        with contextlib.suppress(OSError):
            os.fsync(fd)
    finally:
        os.close(fd)
