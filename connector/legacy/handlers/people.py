"""Regulations, suppressions, IAM roles and policies, and invites."""

from __future__ import annotations

from typing import Any

from connector.errors import InputError
from connector.legacy.errors import not_found
from connector.legacy.handlers import body_object, handles, listed
from connector.legacy.plan import Plan

_SUBJECTS = {"userId": "USER_ID", "objectId": "OBJECT_ID"}
_SUBJECTS_BACK = {v: k for k, v in _SUBJECTS.items()}


_REGULATION_TYPES = ("Delete_Archive_Only", "Delete_Internal", "Delete_Only", "Suppress_Only",
                     "Suppress_With_Delete", "Suppress_With_Delete_Internal", "Unsuppress")


def _upper_snake(value: Any, field: str) -> str:
    """The Public API's regulation type for a Config API one (`Suppress_Only` -> SUPPRESS_ONLY)."""
    known = {t.upper(): t for t in _REGULATION_TYPES}
    if not isinstance(value, str) or value.upper() not in known:
        raise InputError({field: f"must be one of {', '.join(_REGULATION_TYPES)}"}, "legacy")
    return value.upper()


def _regulation_inputs(plan: Plan) -> dict[str, Any]:
    attributes = plan.body.get("attributes")
    if not isinstance(attributes, dict):
        raise InputError({"attributes": "must be {name: userId, values: [...]}"}, "legacy")
    subject = _SUBJECTS.get(str(attributes.get("name")))
    if subject is None:
        raise InputError({"attributes.name": f"must be one of {', '.join(_SUBJECTS)}"},
                         "legacy")
    values = attributes.get("values")
    if not isinstance(values, list) or not values or not all(isinstance(v, str) for v in values):
        raise InputError({"attributes.values": "must be a list of ids"}, "legacy")
    return {"regulationType": _upper_snake(plan.body.get("regulation_type"), "regulation_type"),
            "subjectType": subject, "subjectIds": values}


def regulation(plan: Plan, item: dict[str, Any]) -> dict[str, Any]:
    rid = item.get("id") or item.get("regulateId")
    out = {"name": f"{plan.ws}/regulations/{rid}", "id": rid,
           "status": item.get("overallStatus") or item.get("status"),
           "create_time": item.get("createdAt")}
    if item.get("regulationType"):
        out["regulation_type"] = "_".join(w.capitalize()
                                          for w in str(item["regulationType"]).split("_"))
    return out


@handles("POST /workspaces/{ws}/regulations")
def create_regulation(plan: Plan) -> dict[str, Any]:
    inputs = _regulation_inputs(plan)
    data = plan.call("createWorkspaceRegulation", inputs)
    return regulation(plan, {"regulateId": data.get("regulateId"),
                             "regulationType": inputs["regulationType"]})


@handles("GET /workspaces/{ws}/regulations")
def list_regulations(plan: Plan) -> dict[str, Any]:
    inputs: dict[str, Any] = {}
    if plan.query.get("status"):
        inputs["status"] = plan.query["status"].upper()
    if plan.query.get("regulation_types"):
        inputs["regulationTypes"] = [_upper_snake(t.strip(), "regulation_types")
                                     for t in plan.query["regulation_types"].split(",")]
    items, token = listed(plan, "listWorkspaceRegulations", "regulations", inputs)
    return {"regulations": [regulation(plan, i) for i in items], "next_page_token": token}


@handles("GET /workspaces/{ws}/regulations/{regulation}")
def get_regulation(plan: Plan) -> dict[str, Any]:
    data = plan.call("getRegulation", {"regulateId": plan.params["regulation"]})
    return regulation(plan, data.get("regulation") or {"id": plan.params["regulation"]})


@handles("POST /workspaces/{ws}/sources/{src}/regulations")
def create_source_regulation(plan: Plan) -> dict[str, Any]:
    inputs = _regulation_inputs(plan)
    src = plan.resolver.source(plan, plan.params["src"])
    if (src.get("metadata") or {}).get("isCloudEventSource"):
        collection = plan.body.get("collection")
        if not isinstance(collection, str) or not collection:
            raise InputError({"collection": "is required for a cloud source: the collection "
                                            "the subjects are in"}, "legacy")
        data = plan.call("createCloudSourceRegulation",
                         {"sourceId": src["id"], "collection": collection, **inputs})
    else:
        data = plan.call("createSourceRegulation", {"sourceId": src["id"], **inputs})
    return regulation(plan, {"regulateId": data.get("regulateId"),
                             "regulationType": inputs["regulationType"]})


@handles("GET /workspaces/{ws}/suppressed-users")
def list_suppressed(plan: Plan) -> dict[str, Any]:
    items, token = listed(plan, "listSuppressions", "suppressed")
    out = [{"name": f"{plan.ws}/suppressed-users/"
                    f"{i.get('id') or next(iter(i.get('subjectIds') or []), '')}",
            "attributes": {"name": _SUBJECTS_BACK.get(str(i.get("subjectType")), "userId"),
                           "values": list(i.get("subjectIds") or [])},
            "create_time": i.get("createdAt")} for i in items]
    return {"suppressed_users": out, "next_page_token": token}


# IAM: the Config API's role -> policies model, read from users' permissions ----
_IAM = "the Public API keeps permissions on users and groups, not policies on roles"


def _users(plan: Plan) -> list[dict[str, Any]]:
    """Every user with their permissions (which only getUser is sure to return)."""
    out = []
    for user in plan.items("listUsers"):
        if isinstance(user, dict) and user.get("id"):
            out.append(plan.call("getUser", {"userId": user["id"]}).get("user") or user)
    return out


@handles("GET /workspaces/{ws}/roles")
def list_roles(plan: Plan) -> dict[str, Any]:
    items, token = listed(plan, "listRoles", "roles")
    users = _users(plan)
    plan.warnings.append(f"policies are left out: {_IAM}; members are the users holding "
                         "the role")
    roles = []
    for role in items:
        members = sorted(u.get("email", "") for u in users
                         if any(p.get("roleId") == role.get("id")
                                for p in u.get("permissions") or []))
        roles.append({"name": f"{plan.ws}/roles/{role.get('id')}",
                      "display_name": role.get("name"),
                      "description": role.get("description", ""), "members": members})
    return {"roles": roles, "next_page_token": token}


@handles("GET /workspaces/{ws}/roles/-/policies")
def list_policies(plan: Plan) -> dict[str, Any]:
    plan.warnings.append(f"{_IAM}: each user's permission on a role is shown as one policy; "
                         "groups' permissions are left out")
    out = []
    for user in _users(plan):
        for perm in user.get("permissions") or []:
            out.append({"name": f"{plan.ws}/roles/{perm.get('roleId')}/policies/"
                                f"{user.get('id')}",
                        "subject": user.get("email"),
                        "resources": list(perm.get("resources") or [])})
    return {"policies": out, "next_page_token": ""}


def _resources(value: Any) -> list[dict[str, Any]]:
    if not isinstance(value, list) or not all(isinstance(r, dict) and r.get("type")
                                              for r in value):
        raise InputError({"policy.resources": "must be a list of {id, type}"}, "legacy")
    return [{"id": r.get("id", ""), "type": str(r["type"]).upper()} for r in value]


@handles("POST /workspaces/{ws}/roles/{role}/policies")
def add_policy(plan: Plan) -> dict[str, Any]:
    policy = body_object(plan, "policy")
    subject = str(policy.get("subject") or "")
    kind, _, subject_id = subject.partition("/")
    if kind not in ("users", "user-groups") or not subject_id:
        raise InputError({"policy.subject": "must be users/{id} or user-groups/{id}"},
                         "legacy")
    permissions = [{"roleId": plan.params["role"],
                    "resources": _resources(policy.get("resources") or [])}]
    if policy.get("conditions"):
        plan.warnings.append("policy.conditions were dropped: the Public API has no field "
                             "for them")
    else:
        plan.warnings.append(f"{_IAM}: the policy is the subject's permission on the role")
    if kind == "users":
        plan.call("addPermissionsToUser", {"userId": subject_id, "permissions": permissions})
    else:
        plan.call("addPermissionsToUserGroup", {"userGroupId": subject_id,
                                                "permissions": permissions})
    return {"name": f"{plan.ws}/roles/{plan.params['role']}/policies/{subject_id}",
            "subject": subject, "resources": permissions[0]["resources"]}


@handles("DELETE /workspaces/{ws}/roles/{role}/policies/{policy}")
def delete_policy(plan: Plan) -> dict[str, Any]:
    user_id, role = plan.params["policy"], plan.params["role"]
    user = plan.call("getUser", {"userId": user_id}).get("user") or {}
    kept = [p for p in user.get("permissions") or [] if p.get("roleId") != role]
    if not plan.dry and len(kept) == len(user.get("permissions") or []):
        raise not_found("policy", f"{plan.ws}/roles/{role}/policies/{user_id}")
    plan.warnings.append(f"{_IAM}: the user's permissions on the role were removed")
    plan.call("replacePermissionsForUser", {
        "userId": user_id,
        "permissions": [{"roleId": p.get("roleId"), "resources": p.get("resources") or []}
                        for p in kept]})
    return {}


@handles("GET /workspaces/{ws}/invites")
def list_invites(plan: Plan) -> dict[str, Any]:
    items, token = listed(plan, "listInvites", "invites")
    # The Public API lists invites as emails; the email is the invite's name too.
    emails = [i if isinstance(i, str) else i.get("email") for i in items]
    return {"invites": [{"name": f"{plan.ws}/invites/{e}", "email": e} for e in emails],
            "next_page_token": token}


@handles("POST /workspaces/{ws}/invites")
def create_invites(plan: Plan) -> dict[str, Any]:
    invites = plan.body.get("invites")
    if not isinstance(invites, list) or not invites:
        raise InputError({"invites": "must be a list of {email, permissions}"}, "legacy")
    out = []
    for at, invite in enumerate(invites):
        if not isinstance(invite, dict) or not isinstance(invite.get("email"), str):
            raise InputError({f"invites[{at}].email": "is required"}, "legacy")
        item: dict[str, Any] = {"email": invite["email"]}
        if invite.get("permissions"):
            item["permissions"] = invite["permissions"]
        out.append(item)
    data = plan.call("createInvites", {"invites": out})
    emails = data.get("emails") or [i["email"] for i in out]
    return {"invites": [{"name": f"{plan.ws}/invites/{e}", "email": e} for e in emails]}


@handles("DELETE /workspaces/{ws}/invites/{invite}")
def delete_invite(plan: Plan) -> dict[str, Any]:
    wanted = plan.params["invite"]
    # A dry run records the listing as a step and meets no invite.
    emails = {i if isinstance(i, str) else i.get("email") for i in plan.items("listInvites")}
    if not plan.dry and wanted not in emails:
        raise not_found("invite", f"{plan.ws}/invites/{wanted}")
    plan.call("deleteInvites", {"emails": [wanted]})
    return {}
