"""Actions as overlays on the catalogue: what an action does not repeat, filled in at load.

A built-in action names its catalogue operation and declares only what the
catalogue cannot say: display name, description, comments, defaults,
examples, picklist links, aliases and the seed's overrides. `complete` fills
in the rest when the action registers: method, path, media type, success
status, request and response models, where each input goes (path, query or
body), its type, whether it is required, its enum and union schema, array
formats, paging, stability, rate limit and the workspace feature it needs.

The facts come from connector/operations.json, generated from the vendored
catalogue (connector/api/catalog.json) by `python -m connector.overlay`, so
start-up reads one small JSON file (parsed in C, with or without bytecode
caches) instead of the 760 kB catalogue; tests/test_overlay.py checks it is
current. The vendored catalogue strips descriptions, so the one fact only
they state, the workspace feature, is read from the upstream catalogue when
generating.

An overlay that contradicts the catalogue (another type, a parameter the
operation does not have, optional where it is required) is a PluginError
naming the plugin and the field.
"""

from __future__ import annotations

import json
import re
import sys
from collections.abc import Mapping
from dataclasses import dataclass, replace
from functools import cache
from pathlib import Path
from typing import Any, NamedTuple

from connector.errors import PluginError
from connector.spec import (
    IDEMPOTENT_METHODS,
    MEDIA_TYPES,
    REGION,
    STABILITY,
    Action,
    Input,
    InputType,
    Where,
    paging,
    safety_of,
)

ROOT = Path(__file__).resolve().parent.parent
GENERATED = Path(__file__).with_name("operations.json")
UPSTREAM = ROOT.parent / "shared" / "segment-api" / "catalog.json"
# The vendored catalogue keeps, as `model` of a scalar query parameter, the first
# word of its description; this one is also the name of a schema.
PROSE_MODELS = frozenset({"Filter"})
FEATURE = re.compile(r"needs to have the (.+?) feature enabled")
# A declared type may narrow the catalogue's: a whole number is a JSON number.
NARROWER: dict[str, frozenset[str]] = {"number": frozenset({"integer"})}


class Param(NamedTuple):
    """A parameter or top-level body field of an operation, as an input takes it.

    A tuple: a thousand of them are made at start-up, and they key a cache.
    """

    name: str
    where: Where  # path, query or body
    required: bool
    type: InputType | None  # None: the catalogue does not say (a scalar query parameter)
    items: InputType | None = None  # element type of an array
    choices: tuple[Any, ...] = ()  # the enum (of the elements, for an array)
    schema: str | None = None  # catalogue reference of a structured value


@dataclass(frozen=True, slots=True)
class Operation:
    """The facts of one catalogue operation that an action takes from it."""

    key: str
    method: str
    path: str
    media: str  # the most stable media type it declares
    status: int  # its success status
    area: str  # its tag
    response_model: str
    body_model: str | None
    items: str | None  # list key in `data` of a paginated listing
    params: Mapping[str, Param]
    rate_limit: tuple[int, str] | None  # (requests, "minute" | "day")
    feature: str | None  # workspace feature it needs, as its description names it

    @property
    def paginated(self) -> bool:
        return "pagination" in self.params

    @property
    def stability(self) -> str:
        return STABILITY[self.media]


# -- facts at run time -----------------------------------------------------------------
@cache
def operations() -> dict[str, list[Any]]:
    """Every operation's row of facts, read once from the generated file."""
    rows: dict[str, list[Any]] = json.loads(GENERATED.read_text(encoding="utf-8"))["operations"]
    return rows


@cache
def operation(key: str) -> Operation | None:
    """The catalogue facts of operation `key`, or None when the catalogue has none."""
    row = operations().get(key)
    if row is None:
        return None
    method, path, media, status, area, response, body, items, params, limit, feature = row
    return Operation(
        key, method, path, media, status, area, response, body, items,
        {p[0]: Param(p[0], p[1], p[2], p[3], p[4], tuple(p[5]), p[6]) for p in params},
        tuple(limit) if limit else None, feature)


# -- completing an overlay ------------------------------------------------------------
def complete(action: Action, plugin: str) -> Action:
    """An action with every fact filled in: from the catalogue for an overlay, else defaults."""
    if action.operation is None:
        return _defaults(action)
    op = operation(action.operation)
    if op is None:
        raise PluginError(f"plugin {plugin!r}: action {action.key!r} overlays operation "
                          f"{action.operation!r}, which the catalogue does not have")

    def clash(what: str, declared: Any, derived: Any) -> PluginError:
        return PluginError(f"plugin {plugin!r}: action {action.key!r} declares {what} "
                           f"{declared!r}, but operation {op.key!r} has {derived!r}")

    for what, declared, derived in (("method", action.method, op.method),
                                    ("path", action.path, op.path),
                                    ("media type", action.media, op.media),
                                    ("status", action.status, op.status)):
        if declared and declared != derived:
            raise clash(what, declared, derived)
    inputs = [_input(action.key, inp, op, plugin) for inp in action.inputs]
    keys = {inp.key for inp in inputs}
    if "region" not in keys:  # every API action can go to another region for one call
        inputs.insert(0, REGION)
    if op.paginated and not any(i.wire_name.startswith("pagination.") for i in inputs):
        inputs.extend(p for p in paging() if p.key not in keys)
    _check_coverage(action.key, inputs, op, plugin)
    items = action.items or (op.items if op.paginated else None)
    if op.paginated and items is None:
        raise PluginError(f"plugin {plugin!r}: action {action.key!r} is a paginated listing "
                          "whose list key the catalogue does not make clear; declare items=")
    return replace(
        action, method=op.method, path=op.path, media=op.media, status=op.status,
        area=action.area or op.area, body_model=op.body_model,
        response_model=op.response_model, items=items, inputs=tuple(inputs),
        safety=action.safety or safety_of(op.method),
        idempotent=(op.method in IDEMPOTENT_METHODS if action.idempotent is None
                    else action.idempotent),
        stability=action.stability or op.stability, rate_limit=op.rate_limit,
        feature=action.feature or op.feature)


def _defaults(action: Action) -> Action:
    """A plugin's own HTTP action (or custom executor): the defaults of unset facts.

    A custom executor's safety and idempotency are its own to declare: nothing here
    can know what its code does, so they stay unset and `checks` refuses it.
    """
    method = action.method or "GET"
    media = action.media or MEDIA_TYPES[0]
    if action.run is not None:
        return replace(action, media=media, stability=action.stability or "ga")
    return replace(
        action, method=method, media=media, status=action.status or 200,
        safety=action.safety or safety_of(method),
        idempotent=(action.idempotent if action.idempotent is not None
                    else method in IDEMPOTENT_METHODS),
        stability=action.stability or STABILITY.get(media, "ga"))


def _input(action: str, inp: Input, op: Operation, plugin: str) -> Input:
    if inp.where in ("control", "payload"):
        return inp
    param = op.params.get(inp.wire_name) or op.params.get(inp.wire_name.split(".", 1)[0])
    if param is None:
        raise PluginError(f"plugin {plugin!r}: action {action!r}, input {inp.key!r}: operation "
                          f"{op.key!r} has no parameter or body field {inp.wire_name!r}, so "
                          "the runtime cannot place it")
    clash = _clash(inp, param)
    if clash is not None:
        what, declared, derived = clash
        raise PluginError(f"plugin {plugin!r}: action {action!r}, input {inp.key!r} "
                          f"declares {what} {declared!r}, but the catalogue says {derived!r}")
    return _placed(inp, param)


def _clash(inp: Input, param: Param) -> tuple[str, Any, Any] | None:
    """What an input declares against the catalogue, if anything."""
    if inp.where is not None and inp.where != param.where:
        return "where", inp.where, param.where
    if param.name != inp.wire_name:  # a field inside an object parameter: its own facts
        return None
    if param.type is not None and inp.type not in ("string", param.type) \
            and inp.type not in NARROWER.get(param.type, ()) and param.type != "any":
        return "type", inp.type, param.type
    if inp.required and not param.required:
        return "required", True, False
    if inp.choices and param.choices and set(inp.choices) != set(param.choices):
        return "choices", inp.choices, param.choices
    if inp.items is not None and param.items is not None and inp.items != param.items:
        return "items", inp.items, param.items
    return None


@cache
def _placed(inp: Input, param: Param) -> Input:
    """The input as the operation takes it. Cached: an id input serves dozens of actions."""
    if param.name != inp.wire_name:  # `pagination.count`: only where it goes
        return replace(inp, where=param.where)
    # A declared type narrower than the catalogue's (integer for number) stands;
    # "string" is the default, so the catalogue's type replaces it.
    kind = param.type if param.type is not None and inp.type == "string" else inp.type
    return replace(inp, type=kind, where=param.where, required=param.required,
                   items=param.items or inp.items, choices=param.choices or inp.choices,
                   schema=inp.schema or param.schema)


def _check_coverage(action: str, inputs: list[Input], op: Operation, plugin: str) -> None:
    """Every path parameter and required parameter has an input: else nothing could send it."""
    placed = {i.wire_name.split(".", 1)[0] for i in inputs if i.where not in ("control",)}
    if any(i.where == "payload" for i in inputs):
        placed |= {p.name for p in op.params.values() if p.where == "body"}
    for param in op.params.values():
        if param.name not in placed and (param.required or param.where == "path"):
            raise PluginError(f"plugin {plugin!r}: action {action!r} has no input for the "
                              f"required {param.where} parameter {param.name!r} of "
                              f"operation {op.key!r}")


# -- deriving the facts from the catalogue (generation) ---------------------------------
_SCALAR_TYPES = {"string", "integer", "number", "boolean"}


def _deref(node: Any, root: Mapping[str, Any]) -> Any:
    while isinstance(node, Mapping) and "$ref" in node:
        node = root["$defs"][node["$ref"].rsplit("/", 1)[-1]]
    return node


def _non_null(node: Any, root: Mapping[str, Any]) -> Any:
    """The one member of a nullable `anyOf` (else the node itself), dereferenced."""
    node = _deref(node, root)
    if isinstance(node, Mapping) and "anyOf" in node:
        real = [m for m in node["anyOf"] if _deref(m, root).get("type") != "null"]
        if len(real) == 1:
            return _deref(real[0], root)
    return node


def _shape(node: Any, root: Mapping[str, Any]) -> tuple[str, str | None, tuple[Any, ...], bool]:
    """(type, element type, enum, structured) of a JSON Schema node.

    `structured`: its schema says more than the type (an object, a union, a list
    of objects), so the input keeps a reference to it.
    """
    node = _deref(node, root)
    if not isinstance(node, Mapping):
        return "any", None, (), False
    members = [_deref(m, root) for m in node.get("anyOf", node.get("oneOf", []))]
    if members:
        real = [m for m in members if not (isinstance(m, Mapping) and m.get("type") == "null")]
        if len(real) == 1:  # nullable: the member says it all
            return _shape(real[0], root)
        kinds = {_shape(m, root)[0] for m in real}
        if kinds == {"integer", "number"}:
            return "number", None, (), False
        return (kinds.pop() if len(kinds) == 1 else "any"), None, (), True
    if "enum" in node:
        kind = node.get("type")
        return (kind if kind in _SCALAR_TYPES else "string"), None, tuple(node["enum"]), False
    kind = node.get("type")
    if kind == "array":
        item, _, choices, structured = _shape(node.get("items", {}), root)
        return "array", item, choices, structured or item in ("object", "array", "any")
    if kind == "object" or "properties" in node:
        return "object", None, (), True
    if kind in _SCALAR_TYPES:
        return kind, None, (), False
    return "any", None, (), False


def _items_key(model: str, schemas: Mapping[str, Any]) -> str | None:
    """The one list in `data` of a listing's answer, besides `pagination`."""
    root = schemas[model]
    data = _non_null(root.get("properties", {}).get("data"), root)
    props = data.get("properties", {}) if isinstance(data, Mapping) else {}
    lists = [k for k, v in props.items() if k != "pagination"
             and _shape(v, root)[0] == "array"]
    return lists[0] if len(lists) == 1 else None


def _params(op: Mapping[str, Any], schemas: Mapping[str, Any]) -> list[tuple[Any, ...]]:
    rows: list[tuple[Any, ...]] = []
    for p in op["params"]:
        name, where, required, model = p["name"], p["in"], bool(p["required"]), p["model"]
        if where == "path":
            rows.append((name, "path", True, "string", None, (), None))
        elif where == "query":
            real = model in schemas and model not in PROSE_MODELS
            if p.get("array_format"):
                rows.append((name, "query", required, "array", "object" if real else "string",
                             (), f"{model}[]" if real else None))
            elif real:
                rows.append((name, "query", required, "object", None, (), model))
            else:
                rows.append((name, "query", required, None, None, (), None))
        elif where == "body":
            root = schemas[model]
            needed = set(root.get("required", [])) if required else set()
            for field, node in root.get("properties", {}).items():
                kind, item, choices, structured = _shape(node, root)
                rows.append((field, "body", field in needed, kind, item, choices,
                             f"{model}.{field}" if structured else None))
    return rows


def derive(catalogue: Mapping[str, Any], features: Mapping[str, str]) -> dict[str, tuple[Any, ...]]:
    """Every operation's facts, as the rows `connector.operations` holds."""
    schemas = catalogue["schemas"]
    out: dict[str, tuple[Any, ...]] = {}
    for op in sorted(catalogue["operations"], key=lambda o: o["operationId"]):
        key = op["operationId"]
        code, response = next((c, m) for c, m in sorted(op["responses"].items())
                              if c.startswith("2"))
        body = next((p["model"] for p in op["params"] if p["in"] == "body"), None)
        paged = any(p["in"] == "query" and p["name"] == "pagination" for p in op["params"])
        limit = op.get("rate_limit")
        out[key] = (
            op["method"], op["path"], next(m for m in MEDIA_TYPES if m in op["accept"]),
            int(code), op["tag"], response, body,
            _items_key(response, schemas) if paged else None,
            tuple(_params(op, schemas)),
            (int(limit["limit"]), limit["per"]) if limit else None,
            op.get("feature") or features.get(key),
        )
    return out


def features_from(upstream: Mapping[str, Any]) -> dict[str, str]:
    """The workspace feature each operation's description says it needs."""
    out = {}
    for op in upstream["operations"]:
        found = FEATURE.search(op.get("description") or "")
        if found:
            out[op["operationId"]] = found[1]
    return out


NOTE = ("Generated by `python -m connector.overlay` from connector/api/catalog.json (and the "
        "workspace feature each upstream description names); do not edit. A row: method, "
        "path, media type, success status, tag, response model, body model, list key of a "
        "paginated listing, parameters, rate limit, feature. A parameter: name, "
        "path|query|body, required, type, element type, enum, schema reference.")


def render(facts: Mapping[str, tuple[Any, ...]]) -> str:
    """The generated file: one operation a line, so a re-vendored catalogue diffs readably."""
    def dump(value: Any) -> str:
        return json.dumps(value, ensure_ascii=False, separators=(",", ":"))

    rows = ",\n".join(f"  {dump(key)}: {dump(row)}" for key, row in facts.items())
    return (f'{{"note": {dump(NOTE)},\n "api_version": {dump(_api_version())},\n'
            f' "operations": {{\n{rows}\n}}}}\n')


def _api_version() -> str:
    from connector.api import catalog

    return str(catalog.load()["api_version"])


def fresh(upstream: Path | None = UPSTREAM) -> str:
    """The module text the vendored catalogue gives now.

    Without the upstream catalogue (an installed package), features are kept
    from the current module: only they come from there.
    """
    from connector.api import catalog

    if upstream is not None and upstream.is_file():
        features = features_from(json.loads(upstream.read_text(encoding="utf-8")))
    elif GENERATED.is_file():
        features = {k: row[-1] for k, row in operations().items() if row[-1]}
    else:
        features = {}
    return render(derive(catalog.load(), features))


def main(argv: list[str] | None = None) -> int:
    import argparse  # only the generator needs it, not start-up

    parser = argparse.ArgumentParser(
        prog="python -m connector.overlay",
        description="Regenerate connector/operations.py from the vendored catalogue.")
    parser.add_argument("--check", action="store_true", help="write nothing; exit 1 if stale")
    parser.add_argument("--upstream", type=Path, default=UPSTREAM,
                        help="upstream catalogue with descriptions (for features)")
    args = parser.parse_args(argv)
    text = fresh(args.upstream)
    current = GENERATED.read_text(encoding="utf-8") if GENERATED.is_file() else ""
    if args.check:
        if text != current:
            print(f"{GENERATED} is stale: run `python -m connector.overlay`", file=sys.stderr)
            return 1
        print(f"{GENERATED} is current")
        return 0
    if text != current:
        GENERATED.write_text(text, encoding="utf-8")
    print(f"wrote {GENERATED.relative_to(ROOT)}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
