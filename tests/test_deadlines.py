"""Every wait ends inside the call's deadline, and absurd rate-limit headers never break it.

Time is fake throughout: `Runtime(sleep=, clock=)`, `call_with_retries(sleep=, clock=,
wall=)` and `RateLimiter(clock=, wall=, wait=)` run on clocks the tests move.
"""

from __future__ import annotations

import email.utils
import json
import math
import re
import threading
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
import requests
import responses
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from connector.batch import run_batch
from connector.connection import Connection
from connector.errors import ConnectorError, RateLimitedError, error_record
from connector.ratelimit import RateLimiter
from connector.registry import Registry
from connector.request import HttpRequest
from connector.retry import (
    LATEST_EPOCH_S,
    Deadline,
    RetryPolicy,
    WaitPastDeadlineError,
    call_with_retries,
    describe_wait,
    seconds_until,
    server_wait_s,
    utc_iso,
)
from connector.runtime import Runtime
from connector.transport import HttpClient

BASE = "https://api.segmentapis.com"
WALL = 1_700_000_000.0  # 2023-11-14T22:13:20Z
ISO = re.compile(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ")
TOO_MANY = {"errors": [{"message": "Too many requests"}]}


@pytest.fixture(scope="module")
def registry() -> Registry:
    return Registry.load(installed=False)


class FakeTime:
    """One fake monotonic clock: `sleep` and the limiter's `wait` move it on."""

    def __init__(self, start: float = 1000.0) -> None:
        self.now = start
        self.slept: list[float] = []
        self.held: list[float] = []

    def __call__(self) -> float:
        return self.now

    def sleep(self, seconds: float) -> None:
        assert math.isfinite(seconds) and seconds >= 0, seconds
        self.slept.append(seconds)
        self.now += seconds

    def wait(self, _cond: threading.Condition, seconds: float) -> None:
        assert math.isfinite(seconds) and seconds >= 0, seconds
        self.held.append(seconds)
        self.now += seconds


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
                            method="GET", url=f"{BASE}/sources", retry_after=wait)


# -- 1. a wait the API asks for that ends past the deadline -------------------------------
def test_an_asked_wait_past_the_deadline_ends_the_call_at_once_saying_when() -> None:
    t = FakeTime()
    fn, calls = failing(too_many(999_999_999.0))
    with pytest.raises(WaitPastDeadlineError) as caught:
        call_with_retries(fn, RetryPolicy(), "GET", sleep=t.sleep, clock=t, wall=lambda: WALL)
    err = caught.value
    assert t.slept == [] and len(calls) == 1
    assert str(err) == (
        "GET /sources failed with 429: Too many requests; the API asked to wait "
        "999999999s (about 11574 days), which ends past this call's deadline of 300s "
        "(300s left): retry after 2055-07-23T23:59:59Z")
    assert err.retry_after == 999_999_999.0 and err.retry_at == WALL + 999_999_999.0
    assert utc_iso(err.retry_at) == "2055-07-23T23:59:59Z"
    # Still a 429 to every flow that routes on type or code.
    assert isinstance(err, RateLimitedError) and err.status == 429
    assert (err.kind, err.category, err.retryable) == ("rate_limited", "transient", True)
    assert error_record(err)["retry_after"] == 999_999_999.0
    assert error_record(err)["retry_at"] == "2055-07-23T23:59:59Z"


def test_the_time_left_shrinks_with_each_wait() -> None:
    t = FakeTime()
    fn, calls = failing(too_many(6.0), too_many(6.0))
    with pytest.raises(WaitPastDeadlineError) as caught:
        call_with_retries(fn, RetryPolicy(deadline_s=10), "POST", sleep=t.sleep, clock=t,
                          wall=lambda: WALL)
    assert t.slept == [6.0] and len(calls) == 2
    assert "asked to wait 6s, which ends past this call's deadline of 10s (4s left): " \
           "retry after 2023-11-14T22:13:26Z" in str(caught.value)


def test_an_asked_wait_ending_exactly_at_the_deadline_is_past_it() -> None:
    t = FakeTime()
    fn, _ = failing(too_many(10.0))
    with pytest.raises(WaitPastDeadlineError):
        call_with_retries(fn, RetryPolicy(deadline_s=10), "GET", sleep=t.sleep, clock=t)
    assert t.slept == []


def test_an_asked_wait_that_fits_is_slept() -> None:
    t = FakeTime()
    fn, calls = failing(too_many(9.5))
    assert call_with_retries(fn, RetryPolicy(deadline_s=10), "GET", sleep=t.sleep,
                             clock=t) == "ok"
    assert t.slept == [9.5] and calls == [10, 0.5]


def test_a_backoff_past_the_deadline_reraises_the_429_as_it_was() -> None:
    # No wait was asked for: the message must not claim one.
    t = FakeTime()
    plain = too_many(None)
    fn, _ = failing(plain)
    policy = RetryPolicy(delay_ms=20_000, exponential=False, jitter=False, deadline_s=10)
    with pytest.raises(RateLimitedError) as caught:
        call_with_retries(fn, policy, "GET", sleep=t.sleep, clock=t)
    assert caught.value is plain and t.slept == []


def test_a_shared_deadline_counts_time_spent_before_the_call() -> None:
    t = FakeTime()
    deadline = Deadline(30, t)
    t.now += 25  # e.g. held by the rate limiter
    fn, calls = failing(too_many(6.0))
    with pytest.raises(WaitPastDeadlineError, match=r"deadline of 30s \(5s left\)"):
        call_with_retries(fn, RetryPolicy(), "GET", sleep=t.sleep, clock=t, deadline=deadline)
    assert calls == [5]


@pytest.mark.parametrize(("seconds", "text"), [
    (0.2, "0.2s"), (2.5, "2.5s"), (42, "42s"), (119, "119s"), (120, "120s (about 2 min)"),
    (7200, "7200s (about 2 h)"), (999_999_999, "999999999s (about 11574 days)"),
    (1e300, "1e+300s"), (math.inf, "infs"),
])
def test_describe_wait(seconds: float, text: str) -> None:
    assert describe_wait(seconds) == text


@pytest.mark.parametrize(("epoch", "text"), [
    (WALL, "2023-11-14T22:13:20Z"), (WALL + 0.1, "2023-11-14T22:13:21Z"),
    (1e300, "9999-12-31T23:59:59Z"), (math.inf, "9999-12-31T23:59:59Z"),
    (-1e300, "0001-01-01T00:00:00Z"), (math.nan, "0001-01-01T00:00:00Z"),
])
def test_utc_iso_names_any_time(epoch: float, text: str) -> None:
    assert utc_iso(epoch) == text


@responses.activate
def test_over_http_a_retry_after_of_decades_ends_the_call_with_a_date(
        registry: Registry) -> None:
    t = FakeTime()
    rt = Runtime(Connection(token="sgp_deadline_token"), registry=registry, sleep=t.sleep,
                 clock=t)
    responses.get(f"{BASE}/sources/s1", status=429, headers={"Retry-After": "999999999"},
                  json=TOO_MANY)
    with pytest.raises(WaitPastDeadlineError) as caught:
        rt.run("getSource", {"sourceId": "s1"})
    message = str(caught.value)
    assert message.startswith("GET /sources/s1 failed with 429: Too many requests; the API "
                              "asked to wait 999999999s (about 11574 days), which ends past "
                              "this call's deadline of 300s (300s left): retry after ")
    assert ISO.fullmatch(message.rsplit(" ", 1)[1])
    assert caught.value.retry_after == pytest.approx(999_999_999.0, abs=2)
    assert t.slept == [] and len(responses.calls) == 1


# -- 2. the bulk limiter's holds ----------------------------------------------------------
def one_per_minute(t: FakeTime, **limits: tuple[int, str]) -> RateLimiter:
    return RateLimiter(limits or {"createLabel": (1, "minute")}, clock=t, wall=lambda: WALL,
                       wait=t.wait)


def test_a_hold_past_the_deadline_raises_at_once_naming_when_the_window_opens() -> None:
    t = FakeTime()
    limiter = one_per_minute(t)
    limiter.release(limiter.acquire("createLabel"), 201, {})
    t.now += 15  # the window opened 15 s ago: it opens again in 45 s
    notices: list[float] = []
    with pytest.raises(WaitPastDeadlineError) as caught:
        limiter.acquire("createLabel", lambda s, _r: notices.append(s), max_wait_s=10)
    err = caught.value
    assert str(err) == (
        "rate limit of createLabel: 1 call per minute, holding the next one for 45s, which "
        "ends past this call's deadline (10s left): nothing was sent; "
        "retry after 2023-11-14T22:14:05Z")
    assert err.retry_after == 45 and err.retry_at == WALL + 45 and err.status is None
    assert t.held == [] and notices == []  # no wait, no notice of one
    # Nothing is taken from the window by the refused call.
    t.now += 45
    assert limiter.acquire("createLabel", max_wait_s=10).window == 2


def test_a_hold_that_fits_is_waited_on_the_injected_wait() -> None:
    t = FakeTime()
    limiter = one_per_minute(t, op=(1, "day"))
    limiter.release(limiter.acquire("op"), 200, {})
    ticket = limiter.acquire("op", max_wait_s=86_401)
    assert t.held == [86_400] and ticket.window == 2  # a day passed on the fake clock
    assert limiter.waited_s == 86_400


def test_a_hold_that_grows_while_waiting_is_refused_when_it_no_longer_fits() -> None:
    t = FakeTime()
    limiter = RateLimiter({}, clock=t, wall=lambda: WALL)
    first, second = limiter.acquire("op"), limiter.acquire("op")  # no written limit
    limiter.release(first, 429, {}, retry_after=10)  # a 10 s hold: fits in 30 s

    def wait(_cond: threading.Condition, _seconds: float) -> None:
        t.now += 4  # meanwhile the other call is answered 429, asking for 60 s
        limiter.release(second, 429, {}, retry_after=60)

    limiter._wait = wait
    with pytest.raises(WaitPastDeadlineError, match=r"holding its calls for 60s.*\(26s left\)"):
        limiter.acquire("op", max_wait_s=30)


def test_limiter_call_runs_nothing_when_the_hold_is_too_long() -> None:
    t = FakeTime()
    limiter = one_per_minute(t)
    assert limiter.call("createLabel", lambda: 1, max_wait_s=5) == 1
    ran: list[int] = []
    with pytest.raises(WaitPastDeadlineError):
        limiter.call("createLabel", lambda: ran.append(1), None, max_wait_s=5)
    assert ran == []


@responses.activate
def test_runtime_hands_the_limiter_the_time_left(registry: Registry) -> None:
    t = FakeTime()
    rt = Runtime(Connection(token="sgp_deadline_token"), registry=registry, sleep=t.sleep,
                 clock=t, deadline=40)
    paced = rt.with_(limiter=one_per_minute(t, getSource=(1, "minute")))
    responses.get(f"{BASE}/sources/s1", json={"data": {}})
    paced.run("getSource", {"sourceId": "s1"})
    with pytest.raises(WaitPastDeadlineError, match="holding the next one for 60s.*"
                                                     r"deadline \(40s left\): nothing was sent"):
        paced.run("getSource", {"sourceId": "s1"})
    assert len(responses.calls) == 1 and t.held == [] and t.slept == []


class TimeoutRecordingClient(HttpClient):
    def __init__(self) -> None:
        super().__init__()
        self.timeouts: list[float] = []

    def send(self, req: HttpRequest, timeout_s: float) -> requests.Response:
        self.timeouts.append(timeout_s)
        return super().send(req, timeout_s)


@responses.activate
def test_the_attempt_after_a_hold_gets_only_the_time_still_left(registry: Registry) -> None:
    t = FakeTime()
    notices: list[tuple[float, str]] = []
    rt = Runtime(Connection(token="sgp_deadline_token"), registry=registry, sleep=t.sleep,
                 clock=t, timeout=50, deadline=90,
                 on_wait=lambda s, r: notices.append((s, r)))
    paced = rt.with_(limiter=one_per_minute(t, getSource=(1, "minute")))
    client = TimeoutRecordingClient()
    paced.http.set(client)
    responses.get(f"{BASE}/sources/s1", json={"data": {}})
    paced.run("getSource", {"sourceId": "s1"})
    paced.run("getSource", {"sourceId": "s1"})
    assert t.held == [60] and [s for s, _ in notices] == [60]
    assert client.timeouts == [50, 30]  # 90 s less the 60 s hold


@responses.activate
def test_a_429_held_by_the_limiter_past_the_deadline_is_not_slept(registry: Registry) -> None:
    # The 429's 20 s fits a 30 s deadline; the limiter's hold for it does too, once.
    t = FakeTime()
    rt = Runtime(Connection(token="sgp_deadline_token"), registry=registry, sleep=t.sleep,
                 clock=t, deadline=30)
    paced = rt.with_(limiter=RateLimiter({}, clock=t, wall=lambda: WALL, wait=t.wait))
    for _ in range(2):
        responses.get(f"{BASE}/sources/s1", status=429, headers={"Retry-After": "20"},
                      json=TOO_MANY)
    with pytest.raises(WaitPastDeadlineError, match=r"asked to wait 20s.*\(10s left\)"):
        paced.run("getSource", {"sourceId": "s1"})
    assert t.slept == [20] and sum(t.slept) + sum(t.held) <= 30
    assert len(responses.calls) == 2


@responses.activate
def test_batch_records_a_refused_hold_as_safe_to_retry(registry: Registry,
                                                      tmp_path: Path) -> None:
    t = FakeTime()
    rt = Runtime(Connection(token="sgp_deadline_token"), registry=registry, sleep=t.sleep,
                 clock=t, deadline=10)
    responses.post(f"{BASE}/labels", json={"data": {"label": {"key": "k", "value": "v"}}})
    out = tmp_path / "out.jsonl"
    lines = [{"label": {"key": "k", "value": f"v{i}"}} for i in range(3)]
    summary = run_batch(rt, "createLabel", lines, out, concurrency=1,
                        limiter=one_per_minute(t), handle_signals=False, progress=False)
    records = [json.loads(line) for line in out.read_text("utf-8").splitlines()]
    last = {r["line"]: r for r in records[1:]}  # after the file's header
    assert last[1]["status"] == "ok"
    for n in (2, 3):  # held past the deadline: nothing sent, safe to run again
        assert last[n]["status"] == "error" and last[n]["retry"] == "safe"
        assert last[n]["error"]["type"] == "rate_limited"
        assert "nothing was sent" in last[n]["error"]["message"]
    assert len(responses.calls) == 1 and (summary.ok, summary.errors) == (1, 2)


# -- 3. absurd header values ------------------------------------------------------------------
NOW = 1_700_000_000.0
IGNORED = [
    "1e400", "inf", "-inf", "Infinity", "nan", "NaN", "-5", "-0.5", "-1e308", "1e308",
    "abc", "", "   ", "12 seconds", "0x10", "Tue, 32 Jan 2024 00:00:00 GMT",
    "Tue, 01 Jan 2024 25:00:00 GMT", "Mon, 01 Jan 99999 00:00:00 GMT",
    "Tue, 01 Jan 2024 00:00:00 +99999999999", "Fri, 31 Dec 9999 23:59:59 -2359",
    "99999999999999999999", "1" * 5000,
]


@pytest.mark.parametrize("value", IGNORED)
def test_an_unreadable_time_is_ignored(value: str) -> None:
    assert seconds_until(value, NOW) is None
    assert server_wait_s({"Retry-After": value}, None, now=NOW) is None
    assert server_wait_s({"X-RateLimit-Reset": value}, None, now=NOW) is None


@pytest.mark.parametrize(("value", "wait"), [
    ("0", 0.0), ("7", 7.0), ("2.5", 2.5), ("999999999", 999_999_999.0),
    (str(NOW + 30), 30.0), (str(NOW - 30), 0.0), ("1000000001", 0.0),  # epoch seconds
    (email.utils.formatdate(NOW + 12, usegmt=True), 12.0),
    ("Mon, 01 Jan 0001 00:00:00 GMT", 0.0),  # far past (a 2-digit year reads 2001)
    ("Thu, 01 Jan 1970 00:00:00 GMT", 0.0), ("Fri, 31 Dec 9999 23:59:59 -0000",
                                              LATEST_EPOCH_S - NOW),
])
def test_a_readable_time_gives_a_finite_wait(value: str, wait: float) -> None:
    assert seconds_until(value, NOW) == pytest.approx(wait)


def test_an_unreadable_retry_after_falls_back_to_the_next_hint() -> None:
    body = {"errors": [{"data": {"msBeforeNext": 1500}}]}
    assert server_wait_s({"Retry-After": "nan"}, body, now=NOW) == 1.5
    assert server_wait_s({"Retry-After": "-5", "X-RateLimit-Reset": "30"}, {}, now=NOW) == 30


@pytest.mark.parametrize("ms", [
    -1, -1e308, 1e308, 10**400, math.inf, math.nan, True, "5000", None, [5], {"x": 1},
    (LATEST_EPOCH_S - NOW) * 1000 + 10_000,
])
def test_an_unreadable_ms_before_next_is_ignored(ms: Any) -> None:
    body = {"errors": [{"data": {"msBeforeNext": ms}}]}
    assert server_wait_s({}, body, now=NOW) is None
    assert server_wait_s({"X-RateLimit-Reset": "9"}, body, now=NOW) == 9


def check_wait(value: float | None) -> None:
    assert value is None or (math.isfinite(value) and value >= 0), value


HEADER_TEXT = st.one_of(
    st.text(max_size=60),
    st.floats().map(repr), st.floats().map(str), st.integers().map(str),
    st.datetimes().map(lambda d: email.utils.format_datetime(d)),
    st.builds("{}, {:02d} {} {} {:02d}:{:02d}:{:02d} {}".format,
              st.sampled_from(["Mon", "Tue", "Xyz"]), st.integers(-5, 40),
              st.sampled_from(["Jan", "Feb", "Foo"]), st.integers(-10, 10**6),
              st.integers(-1, 99), st.integers(-1, 99), st.integers(-1, 99),
              st.sampled_from(["GMT", "-0000", "+2359", "-9999", "+99999999", "UT", "XYZ"])),
)
NOWS = st.one_of(st.just(NOW), st.floats(allow_nan=True, allow_infinity=True))
JSON_VALUES = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=10)
    | st.just(10**400), lambda inner: st.lists(inner, max_size=3)
    | st.dictionaries(st.text(max_size=5), inner, max_size=3), max_leaves=5)
NAMES = st.sampled_from(["Retry-After", "retry-after", "X-RateLimit-Reset",
                         "X-RateLimit-Remaining", "X-RateLimit-Consumed", "x-ratelimit-reset"])
HEADERS = st.dictionaries(NAMES | st.text(max_size=10), HEADER_TEXT, max_size=5)
FUZZ = settings(max_examples=300, deadline=None,
                suppress_health_check=[HealthCheck.too_slow])


@FUZZ
@given(HEADER_TEXT, NOWS)
def test_seconds_until_any_text_is_none_or_a_finite_wait(value: str, now: float) -> None:
    check_wait(seconds_until(value, now))


@FUZZ
@given(HEADERS, JSON_VALUES, NOWS)
def test_server_wait_s_any_headers_and_body_is_none_or_a_finite_wait(
        headers: dict[str, str], ms: Any, now: float) -> None:
    body = {"errors": [{"data": {"msBeforeNext": ms}}]}
    check_wait(server_wait_s(headers, body, now=now))
    check_wait(server_wait_s(headers, ms, now=now))


@FUZZ
@given(st.lists(st.tuples(st.sampled_from([None, 200, 201, 429, 500]), HEADERS,
                          st.none() | st.floats()), min_size=1, max_size=6),
       st.sampled_from(["op", "other"]))
def test_limiter_release_takes_any_answer_and_later_calls_start_or_fail_typed(
        answers: list[tuple[int | None, dict[str, str], float | None]], op: str) -> None:
    t = FakeTime()
    limiter = RateLimiter({"op": (3, "minute")}, clock=t, wall=lambda: NOW, wait=t.wait)
    for status, headers, retry_after in answers:
        try:
            ticket = limiter.acquire(op, max_wait_s=300)
        except WaitPastDeadlineError as exc:
            check_wait(exc.retry_after)
            assert exc.retry_after is not None and exc.retry_after >= 300 - sum(t.held)
            continue
        limiter.release(ticket, status, headers, retry_after)
    assert all(math.isfinite(s) and 0 <= s <= 300 for s in t.held)
    for bucket in limiter._buckets.values():
        assert not math.isnan(bucket.blocked_until) and not math.isnan(bucket.window_end)
        assert bucket.limit is None or bucket.limit >= 1


# -- end to end: a 429 with each absurd value ---------------------------------------------
ABSURD_429 = [
    {"Retry-After": v} for v in ("999999999", "1e308", "1e400", "-5", "nan", "inf", "-inf",
                                 "abc", "Mon, 01 Jan 99999 00:00:00 GMT",
                                 "Tue, 32 Jan 2024 00:00:00 GMT",
                                 "Fri, 31 Dec 9999 23:59:59 GMT",
                                 "Thu, 01 Jan 1970 00:00:00 GMT")
] + [
    {"X-RateLimit-Reset": v} for v in ("99999999999999", "-99999999", "1e400", "nan",
                                       "Fri, 31 Dec 9999 23:59:59 GMT")
] + [
    {"X-RateLimit-Remaining": v, "X-RateLimit-Reset": "1e400"} for v in ("-5", "1e99", "abc")
]
ABSURD_BODIES = [{"errors": [{"message": "slow", "data": {"msBeforeNext": v}}]}
                 for v in (1e308, 10**400, -5000, "soon", None, True)]


def run_through_429(registry: Registry, headers: dict[str, str], body: Any,
                    paced: bool) -> tuple[FakeTime, BaseException | None]:
    t = FakeTime()
    rt = Runtime(Connection(token="sgp_deadline_token"), registry=registry, sleep=t.sleep,
                 clock=t, deadline=300)
    if paced:
        rt = rt.with_(limiter=RateLimiter({}, clock=t, wall=lambda: NOW, wait=t.wait))
    responses.get(f"{BASE}/sources/s1", status=429, headers=headers, json=body)
    responses.get(f"{BASE}/sources/s1", json={"data": {}},
                  headers={"X-RateLimit-Remaining": headers.get("X-RateLimit-Remaining", "1")})
    try:
        rt.run("getSource", {"sourceId": "s1"})
    except ConnectorError as exc:
        return t, exc
    return t, None


@pytest.mark.parametrize("paced", [False, True], ids=["direct", "paced"])
@pytest.mark.parametrize(("headers", "body"), [(h, TOO_MANY) for h in ABSURD_429]
                         + [({}, b) for b in ABSURD_BODIES])
@responses.activate
def test_a_429_with_an_absurd_value_ends_typed_or_succeeds_inside_the_deadline(
        registry: Registry, headers: dict[str, str], body: Any, paced: bool) -> None:
    t, failure = run_through_429(registry, headers, body, paced)
    assert failure is None or isinstance(failure, RateLimitedError), failure
    if isinstance(failure, WaitPastDeadlineError):
        assert failure.retry_after is not None and failure.retry_after >= 300
        assert ISO.search(str(failure))
    waits = t.slept + t.held
    assert all(math.isfinite(s) and s >= 0 for s in waits)
    assert sum(waits) <= 300
    assert len(responses.calls) <= 2


@pytest.mark.parametrize("remaining", ["-5", "1e99", "abc", "99999999999999999999999", "0"])
@pytest.mark.parametrize("reset", ["1e400", "-1", "nan", "99999999999999", "abc", "30"])
@responses.activate
def test_absurd_quota_headers_on_answers_never_stall_the_limiter(
        registry: Registry, remaining: str, reset: str) -> None:
    t = FakeTime()
    rt = Runtime(Connection(token="sgp_deadline_token"), registry=registry, sleep=t.sleep,
                 clock=t, deadline=300)
    paced = rt.with_(limiter=RateLimiter({"getSource": (5, "minute")}, clock=t,
                                        wall=lambda: NOW, wait=t.wait))
    responses.get(f"{BASE}/sources/s1", json={"data": {}},
                  headers={"X-RateLimit-Remaining": remaining, "X-RateLimit-Reset": reset})
    for _ in range(12):  # over two windows of 5
        try:
            paced.run("getSource", {"sourceId": "s1"})
        except WaitPastDeadlineError as exc:
            assert exc.retry_after is not None and exc.retry_after >= 300
    assert all(math.isfinite(s) and 0 <= s <= 300 for s in t.held)
