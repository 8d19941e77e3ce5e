"""What a credential may do: a level, allow and deny lists, and irreversible actions held back.

A policy belongs to a credential (a profile, a service key), not to a front
door: the runtime checks it before it builds any request, so the CLI, the
service and MCP refuse the same calls with the same `PolicyError`.

    [profiles.prod.policy]
    level = "write"                 # read | write | admin (default: read)
    allow = ["*", "deleteLabel"]    # actions or areas; "*": every one the level reaches
    deny = ["IAMUsers"]             # actions or areas never run

An action runs when nothing in `deny` names it or its area, the level covers
its safety (`read` covers reads; `write` adds writes; `admin` adds
destructive actions), and `allow` names it, its area, or holds `*`. An
irreversible action (a deletion, a user-data regulation or suppression, a
change of access, or a custom executor such as Raw Request, whose request is
the caller's) is never covered by `*`: `allow` must name it or its area.
Raw Request's level is its method's (a GET is a read).

Areas are named as the manifest's `area` (`Sources`, `IAMUsers`) or as their
module (`sources`, `iam_users`); case, `_`, `-` and spaces do not count.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from connector.errors import InputError, PolicyError
from connector.spec import Action, safety_of

LEVELS = ("read", "write", "admin")
# The least level that covers each safety.
NEEDS = {"read": "read", "write": "write", "destructive": "admin"}
EVERY = "*"
# Areas whose writes change who may do what, or erase people's data for good.
IRREVERSIBLE_AREAS = frozenset({"deletionandsuppression", "iamusers", "iamgroups", "iamroles"})
POLICY_SETTINGS = ("level", "allow", "deny")


def plain_name(name: str) -> str:
    """`IAMUsers`, `iam_users`, `iam-users` -> `iamusers`."""
    return re.sub(r"[\s_\-]", "", name).lower()


def irreversible(action: Action) -> bool:
    """Whether a call of `action` may undo what cannot be redone (see the module docstring)."""
    if action.run is not None:  # what a custom executor sends is the caller's choice
        return True
    if action.safety == "read":
        return False
    return action.method == "DELETE" or plain_name(action.area) in IRREVERSIBLE_AREAS


def safety_for(action: Action, values: Mapping[str, Any]) -> str:
    """The safety of one call: an executor's by the method it will send, else the action's."""
    if action.run is not None:
        method = action.method_for(values)
        return safety_of(method.upper()) if method else "destructive"
    return action.safety or "write"


@dataclass(frozen=True)
class Policy:
    """One credential's rules. `name` says whose they are in every refusal."""

    level: str = "read"
    allow: frozenset[str] = frozenset({EVERY})
    deny: frozenset[str] = frozenset()
    name: str = "policy"
    # The allow list, case and separators dropped, for matching.
    _allow: frozenset[str] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        if self.level not in LEVELS:
            raise InputError({f"{self.name}.level": f"must be one of {', '.join(LEVELS)}, "
                              f"not {self.level!r}"})
        object.__setattr__(self, "_allow", frozenset(plain_name(n) for n in self.allow))

    def refusal(self, action: Action, values: Mapping[str, Any] | None = None) -> str | None:
        """The rule that refuses this call, in words, or None when it may run."""
        names = (plain_name(action.key), plain_name(action.area))
        denied = next((n for n in self.deny if plain_name(n) in names), None)
        if denied is not None:
            return f"deny lists {denied!r}"
        safety = safety_for(action, values or {})
        if LEVELS.index(NEEDS[safety]) > LEVELS.index(self.level):
            return (f"level {self.level!r} does not cover {safety} actions "
                    f"(they need {NEEDS[safety]!r})")
        named = any(n in self._allow for n in names)
        if irreversible(action):
            if not named:
                return (f"{action.key} is irreversible: allow must name it or its area "
                        f"({action.area!r}); '*' does not cover it")
        elif not named and EVERY not in self._allow:
            return f"allow names neither {action.key} nor its area {action.area!r}"
        return None

    def check(self, action: Action, values: Mapping[str, Any] | None = None) -> None:
        """Raise PolicyError naming this policy and its rule when the call may not run."""
        rule = self.refusal(action, values)
        if rule is not None:
            raise PolicyError(action.key, self.name, rule)

    def permits(self, action: Action, values: Mapping[str, Any] | None = None) -> bool:
        return self.refusal(action, values) is None

    @classmethod
    def from_table(cls, table: Any, name: str) -> Policy:
        """A policy from its TOML table; InputError naming `name.<setting>` when it is wrong."""
        if not isinstance(table, Mapping):
            raise InputError({name: "must be a table with level, allow and deny"})
        unknown = sorted(set(table) - set(POLICY_SETTINGS))
        if unknown:
            raise InputError({f"{name}.{unknown[0]}": "unknown setting; known: "
                              + ", ".join(POLICY_SETTINGS)})
        level = table.get("level", "read")
        if not isinstance(level, str):
            raise InputError({f"{name}.level": f"must be one of {', '.join(LEVELS)}"})
        lists = {key: _names(table.get(key, default), f"{name}.{key}")
                 for key, default in (("allow", [EVERY]), ("deny", []))}
        return cls(level, lists["allow"], lists["deny"], name)


def _names(value: Any, where: str) -> frozenset[str]:
    if not (isinstance(value, list) and all(isinstance(v, str) and v.strip() for v in value)):
        raise InputError({where: "must be a list of action keys or area names"})
    return frozenset(v.strip() for v in value)


READ_ONLY = Policy("read", name="--read-only")


def check_all(policies: Iterable[Policy], action: Action,
              values: Mapping[str, Any] | None = None) -> None:
    """Every policy must let the call run; the first that refuses it is raised."""
    for policy in policies:
        policy.check(action, values)


def profile_policy(profile: str, data: Mapping[str, Any]) -> Policy | None:
    """The policy of `profile` in a read config file (`[profiles.NAME.policy]`), or None."""
    table = (data.get("profiles") or {}).get(profile) or {}
    found = table.get("policy") if isinstance(table, Mapping) else None
    if found is None:
        return None
    return Policy.from_table(found, f"profile.{profile}.policy")


def load_profile_policy(profile: str) -> Policy | None:
    """The policy of `profile` in the config file the connection reads (see `connection`)."""
    from connector.connection import config_path, read_config

    return profile_policy(profile, read_config(config_path(), "profile"))
