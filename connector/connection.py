"""Where and as whom to call the API: token, region and an optional base-URL override.

A connection comes from arguments, the environment (`SEGMENT_API_TOKEN`,
`SEGMENT_REGION`, `SEGMENT_BASE_URL`) or a named profile of the config file
(`~/.config/segment-connector/config.toml`, or `SEGMENT_CONNECTOR_CONFIG`):

    [profiles.prod]
    token = "sgp_..."
    region = "eu1.api"
"""

from __future__ import annotations

import os
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

from connector.errors import InputError

REGIONS = ("api", "eu1.api")
DEFAULT_REGION = "api"
# Hosts a token may be sent to: both regions, and the legacy Config API.
SEGMENT_HOSTS = frozenset({"api.segmentapis.com", "eu1.api.segmentapis.com",
                           "platform.segmentapis.com"})


def region_url(region: str) -> str:
    if region not in REGIONS:
        raise InputError({"region": f"must be one of {', '.join(REGIONS)}, not {region!r}"})
    return f"https://{region}.segmentapis.com"


def config_path() -> Path:
    env = os.environ.get("SEGMENT_CONNECTOR_CONFIG")
    if env:
        return Path(env)
    base = os.environ.get("XDG_CONFIG_HOME") or str(Path.home() / ".config")
    return Path(base) / "segment-connector" / "config.toml"


@dataclass(frozen=True)
class Connection:
    """Credentials and target of API calls. `repr()` never shows the token."""

    token: str | None = field(default=None, repr=False)
    region: str = DEFAULT_REGION
    base_url: str | None = None  # the simulator, a proxy; overrides region

    def __post_init__(self) -> None:
        region_url(self.region)  # validates
        if self.base_url is not None and not self.base_url.startswith(("http://", "https://")):
            raise InputError({"base_url": "must start with http:// or https://"})

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
    ) -> Connection:
        """Arguments win over the profile, which wins over the environment."""
        env = os.environ if environ is None else environ
        prof = load_profile(profile) if profile else {}
        return cls(
            token=token or prof.get("token") or env.get("SEGMENT_API_TOKEN") or None,
            region=region or prof.get("region") or env.get("SEGMENT_REGION") or DEFAULT_REGION,
            base_url=base_url or prof.get("base_url") or env.get("SEGMENT_BASE_URL") or None,
        )


def load_profile(name: str, path: Path | None = None) -> dict[str, str]:
    path = path or config_path()
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise InputError({"profile": f"no config file at {path}"}) from None
    except tomllib.TOMLDecodeError as exc:
        raise InputError({"profile": f"{path} is not valid TOML: {exc}"}) from None
    profiles = data.get("profiles", {})
    if name not in profiles:
        known = ", ".join(sorted(profiles)) or "none"
        raise InputError({"profile": f"no profile {name!r} in {path} (known: {known})"})
    allowed = {"token", "region", "base_url"}
    return {k: str(v) for k, v in profiles[name].items() if k in allowed}
