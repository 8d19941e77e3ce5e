"""The broker transport: kombu's Redis transport, with a full Redis counted as a lost link.

A Redis at `maxmemory` with `noeviction` refuses writes (`OOM`), and a replica
promoted late refuses them too (`READONLY`). kombu counts both as errors of a
channel, which stop a Celery worker for good (once with exit status 0). Counted
as connection errors instead, the worker's consumer waits and reconnects with
backoff, as after a restart, and goes on once Redis takes writes again; it
stops (non-zero) only when the reconnect attempts run out.
"""

from __future__ import annotations

from kombu.transport.redis import Transport as RedisTransport
from redis.exceptions import OutOfMemoryError, ReadOnlyError

NAME = "connector.distributed.broker:Transport"


class Transport(RedisTransport):
    connection_errors = (*RedisTransport.connection_errors, OutOfMemoryError, ReadOnlyError)
