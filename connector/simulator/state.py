"""The simulator's stored resources, their fixtures, and JSON persistence."""

from __future__ import annotations

import copy
import json
import os
import tempfile
import threading
from pathlib import Path
from typing import Any

from connector.simulator import fixtures
from connector.simulator.errors import not_found
from connector.simulator.ids import IdSource

# Keyed collections: id (or key) -> record in the shape the API returns.
COLLECTIONS = (
    "sources", "destinations", "warehouses", "functions", "insertFunctionInstances",
    "transformations", "labels", "users", "invites", "userGroups", "roles",
    "trackingPlans", "reverseEtlModels", "spaces", "subscriptions", "filters",
    "sourceMetadata", "destinationMetadata", "warehouseMetadata",
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
        return self.data[name].setdefault(owner, [])

    # Persistence -----------------------------------------------------------
    def to_json(self) -> dict[str, Any]:
        with self.lock:
            return {"version": 1, "workspace": self.workspace, "data": self.data}

    def load(self, path: Path) -> None:
        doc = json.loads(path.read_text(encoding="utf-8"))
        with self.lock:
            self.workspace = doc["workspace"]
            for name, rows in doc["data"].items():
                if name in self.data:
                    self.data[name] = rows

    def save(self, path: Path) -> None:
        """Write to a temporary file beside `path`, then rename over it."""
        text = json.dumps(self.to_json(), separators=(",", ":"))
        path.parent.mkdir(parents=True, exist_ok=True)
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
