"""A hostile page in a real browser (the system Chromium) next to the service on loopback.

Two attackers: a page of another origin (another loopback port), and a DNS-rebinding
page, whose own name Chromium resolves to 127.0.0.1 (`--host-resolver-rules`), so that
its requests reach the service as same-origin requests under a foreign Host. Each tries
to read the manifest and to create a source through the simulator's server-side profile
(as `serve --simulator` runs), with every trick a page has: fetch with and without CORS,
a Blob body with no Content-Type, text/plain and form posts, and framing the playground.
The simulator must end with no source the page asked for. Control runs show that each
attack works where the guard would let it through, so the tests cannot pass by accident.
"""

from __future__ import annotations

import logging
import socket
import uuid
from collections.abc import Callable, Iterator
from typing import TYPE_CHECKING, Any

import pytest
from service_support import registry, settings
from test_playground_browser import launched

from connector.service.embedded import EmbeddedService
from connector.service.settings import ServiceKey
from connector.simulator import Simulator

if TYPE_CHECKING:
    from playwright.sync_api import Browser, Page, Route

pytestmark = pytest.mark.security
ATTACKER = "rebind.attacker.test"
JAVASCRIPT = "IqDTy1TpoU"
RUN = "/v1/actions/createSource/run"
Answered = Callable[[], list[tuple[str, int]]]

# Every way a page can call the service; each returns what the page could read.
ATTACKS = """async ({base, slug, metadataId}) => {
  const body = (tag) => JSON.stringify({inputs: {slug: `${slug}-${tag}`, metadataId}});
  const out = {};
  const attempt = async (name, url, init) => {
    try {
      const got = await fetch(url, init);
      out[name] = {status: got.status, type: got.type, text: (await got.text()).slice(0, 200)};
    } catch (error) {
      out[name] = {error: String(error)};
    }
  };
  await attempt("manifest", `${base}/v1/manifest`, {});
  await attempt("json", `${base}${RUN}`, {method: "POST", body: body("json"),
    headers: {"Content-Type": "application/json"}});
  await attempt("profile", `${base}${RUN}`, {method: "POST", body: body("profile"),
    headers: {"Content-Type": "application/json", "X-Segment-Profile": "simulator"}});
  await attempt("blob", `${base}${RUN}`, {method: "POST", mode: "no-cors",
    body: new Blob([body("blob")])});
  await attempt("text", `${base}${RUN}`, {method: "POST", mode: "no-cors", body: body("text"),
    headers: {"Content-Type": "text/plain"}});
  // A form whose one field name and value join into JSON: {"inputs":..., "x": "="}.
  for (const enctype of ["text/plain", "application/x-www-form-urlencoded"]) {
    const frame = document.createElement("iframe");
    frame.name = `sink-${enctype}`;
    document.body.append(frame);  // its first (blank) load happens here
    const form = document.createElement("form");
    Object.assign(form, {method: "POST", action: `${base}${RUN}`, enctype,
                         target: frame.name});
    const field = document.createElement("input");
    field.name = body(`form-${enctype.length}`).slice(0, -2) + ', "x": "';
    field.value = '"}}';
    form.append(field);
    document.body.append(form);
    const loaded = new Promise((resolve) => frame.addEventListener("load", resolve));
    form.submit();  // loads the answer, or the error page of a refused frame
    await loaded;
  }
  return out;
}""".replace("${RUN}", RUN)


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    # The attacker's name resolves to this machine, as a rebinding DNS server makes it.
    # Chromium's own Private Network Access checks would stop a public page's requests
    # to loopback first; Firefox and Safari have none, so they are off: the service's
    # guard is what is tested.
    yield from launched(f"--host-resolver-rules=MAP {ATTACKER} 127.0.0.1",
                        "--disable-features=BlockInsecurePrivateNetworkRequests,"
                        "PrivateNetworkAccessSendPreflights,"
                        "PrivateNetworkAccessRespectPreflightResults,LocalNetworkAccessChecks")


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


def _attacker_page(browser: Browser, page_url: str) -> Page:
    """A page at `page_url` with the attacker's (empty) document, as its server sends it;
    everything else the page asks for goes out over the network."""
    context = browser.new_context()

    def serve(route: Route) -> None:
        route.fulfill(status=200, content_type="text/html",
                      body="<!doctype html><title>elsewhere</title><body></body>")

    context.route(page_url, serve)
    page = context.new_page()
    page.goto(page_url)
    return page


def _simulating(sim: Simulator, **changes: Any) -> Any:
    return settings(sim, profiles={"simulator": {"token": sim.token}},
                    default_profile="simulator", **changes)


def _created(sim: Simulator, slug: str) -> set[str]:
    return {s["slug"][len(slug) + 1:] for s in sim.state["sources"].values()
            if s["slug"].startswith(slug + "-")}


def _attack(page: Page, base: str, slug: str) -> dict[str, Any]:
    result: dict[str, Any] = page.evaluate(ATTACKS, {"base": base, "slug": slug,
                                                     "metadataId": JAVASCRIPT})
    page.context.close()
    return result


@pytest.fixture
def answered(caplog: pytest.LogCaptureFixture) -> Iterator[Answered]:
    """(method, status) of every request to run an action so far, from the service's access
    log: what the service answered, opaque answers and refused frames included."""
    def seen() -> list[tuple[str, int]]:
        return sorted((r.args[1], r.args[4]) for r in caplog.records  # type: ignore[index]
                      if r.name == "uvicorn.access" and isinstance(r.args, tuple)
                      and r.args[2] == RUN)

    with caplog.at_level(logging.INFO, logger="uvicorn.access"):
        yield seen


def _read_nothing(results: dict[str, Any]) -> None:
    for name, got in results.items():
        assert "error" in got or got["type"] == "opaque" or got["status"] in (403, 415), \
            (name, got)
        assert '"actions"' not in got.get("text", ""), name


@pytest.mark.parametrize("keys", [False, True], ids=["no keys", "service keys"])
def test_a_page_of_another_origin_gets_nothing(browser: Browser, sim: Simulator,
                                               keys: bool,
                                               answered: Answered) -> None:
    slug = f"xorigin-{uuid.uuid4().hex[:8]}"
    key = (ServiceKey("browser-key-" + uuid.uuid4().hex),) if keys else ()
    with EmbeddedService(_simulating(sim, keys=key), registry=registry()) as svc:
        page = _attacker_page(browser, f"http://127.0.0.1:{_free_port()}/")
        results = _attack(page, svc.url, slug)
        assert _created(sim, slug) == set()
    _read_nothing(results)
    assert results["manifest"].get("error")  # no CORS grant: the page cannot read it
    # The posts a page may send without a preflight (Blob, text, two forms), and the JSON
    # ones or their preflights, reached the service, which refused each for its origin.
    seen = answered()
    assert {status for _method, status in seen} == {403}
    assert len(seen) == 6 and [m for m, _ in seen].count("POST") >= 4


@pytest.mark.parametrize("keys", [False, True], ids=["no keys", "service keys"])
def test_a_dns_rebinding_page_gets_nothing(browser: Browser, sim: Simulator,
                                           keys: bool,
                                           answered: Answered) -> None:
    slug = f"rebind-{uuid.uuid4().hex[:8]}"
    key = (ServiceKey("browser-key-" + uuid.uuid4().hex),) if keys else ()
    with EmbeddedService(_simulating(sim, keys=key), registry=registry()) as svc:
        port = svc.url.rsplit(":", 1)[1]
        # The page comes from the attacker's server; then its name points here, so its
        # requests are same-origin to the browser and land on the service.
        page = _attacker_page(browser, f"http://{ATTACKER}:{port}/")
        results = _attack(page, "", slug)
        assert _created(sim, slug) == set()
    _read_nothing(results)
    assert answered() == [("POST", 403)] * 6  # each one reached it, and was refused
    for name in ("manifest", "json", "profile"):  # same-origin: readable, and refused
        assert results[name]["status"] == 403 and 'problem:host"' in results[name]["text"]
    assert _created(sim, slug) == set()


def test_control_the_same_attacks_work_where_the_guard_allows_them(
        browser: Browser, sim: Simulator) -> None:
    """The rebinding page, its name allowed by the operator: every write lands. Proof that
    the attacks above are real, and that refusing them is the guard's doing."""
    slug = f"allowed-{uuid.uuid4().hex[:8]}"
    with EmbeddedService(_simulating(sim, hosts=(ATTACKER,)), registry=registry()) as svc:
        port = svc.url.rsplit(":", 1)[1]
        page = _attacker_page(browser, f"http://{ATTACKER}:{port}/")
        results = _attack(page, "", slug)
    assert results["manifest"]["status"] == 200
    assert results["json"]["status"] == results["profile"]["status"] == 200
    # A body a page sends without a preflight still needs JSON; a JSON one writes.
    assert results["blob"]["status"] == results["text"]["status"] == 415
    assert _created(sim, slug) == {"json", "profile"}


def test_no_page_can_frame_the_playground(browser: Browser, sim: Simulator) -> None:
    from playwright.sync_api import expect

    with EmbeddedService(_simulating(sim), registry=registry()) as svc:
        page = _attacker_page(browser, f"http://127.0.0.1:{_free_port()}/")
        framed = page.evaluate("""async (url) => {
            const frame = document.createElement("iframe");
            frame.src = url;
            const loaded = new Promise((resolve) => frame.addEventListener("load", resolve));
            document.body.append(frame);
            await loaded;
        }""", svc.url + "/")
        assert framed is None
        blocked = page.frames[-1]
        expect(blocked.locator("#manifest-status")).to_have_count(0)
        page.context.close()

        # Control: the same page with the headers stripped in transit is drawn.
        page = _attacker_page(browser, f"http://127.0.0.1:{_free_port()}/")

        def stripped(route: Route) -> None:
            answer = route.fetch()
            headers = {k: v for k, v in answer.headers.items()
                       if k not in ("content-security-policy", "x-frame-options")}
            route.fulfill(response=answer, headers=headers)

        page.context.route(svc.url + "/", stripped)
        page.evaluate("""(url) => {
            const frame = document.createElement("iframe");
            frame.src = url;
            document.body.append(frame);
        }""", svc.url + "/")
        expect(page.frame_locator("iframe").locator("#manifest-status")).to_have_count(1)
        page.context.close()
