"""The service's settings: flags, then the config file's `[service]` table, then the environment.

    [service]
    base_url = "http://127.0.0.1:8080"   # where every call goes; else the region's host
    body_limit = 1048576                  # bytes a request body may hold
    threads = 64                          # calls handled at once
    hosts = ["connector.example.com"]     # names it answers for besides its loopback names
    max_connections = 4096                # open at once (default: as many as files allow)
    header_timeout = 10                   # seconds for a request's headers to arrive
    body_timeout = 30                     # seconds for its body to arrive after them
    retry_budget = 0.1                    # retries per call, beyond a floor; false: none
    circuit_failures = 5                  # failures in a row that open a host's circuit
    circuit_cooldown = 30                 # seconds before a probe; false failures: no circuit
    keys = ["k3y-for-the-flow-engine-0001",
            {key = "k3y-for-the-prod-builder-01", profiles = ["prod"],
             policy = {level = "read"}}]  # a key's own rules (connector.policy)

    [profiles.prod]                       # as `connector.connection.load_profile` reads them
    token = "sgp_..."
    region = "eu1.api"
    policy = {level = "write"}            # the profile's rules, whoever calls with it

Service keys also come from `SEGMENT_CONNECTOR_SERVICE_KEYS` (comma-separated,
usable with every profile); the base URL from `SEGMENT_BASE_URL`. A problem is
an InputError naming the setting, and never quotes a key or a token.
"""

from __future__ import annotations

import ipaddress
import os
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from connector.connection import (
    DEFAULT_REGION,
    Connection,
    base_url_problem,
    load_profile,
    profiles_of,
    read_config,
)
from connector.errors import InputError
from connector.policy import Policy, profile_policy
from connector.reliability import Guards

KEYS_ENV = "SEGMENT_CONNECTOR_SERVICE_KEYS"
REDIS_ENV = "SEGMENT_CONNECTOR_REDIS_URL"  # as the distributed workers read it
BASE_URL_ENV = "SEGMENT_BASE_URL"
DEFAULT_BODY_LIMIT = 1024 * 1024
DEFAULT_THREADS = 64  # room for 32 clients and their streams at once
DEFAULT_HEADER_TIMEOUT = 10.0
DEFAULT_BODY_TIMEOUT = 30.0
MIN_KEY_LENGTH = 16  # a shorter key could be guessed
LOOPBACK_NAMES = frozenset({"localhost", "localhost.localdomain"})
SERVICE_SETTINGS = ("base_url", "body_limit", "threads", "keys", "timeout", "deadline", "redis",
                    "hosts", "max_connections", "header_timeout", "body_timeout",
                    "retry_budget", "circuit_failures", "circuit_cooldown")


@dataclass(frozen=True)
class ServiceKey:
    """One service key; `profiles` None: any profile; `policy` None: no rules of its own."""

    key: str = field(repr=False)
    profiles: frozenset[str] | None = None
    policy: Policy | None = None

    def allows(self, profile: str) -> bool:
        return self.profiles is None or profile in self.profiles


@dataclass(frozen=True)
class Settings:
    host: str = "127.0.0.1"
    port: int = 8000
    workers: int = 1
    base_url: str | None = None
    body_limit: int = DEFAULT_BODY_LIMIT
    threads: int = DEFAULT_THREADS
    timeout: float | None = None  # seconds; None: the runtime's default
    deadline: float | None = None
    keys: tuple[ServiceKey, ...] = field(default=(), repr=False)
    profiles: Mapping[str, Mapping[str, str]] = field(default_factory=dict, repr=False)
    debug: bool = False
    default_profile: str | None = None  # used by calls that name no credentials (--simulator)
    # Keep rate limits on this Redis, shared by every worker process and service instance.
    redis: str | None = field(default=None, repr=False)  # its URL may hold a password
    policies: Mapping[str, Policy] = field(default_factory=dict)  # profile name -> its rules
    read_only: bool = False  # `--read-only`: a read policy over every credential
    # Names (and name:port) the service answers for besides loopback names and its address.
    hosts: tuple[str, ...] = ()
    max_connections: int | None = None  # None: as many as the open-files limit allows
    header_timeout: float = DEFAULT_HEADER_TIMEOUT
    body_timeout: float = DEFAULT_BODY_TIMEOUT
    guards: Guards = field(default_factory=Guards)  # retry budget and circuit, every call

    def describe(self) -> str:
        """One line for the start-up log: counts, never keys or tokens."""
        target = self.base_url or "the region's host (https://<region>.segmentapis.com)"
        limits = "on Redis" if self.redis else "per process"
        names = "".join(f", {name}" for name in self.hosts)
        return (f"listening on http://{_host_in_url(self.host)}:{self.port}; API at {target}; "
                f"{len(self.keys)} service key(s); {len(self.profiles)} profile(s); "
                f"answers for loopback names{names}; "
                f"body limit {self.body_limit} bytes; {self.threads} threads; "
                f"rate limits kept {limits}" + ("; read-only" if self.read_only else ""))


def _host_in_url(host: str) -> str:
    return f"[{host}]" if ":" in host else host


def is_loopback(host: str) -> bool:
    if host.lower() in LOOPBACK_NAMES:
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


def open_proxy_problem(settings: Settings) -> str | None:
    """Why the service must not start: reachable from other hosts with no service key."""
    if settings.keys or is_loopback(settings.host):
        return None
    return (f"refusing to listen on {settings.host} without service keys: anyone who can "
            f"reach it could use the tokens and profiles it holds; set {KEYS_ENV} or "
            "[service] keys in --config, or listen on 127.0.0.1")


def load(config: str | Path | None = None, environ: Mapping[str, str] | None = None,
         **flags: Any) -> Settings:
    """Settings from `flags` (None: not given), the config file, then the environment."""
    env = os.environ if environ is None else environ
    table: dict[str, Any] = {}
    profiles: dict[str, dict[str, str]] = {}
    policies: dict[str, Policy] = {}
    if config is not None:
        table, profiles, policies = _read_config(Path(config))
    keys = _keys(table.get("keys", []), "service.keys", profiles)
    keys += _keys([k for k in env.get(KEYS_ENV, "").split(",") if k.strip()], KEYS_ENV,
                  profiles, strip=True)
    base_url = flags.get("base_url") or table.get("base_url") or env.get(BASE_URL_ENV) or None
    if base_url is not None:
        problem = base_url_problem(base_url) if isinstance(base_url, str) else "must be text"
        if problem:
            raise InputError({"base_url": problem})
    # Redis for shared rate limits: the flag, the config, else the workers' environment.
    shared = flags.get("redis") or table.get("redis") or env.get(REDIS_ENV) or None
    if shared is not None and not (isinstance(shared, str) and shared.split("://")[0] in
                                   ("redis", "rediss", "unix") and "://" in shared):
        raise InputError({"redis": "must be a redis://, rediss:// or unix:// URL"})
    hosts = _hosts(table.get("hosts", []), "service.hosts") + _hosts(
        list(flags.get("hosts") or ()), "--allow-host")
    given = {k: v for k, v in flags.items()
             if v is not None and k not in ("base_url", "redis", "hosts")}
    values: dict[str, Any] = {
        "body_limit": _whole(table, "body_limit", DEFAULT_BODY_LIMIT, 1),
        "threads": _whole(table, "threads", DEFAULT_THREADS, 1),
        "timeout": _seconds(table, "timeout"),
        "deadline": _seconds(table, "deadline"),
        "max_connections": _whole(table, "max_connections", None, 1),
        "header_timeout": _seconds(table, "header_timeout") or DEFAULT_HEADER_TIMEOUT,
        "body_timeout": _seconds(table, "body_timeout") or DEFAULT_BODY_TIMEOUT,
        **given,
    }
    return Settings(base_url=base_url, keys=tuple(keys), profiles=profiles, redis=shared,
                    policies=policies, hosts=hosts, guards=_guards(table), **values)


def _guards(table: Mapping[str, Any]) -> Guards:
    """The `[service]` table's retry budget and circuit (`false` turns either off)."""
    ratio = table.get("retry_budget", Guards.retry_budget)
    failures = table.get("circuit_failures", Guards.circuit_failures)
    cooldown = table.get("circuit_cooldown", Guards.circuit_cooldown_s)
    try:
        return Guards(retry_budget=None if ratio is False else ratio,
                      circuit_failures=None if failures is False else failures,
                      circuit_cooldown_s=cooldown)
    except InputError as exc:
        raise InputError({f"service.{k}": v for k, v in exc.fields.items()}) from None


def _read_config(path: Path) -> tuple[dict[str, Any], dict[str, dict[str, str]],
                                       dict[str, Policy]]:
    data = read_config(path, "--config")
    table = data.get("service", {})
    if not isinstance(table, dict):
        raise InputError({"service": f"must be a table in {path}"})
    unknown = sorted(set(table) - set(SERVICE_SETTINGS))
    if unknown:
        raise InputError({f"service.{name}": "unknown setting; known: "
                          + ", ".join(SERVICE_SETTINGS) for name in unknown})
    # Each profile checked as the CLI checks it, and as a connection would use it, so a
    # typo or a token read with its newline stops the start, not a call.
    profiles = {name: load_profile(name, path, data) for name in profiles_of(data, path)}
    for name, prof in profiles.items():
        try:
            Connection(token=prof.get("token"), region=prof.get("region") or DEFAULT_REGION,
                       base_url=prof.get("base_url"))
        except InputError as exc:
            raise InputError({f"profile.{name}.{k}": v for k, v in exc.fields.items()}) from None
    policies = {name: found for name in profiles
                if (found := profile_policy(name, data)) is not None}
    return table, profiles, policies


def _keys(items: Any, where: str, profiles: Mapping[str, Any],
          strip: bool = False) -> list[ServiceKey]:
    if not isinstance(items, list):
        raise InputError({where: "must be a list of keys"})
    out: list[ServiceKey] = []
    for at, item in enumerate(items, 1):
        name = f"{where}[{at}]"
        allowed: frozenset[str] | None = None
        policy: Policy | None = None
        if isinstance(item, dict):
            extra = sorted(set(item) - {"key", "profiles", "policy"})
            if extra:
                raise InputError({f"{name}.{extra[0]}": "unknown setting; known: key, profiles, "
                                  "policy"})
            if "policy" in item:
                policy = Policy.from_table(item["policy"], f"{name}.policy")
            if "profiles" in item or policy is None:  # a key with rules may use any profile
                allowed = _profile_names(item.get("profiles"), f"{name}.profiles", profiles)
            item = item.get("key")
        if not isinstance(item, str):
            raise InputError({name: "must be a key (text) or a table {key, profiles, policy}"})
        key = item.strip() if strip else item
        if len(key) < MIN_KEY_LENGTH or any(c.isspace() or not c.isprintable() for c in key):
            raise InputError({name: f"must be at least {MIN_KEY_LENGTH} characters with no "
                              "spaces or control characters"})
        out.append(ServiceKey(key, allowed, policy))
    return out


def _profile_names(listed: Any, where: str, profiles: Mapping[str, Any]) -> frozenset[str]:
    if not (isinstance(listed, list) and all(isinstance(p, str) for p in listed)):
        raise InputError({where: "must be a list of profile names"})
    missing = [p for p in listed if p not in profiles]
    if missing:
        raise InputError({where: f"no profile {missing[0]!r} in the config file"})
    return frozenset(listed)


def _hosts(items: Any, where: str) -> tuple[str, ...]:
    from connector.service.guard import parse_hosts

    if not isinstance(items, list):
        raise InputError({where: "must be a list of host names"})
    try:
        return tuple(str(a) for a in parse_hosts(items, where))
    except ValueError as exc:
        name, _, problem = str(exc).partition(": ")
        raise InputError({name: problem}) from None


def _whole(table: Mapping[str, Any], name: str, default: Any, low: int) -> Any:
    value = table.get(name, default)
    if value is None and default is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int) or value < low:
        raise InputError({f"service.{name}": f"must be a whole number of at least {low}"})
    return value


def _seconds(table: Mapping[str, Any], name: str) -> float | None:
    value = table.get(name)
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int | float) or not value > 0:
        raise InputError({f"service.{name}": "must be a positive number of seconds"})
    return float(value)
