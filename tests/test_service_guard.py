"""Requests not meant for the service are refused before anything runs: a Host it does not
serve (DNS rebinding), a page of another origin, a cross-site fetch, a body that is not
JSON; the simulator's server-side profile serves only requests no page could forge; every
answer carries the headers that keep other pages from framing or sniffing it."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import urlsplit

import pytest
import requests
from service_support import registry, settings

from connector.errors import InputError
from connector.service.embedded import EmbeddedService
from connector.service.guard import Authority, browser_could_forge
from connector.service.settings import load
from connector.simulator import Simulator

pytestmark = pytest.mark.security
JAVASCRIPT = "IqDTy1TpoU"


@pytest.fixture(scope="module")
def open_service(sim: Simulator) -> Iterator[EmbeddedService]:
    """No keys, and calls without credentials use the simulator's profile, as
    `serve --simulator` runs; `proxy.example.com` is a configured name."""
    simulated = settings(sim, profiles={"simulator": {"token": sim.token}},
                         default_profile="simulator", hosts=("proxy.example.com",))
    with EmbeddedService(simulated, registry=registry()) as svc:
        yield svc


def _port(svc: EmbeddedService) -> int:
    return urlsplit(svc.url).port or 0


def _sources(sim: Simulator) -> set[str]:
    return {source["slug"] for source in sim.state["sources"].values()}


def _create(svc: EmbeddedService, slug: str, **headers: str) -> requests.Response:
    return requests.post(svc.url + "/v1/actions/createSource/run", timeout=30,
                         json={"inputs": {"slug": slug, "metadataId": JAVASCRIPT}},
                         headers=headers)


def test_a_host_the_service_does_not_serve_is_refused(open_service: EmbeddedService,
                                                      sim: Simulator) -> None:
    port = _port(open_service)
    for host in (f"attacker.example:{port}", "attacker.example", f"localhost.attacker:{port}",
                 f"127.0.0.1.nip.io:{port}", f"localhost:{port + 1}", "localhost",
                 f"[::2]:{port}", f"10.1.2.3:{port}", "", "a b", f"127.0.0.1:{port}:1"):
        got = _create(open_service, "rebound", Host=host)
        assert got.status_code == 403 and got.json()["code"] == "host", host
        assert requests.get(open_service.url + "/v1/manifest", headers={"Host": host},
                            timeout=30).status_code == 403
    assert "rebound" not in _sources(sim)
    # Its own names, its address, and a configured name are served.
    for host in (f"127.0.0.1:{port}", f"localhost:{port}", f"LOCALHOST:{port}",
                 "proxy.example.com", f"proxy.example.com:{port}"):
        got = requests.get(open_service.url + "/v1/manifest", headers={"Host": host},
                           timeout=30)
        assert got.status_code == 200, host
    assert requests.get(open_service.url + "/v1/manifest", timeout=30,
                        headers={"Host": "proxy.example.com:1"}).status_code == 403


def test_a_request_with_two_hosts_is_refused_whichever_comes_first(
        open_service: EmbeddedService, sim: Simulator) -> None:
    """A second Host (a proxy in front may read the last) is never read past."""
    import socket

    port = _port(open_service)
    body = json.dumps({"inputs": {"slug": "two-hosts", "metadataId": JAVASCRIPT}}).encode()
    for hosts in ((f"127.0.0.1:{port}", "attacker.example"),
                  ("attacker.example", f"127.0.0.1:{port}")):
        with socket.create_connection(("127.0.0.1", port), timeout=30) as conn:
            conn.sendall(b"POST /v1/actions/createSource/run HTTP/1.1\r\n"
                         + b"".join(b"Host: %s\r\n" % h.encode() for h in hosts)
                         + b"Content-Type: application/json\r\nConnection: close\r\n"
                         + b"Content-Length: %d\r\n\r\n" % len(body) + body)
            status = conn.recv(64).split(b"\r\n")[0]
        assert status.split()[1] in (b"400", b"403"), (hosts, status)
    assert "two-hosts" not in _sources(sim)


def test_a_page_of_another_origin_is_refused_on_every_method(
        open_service: EmbeddedService, sim: Simulator) -> None:
    port = _port(open_service)
    own = f"http://127.0.0.1:{port}"
    for origin in ("https://attacker.example", f"http://127.0.0.1:{port + 1}",
                   f"http://localhost:{port}", f"https://127.0.0.1:{port}", "null",
                   f"http://127.0.0.1:{port}.attacker.example", "garbage",
                   f"http://user@127.0.0.1:{port}", f"{own}/path"):
        got = _create(open_service, "cross-site", Origin=origin)
        assert got.status_code == 403 and got.json()["code"] == "origin", origin
        for method in ("GET", "HEAD", "OPTIONS", "DELETE"):
            answered = requests.request(method, open_service.url + "/v1/manifest",
                                        headers={"Origin": origin}, timeout=30)
            assert answered.status_code == 403, (method, origin)
            assert "access-control-allow-origin" not in answered.headers
    assert "cross-site" not in _sources(sim)
    # The service's own pages, and a configured name's, may call it.
    assert _create(open_service, "own-page", Origin=own).status_code == 200
    assert _create(open_service, "proxied", Origin="https://proxy.example.com").status_code \
        == 200
    assert {"own-page", "proxied"} <= _sources(sim)


def test_cross_site_fetches_without_an_origin_are_refused(
        open_service: EmbeddedService) -> None:
    url = open_service.url + "/v1/manifest"
    for site in ("cross-site", "same-site"):
        for mode, dest in (("no-cors", "script"), ("cors", "empty"), ("navigate", "iframe")):
            got = requests.get(url, timeout=30, headers={
                "Sec-Fetch-Site": site, "Sec-Fetch-Mode": mode, "Sec-Fetch-Dest": dest})
            assert got.status_code == 403, (site, mode, dest)
        # A link followed to one of its pages is a page load: it opens.
        got = requests.get(open_service.url + "/", timeout=30, headers={
            "Sec-Fetch-Site": site, "Sec-Fetch-Mode": "navigate", "Sec-Fetch-Dest": "document"})
        assert got.status_code == 200
    for site in ("same-origin", "none"):
        assert requests.get(url, headers={"Sec-Fetch-Site": site}, timeout=30).ok


def test_a_body_that_is_not_json_is_refused_before_it_is_read(
        open_service: EmbeddedService, sim: Simulator) -> None:
    text = json.dumps({"inputs": {"slug": "plain-post", "metadataId": JAVASCRIPT}})
    url = open_service.url + "/v1/actions/createSource/run"
    for kind in ("text/plain", "application/x-www-form-urlencoded", "multipart/form-data",
                 None, "application/jsonx", "text/json"):
        headers = {"X-Segment-Token": sim.token}
        if kind is not None:
            headers["Content-Type"] = kind
        got = requests.post(url, data=text.encode(), headers=headers, timeout=30)
        assert got.status_code == 415 and got.json()["code"] == "content_type", kind
    assert "plain-post" not in _sources(sim)
    for slug, kind in (("json-post", "application/json; charset=utf-8"),
                       ("patch-json-post", "application/merge-patch+json")):
        got = requests.post(url, data=text.replace("plain-post", slug).encode(),
                            headers={"X-Segment-Token": sim.token, "Content-Type": kind},
                            timeout=30)
        assert got.status_code == 200, kind


def test_the_default_profile_serves_only_requests_no_page_could_forge(
        open_service: EmbeddedService, sim: Simulator) -> None:
    check = open_service.url + "/v1/check"
    # No body, no header a page would need a preflight for: no credentials.
    bare = requests.post(check, timeout=30)
    assert bare.status_code == 401 and bare.json()["code"] == "no_credentials"
    assert "application/json" in bare.json()["detail"]
    forms = requests.post(check, timeout=30,
                          headers={"Content-Type": "text/plain", "Accept": "*/*"})
    assert forms.status_code == 401
    # JSON, or any X- header, needs a preflight, which the service never grants.
    assert requests.post(check, json={}, timeout=30).status_code == 200
    assert requests.post(check, headers={"X-Requested-With": "flow"}, timeout=30).ok
    assert browser_could_forge({"accept": "*/*", "content-type": "text/plain; charset=x"})
    assert not browser_could_forge({"authorization": "Bearer k"})
    assert not browser_could_forge({"content-type": "application/json"})


def test_every_answer_refuses_framing_and_sniffing(open_service: EmbeddedService) -> None:
    port = _port(open_service)
    answers = {path: requests.get(open_service.url + path, timeout=30)
               for path in ("/", "/docs", "/v1/manifest", "/openapi.json", "/healthz",
                            "/static/playground.js", "/no-such-page")}
    answers["refused"] = requests.get(open_service.url + "/",
                                      headers={"Host": f"x.example:{port}"}, timeout=30)
    for path, got in answers.items():
        assert got.headers["x-frame-options"] == "DENY", path
        assert got.headers["x-content-type-options"] == "nosniff", path
        assert got.headers["cross-origin-resource-policy"] == "same-origin", path
        policy = got.headers["content-security-policy"]
        assert "frame-ancestors 'none'" in policy, path
    # The playground's own policy, as its page states it; nothing from another host.
    page = answers["/"].headers["content-security-policy"]
    assert "script-src 'self';" in page and "connect-src 'self'" in page
    assert page.count("frame-ancestors") == 1
    # The docs page: scripts from this service only, never any inline script.
    docs = answers["/docs"].headers["content-security-policy"]
    scripts = docs.split("script-src")[1].split(";")[0]
    assert scripts.strip() == "'self'" and docs.count("frame-ancestors 'none'") == 1
    assert answers["/v1/manifest"].headers["content-security-policy"] == \
        "default-src 'none'; frame-ancestors 'none'"


def test_host_names_are_checked_where_they_are_set(tmp_path: Path) -> None:
    config = tmp_path / "service.toml"
    config.write_text('[service]\nhosts = ["a.example"]\n', encoding="utf-8")
    assert load(config, environ={}, hosts=["b.example"]).hosts == ("a.example", "b.example")
    config.write_text('[service]\nhosts = ["a.example", "*"]\n', encoding="utf-8")
    with pytest.raises(InputError) as caught:
        load(config, environ={})
    assert list(caught.value.fields) == ["service.hosts[2]"]
    assert load(environ={}, hosts=["Connector.Example.com", "10.0.0.5:8000",
                                   "[::1]:9"]).hosts == (
        "connector.example.com", "10.0.0.5:8000", "[::1]:9")
    for bad in ("*.example.com", "http://x.example", "x.example:0", "x.example:99999",
                "[::g]", "x.example/path", ""):
        with pytest.raises(InputError) as caught:
            load(environ={}, hosts=[bad])
        assert list(caught.value.fields) == ["--allow-host[1]"], bad
    assert Authority.parse("[::1]:8000") == Authority("[::1]", 8000)
    assert Authority.parse("[::1]x") is None


def test_allow_host_flags_reach_the_settings() -> None:
    import argparse

    from connector.service import cli

    parser = argparse.ArgumentParser()
    cli.add_arguments(parser)
    args = parser.parse_args(["--allow-host", "a.example", "--allow-host", "B.example:9"])
    assert cli.settings_from(args).hosts == ("a.example", "b.example:9")
    with pytest.raises(InputError) as caught:
        cli.settings_from(parser.parse_args(["--allow-host", "http://a.example"]))
    assert list(caught.value.fields) == ["--allow-host[1]"]


def test_the_lowest_versions_allowed_have_no_known_forgery_flaw() -> None:
    from lowest_versions import minimums
    from packaging.version import Version

    lowest = minimums(["serve"])
    # FastAPI before 0.132.0 reads a body sent with no Content-Type as JSON (a page's
    # fetch with a Blob body, no preflight); Starlette before 0.49.1 parses Range headers
    # in quadratic time (its StaticFiles serve the playground).
    assert Version(lowest["fastapi"]) >= Version("0.132.0")
    assert Version(lowest["starlette"]) >= Version("0.49.1")
