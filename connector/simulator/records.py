"""The resource families that schema-made answers keep: audiences and their parts,
computed traits, space filters, credentials, regulations, profiles warehouses and
reverse ETL syncs.

Each family is made by its create operations and named in paths by a (segment,
parameter) pair: `/spaces/{spaceId}/audiences/{id}` names an audience by `id`. A record
remembers the ids its create's path (and body) named, its owners, so that a read of
`/spaces/B/audiences/{id}` does not find space A's audience, a listing lists only the
owner's records, and a delete takes the record's children with it (an audience's
schedules, connections and activations). A record whose owner is a stored resource
(a source's regulations) outlives it, as the API keeps them; its paths through that
owner answer 404 once the owner is gone.

Records live in state `records`: family -> id -> {"object": ..., "owners": {...}}.
"""

from __future__ import annotations

import copy
from dataclasses import dataclass
from typing import Any

from connector.simulator.catalog import Operation
from connector.simulator.errors import not_found
from connector.simulator.state import State


@dataclass(frozen=True, slots=True)
class Family:
    name: str  # key in state `records`
    what: str  # for 404 messages
    names: tuple[tuple[str, str], ...]  # (path segment, parameter after it) naming one
    key: str  # key under `data` of what a create answers
    id_field: str = "id"  # the id's field in that object; "" when `data[key]` is the id
    creates: tuple[str, ...] = ()
    lists: tuple[str, ...] = ()
    # The family whose id the storage key starts with, where ids are unique only within
    # it: one destination is connected to many audiences, once each.
    scope: str | None = None


FAMILIES = (
    Family("audiences", "Audience", (("audiences", "id"), ("audiences", "audienceId")),
           "audience", creates=("createAudience",), lists=("listAudiences",)),
    Family("audienceSchedules", "Audience schedule", (("schedules", "scheduleId"),),
           "audienceSchedule", creates=("addAudienceScheduleToAudience",),
           lists=("listAudienceSchedulesFromSpaceAndAudience",)),
    Family("audiencePreviews", "Audience preview", (("previews", "id"),), "audiencePreview",
           creates=("createAudiencePreview",)),
    # A connection is named by the id of the destination it connects.
    Family("audienceConnections", "Audience destination connection",
           (("destination-connections", "destinationId"),
            ("destination-connections", "connectionId")),
           "connection", creates=("addDestinationToAudience",),
           lists=("listDestinationsFromAudience",), scope="audiences"),
    Family("audienceActivations", "Activation", (("activations", "id"),), "activation",
           creates=("addActivationToAudience",), lists=("listActivationsFromAudience",)),
    Family("computedTraits", "Computed trait", (("computed-traits", "id"),), "computedTrait",
           creates=("createComputedTrait",), lists=("listComputedTraits",)),
    Family("credentials", "Credential", (("credentials", "credentialId"),), "credential",
           creates=("createCredential",), lists=("listCredentials",)),
    Family("spaceFilters", "Filter", (("filters", "id"),), "filter",
           creates=("createFilterForSpace",), lists=("listFiltersForSpace",)),
    Family("regulations", "Regulation", (("regulations", "regulateId"),), "regulateId",
           id_field="",
           creates=("createWorkspaceRegulation", "createSourceRegulation",
                    "createCloudSourceRegulation"),
           lists=("listWorkspaceRegulations", "listRegulationsFromSource")),
    Family("profilesWarehouses", "Profiles warehouse",
           (("profiles-warehouses", "warehouseId"),), "profilesWarehouse",
           creates=("createProfilesWarehouse",), lists=("listProfilesWarehouseInSpace",)),
    Family("reverseEtlSyncs", "Reverse ETL sync", (("syncs", "syncId"),),
           "reverseETLManualSync", id_field="syncId", creates=("createReverseEtlManualSync",),
           lists=("listReverseEtlSyncStatusesFromModelAndSubscriptionId",)),
)
BY_NAME = {f.name: f for f in FAMILIES}
_BY_PAIR = {pair: f for f in FAMILIES for pair in f.names}
_BY_CREATE = {op_id: f for f in FAMILIES for op_id in f.creates}
_BY_LIST = {op_id: f for f in FAMILIES for op_id in f.lists}

# Path parameters that name resources the stateful handlers keep, and their collection.
OWNED = {"sourceId": "sources", "destinationId": "destinations", "warehouseId": "warehouses",
         "functionId": "functions", "trackingPlanId": "trackingPlans", "userId": "users",
         "userGroupId": "userGroups", "modelId": "reverseEtlModels",
         "transformationId": "transformations", "spaceId": "spaces",
         "subscriptionId": "subscriptions"}
# Body fields of a create that name an owner the path does not (a manual sync's model).
_BODY_OWNERS = {"modelId": "reverseEtlModels", "subscriptionId": "subscriptions"}


def path_ids(op: Operation, params: dict[str, str]) -> list[tuple[str, str]]:
    """(owner kind, id) for each id the path names, in path order: a family name or a
    stored collection; parameters that are names (`eventName`, `traitKey`) are left out."""
    parts = op.path.strip("/").split("/")
    out = []
    for before, part in zip(["", *parts], parts, strict=False):
        if not part.startswith("{"):
            continue
        name = part[1:-1]
        family = _BY_PAIR.get((before, name))
        if family is not None:
            out.append((family.name, params[name]))
        elif name in OWNED:
            out.append((OWNED[name], params[name]))
    return out


def keys(op: Operation, params: dict[str, str]) -> dict[str, str]:
    """The storage key of each id the path names, by owner kind: the id itself, or
    `scope id/id` for a family whose ids are unique only within their scope."""
    out: dict[str, str] = {}
    for kind, ident in path_ids(op, params):
        family = BY_NAME.get(kind)
        scope = family.scope if family else None
        out[kind] = f"{out[scope]}/{ident}" if scope and scope in out else ident
    return out


def check_path(state: State, op: Operation, params: dict[str, str]) -> None:
    """404 for the first id the path names that does not exist, or that belongs to
    another owner than the path says."""
    named = path_ids(op, params)
    stored = keys(op, params)
    with state.lock:
        for kind, ident in named:
            if kind in BY_NAME:
                record = state["records"].get(kind, {}).get(stored[kind])
                if record is None or not _owned_by(record, stored):
                    raise not_found(BY_NAME[kind].what, ident)
            else:
                state.get(kind, ident)


def _owned_by(record: dict[str, Any], named: dict[str, str]) -> bool:
    owners = record.get("owners", {})
    return all(named.get(kind, value) == value for kind, value in owners.items())


def family_of(op: Operation, param: str) -> Family | None:
    """The family path parameter `param` of `op` names, if any."""
    parts = op.path.strip("/").split("/")
    for before, part in zip(["", *parts], parts, strict=False):
        if part == "{" + param + "}":
            return _BY_PAIR.get((before, param))
    return None


def named_family(op: Operation) -> Family | None:
    """The family of the object a path ends at (`.../audiences/{id}`), if it keeps one."""
    parts = op.path.strip("/").split("/")
    if len(parts) < 2 or not parts[-1].startswith("{"):
        return None
    return _BY_PAIR.get((parts[-2], parts[-1][1:-1]))


def created_family(op: Operation) -> Family | None:
    return _BY_CREATE.get(op.op_id)


def listed_family(op: Operation) -> Family | None:
    return _BY_LIST.get(op.op_id)


def get(state: State, family: Family, key: str) -> dict[str, Any] | None:
    """The object stored under `key` (see `keys`)."""
    record = state["records"].get(family.name, {}).get(key)
    return None if record is None else record["object"]


def made_id(family: Family, data: dict[str, Any]) -> str | None:
    """The id of what a create answered."""
    value = data.get(family.key)
    if not family.id_field:
        return value if isinstance(value, str) else None
    found = value.get(family.id_field) if isinstance(value, dict) else None
    return found if isinstance(found, str) else None


def keep(state: State, family: Family, ident: str, obj: dict[str, Any], op: Operation,
         params: dict[str, str], body: Any) -> None:
    """Store what a create made, with the owners its path (and body) named."""
    owners = keys(op, params)
    if isinstance(body, dict):
        owners.update({kind: body[name] for name, kind in _BODY_OWNERS.items()
                       if isinstance(body.get(name), str)})
    key = f"{owners[family.scope]}/{ident}" if family.scope in owners else ident
    with state.lock:
        state["records"].setdefault(family.name, {})[key] = {
            "object": copy.deepcopy(obj), "owners": owners}


def listed(state: State, family: Family, op: Operation, params: dict[str, str]
           ) -> list[dict[str, Any]]:
    """The family's records whose owners agree with the ids the listing's path names."""
    named = keys(op, params)
    with state.lock:
        rows = state["records"].get(family.name, {}).values()
        return [copy.deepcopy(r["object"]) for r in rows
                if all(r.get("owners", {}).get(k) == v for k, v in named.items())]


def delete(state: State, family: Family, key: str) -> None:
    """Remove the record stored under `key` and, with it, every record it owns (children,
    grandchildren)."""
    with state.lock:
        records = state["records"]
        gone = [(family.name, key)]
        while gone:
            kind, key = gone.pop()
            records.get(kind, {}).pop(key, None)
            for child_kind, rows in records.items():
                gone += [(child_kind, child) for child, row in rows.items()
                         if isinstance(row, dict) and row.get("owners", {}).get(kind) == key]

