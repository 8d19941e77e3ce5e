"""Which failures are retried, how long the runtime waits, and when it gives up."""

from __future__ import annotations

import email.utils
import itertools
import time
from collections.abc import Callable
from typing import Any

import pytest
import requests
import responses

from connector.connection import Connection
from connector.errors import (
    ApiError,
    AuthError,
    ConnectionFailedError,
    RateLimitedError,
    RequestTimeoutError,
    ServerError,
)
from connector.registry import Registry
from connector.retry import MIN_BACKOFF_MS, RetryPolicy, call_with_retries, server_wait_s
from connector.runtime import Runtime

BASE = "https://api.segmentapis.com"
FAST = RetryPolicy(max_retries=3, delay_ms=10, exponential=False, jitter=False)


@pytest.fixture(scope="module")
def registry() -> Registry:
    return Registry.load(installed=False)


class Waits(list[float]):
    """A `sleep` that records each wait instead of sleeping."""

    def __call__(self, seconds: float) -> None:
        self.append(seconds)


def runtime(registry: Registry, policy: RetryPolicy = FAST) -> tuple[Runtime, Waits]:
    waits = Waits()
    rt = Runtime(Connection(token="sgp_retry_test_token"), registry=registry,
                 policy=policy, sleep=waits)
    return rt, waits


def failing(*errors: BaseException, result: str = "ok") -> tuple[Callable[[float], str], list]:
    """fn for call_with_retries: raises `errors` in turn, then returns `result`."""
    calls: list[float] = []

    def fn(timeout: float) -> str:
        calls.append(timeout)
        if len(calls) <= len(errors):
            raise errors[len(calls) - 1]
        return result

    return fn, calls


def server_error(status: int = 503) -> ServerError:
    return ServerError(f"failed with {status}", status=status)


# -- which failures are retried, per method --------------------------------------
@pytest.mark.parametrize("method", ["GET", "POST", "PUT", "PATCH", "DELETE"])
def test_429_is_retried_for_every_method(method: str) -> None:
    fn, calls = failing(RateLimitedError("slow down", status=429, retry_after=0.5))
    waits = Waits()
    assert call_with_retries(fn, FAST, method, sleep=waits) == "ok"
    assert len(calls) == 2
    assert waits == [0.5]


@pytest.mark.parametrize("method", ["GET", "PUT", "DELETE"])
@pytest.mark.parametrize("error", [
    server_error(500), server_error(503),
    RequestTimeoutError("no answer"), ConnectionFailedError("refused"),
])
def test_idempotent_methods_retry_5xx_timeouts_and_lost_connections(
        method: str, error: Exception) -> None:
    fn, calls = failing(error)
    assert call_with_retries(fn, FAST, method, sleep=Waits()) == "ok"
    assert len(calls) == 2


@pytest.mark.parametrize("method", ["POST", "PATCH"])
@pytest.mark.parametrize("error", [
    server_error(503), RequestTimeoutError("no answer"), ConnectionFailedError("refused"),
])
def test_non_idempotent_methods_fail_at_once_on_5xx_and_timeouts(
        method: str, error: Exception) -> None:
    fn, calls = failing(error)
    waits = Waits()
    with pytest.raises(type(error)):
        call_with_retries(fn, FAST, method, sleep=waits)
    assert len(calls) == 1
    assert waits == []


@pytest.mark.parametrize("method", ["GET", "POST"])
def test_4xx_is_never_retried_by_default(method: str) -> None:
    fn, calls = failing(ApiError("bad", status=400), AuthError("no", status=401))
    with pytest.raises(ApiError) as caught:
        call_with_retries(fn, FAST, method, sleep=Waits())
    assert caught.value.status == 400
    assert len(calls) == 1


@pytest.mark.parametrize("error", [server_error(503), ApiError("bad", status=400),
                                   AuthError("no", status=403), RequestTimeoutError("slow")])
def test_retry_on_all_errors_retries_post_and_4xx(error: Exception) -> None:
    fn, calls = failing(error)
    policy = FAST.with_(retry_on_all_errors=True)
    assert call_with_retries(fn, policy, "POST", sleep=Waits()) == "ok"
    assert len(calls) == 2


def test_non_connector_exceptions_are_not_retried() -> None:
    fn, calls = failing(KeyError("bug"))
    with pytest.raises(KeyError):
        call_with_retries(fn, FAST.with_(retry_on_all_errors=True), "GET", sleep=Waits())
    assert len(calls) == 1


# -- the same rules over HTTP ----------------------------------------------------
@responses.activate
def test_get_503_then_200_is_retried_over_http(registry: Registry) -> None:
    rt, waits = runtime(registry)
    responses.get(f"{BASE}/sources/s1", status=503, json={"errors": [{"message": "down"}]})
    responses.get(f"{BASE}/sources/s1", json={"data": {"source": {"id": "s1"}}})
    out = rt.run("getSource", {"sourceId": "s1"})
    assert out == {"data": {"data": {"source": {"id": "s1"}}}}
    assert len(responses.calls) == 2
    assert waits == [0.01]


@responses.activate
def test_post_503_is_not_retried_over_http(registry: Registry) -> None:
    rt, waits = runtime(registry)
    responses.post(f"{BASE}/sources", status=503, json={"errors": [{"message": "down"}]})
    with pytest.raises(ServerError) as caught:
        rt.run("createSource", {"slug": "s", "metadataId": "m"})
    assert caught.value.status == 503
    assert len(responses.calls) == 1
    assert waits == []


@responses.activate
def test_post_429_is_retried_over_http(registry: Registry) -> None:
    rt, waits = runtime(registry)
    responses.post(f"{BASE}/sources", status=429, headers={"Retry-After": "2"},
                   json={"errors": [{"message": "Too many requests"}]})
    responses.post(f"{BASE}/sources", status=201, json={"data": {"source": {"id": "n"}}})
    assert rt.run("createSource", {"slug": "s", "metadataId": "m"})["data"]["data"]
    assert len(responses.calls) == 2
    assert waits == [2.0]


@pytest.mark.parametrize(("method", "action", "inputs", "url"), [
    (responses.PUT, "replaceLabelsInSource",
     {"sourceId": "s1", "labels": [{"key": "env", "value": "prod"}]}, "/sources/s1/labels"),
    (responses.DELETE, "deleteSource", {"sourceId": "s1"}, "/sources/s1"),
])
@responses.activate
def test_put_and_delete_retry_on_500(registry: Registry, method: str, action: str,
                                     inputs: dict[str, Any], url: str) -> None:
    rt, _ = runtime(registry)
    responses.add(method, BASE + url, status=500, json={"errors": [{"message": "oops"}]})
    responses.add(method, BASE + url, json={"data": {"status": "SUCCESS"}})
    rt.run(action, inputs)
    assert len(responses.calls) == 2


@pytest.mark.parametrize("exc", [
    requests.exceptions.ReadTimeout("read timed out"),
    requests.exceptions.ConnectTimeout("connect timed out"),
])
@responses.activate
def test_timeouts_are_retried_for_get_and_raise_a_timeout_error(
        registry: Registry, exc: Exception) -> None:
    rt, waits = runtime(registry, FAST.with_(max_retries=2))
    responses.get(f"{BASE}/sources/s1", body=exc)
    with pytest.raises(RequestTimeoutError) as caught:
        rt.run("getSource", {"sourceId": "s1"})
    assert "/sources/s1" in str(caught.value)
    assert len(responses.calls) == 3  # the first try and two retries
    assert len(waits) == 2


@responses.activate
def test_lost_connection_is_retried_then_succeeds(registry: Registry) -> None:
    rt, _ = runtime(registry)
    responses.get(f"{BASE}/sources/s1", body=requests.exceptions.ConnectionError("reset"))
    responses.get(f"{BASE}/sources/s1", json={"data": {"source": {"id": "s1"}}})
    assert rt.run("getSource", {"sourceId": "s1"})["data"]["data"]["source"]["id"] == "s1"
    assert len(responses.calls) == 2


@responses.activate
def test_post_timeout_is_not_retried(registry: Registry) -> None:
    rt, _ = runtime(registry)
    responses.post(f"{BASE}/sources", body=requests.exceptions.ReadTimeout("slow"))
    with pytest.raises(RequestTimeoutError):
        rt.run("createSource", {"slug": "s", "metadataId": "m"})
    assert len(responses.calls) == 1


# -- how long to wait ----------------------------------------------------------------
def test_retry_after_in_seconds() -> None:
    assert server_wait_s({"Retry-After": "7"}, None) == 7.0


def test_retry_after_as_http_date() -> None:
    now = 1_700_000_000.0
    date = email.utils.formatdate(now + 12, usegmt=True)
    assert server_wait_s({"retry-after": date}, None, now=now) == pytest.approx(12, abs=1)


def test_retry_after_in_the_past_means_no_wait() -> None:
    now = 1_700_000_000.0
    assert server_wait_s({"Retry-After": email.utils.formatdate(now - 60)}, None, now=now) == 0


def test_x_ratelimit_reset_as_rfc5322_date() -> None:
    now = 1_700_000_000.0
    reset = email.utils.formatdate(now + 30, usegmt=True)
    assert server_wait_s({"X-RateLimit-Reset": reset}, None, now=now) == pytest.approx(30, abs=1)


def test_body_ms_before_next() -> None:
    body = {"errors": [{"type": "rate-limit", "data": {"msBeforeNext": 1500}}]}
    assert server_wait_s({}, body) == 1.5


def test_retry_after_wins_over_the_other_hints() -> None:
    body = {"errors": [{"data": {"msBeforeNext": 9000}}]}
    assert server_wait_s({"Retry-After": "2", "X-RateLimit-Reset": "60"}, body) == 2.0


def test_no_hint_gives_none() -> None:
    assert server_wait_s({"Content-Type": "application/json"}, {"errors": []}) is None


@responses.activate
def test_rate_limit_reset_header_is_honoured_over_http(registry: Registry) -> None:
    rt, waits = runtime(registry)
    reset = email.utils.formatdate(time.time() + 20, usegmt=True)
    responses.get(f"{BASE}/sources/s1", status=429, headers={"X-RateLimit-Reset": reset},
                  json={"errors": [{"message": "Too many requests"}]})
    responses.get(f"{BASE}/sources/s1", json={"data": {}})
    rt.run("getSource", {"sourceId": "s1"})
    assert len(waits) == 1
    assert 17 <= waits[0] <= 21


@responses.activate
def test_ms_before_next_is_honoured_over_http(registry: Registry) -> None:
    rt, waits = runtime(registry)
    responses.get(f"{BASE}/sources/s1", status=429,
                  json={"errors": [{"message": "slow", "data": {"msBeforeNext": 2500}}]})
    responses.get(f"{BASE}/sources/s1", json={"data": {}})
    rt.run("getSource", {"sourceId": "s1"})
    assert waits == [2.5]


@responses.activate
def test_retry_after_http_date_is_honoured_over_http(registry: Registry) -> None:
    rt, waits = runtime(registry)
    date = email.utils.formatdate(time.time() + 8, usegmt=True)
    responses.get(f"{BASE}/sources/s1", status=429, headers={"Retry-After": date})
    responses.get(f"{BASE}/sources/s1", json={"data": {}})
    rt.run("getSource", {"sourceId": "s1"})
    assert len(waits) == 1 and 5 <= waits[0] <= 9


def test_rate_limit_retries_are_capped() -> None:
    errors = [RateLimitedError("slow", status=429, retry_after=0.1) for _ in range(10)]
    fn, calls = failing(*errors)
    with pytest.raises(RateLimitedError):
        call_with_retries(fn, FAST.with_(rate_limit_retries=2), "GET", sleep=Waits())
    assert len(calls) == 3


def test_429_without_a_hint_backs_off() -> None:
    fn, _ = failing(RateLimitedError("slow", status=429))
    waits = Waits()
    call_with_retries(fn, RetryPolicy(delay_ms=0, jitter=False), "GET", sleep=waits)
    assert waits and waits[0] > 0


# -- backoff ---------------------------------------------------------------------
def test_exponential_backoff_with_zero_delay_still_waits_and_grows() -> None:
    policy = RetryPolicy(delay_ms=0, exponential=True, jitter=False)
    waits = [policy.backoff_s(n) for n in range(1, 6)]
    assert waits[0] >= 0.1
    assert waits[0] == MIN_BACKOFF_MS / 1000
    assert all(later == 2 * earlier for earlier, later in itertools.pairwise(waits))


def test_exponential_backoff_is_capped() -> None:
    policy = RetryPolicy(delay_ms=1000, exponential=True, jitter=False, max_delay_ms=5000)
    assert [policy.backoff_s(n) for n in range(1, 6)] == [1, 2, 4, 5, 5]


def test_jitter_spreads_waits_but_never_below_half() -> None:
    policy = RetryPolicy(delay_ms=1000, exponential=True, jitter=True)
    samples = [policy.backoff_s(3) for _ in range(200)]  # 4 s before jitter
    assert all(2.0 <= s <= 4.0 for s in samples)
    assert len(set(samples)) > 50


def test_jittered_zero_delay_never_waits_zero() -> None:
    policy = RetryPolicy(delay_ms=0, exponential=True, jitter=True)
    assert min(policy.backoff_s(1) for _ in range(500)) >= 0.1


def test_fixed_delay_without_backoff() -> None:
    policy = RetryPolicy(delay_ms=250, exponential=False)
    assert [policy.backoff_s(n) for n in (1, 2, 3)] == [0.25, 0.25, 0.25]


def test_waits_grow_across_real_retries() -> None:
    fn, _ = failing(server_error(), server_error(), server_error())
    waits = Waits()
    policy = RetryPolicy(max_retries=3, delay_ms=0, exponential=True, jitter=False)
    assert call_with_retries(fn, policy, "GET", sleep=waits) == "ok"
    assert waits == [0.2, 0.4, 0.8]


# -- giving up ---------------------------------------------------------------------
@pytest.mark.parametrize("max_retries", [0, 1, 4])
def test_max_retries_is_respected(max_retries: int) -> None:
    fn, calls = failing(*[server_error() for _ in range(10)])
    with pytest.raises(ServerError):
        call_with_retries(fn, FAST.with_(max_retries=max_retries), "GET", sleep=Waits())
    assert len(calls) == max_retries + 1


@responses.activate
def test_max_retries_over_http_reraises_the_last_error(registry: Registry) -> None:
    rt, waits = runtime(registry, FAST.with_(max_retries=2))
    responses.get(f"{BASE}/sources/s1", status=502, json={"errors": [{"message": "bad gw"}]})
    with pytest.raises(ServerError) as caught:
        rt.run("getSource", {"sourceId": "s1"})
    assert caught.value.status == 502
    assert len(responses.calls) == 3
    assert waits == [0.01, 0.01]


def test_deadline_stops_retries_that_would_end_too_late() -> None:
    now = [0.0]
    waits = Waits()

    def sleep(seconds: float) -> None:
        waits.append(seconds)
        now[0] += seconds

    fn, calls = failing(*[server_error() for _ in range(10)])
    policy = RetryPolicy(max_retries=10, delay_ms=4000, exponential=False, deadline_s=10)
    with pytest.raises(ServerError):
        call_with_retries(fn, policy, "GET", sleep=sleep, clock=lambda: now[0])
    # 4 s + 4 s fit in 10 s; a third wait would end after the deadline.
    assert waits == [4.0, 4.0]
    assert len(calls) == 3


def test_long_retry_after_beyond_the_deadline_fails_at_once() -> None:
    fn, calls = failing(RateLimitedError("slow", status=429, retry_after=600))
    waits = Waits()
    with pytest.raises(RateLimitedError):
        call_with_retries(fn, RetryPolicy(deadline_s=60), "GET", sleep=waits)
    assert waits == [] and len(calls) == 1


def test_each_attempt_gets_at_most_the_remaining_time() -> None:
    now = [0.0]
    fn, calls = failing(server_error())

    def sleep(seconds: float) -> None:
        now[0] += seconds

    policy = RetryPolicy(max_retries=1, delay_ms=7000, exponential=False, timeout_s=30,
                         deadline_s=10)
    call_with_retries(fn, policy, "GET", sleep=sleep, clock=lambda: now[0])
    assert calls == [10, 3]
