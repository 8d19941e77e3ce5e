"""The Celery app: Redis as broker and result backend, JSON only, writes acknowledged early.

One Redis URL serves as broker, result backend, the shared rate limiter's store
and the runs' bookkeeping: `--redis URL`, else `SEGMENT_CONNECTOR_REDIS_URL`,
else the config file's `[distributed] redis`, else `redis://127.0.0.1:6379/0`.
A URL with a password is refused on the command line (`ps` shows it to every
user of the machine): it belongs in the environment or the config file.

Messages and results are JSON (no pickle: a message is data, never code).
Each worker process takes one message ahead (`worker_prefetch_multiplier=1`),
so a worker that dies strands at most one that had not started; tasks that
write are acknowledged as they start, so the broker never hands a write that
may have gone out to a second worker.
"""

from __future__ import annotations

import os
from typing import Any
from urllib.parse import urlsplit

from connector.errors import InputError

REDIS_ENV = "SEGMENT_CONNECTOR_REDIS_URL"
DEFAULT_REDIS_URL = "redis://127.0.0.1:6379/0"
QUEUE = "segment-connector"
# A message a dead worker had taken but not started goes back to the queue after this;
# a started task is acknowledged (writes) or finished long before it.
VISIBILITY_TIMEOUT_S = 3600


def redis_url(url: str | None = None) -> str:
    return url or os.environ.get(REDIS_ENV) or configured_url() or DEFAULT_REDIS_URL


def configured_url() -> str | None:
    """`redis` of the config file's `[distributed]` table, when the file has one."""
    from connector.connection import config_path, read_config

    path = config_path()
    if not path.is_file():
        return None
    table = read_config(path, "redis").get("distributed", {})
    url = table.get("redis") if isinstance(table, dict) else None
    if url is not None and not isinstance(url, str):
        raise InputError({"redis": f"[distributed] redis in {path} must be a URL string"})
    return url


def url_argument(url: str | None, flag: str = "--redis") -> str | None:
    """A Redis URL given on the command line; refused when it holds a password."""
    if url is not None and urlsplit(url).password is not None:
        raise InputError({flag: f"holds a password, which `ps` shows to every user of this "
                          f"machine: set {REDIS_ENV}, or `redis` in the config file's "
                          "[distributed] table, instead"})
    return url


def make_app(url: str | None = None, visibility_timeout_s: float | None = None) -> Any:
    """A Celery app with the connector's tasks, talking to Redis at `url`."""
    from celery import Celery

    target = redis_url(url)
    app = Celery("segment_connector", broker=target, backend=target)
    from connector.distributed.broker import NAME

    app.conf.update(
        broker_transport=NAME,  # a full Redis is waited out, not the end of a worker
        task_serializer="json", result_serializer="json", accept_content=["json"],
        result_accept_content=["json"], task_default_queue=QUEUE,
        task_acks_late=False, worker_prefetch_multiplier=1,
        result_expires=24 * 3600, result_extended=False,
        broker_connection_retry_on_startup=True, worker_hijack_root_logger=False,
        broker_transport_options={"visibility_timeout":
                                  visibility_timeout_s or VISIBILITY_TIMEOUT_S},
        worker_send_task_events=False, task_send_sent_event=False,
    )
    from connector.distributed.tasks import register

    register(app)
    return app
