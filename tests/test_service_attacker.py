"""No input, header or setting a caller controls can send a token anywhere but the
operator's base URL: a second loopback server plays the attacker and must hear nothing."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest
import requests

from connector.service.embedded import EmbeddedService
from connector.simulator import Simulator

pytestmark = pytest.mark.security


class Attacker:
    """A loopback HTTP server that records every request it receives."""

    def __init__(self) -> None:
        self.seen: list[tuple[str, str, dict[str, str]]] = []
        seen = self.seen

        class Handler(BaseHTTPRequestHandler):
            def _record(self) -> None:
                seen.append((self.command, self.path, dict(self.headers)))
                self.send_response(200)
                self.send_header("Content-Length", "2")
                self.end_headers()
                self.wfile.write(b"{}")

            do_GET = do_POST = do_PUT = do_PATCH = do_DELETE = _record

            def log_message(self, format: str, *args: Any) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.port = self.server.server_address[1]
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def __enter__(self) -> Attacker:
        self.thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def attacker() -> Iterator[Attacker]:
    with Attacker() as server:
        yield server


def _raw(service: EmbeddedService, sim: Simulator, url: str, **inputs: Any
         ) -> requests.Response:
    return requests.post(service.url + "/v1/actions/rawRequest/run",
                         json={"inputs": {"url": url, "method": "GET", **inputs}},
                         headers={"X-Segment-Token": sim.token}, timeout=30)


def test_no_request_reaches_another_host(service: EmbeddedService, sim: Simulator,
                                         attacker: Attacker) -> None:
    host = f"127.0.0.1:{attacker.port}"
    refused_urls = [f"http://{host}/steal", f"https://{host}/steal", f"//{host}/steal",
                    f"%2F%2F{host}/steal", f"http://api.segmentapis.com@{host}/steal",
                    f"http:\\\\{host}\\steal", f"HTTP://{host}/steal",
                    f"http://localhost:{attacker.port}/steal",
                    f"http://[::ffff:127.0.0.1]:{attacker.port}/steal"]
    for url in refused_urls:
        got = _raw(service, sim, url)
        assert got.status_code == 422 and "url" in got.json()["fields"], url
    # A Segment host's URL goes to the configured base URL, path kept.
    rebased = _raw(service, sim, "https://api.segmentapis.com/echo?message=hi")
    assert rebased.status_code == 200 and rebased.json()["data"]["data"]["message"] == "hi"
    for headers in ({"Host": host}, {"host": host}):
        got = _raw(service, sim, "/echo", headers=headers)
        assert got.status_code == 422
    # A region, in the inputs or the header, cannot move a call off the base URL.
    for region in ("eu1.api", "api"):
        got = requests.post(service.url + "/v1/actions/getWorkspace/run",
                            json={"inputs": {"region": region}},
                            headers={"X-Segment-Token": sim.token,
                                     "X-Segment-Region": region}, timeout=30)
        assert got.status_code == 200
    # Headers naming another base URL or host, to the service itself, are not read.
    for headers in ({"X-Segment-Base-Url": f"http://{host}"},
                    {"X-Forwarded-Host": host, "Forwarded": f"host={host}"}):
        got = requests.post(service.url + "/v1/check",
                            headers={"X-Segment-Token": sim.token, **headers}, timeout=30)
        assert got.status_code == 200 and got.json()["baseUrl"] == sim.base_url
    # A Host the service does not serve is refused before anything runs.
    got = requests.post(service.url + "/v1/check",
                        headers={"X-Segment-Token": sim.token, "Host": host}, timeout=30)
    assert got.status_code == 403 and got.json()["code"] == "host"
    unknown = requests.post(service.url + "/v1/actions/getWorkspace/run",
                            json={"inputs": {"baseUrl": f"http://{host}"}},
                            headers={"X-Segment-Token": sim.token}, timeout=30)
    assert unknown.status_code == 422 and "baseUrl" in unknown.json()["fields"]
    picked = requests.post(service.url + "/v1/picklists/sources",
                           json={"inputs": {"region": "eu1.api"}},
                           headers={"X-Segment-Token": sim.token}, timeout=30)
    assert picked.status_code == 200
    assert attacker.seen == []


def test_the_attacker_would_have_been_heard(attacker: Attacker) -> None:
    # The listener works: a request sent to it directly is recorded.
    requests.get(f"http://127.0.0.1:{attacker.port}/probe", timeout=5)
    assert [(m, p) for m, p, _ in attacker.seen] == [("GET", "/probe")]
