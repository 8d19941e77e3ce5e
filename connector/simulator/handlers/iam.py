"""Users, invites, user groups, roles and permissions."""

from __future__ import annotations

from typing import Any

from connector.simulator.errors import not_found
from connector.simulator.handlers import DELETED, Ctx, handles, listing


def _permissions(ctx: Ctx, given: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Input permissions with each role's name filled in; unknown roles give 404."""
    out = []
    for perm in given:
        role = ctx.state.get("roles", perm["roleId"])
        out.append({"roleId": role["id"], "roleName": role["name"],
                    "resources": perm.get("resources") or []})
    return out


def _user_by_email(ctx: Ctx, email: str) -> dict[str, Any] | None:
    return next((u for u in ctx.state["users"].values() if u["email"] == email), None)


def _group_view(ctx: Ctx, group: dict[str, Any]) -> dict[str, Any]:
    emails = ctx.state["groupEmails"].get(group["id"], [])
    return group | {"memberCount": len(emails)}


# Users -------------------------------------------------------------------
@handles("getUser")
def get_user(ctx: Ctx) -> dict[str, Any]:
    return {"user": ctx.state.get("users", ctx.arg("userId"))}


@handles("listUsers")
def list_users(ctx: Ctx) -> dict[str, Any]:
    return listing(ctx, "users", list(ctx.state["users"].values()))


@handles("deleteUsers")
def delete_users(ctx: Ctx) -> dict[str, Any]:
    with ctx.state.lock:
        for user_id in ctx.qlist("userIds"):
            ctx.state.get("users", user_id)
        for user_id in ctx.qlist("userIds"):
            email = ctx.state["users"].pop(user_id)["email"]
            for emails in ctx.state["groupEmails"].values():
                if email in emails:
                    emails.remove(email)
    return DELETED


@handles("addPermissionsToUser", "replacePermissionsForUser")
def user_permissions(ctx: Ctx) -> dict[str, Any]:
    with ctx.state.lock:
        user = ctx.state.get("users", ctx.arg("userId"))
        perms = _permissions(ctx, ctx.field("permissions", []))
        if ctx.op.op_id.startswith("add"):
            perms = (user.get("permissions") or []) + perms
        user["permissions"] = perms
    return {"permissions": perms}


@handles("listUserGroupsFromUser")
def groups_of_user(ctx: Ctx) -> dict[str, Any]:
    email = ctx.state.get("users", ctx.arg("userId"))["email"]
    rows = [{"id": g["id"], "name": g["name"]} for g in ctx.state["userGroups"].values()
            if email in ctx.state["groupEmails"].get(g["id"], [])]
    return listing(ctx, "groups", rows)


# Invites -----------------------------------------------------------------
@handles("createInvites")
def create_invites(ctx: Ctx) -> dict[str, Any]:
    emails = []
    with ctx.state.lock:
        for invite in ctx.field("invites", []):
            _permissions(ctx, invite.get("permissions") or [])
            ctx.state["invites"][invite["email"]] = {"email": invite["email"]}
            emails.append(invite["email"])
    return {"emails": emails}


@handles("listInvites")
def list_invites(ctx: Ctx) -> dict[str, Any]:
    return listing(ctx, "invites", list(ctx.state["invites"]))


@handles("deleteInvites")
def delete_invites(ctx: Ctx) -> dict[str, Any]:
    with ctx.state.lock:
        for email in ctx.qlist("emails"):
            if ctx.state["invites"].pop(email, None) is None:
                raise not_found("Invite", email)
    return DELETED


# User groups -------------------------------------------------------------
@handles("createUserGroup")
def create_group(ctx: Ctx) -> dict[str, Any]:
    group = {"id": ctx.ids.for_family("userGroup"), "name": ctx.field("name"), "permissions": []}
    with ctx.state.lock:
        ctx.state["userGroups"][group["id"]] = group
        return {"userGroup": _group_view(ctx, group)}


@handles("getUserGroup")
def get_group(ctx: Ctx) -> dict[str, Any]:
    return {"userGroup": _group_view(ctx, ctx.state.get("userGroups", ctx.arg("userGroupId")))}


@handles("listUserGroups")
def list_groups(ctx: Ctx) -> dict[str, Any]:
    rows = [_group_view(ctx, g) for g in ctx.state["userGroups"].values()]
    return listing(ctx, "userGroups", rows)


@handles("updateUserGroup")
def update_group(ctx: Ctx) -> dict[str, Any]:
    with ctx.state.lock:
        group = ctx.state.get("userGroups", ctx.arg("userGroupId"))
        group["name"] = ctx.field("name")
        return {"userGroup": _group_view(ctx, group)}


@handles("deleteUserGroup")
def delete_group(ctx: Ctx) -> dict[str, Any]:
    with ctx.state.lock:
        group_id = ctx.state.get("userGroups", ctx.arg("userGroupId"))["id"]
        del ctx.state["userGroups"][group_id]
        ctx.state["groupEmails"].pop(group_id, None)
    return DELETED


@handles("addUsersToUserGroup", "replaceUsersInUserGroup")
def set_group_users(ctx: Ctx) -> dict[str, Any]:
    with ctx.state.lock:
        group = ctx.state.get("userGroups", ctx.arg("userGroupId"))
        emails = ctx.state.relation("groupEmails", group["id"])
        if ctx.op.op_id.startswith("replace"):
            emails.clear()
        for email in ctx.field("emails", []):
            if email not in emails:
                emails.append(email)
            if _user_by_email(ctx, email) is None:
                ctx.state["invites"].setdefault(email, {"email": email})
        return {"userGroup": _group_view(ctx, group)}


@handles("removeUsersFromUserGroup")
def remove_group_users(ctx: Ctx) -> dict[str, Any]:
    with ctx.state.lock:
        group = ctx.state.get("userGroups", ctx.arg("userGroupId"))
        emails = ctx.state.relation("groupEmails", group["id"])
        for email in ctx.qlist("emails"):
            if email in emails:
                emails.remove(email)
    return DELETED


@handles("listUsersFromUserGroup")
def users_of_group(ctx: Ctx) -> dict[str, Any]:
    group = ctx.state.get("userGroups", ctx.arg("userGroupId"))
    users = [_user_by_email(ctx, e) for e in ctx.state["groupEmails"].get(group["id"], [])]
    rows = [{"id": u["id"], "name": u["name"], "email": u["email"]} for u in users if u]
    return listing(ctx, "users", rows)


@handles("listInvitesFromUserGroup")
def invites_of_group(ctx: Ctx) -> dict[str, Any]:
    group = ctx.state.get("userGroups", ctx.arg("userGroupId"))
    rows = [e for e in ctx.state["groupEmails"].get(group["id"], [])
            if _user_by_email(ctx, e) is None]
    return listing(ctx, "emails", rows)


@handles("addPermissionsToUserGroup", "replacePermissionsForUserGroup")
def group_permissions(ctx: Ctx) -> dict[str, Any]:
    with ctx.state.lock:
        group = ctx.state.get("userGroups", ctx.arg("userGroupId"))
        perms = _permissions(ctx, ctx.field("permissions", []))
        if ctx.op.op_id.startswith("add"):
            perms = (group.get("permissions") or []) + perms
        group["permissions"] = perms
    return {"permissions": perms}


@handles("listRoles")
def list_roles(ctx: Ctx) -> dict[str, Any]:
    return listing(ctx, "roles", list(ctx.state["roles"].values()))
