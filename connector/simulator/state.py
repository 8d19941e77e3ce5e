"""The simulator's stored resources, their fixtures, and JSON persistence."""

from __future__ import annotations

import copy
import json
import threading
from pathlib import Path
from typing import Any

from connector.files import write_atomically
from connector.simulator import fixtures
from connector.simulator.errors import StateFileError, not_found
from connector.simulator.ids import IdSource

FORMAT_VERSION = 1

# Keyed collections: id (or key) -> record in the shape the API returns.
COLLECTIONS = (
    "sources", "destinations", "warehouses", "functions", "insertFunctionInstances",
    "transformations", "labels", "users", "invites", "userGroups", "roles",
    "trackingPlans", "reverseEtlModels", "spaces", "subscriptions", "filters",
    "sourceMetadata", "destinationMetadata", "warehouseMetadata",
    "auditEvents",  # id -> audit-trail event, in the order they happened
    # Objects that schema-made creates made: collection path -> {id -> object}.
    "records",
)
# Relations: owner id -> list (connections, members, versions, rules, ...).
RELATIONS = (
    "warehouseSources", "trackingPlanSources", "trackingPlanRules", "groupEmails",
    "groupInvites", "functionVersions", "schemaSettings",
)
WHAT = {"sources": "Source", "destinations": "Destination", "warehouses": "Warehouse",
        "functions": "Function", "trackingPlans": "Tracking plan", "users": "User",
        "userGroups": "User group", "reverseEtlModels": "Reverse ETL model",
        "transformations": "Transformation", "spaces": "Space"}


class State:
    """All resources of the one workspace a token grants; guard writes with `lock`."""

    def __init__(self, ids: IdSource) -> None:
        self.lock = threading.RLock()
        self.workspace = {"id": ids.new_id(), "name": "Simulated Workspace",
                          "slug": "simulated-workspace"}
        self.data: dict[str, dict[str, Any]] = {name: {} for name in COLLECTIONS + RELATIONS}
        # The token the simulator accepts, kept with the state so that a restart on the
        # same file accepts it again (the file is owner-only).
        self.token: str | None = None
        self.changes = 0  # writes finished so far; saves record how many they include
        self._load_fixtures()

    def _load_fixtures(self) -> None:
        for name, rows in (("sourceMetadata", fixtures.SOURCE_METADATA),
                           ("destinationMetadata", fixtures.DESTINATION_METADATA),
                           ("warehouseMetadata", fixtures.WAREHOUSE_METADATA),
                           ("roles", fixtures.ROLES), ("users", fixtures.USERS),
                           ("spaces", fixtures.SPACES)):
            for row in rows:
                self.data[name][row["id"]] = copy.deepcopy(row)

    def __getitem__(self, name: str) -> dict[str, Any]:
        return self.data[name]

    def count(self, name: str) -> int:
        return len(self.data[name])

    def get(self, name: str, ident: str) -> dict[str, Any]:
        """The record, or a 404 answer naming what was missing."""
        try:
            return self.data[name][ident]
        except KeyError:
            raise not_found(WHAT.get(name, name), ident) from None

    def relation(self, name: str, owner: str) -> list[Any]:
        with self.lock:  # setdefault may add a key while a snapshot is being encoded
            return self.data[name].setdefault(owner, [])

    # Persistence -----------------------------------------------------------
    def touch(self) -> int:
        """Count one finished write; the number orders it against snapshots."""
        with self.lock:
            self.changes += 1
            return self.changes

    def to_json(self) -> dict[str, Any]:
        with self.lock:
            doc = {"version": FORMAT_VERSION, "workspace": self.workspace, "data": self.data}
            if self.token is not None:
                doc["token"] = self.token
            return doc

    def snapshot(self) -> tuple[str, int]:
        """The state as JSON text, and the count of writes that text includes."""
        with self.lock:  # records are live: encode them before another write changes them
            return json.dumps(self.to_json(), separators=(",", ":")), self.changes

    def load(self, path: Path) -> str | None:
        """Take the resources stored in `path`; StateFileError when it is unreadable or
        misshapen (the file is left as it is). The file's text, None if there is no file."""
        found = read_state_file(path)
        if found is None:
            return None
        text, doc = found
        with self.lock:
            self.token = doc.get("token")
            self.workspace = doc["workspace"]
            for name, rows in doc["data"].items():
                self.data[name] = rows
        return text

    def save(self, path: Path, sync_dir: bool = False) -> None:
        write_atomically(path, self.snapshot()[0], sync_dir)


def _kind(value: Any) -> str:
    if isinstance(value, bool):
        return "true or false"
    return _KINDS.get(type(value), type(value).__name__)


_KINDS = {dict: "an object", list: "a list", str: "a string", int: "a number",
          float: "a number", type(None): "null"}


def shape_problem(doc: Any) -> str | None:
    """What is wrong with the shape of a state document, or None if it can be loaded."""
    if not isinstance(doc, dict):
        return f"holds {_kind(doc)}, not an object"
    missing = [key for key in ("version", "workspace", "data") if key not in doc]
    if missing:
        return "has no " + " and no ".join(repr(key) for key in missing)
    version = doc["version"]
    if type(version) is not int or version != FORMAT_VERSION:  # `True == 1` must not pass
        return f"has version {version!r}; this simulator reads version {FORMAT_VERSION}"
    if "token" in doc and not (isinstance(doc["token"], str) and doc["token"]):
        return "'token' is not a non-empty string"
    workspace = doc["workspace"]
    if not isinstance(workspace, dict):
        return f"'workspace' is {_kind(workspace)}, not an object"
    for key in ("id", "name", "slug"):
        if not isinstance(workspace.get(key), str):
            return f"'workspace.{key}' is missing or not a string"
    data = doc["data"]
    if not isinstance(data, dict):
        return f"'data' is {_kind(data)}, not an object"
    for name, rows in data.items():
        if name not in COLLECTIONS and name not in RELATIONS:
            return f"'data' holds an unknown collection {name!r}"
        if not isinstance(rows, dict):
            return f"'data.{name}' is {_kind(rows)}, not an object"
        # Records are objects; relations map an owner to a list (or, for settings, an object).
        allowed: tuple[type, ...] = (dict,) if name in COLLECTIONS else (list, dict)
        for key, row in rows.items():
            if not isinstance(row, allowed):
                want = "an object" if name in COLLECTIONS else "a list or an object"
                return f"'data.{name}.{key}' is {_kind(row)}, not {want}"
    return None


def read_state_file(path: Path) -> tuple[str, dict[str, Any]] | None:
    """The text and document of a state file, checked (None if there is no file);
    StateFileError names the problem."""
    try:
        raw = path.read_bytes()
    except FileNotFoundError:
        return None
    except OSError as exc:
        raise StateFileError(path, f"cannot be read ({exc.strerror or exc})") from None
    if not raw.strip():
        raise StateFileError(path, "is empty; remove it to start with a fresh state")
    try:
        text = raw.decode("utf-8")
        doc = json.loads(text)
    except UnicodeDecodeError:
        raise StateFileError(path, "is not UTF-8 text") from None
    except json.JSONDecodeError as exc:
        raise StateFileError(path, f"is not valid JSON, corrupt or truncated ({exc.msg}: "
                                   f"line {exc.lineno}, column {exc.colno})") from None
    except RecursionError:
        raise StateFileError(path, "is not a state file (JSON nested too deeply)") from None
    problem = shape_problem(doc)
    if problem:
        raise StateFileError(path, f"is not a simulator state file: it {problem}")
    return text, doc


class StoreClosed(Exception):
    """A write finished after the final save: it is not in the file, so it must not be
    acknowledged."""


class StateFile:
    """The state's file: created at start, saved after every write and before that write is
    acknowledged, saved a last time at stop.

    Saves are group commits: a request waits for the one save in progress, and the next save
    takes in every write finished meanwhile, so concurrent writers share an fsync.
    """

    def __init__(self, state: State, path: Path) -> None:
        self.state, self.path = state, path
        self._io = threading.Lock()  # one save at a time, so files replace each other in order
        self._saved = -1  # count of writes the file holds (-1: not written yet)
        self.closed = False

    def open(self) -> None:
        """Accept commits; write the file now if it is missing, so an unwritable path fails
        at start-up rather than at the first write."""
        with self._io:
            self.closed = False
            if not self.path.exists():
                self._save()

    def commit(self) -> None:
        """Return once the file holds every write finished before this call."""
        target = self.state.touch()
        with self._io:
            if self.closed:
                raise StoreClosed
            if self._saved < target:  # else a save that began after this write covered it
                self._save()

    def close(self) -> None:
        """Save a last time (changes made outside requests too); refuse commits after it."""
        with self._io:
            if not self.closed:
                self.closed = True
                self._save(sync_dir=True)

    def _save(self, sync_dir: bool = False) -> None:
        text, count = self.state.snapshot()
        try:
            write_atomically(self.path, text, sync_dir)
        except OSError as exc:
            raise StateFileError(self.path, f"cannot be written ({exc.strerror or exc})") from None
        self._saved = count
