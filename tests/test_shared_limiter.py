"""The rate limit shared on Redis keeps the local limiter's rules for every process:
one window per token and operation, 429 holds and X-RateLimit answers seen by all,
no token in Redis, and no call let through when Redis is out of reach."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from typing import Any

import pytest
import redis
from redis.backoff import NoBackoff
from redis.retry import Retry
from redis_support import local_redis

from connector.distributed import keys
from connector.distributed.local_server import LocalRedis, free_port
from connector.distributed.shared_limiter import SharedRateLimiter
from connector.errors import ConnectionFailedError, ServerError
from connector.ratelimit import CancelledError, RateLimiter
from connector.retry import WaitPastDeadlineError

TOKEN = "sgp_" + "s" * 40
LIMITS = {"createLabel": (3, "minute"), "getDaily": (2, "day")}


@pytest.fixture(scope="module")
def server() -> Iterator[LocalRedis]:
    yield from local_redis()


@pytest.fixture
def client(server: LocalRedis) -> Iterator[Any]:
    conn = redis.Redis.from_url(server.url)
    conn.flushdb()
    conn.url = server.url
    yield conn
    conn.close()


def shared(client: Any, token: str = TOKEN, **kwargs: Any) -> SharedRateLimiter:
    """A limiter as one worker process holds it (each with its own client)."""
    kwargs.setdefault("limits", LIMITS)
    return SharedRateLimiter(redis.Redis.from_url(client.url), token, **kwargs)


def test_workers_share_one_window_per_token_and_operation(client: Any) -> None:
    a, b, c = shared(client), shared(client), shared(client)
    tickets = [a.acquire("createLabel"), b.acquire("createLabel"), c.acquire("createLabel")]
    assert [t.window for t in tickets] == [1, -1, -1]  # the first call opened it
    with pytest.raises(WaitPastDeadlineError, match="3 calls per minute"):
        a.acquire("createLabel", max_wait_s=5)  # the window's fourth call waits it out
    other_token = shared(client, token="sgp_" + "o" * 40)
    other_token.acquire("createLabel", max_wait_s=0.001)  # another token: its own window
    b.acquire("getWorkspace", max_wait_s=0.001)  # an unwritten limit: the shared default
    for ticket in tickets:
        a.release(ticket, 200, {})


def test_a_hold_longer_than_the_deadline_fails_at_once_and_sends_nothing(client: Any) -> None:
    a, b = shared(client), shared(client)
    for _ in range(2):
        a.release(a.acquire("getDaily"), 200, {})
    sent: list[int] = []
    with pytest.raises(WaitPastDeadlineError, match="2 calls per day") as caught:
        b.call("getDaily", lambda: sent.append(1), max_wait_s=60)
    assert sent == []
    assert caught.value.retry_after is not None and caught.value.retry_after > 3600


def test_a_429_holds_every_worker_for_as_long_as_it_asks(client: Any) -> None:
    a, b = shared(client), shared(client)
    ticket = a.acquire("createLabel")
    a.release(ticket, 429, {}, retry_after=30.0)
    assert a.rate_limited == 1
    waits: list[tuple[float, str]] = []
    with pytest.raises(WaitPastDeadlineError, match="answered 429"):
        b.acquire("createLabel", on_wait=lambda s, r: waits.append((s, r)), max_wait_s=20)
    assert client.hget(keys.bucket(TOKEN, "createLabel"), "rate_limited") == b"1"


def test_rate_limit_headers_from_one_worker_correct_the_count_for_all(client: Any) -> None:
    a, b = shared(client), shared(client)
    ticket = a.acquire("createLabel")
    # Another client of this token spent the quota: the server says none remain.
    a.release(ticket, 200, {"X-RateLimit-Remaining": "0", "X-RateLimit-Consumed": "3",
                            "X-RateLimit-Reset": "40"})
    with pytest.raises(WaitPastDeadlineError, match="3 calls per minute"):
        b.acquire("createLabel", max_wait_s=20)


def test_a_lower_limit_in_the_headers_lowers_it_for_all(client: Any) -> None:
    a, b = shared(client), shared(client)
    ticket = a.acquire("createLabel")
    a.release(ticket, 200, {"X-RateLimit-Remaining": "1", "X-RateLimit-Consumed": "1"})
    b.release(b.acquire("createLabel", max_wait_s=0.001), 200, {})
    with pytest.raises(WaitPastDeadlineError, match="2 calls per minute"):
        b.acquire("createLabel", max_wait_s=20)


def test_a_held_call_waits_for_the_window_to_close_then_runs(client: Any) -> None:
    naps: list[float] = []
    a = shared(client, time_scale=0.005)  # a minute lasts 0.3 s
    for _ in range(3):
        a.release(a.acquire("createLabel"), 200, {})

    def nap(seconds: float) -> None:
        naps.append(seconds)
        threading.Event().wait(seconds)

    b = shared(client, time_scale=0.005, sleep=nap)
    ticket = b.acquire("createLabel", max_wait_s=10)
    assert ticket.window == 2 and naps  # held, then the next window opened
    assert all(0 < s <= 0.3 for s in naps)


def test_same_rules_as_the_local_limiter(client: Any) -> None:
    """The third call of a 2-per-day endpoint is held by either limiter alike."""
    for limiter in (RateLimiter(LIMITS), shared(client)):
        first = limiter.call("getDaily", lambda: "a")
        limiter.call("getDaily", lambda: "b")
        with pytest.raises(WaitPastDeadlineError) as caught:
            limiter.call("getDaily", lambda: "c", max_wait_s=60)
        assert first == "a" and "2 calls per day" in str(caught.value)


def test_an_error_answer_releases_the_call(client: Any) -> None:
    a = shared(client)

    def fails() -> None:
        raise ServerError("boom", status=503)

    with pytest.raises(ServerError):
        a.call("createLabel", fails)
    assert client.hget(keys.bucket(TOKEN, "createLabel"), "in_flight") == b"0"


def test_redis_holds_a_hash_of_the_token_never_the_token(client: Any) -> None:
    a = shared(client)
    a.release(a.acquire("createLabel"), 429, {"X-RateLimit-Reset": "5"}, retry_after=1.0)
    a.release(a.acquire("getWorkspace", max_wait_s=5), 200, {})
    names = [k.decode() for k in client.scan_iter("*")]
    assert names and all(keys.token_id(TOKEN) in n for n in names)
    for name in names:
        dump = repr(client.hgetall(name)) + name
        assert TOKEN not in dump and TOKEN[4:] not in dump
    assert TOKEN not in repr(a)


def test_cancel_stops_held_calls(client: Any) -> None:
    a = shared(client)
    for _ in range(3):
        a.acquire("createLabel")
    b = shared(client, sleep=lambda s: b.cancel())
    with pytest.raises(CancelledError):
        b.acquire("createLabel")
    b.cancel(False)
    assert not b.cancelled


def unreachable() -> Any:
    """A client of a port nothing listens on, that fails at once (no retries of its own)."""
    return redis.Redis(host="127.0.0.1", port=free_port(), socket_connect_timeout=0.2,
                       retry=Retry(NoBackoff(), 0))


def test_without_redis_calls_fail_and_never_run_unlimited() -> None:
    gone = unreachable()
    naps: list[float] = []
    limiter = SharedRateLimiter(gone, TOKEN, LIMITS, unavailable_s=0.0, sleep=naps.append)
    sent: list[int] = []
    with pytest.raises(ConnectionFailedError, match="cannot be reached") as caught:
        limiter.call("createLabel", lambda: sent.append(1))
    assert sent == [] and caught.value.sent is False
    assert TOKEN not in str(caught.value)


def test_without_redis_a_call_waits_for_it_within_its_deadline() -> None:
    gone = unreachable()
    clock = [0.0]
    naps: list[float] = []

    def nap(seconds: float) -> None:
        naps.append(seconds)
        clock[0] += seconds

    limiter = SharedRateLimiter(gone, TOKEN, LIMITS, clock=lambda: clock[0], sleep=nap,
                                unavailable_s=30.0)
    with pytest.raises(ConnectionFailedError):
        limiter.acquire("createLabel", max_wait_s=3.0)
    assert naps and sum(naps) <= 3.0  # it waited, and not past the deadline
