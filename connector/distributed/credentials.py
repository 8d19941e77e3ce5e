"""Credential references: what a task carries instead of a token.

A reference names a profile (`{"profile": "prod"}`) of the worker's own
configuration file (`connector.connection`), so the token stays on the
machines that hold it and never enters the broker or the result backend. A
name that looks like a token is refused before anything is queued.
"""

from __future__ import annotations

import os
import re
from collections.abc import Mapping
from typing import Any

from connector.connection import Connection, config_path, read_config
from connector.errors import InputError
from connector.policy import Policy, profile_policy

_NAME = re.compile(r"[A-Za-z0-9][A-Za-z0-9_.-]{0,63}")
# Read from the worker's environment: only where its configuration file is, so a
# token in the worker's SEGMENT_API_TOKEN never stands in for the profile's.
_CONFIG_VARIABLES = ("SEGMENT_CONNECTOR_CONFIG", "XDG_CONFIG_HOME")


def reference(credential: Any) -> dict[str, str]:
    """`credential` ("prod" or {"profile": "prod"}) as the reference a task carries;
    InputError naming `credential` for anything else."""
    if isinstance(credential, str):
        credential = {"profile": credential}
    if not isinstance(credential, Mapping) or set(credential) != {"profile"}:
        raise InputError({"credential": "must name a profile of the workers' configuration: "
                          "\"NAME\" or {\"profile\": \"NAME\"}"})
    name = credential["profile"]
    if not isinstance(name, str) or not _NAME.fullmatch(name):
        raise InputError({"credential": "a profile name is 1 to 64 letters, digits, '_', "
                          "'.' or '-', starting with a letter or digit"})
    if name.startswith("sgp_"):
        raise InputError({"credential": "looks like an API token; give the name of a "
                          "profile that holds it (tokens never go through the broker)"})
    return {"profile": name}


def resolve(credential: Any, environ: Mapping[str, str] | None = None) -> Connection:
    """The connection a reference names, read from this machine's configuration."""
    return Connection.resolve(profile=reference(credential)["profile"],
                              environ=_config_places(environ))


def policy(credential: Any, environ: Mapping[str, str] | None = None) -> Policy | None:
    """The policy of the profile a reference names, from this machine's configuration."""
    path = config_path(_config_places(environ))
    return profile_policy(reference(credential)["profile"], read_config(path, "profile"))


def _config_places(environ: Mapping[str, str] | None) -> dict[str, str]:
    env = os.environ if environ is None else environ
    return {name: env[name] for name in _CONFIG_VARIABLES if env.get(name)}
