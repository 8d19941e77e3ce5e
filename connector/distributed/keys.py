"""Names of everything the connector keeps in Redis, under one prefix.

A token is known in Redis only by `token_id`, a SHA-256 of it: the rate-limit
buckets of one token are shared by every worker that holds it, and a key
listing shows no token.
"""

from __future__ import annotations

import hashlib
import os
import socket

PREFIX = "segment-connector"


def token_id(token: str) -> str:
    """The name a token's rate-limit buckets go by: a hash, never the token."""
    return hashlib.sha256(token.encode("utf-8")).hexdigest()[:32]


def bucket(token: str, name: str) -> str:
    """The hash holding one rate-limit bucket (an operation, or the shared default)."""
    return f"{PREFIX}:rl:{token_id(token)}:{name}"


def run_key(run_id: str, part: str) -> str:
    """A key of one distributed bulk run: `events`, `alive`, `closed`."""
    return f"{PREFIX}:run:{run_id}:{part}"


def line_key(run_id: str, part: str, fingerprint: str, occurrence: int) -> str:
    """A key of one line of a run: `claim`, `lease`, `started`."""
    return f"{PREFIX}:run:{run_id}:{part}:{fingerprint}:{occurrence}"


def worker_key(name: str) -> str:
    """Where a worker announces itself and the profiles it can use (`presence`)."""
    return f"{PREFIX}:worker:{name.replace(':', '_')}"


def job_key(results_path: str, action: str) -> str:
    """The set of runs that wrote one results file on this machine, so a run can take in
    what workers recorded after an earlier run's process died."""
    where = f"{socket.gethostname()}\0{os.path.realpath(results_path)}\0{action}"
    return f"{PREFIX}:job:{hashlib.sha256(where.encode('utf-8')).hexdigest()[:32]}"
