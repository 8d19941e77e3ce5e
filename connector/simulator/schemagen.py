"""Valid, plausible instances of the catalogue's JSON Schemas, for answers no stateful
handler makes (and for request bodies in tests).

The schemas use only type, anyOf, $ref, required, items, additionalProperties, enum
and default. An instance holds the required properties (an answer also the optional
ones of `data` and of the objects directly in it, and whatever the request sent), one
item per array; enums get the member the field name suggests, unions the member a
sibling (`strategy`, `audienceType`) names. Strings read like the API's (the example
synthesiser's choices, connector.api.examples), ids are fresh and spelt as their
family's are (connector.simulator.ids.FAMILIES), timestamps are now.

An answer (`Generator.answer`) also takes what the request says: ids named by the path
come back as they were sent, what the body (or query) sent comes back where the
response model has the same field, and the object a create makes gets a fresh id of its
own family, never one from the path.
"""

from __future__ import annotations

import copy
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from jsonschema import Draft202012Validator

from connector.api.examples import (
    HINT_FIELDS,
    enum_member,
    plausible_string,
    singular,
    union_branch,
    union_hint,
)
from connector.simulator.ids import IdSource, now

_MAX_DEPTH = 16


@dataclass(slots=True)
class Context:
    """What an answer is made of besides its schema.

    `known`: ids by field name (the path's parameters, `workspaceId`, ...): a field of
    that name anywhere in the answer holds that id. `sent`: what the request sent that
    may come back (body fields, fields of an object the body wraps, query values).
    `fresh`: keys under `data` of the objects a create makes (their ids are new).
    `named`: the key under `data` of the object the path names, and its id.
    """

    known: dict[str, str] = field(default_factory=dict)
    sent: dict[str, Any] = field(default_factory=dict)
    fresh: frozenset[str] = frozenset()
    named: tuple[str, str] | None = None


class Generator:
    def __init__(self, ids: IdSource) -> None:
        self.ids = ids
        self._validators: dict[int, tuple[dict[str, Any], Draft202012Validator]] = {}

    def instance(self, schema: dict[str, Any], prop: str | None = None,
                 optional_depth: int = 0) -> Any:
        """An instance of `schema`, or of its property `prop` (even an optional one);
        optional properties too in objects up to `optional_depth` levels down."""
        node = schema["properties"][prop] if prop else schema
        walk = self._walk(schema, Context())
        walk.optional_depth = optional_depth
        return walk.make(node, prop or "", "", 0)

    def answer(self, schema: dict[str, Any], ctx: Context) -> Any:
        """The `data` of response model `schema`, made with what the request said."""
        walk = self._walk(schema, ctx)
        # data's fields and those of the objects in it, optional ones too: a listing has
        # its items, an object its parts; deeper down, only what the model requires.
        walk.optional_depth = 2
        return walk.make(schema["properties"]["data"], "data", "data", 0, ctx.sent, top=True,
                         whole=False)

    def item(self, schema: dict[str, Any], node: dict[str, Any], key: str,
             record: dict[str, Any], ctx: Context) -> Any:
        """An item of a listing in response model `schema` (`node`: the item model, `key`:
        the listing's field) made from a stored `record`: its fields where they fit."""
        return self._walk(schema, ctx).make(node, singular(key), f"data.{key}[0]", 2, record,
                                            whole=False)

    def _walk(self, schema: dict[str, Any], ctx: Context) -> _Walk:
        # One validator per model: its resolver finds `#/$defs/...` for any sub-schema.
        # The schema is kept alongside so that its id() cannot be reused.
        held = self._validators.get(id(schema))
        if held is None or held[0] is not schema:
            held = self._validators[id(schema)] = (schema, Draft202012Validator(schema))
        return _Walk(self.ids, schema.get("$defs", {}), held[1], ctx)


class _Walk:
    def __init__(self, ids: IdSource, defs: Mapping[str, Any], validator: Draft202012Validator,
                 ctx: Context) -> None:
        self.ids, self.defs, self.validator, self.ctx = ids, defs, validator, ctx
        self.optional_depth = 0

    def fits(self, value: Any, node: Mapping[str, Any]) -> bool:
        return next(self.validator.descend(value, dict(node)), None) is None

    def make(self, node: Mapping[str, Any], key: str, path: str, depth: int,
             sent: Any = None, hint: str = "", top: bool = False, whole: bool = True) -> Any:
        """An instance of `node` under field `key`; `sent` is what the request gave for it
        (taken as it is when it fits and `whole`, else field by field)."""
        node = self._deref(node)
        if sent is not None and whole and self.fits(sent, node):
            return copy.deepcopy(sent)
        if "anyOf" in node or "oneOf" in node:
            branch = union_branch(node, {"$defs": self.defs}, hint)
            if branch is None:
                return None
            return self.make(branch, key, path, depth, sent, hint, top, whole=False)
        if "enum" in node:
            return enum_member(node["enum"], key, path)
        if node.get("default") is not None and not isinstance(node["default"], list | dict):
            return node["default"]
        kind = node.get("type")
        if kind == "object" or "properties" in node:
            if depth > _MAX_DEPTH:
                return {}
            return self._object(node, key, path, depth, sent if isinstance(sent, dict) else {},
                                top)
        if kind == "array":
            items = node.get("items")
            if not items or depth > _MAX_DEPTH:
                return []
            return [self.make(items, singular(key), f"{path}[0]", depth + 1, hint=hint)]
        if kind == "boolean":
            return key in _TRUE or key.startswith("allow")
        if kind in ("integer", "number"):
            return _NUMBERS.get(key, 1)
        return self._string(key, path)

    def _deref(self, node: Mapping[str, Any]) -> Mapping[str, Any]:
        while "$ref" in node:
            node = self.defs[node["$ref"].rsplit("/", 1)[-1]]
        return node

    def _is_object(self, node: Mapping[str, Any]) -> bool:
        node = self._deref(node)
        if "anyOf" in node:
            return any(self._is_object(b) for b in node["anyOf"])
        return node.get("type") == "object" or "properties" in node

    def _object(self, node: Mapping[str, Any], key: str, path: str, depth: int,
                sent: dict[str, Any], top: bool) -> dict[str, Any]:
        props: Mapping[str, Any] = node.get("properties", {})
        # Required fields, those the request sent, and ids it named.
        wanted = set(node.get("required", ())) | set(sent) | set(self.ctx.known)
        if depth < self.optional_depth:
            wanted |= set(props)
        out: dict[str, Any] = {}
        # Hint fields first: they decide which member of a union fits.
        for name in sorted(wanted & set(props), key=lambda n: n not in HINT_FIELDS):
            out[name] = self._prop(props[name], name, f"{path}.{name}", depth, key, sent,
                                   union_hint(out), top)
        return {name: out[name] for name in props if name in out}  # schema order

    def _prop(self, node: Mapping[str, Any], name: str, path: str, depth: int, owner: str,
              sent: dict[str, Any], hint: str, top: bool) -> Any:
        ctx = self.ctx
        given = sent.get(name)
        if name in ctx.known and self.fits(ctx.known[name], node):
            return ctx.known[name]  # the path's ids win over a body's
        if top:  # data's own fields: the objects of the answer
            if given is None and self._is_object(node):
                # A body's fields come back, field by field, in the object it makes or changes.
                return self.make(node, name, path, depth + 1, ctx.sent, hint, whole=False)
            return self.make(node, name, path, depth + 1, given, hint)
        if name == "id":
            return self._id(owner, depth, given)
        return self.make(node, name, path, depth + 1, given, hint)

    def _id(self, owner: str, depth: int, given: Any = None) -> str:
        """The `id` of an object under key `owner` at `depth` (1: directly under data);
        `given`: the id of the stored record it is made from."""
        ctx = self.ctx
        if depth == 1 and owner in ctx.fresh:
            return self.ids.for_family(owner)  # made now: never an id from the path
        if depth == 1 and ctx.named and ctx.named[0] == owner:
            return ctx.named[1]
        if isinstance(given, str) and given:
            return given
        # A parent the path names keeps its id: `space` under /spaces/{spaceId}.
        return ctx.known.get(owner + "Id") or self.ids.for_family(owner)

    def _string(self, key: str, path: str) -> str:
        if key.endswith(("Id", "ID")) and len(key) > 2:
            return self.ids.for_family(key[:-2])
        if key in ("id", "ids"):
            return self.ids.new_id()
        if key == "writeKey" or key == "writeKeys":
            return self.ids.write_key()
        if key.endswith("At") or key in _TIMES:
            return now()
        return plausible_string(key, path)


_TIMES = ("timestamp", "time", "start", "end", "startTime", "endTime", "nextExecution",
          "periodStart", "periodEnd", "date")
_TRUE = ("enabled", "required", "active", "success", "isDeployed", "isLatestVersion")
_NUMBERS = {"hourOfDay": 12, "backfillDurationDays": 7, "batchMaxCount": 100, "version": 1}
