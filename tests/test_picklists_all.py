"""Every picklist against a mocked listing: all pages, filter, cap and parent ids."""

from __future__ import annotations

import copy
import json
import re
from typing import Any
from urllib.parse import parse_qs, quote, urlsplit

import pytest
import responses

from connector.api import catalog
from connector.connection import Connection
from connector.errors import InputError
from connector.registry import Registry
from connector.runtime import Runtime
from connector.spec import Action, DataSource, Fields

TOKEN = "sgp_picklist_test_token_0123456789"
BASE = "https://api.segmentapis.com"
REGISTRY = Registry.load(installed=False)
PICKLISTS = sorted(REGISTRY.datasources.items)
# Picklists flows rely on; each must stay registered.
EXPECTED = (
    "labels", "functions", "users", "userGroups", "roles", "trackingPlans", "transformations",
    "spaces", "audiences", "computedTraits", "destinationSubscriptions", "destinationFilters",
    "reverseEtlModels", "credentials", "sourcesCatalog", "destinationsCatalog",
    "warehousesCatalog",
)
# Picklists whose listing lives under a parent resource, and the parents' inputs.
DEPENDENT = {key: tuple(i.key for i in REGISTRY.datasource(key).inputs
                         if i.required and i.default is None)
             for key in PICKLISTS}
DEPENDENT = {key: parents for key, parents in DEPENDENT.items() if parents}
# A parent id that only stays one path segment when it is URL-quoted.
PARENT = "parent id/1"
PAGES, PER_PAGE = 3, 3
CURSORS = [None, "MQ==", "Mg=="]  # cursor that fetches page i


def _source(key: str) -> tuple[DataSource, Action]:
    source = REGISTRY.datasource(key)
    return source, REGISTRY.action(source.action)


def _items_key(source: DataSource, action: Action) -> str:
    key = source.items or action.items
    assert key, f"{source.key}: no list key to read"
    return key


def _set(item: dict[str, Any], path: str, value: str) -> None:
    *parents, leaf = path.split(".")
    for part in parents:
        nxt = item.get(part)
        item[part] = nxt = dict(nxt) if isinstance(nxt, dict) else {}
        item = nxt
    item[leaf] = value


def _fill(item: dict[str, Any], path: str, text: str) -> str:
    """Put `text` where `path` reads; returns what the picklist should read back."""
    fields = re.findall(r"{(\w+)}", path)
    if not fields:
        _set(item, path, text)
        return text
    for name in fields:
        item[name] = f"{text}-{name}"
    return path.format_map(item)


def _option(source: DataSource, template: dict[str, Any], n: int) -> tuple[Any, dict[str, Any]]:
    """Item `n` of the listing (alternately Alpha and Beta) and the option it must give."""
    item = copy.deepcopy(template)
    word = "Alpha" if n % 2 == 0 else "Beta"
    label = _fill(item, source.label[0], f"{word} option {n}")
    key: Any
    if isinstance(source.value, Fields):  # the key is an object of the item's fields
        key = {name: item[name] for name in source.value.names}
    elif source.value == source.label[0]:  # a label that is also the value: keep it
        key = label
    else:
        key = _fill(item, source.value, f"id-{n}")
    return item, {"label": label, "key": key}


def _template(source: DataSource, action: Action) -> dict[str, Any]:
    # The listing's example item keeps the mocked answer in the API's real shape.
    payload = action.example_payload() or {}
    items = payload.get("data", {}).get("data", {}).get(_items_key(source, action)) or [{}]
    return items[0] if isinstance(items[0], dict) else {}


def _path(action: Action, parent: str | None) -> str:
    return re.sub(r"{\w+}", quote(parent or "", safe=""), action.path)


def _serve(rsps: responses.RequestsMock, key: str, parent: str | None = None
           ) -> list[dict[str, Any]]:
    """Serve the listing of picklist `key` over three pages; returns every option in order."""
    source, action = _source(key)
    template = _template(source, action)
    built = [_option(source, template, n) for n in range(PAGES * PER_PAGE)]
    pages = [[item for item, _ in built[i * PER_PAGE:(i + 1) * PER_PAGE]] for i in range(PAGES)]
    items_key = _items_key(source, action)

    def answer(request: Any) -> tuple[int, dict[str, str], str]:
        query = parse_qs(urlsplit(request.url).query)
        cursor = (query.get("pagination.cursor") or [None])[0]
        if not action.paginated:  # one answer holds everything
            data = {items_key: [item for item, _ in built]}
        else:
            page = CURSORS.index(cursor)
            data = {items_key: pages[page],
                    "pagination": {"current": cursor or "MA==", "totalEntries": len(built)}}
            if page + 1 < PAGES:
                data["pagination"]["next"] = CURSORS[page + 1]
        return 200, {"Content-Type": "application/json"}, json.dumps({"data": data})

    url = re.compile(re.escape(BASE + _path(action, parent)) + r"(\?.*)?$")
    rsps.add_callback(responses.GET, url, callback=answer)
    return [option for _, option in built]


def _parent(key: str) -> str | None:
    return PARENT if key in DEPENDENT else None


def _inputs(key: str, **extra: Any) -> dict[str, Any]:
    return dict.fromkeys(DEPENDENT.get(key, ()), PARENT) | extra


@pytest.fixture
def rt() -> Runtime:
    return Runtime(Connection(token=TOKEN), registry=REGISTRY, sleep=lambda _s: None)


def _calls(rsps: responses.RequestsMock) -> list[tuple[str, dict[str, list[str]]]]:
    parts = [urlsplit(c.request.url) for c in rsps.calls]
    return [(p.path, parse_qs(p.query)) for p in parts]


def test_expected_picklists_are_registered() -> None:
    assert set(EXPECTED) <= set(PICKLISTS)
    assert {"audiences", "computedTraits", "destinationSubscriptions",
            "destinationFilters"} <= set(DEPENDENT)


@pytest.mark.parametrize("key", PICKLISTS)
def test_every_item_of_every_page(rt: Runtime, key: str) -> None:
    _, action = _source(key)
    with responses.RequestsMock() as rsps:
        expected = _serve(rsps, key, _parent(key))
        out = rt.picklist(key, _inputs(key))
        calls = _calls(rsps)
    assert out == {"result": expected, "truncated": False}
    path = _path(action, _parent(key))
    assert all(p == path for p, _ in calls)
    if action.paginated:
        assert [q.get("pagination.cursor", [None])[0] for _, q in calls] == CURSORS
    else:
        assert len(calls) == 1


@pytest.mark.parametrize("key", PICKLISTS)
def test_filter_keeps_matching_labels_case_insensitively(rt: Runtime, key: str) -> None:
    with responses.RequestsMock() as rsps:
        expected = _serve(rsps, key, _parent(key))
        out = rt.picklist(key, _inputs(key, filter="aLpHa"))
    alpha = [o for o in expected if "Alpha" in o["label"]]
    assert alpha and len(alpha) < len(expected)
    assert out == {"result": alpha, "truncated": False}


@pytest.mark.parametrize("key", PICKLISTS)
def test_max_items_caps_the_options(rt: Runtime, key: str) -> None:
    _, action = _source(key)
    cap = PER_PAGE + 1
    with responses.RequestsMock(assert_all_requests_are_fired=False) as rsps:
        expected = _serve(rsps, key, _parent(key))
        out = rt.picklist(key, _inputs(key, maxItems=cap))
        calls = len(rsps.calls)
    assert out["result"] == expected[:cap]
    assert out["truncated"] is (len(expected) > cap) and bool(out.get("nextPageToken")) is \
        out["truncated"]
    if action.paginated:  # no page is fetched past the cap
        assert calls == 2


@pytest.mark.parametrize("key", sorted(DEPENDENT))
def test_dependent_picklist_needs_its_parent(rt: Runtime, key: str) -> None:
    _, action = _source(key)
    for parent in DEPENDENT[key]:
        # The parent goes in the listing's path, or (filters, instances) its query.
        inp = next(i for i in action.inputs if i.key == parent)
        assert action.where(inp) in ("path", "query")
        with responses.RequestsMock() as rsps, pytest.raises(InputError) as caught:
            rt.picklist(key, _inputs(key) | {parent: None})
        assert len(rsps.calls) == 0
        assert parent in caught.value.fields


@pytest.mark.parametrize("key", PICKLISTS)
def test_listing_example_gives_options(rt: Runtime, key: str) -> None:
    # The label and value paths must fit the listing's real item shape.
    source, action = _source(key)
    body = copy.deepcopy(action.example_payload()["data"])
    body["data"].pop("pagination", None)  # one page
    items = body["data"][_items_key(source, action)]
    assert items, f"{action.key}: example has no items"
    url = re.compile(re.escape(BASE + _path(action, _parent(key))) + r"(\?.*)?$")
    with responses.RequestsMock() as rsps:
        rsps.get(url, json=body)
        out = rt.picklist(key, _inputs(key))["result"]
    assert len(out) == len(items)
    assert all(o["key"] not in (None, "") and o["label"] not in ("", "None") for o in out)


def _deref(node: Any, root: dict[str, Any]) -> dict[str, Any]:
    while isinstance(node, dict) and "$ref" in node:
        node = root["$defs"][node["$ref"].rsplit("/", 1)[-1]]
    for branch in node.get("anyOf", []):  # the non-null branch of an optional field
        if branch.get("type") != "null":
            return _deref(branch, root)
    return node


@pytest.mark.parametrize("key", PICKLISTS)
def test_label_and_value_paths_exist_in_the_listing_schema(key: str) -> None:
    source, action = _source(key)
    assert action.response_model
    root = catalog.schema(action.response_model)
    data = _deref(root["properties"]["data"], root)
    listing = _deref(data["properties"][_items_key(source, action)], root)
    item = _deref(listing["items"], root)
    for path in (*source.label, source.value):
        for dotted in re.findall(r"{(\w+)}", path) or [path]:
            node = item
            for part in dotted.split("."):
                if "properties" not in node and node.get("additionalProperties"):
                    break  # a free-form object (settings) may hold any key
                assert part in node.get("properties", {}), f"{path}: no {part!r} in an item"
                node = _deref(node["properties"][part], root)
