"""Waits: absurd rate-limit hints end in a typed error or a bounded wait inside the deadline,
and an answer that never completes is cut off at the attempt's time limit.

Rate-limit cases run on the deadline tests' fake clock (`tests/test_deadlines.py`), so
their figures are exact; the cut-offs use a loopback server and real time.
"""

from __future__ import annotations

import contextlib
import math
import random
from collections.abc import Iterator
from typing import Any

import responses

from connector.connection import Connection
from connector.errors import ConnectorError, RateLimitedError, RequestTimeoutError
from connector.ratelimit import RateLimiter
from connector.retry import WaitPastDeadlineError, seconds_until, server_wait_s
from connector.runtime import Runtime
from hardening.common import SEED, Section, loopback, params, test_module

DEADLINE_S = 300  # the deadline the deadline tests give their calls
BASE = "https://api.segmentapis.com"


@contextlib.contextmanager
def seeded_jitter() -> Iterator[None]:
    """Backoff jitter draws from `random`: seed it for the block (so fake waits are the
    same every run) and give the process its own sequence back afterwards."""
    state = random.getstate()
    random.seed(SEED)
    try:
        yield
    finally:
        random.setstate(state)


def measure() -> Section:
    section = Section(
        "Waits",
        "Header values from the deadline tests (`tests/test_deadlines.py`): huge, negative, "
        "NaN and infinite numbers, far-future and far-past dates, out-of-range dates, "
        "unparseable text, huge or non-numeric `msBeforeNext`, bad `X-RateLimit-*`. "
        f"Each call has a {DEADLINE_S} s deadline on a fake clock that every wait moves.")
    c = section.counts
    td = test_module("test_deadlines")
    registry = test_module("test_secrets").REGISTRY
    now = td.NOW

    for value in td.IGNORED:
        c["times"] += 1
        c["times ignored"] += (seconds_until(value, now) is None
                               and server_wait_s({"Retry-After": value}, None, now=now) is None
                               and server_wait_s({"X-RateLimit-Reset": value}, None,
                                                 now=now) is None)
    for ms in params("test_deadlines", "test_an_unreadable_ms_before_next_is_ignored", "ms"):
        c["ms"] += 1
        c["ms ignored"] += server_wait_s({}, {"errors": [{"data": {"msBeforeNext": ms}}]},
                                         now=now) is None

    cases = [(h, td.TOO_MANY) for h in td.ABSURD_429] + [({}, b) for b in td.ABSURD_BODIES]
    longest = 0.0
    with seeded_jitter():
        for headers, body in cases:
            for paced in (False, True):
                c["429 runs"] += 1
                try:
                    clock, failure = responses.activate(td.run_through_429)(
                        registry, headers, body, paced)
                except Exception:  # the runner lets only typed errors through as results
                    c["429 untyped"] += 1
                    continue
                waits = clock.slept + clock.held
                total = sum(waits)
                longest = max(longest, total)
                c["429 over deadline"] += total > DEADLINE_S or not all(
                    math.isfinite(w) and w >= 0 for w in waits)
                if failure is None:
                    c["429 ok"] += 1
                elif isinstance(failure, WaitPastDeadlineError):
                    c["429 past deadline"] += 1
                elif isinstance(failure, RateLimitedError):
                    c["429 rate limited"] += 1
                else:
                    c["429 untyped"] += 1
        longest_hold = _quota_headers(c, registry, td)

    cut = _cut_offs(c, registry)
    section.row(f"Unreadable times as `Retry-After` and `X-RateLimit-Reset` ({c['times']})",
                f"{c['times ignored']} ignored")
    section.row(f"Unreadable `msBeforeNext` values ({c['ms']})", f"{c['ms ignored']} ignored")
    section.row(f"A 429 with an absurd value, direct and through the limiter ({c['429 runs']} "
                "runs): succeeded after a bounded wait / ended past the deadline "
                "(WaitPastDeadlineError) / other RateLimitedError / untyped",
                f"{c['429 ok']} / {c['429 past deadline']} / {c['429 rate limited']} / "
                f"{c['429 untyped']}")
    section.row(f"... runs whose fake waits add up past the {DEADLINE_S} s deadline",
                c["429 over deadline"])
    section.row("... longest total fake wait of a run", f"{longest:.2f} s")
    section.row(f"Absurd `X-RateLimit-Remaining` x `X-RateLimit-Reset` on answers "
                f"({c['quota pairs']} pairs, {c['quota calls']} paced calls): ok / held "
                f"past the deadline (typed) / untyped",
                f"{c['quota ok']} / {c['quota past deadline']} / {c['quota untyped']}")
    section.row("... longest single hold", f"{longest_hold:g} s")
    section.row(f"Drip-fed answer and endless `100 Continue` ({c['cut tried']}): cut off at "
                f"the {cut:g} s attempt limit (RequestTimeoutError)", c["cut off"])
    return section


def _quota_headers(c: Any, registry: Any, td: Any) -> float:
    """The limiter over answers whose quota headers make no sense: every paced call starts
    or is refused typed, and no hold is past the deadline."""
    remaining = params("test_deadlines", "test_absurd_quota_headers_on_answers_never_stall_"
                       "the_limiter", "remaining")
    resets = params("test_deadlines", "test_absurd_quota_headers_on_answers_never_stall_"
                    "the_limiter", "reset")
    longest = 0.0
    for left in remaining:
        for reset in resets:
            c["quota pairs"] += 1
            t = td.FakeTime()
            rt = Runtime(Connection(token="sgp_deadline_token"), registry=registry,
                         sleep=t.sleep, clock=t, deadline=DEADLINE_S)
            paced = rt.with_(limiter=RateLimiter({"getSource": (5, "minute")}, clock=t,
                                                wall=lambda: td.NOW, wait=t.wait))
            with responses.RequestsMock() as api:
                api.get(f"{BASE}/sources/s1", json={"data": {}},
                        headers={"X-RateLimit-Remaining": left, "X-RateLimit-Reset": reset})
                for _ in range(12):  # over two windows of 5
                    c["quota calls"] += 1
                    try:
                        paced.run("getSource", {"sourceId": "s1"})
                        c["quota ok"] += 1
                    except WaitPastDeadlineError:
                        c["quota past deadline"] += 1
                    except Exception:
                        c["quota untyped"] += 1
            longest = max([longest, *t.held])
    return longest


def _cut_offs(c: Any, registry: Any) -> float:
    """The bounded-answer tests' drip and endless `100 Continue` writers, each on its own
    loopback server; the call must end as a timeout at the attempt's limit."""
    tb = test_module("test_bounded_answers")
    for writer in (tb.drip, tb.endless_continue):
        c["cut tried"] += 1
        with loopback(writer) as url:
            rt = Runtime(Connection(token=tb.TOKEN, base_url=url), registry=registry,
                         policy=tb.POLICY)
            try:
                rt.run("getSource", {"sourceId": "s1"})
            except RequestTimeoutError as exc:
                c["cut off"] += f"no complete answer within {tb.POLICY.timeout_s:g}s" in str(exc)
            except ConnectorError:
                c["cut other typed"] += 1
    return float(tb.POLICY.timeout_s)
