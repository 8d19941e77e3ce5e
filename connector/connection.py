"""Where and as whom to call the API: token, region and an optional base-URL override.

`Connection.resolve` takes each setting from the first of these that gives it
a non-empty value:

1. arguments (the CLI's `--token`, `--region`, `--base-url`);
2. the environment: `SEGMENT_API_TOKEN`, `SEGMENT_REGION`, `SEGMENT_BASE_URL`;
3. the named profile (`--profile NAME`, read only when one is named) of the
   config file: the file `SEGMENT_CONNECTOR_CONFIG` names, else
   `$XDG_CONFIG_HOME/segment-connector/config.toml`, else
   `~/.config/segment-connector/config.toml`;

and the region defaults to `api` (US); no base URL means the region's host.
Empty values count as not given. One exception keeps a profile's token on
that profile's host: when the token comes from the profile (no token
argument, `SEGMENT_API_TOKEN` unset or empty), `SEGMENT_REGION` and
`SEGMENT_BASE_URL` are not read: the region and base URL are the
arguments', else the profile's, else the default.

    [profiles.prod]
    token = "sgp_..."
    region = "eu1.api"      # or base_url = "http://127.0.0.1:8080" (a simulator, a proxy)

A profile holds only `token`, `region` and `base_url`, each a string, and an
optional `[profiles.NAME.policy]` table (`connector.policy`); any other key,
or another type, is an InputError naming it
(`profile.prod.tokn: unknown setting; known: token, region, base_url, policy`).
"""

from __future__ import annotations

import functools
import os
import re
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from connector.errors import InputError

REGIONS = ("api", "eu1.api")
DEFAULT_REGION = "api"
# Hosts a token may be sent to: both regions, and the legacy Config API.
SEGMENT_HOSTS = frozenset({"api.segmentapis.com", "eu1.api.segmentapis.com",
                           "platform.segmentapis.com"})


# Printable ASCII but space: every character a token may hold.
_PLAIN_TOKEN = re.compile(r"[\x21-\x7e]+")

SETTINGS = ("token", "region", "base_url")
POLICY = "policy"  # the profile's table of rules (connector.policy)
ENVIRONMENT = {"token": "SEGMENT_API_TOKEN", "region": "SEGMENT_REGION",
               "base_url": "SEGMENT_BASE_URL"}


def token_problem(token: str) -> str | None:
    """Why `token` cannot be sent as a bearer token, in words that never quote it.

    Refused rather than cleaned up: a token with a stray newline or space was
    read or pasted wrongly, and sending a repaired copy would hide that.
    """
    if not token:
        return "is empty"
    if _PLAIN_TOKEN.fullmatch(token):  # the usual case, without the walk below
        return None
    if token.strip() != token:
        end = token[-1] if token[-1].isspace() else token[0]
        where = "ends" if token[-1].isspace() else "starts"
        kind = "a line break (as read from a file?)" if end in "\r\n" else "whitespace"
        return f"{where} with {kind}: remove it"
    for at, char in enumerate(token, 1):
        if char.isspace():
            return f"holds whitespace at character {at}"
        if ord(char) < 32 or ord(char) == 127:
            return f"holds a control character (U+{ord(char):04X}) at character {at}"
        if ord(char) > 126:
            return f"holds a character outside ASCII at character {at}"
    return None


@functools.lru_cache(maxsize=256)  # a service checks its one base URL on every call
def base_url_problem(url: str) -> str | None:
    """Why `url` cannot be the base URL every request is sent to, or None."""
    from urllib.parse import urlsplit

    if not url.startswith(("http://", "https://")):
        return "must start with http:// or https://"
    parts = urlsplit(url)
    try:
        port = parts.port  # None when absent; raises past 65535 or for a non-number
    except ValueError:
        port = 0
    if port == 0:
        return "has a port that is not a number from 1 to 65535"
    if not parts.hostname:
        return "has no host"
    if parts.username is not None or parts.password is not None:
        return "must not hold a user name or password (the token is the credential)"
    if parts.query or parts.fragment:
        return "must not hold a query or fragment: paths are added to it"
    return None


def region_url(region: str) -> str:
    if region not in REGIONS:
        raise InputError({"region": f"must be one of {', '.join(REGIONS)}, not {region!r}"})
    return f"https://{region}.segmentapis.com"


def config_path(environ: Mapping[str, str] | None = None) -> Path:
    env = os.environ if environ is None else environ
    named = env.get("SEGMENT_CONNECTOR_CONFIG")
    if named:
        return Path(named)
    base = env.get("XDG_CONFIG_HOME") or str(Path.home() / ".config")
    return Path(base) / "segment-connector" / "config.toml"


@dataclass(frozen=True)
class Connection:
    """Credentials and target of API calls. `repr()` never shows the token."""

    token: str | None = field(default=None, repr=False)
    region: str = DEFAULT_REGION
    base_url: str | None = None  # the simulator, a proxy; overrides region

    def __post_init__(self) -> None:
        if self.token is not None:
            problem = token_problem(self.token)
            if problem:
                raise InputError({"token": problem})
        region_url(self.region)  # validates
        if self.base_url is not None:
            problem = base_url_problem(self.base_url)
            if problem:
                raise InputError({"base_url": problem})

    def __repr__(self) -> str:
        token = "'***'" if self.token else "None"
        return f"Connection(token={token}, region={self.region!r}, base_url={self.base_url!r})"

    __str__ = __repr__

    def url_for(self, region: str | None = None) -> str:
        """Base URL of the API. A base-URL override serves every region (it is one
        simulator or proxy); otherwise a per-call region wins over the connection's."""
        if self.base_url:
            return self.base_url.rstrip("/")
        return region_url(region or self.region)

    @classmethod
    def resolve(
        cls,
        token: str | None = None,
        region: str | None = None,
        base_url: str | None = None,
        profile: str | None = None,
        environ: Mapping[str, str] | None = None,
        path: Path | None = None,
    ) -> Connection:
        """Each setting from the arguments, else the environment, else the profile (see
        the module docstring); a profile's token never goes to the environment's host.
        `environ` stands in for `os.environ`, `path` for the config file."""
        env = os.environ if environ is None else environ
        prof = load_profile(profile, path or config_path(env)) if profile else {}
        given = {"token": token, "region": region, "base_url": base_url}
        from_env = {key: env.get(name) for key, name in ENVIRONMENT.items()}
        # (where, settings) in the order they are read.
        places: list[tuple[str, Mapping[str, str | None]]] = [("argument", given)]
        if given["token"] or from_env["token"] or not prof.get("token"):
            places.append(("environment", from_env))
        # else: the profile's token goes to its own host, or to one given as an argument.
        places.append((f"profile {profile}", prof))
        chosen: dict[str, str] = {}
        origin: dict[str, str] = {}
        for setting in SETTINGS:
            for where, values in places:
                value = values.get(setting)
                if value:
                    chosen[setting] = value
                    origin[setting] = ENVIRONMENT[setting] if where == "environment" else where
                    break
        try:
            return cls(token=chosen.get("token"),
                       region=chosen.get("region", DEFAULT_REGION),
                       base_url=chosen.get("base_url"))
        except InputError as exc:  # say where the bad value came from
            raise InputError({k: f"{v} (from {origin.get(k, 'the default')})"
                              for k, v in exc.fields.items()}) from None


def read_config(path: Path, field: str) -> dict[str, Any]:
    """The config file as TOML; InputError naming `field` when it is missing or unreadable."""
    try:
        return tomllib.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise InputError({field: f"no config file at {path}"}) from None
    except (OSError, UnicodeDecodeError) as exc:
        raise InputError({field: f"cannot read {path}: {exc}"}) from None
    except tomllib.TOMLDecodeError as exc:
        raise InputError({field: f"{path} is not valid TOML: {exc}"}) from None


def profiles_of(data: Mapping[str, Any], path: Path) -> dict[str, Any]:
    """The `[profiles]` table of a read config file (empty when it has none)."""
    profiles = data.get("profiles", {})
    if not isinstance(profiles, dict):
        raise InputError({"profiles": f"must be a table of profiles in {path}"})
    return profiles


def load_profile(name: str, path: Path | None = None,
                 data: Mapping[str, Any] | None = None) -> dict[str, str]:
    """The settings of profile `name`; InputError for a missing file or profile, and for
    any key other than `SETTINGS` or a value that is not a string. `data` is the file
    already read, for a caller checking every profile of it."""
    path = path or config_path()
    profiles = profiles_of(read_config(path, "profile") if data is None else data, path)
    if name not in profiles:
        known = ", ".join(sorted(profiles)) or "none"
        raise InputError({"profile": f"no profile {name!r} in {path} (known: {known})"})
    table = profiles[name]
    if not isinstance(table, dict):
        raise InputError({f"profile.{name}": f"must be a table of settings in {path}"})
    problems: dict[str, str] = {}
    for key, value in table.items():
        if key == POLICY:  # read by connector.policy; the connection takes strings only
            continue
        if key not in SETTINGS:
            problems[f"profile.{name}.{key}"] = ("unknown setting; known: "
                                                 f"{', '.join((*SETTINGS, POLICY))}")
        elif not isinstance(value, str):
            problems[f"profile.{name}.{key}"] = f"must be a string, not {_toml_type(value)}"
    if problems:
        raise InputError(problems)
    return {k: v for k, v in table.items() if k != POLICY}


def _toml_type(value: object) -> str:
    if isinstance(value, bool):
        return "a boolean"
    if isinstance(value, int | float):
        return "a number"
    if isinstance(value, list):
        return "an array"
    if isinstance(value, dict):
        return "a table"
    return "a date or time"
