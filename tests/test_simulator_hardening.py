"""The simulator under hostile clients and signals: graceful stop, malformed requests,
start-up errors. Servers run on loopback (in-process or as a CLI subprocess) and are stopped."""

from __future__ import annotations

import contextlib
import errno
import http.client
import json
import os
import signal
import socket
import stat
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
import requests

from connector import files
from connector.simulator import Faults, Simulator
from connector.simulator.errors import ListenError, StateFileError
from connector.simulator.server import MAX_BODY_BYTES

CLI = [sys.executable, "-m", "connector.cli", "simulator"]
TOKEN = "sgp_" + "h" * 64
AUTH = {"Authorization": f"Bearer {TOKEN}"}
JS = "IqDTy1TpoU"  # a source type in the simulator's catalogue


# Helpers -------------------------------------------------------------------
class Cli:
    """`segment-connector simulator` as a subprocess on a free loopback port."""

    def __init__(self, *args: str) -> None:
        self.proc = subprocess.Popen([*CLI, "--port", "0", "--token", TOKEN, *args],
                                     stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        assert self.proc.stdout is not None
        first = self.proc.stdout.readline()
        if not first:
            self.proc.wait(timeout=30)
            raise AssertionError(f"simulator did not start: {self.proc.stderr.read()}")  # type: ignore[union-attr]
        self.url = first.split()[-1]
        assert self.proc.stdout.readline().strip() == f"Token: {TOKEN}"

    def stop(self, sig: int = signal.SIGTERM) -> tuple[int, str]:
        """Send `sig`, wait for the exit; (status, stderr)."""
        self.proc.send_signal(sig)
        _, err = self.proc.communicate(timeout=30)
        return self.proc.returncode, err

    def kill(self) -> None:
        if self.proc.poll() is None:
            self.proc.kill()
            self.proc.communicate(timeout=30)


@pytest.fixture
def cli() -> Iterator[Callable[..., Cli]]:
    started: list[Cli] = []

    def start(*args: str) -> Cli:
        started.append(Cli(*args))
        return started[-1]

    yield start
    for one in started:
        one.kill()


def run_cli(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([*CLI, *args], capture_output=True, text=True, timeout=60)


def new_source(url: str, slug: str, session: Any = requests) -> requests.Response:
    return session.post(url + "/sources", headers=AUTH, timeout=10,
                        json={"slug": slug, "enabled": True, "metadataId": JS})


def source_ids(url: str) -> set[str]:
    """Every source id, following pages."""
    ids: set[str] = set()
    cursor = None
    while True:
        params = {"pagination.count": "1000"} | ({"pagination.cursor": cursor} if cursor else {})
        r = requests.get(url + "/sources", headers=AUTH, params=params, timeout=10)
        assert r.status_code == 200, r.text
        data = r.json()["data"]
        ids |= {s["id"] for s in data["sources"]}
        cursor = data["pagination"].get("next")
        if cursor is None:
            return ids


def stored_ids(path: Path, collection: str = "sources") -> set[str]:
    return set(json.loads(path.read_text())["data"][collection])


def raw_request(sim: Simulator | str, data: bytes, close_write: bool = False,
                send_in_background: bool = False) -> tuple[int, dict[str, str], bytes]:
    """Send raw bytes to a simulator (or a base URL), read until the server closes;
    (status, headers, body)."""
    if isinstance(sim, str):
        host, port = sim.removeprefix("http://").split(":")
        address = (host, int(port))
    else:
        address = (sim.host, sim.port)
    with socket.create_connection(address, timeout=20) as sock:
        sender = None
        if send_in_background:  # a body the server may refuse before reading it all
            def send() -> None:
                with contextlib.suppress(OSError):  # refused early: the rest is dropped
                    sock.sendall(data)
            sender = threading.Thread(target=send)
            sender.start()
        else:
            sock.sendall(data)
        if close_write:
            sock.shutdown(socket.SHUT_WR)
        chunks = []
        while chunk := sock.recv(65536):
            chunks.append(chunk)
        if sender is not None:
            sender.join(timeout=20)
    head, _, body = b"".join(chunks).partition(b"\r\n\r\n")
    lines = head.decode("latin-1").split("\r\n")
    headers = dict(line.split(": ", 1) for line in lines[1:])
    return int(lines[0].split()[1]), headers, body[: int(headers["Content-Length"])]


def assert_envelope(body: bytes) -> dict[str, Any]:
    doc = json.loads(body)
    assert set(doc) == {"errors"} and doc["errors"][0]["type"] and doc["errors"][0]["message"]
    return doc["errors"][0]


def post_head(length: str, extra: str = "") -> bytes:
    return (f"POST /labels HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer {TOKEN}\r\n"
            f"Content-Type: application/json\r\nContent-Length: {length}\r\n{extra}\r\n").encode()


@pytest.fixture
def sim(simulator_factory: Callable[..., Simulator]) -> Simulator:
    # A short timeout, so a body that never arrives is refused quickly.
    return simulator_factory(token=TOKEN, timeout=0.5)


# 1. Graceful stop ------------------------------------------------------------
def test_sigterm_keeps_every_acknowledged_write(tmp_path: Path, cli: Callable[..., Cli]) -> None:
    state_file = tmp_path / "state.json"
    server = cli("--state-file", str(state_file))
    acked: list[str] = []
    lock = threading.Lock()
    enough = threading.Event()

    def client(n: int) -> None:
        # Half keep their connection open between requests, half connect every time.
        session: Any = requests.Session() if n % 2 else requests
        for i in range(20_000):
            try:
                r = new_source(server.url, f"c{n}-{i}", session)
            except requests.RequestException:
                return  # the server has stopped
            if r.status_code == 201:
                with lock:
                    acked.append(r.json()["data"]["source"]["id"])
                    if len(acked) >= 60:
                        enough.set()

    threads = [threading.Thread(target=client, args=(n,)) for n in range(6)]
    for t in threads:
        t.start()
    try:
        assert enough.wait(timeout=60)
        status, err = server.stop(signal.SIGTERM)
    finally:
        for t in threads:
            t.join(timeout=60)
    assert status == 0 and "Traceback" not in err
    assert stat.S_IMODE(state_file.stat().st_mode) == 0o600
    assert [p.name for p in tmp_path.iterdir()] == ["state.json"]  # no temp file left

    again = cli("--state-file", str(state_file))
    kept = source_ids(again.url)
    assert set(acked) <= kept
    # New ids after a restart do not reuse the ones already stored.
    r = new_source(again.url, "after-restart")
    assert r.status_code == 201 and r.json()["data"]["source"]["id"] not in kept
    assert len(source_ids(again.url)) == len(kept) + 1


def test_sigkill_keeps_acknowledged_writes(tmp_path: Path, cli: Callable[..., Cli]) -> None:
    state_file = tmp_path / "state.json"
    server = cli("--state-file", str(state_file))
    ids = []
    for i in range(3):
        r = new_source(server.url, f"k{i}")
        assert r.status_code == 201
        ids.append(r.json()["data"]["source"]["id"])
    server.stop(signal.SIGKILL)  # no chance to save at exit: each write was saved before its 201
    assert set(ids) <= stored_ids(state_file)


def test_stop_lets_a_request_in_flight_answer(tmp_path: Path) -> None:
    state_file = tmp_path / "state.json"
    sim = Simulator(token=TOKEN, state_file=state_file, stop_timeout=30).start()
    result: dict[str, requests.Response] = {}

    def slow_write() -> None:
        result["r"] = requests.post(sim.base_url + "/labels", timeout=30,
                                    headers={**AUTH, "X-Simulator-Fault": "latency=300"},
                                    json={"label": {"key": "env", "value": "slow"}})

    writer = threading.Thread(target=slow_write)
    writer.start()
    for _ in range(2000):  # the fault is planned once the request is being handled
        if sim.injected["latency"]:
            break
        time.sleep(0.005)
    assert sim.injected["latency"] == 1
    port = sim.port
    assert sim.stop() is True  # every request in flight answered
    writer.join(timeout=30)
    r = result["r"]
    assert r.status_code == 201
    assert "env:slow" in stored_ids(state_file, "labels")
    with pytest.raises(OSError):
        socket.create_connection(("127.0.0.1", port), timeout=5).close()  # nothing accepts


def test_stop_closes_idle_keep_alive_connections_at_once() -> None:
    sim = Simulator(token=TOKEN, stop_timeout=60).start()
    conn = http.client.HTTPConnection(sim.host, sim.port, timeout=20)
    try:
        conn.request("GET", "/sources", headers=AUTH)
        answer = conn.getresponse()
        assert answer.status == 200 and answer.read()
        # Idle now; a stop that waited for this connection would use up stop_timeout.
        assert sim.stop() is True
        assert conn.sock is not None and conn.sock.recv(1) == b""  # closed by the server
    finally:
        conn.close()


def test_write_after_the_final_save_is_not_acknowledged(tmp_path: Path,
                                                        simulator_factory: Callable[..., Simulator]
                                                        ) -> None:
    state_file = tmp_path / "state.json"
    sim = simulator_factory(token=TOKEN, state_file=state_file)
    assert sim.store is not None
    sim.store.close()  # as a stop does once requests in flight had their time
    before = state_file.read_bytes()
    r = new_source(sim.base_url, "late")
    assert r.status_code == 503 and assert_envelope(r.content)["type"] == "server-error"
    assert state_file.read_bytes() == before


def test_write_that_cannot_be_saved_is_not_acknowledged(tmp_path: Path,
                                                        simulator_factory: Callable[..., Simulator],
                                                        monkeypatch: pytest.MonkeyPatch,
                                                        capfd: pytest.CaptureFixture[str]) -> None:
    state_file = tmp_path / "state.json"
    sim = simulator_factory(token=TOKEN, state_file=state_file)
    assert new_source(sim.base_url, "kept").status_code == 201
    before = state_file.read_bytes()

    def full(fd: int) -> None:
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(files.os, "fsync", full)
    r = new_source(sim.base_url, "lost")
    assert r.status_code == 500 and "save" in assert_envelope(r.content)["message"]
    assert state_file.read_bytes() == before  # the old file is intact
    assert [p.name for p in tmp_path.iterdir()] == ["state.json"]
    monkeypatch.undo()
    err = capfd.readouterr().err
    assert "No space left on device" in err and "Traceback" not in err


def test_concurrent_writes_are_all_saved(tmp_path: Path,
                                         simulator_factory: Callable[..., Simulator]) -> None:
    state_file = tmp_path / "state.json"
    sim = simulator_factory(token=TOKEN, state_file=state_file)
    ids: list[str] = []

    def client(n: int) -> None:
        session = requests.Session()
        for i in range(25):
            r = new_source(sim.base_url, f"p{n}-{i}", session)
            assert r.status_code == 201
            ids.append(r.json()["data"]["source"]["id"])

    threads = [threading.Thread(target=client, args=(n,)) for n in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=60)
    assert len(ids) == 200 and set(ids) == stored_ids(state_file)  # before any stop


def test_state_file_is_owner_only_even_if_it_was_not(tmp_path: Path) -> None:
    state_file = tmp_path / "state.json"
    with Simulator(state_file=state_file):
        pass
    state_file.chmod(0o644)
    with Simulator(token=TOKEN, state_file=state_file) as sim:
        assert new_source(sim.base_url, "x").status_code == 201
        assert stat.S_IMODE(state_file.stat().st_mode) == 0o600


# 2. Malformed requests ---------------------------------------------------------
@pytest.mark.parametrize("length", ["abc", "-5", "5 5", "0x10", "+7", "\uff11\uff12"])
def test_content_length_not_a_number_gives_400(sim: Simulator, length: str) -> None:
    status, headers, body = raw_request(sim, post_head(length) + b"{}")
    assert status == 400 and headers["Connection"] == "close"
    assert "Content-Length" in assert_envelope(body)["message"]


def test_conflicting_content_lengths_give_400(sim: Simulator) -> None:
    status, _, body = raw_request(sim, post_head("2", "Content-Length: 3\r\n") + b"{}")
    assert status == 400 and assert_envelope(body)


@pytest.mark.parametrize("close_write", [False, True], ids=["client-waits", "client-closes"])
def test_body_shorter_than_content_length_gives_400(sim: Simulator, close_write: bool) -> None:
    # With the client waiting, the server gives up after its timeout (0.5 s here).
    status, _, body = raw_request(sim, post_head("100") + b'{"label":', close_write)
    assert status == 400 and "9 of 100 bytes" in assert_envelope(body)["message"]


def test_huge_content_length_gives_413_unread(sim: Simulator) -> None:
    status, _, body = raw_request(sim, post_head("99999999999999999999"))
    assert status == 413 and assert_envelope(body)["type"] == "payload-too-large"


def test_oversized_body_gives_413(sim: Simulator) -> None:
    size = MAX_BODY_BYTES + 1024
    data = post_head(str(size)) + b'{"label": {"key": "' + b"x" * (size - 20) + b'"}}'
    status, _, body = raw_request(sim, data, send_in_background=True)
    assert status == 413 and str(MAX_BODY_BYTES) in assert_envelope(body)["message"]


def test_oversized_body_with_requests_gets_the_413(sim: Simulator) -> None:
    # The server drains what the client still sends, so the client reads the answer
    # instead of a connection reset.
    r = requests.post(sim.base_url + "/labels", headers=AUTH, timeout=30,
                      data=b"[" + b"1," * (MAX_BODY_BYTES // 2) + b"1]")
    assert r.status_code == 413 and assert_envelope(r.content)


def test_expect_100_continue_refuses_a_body_too_large_before_it_is_sent(sim: Simulator) -> None:
    status, _, body = raw_request(sim, post_head(str(MAX_BODY_BYTES + 1),
                                                 "Expect: 100-continue\r\n"))
    assert status == 413 and assert_envelope(body)


@pytest.mark.parametrize("depth", [65, 5000, 200_000])
def test_deeply_nested_body_gives_422(sim: Simulator, depth: int) -> None:
    nested = "[" * depth + "]" * depth
    r = requests.post(sim.base_url + "/labels", headers={**AUTH, "Content-Type":
                                                         "application/json"},
                      data=f'{{"label": {{"key": "k", "value": {nested}}}}}', timeout=10)
    # 422: the API's documented answer to an invalid input (it documents no 400 here).
    assert r.status_code == 422 and "deeper" in assert_envelope(r.content)["message"]


def test_nesting_within_the_limit_is_accepted(sim: Simulator) -> None:
    nested: Any = "v"
    for _ in range(60):
        nested = {"n": nested}
    r = requests.post(sim.base_url + "/sources", headers=AUTH, timeout=10,
                      json={"slug": "deep", "enabled": True, "metadataId": JS,
                            "settings": {"deep": nested}})
    assert r.status_code == 201, r.text


def test_invalid_json_gives_422(sim: Simulator) -> None:
    r = requests.post(sim.base_url + "/labels", headers={**AUTH, "Content-Type":
                                                         "application/json"},
                      data=b'{"label": {"key": ', timeout=10)
    error = assert_envelope(r.content)
    assert r.status_code == 422 and error["message"] == "Body is not valid JSON"
    assert error["field"] == "body"


def test_chunked_body_is_read(sim: Simulator) -> None:
    payload = json.dumps({"label": {"key": "env", "value": "chunked"}}).encode()
    chunks = b"".join(b"%x\r\n%s\r\n" % (len(part), part) for part in
                      (payload[:10], payload[10:]))
    head = (f"POST /labels HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer {TOKEN}\r\n"
            "Content-Type: application/json\r\nTransfer-Encoding: chunked\r\n"
            "Connection: close\r\n\r\n").encode()
    status, _, body = raw_request(sim, head + chunks + b"0\r\n\r\n")
    assert status == 201 and json.loads(body)["data"]["label"]["value"] == "chunked"


def test_chunked_body_from_requests_is_read(sim: Simulator) -> None:
    parts = [b'{"label": {"key": "env", ', b'"value": "generated"}}']
    r = requests.post(sim.base_url + "/labels", headers={**AUTH, "Content-Type":
                                                         "application/json"},
                      data=iter(parts), timeout=10)
    assert r.status_code == 201


@pytest.mark.parametrize(("framing", "status"), [
    ("Transfer-Encoding: gzip\r\n", 501),
    ("Transfer-Encoding: gzip, chunked\r\n", 501),
    ("Transfer-Encoding: chunked\r\nContent-Length: 5\r\n", 400),
])
def test_unsupported_or_ambiguous_framing_is_refused(sim: Simulator, framing: str,
                                                     status: int) -> None:
    head = (f"POST /labels HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer {TOKEN}\r\n{framing}"
            "\r\n").encode()
    got, headers, body = raw_request(sim, head + b"5\r\nhello\r\n0\r\n\r\n")
    assert got == status and headers["Connection"] == "close" and assert_envelope(body)


@pytest.mark.parametrize("chunks", [b"zz\r\n{}\r\n0\r\n\r\n", b"2\r\n{}XX0\r\n\r\n",
                                    b"5\r\n{}", b"%x\r\n" % (MAX_BODY_BYTES + 1)])
def test_bad_chunked_body_is_refused(sim: Simulator, chunks: bytes) -> None:
    head = (f"POST /labels HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer {TOKEN}\r\n"
            "Transfer-Encoding: chunked\r\n\r\n").encode()
    status, _, body = raw_request(sim, head + chunks)
    assert status in (400, 413) and assert_envelope(body)


@pytest.mark.parametrize(("request_bytes", "status"), [
    (b"GARBAGE\r\n\r\n", 400),
    (b"GET /sources HTTP/9.9\r\n\r\n", 505),
    (b"BREW /pot HTTP/1.1\r\nHost: x\r\n\r\n", 401),  # any method is routed: auth first
    (b"GET /" + b"a" * 70_000 + b" HTTP/1.1\r\n\r\n", 414),
    (b"GET / HTTP/1.1\r\nX-Long: " + b"a" * 70_000 + b"\r\n\r\n", 431),
    (b"GET / HTTP/1.1\r\n" + b"X-Many: 1\r\n" * 200 + b"\r\n", 431),
])
def test_bad_request_line_or_headers_get_the_envelope(sim: Simulator, request_bytes: bytes,
                                                      status: int) -> None:
    got, _, body = raw_request(sim, request_bytes)
    assert got == status and assert_envelope(body)


@pytest.mark.parametrize("method", ["OPTIONS", "TRACE", "QUERY", "PUT", "BREW"])
def test_an_undeclared_method_is_405_with_allow(sim: Simulator, method: str) -> None:
    # Not 501: a 5xx is what retrying clients retry.
    r = requests.request(method, sim.base_url + "/sources", headers=AUTH, timeout=10)
    assert r.status_code == 405 and r.headers["Allow"] == "GET, POST"
    assert assert_envelope(r.content)["type"] == "method-not-allowed"
    r = requests.request(method, sim.base_url + "/no/such/path", headers=AUTH, timeout=10)
    assert r.status_code == 404


def test_head_gets_the_405_without_a_body(sim: Simulator) -> None:
    status, headers, body = raw_request(
        sim, f"HEAD /sources HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer {TOKEN}\r\n\r\n"
        .encode())
    assert status == 405 and headers["Allow"] == "GET, POST" and body == b""


def test_incomplete_request_gets_no_answer(sim: Simulator) -> None:
    # Headers cut short by the end of input are not a request to act on.
    with socket.create_connection((sim.host, sim.port), timeout=20) as sock:
        sock.sendall(f"DELETE /labels/a/b HTTP/1.1\r\nAuthorization: Bearer {TOKEN}\r\nX-Par"
                     .encode())
        sock.shutdown(socket.SHUT_WR)
        assert sock.recv(65536) == b""


def test_hostile_clients_leave_the_server_serving(sim: Simulator,
                                                  capfd: pytest.CaptureFixture[str]) -> None:
    slow = socket.create_connection((sim.host, sim.port), timeout=20)
    slow.sendall(b"POST /labels HTTP/1.1\r\nContent-Length: 50\r\n\r\n{")  # and then nothing
    for data in (post_head("nope"), post_head("999999999999"), b"\x00\xff\r\n\r\n",
                 f"GET /echo?message=m&delay=%C2%B2&statusCode=%C2%B2 HTTP/1.1\r\n"
                 f"Authorization: Bearer {TOKEN}\r\nConnection: close\r\n\r\n".encode()):
        raw_request(sim, data)
    r = requests.get(sim.base_url + "/sources", headers=AUTH, timeout=10)
    assert r.status_code == 200
    slow.close()
    assert "Traceback" not in capfd.readouterr().err


def test_cli_serves_on_after_malformed_requests_without_tracebacks(
        tmp_path: Path, cli: Callable[..., Cli]) -> None:
    server = cli("--state-file", str(tmp_path / "state.json"))
    for data in (post_head("-1"), post_head("99999999999999"), b"GARBAGE\r\n\r\n",
                 post_head("2", "Transfer-Encoding: chunked\r\n") + b"{}"):
        status, _, body = raw_request(server.url, data)
        assert status in (400, 413) and assert_envelope(body)
    r = requests.post(server.url + "/labels", headers=AUTH, timeout=10,
                      data="[" * 10_000 + "]" * 10_000)
    assert r.status_code == 422
    assert new_source(server.url, "still-here").status_code == 201
    status, err = server.stop()
    assert status == 0 and "Traceback" not in err


@pytest.mark.parametrize("status_code", ["99999", "150", "0"])
def test_echo_refuses_a_status_that_is_no_http_status(sim: Simulator, status_code: str) -> None:
    r = requests.get(sim.base_url + "/echo", headers=AUTH, timeout=10,
                     params={"message": "m", "statusCode": status_code})
    assert r.status_code == 422 and assert_envelope(r.content)["field"] == "statusCode"


# 3. Start-up errors ----------------------------------------------------------------
GOOD_STATE = {"version": 1, "workspace": {"id": "w", "name": "W", "slug": "w"},
              "data": {"sources": {}}}

BAD_STATES = {
    "empty": b"",
    "not-json": b"this is not json",
    "truncated": json.dumps(GOOD_STATE).encode()[:30],
    "not-utf8": b'{"version": 1, "\xff": 1}',
    "too-deep": b"[" * 100_000 + b"]" * 100_000,
    "a-list": b"[]",
    "missing-keys": b'{"version": 1}',
    "wrong-version": json.dumps(GOOD_STATE | {"version": 2}).encode(),
    "version-true": json.dumps(GOOD_STATE | {"version": True}).encode(),
    "workspace-a-string": json.dumps(GOOD_STATE | {"workspace": "w"}).encode(),
    "workspace-id-a-number": json.dumps(
        GOOD_STATE | {"workspace": {"id": 1, "name": "W", "slug": "w"}}).encode(),
    "data-a-list": json.dumps(GOOD_STATE | {"data": []}).encode(),
    "collection-a-list": json.dumps(GOOD_STATE | {"data": {"sources": []}}).encode(),
    "record-a-string": json.dumps(GOOD_STATE | {"data": {"sources": {"a": "b"}}}).encode(),
    "relation-a-number": json.dumps(
        GOOD_STATE | {"data": {"warehouseSources": {"a": 1}}}).encode(),
    "unknown-collection": json.dumps(GOOD_STATE | {"data": {"gadgets": {}}}).encode(),
}


@pytest.mark.parametrize("content", BAD_STATES.values(), ids=BAD_STATES.keys())
def test_bad_state_file_is_a_typed_error_and_left_alone(tmp_path: Path, content: bytes) -> None:
    state_file = tmp_path / "state.json"
    state_file.write_bytes(content)
    with pytest.raises(StateFileError) as caught:
        Simulator(state_file=state_file)
    message = str(caught.value)
    assert str(state_file) in message and "\n" not in message
    assert caught.value.path == state_file
    assert state_file.read_bytes() == content
    assert [p.name for p in tmp_path.iterdir()] == ["state.json"]


def test_good_state_file_loads(tmp_path: Path) -> None:
    state_file = tmp_path / "state.json"
    state_file.write_text(json.dumps(GOOD_STATE))
    assert Simulator(state_file=state_file).state.workspace["id"] == "w"


@pytest.mark.parametrize("name", ["not-json", "truncated", "a-list", "collection-a-list"])
def test_cli_bad_state_file_is_one_line_and_exit_2(tmp_path: Path, name: str) -> None:
    state_file = tmp_path / "state.json"
    state_file.write_bytes(BAD_STATES[name])
    done = run_cli("--port", "0", "--state-file", str(state_file))
    assert done.returncode == 2 and done.stdout == ""
    lines = done.stderr.strip().splitlines()
    assert len(lines) == 1 and str(state_file) in lines[0], done.stderr
    assert state_file.read_bytes() == BAD_STATES[name]


def test_unusable_state_file_path_fails_at_start(tmp_path: Path) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("")
    with pytest.raises(StateFileError, match="cannot be read"):
        Simulator(state_file=blocker / "state.json")
    done = run_cli("--port", "0", "--state-file", str(blocker / "state.json"))
    lines = done.stderr.strip().splitlines()
    assert done.returncode == 2 and len(lines) == 1 and str(blocker) in lines[0]


def test_state_file_that_cannot_be_written_fails_at_start(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    def full(fd: int) -> None:
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(files.os, "fsync", full)
    sim = Simulator(state_file=tmp_path / "state.json")
    with pytest.raises(StateFileError, match="cannot be written"):
        sim.start()
    assert list(tmp_path.iterdir()) == []
    with pytest.raises(OSError):  # the port it had bound is closed again
        socket.create_connection(("127.0.0.1", sim.port), timeout=5).close()


@pytest.fixture
def busy_port() -> Iterator[int]:
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        yield taken.getsockname()[1]


def test_port_in_use_is_a_typed_error(busy_port: int) -> None:
    with pytest.raises(ListenError, match=f"127.0.0.1:{busy_port}"):
        Simulator(port=busy_port).start()


def test_cli_port_in_use_is_one_line_and_exit_2(busy_port: int) -> None:
    done = run_cli("--port", str(busy_port))
    assert done.returncode == 2
    lines = done.stderr.strip().splitlines()
    assert len(lines) == 1 and str(busy_port) in lines[0] and "in use" in lines[0]


@pytest.mark.parametrize(("option", "value"), [
    ("--fault-5xx", "1.5"), ("--fault-5xx", "nan"), ("--fault-429", "-0.1"),
    ("--drop-rate", "two"), ("--latency-ms", "-5"), ("--port", "70000"),
    ("--rate-limit", "0"), ("--time-scale", "0"),
])
def test_cli_option_out_of_range_is_one_line_naming_it(option: str, value: str) -> None:
    done = run_cli(option, value)
    assert done.returncode == 2
    lines = done.stderr.strip().splitlines()
    assert len(lines) == 1 and option in lines[0] and "Traceback" not in done.stderr


def test_cli_fault_probabilities_that_add_past_one_are_refused() -> None:
    done = run_cli("--fault-5xx", "0.7", "--fault-429", "0.6")
    assert done.returncode == 2 and "must not exceed 1" in done.stderr


@pytest.mark.parametrize("options", [
    {"error_5xx": 1.5}, {"error_429": -0.1}, {"drop_connection": float("nan")},
    {"fault_after_write": 2}, {"latency_ms": -1}, {"latency_ms": 0.5},
    {"error_5xx": 0.6, "drop_connection": 0.6},
])
def test_faults_refuse_values_out_of_range(options: dict[str, Any]) -> None:
    with pytest.raises(ValueError, match=next(iter(options))):
        Faults(**options)


@pytest.mark.parametrize("options", [{"port": 70000}, {"rate_limit": 0}, {"time_scale": 0},
                                     {"timeout": -1}, {"stop_timeout": float("inf")}])
def test_simulator_refuses_options_out_of_range(options: dict[str, Any]) -> None:
    with pytest.raises(ValueError, match=next(iter(options))):
        Simulator(**options)


@pytest.mark.parametrize("value", ["200", "302", "99999", "after-write=200", "latency=abc",
                                   "latency=999999999", "bogus", "503=1"])
def test_fault_header_accepts_only_error_statuses_and_known_faults(sim: Simulator,
                                                                   value: str) -> None:
    r = requests.get(sim.base_url + "/sources", headers={**AUTH, "X-Simulator-Fault": value},
                     timeout=10)
    assert r.status_code == 400
    assert assert_envelope(r.content)["field"] == "X-Simulator-Fault"


@pytest.mark.parametrize(("value", "status"), [("404", 404), ("429", 429), ("599", 599),
                                               ("after-write=502", 502)])
def test_fault_header_error_statuses_are_answered(sim: Simulator, value: str,
                                                  status: int) -> None:
    r = requests.post(sim.base_url + "/labels", headers={**AUTH, "X-Simulator-Fault": value},
                      json={"label": {"key": "k", "value": value}}, timeout=10)
    assert r.status_code == status and assert_envelope(r.content)


def test_state_files_are_written_atomically(tmp_path: Path) -> None:
    target = tmp_path / "s.json"
    files.write_atomically(target, '{"a": 1}', sync_dir=True)
    assert target.read_text() == '{"a": 1}'
    assert stat.S_IMODE(os.stat(target).st_mode) == 0o600
    assert [p.name for p in tmp_path.iterdir()] == ["s.json"]
