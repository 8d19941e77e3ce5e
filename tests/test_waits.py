"""Waits the user can see (`on_wait`), per-runtime timeout and deadline, and what the
error finally raised after retries says about whether the request was sent."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
import requests
import responses

from connector.connection import Connection
from connector.errors import (
    ConnectionFailedError,
    DeadlineExceededError,
    InputError,
    RateLimitedError,
    RequestTimeoutError,
    ServerError,
    TransportError,
)
from connector.ratelimit import RateLimiter
from connector.registry import Registry
from connector.request import HttpRequest
from connector.retry import WAIT_NOTICE_S, RetryPolicy, call_with_retries
from connector.runtime import Runtime, fetch_picklist, run_action
from connector.transport import HttpClient

BASE = "https://api.segmentapis.com"
NO_JITTER = RetryPolicy(max_retries=3, delay_ms=3000, exponential=False, jitter=False)


@pytest.fixture(scope="module")
def registry() -> Registry:
    return Registry.load(installed=False)


class Recorder:
    """Records `on_wait` notices, and `sleep` calls without sleeping."""

    def __init__(self) -> None:
        self.notices: list[tuple[float, str]] = []
        self.slept: list[float] = []

    def on_wait(self, seconds: float, reason: str) -> None:
        self.notices.append((seconds, reason))

    def sleep(self, seconds: float) -> None:
        self.slept.append(seconds)


def failing(*errors: BaseException) -> tuple[Callable[[float], str], list[float]]:
    calls: list[float] = []

    def fn(timeout: float) -> str:
        calls.append(timeout)
        if len(calls) <= len(errors):
            raise errors[len(calls) - 1]
        return "ok"

    return fn, calls


def too_many(wait: float | None) -> RateLimitedError:
    return RateLimitedError("GET /sources failed with 429: Too many requests", status=429,
                            retry_after=wait, method="GET", url=f"{BASE}/sources?x=1")


# -- on_wait in call_with_retries ---------------------------------------------------------
def test_a_long_429_wait_is_announced_before_sleeping() -> None:
    rec = Recorder()
    order: list[str] = []

    def sleep(seconds: float) -> None:
        order.append("sleep")
        rec.sleep(seconds)

    def on_wait(seconds: float, reason: str) -> None:
        order.append("notice")
        rec.on_wait(seconds, reason)

    fn, _ = failing(too_many(30.0))
    call_with_retries(fn, NO_JITTER, "POST", sleep=sleep, on_wait=on_wait)
    assert rec.notices == [(30.0, "rate limit: the API answered GET /sources with 429 and "
                                  "asked for 30s")]
    assert rec.slept == [30.0]
    assert order == ["notice", "sleep"]


def test_a_long_backoff_is_announced_with_the_retry_number() -> None:
    rec = Recorder()
    fn, _ = failing(ServerError("GET /sources failed with 503: down", status=503),
                    RequestTimeoutError("GET /sources: no answer within 30s"))
    call_with_retries(fn, NO_JITTER, "GET", sleep=rec.sleep, on_wait=rec.on_wait)
    assert [s for s, _ in rec.notices] == [3.0, 3.0]
    assert rec.notices[0][1] == "retry 1 of 3 after: GET /sources failed with 503: down"
    assert rec.notices[1][1].startswith("retry 2 of 3 after: GET /sources: no answer")


def test_short_waits_pass_unannounced() -> None:
    rec = Recorder()
    fn, _ = failing(too_many(WAIT_NOTICE_S - 0.01), too_many(WAIT_NOTICE_S))
    call_with_retries(fn, NO_JITTER, "GET", sleep=rec.sleep, on_wait=rec.on_wait)
    assert rec.slept == [WAIT_NOTICE_S - 0.01, WAIT_NOTICE_S]
    assert [s for s, _ in rec.notices] == [WAIT_NOTICE_S]  # the threshold itself counts


# -- on_wait through the runtime -------------------------------------------------------------
@responses.activate
def test_runtime_announces_a_retry_after_wait(registry: Registry) -> None:
    rec = Recorder()
    rt = Runtime(Connection(token="sgp_wait_token"), registry=registry, sleep=rec.sleep,
                 on_wait=rec.on_wait)
    responses.get(f"{BASE}/sources/s1", status=429, headers={"Retry-After": "12"},
                  json={"errors": [{"message": "Too many requests"}]})
    responses.get(f"{BASE}/sources/s1", json={"data": {"source": {"id": "s1"}}})
    rt.run("getSource", {"sourceId": "s1"})
    assert len(rec.notices) == 1
    seconds, reason = rec.notices[0]
    assert seconds == 12.0
    assert "429" in reason and "/sources/s1" in reason


@responses.activate
def test_runtime_without_on_wait_still_waits(registry: Registry) -> None:
    rec = Recorder()
    rt = Runtime(Connection(token="sgp_wait_token"), registry=registry, sleep=rec.sleep)
    responses.get(f"{BASE}/sources/s1", status=429, headers={"Retry-After": "12"})
    responses.get(f"{BASE}/sources/s1", json={"data": {}})
    rt.run("getSource", {"sourceId": "s1"})
    assert rec.slept == [12.0]


class FakeClock:
    """A monotonic clock that moves only when told to."""

    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def test_limiter_announces_a_long_hold_once_naming_the_endpoint() -> None:
    clock = FakeClock()
    limiter = RateLimiter({"createLabel": (1, "minute")}, clock=clock)
    limiter.release(limiter.acquire("createLabel"))
    notices: list[tuple[float, str]] = []

    def on_wait(seconds: float, reason: str) -> None:
        notices.append((seconds, reason))
        clock.now += seconds  # the hold is over by the time the limiter looks again

    limiter.release(limiter.acquire("createLabel", on_wait))
    assert len(notices) == 1
    assert notices[0][0] == pytest.approx(60.0)
    assert "createLabel" in notices[0][1] and "1 call per minute" in notices[0][1]


def test_limiter_names_a_429_hold() -> None:
    clock = FakeClock()
    limiter = RateLimiter({}, clock=clock)
    limiter.release(limiter.acquire("listSources"), 429, {}, retry_after=5.0)
    notices: list[tuple[float, str]] = []

    def on_wait(seconds: float, reason: str) -> None:
        notices.append((seconds, reason))
        clock.now += seconds

    limiter.release(limiter.acquire("listSources", on_wait))
    assert notices == [(5.0, "rate limit of listSources: the API answered 429, "
                             "holding its calls")]


def test_limiter_does_not_announce_a_short_hold() -> None:
    # Each reading of the clock moves it on by 10 ms: the hold ends without a real wait.
    ticks = iter(range(10**6))
    limiter = RateLimiter({"op": (1, "minute")}, time_scale=0.05 / 60,
                          clock=lambda: next(ticks) * 0.01)
    limiter.release(limiter.acquire("op"))
    notices: list[tuple[float, str]] = []
    limiter.release(limiter.acquire("op", lambda s, r: notices.append((s, r))))
    assert notices == []


def test_limiter_call_passes_on_wait() -> None:
    clock = FakeClock()
    limiter = RateLimiter({"op": (1, "day")}, clock=clock)
    assert limiter.call("op", lambda: 1) == 1
    notices: list[float] = []

    def on_wait(seconds: float, _reason: str) -> None:
        notices.append(seconds)
        clock.now += seconds

    assert limiter.call("op", lambda: 2, on_wait) == 2
    assert notices == [pytest.approx(86400.0)]


@responses.activate
def test_runtime_with_limiter_keeps_on_wait_and_announces_pacing(registry: Registry) -> None:
    clock = FakeClock()
    notices: list[tuple[float, str]] = []

    def on_wait(seconds: float, reason: str) -> None:
        notices.append((seconds, reason))
        clock.now += seconds

    rt = Runtime(Connection(token="sgp_wait_token"), registry=registry, on_wait=on_wait,
                 timeout=7, deadline=90)
    paced = rt.with_(limiter=RateLimiter({"getSource": (1, "minute")}, clock=clock))
    assert paced.on_wait is on_wait
    assert (paced.policy.timeout_s, paced.policy.deadline_s) == (7, 90)
    responses.get(f"{BASE}/sources/s1", json={"data": {}})
    paced.run("getSource", {"sourceId": "s1"})
    paced.run("getSource", {"sourceId": "s1"})
    assert len(notices) == 1 and "getSource" in notices[0][1]


# -- timeout and deadline ----------------------------------------------------------------------
def test_timeout_and_deadline_override_the_policy(registry: Registry) -> None:
    policy = RetryPolicy(max_retries=7, timeout_s=30, deadline_s=300)
    rt = Runtime(Connection(token="t"), registry=registry, policy=policy, timeout=5,
                 deadline=20)
    assert rt.policy == policy.with_(timeout_s=5, deadline_s=20)
    only = Runtime(Connection(token="t"), registry=registry, policy=policy, deadline=9.5)
    assert (only.policy.timeout_s, only.policy.deadline_s) == (30, 9.5)
    assert Runtime(Connection(token="t"), registry=registry).policy == RetryPolicy()


@pytest.mark.parametrize("name", ["timeout", "deadline"])
@pytest.mark.parametrize("value", [0, -1, 0.0, float("nan"), "5", True])
def test_timeout_and_deadline_must_be_positive_seconds(
        registry: Registry, name: str, value: Any) -> None:
    with pytest.raises(InputError) as caught:
        Runtime(Connection(token="t"), registry=registry, **{name: value})
    assert list(caught.value.fields) == [name]


def test_run_action_and_fetch_picklist_pass_timeout_and_deadline(registry: Registry) -> None:
    conn = Connection(token="t")
    with pytest.raises(InputError) as caught:
        run_action("getSource", {"sourceId": "s"}, conn, registry=registry, timeout=0)
    assert "timeout" in caught.value.fields
    with pytest.raises(InputError) as caught:
        fetch_picklist("sources", {}, conn, registry=registry, deadline=-3)
    assert "deadline" in caught.value.fields


class TimeoutRecordingClient(HttpClient):
    def __init__(self) -> None:
        super().__init__()
        self.timeouts: list[float] = []

    def send(self, req: HttpRequest, timeout_s: float) -> requests.Response:
        self.timeouts.append(timeout_s)
        return super().send(req, timeout_s)


@responses.activate
def test_each_attempt_gets_the_runtime_timeout(registry: Registry) -> None:
    rt = Runtime(Connection(token="t"), registry=registry, timeout=4.5)
    client = TimeoutRecordingClient()
    rt.http.set(client)
    responses.get(f"{BASE}/sources/s1", json={"data": {}})
    rt.run("getSource", {"sourceId": "s1"})
    assert client.timeouts == [4.5]


@responses.activate
def test_run_action_deadline_stops_retries(registry: Registry) -> None:
    # A 60 s Retry-After cannot fit in a 10 s deadline: the 429 is raised at once.
    responses.get(f"{BASE}/sources/s1", status=429, headers={"Retry-After": "60"})
    slept: list[float] = []
    with pytest.raises(RateLimitedError):
        run_action("getSource", {"sourceId": "s1"}, Connection(token="t"),
                   registry=registry, deadline=10, sleep=slept.append)
    assert slept == [] and len(responses.calls) == 1


# -- `sent` of the error finally raised --------------------------------------------------------
def refused() -> ConnectionFailedError:
    return ConnectionFailedError("connection refused", sent=False)


def test_refused_after_a_lost_answer_says_sent() -> None:
    fn, _ = failing(RequestTimeoutError("no answer", sent=True), refused())
    with pytest.raises(ConnectionFailedError) as caught:
        call_with_retries(fn, RetryPolicy(max_retries=1, jitter=False), "GET",
                          sleep=lambda _s: None)
    assert caught.value.sent is True


def test_refused_after_an_api_answer_says_sent() -> None:
    # A 429 reached the API; the retry was refused: the call as a whole was sent.
    fn, _ = failing(too_many(0.5), refused())
    with pytest.raises(ConnectionFailedError) as caught:
        call_with_retries(fn, RetryPolicy(), "POST", sleep=lambda _s: None)
    assert caught.value.sent is True


def test_refused_every_time_says_not_sent() -> None:
    fn, calls = failing(refused(), refused(), refused())
    with pytest.raises(ConnectionFailedError) as caught:
        call_with_retries(fn, RetryPolicy(max_retries=2, jitter=False), "GET",
                          sleep=lambda _s: None)
    assert len(calls) == 3
    assert caught.value.sent is False


def test_deadline_before_the_first_attempt_says_not_sent() -> None:
    fn, calls = failing()
    with pytest.raises(DeadlineExceededError) as caught:
        call_with_retries(fn, RetryPolicy(deadline_s=0), "POST")
    assert calls == [] and caught.value.sent is False


@pytest.mark.parametrize(("first", "sent"), [
    (RequestTimeoutError("no answer", sent=True), True),
    (refused(), False),
    (ServerError("down", status=503), True),
])
def test_deadline_after_attempts_says_sent_as_they_were(
        first: Exception, sent: bool) -> None:
    now = [0.0]

    def sleep(seconds: float) -> None:
        now[0] += seconds + 3.0  # the wait overruns: the deadline passes while asleep

    fn, calls = failing(first)
    policy = RetryPolicy(max_retries=1, delay_ms=8000, exponential=False, deadline_s=10)
    with pytest.raises(DeadlineExceededError) as caught:
        call_with_retries(fn, policy, "GET", sleep=sleep, clock=lambda: now[0])
    assert len(calls) == 1
    assert caught.value.sent is sent


def test_a_transport_error_keeps_sent_true_of_its_own() -> None:
    fn, _ = failing(refused(), RequestTimeoutError("no answer", sent=True))
    with pytest.raises(TransportError) as caught:
        call_with_retries(fn, RetryPolicy(max_retries=1, jitter=False), "GET",
                          sleep=lambda _s: None)
    assert caught.value.sent is True


@responses.activate
def test_over_http_a_refused_retry_after_a_timeout_reports_sent(registry: Registry) -> None:
    rt = Runtime(Connection(token="sgp_wait_token"), registry=registry,
                 policy=RetryPolicy(max_retries=1, jitter=False), sleep=lambda _s: None)
    responses.get(f"{BASE}/sources/s1", body=requests.exceptions.ReadTimeout("slow"))
    responses.get(f"{BASE}/sources/s1",
                  body=requests.exceptions.ConnectTimeout("connect timed out"))
    with pytest.raises(RequestTimeoutError) as caught:
        rt.run("getSource", {"sourceId": "s1"})
    assert caught.value.sent is True
    assert caught.value.to_dict()["sent"] is True
