"""Declarations of plugins: actions, picklist data sources and their inputs.

Everything here is plain, frozen data so that 200 actions cost little to import
and can be read one screen at a time. Validation models are built lazily by
`connector.validation` the first time an action runs.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Any, Literal

# Media types, most stable first: the runtime sends the most stable one an
# operation declares.
V1 = "application/vnd.segment.v1+json"
V1BETA = "application/vnd.segment.v1beta+json"
V1ALPHA = "application/vnd.segment.v1alpha+json"
JSON = "application/json"
MEDIA_TYPES = (V1, V1BETA, V1ALPHA, JSON)

InputType = Literal["string", "integer", "number", "boolean", "object", "array", "any"]
# path/query/body go on the wire; "payload" is the whole JSON body; "control"
# inputs steer the runtime (region, paging, retries) and are never sent.
Where = Literal["path", "query", "body", "payload", "control"]

_ACRONYMS = {"id": "ID", "ids": "IDs", "url": "URL", "fql": "FQL", "api": "API", "ms": "(ms)"}


def label_for(key: str) -> str:
    """`sourceId` -> `Source ID`, `logoUrl` -> `Logo URL`."""
    words = re.sub(r"(?<=[a-z0-9])(?=[A-Z])", " ", key).replace("_", " ").split()
    out = [_ACRONYMS.get(w.lower(), w[:1].upper() + w[1:]) for w in words]
    return " ".join(out)


# eq=False: inputs hash by identity, so tuples of them can key validator caches
# even when a default or example is a dict.
@dataclass(frozen=True, slots=True, eq=False)
class Input:
    """One input of an action or picklist, as a flow builder shows it."""

    key: str
    type: InputType = "string"
    comments: str = ""
    required: bool = False
    default: Any = None
    example: Any = None
    label: str = ""
    picklist: str | None = None  # key of the data source that can fill it
    where: Where | None = None  # None: inferred from the method and path
    name: str | None = None  # wire name when it differs from key, e.g. pagination.count
    items: InputType | None = None  # element type of an array input
    choices: tuple[Any, ...] = ()
    # JSON Schema, or a catalogue reference: "Model", "Model.property", "Model[]" (a list).
    schema: Mapping[str, Any] | str | None = None
    minimum: int | None = None
    maximum: int | None = None
    secret: bool = False

    @property
    def display(self) -> str:
        return self.label or label_for(self.key)

    @property
    def wire_name(self) -> str:
        return self.name or self.key


class ExampleFile:
    """Example payloads kept as JSON beside a plugin module, read on first use."""

    def __init__(self, path: str | Path) -> None:
        self.path = Path(path)

    @classmethod
    def beside(cls, module_file: str) -> ExampleFile:
        """`actions/sources.py` -> `actions/examples/sources.json`."""
        here = Path(module_file)
        return cls(here.parent / "examples" / f"{here.stem}.json")

    def get(self, key: str) -> Any:
        return _read_json(self.path).get(key)


@cache
def _read_json(path: Path) -> dict[str, Any]:
    if not path.exists():
        return {}
    return json.loads(path.read_text(encoding="utf-8"))


@dataclass(frozen=True, slots=True)
class Action:
    """An API operation (or any callable step) described as data."""

    key: str
    display: str
    description: str
    method: str = "GET"
    path: str = ""
    inputs: tuple[Input, ...] = ()
    aliases: tuple[str, ...] = ()
    area: str = ""
    media: str = V1
    status: int = 200
    items: str | None = None  # key of the list in `data` for paginated listings
    body_model: str | None = None  # request schema name in connector/api/schemas.json
    response_model: str | None = None  # response schema name in connector/api/schemas.json
    example: Any = None  # payload dict, or an ExampleFile holding it under `key`
    run: Callable[..., Any] | None = None  # custom executor (Raw Request); None = HTTP call
    plugin: str = field(default="", compare=False)  # set by the registry

    @property
    def paginated(self) -> bool:
        return self.items is not None

    def where(self, inp: Input) -> Where:
        if self.run is not None:  # a custom executor reads every input itself
            return "control"
        if inp.where is not None:
            return inp.where
        if "{" + inp.wire_name + "}" in self.path:
            return "path"
        return "query" if self.method in ("GET", "DELETE", "HEAD") else "body"

    def example_payload(self) -> Any:
        if isinstance(self.example, ExampleFile):
            return self.example.get(self.key)
        return self.example


@dataclass(frozen=True, slots=True)
class DataSource:
    """A picklist: a list action turned into `{"result": [{"label", "key"}]}`."""

    key: str
    display: str
    description: str
    action: str  # key of the list action that feeds it
    # Dotted paths (or "{field}" templates); the first non-empty one wins.
    label: tuple[str, ...] = ("name", "id")
    value: str = "id"
    inputs: tuple[Input, ...] = ()  # inputs the listing needs (a parent id)
    example: Any = None
    items: str | None = None  # list key in `data`; None: the listing action's `items`
    aliases: tuple[str, ...] = ()
    plugin: str = field(default="", compare=False)

    @property
    def all_inputs(self) -> tuple[Input, ...]:
        return (*self.inputs, *PICKLIST_INPUTS)


# Inputs every API action shares. Region sits on the connection too; an action
# input overrides it for one call (the seed products expose it per action).
REGION = Input(
    "region",
    comments="API region: `api` (US) or `eu1.api` (EU). Blank: the connection's region.",
    default="api",
    choices=("api", "eu1.api"),
    where="control",
)


def paging(name: str = "pagination") -> tuple[Input, ...]:
    """Inputs of a cursor-paginated listing; `name` is its query object."""
    return (
        Input("count", "integer", "Items per page (1-1000).", default=50,
              minimum=1, maximum=1000, where="query", name=f"{name}.count"),
        Input("cursor", comments="Where to start: `pagination.next` of an earlier answer, "
              "passed back unchanged (an API cursor, or a connector cursor starting `sgc1:`).",
              where="query", name=f"{name}.cursor"),
        Input("followAll", "boolean", "Follow `next` cursors and return every item, up to "
              "maxItems; `pagination` then describes the whole answer.",
              default=False, where="control"),
        Input("maxItems", "integer", "With followAll, stop after this many items. A cut-short "
              "answer has `pagination.truncated` true and a `next` that resumes right after "
              "its last item.", default=10000, minimum=1, where="control"),
    )


PAGING_KEYS = frozenset({"count", "cursor", "followAll", "maxItems"})

# Every picklist takes these besides its own inputs.
PICKLIST_INPUTS = (
    Input("filter", comments="Keep only options whose label contains this text "
          "(case-insensitive).", where="control"),
    Input("maxItems", "integer", "Most options to return.", default=5000, minimum=1,
          where="control"),
)
