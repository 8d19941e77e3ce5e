"""The playground page's files, without a browser: served by the service with their types,
shipped as package data, asking nothing of another host, and keeping the credentials out
of the URL, storage and forms. (tests/test_playground_browser.py drives the page itself.)"""

from __future__ import annotations

import fnmatch
import re
import tomllib
from html.parser import HTMLParser
from pathlib import Path

import requests

from connector.service.app import STATIC
from connector.service.embedded import EmbeddedService

ROOT = Path(__file__).resolve().parent.parent
FILES = {"index.html": "text/html", "playground.js": "text/javascript",
         "playground.css": "text/css"}


class _Elements(HTMLParser):
    """Each start tag's name and attributes, with the names of the tags open around it."""

    def __init__(self) -> None:
        super().__init__()
        self.open: list[str] = []
        self.found: list[tuple[str, dict[str, str | None], tuple[str, ...]]] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.found.append((tag, dict(attrs), tuple(self.open)))
        if tag not in ("input", "link", "meta", "br", "img"):
            self.open.append(tag)

    def handle_endtag(self, tag: str) -> None:
        if tag in self.open:
            del self.open[len(self.open) - 1 - self.open[::-1].index(tag):]


def _elements() -> list[tuple[str, dict[str, str | None], tuple[str, ...]]]:
    parser = _Elements()
    parser.feed((STATIC / "index.html").read_text(encoding="utf-8"))
    return parser.found


def test_the_service_serves_the_page_and_its_assets(service: EmbeddedService,
                                                    http: requests.Session) -> None:
    page = http.get(service.url + "/")
    assert page.status_code == 200
    for tag, attrs, _ in _elements():
        if tag == "script" or (tag == "link" and attrs.get("rel") == "stylesheet"):
            asset = attrs.get("src") or attrs.get("href") or ""
            # Relative to the page, so the service can be mounted under a prefix.
            assert asset.startswith("static/"), asset
            got = http.get(f"{service.url}/{asset}")
            assert got.status_code == 200
            assert got.headers["content-type"].startswith(FILES[asset.removeprefix("static/")])
            assert got.content == (STATIC / asset.removeprefix("static/")).read_bytes()


def test_the_files_ship_as_package_data() -> None:
    patterns = tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["setuptools"][
        "package-data"]["*"]
    for name in FILES:
        assert (STATIC / name).is_file()
        assert any(fnmatch.fnmatch(name, pattern) for pattern in patterns), name


def test_nothing_is_fetched_from_another_host() -> None:
    for name in FILES:
        text = (STATIC / name).read_text(encoding="utf-8")
        assert not re.search(r"https?://|//[a-z0-9.-]+\.[a-z]{2,}/|@import|url\(", text), name


def test_credentials_stay_out_of_urls_storage_and_forms() -> None:
    script = (STATIC / "playground.js").read_text(encoding="utf-8")
    for api in ("localStorage", "sessionStorage", "indexedDB", "document.cookie",
                "history.", "location.hash", "location.href", "location.assign"):
        assert api not in script, api
    credentials = {"token", "service-key", "profile"}
    seen = set()
    for tag, attrs, around in _elements():
        if tag == "input" and attrs.get("id") in credentials:
            seen.add(attrs["id"])
            # In no form: Enter cannot submit them into a URL.
            assert "form" not in around, attrs["id"]
            assert attrs.get("autocomplete") == "off"
            if attrs["id"] != "profile":
                assert attrs.get("type") == "password", attrs["id"]
    assert seen == credentials


def test_the_page_forbids_other_hosts_and_inline_script() -> None:
    policies = [attrs.get("content") or "" for tag, attrs, _ in _elements()
                if tag == "meta" and attrs.get("http-equiv") == "Content-Security-Policy"]
    assert len(policies) == 1
    directives = {name: rest for name, _, rest in
                  (part.strip().partition(" ") for part in policies[0].split(";"))}
    assert directives["default-src"] == "'none'"
    for name in ("script-src", "style-src", "connect-src"):
        assert directives[name] == "'self'", name


def test_target_says_where_calls_go_without_userinfo_or_path() -> None:
    from connector.service.routes import target_of
    from connector.service.settings import Settings

    proxy = Settings(base_url="http://user:pw@[::1]:8443/prefix")
    assert target_of(proxy) == {"kind": "base_url", "address": "http://[::1]:8443",
                                "needsToken": True}
    assert target_of(Settings())["kind"] == "api"
    embedded = Settings(base_url="http://127.0.0.1:9", default_profile="simulator")
    assert target_of(embedded) == {"kind": "simulator", "address": "http://127.0.0.1:9",
                                   "needsToken": False}
