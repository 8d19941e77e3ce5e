"""The playground page in a real browser: the system Chromium, driven by Playwright, over
the real service (uvicorn on a loopback port) in front of the real simulator.

Without Chromium or Playwright these tests skip, saying why; with `CI` set they fail
instead, so CI cannot pass by skipping them. Every wait is one of Playwright's own
auto-waiting expectations: no fixed sleeps.
"""

from __future__ import annotations

import json
import os
import shutil
import uuid
from collections.abc import Callable, Iterator
from typing import TYPE_CHECKING, Any, NoReturn

import pytest
import requests
from service_support import registry, settings

from connector.service.embedded import EmbeddedService
from connector.service.settings import ServiceKey
from connector.simulator import Simulator

if TYPE_CHECKING:  # imported for real only once the browser fixture found Playwright
    from playwright.sync_api import Browser, BrowserContext, ConsoleMessage, Page, Route

CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update",
                 "--disable-sync"]
JAVASCRIPT_SOURCE = "IqDTy1TpoU"  # the simulator's catalog entry labelled "Javascript"
PRODUCTION_SPACE = "spa_9aQ1Lj62S4bomZKLF4DPqW"  # the simulator's one Engage space


def _unavailable(reason: str) -> NoReturn:
    if os.environ.get("CI"):
        pytest.fail(f"{reason}; CI must run the playground's browser tests", pytrace=False)
    pytest.skip(reason)


def _chromium() -> str:
    given = os.environ.get("CHROMIUM_PATH")
    if given:
        if not (os.path.isfile(given) and os.access(given, os.X_OK)):
            _unavailable(f"CHROMIUM_PATH={given} is not an executable file")
        return given
    path = shutil.which("chromium") or shutil.which("chromium-browser")
    if not path:
        _unavailable("no Chromium found: install it (apt-get install -y chromium) "
                     "or set CHROMIUM_PATH")
    return path


def launched(*args: str) -> Iterator[Browser]:
    """The system Chromium, headless, with `args` beside the usual ones."""
    path = _chromium()
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        _unavailable("playwright is not installed (pip install -e '.[test]')")
    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=path, headless=True,
                                              args=[*CHROMIUM_ARGS, *args])
        yield chromium
        chromium.close()


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    yield from launched()


@pytest.fixture
def token(sim: Simulator) -> str:
    return sim.token


@pytest.fixture(scope="module")
def audience(sim: Simulator) -> str:
    """An audience in the Engage space, with a schedule: the lists the picklists read."""
    auth = {"Authorization": f"Bearer {sim.token}"}
    base = f"{sim.base_url}/spaces/{PRODUCTION_SPACE}/audiences"
    r = requests.post(base, headers=auth, timeout=10, json={
        "name": "My audience", "audienceType": "USERS",
        "definition": {"query": "event('Order Completed').count() > 0"}})
    made = str(r.json()["data"]["audience"]["id"])
    r = requests.post(f"{base}/{made}/schedules", headers=auth, timeout=10,
                      json={"strategy": "PERIODIC", "config": {"interval": "1h"}})
    assert r.status_code == 200, r.text
    return made


@pytest.fixture
def open_page(browser: Browser) -> Iterator[Callable[[str], Page]]:
    """Opens the playground of a service in a fresh browser context. Anything the page asks
    of another host is refused and fails the test (no CDN, no fonts), as does any script
    error."""
    contexts: list[BrowserContext] = []
    elsewhere: list[str] = []
    script_errors: list[str] = []

    def open_(url: str) -> Page:
        context = browser.new_context(base_url=url)
        contexts.append(context)

        def only_the_service(route: Route) -> None:
            if route.request.url.startswith(url + "/"):
                route.continue_()
            else:
                elsewhere.append(route.request.url)
                route.abort()

        context.route("**/*", only_the_service)
        tab = context.new_page()
        tab.on("pageerror", lambda error: script_errors.append(str(error)))
        def policy_violation(message: ConsoleMessage) -> None:
            if "Content Security Policy" in message.text:
                script_errors.append(message.text)

        tab.on("console", policy_violation)
        tab.goto("/")
        return tab

    yield open_
    for context in contexts:
        context.close()
    assert elsewhere == []
    assert script_errors == []


@pytest.fixture
def page(open_page: Callable[[str], Page], service: EmbeddedService) -> Page:
    from playwright.sync_api import expect

    tab = open_page(service.url)
    expect(tab.locator("#manifest-status")).to_contain_text(" triggers.")
    return tab


def _choose(page: Page, key: str) -> None:
    """Find the action by its key in the search box, then pick it from the list."""
    from playwright.sync_api import expect

    page.fill("#action-search", key)
    page.select_option("#action-select", key)
    expect(page.locator("#action-title")).to_contain_text(f"({key})")


def _assert_token_hidden(page: Page, token: str) -> None:
    assert token not in page.content()
    assert token not in page.url
    kept = page.evaluate("() => JSON.stringify([{...localStorage}, {...sessionStorage},"
                         " document.cookie, document.body.innerText])")
    assert token not in kept


def _answer(page: Page) -> Any:
    from playwright.sync_api import expect

    expect(page.locator("#answer")).to_be_visible()
    return json.loads(page.locator("#answer").text_content() or "null")


def test_create_a_source_then_find_it_in_the_get_source_dropdown(page: Page, token: str) -> None:
    from playwright.sync_api import expect

    page.fill("#token", token)
    _choose(page, "createSource")
    # The example payload is beside the form before anything has run.
    expect(page.locator("#example")).to_contain_text('"source"')
    metadata = page.locator("#in-metadataId")
    expect(metadata.locator(f"option[value='{JAVASCRIPT_SOURCE}']")).to_have_text(
        f"Javascript ({JAVASCRIPT_SOURCE})")
    metadata.select_option(JAVASCRIPT_SOURCE)
    slug = f"web-{uuid.uuid4().hex[:8]}"
    page.fill("#in-slug", slug)
    expect(page.locator("#in-enabled")).to_be_checked()  # the manifest's default, filled
    page.uncheck("#in-enabled")
    page.check("#in-enabled")
    page.get_by_role("button", name="Run", exact=True).click()

    expect(page.locator("#answer-status")).to_contain_text("Run:")
    created = _answer(page)["data"]["data"]["source"]
    assert created["slug"] == slug and created["enabled"] is True
    assert created["metadata"]["id"] == JAVASCRIPT_SOURCE

    page.fill("#action-search", "")
    page.select_option("#action-select", "getSource")
    expect(page.locator("#in-sourceId")).to_contain_text(slug)  # fed by the sources picklist
    page.select_option("#in-sourceId", created["id"])
    page.get_by_role("button", name="Run", exact=True).click()
    expect(page.locator("#answer")).to_contain_text(created["id"])
    found = _answer(page)["data"]["data"]["source"]
    assert (found["id"], found["slug"]) == (created["id"], slug)
    _assert_token_hidden(page, token)


def test_dry_run_shows_the_request_and_sends_nothing(page: Page, token: str) -> None:
    from playwright.sync_api import expect

    page.fill("#token", token)
    _choose(page, "createSource")
    page.locator("#in-metadataId").select_option(JAVASCRIPT_SOURCE)
    slug = f"dry-{uuid.uuid4().hex[:8]}"
    page.fill("#in-slug", slug)
    page.get_by_role("button", name="Dry run").click()
    expect(page.locator("#answer-status")).to_contain_text("Dry run")
    request = json.dumps(_answer(page))
    assert "/sources" in request and slug in request
    # Blank inputs are left out; the indeterminate yes/no input too.
    assert "settings" not in request and "disconnectAllWarehouses" not in request

    page.fill("#action-search", "")
    page.select_option("#action-select", "getSource")
    expect(page.locator("#in-sourceId-status")).to_contain_text("option")
    expect(page.locator("#in-sourceId")).not_to_contain_text(slug)
    _assert_token_hidden(page, token)


def test_picklist_more_follows_the_next_page_token(page: Page, token: str) -> None:
    from playwright.sync_api import expect

    page.goto("/?pageSize=2")  # two options per call, so the catalog takes three
    page.fill("#token", token)
    _choose(page, "createSource")
    options = page.locator("#in-metadataId option")
    more = page.locator("#in-metadataId option[data-role=more]")
    expect(options).to_have_text(["— choose —", "Javascript (IqDTy1TpoU)",
                                  "iOS (UBrsG9RVzw)", "more…", "type a value…"])
    page.select_option("#in-metadataId", "UBrsG9RVzw")
    page.select_option("#in-metadataId", label="more…")
    expect(page.locator("#in-metadataId-status")).to_have_text("4 options, more to load")
    expect(options).to_have_count(7)  # blank, four options, more, typed
    page.select_option("#in-metadataId", label="more…")
    expect(page.locator("#in-metadataId-status")).to_have_text("5 options")
    expect(more).to_have_count(0)  # the last page: nothing left to load
    expect(page.locator("#in-metadataId")).to_have_value("UBrsG9RVzw")  # kept while loading


def test_picklist_search_and_a_typed_value(page: Page, token: str) -> None:
    from playwright.sync_api import expect

    page.fill("#token", token)
    _choose(page, "createSource")
    options = page.locator("#in-metadataId option")
    expect(options).to_have_count(7)  # blank, the catalog's five, typed
    page.fill("#in-metadataId-search", "STRI")
    expect(options).to_have_text(["— choose —", "Stripe (1bow82lmk)", "type a value…"])
    expect(page.locator("#in-metadataId-status")).to_contain_text("1 option matching “STRI”")

    # A value typed by hand when the list does not hold it.
    page.select_option("#in-metadataId", label="type a value…")
    expect(page.locator("#in-metadataId-typed")).to_be_focused()
    page.keyboard.type("customId")
    page.fill("#in-slug", "typed")
    page.get_by_role("button", name="Dry run").click()
    assert "customId" in json.dumps(_answer(page))


def test_an_array_input_gets_options_added_from_its_picklist(page: Page, token: str) -> None:
    from playwright.sync_api import expect

    page.fill("#token", token)
    _choose(page, "deleteUsers")
    adder = page.locator("#in-userIds-add")
    expect(page.get_by_label("Add to User IDs from the list")).to_have_count(1)
    expect(adder.locator("option", has_text="Ada Owner")).to_have_count(1)
    users = {option["label"]: option["key"] for option in
             page.evaluate("() => [...document.querySelectorAll('#in-userIds-add option')]"
                           ".filter((o) => o.value).map((o) => ({label: o.text, key: o.value}))")}
    ada = next(key for label, key in users.items() if label.startswith("Ada Owner"))
    bo = next(key for label, key in users.items() if label.startswith("Bo Member"))
    adder.select_option(ada)
    adder.select_option(bo)
    adder.select_option(ada)  # already there: not added twice
    expect(adder).to_have_value("")
    assert json.loads(page.locator("#in-userIds").input_value()) == [ada, bo]
    page.get_by_role("button", name="Dry run").click()
    request = json.dumps(_answer(page))
    assert ada in request and bo in request


@pytest.mark.usefixtures("audience")
def test_dependent_picklist_waits_for_its_parent(page: Page, token: str) -> None:
    from playwright.sync_api import expect

    page.fill("#token", token)
    _choose(page, "getAudience")
    audience = page.locator("#in-id")
    waiting = ["choose Space ID first", "type a value…"]  # an id can still be typed
    expect(audience.locator("option")).to_have_text(waiting)
    expect(page.locator("#in-id-status")).to_have_text("choose Space ID first")
    page.select_option("#in-spaceId", PRODUCTION_SPACE)
    expect(audience.locator("option", has_text="My audience")).to_have_count(1)
    page.select_option("#in-spaceId", "")
    expect(audience.locator("option")).to_have_text(waiting)
    # An id typed by hand stays through the reload its parent causes.
    page.select_option("#in-id", label="type a value…")
    page.fill("#in-id-typed", "aud_typed")
    page.select_option("#in-spaceId", PRODUCTION_SPACE)
    expect(audience.locator("option", has_text="My audience")).to_have_count(1)
    expect(page.locator("#in-id-typed")).to_have_value("aud_typed")
    page.get_by_role("button", name="Dry run").click()
    assert f"/spaces/{PRODUCTION_SPACE}/audiences/aud_typed" in json.dumps(_answer(page))

    # A parent the action does not take is drawn above the list, to narrow it only.
    _choose(page, "createReverseEtlManualSync")
    expect(page.locator("label[for=helper-destinationId]")).to_contain_text("not sent")
    expect(page.locator("#in-subscriptionId option").first).to_have_text(
        "choose Destination ID first")


def test_raw_request_sends_a_json_body_or_text(page: Page, token: str) -> None:
    from playwright.sync_api import expect

    page.fill("#token", token)
    _choose(page, "rawRequest")
    page.fill("#in-url", "/labels")
    page.select_option("#in-method", "POST")
    page.fill("#in-data", '{"label": {"key": "team", "value": "web"}}')
    page.get_by_role("button", name="Dry run").click()
    assert _answer(page)["body"] == {"label": {"key": "team", "value": "web"}}
    page.fill("#in-data", "plain text")  # the body may be text: sent as it is
    page.get_by_role("button", name="Dry run").click()
    expect(page.locator("#answer")).to_contain_text("plain text")
    page.fill("#in-headers", "not json")  # an object only: refused in the page
    page.get_by_role("button", name="Dry run").click()
    expect(page.locator("#in-headers-error")).to_contain_text("is not valid JSON")


def test_a_trigger_polls_and_carries_its_state(page: Page, token: str,
                                               service: EmbeddedService) -> None:
    from playwright.sync_api import expect

    page.fill("#token", token)
    page.fill("#action-search", "audit event")
    page.select_option("#action-select", "trigger:auditEvent")
    expect(page.locator("#example-title")).to_have_text("Sample event")
    expect(page.locator("#example")).to_contain_text('"type": "Source Modified"')
    expect(page.get_by_role("button", name="Run", exact=True)).to_be_hidden()
    poll = page.get_by_role("button", name="Poll")
    poll.click()  # the first poll starts from now
    expect(page.locator("#answer-status")).to_have_text(
        "Poll: 0 new events; the next poll goes on from here")
    assert _answer(page)["events"] == []

    slug = f"polled-{uuid.uuid4().hex[:8]}"
    created = requests.post(f"{service.url}/v1/actions/createSource/run", timeout=30,
                            headers={"X-Segment-Token": token},
                            json={"inputs": {"slug": slug, "metadataId": JAVASCRIPT_SOURCE}})
    assert created.status_code == 200
    poll.click()
    expect(page.locator("#answer-status")).to_contain_text("Poll: 1 new event;")
    [event] = _answer(page)["events"]
    assert (event["type"], event["resourceName"]) == ("Source Created", slug)
    poll.click()  # the state it carries: each event once
    expect(page.locator("#answer-status")).to_contain_text("Poll: 0 new events")

    # Starting again from now drops what happened before.
    again = requests.post(f"{service.url}/v1/actions/createSource/run", timeout=30,
                          headers={"X-Segment-Token": token},
                          json={"inputs": {"slug": slug + "-2", "metadataId": JAVASCRIPT_SOURCE}})
    assert again.status_code == 200
    page.get_by_role("button", name="Reset state").click()
    expect(page.locator("#answer-status")).to_have_text(
        "State reset: the next poll starts from now and returns nothing older.")
    poll.click()
    expect(page.locator("#answer-status")).to_contain_text("Poll: 0 new events")
    _assert_token_hidden(page, token)


@pytest.mark.usefixtures("audience")
def test_a_chain_of_parents_named_by_depends_on(page: Page, token: str) -> None:
    """audienceSchedules depends on the space and the audience (`dependsOn`), and the
    audience list on the space: dropping the space empties both lists below it."""
    from playwright.sync_api import expect

    page.fill("#token", token)
    _choose(page, "getAudienceScheduleFromSpaceAndAudience")
    schedules = page.locator("#in-scheduleId option")
    expect(schedules.first).to_have_text("choose Space ID and Audience ID first")
    page.select_option("#in-spaceId", PRODUCTION_SPACE)
    expect(schedules.first).to_have_text("choose Audience ID first")
    audience = page.locator("#in-id option", has_text="My audience")
    expect(audience).to_have_count(1)  # its id is the simulator's own
    page.select_option("#in-id", audience.get_attribute("value"))
    expect(schedules.filter(has_text="PERIODIC")).to_have_count(1)
    page.select_option("#in-spaceId", "")
    expect(page.locator("#in-id option").first).to_have_text("choose Space ID first")
    expect(schedules.first).to_have_text("choose Space ID and Audience ID first")


def test_a_problem_names_and_marks_the_inputs(page: Page, token: str) -> None:
    from playwright.sync_api import expect

    page.fill("#token", token)
    _choose(page, "createSource")
    page.locator("#in-metadataId").select_option(JAVASCRIPT_SOURCE)
    page.get_by_role("button", name="Run", exact=True).click()  # slug left blank

    problem = page.locator("#problem")
    expect(problem).to_be_visible()
    expect(page.locator("#problem-facts")).to_contain_text("422")
    expect(page.locator("#problem-facts")).to_contain_text("input")
    expect(page.locator("#problem-fields")).to_have_text("Slug: is required")
    expect(page.locator("#in-slug")).to_have_attribute("aria-invalid", "true")
    expect(page.locator("#in-slug-error")).to_have_text("is required")
    expect(page.locator("#in-slug")).to_be_focused()
    expect(page.locator("#in-metadataId")).not_to_have_attribute("aria-invalid", "true")

    # Malformed JSON is caught in the page: nothing is sent.
    sent: list[str] = []
    page.on("request", lambda request: sent.append(request.url))
    page.fill("#in-slug", f"fine-{uuid.uuid4().hex[:8]}")
    page.fill("#in-settings", "{not json")
    page.get_by_role("button", name="Run", exact=True).click()
    expect(page.locator("#in-settings-error")).to_contain_text("is not valid JSON")
    expect(page.locator("#in-slug")).not_to_have_attribute("aria-invalid", "true")
    assert not [url for url in sent if "/v1/actions/" in url]

    # Mended, it runs: the marks go as the input is edited, so the form does not move
    # under the pointer while the button is pressed.
    page.fill("#in-settings", '{"websiteUrl": "https://example.com"}')
    expect(page.locator("#in-settings")).not_to_have_attribute("aria-invalid", "true")
    page.get_by_role("button", name="Run", exact=True).click()
    expect(page.locator("#problem")).to_be_hidden()
    assert _answer(page)["data"]["data"]["source"]["settings"] == {
        "websiteUrl": "https://example.com"}
    _assert_token_hidden(page, token)


def test_without_a_token_the_problem_says_so(page: Page) -> None:
    from playwright.sync_api import expect

    _choose(page, "getSource")
    expect(page.locator("#in-sourceId-status")).to_contain_text("Could not load the options")
    page.select_option("#in-sourceId", label="type a value…")
    page.fill("#in-sourceId-typed", "abc")
    page.get_by_role("button", name="Run", exact=True).click()
    expect(page.locator("#problem-facts")).to_contain_text("401")


def test_the_keyboard_finds_and_fills_an_action(page: Page, token: str) -> None:
    from playwright.sync_api import expect

    page.fill("#token", token)
    page.focus("#action-search")
    page.keyboard.type("list sources")
    # Several actions match (listSourcesFromLabel, getSourcesCatalog by its alias...): Enter
    # takes the one named exactly.
    expect(page.locator("#action-count")).not_to_have_text("1 of 202 actions")
    page.keyboard.press("Enter")
    expect(page.locator("#action-title")).to_have_text("List Sources (listSources)")
    page.focus("#in-count")
    expect(page.locator("#in-count")).to_have_value("50")  # the manifest's default
    page.keyboard.press("Control+A")
    page.keyboard.type("3")
    page.keyboard.press("Enter")  # Enter in the form is a dry run
    expect(page.locator("#answer-status")).to_contain_text("Dry run")
    assert "count=3" in json.dumps(_answer(page))


def test_every_action_and_trigger_draws_a_labelled_form_from_the_manifest(page: Page,
                                                             service: EmbeddedService) -> None:
    """The builder's claim: the manifest alone draws every action's and trigger's form.
    Each property of each inputSchema gets a labelled control, required ones marked."""
    manifest = requests.get(service.url + "/v1/manifest", timeout=30).json()
    page.route("**/v1/picklists/**", lambda route: route.abort())  # drawing, not loading
    drawn = page.evaluate("""() => {
        const select = document.getElementById("action-select");
        const out = {};
        const faults = [];
        for (const option of [...select.options]) {
            select.value = option.value;
            select.dispatchEvent(new Event("change"));
            for (const control of document.querySelectorAll(
                    "#fields input, #fields select, #fields textarea")) {
                if (!control.labels.length && !control.getAttribute("aria-label")) {
                    faults.push(`${option.value}: ${control.id} has no label`);
                }
            }
            const shown = document.getElementById("builder").innerText;
            if (/undefined|NaN|object Object/.test(shown)) {
                faults.push(`${option.value}: a missing value is shown`);
            }
            out[option.value] = [...document.querySelectorAll("#fields > .field")]
                .filter((node) => node.dataset.field.startsWith("in-"))
                .map((node) => {
                    const label = node.querySelector("label");
                    const control = document.getElementById(label.htmlFor);
                    // A picklist's dropdown, and whether a label names it.
                    const list = node.querySelector(".picklist") &&
                        node.querySelector("select:not([id$='-search'])");
                    const named = list !== null &&
                        document.querySelector(`label[for="${list.id}"]`) !== null;
                    return [node.dataset.field.slice(3), control.tagName.toLowerCase(),
                            control.type, control.getAttribute("aria-required") === "true",
                            named];
                });
        }
        return {forms: out, faults};
    }""")
    # Every control has a label or an aria-label, and no form shows a missing value.
    assert drawn["faults"] == []
    drawn = drawn["forms"]
    entries = {action["key"]: action for action in manifest["actions"]}
    entries.update({f"trigger:{trigger['key']}": trigger for trigger in manifest["triggers"]})
    assert sorted(drawn) == sorted(entries)
    kinds: set[tuple[str, str]] = set()
    for name, entry in entries.items():
        schema = entry["inputSchema"]
        fields = drawn[name]
        assert [key for key, *_ in fields] == list(schema["properties"]), name
        linked = {i["key"] for i in entry["inputs"] if i.get("picklist")}
        for key, tag, kind, required, listed in fields:
            assert required is (key in schema.get("required", [])), (name, key)
            assert listed is (key in linked), (name, key)
            kinds.add((tag, kind))
    # Every kind of control the schemas call for was drawn somewhere.
    assert kinds >= {("input", "text"), ("input", "number"), ("input", "checkbox"),
                     ("select", "select-one"), ("textarea", "textarea")}


def test_a_service_key_and_a_profile_instead_of_a_token(
        open_page: Callable[[str], Page], sim: Simulator) -> None:
    from playwright.sync_api import expect

    key = "playground-key-" + uuid.uuid4().hex
    keyed = settings(sim, keys=(ServiceKey(key),), profiles={"sim": {"token": sim.token}})
    with EmbeddedService(keyed, registry=registry()) as svc:
        page = open_page(svc.url)
        expect(page.locator("#manifest-status")).to_contain_text("The manifest did not load")
        expect(page.locator("#target")).to_be_hidden()  # where calls go needs the key too
        page.fill("#service-key", key)
        page.get_by_role("button", name="Reload the manifest").click()
        expect(page.locator("#manifest-status")).to_contain_text(" triggers.")
        expect(page.locator("#target-text")).to_contain_text("Calls go to ")
        page.fill("#profile", "sim")
        _choose(page, "createSource")
        expect(page.locator(f"#in-metadataId option[value='{JAVASCRIPT_SOURCE}']")).to_have_count(1)
        page.locator("#in-metadataId").select_option(JAVASCRIPT_SOURCE)
        page.fill("#in-slug", "keyed")
        page.get_by_role("button", name="Dry run").click()
        assert "Bearer ***" in json.dumps(_answer(page))
        _assert_token_hidden(page, key)
        _assert_token_hidden(page, sim.token)


def test_the_api_docs_draw_every_operation(open_page: Callable[[str], Page],
                                           service: EmbeddedService) -> None:
    """`/docs` reads the OpenAPI 3.1 document FastAPI writes and lists each of its operations
    (Swagger UI 4 drew only "Unable to render this definition")."""
    from playwright.sync_api import expect

    spec = requests.get(service.url + "/openapi.json", timeout=30).json()
    assert spec["openapi"].startswith("3.1")
    methods = {"get", "put", "post", "delete", "patch", "head", "options"}
    operations = sorted((method.upper(), path) for path, item in spec["paths"].items()
                        for method in item if method in methods)
    tab = open_page(service.url)
    tab.goto("/docs")
    expect(tab.locator(".opblock")).to_have_count(len(operations), timeout=60_000)
    drawn = tab.evaluate("""() => [...document.querySelectorAll(".opblock")].map((block) => [
        block.querySelector(".opblock-summary-method").textContent,
        block.querySelector(".opblock-summary-path").dataset.path])""")
    assert sorted(map(tuple, drawn)) == operations
    assert "Unable to render" not in tab.locator("body").inner_text()
    expect(tab.locator(".errors-wrapper")).to_have_count(0)
    # One operation opened: its request body is drawn from the schema with the example.
    tab.locator("[id$='-run_createLabel'] .opblock-summary").click()
    body = tab.locator("[id$='-run_createLabel'] .opblock-body")
    expect(body).to_contain_text('"label": {')
    expect(body).to_contain_text('"value": "production"')
    expect(body.locator(".errors-wrapper")).to_have_count(0)



def _create_source(service: EmbeddedService, token: str, slug: str) -> None:
    created = requests.post(f"{service.url}/v1/actions/createSource/run", timeout=30,
                            headers={"X-Segment-Token": token},
                            json={"inputs": {"slug": slug, "metadataId": JAVASCRIPT_SOURCE}})
    assert created.status_code == 200, created.text


def _choose_trigger(page: Page, key: str) -> None:
    from playwright.sync_api import expect

    page.fill("#action-search", key)
    page.select_option("#action-select", f"trigger:{key}")
    expect(page.locator("#action-title")).to_contain_text(f"({key})")


def test_a_trigger_state_and_form_values_survive_visiting_another_action(
        page: Page, token: str, service: EmbeddedService) -> None:
    from playwright.sync_api import expect

    page.fill("#token", token)
    _choose_trigger(page, "auditEvent")
    poll = page.get_by_role("button", name="Poll")
    poll.click()  # the first poll starts from now
    expect(page.locator("#answer-status")).to_contain_text("Poll: 0 new events")
    slug = f"kept-{uuid.uuid4().hex[:8]}"
    _create_source(service, token, slug)

    # Another action, a value typed in its form; then back to the trigger.
    _choose(page, "listSources")
    page.fill("#in-count", "7")
    _choose_trigger(page, "auditEvent")
    expect(page.locator("#answer-status")).to_have_text(
        "This trigger's state is kept: the next poll goes on from the last one.")
    poll.click()
    expect(page.locator("#answer-status")).to_contain_text("Poll: 1 new event;")
    [event] = _answer(page)["events"]
    assert event["resourceName"] == slug
    _choose(page, "listSources")
    expect(page.locator("#in-count")).to_have_value("7")  # the form as it was left


def test_the_first_screen_says_where_calls_go_and_offers_a_first_step(page: Page) -> None:
    from playwright.sync_api import expect

    expect(page.locator("#target-text")).to_contain_text("Calls go to ")
    expect(page.locator("#target-text")).to_contain_text("API token or a profile")
    page.get_by_role("button", name="Open List Sources").click()
    expect(page.locator("#action-title")).to_have_text("List Sources (listSources)")


def test_with_the_embedded_simulator_the_first_screen_says_no_token_is_needed(
        open_page: Callable[[str], Page], sim: Simulator) -> None:
    from playwright.sync_api import expect

    embedded = settings(sim, default_profile="simulator",
                        profiles={"simulator": {"token": sim.token, "base_url": sim.base_url}})
    with EmbeddedService(embedded, registry=registry()) as svc:
        tab = open_page(svc.url)
        expect(tab.locator("#target-text")).to_have_text(
            f"Calls go to the embedded simulator at {sim.base_url}: no token needed.")
        tab.get_by_role("button", name="Open List Sources").click()
        tab.get_by_role("button", name="Run", exact=True).click()
        expect(tab.locator("#answer-status")).to_have_text("Run: 200")


def test_areas_read_as_people_write_them_and_help_is_rendered(page: Page) -> None:
    from playwright.sync_api import expect

    labels = page.eval_on_selector_all("#action-select optgroup", "gs => gs.map(g => g.label)")
    assert {"API Calls", "Deletion and Suppression", "Reverse ETL"} <= set(labels)
    assert "DeletionAndSuppression" not in labels
    _choose(page, "listSources")
    help_text = page.locator("#in-region-help")
    expect(help_text.locator("code").first).to_have_text("api")
    assert "`" not in help_text.inner_text()


@pytest.mark.parametrize("width", [700, 1400])
def test_no_box_overflows_at_narrow_and_wide_windows(page: Page, token: str, width: int,
                                                     tmp_path: Any) -> None:
    """Each part stays inside the window and inside its section, with a long word in the
    answer; screenshots of both widths are kept with the test's files."""
    from playwright.sync_api import expect

    page.set_viewport_size({"width": width, "height": 900})
    page.fill("#token", token)
    _choose(page, "createSource")
    page.fill("#in-slug", "x" * 300)  # one unbroken word
    page.get_by_role("button", name="Run", exact=True).click()  # no metadataId: a problem
    expect(page.locator("#problem")).to_be_visible()
    expect(page.locator(f"#in-metadataId option[value='{JAVASCRIPT_SOURCE}']")).to_have_count(1)
    page.locator("#in-metadataId").select_option(JAVASCRIPT_SOURCE)
    page.get_by_role("button", name="Dry run").click()
    expect(page.locator("#answer")).to_be_visible()
    page.screenshot(path=str(tmp_path / f"playground-{width}.png"), full_page=True)
    overflow = page.evaluate("""() => {
        const width = document.documentElement.clientWidth;
        const out = [];
        const page = document.documentElement.scrollWidth;
        if (page > width) out.push(`page ${page} > ${width}`);
        const boxes = "header, section, .field, #target, pre, .buttons, #problem";
        for (const node of document.querySelectorAll(boxes)) {
            if (node.offsetParent === null) continue;  // not shown
            const name = node.id || node.className;
            const box = node.getBoundingClientRect();
            if (box.right > width + 0.5) out.push(`${name} right ${box.right} > ${width}`);
            const section = node.parentElement?.closest("section");
            if (section && box.right > section.getBoundingClientRect().right + 0.5) {
                out.push(`${name} leaves its section`);
            }
        }
        return out;
    }""")
    assert overflow == []
    assert (tmp_path / f"playground-{width}.png").stat().st_size > 10_000


def test_a_problem_deep_in_a_json_input_is_marked_with_its_path(page: Page, token: str) -> None:
    from playwright.sync_api import expect

    page.fill("#token", token)
    _choose(page, "createLabel")
    page.fill("#in-label", '{"key": "team", "value": 5}')
    page.get_by_role("button", name="Run", exact=True).click()
    expect(page.locator("#in-label-error")).to_have_text(
        "label.value: should be text, not a whole number")
    expect(page.locator("#in-label")).to_have_attribute("aria-invalid", "true")
    expect(page.locator("#problem-facts")).to_contain_text("422")
