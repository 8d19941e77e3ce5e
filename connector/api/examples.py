"""Plausible, deterministic example values synthesised from JSON Schemas.

`example_for(schema)` walks a response schema of the catalogue ($ref into
`$defs`, anyOf, objects, arrays, scalars) and picks values from the field
names: ids, timestamps, names, slugs, URLs, pagination cursors. Enums get
the member a field name suggests (else the likeliest one), and a union the
member its sibling `strategy` names. The same schema always gives the same
value, so committed example files can be checked for staleness.

`enum_member`, `union_branch` and `plausible_string` are shared with the
simulator's schema-made answers, so both speak alike.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Mapping
from typing import Any

BASE58 = "123456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz"

# Ids of the seed product's examples, reused so that examples agree.
KNOWN_IDS = {
    "workspace": "9aQ1Lj62S4bomZKLF4DPqW",
    "source": "rh5BDZp6QDHvXFCkibm1pR",
    "warehouse": "kjU72LCJexvrqL7G4TMHHN",
    "destination": "5GFhvtz8fha42Cm4B9E6L8",
    # The same ids the action inputs show as examples (actions/ids.py).
    "space": "spa_9aQ1Lj62S4bomZKLF4DPqW",
    "audience": "aud_0ujsszwN8NRY24YaXiTIE2VWDTS",
    "userGroup": "2BCAu3dcvK2yk1fmbi8d8zWJFhE",
    "user": "1bOHeKJg5BbFhoQqBsgk6xZYi1D",
    "trackingPlan": "tp_2Bw3TU6uXHmpCfCnQRbUcCh5Kxf",
    "function": "sfnc_3uHhWt9RYsdyYdJeYDqPMr",
    "transformation": "2Bb6BFKnIs2JtE8iBWJDwgbuxRs",
    "model": "cGfiZgrWhQhTKWjp4gfvMk",
    "reverseEtlModel": "cGfiZgrWhQhTKWjp4gfvMk",
    "credential": "2rUVG9Rmg6SmLtTGcVyXoJmCZhn",
    "filter": "2LmLZNp7rUC53k6KvlRrpNHLPcR",
    "subscription": "iJA9ehsaRJGrGKBHwAgeKU",
}

# Optional properties are filled down to this object depth; deeper, only
# required ones, which keeps catalogue-heavy payloads readable.
FULL_DEPTH = 4

TIMESTAMP = "2024-05-01T12:00:00Z"
LATER = "2024-05-02T12:00:00Z"

# String values by exact field name.
STRINGS = {
    "status": "SUCCESS",
    "type": "string",
    "eventType": "track",
    "eventName": "Order Completed",
    "timezone": "America/Los_Angeles",
    "granularity": "HOUR",
    "interval": "1h",
    "platform": "web",
    "role": "Workspace Owner",
    "roleName": "Workspace Owner",
    "method": "get",
    "path": "/sources",
    "code": "async function onTrack(event) {\n  return event;\n}",
    "if": 'type = "track"',
    "trigger": 'type = "track"',
    "defaultTrigger": 'type = "track"',
    "fql": 'type = "track"',
    "query": "SELECT id, email FROM users",
    "queryIdentifierColumn": "id",
    "value": "prod",
    "key": "environment",
    "message": "Hello, world",
    "version": "1.0.0",
    "appVersion": "1.0.0",
    "encoding": "BASE64",
    "algorithm": "SHA-256",
    "strategy": "PERIODIC",
    "schemaName": "segment_events",
    "collection": "users",
    "actor": "jane.doe@example.com",
    "author": "Jane Doe",
    "audienceType": "USERS",
    "targetEntity": "users",
    "activationType": "Audience Entered",
    "activationName": "My activation",
    "subjectType": "USER_ID",
    "regulationType": "SUPPRESS_WITH_DELETE",
    "syncStatus": "SUCCESS",
    "overallStatus": "FINISHED",
    "connectionState": "CONNECTED",
    "commonEventOnViolations": "ALLOW",
    "level": "INFO",
    "duration": "2m30s",
    "humanDuration": "2 minutes",
    "metricName": "successes",
    "dataType": "string",
    "resourceType": "source",
    "trait": "email",
    "mapTo": "email",
    "fieldKey": "email",
    "errorCode": "none",
    "discardReason": "none",
    "category": "Analytics",
    "groupBy": "eventName",
    "property": "email",
    "propertyName": "email",
    "allowProperty": "email",
    "propertyPath": "properties.email",
    "propertyValue": "jane.doe@example.com",
    "sample": "jane.doe@example.com",
    "sampleValue": "jane.doe@example.com",
    "newEventName": "Order Placed",
    "oldName": "total",
    "newName": "order_total",
    "previousName": "Old name",
    "pathName": "accounts",
    "parentRelationshipSlugPath": "accounts",
    "spec": "0 12 * * *",
    "subject": "Welcome aboard",
    "regionEndpoint": "https://api.segmentapis.com",
    "supportedRegion": "us-west-2",
    "multiInstanceSupportedVersion": "SUPPORTED",
    "invite": "jane.doe@example.com",
    "defaultValue": "",
    # Error fields of a healthy answer are empty.
    "error": "",
    "errString": "",
    "errorMessage": "",
    "failureReason": "",
    "warning": "",
}

# String values by (parent, field) where the field name alone is ambiguous.
NESTED_STRINGS = {
    ("computeCadence", "type"): "REALTIME",
    ("size", "type"): "USERS",
    # Free-text states whose descriptions list the values ("Possible values: ... Live").
    ("audience", "status"): "Live",
    ("computedTrait", "status"): "Live",
    ("destination", "type"): "destination",
}

# Enum members that read as the usual, healthy case, most telling first: an enum takes
# the first of these it has when the field name suggests none of its members.
LIKELY_MEMBERS = (
    "SUCCESS", "COMPLETED", "FINISHED", "CONNECTED", "PUBLIC", "SUBSCRIBED", "UPDATED",
    "TRACK", "USERS", "STRING", "WORKSPACE", "LIVE", "DROP", "EMAIL", "BROWSER", "SEGMENT",
    "REALTIME", "PERIODIC", "ALLOW", "NAME", "PROPERTY", "USER_ID", "DESTINATION", "HOUR",
    "CREATED_AT", "DESC", "SINGLE", "COMPUTED",
)

# Sibling fields that decide which member of a union fits, and by their value, the
# member (by a part of its name): a schedule's `strategy` picks its `config`; an audience
# preview's `audienceType` picks the kind of its `results`.
HINT_FIELDS = ("strategy", "audienceType")
UNION_MEMBERS = {
    "PERIODIC": ("Periodic",), "SPECIFIC_DAYS": ("SpecificDays", "SpecificTime"),
    "CRON": ("Cron",), "DBT_CLOUD": ("DbtCloud",),
    "USERS": ("Profile",), "ACCOUNTS": ("Account",), "LINKED": ("Entities",),
}

# Field names of SDK wrapper internals that the API never sends.
_SDK_NOISE = re.compile(
    r"^(actual_instance|(any|one)_of_schemas|(any|one)of_schema_\d+_validator)$"
)


def example_for(schema: Mapping[str, Any], root: Mapping[str, Any] | None = None,
                key: str = "", path: str = "", depth: int = 0, hint: str = "") -> Any:
    """An example value for `schema`; `root` holds its `$defs` (default: itself).

    `key` is the property name the value sits under and `path` its dotted
    location; both steer the choice of plausible scalars. `hint` is the value of a
    sibling in HINT_FIELDS, which picks the member of a union.
    """
    root = schema if root is None else root
    if "$ref" in schema:
        name = schema["$ref"].rsplit("/", 1)[-1]
        return example_for(root["$defs"][name], root, key, path, depth)
    if "anyOf" in schema or "oneOf" in schema:
        branch = union_branch(schema, root, hint)
        return example_for(branch, root, key, path, depth) if branch is not None else None
    if "enum" in schema:
        return enum_member(schema["enum"], key, path)
    if schema.get("default") is not None and not isinstance(schema["default"], list | dict):
        return schema["default"]
    kind = schema.get("type")
    if kind is None and not schema and key.lower().endswith(("settings", "schema")):
        return {}
    if kind == "object" or "properties" in schema:
        return _object(schema, root, key, path, depth)
    if kind == "array":
        items = schema.get("items")
        if not items:
            return []
        return [example_for(items, root, singular(key), f"{path}[0]", depth, hint)]
    if kind == "boolean":
        return key in ("enabled", "required", "active", "success")
    if kind == "integer":
        return _number(key)
    if kind == "number":
        return 0.5 if key == "percent" else _number(key)
    return _string(key, path)


def _object(schema: Mapping[str, Any], root: Mapping[str, Any], key: str, path: str,
            depth: int) -> dict[str, Any]:
    props: Mapping[str, Any] = schema.get("properties", {})
    required = set(schema.get("required", ()))
    if key.lower().endswith("pagination"):
        return _pagination(props, required)
    out: dict[str, Any] = {}
    # Hint fields first: they decide which member of a union fits (a `config`, `results`).
    for name in sorted(props, key=lambda n: n not in HINT_FIELDS):
        if name not in required and (depth >= FULL_DEPTH or _SDK_NOISE.match(name)):
            continue
        out[name] = example_for(props[name], root, name, f"{path}.{name}".lstrip("."),
                                depth + 1, union_hint(out))
    return {name: out[name] for name in props if name in out}  # schema order


def enum_member(values: list[Any], key: str, path: str = "") -> Any:
    """The member the field name suggests (any case), else the likeliest, else the first."""
    wanted = _named_string(key, path)
    if wanted is not None:
        for value in values:
            if isinstance(value, str) and value.lower() == wanted.lower():
                return value
    return next((v for v in LIKELY_MEMBERS if v in values), values[0])


def union_hint(siblings: Mapping[str, Any]) -> str:
    """The value of the first HINT_FIELDS member among an object's fields made so far."""
    return next((siblings[f] for f in HINT_FIELDS if isinstance(siblings.get(f), str)), "")


def union_branch(schema: Mapping[str, Any], root: Mapping[str, Any], hint: str = ""
                 ) -> Mapping[str, Any] | None:
    """The member of an `anyOf`/`oneOf` to instantiate: not null; the member a sibling
    hint names (see UNION_MEMBERS); else the first."""
    members = [b for b in schema.get("anyOf", schema.get("oneOf", ()))
               if b.get("type") != "null"]
    if not members:
        return None
    for part in UNION_MEMBERS.get(hint, ()):
        for member in members:
            if part in member.get("$ref", "").rsplit("/", 1)[-1]:
                return member
    return members[0]


def _pagination(props: Mapping[str, Any], required: set[str]) -> dict[str, Any]:
    """First page of two: `previous` is absent, as on the wire."""
    values = {"current": "MA==", "next": "MQ==", "totalEntries": 1}
    out: dict[str, Any] = {}
    for name, sub in props.items():
        if name not in values and name not in required:
            continue
        value = values.get(name, 1)
        if _allows(sub, "string") and not isinstance(value, str):
            value = str(value)
        elif not _allows(sub, "string") and isinstance(value, str):
            value = {"current": 1, "next": 2}.get(name, 1)
        out[name] = value
    return out


def _allows(schema: Mapping[str, Any], kind: str) -> bool:
    if "anyOf" in schema:
        return any(_allows(b, kind) for b in schema["anyOf"])
    return schema.get("type", kind) == kind


def _number(key: str) -> int:
    return {"hourOfDay": 12, "backfillDurationDays": 7, "backfillEventDataDays": 7,
            "batchMaxCount": 100}.get(key, 1)


def _named_string(key: str, path: str) -> str | None:
    """The value a field's name (and its parent's) calls for, if any."""
    parent = _parent(path)
    if (parent, key) in NESTED_STRINGS:
        return NESTED_STRINGS[(parent, key)]
    if key == "status" and parent.lower().endswith(("metadata", "catalog")):
        return "PUBLIC"  # support status of a catalog entry
    return STRINGS.get(key)


def plausible_string(key: str, path: str) -> str:
    """A string that reads like a real value of field `key` at dotted `path`: ids (the
    seed's where known), timestamps, names, slugs, URLs, emails."""
    return _string(key, path)


def _string(key: str, path: str) -> str:
    named = _named_string(key, path)
    if named is not None:
        return named
    parent = _parent(path)
    low = key.lower()
    if key == "id" or key.endswith(("Id", "ID")):
        return _id(parent if key == "id" else key[:-2], path)
    if key in ("createdBy", "updatedBy"):
        return _id("user", path)
    if key.startswith("forwarding") and key.endswith("To"):
        return KNOWN_IDS["source"]
    if key == "writeKey":
        return _id(key, path)
    if key.endswith("At") or key in ("timestamp", "time", "start", "startTime",
                                     "nextExecution", "periodStart"):
        return TIMESTAMP
    if key in ("end", "endTime", "periodEnd"):
        return LATER
    if "email" in low:
        return "jane.doe@example.com"
    if low.endswith("url") or parent == "logo" or key == "website":
        return f"https://example.com/{_slug(parent or key)}"
    if low.endswith("slug"):
        return _slug(parent or key)
    if key in ("name", "displayName", "title", "label", "resourceName", "entityName"):
        return f"My {_words(parent)}" if parent not in ("", "data") else "My workspace"
    if key == "description":
        return f"{_words(parent or 'item').capitalize()} for the checkout funnel."
    if low.endswith(("count", "calls", "identified")) or low in ("anonymous",):
        return "1"
    return _words(key).capitalize()


def _id(entity: str, path: str) -> str:
    """22 base58 characters from the entity name, so `sourceId` equals a source's `id`.

    Catalog entries (metadata) have 24 hex digits instead.
    """
    entity = singular(entity) or path
    if entity in KNOWN_IDS:
        return KNOWN_IDS[entity]
    digest = hashlib.sha256(entity.encode()).digest()
    if entity.lower().endswith(("metadata", "catalog")):
        return digest.hex()[:24]
    return "".join(BASE58[b % 58] for b in digest[:22])


def _parent(path: str) -> str:
    """`data.sources[0].metadata.id` -> `metadata`; `data.source.id` -> `source`."""
    parts = re.sub(r"\[\d+\]", "", path).split(".")
    return singular(parts[-2]) if len(parts) > 1 else ""


def singular(word: str) -> str:
    if word.endswith("ies"):
        return word[:-3] + "y"
    if word.endswith("ses") or word.endswith("xes"):
        return word[:-2]
    if word.endswith("s") and not word.endswith(("ss", "us")):  # status, not statu
        return word[:-1]
    return word


def _words(name: str) -> str:
    """`destinationMetadata` -> `destination metadata`."""
    return re.sub(r"(?<=[a-z0-9])(?=[A-Z])", " ", name).replace("_", " ").lower()


def _slug(name: str) -> str:
    return "my-" + _words(name).replace(" ", "-")
