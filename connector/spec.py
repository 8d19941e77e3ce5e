"""Declarations of plugins: actions, picklist data sources and their inputs.

Everything here is plain, frozen data so that 200 actions cost little to import
and can be read one screen at a time. Validation models are built lazily by
`connector.validation` the first time an action runs.

An action on a catalogue operation (`Overlays`, or `operation=`) is an overlay:
it leaves method, path, media type, status, models, placement, types and
paging unset, and `connector.overlay` fills them in from the catalogue when
the action registers.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal, Protocol, runtime_checkable

if TYPE_CHECKING:
    from connector.request import HttpRequest
    from connector.runtime import Runtime

# Media types, most stable first: the runtime sends the most stable one an
# operation declares.
V1 = "application/vnd.segment.v1+json"
V1BETA = "application/vnd.segment.v1beta+json"
V1ALPHA = "application/vnd.segment.v1alpha+json"
JSON = "application/json"
MEDIA_TYPES = (V1, V1BETA, V1ALPHA, JSON)
# What an operation's most stable media type says of its stability.
STABILITY = {V1: "ga", V1BETA: "beta", V1ALPHA: "alpha", JSON: "ga"}
# Methods a retry cannot repeat the effect of (the API has no idempotency keys).
IDEMPOTENT_METHODS = frozenset({"GET", "HEAD", "OPTIONS", "PUT", "DELETE"})

InputType = Literal["string", "integer", "number", "boolean", "object", "array", "any"]
# path/query/body go on the wire; "payload" is the whole JSON body; "control"
# inputs steer the runtime (region, paging, retries) and are never sent.
Where = Literal["path", "query", "body", "payload", "control"]
INPUT_TYPES = frozenset({"string", "integer", "number", "boolean", "object", "array", "any"})
WHERE = frozenset({"path", "query", "body", "payload", "control"})


class Executor(Protocol):
    """A custom executor (`Action.run`): runs the action itself instead of the HTTP call.

    `runtime` is the `connector.runtime.Runtime` running it; `values` the raw inputs,
    which the executor validates itself. It answers `{"data": ...}` as an action does.
    """

    def __call__(self, runtime: Runtime, values: Mapping[str, Any], /) -> dict[str, Any]: ...


@runtime_checkable
class RequestExecutor(Executor, Protocol):
    """An executor that sends one request it can show beforehand (Raw Request)."""

    def prepare(self, runtime: Runtime, values: Mapping[str, Any]) -> HttpRequest:
        """The request a call with `values` would send (raises InputError first)."""
        ...

    def method(self, values: Mapping[str, Any]) -> str:
        """The HTTP method a call with `values` sends, upper case ("" when unknown)."""
        ...
Safety = Literal["read", "write", "destructive"]
SAFETIES = frozenset({"read", "write", "destructive"})

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
    default: Any = None  # what a blank input sends; a template the user edits is a placeholder
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
    placeholder: Any = None  # shown in an empty field, never sent (the seed's `["000xxx"]`)

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


def safety_of(method: str) -> Safety:
    """What an HTTP method does to the workspace, unless an action says otherwise."""
    if method in ("GET", "HEAD", "OPTIONS"):
        return "read"
    return "destructive" if method == "DELETE" else "write"


@dataclass(frozen=True, slots=True)
class Action:
    """An API operation (or any callable step) described as data.

    Facts left blank ("", 0, None) are filled in when the action registers:
    from the catalogue for an overlay (`operation` set), else with the defaults
    (GET, v1, 200, safety and retry-safety from the method). An action with a custom
    executor (`run`) declares its own `safety` and `idempotent`, and `dry_run` unless its
    executor is a `RequestExecutor`: the host cannot tell what code does.
    """

    key: str
    display: str
    description: str
    method: str = ""
    path: str = ""
    inputs: tuple[Input, ...] = ()
    aliases: tuple[str, ...] = ()
    area: str = ""
    media: str = ""
    status: int = 0
    items: str | None = None  # key of the list in `data` for paginated listings
    body_model: str | None = None  # request schema name in connector/api/catalog.json
    response_model: str | None = None  # response schema name in connector/api/catalog.json
    example: Any = None  # payload dict, or an ExampleFile holding it under `key`
    run: Executor | None = None  # custom executor (Raw Request); None = HTTP call
    plugin: str = field(default="", compare=False)  # set by the registry
    operation: str | None = None  # catalogue operationId this action overlays
    safety: Safety | None = None  # read, write or destructive
    idempotent: bool | None = None  # whether repeating it has no further effect
    stability: str = ""  # ga, beta or alpha: from the media type
    rate_limit: tuple[int, str] | None = None  # (requests, "minute" | "day") of the endpoint
    feature: str | None = None  # workspace feature the operation needs (Protocols, ...)
    # A custom executor that cannot show its request (not a RequestExecutor) says what a
    # dry run shows instead: "Runs code: reads the source, then updates it (2 requests)".
    dry_run: str = ""
    # (name, version) of the distribution that declared it; set by the registry.
    distribution: tuple[str, str] | None = field(default=None, compare=False)

    @property
    def paginated(self) -> bool:
        return self.items is not None

    def method_for(self, values: Mapping[str, Any]) -> str:
        """The HTTP method a call with `values` sends: the action's own, or what its
        executor says ("" when a custom executor cannot tell)."""
        if self.run is None:
            return self.method
        if isinstance(self.run, RequestExecutor):
            return self.run.method(values)
        return ""

    def where(self, inp: Input) -> Where:
        if self.run is not None:  # a custom executor reads every input itself
            return "control"
        if inp.where is not None:
            return inp.where
        if "{" + inp.wire_name + "}" in self.path:
            return "path"
        return "query" if self.method in ("GET", "DELETE", "HEAD", "") else "body"

    def example_payload(self) -> Any:
        if isinstance(self.example, ExampleFile):
            return self.example.get(self.key)
        return self.example


class Overlays:
    """Makes the overlays of one built-in module, with example payloads beside it.

    `api = Overlays(__file__)`, then `api("getSource", "Get Source", "Fetch one
    source by id.", SOURCE_ID)`: the key is the operationId, the inputs follow.
    """

    def __init__(self, module_file: str) -> None:
        self.examples = ExampleFile.beside(module_file)

    def __call__(self, key: str, display: str, description: str, *inputs: Input,
                 aliases: tuple[str, ...] = (), items: str | None = None,
                 safety: Safety | None = None, idempotent: bool | None = None) -> Action:
        return Action(key, display, description, inputs=inputs, aliases=aliases, items=items,
                      example=self.examples, operation=key, safety=safety,
                      idempotent=idempotent)


class Fields(str):
    """A picklist `value` whose key is an object of some fields of each item.

    `Fields("key", "value")` makes the key of a label option `{"key": ..., "value":
    ...}`, exactly what `labels` inputs take. It is a template (a str holding
    `{key}:{value}`), so the runtime renders it through `format_map` as any
    template, and this class makes that rendering the object.
    """

    names: tuple[str, ...]

    def __new__(cls, *names: str) -> Fields:
        made = super().__new__(cls, ":".join("{" + n + "}" for n in names))
        made.names = names
        return made

    def format_map(self, mapping: Mapping[str, Any]) -> Any:  # type: ignore[override]
        return {n: mapping[n] for n in self.names}


@dataclass(frozen=True, slots=True)
class DataSource:
    """A picklist: a list action turned into `{"result": [{"label", "key"}]}`."""

    key: str
    display: str
    description: str
    action: str  # key of the list action that feeds it
    # Dotted paths (or "{field}" templates); the first non-empty one wins.
    label: tuple[str, ...] = ("name", "id")
    value: str = "id"  # the option's key: a dotted path, a template, or Fields(...)
    inputs: tuple[Input, ...] = ()  # inputs the listing needs (a parent id)
    example: Any = None
    items: str | None = None  # list key in `data`; None: the listing action's `items`
    aliases: tuple[str, ...] = ()
    plugin: str = field(default="", compare=False)
    distribution: tuple[str, str] | None = field(default=None, compare=False)

    @property
    def all_inputs(self) -> tuple[Input, ...]:
        return (*self.inputs, *PICKLIST_INPUTS)


class EventFeed(Protocol):
    """How a trigger finds events: one poll from the caller's opaque `state`.

    `runtime` is the `connector.runtime.Runtime` polling; `values` the trigger's
    validated inputs (`since` among them when given). The answer is the new
    events, oldest first, and the state to pass to the next poll; `state` is
    None on the first poll. `limit` caps the events of one poll: the rest come
    in the next one.
    """

    @property
    def kind(self) -> str:
        """Names the feed in the state, so one trigger's state is refused by another."""
        ...

    @property
    def action(self) -> str:
        """Key of the listing it reads ("" when it reads none)."""
        ...

    def poll(self, runtime: Runtime, values: Mapping[str, Any], state: Mapping[str, Any] | None,
             limit: int, trigger: str) -> tuple[list[dict[str, Any]], dict[str, Any]]: ...


@dataclass(frozen=True, slots=True)
class Trigger:
    """A polling trigger: inputs and an opaque state in, new events and the next state out."""

    key: str
    display: str
    description: str
    feed: EventFeed
    inputs: tuple[Input, ...] = ()
    sample: Any = None  # one event, as a poll returns it
    aliases: tuple[str, ...] = ()
    plugin: str = field(default="", compare=False)
    distribution: tuple[str, str] | None = field(default=None, compare=False)

    @property
    def all_inputs(self) -> tuple[Input, ...]:
        return (*self.inputs, *TRIGGER_INPUTS)


# Inputs every API action shares. Region sits on the connection too; an action
# input overrides it for one call (the seed products expose it per action).
REGION = Input(
    "region",
    comments="API region: `api` (US) or `eu1.api` (EU). Blank: the connection's region.",
    choices=("api", "eu1.api"),
    where="control",
)


@cache
def paging(name: str = "pagination") -> tuple[Input, ...]:
    """Inputs of a cursor-paginated listing; `name` is its query object (one tuple each)."""
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
    Input("pageToken", comments="Where to go on: `nextPageToken` of an answer that was "
          "`truncated`, passed back unchanged with the same filter.", where="control"),
)

# Every trigger takes these besides its own inputs.
TRIGGER_INPUTS = (
    REGION,
    Input("since", comments="On the first poll, return what happened from this time on "
          "(RFC 3339, a past time by the poller's clock, put on the API's by its `Date` "
          "header); blank: start from now and return only what happens after it.",
          example="2024-05-01T00:00:00Z", where="control"),
    Input("maxEvents", "integer", "Most events one poll returns; the rest come in the next. "
          "An audit-trail poll also sends at most max(4, maxEvents / 200 + 1) requests, so a "
          "long backlog drains over polls, oldest first.",
          default=1000, minimum=1, maximum=10000, where="control"),
)
