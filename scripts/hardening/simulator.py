"""Simulator: malformed requests are answered in the API's error envelope, never with a
traceback, and a SIGTERM while clients create loses no acknowledged write."""

from __future__ import annotations

import contextlib
import io
import signal
import tempfile
import threading
from collections import Counter
from pathlib import Path
from typing import Any

import requests

from connector.simulator import Simulator
from connector.simulator.server import MAX_BODY_BYTES
from hardening.common import Section, params, test_module

CLIENTS, ACKS = 6, 60  # SIGTERM once this many creates were acknowledged


def malformed_requests() -> list[tuple[str, bytes, dict[str, bool]]]:
    """(what, request bytes, how to send them) for each malformed request the simulator
    hardening tests send, built as those tests build them."""
    ths = test_module("test_simulator_hardening")
    mod = "test_simulator_hardening"
    head, token = ths.post_head, ths.TOKEN
    close = "Connection: close\r\n"  # so the reader is not left waiting on keep-alive
    out: list[tuple[str, bytes, dict[str, bool]]] = []
    for length in params(mod, "test_content_length_not_a_number_gives_400", "length"):
        out.append((f"Content-Length {length!r}", head(length) + b"{}", {}))
    out.append(("two Content-Lengths", head("2", "Content-Length: 3\r\n") + b"{}", {}))
    for close_write in params(mod, "test_body_shorter_than_content_length_gives_400",
                              "close_write"):
        out.append(("body shorter than Content-Length", head("100") + b'{"label":',
                    {"close_write": close_write}))
    out.append(("huge Content-Length", head("99999999999999999999"), {}))
    size = MAX_BODY_BYTES + 1024
    out.append(("body over the cap", head(str(size)) + b'{"label": {"key": "'
                + b"x" * (size - 20) + b'"}}', {"send_in_background": True}))
    out.append(("Expect: 100-continue over the cap",
                head(str(MAX_BODY_BYTES + 1), "Expect: 100-continue\r\n"), {}))
    for depth in params(mod, "test_deeply_nested_body_gives_422", "depth"):
        body = f'{{"label": {{"key": "k", "value": {"[" * depth + "]" * depth}}}}}'.encode()
        out.append((f"nested {depth} deep", head(str(len(body)), close) + body, {}))
    bad_json = b'{"label": {"key": '
    out.append(("invalid JSON", head(str(len(bad_json)), close) + bad_json, {}))
    for framing, _status in params(mod, "test_unsupported_or_ambiguous_framing_is_refused",
                                   "framing, status"):
        out.append((f"framing {framing.strip()!r}",
                    (f"POST /labels HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer {token}\r\n"
                     f"{framing}\r\n").encode() + b"5\r\nhello\r\n0\r\n\r\n", {}))
    chunked = (f"POST /labels HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer {token}\r\n"
               "Transfer-Encoding: chunked\r\n\r\n").encode()
    for chunks in params(mod, "test_bad_chunked_body_is_refused", "chunks"):
        out.append((f"chunked body {chunks[:12]!r}", chunked + chunks, {}))
    for request_bytes, _status in params(mod, "test_bad_request_line_or_headers_get_the_"
                                         "envelope", "request_bytes, status"):
        out.append((f"request {request_bytes[:16]!r}", request_bytes, {}))
    return out


def measure() -> Section:
    section = Section(
        "Simulator",
        "The malformed requests of the simulator hardening tests "
        "(`tests/test_simulator_hardening.py`): Content-Length that is no number, twice, "
        "longer than the body or huge, bodies over the cap or nested too deep, invalid "
        "JSON, unsupported or ambiguous framing, bad chunks, bad request lines and "
        "headers; each sent as raw bytes to a simulator in this process. Then the "
        "simulator's CLI is stopped with SIGTERM while clients create sources, and "
        "started again on its state file.")
    c = section.counts
    statuses: Counter[int] = Counter()
    ths = test_module("test_simulator_hardening")
    stderr = io.StringIO()
    with contextlib.redirect_stderr(stderr):
        sim = Simulator(token=ths.TOKEN, timeout=0.5).start()
        try:
            for _what, data, how in malformed_requests():
                c["malformed"] += 1
                try:
                    status, _, body = ths.raw_request(sim, data, **how)
                except (OSError, ValueError, KeyError, IndexError):
                    c["no answer"] += 1
                    continue
                statuses[status] += 1
                try:
                    ths.assert_envelope(body)
                    c["in envelope"] += 1
                except (AssertionError, ValueError, KeyError, IndexError, TypeError):
                    pass
            after = requests.get(sim.base_url + "/sources", headers=ths.AUTH, timeout=10)
            c["serving after"] = after.status_code == 200
        finally:
            sim.stop()
    c["tracebacks"] = stderr.getvalue().count("Traceback")
    acked = _sigterm(c)
    by_status = ", ".join(f"{n} x {s}" for s, n in sorted(statuses.items()))
    section.row(f"Malformed requests ({c['malformed']}): answered, by status", by_status)
    section.row("... answered in the error envelope", f"{c['in envelope']} of {c['malformed']}")
    section.row("... tracebacks", c["tracebacks"])
    section.row("... still serving afterwards", "yes" if c["serving after"] else "no")
    section.row(f"SIGTERM while {CLIENTS} clients create, after {ACKS}+ acknowledged: "
                "exit status 0, no traceback", "yes" if c["clean stop"] else "no")
    section.row("... acknowledged creates missing after a restart on the state file",
                c["lost"])
    section.timing.append(f"SIGTERM case: {acked} creates acknowledged before the stop.")
    return section


def _sigterm(c: Any) -> int:
    """The graceful-stop test's scenario: its clients, its CLI wrapper and its reads."""
    ths = test_module("test_simulator_hardening")
    acked: list[str] = []
    lock, enough = threading.Lock(), threading.Event()
    with tempfile.TemporaryDirectory() as tmp:
        state_file = str(Path(tmp) / "state.json")
        started = [ths.Cli("--state-file", state_file)]
        server = started[0]

        def client(n: int) -> None:
            # Half keep their connection open between requests, half connect every time.
            session: Any = requests.Session() if n % 2 else requests
            for i in range(20_000):
                try:
                    r = ths.new_source(server.url, f"c{n}-{i}", session)
                except requests.RequestException:
                    return  # the server has stopped
                if r.status_code == 201:
                    with lock:
                        acked.append(r.json()["data"]["source"]["id"])
                        if len(acked) >= ACKS:
                            enough.set()

        threads = [threading.Thread(target=client, args=(n,)) for n in range(CLIENTS)]
        try:
            for t in threads:
                t.start()
            c["enough acked"] = enough.wait(timeout=60)
            status, err = server.stop(signal.SIGTERM)
            for t in threads:
                t.join(timeout=60)
            c["clean stop"] = status == 0 and "Traceback" not in err
            started.append(ths.Cli("--state-file", state_file))
            kept = ths.source_ids(started[-1].url)
            c["lost"] = len(set(acked) - kept)
            _, err = started[-1].stop()
            c["tracebacks"] += err.count("Traceback")
        finally:
            for one in started:
                one.kill()
    return len(acked)
