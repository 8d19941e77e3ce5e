"""Workers announce themselves in Redis, with the profiles they can use.

Every few seconds a worker's main process sets `keys.worker_key(name)` to the
profiles of its configuration file, each with why it cannot be used (or
null), for a short time. A run reads these keys before it queues anything:
is any worker there, and can each use the run's profile? A thread answers for
the worker, so one busy with a long call in a `solo` pool (which answers no
broadcast until the call ends) still counts. Profile names are stored, never
tokens.
"""

from __future__ import annotations

import contextlib
import json
import threading
from typing import Any

from connector.distributed import credentials, keys

EVERY_S = 2.0  # how often a worker announces itself
TTL_S = 10.0  # how long an announcement lasts: a dead worker is gone after this


def usable_profiles() -> dict[str, str | None]:
    """Each profile of this machine's configuration: None when usable, else why not."""
    from connector.connection import config_path, profiles_of, read_config

    path = config_path()
    if not path.is_file():
        return {}
    try:
        names = sorted(profiles_of(read_config(path, "profile"), path))
    except Exception as exc:  # an unreadable file: every profile the run asks for lacks
        return {"*": str(exc)}
    found: dict[str, str | None] = {}
    for name in names:
        try:
            found[name] = None if credentials.resolve(name).token else "it holds no token"
        except Exception as exc:  # the answer is data: the run names the profile and why
            found[name] = str(exc)
    return found


def announce(client: Any, name: str) -> None:
    client.set(keys.worker_key(name), json.dumps({"profiles": usable_profiles()}),
               px=int(TTL_S * 1000))


def present(client: Any) -> dict[str, dict[str, Any]]:
    """The workers announced now, by name, with what each announced."""
    names = sorted(client.scan_iter(keys.worker_key("*"), count=1000))
    found: dict[str, dict[str, Any]] = {}
    for key, raw in zip(names, client.mget(names) if names else [], strict=True):
        if raw is not None:
            found[key.decode().rsplit(":", 1)[-1]] = json.loads(raw)
    return found


def why_not(announced: dict[str, Any], profile: str) -> str | None:
    """Why a worker that announced `announced` cannot use `profile` (None: it can)."""
    profiles = announced.get("profiles") or {}
    if "*" in profiles:
        return str(profiles["*"])
    if profile not in profiles:
        known = ", ".join(sorted(profiles)) or "none"
        return f"no profile {profile!r} in its config (known: {known})"
    problem = profiles[profile]
    return None if problem is None else str(problem)


class Presence:
    """Announces this worker every `EVERY_S` until stopped, then withdraws it."""

    def __init__(self, client: Any, name: str) -> None:
        self.client, self.name = client, name
        self._done = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True, name="presence")

    def _run(self) -> None:
        while True:
            with contextlib.suppress(Exception):  # Redis away: announced again once back
                announce(self.client, self.name)
            if self._done.wait(EVERY_S):
                return

    def __enter__(self) -> Presence:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._done.set()
        self._thread.join()
        with contextlib.suppress(Exception):
            self.client.delete(keys.worker_key(self.name))
