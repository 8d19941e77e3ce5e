"""Contract of every action with the API catalogue: requests, inputs, examples and seed parity.

Actions are overlays: their method, path, media type, status, models and input
placement come from the catalogue when they load. One test checks that
derivation for every action against connector/api/catalog.json itself (not
the generated connector/operations.json), instead of comparing copied values
action by action; the others check what goes on the wire. The seed product's
aliases and defaults are written out below so that the tests read nothing
outside the repo.
"""

from __future__ import annotations

import hashlib
import re
from collections import Counter
from typing import Any
from urllib.parse import parse_qsl, quote, urlsplit

import pytest
import responses
from jsonschema import Draft202012Validator

from connector.api import catalog
from connector.connection import Connection
from connector.errors import InputError
from connector.registry import Registry
from connector.runtime import Runtime
from connector.samples import sample_inputs
from connector.spec import MEDIA_TYPES, Action, Input

TOKEN = "sgp_contract_test_token_0123456789"
BASE = "https://api.segmentapis.com"
REGISTRY = Registry.load(installed=False)
OPERATIONS = catalog.operations()
ALL_ACTIONS = sorted(REGISTRY.actions.items)
# rawRequest is the escape hatch: it maps to no single operation.
API_ACTIONS = [key for key in ALL_ACTIONS if key != "rawRequest"]
SCHEMAS = catalog.load()["schemas"]
# For a scalar parameter the vendored catalogue keeps the first word of its
# description as `model`; this one is also a schema name, but not the parameter's.
PROSE_MODELS = frozenset({"Filter"})

# The seed product's action keys and the operations they stand for.
SEED_ALIASES = (
    ("addConnectionFromSourceToWarehouse", "addConnectionFromSourceToWarehouse"),
    ("createDestination", "createDestination"),
    ("createDestinationSubscription", "createDestinationSubscription"),
    ("createFunction", "createFunction"),
    ("createSource", "createSource"),
    ("createTransformation", "createTransformation"),
    ("createUserInvites", "createInvites"),
    ("deleteDestination", "deleteDestination"),
    ("deleteDestinationSubscription", "removeSubscriptionFromDestination"),
    ("deleteFunction", "deleteFunction"),
    ("deleteSource", "deleteSource"),
    ("deleteTransformation", "deleteTransformation"),
    ("deleteUser", "deleteUsers"),
    ("deleteWarehouse", "deleteWarehouse"),
    ("getDestination", "getDestination"),
    ("listDestinationCatalog", "getDestinationsCatalog"),
    ("getDestinationMetadata", "getDestinationMetadata"),
    ("getDestinationSubscription", "getSubscriptionFromDestination"),
    ("getEventsVolumeFromWorkspace", "getEventsVolumeFromWorkspace"),
    ("getFunction", "getFunction"),
    ("getSource", "getSource"),
    ("getSourceMetadata", "getSourceMetadata"),
    ("listSourcesCatalog", "getSourcesCatalog"),
    ("getTransformation", "getTransformation"),
    ("getUser", "getUser"),
    ("getWarehouse", "getWarehouse"),
    ("getWarehouseMetadata", "getWarehouseMetadata"),
    ("listWarehousesCatalog", "getWarehousesCatalog"),
    ("listConnectedSourcesFromWarehouse", "listConnectedSourcesFromWarehouse"),
    ("listDestinationSubscriptions", "listSubscriptionsFromDestination"),
    ("listDestinations", "listDestinations"),
    ("listFunctions", "listFunctions"),
    ("listSources", "listSources"),
    ("listTransformations", "listTransformations"),
    ("listUsers", "listUsers"),
    ("listWarehouses", "listWarehouses"),
    ("rawRequest", "rawRequest"),  # no operation: the action keeps the seed's key
    ("removeSourceConnectionFromWarehouse", "removeSourceConnectionFromWarehouse"),
    ("updateDestination", "updateDestination"),
    ("updateDestinationSubscription", "updateSubscriptionForDestination"),
    ("updateFunction", "updateFunction"),
    ("updateSource", "updateSource"),
    ("updateTransformation", "updateTransformation"),
    ("updateWarehouse", "updateWarehouse"),
)

# The seed's "Default" column, by seed action and input key (seed label in the comment).
# Every seed action also defaults Region to "api"; that is added below.
FUNCTION_SETTINGS = [  # Function Settings
    {"name": "apiKey", "label": "api key", "type": "STRING", "description": "api key",
     "required": False, "sensitive": False},
    {"name": "mySecret", "label": "my secret key", "type": "STRING",
     "description": "secret key", "required": False, "sensitive": True},
]
PROPERTY_RENAMES = [{"newName": "new-property", "oldName": "old-property"}]
PROPERTY_VALUE_TRANSFORMATIONS = [
    {"propertyPaths": ["properties.another-property"],
     "propertyValue": "another property value"},
]
TEMPLATE_IDS = ["000xxx"]
PAGE = {"count": 50}  # Count
# Seed defaults that are values: a blank input sends them, here as there.
SEED_DEFAULTS: dict[str, dict[str, Any]] = {
    "createSource": {"enabled": True},  # Enabled
    "getEventsVolumeFromWorkspace": PAGE,
    "listDestinationCatalog": PAGE,
    "listSourcesCatalog": PAGE,
    "listWarehousesCatalog": PAGE,
    "listDestinations": PAGE,
    "listDestinationSubscriptions": PAGE,
    "listFunctions": PAGE,
    "listSources": PAGE,
    "listTransformations": PAGE,
    "listUsers": PAGE,
    "listWarehouses": PAGE,
    "rawRequest": {"responseType": "json", "debugRequest": False, "retryDelayMS": 0,
                   "retryAllErrors": False, "maxRetries": 0, "useExponentialBackoff": False},
}
# Seed defaults that are templates for the user to edit: sending them unasked would
# invite `foo@example.com` or filter on `000xxx`. They are shown as the input's
# placeholder (the seed's own text) or example, and never sent.
SEED_TEMPLATES: dict[str, dict[str, Any]] = {
    "createFunction": {"settings": FUNCTION_SETTINGS},  # Function Settings
    "updateFunction": {"settings": FUNCTION_SETTINGS},
    "createTransformation": {"propertyRenames": PROPERTY_RENAMES,
                             "propertyValueTransformations": PROPERTY_VALUE_TRANSFORMATIONS},
    "updateTransformation": {"propertyRenames": PROPERTY_RENAMES,
                             "propertyValueTransformations": PROPERTY_VALUE_TRANSFORMATIONS},
    "createUserInvites": {"invites": [  # Invites
        {"email": "foo@example.com", "permissions": [
            {"roleId": "1WDUuRLxv84rrfCNUwvkrRtkxnS",
             "resources": [{"id": "9aQ1Lj62S4bomZKLF4DPqW", "type": "WORKSPACE"}]},
        ]},
    ]},
    "deleteUser": {"userIds": TEMPLATE_IDS},  # User IDs
    # Source IDs, Event Name, Event Type, App Version
    "getEventsVolumeFromWorkspace": {"sourceId": TEMPLATE_IDS, "eventName": TEMPLATE_IDS,
                                     "eventType": TEMPLATE_IDS, "appVersion": TEMPLATE_IDS},
}

# Short SHA-1 prefixes of the first sentence of each operation description in the
# upstream catalogue (normalised as in _sentence_hash), so that a description copied
# from it is caught without shipping the prose.
CATALOGUE_SENTENCES = frozenset("".join(
    "003ed4d2 00e60e95 0181e85b 0401748c 05baba19 065da4c6 0705ba3e 090e565b 09111c42 09ac7839 "
    "0b9743e5 0e336b9b 10ba85c7 10fa7095 1194a97c 11cd28f6 11fce0ad 12a09b9c 155cf960 16574a68 "
    "17186922 18ae7a19 18c1b3d0 19792e5b 1c81878c 1d5d048b 1d822ff6 1dabf9db 1e7f3a32 1ff88c39 "
    "210549ba 22135744 22999ce6 24db16e3 25834a6c 264547de 2743f326 287c35e2 290169d3 291ba92d "
    "29b617f5 2c8bc5af 2e892892 2ea0b9c0 3021489b 30cd406f 33faf65b 351f05cf 39e66f66 3b10c24e "
    "3b327d79 3cc102fc 3f9b5011 41eb38f5 43239013 4373f654 463efe3e 48ae8471 4b79562d 4cf32b3c "
    "4f123e83 4faaafb8 51dd55b6 526d7bee 543fa9fe 54654a7f 55210fda 5574ad44 574ffaec 58799df6 "
    "58809d17 58a91c27 5971f4d1 59ca2b3f 5a9f9fc1 5d97fe02 5da835e5 5da88ecd 5df6a779 5e38e15d "
    "60088276 625f9066 63ed377f 63f8c204 663d3974 680a1b26 696238d8 6c3433da 6d78e466 6d90ede6 "
    "6e57a243 6fb427e6 700a05f1 712e3b23 717b6112 73656fbb 75ccf2fb 7b0eee82 7c061ccb 7d23a3f2 "
    "7e47357c 806d3f3f 80ea77e7 833e1800 84a35e54 84e9dfda 8556f0b2 876a002a 898ec294 8d5ff68c "
    "8d87bac7 8e3a3273 90363f98 90dab88b 94e216b6 95ec6548 96547675 968d6a36 9772c225 9835e1b6 "
    "9b6b3796 9c7856b8 9ca30c33 9cffedb3 9eabbfa8 9fbd091b 9ff1b625 a0ec2bca a449617b a46cdc71 "
    "a65bd583 a732e935 aa7f89f6 adf6ca45 aefdf99e af0a49b7 b0669df3 b0e827aa b15d2037 b27ca04d "
    "b27ca1f7 b366538e b49b0883 b596bd00 b67d231d b8bf2b19 b9e6b059 bb4610bc be6fb11d beeb8dd2 "
    "bf92d9ae c0018342 c0efc013 c10c7143 c3369fd2 c705736c c91ef5e0 c9612fb6 ca4d16d0 cb457d6e "
    "cc3e2a1e cea3a482 cf56d144 d2c077dc d85b33e7 d98ed37d da5aba4e dbc6c44e de7fb65c df876974 "
    "dffa0d0b e0f2f56e e2b86c3b e37279c6 e39a5b33 e64007b7 e9e65d52 ebbde2fa ee7427f5 ef96529a "
    "f12e3182 f2c3ed32 f39c8724 f49dd6ca f5054d07 f58b468e f6572cfa f6ab3a3e f754ca24 f76ce961 "
    "f7c3ebf6 f8f0bac4 f99e39ea fa1f31f8 faad6283 fc89f954 fd1f6e64 fece8600 ff102055 "
).split())


# -- helpers -------------------------------------------------------------------
def _op(key: str) -> dict[str, Any]:
    return OPERATIONS[key]


def _params(op: dict[str, Any], where: str) -> list[dict[str, Any]]:
    return [p for p in op["params"] if p["in"] == where]


def _body_model(op: dict[str, Any]) -> str | None:
    return next((p["model"] for p in _params(op, "body")), None)


def _success(op: dict[str, Any]) -> tuple[int, str]:
    code, model = next((c, m) for c, m in sorted(op["responses"].items()) if c.startswith("2"))
    return int(code), model


def _deref(node: Any, root: dict[str, Any]) -> Any:
    while isinstance(node, dict) and "$ref" in node:
        node = root["$defs"][node["$ref"].rsplit("/", 1)[-1]]
    return node


def _properties(node: Any, root: dict[str, Any]) -> dict[str, Any]:
    node = _deref(node, root)
    if not isinstance(node, dict):
        return {}
    props = dict(node.get("properties", {}))
    for key in ("anyOf", "oneOf", "allOf"):
        for branch in node.get(key, []):
            props.update(_properties(branch, root))
    return props


def _query_key_allowed(op: dict[str, Any], key: str) -> bool:
    """`name` for a scalar or array parameter, `name.prop[.sub]` for an object one."""
    head, *rest = key.split(".")
    param = next((p for p in _params(op, "query") if p["name"] == head), None)
    if param is None:
        return False
    root = None if param["model"] in PROSE_MODELS else SCHEMAS.get(param["model"])
    if root is None or not _properties(root, root):
        return not rest
    node: Any = root
    for part in rest:
        props = _properties(node, root)
        if part not in props:
            return False
        node = props[part]
    return bool(rest)


def _sentence_hash(text: str) -> str:
    first = re.split(r"(?<=\.)\s", text.strip(), maxsplit=1)[0]
    norm = re.sub(r"\s+", " ", first).strip().rstrip(".").lower()
    return hashlib.sha1(norm.encode()).hexdigest()[:8]


def _input(action: Action, key: str) -> Input:
    return next(i for i in action.inputs if i.key == key)


def _wire(action: Action) -> list[Input]:
    return [i for i in action.inputs if action.where(i) != "control"]


@pytest.fixture
def rt() -> Runtime:
    return Runtime(Connection(token=TOKEN), registry=REGISTRY, sleep=lambda _s: None)


# -- every action ----------------------------------------------------------------
def test_every_action_but_raw_request_is_a_catalogue_operation() -> None:
    assert set(ALL_ACTIONS) - set(OPERATIONS) == {"rawRequest"}
    assert set(OPERATIONS) - set(ALL_ACTIONS) == set()


def _expected_facts(op: dict[str, Any]) -> dict[str, Any]:
    status, model = _success(op)
    return {"method": op["method"], "path": op["path"], "status": status,
            "media": next(m for m in MEDIA_TYPES if m in op["accept"]),
            "response_model": model, "body_model": _body_model(op), "area": op["tag"],
            "paginated": any(p["name"] == "pagination" for p in _params(op, "query"))}


def _placement(action: Action, op: dict[str, Any]) -> dict[str, tuple[str, str]]:
    """Where each wire input goes and where the catalogue says it goes, when they differ."""
    model = _body_model(op)
    fields = set(_properties(catalog.resolve(model), catalog.resolve(model))) if model else set()
    where = {p["name"]: p["in"] for p in op["params"] if p["in"] != "body"}
    where.update((name, "body") for name in fields)
    wrong = {}
    for inp in _wire(action):
        expected = where.get(inp.wire_name.split(".", 1)[0], "nowhere")
        if action.where(inp) != expected:
            wrong[inp.key] = (action.where(inp), expected)
    return wrong


def test_every_action_takes_its_facts_from_the_catalogue() -> None:
    """The overlay derivation, checked once for all actions against the raw catalogue."""
    problems = {}
    for key in API_ACTIONS:
        action, op = REGISTRY.action(key), _op(key)
        actual = {"method": action.method, "path": action.path, "status": action.status,
                  "media": action.media, "response_model": action.response_model,
                  "body_model": action.body_model, "area": action.area,
                  "paginated": action.paginated}
        differ = {k: (v, actual[k]) for k, v in _expected_facts(op).items() if actual[k] != v}
        if differ or _placement(action, op):
            problems[key] = {**differ, **_placement(action, op)}
        assert action.operation == key
    assert problems == {}


def test_stability_rate_limit_and_safety_follow_the_catalogue() -> None:
    stable = {MEDIA_TYPES[0]: "ga", MEDIA_TYPES[1]: "beta", MEDIA_TYPES[2]: "alpha"}
    for key in API_ACTIONS:
        action, op = REGISTRY.action(key), _op(key)
        assert action.stability == stable[action.media], key
        limit = op["rate_limit"]
        assert action.rate_limit == ((limit["limit"], limit["per"]) if limit else None), key
        assert action.safety in ("read", "write", "destructive"), key
        if action.method == "GET":
            assert (action.safety, action.idempotent) == ("read", True), key
        if action.method == "DELETE":
            assert action.safety == "destructive", key


@pytest.mark.parametrize("key", ALL_ACTIONS)
def test_region_comes_first_and_is_blank_by_default(key: str) -> None:
    first = REGISTRY.action(key).inputs[0]
    assert (first.key, first.default, first.where) == ("region", None, "control")
    assert set(first.choices) == {"api", "eu1.api"}
    assert "Blank: the connection's region" in first.comments


@pytest.mark.parametrize("key", API_ACTIONS)
def test_paginated_listing_defaults_to_50_per_page(key: str) -> None:
    action, op = REGISTRY.action(key), _op(key)
    has_paging = any(p["name"] == "pagination" for p in _params(op, "query"))
    assert action.paginated == has_paging
    if has_paging:
        count = _input(action, "count")
        assert count.default == 50 and count.wire_name == "pagination.count"
        assert _input(action, "cursor").wire_name == "pagination.cursor"


# -- the request on the wire --------------------------------------------------------
@pytest.mark.parametrize("everything", [False, True], ids=["required", "every-input"])
@pytest.mark.parametrize("key", API_ACTIONS)
def test_dry_run_request_matches_the_catalogue(rt: Runtime, key: str, everything: bool) -> None:
    action, op = REGISTRY.action(key), _op(key)
    values = sample_inputs(action, everything)
    sent = rt.dry_run(key, values)
    assert sent["method"] == op["method"]

    path = op["path"]
    by_wire = {i.wire_name: i for i in action.inputs}
    for param in _params(op, "path"):
        inp = by_wire[param["name"]]
        path = path.replace("{" + param["name"] + "}", quote(str(values[inp.key]), safe=""))
    url = urlsplit(sent["url"])
    assert f"{url.scheme}://{url.netloc}{url.path}" == BASE + path

    query = parse_qsl(url.query, keep_blank_values=True)
    bad = [k for k, _ in query if not _query_key_allowed(op, k)]
    assert bad == [], f"query keys not in the catalogue: {bad}"
    counts = Counter(k for k, _ in query)
    for inp in _wire(action):
        value = values.get(inp.key)
        if action.where(inp) != "query" or value is None:
            continue
        if isinstance(value, list) and all(isinstance(v, dict) for v in value):
            # a list of objects: each field in dot notation, once per element
            for field in {f for v in value for f in v}:
                expected = sum(1 for v in value if v.get(field) is not None)
                assert counts[f"{inp.wire_name}.{field}"] == expected, (inp.key, field)
        elif isinstance(value, list):  # arrays repeat the key, once per element
            assert counts[inp.wire_name] == len(value), inp.key
            assert [v for k, v in query if k == inp.wire_name] == [str(v) for v in value]
        else:
            assert any(k == inp.wire_name or k.startswith(inp.wire_name + ".")
                       for k in counts), f"{inp.key} not sent"

    headers = sent["headers"]
    assert headers["Accept"] in op["accept"]
    assert headers["Accept"] == next(m for m in MEDIA_TYPES if m in op["accept"])

    model = _body_model(op)
    if "body" not in sent:
        assert model is None or not everything or not _wire_body(action), "body not sent"
        return
    assert model is not None, "a body is sent, but the operation takes none"
    assert action.body_model == model
    assert headers["Content-Type"] in op["content_type"]
    body, schema = sent["body"], catalog.resolve(model)
    unknown = sorted(set(body) - set(_properties(schema, schema)))
    assert unknown == [], f"body fields not in {model}: {unknown}"
    if set(schema.get("required", [])) <= set(body):
        errors = [f"{list(e.absolute_path)}: {e.message}"
                  for e in Draft202012Validator(schema).iter_errors(body)]
        assert errors == []


def _wire_body(action: Action) -> list[Input]:
    return [i for i in action.inputs if action.where(i) in ("body", "payload")]


@pytest.mark.parametrize("key", API_ACTIONS)
def test_required_catalogue_params_are_required_inputs(key: str) -> None:
    action, op = REGISTRY.action(key), _op(key)
    required = {i.wire_name for i in action.inputs if i.required}
    placed = {i.wire_name: action.where(i) for i in action.inputs}
    for param in _params(op, "path"):
        assert placed.get(param["name"]) == "path", f"path param {param['name']}"
        assert param["name"] in required, f"path param {param['name']} is optional"
    for param in _params(op, "query"):
        if param["required"]:
            assert placed.get(param["name"]) == "query", f"query param {param['name']}"
            assert param["name"] in required, f"query param {param['name']} is optional"
    model = _body_model(op)
    body = next((p for p in _params(op, "body")), None)
    if body is not None and body["required"]:
        schema = catalog.resolve(model or "")
        missing = sorted(set(schema.get("required", [])) - required)
        assert missing == [], f"required body fields of {model} that are optional: {missing}"


# -- invalid input ----------------------------------------------------------------------
_WRONG: dict[str, Any] = {"string": {"not": "text"}, "integer": "many", "number": "many",
                          "boolean": "maybe", "object": ["not", "an", "object"], "array": 42}


def _missing_case(action: Action) -> Input | None:
    # A scalar default fills a blank input, so only template or no defaults can go missing.
    return next((i for i in action.inputs if i.required
                 and (i.default is None or isinstance(i.default, list | dict))), None)


def _wrong_case(action: Action) -> tuple[Input, Any] | None:
    wire = sorted(_wire(action), key=lambda i: not i.required)
    for inp in wire:
        if inp.choices:
            return inp, "__not_a_choice__"
        if inp.type in _WRONG:
            return inp, _WRONG[inp.type]
    return None


def _send_nothing(rt: Runtime, key: str, values: dict[str, Any]) -> InputError:
    with responses.RequestsMock() as rsps, pytest.raises(InputError) as caught:
        rt.run(key, values)
    assert len(rsps.calls) == 0
    return caught.value


MISSING = [k for k in API_ACTIONS if _missing_case(REGISTRY.action(k)) is not None]
WRONG = [k for k in API_ACTIONS if _wrong_case(REGISTRY.action(k)) is not None]


@pytest.mark.parametrize("key", MISSING)
def test_missing_required_input_is_refused_before_sending(rt: Runtime, key: str) -> None:
    action = REGISTRY.action(key)
    inp = _missing_case(action)
    assert inp is not None
    values = sample_inputs(action, everything=True)
    del values[inp.key]
    err = _send_nothing(rt, key, values)
    assert inp.key in err.fields and err.fields[inp.key] == "is required"


@pytest.mark.parametrize("key", WRONG)
def test_wrong_type_is_refused_before_sending(rt: Runtime, key: str) -> None:
    action = REGISTRY.action(key)
    case = _wrong_case(action)
    assert case is not None
    inp, wrong = case
    values = sample_inputs(action, everything=True) | {inp.key: wrong}
    err = _send_nothing(rt, key, values)
    assert any(f == inp.key or f.startswith(inp.key + ".") for f in err.fields), err.fields


@pytest.mark.parametrize("key", API_ACTIONS)
def test_unknown_input_is_refused_before_sending(rt: Runtime, key: str) -> None:
    values = sample_inputs(REGISTRY.action(key)) | {"noSuchInput": "x"}
    err = _send_nothing(rt, key, values)
    assert list(err.fields) == ["noSuchInput"]


# -- payloads and words ------------------------------------------------------------------
@pytest.mark.parametrize("key", API_ACTIONS)
def test_example_payload_fits_the_response_schema(key: str) -> None:
    action, op = REGISTRY.action(key), _op(key)
    _status, model = _success(op)
    payload = action.example_payload()
    assert isinstance(payload, dict) and set(payload) == {"data"}
    errors = [f"{list(e.absolute_path)}: {e.message}"
              for e in Draft202012Validator(catalog.schema(model)).iter_errors(payload["data"])]
    assert errors == []


@pytest.mark.parametrize("key", API_ACTIONS)
def test_display_name_and_own_description(key: str) -> None:
    action, op = REGISTRY.action(key), _op(key)
    assert action.display.strip() and action.description.strip()
    assert action.description.strip().rstrip(".").lower() != op["title"].lower()
    assert _sentence_hash(action.description) not in CATALOGUE_SENTENCES


def test_sentence_hash_catches_a_copied_description() -> None:
    # The first sentence of the upstream description of listSources.
    assert _sentence_hash("Returns a list of Sources.  More text.") in CATALOGUE_SENTENCES


# -- seed parity and picklist links --------------------------------------------------------
@pytest.mark.parametrize(("alias", "key"), SEED_ALIASES)
def test_seed_action_keys_resolve(alias: str, key: str) -> None:
    assert REGISTRY.action(alias).key == key


@pytest.mark.parametrize("alias", [a for a, _ in SEED_ALIASES])
def test_seed_defaults(alias: str) -> None:
    action = REGISTRY.action(alias)
    expected = SEED_DEFAULTS.get(alias, {})
    actual = {k: _input(action, k).default for k in expected}
    assert actual == expected
    # The seed's Region default `api` is the connection's: a blank region uses it.
    assert _input(action, "region").default is None


@pytest.mark.parametrize("alias", sorted(SEED_TEMPLATES))
def test_seed_templates_are_shown_but_not_sent(alias: str) -> None:
    action = REGISTRY.action(alias)
    for key, template in SEED_TEMPLATES[alias].items():
        inp = _input(action, key)
        assert inp.default is None, key
        assert template in (inp.placeholder, inp.example), key


def test_seed_default_table_covers_the_seed_listings() -> None:
    listings = [a for a, key in SEED_ALIASES if REGISTRY.action(key).paginated]
    assert all(SEED_DEFAULTS.get(a, {}).get("count") == 50 for a in listings
               if a != "listConnectedSourcesFromWarehouse")


def test_id_inputs_name_a_registered_picklist() -> None:
    missing = [(key, i.key, i.picklist) for key in ALL_ACTIONS
               for i in REGISTRY.action(key).inputs
               if i.picklist and i.picklist not in REGISTRY.datasources.items]
    assert missing == []
