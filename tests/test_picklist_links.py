"""Every id input of a listable resource links the picklist that can fill it.

The rule, derived from the registry and the catalogue: in an action path such as
`/functions/{functionId}/versions/{versionId}`, `versionId` names an item of the
collection at the path cut just before it (`/functions/{functionId}/versions`). When the
catalogue lists that collection (a GET on the same path, here listFunctionVersions), the
input links a picklist fed by that listing, or, where the narrower listing only holds a
subset of a wider one, a picklist of the same resource kind (`sources` for a warehouse's
connected sources, `destination` for an audience's destination connections). A body or
query id that a path elsewhere names the same way, under a collection whose parents the
action also takes (restoreFunctionVersion's `versionId`), follows the same rule.

Only ids are held to it: names ending in `Id`/`Ids`, or `id`. An event name, a trait key,
a property name and a label's `key` are not ids; they are listed below so that a new
non-id name found by the rule is looked at, not passed over. createInsertFunctionInstance's
`integrationId` stays unlinked: the catalogue does not describe it, and it takes a source
or a destination depending on the function's kind, which no single picklist covers.

Each picklist runs against the simulator over real HTTP, with its parents filled from
the simulator's own objects through the inputs of the actions it serves.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

import pytest

from connector.api import catalog
from connector.connection import Connection
from connector.errors import InputError
from connector.registry import Registry
from connector.runtime import Runtime
from connector.samples import sample_inputs
from connector.simulator import Simulator, server
from connector.spec import Action, DataSource, Input

REGISTRY = Registry.load(installed=False)
ACTIONS = REGISTRY.actions.items
PICKLISTS = REGISTRY.datasources.items
# Path names the rule finds that are not ids: events, traits and properties are named,
# and a label is known by its `key`.
NOT_IDS = frozenset({"eventName", "traitKey", "propertyName", "key"})
PLACEHOLDER = re.compile(r"{(\w+)}")
JAVASCRIPT, KINESIS = "IqDTy1TpoU", "57da359580412f644ff33fb9"  # catalog ids the simulator knows


def is_id(name: str) -> bool:
    return name == "id" or name.endswith(("Id", "Ids"))


def _listed_paths() -> dict[str, str]:
    """Collection path -> the catalogue's GET operation that lists it (items in a list)."""
    listed: dict[str, str] = {}
    for op in catalog.operations().values():
        key = op["operationId"]
        if op["method"] == "GET" and key in ACTIONS and _items_of(ACTIONS[key]):
            listed[op["path"]] = key
    return listed


def _items_of(action: Action) -> str | None:
    """The list key of a listing's answer: paged listings name it, others have one list."""
    if action.items:
        return action.items
    root = catalog.schema(action.response_model or "")
    data = _deref(root["properties"]["data"], root)
    lists = [k for k, v in data.get("properties", {}).items()
             if _deref(v, root).get("type") == "array"]
    return lists[0] if len(lists) == 1 else None


def _deref(node: Any, root: dict[str, Any]) -> dict[str, Any]:
    while isinstance(node, dict) and "$ref" in node:
        node = root["$defs"][node["$ref"].rsplit("/", 1)[-1]]
    for branch in node.get("anyOf", []):  # the non-null branch of an optional field
        if branch.get("type") != "null":
            return _deref(branch, root)
    return dict(node)


def _item_schema(action: Action) -> tuple[str, dict[str, Any]]:
    """The model name and schema of one item of a listing's answer."""
    root = catalog.schema(action.response_model or "")
    data = _deref(root["properties"]["data"], root)
    listing = _deref(data["properties"][_items_of(action) or ""], root)
    ref = listing["items"].get("$ref", "")
    return ref.rsplit("/", 1)[-1], _deref(listing["items"], root)


LISTED = _listed_paths()


def _input(action: Action, wire: str) -> Input:
    return next(i for i in action.inputs if i.wire_name == wire)


def expected_links() -> Iterator[tuple[str, str, str]]:
    """(action, input key, collection path) for every id input the rule covers."""
    # Where each name is an item of a listed collection: `{collection}/{name}` in a path.
    named: dict[str, set[str]] = {}
    for action in ACTIONS.values():
        for match in PLACEHOLDER.finditer(action.path):
            named.setdefault(match.group(1), set()).add(action.path[:match.start()].rstrip("/"))
    for key, action in sorted(ACTIONS.items()):
        if not action.operation:
            continue
        for inp in action.inputs:
            where = action.where(inp)
            name = inp.wire_name
            if where == "path":
                marker = "{" + name + "}"
                cuts = {action.path[:action.path.index(marker)].rstrip("/")}
            elif where in ("body", "query"):
                # Only where every parent of that collection is an input of this action.
                wires = {i.wire_name for i in action.inputs}
                cuts = {c for c in named.get(name, set())
                        if set(PLACEHOLDER.findall(c)) <= wires}
            else:
                continue
            for collection in sorted(cuts & set(LISTED)):
                if is_id(name):
                    yield key, inp.key, collection
                else:
                    assert name in NOT_IDS, f"{key}.{name}: an id or not? Add it to NOT_IDS"


def fits(picklist: DataSource, name: str, collection: str) -> bool:
    """Whether `picklist` fills id `name` of an item of `collection`."""
    listing = REGISTRY.action(picklist.action)
    if listing.path == collection:
        return True
    # A wider listing of the same kind: `/sources` for a warehouse's connected sources.
    # The narrow listing must hold the wide one's items, or items that carry its id.
    kind = name.removesuffix("s").removesuffix("Id")
    if listing.path != f"/{kind}s" or kind not in collection.rsplit("/", 1)[-1]:
        return False
    narrow_model, narrow = _item_schema(REGISTRY.action(LISTED[collection]))
    wide_model, _ = _item_schema(listing)
    return narrow_model == wide_model or f"{kind}Id" in narrow.get("properties", {})


EXPECTED = sorted(set(expected_links()))


def test_the_rule_covers_the_listed_ids() -> None:
    assert len(EXPECTED) > 60
    found = {(key, name) for key, name, _ in EXPECTED}
    # Ones the rule must find: path ids under a parent, a body id, a query-listed one.
    assert {("getFunctionVersion", "versionId"), ("restoreFunctionVersion", "versionId"),
            ("addActivationToAudience", "connectionId"), ("getFilterById", "id"),
            ("getInsertFunctionInstance", "instanceId"), ("getRegulation", "regulateId"),
            ("removeProfilesWarehouseFromSpace", "warehouseId"),
            ("getAudienceScheduleFromSpaceAndAudience", "scheduleId")} <= found
    assert not {name for _, name in found} & NOT_IDS


@pytest.mark.parametrize(("key", "name", "collection"), EXPECTED)
def test_a_listable_id_links_its_picklist(key: str, name: str, collection: str) -> None:
    inp = next(i for i in ACTIONS[key].inputs if i.key == name)
    assert inp.picklist, f"{key}.{name} takes an item of {collection} " \
        f"({LISTED[collection]}) but links no picklist"
    assert fits(REGISTRY.datasource(inp.picklist), inp.wire_name, collection), \
        f"{key}.{name} links {inp.picklist}, which does not list {collection}"


def test_a_wider_listing_fits_only_a_subset_of_its_kind() -> None:
    sources, warehouses = REGISTRY.datasource("sources"), REGISTRY.datasource("warehouses")
    assert fits(sources, "sourceId", "/warehouses/{warehouseId}/connected-sources")
    assert fits(REGISTRY.datasource("destination"), "destinationId",
                "/spaces/{spaceId}/audiences/{audienceId}/destination-connections")
    # A space's profiles warehouses are not items of /warehouses.
    assert not fits(warehouses, "warehouseId", "/spaces/{spaceId}/profiles-warehouses")
    assert not fits(sources, "sourceId", "/warehouses")


def _parents(source: DataSource) -> list[Input]:
    """A picklist's parent inputs: required, with no default to fall back on."""
    return [i for i in source.inputs if i.required and i.default is None]


LINKS = sorted((key, inp.key, inp.picklist) for key, action in ACTIONS.items()
               for inp in action.inputs if inp.picklist)


@pytest.mark.parametrize(("key", "name", "picklist"), LINKS)
def test_the_served_action_fills_the_picklist_parents_by_key(key: str, name: str,
                                                            picklist: str) -> None:
    # A flow builder maps the action's field to the picklist's input of the same key. An
    # action without the parent (getFilterById names no space) leaves it to the user.
    action = ACTIONS[key]
    for parent in _parents(REGISTRY.datasource(picklist)):
        same_kind = [i for i in action.inputs if i.picklist == parent.picklist]
        same_key = [i for i in action.inputs if i.key == parent.key]
        if same_key:
            assert same_key[0].picklist == parent.picklist, \
                f"{key}.{parent.key} is not the {picklist} parent of the same name"
        else:
            assert not same_kind, f"{key} names the {picklist} parent {parent.key!r} " \
                f"as {same_kind[0].key!r}"


# --- against the simulator -------------------------------------------------------------

def _data(result: dict[str, Any]) -> dict[str, Any]:
    return dict(result["data"]["data"])


def _run(rt: Runtime, key: str, **values: Any) -> dict[str, Any]:
    return _data(rt.run(key, sample_inputs(REGISTRY.action(key)) | values))


@pytest.fixture(scope="module")
def world() -> Iterator[tuple[Runtime, dict[str, str], dict[str, str]]]:
    """A simulator holding one object of each kind: (runtime, id by picklist, and the id
    each picklist must offer where the simulator lists what was made)."""
    with Simulator() as sim:
        rt = Runtime(Connection(token=sim.token, base_url=sim.base_url), registry=REGISTRY)
        space = rt.picklist("spaces")["result"][0]["key"]
        audience = _run(rt, "createAudience", spaceId=space)["audience"]["id"]
        source = _run(rt, "createSource", slug="web", metadataId=JAVASCRIPT)["source"]["id"]
        destination = _run(rt, "createDestination", sourceId=source,
                           metadataId=KINESIS)["destination"]["id"]
        connection = _run(rt, "addDestinationToAudience", spaceId=space, audienceId=audience,
                          destination={"id": destination, "type": "destination"}
                          )["connection"]["id"]
        function = _run(rt, "createFunction", resourceType="INSERT_DESTINATION",
                        displayName="Enrich")["function"]["id"]
        _run(rt, "updateFunction", functionId=function, code="async function onTrack() {}")
        made = {
            "audienceDestinations": connection,
            "audienceSchedules": _run(rt, "addAudienceScheduleToAudience", spaceId=space,
                                      id=audience)["audienceSchedule"]["id"],
            "spaceFilters": _run(rt, "createFilterForSpace",
                                 integrationId=space)["filter"]["id"],
            "insertFunctionInstances": _run(rt, "createInsertFunctionInstance",
                                            functionId=function, integrationId=destination
                                            )["insertFunctionInstance"]["id"],
            "profilesWarehouses": _run(rt, "createProfilesWarehouse",
                                       spaceId=space)["profilesWarehouse"]["id"],
            "destinationSubscriptions": _run(rt, "createDestinationSubscription",
                                             destinationId=destination
                                             )["destinationSubscription"]["id"],
            "destinationFilters": _run(rt, "createFilterForDestination",
                                       destinationId=destination, sourceId=source
                                       )["filter"]["id"],
        }
        made["regulations"] = _run(rt, "createWorkspaceRegulation")["regulateId"]
        made["computedTraits"] = _run(rt, "createComputedTrait",
                                      spaceId=space)["computedTrait"]["id"]
        # Made under its connection's path, listed under its audience's.
        made["audienceActivations"] = _run(rt, "addActivationToAudience", spaceId=space,
                                           audienceId=audience, connectionId=connection
                                           )["activation"]["id"]
        model = _run(rt, "createReverseEtlModel", sourceId=source)["reverseEtlModel"]["id"]
        ids = {"spaces": space, "audiences": audience, "sources": source,
               "destination": destination, "functions": function,
               "reverseEtlModels": model} | made
        yield rt, ids, made


# Every picklist that needs a parent, and every one added with the parent-id links.
UNDER_TEST = sorted({k for k, s in PICKLISTS.items() if _parents(s)} | {"regulations"})


def _fill(action: Action, ids: dict[str, str]) -> dict[str, Any]:
    """An action's inputs, its picklist-linked ones from the simulator's objects."""
    return sample_inputs(action) | {i.key: ids[i.picklist] for i in action.inputs
                                    if i.picklist in ids}


def _served(picklist: str) -> list[tuple[Action, Input]]:
    return [(ACTIONS[k], i) for k, action in sorted(ACTIONS.items()) for i in action.inputs
            if i.picklist == picklist]


def _picklist_inputs(source: DataSource, values: dict[str, Any], ids: dict[str, str]
                     ) -> dict[str, Any]:
    # From the action's field of the same key; else from the object of the parent's kind.
    return {p.key: values[p.key] if p.key in values else ids[p.picklist or ""]
            for p in _parents(source)}


def test_every_picklist_is_under_test() -> None:
    assert {"audienceDestinations", "audienceActivations", "audienceSchedules",
            "spaceFilters", "insertFunctionInstances", "functionVersions", "regulations",
            "profilesWarehouses"} <= set(UNDER_TEST)
    # The rest need no parent and run in test_picklists_simulator.py.
    assert all(not _parents(PICKLISTS[k]) for k in set(PICKLISTS) - set(UNDER_TEST))


@pytest.mark.parametrize("key", UNDER_TEST)
def test_picklist_filled_from_the_action_it_serves(world: Any, key: str) -> None:
    rt, ids, made = world
    source = REGISTRY.datasource(key)
    served = _served(key)
    assert served, f"no action links {key}"
    for action, inp in served:
        values = _fill(action, ids)
        options = rt.picklist(key, _picklist_inputs(source, values, ids))["result"]
        assert options, f"{key} offered nothing for {action.key}"
        assert all(isinstance(o["label"], str) and o["label"] and o["key"] for o in options)
        keys = [o["key"] for o in options]
        if key in made:
            assert made[key] in keys
        linked = all(i.picklist in ids for i in action.inputs if i.picklist and i.required)
        if action.safety == "read" and linked:  # the picked key is what the action takes
            answer = rt.run(action.key, values | {inp.key: keys[0]})
            assert answer["data"]["data"]


@pytest.mark.parametrize("key", [k for k in UNDER_TEST if _parents(PICKLISTS[k])])
def test_a_missing_parent_is_refused_before_sending(world: Any, key: str,
                                                    monkeypatch: pytest.MonkeyPatch) -> None:
    rt, ids, _ = world
    source = REGISTRY.datasource(key)
    full = {p.key: ids[p.picklist or ""] for p in _parents(source)}
    seen: list[str] = []
    answer = server.dispatch

    def counted(sim: Any, method: str, path: str, *rest: Any) -> Any:
        seen.append(path)
        return answer(sim, method, path, *rest)

    monkeypatch.setattr(server, "dispatch", counted)
    for parent in full:
        with pytest.raises(InputError) as caught:
            rt.picklist(key, {k: v for k, v in full.items() if k != parent})
        assert parent in caught.value.fields
        assert parent in str(caught.value)
    assert seen == []
    rt.picklist(key, full)  # and the same call with every parent does reach the simulator
    assert seen
