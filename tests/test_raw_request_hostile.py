"""Raw Request inputs that HTTP, UTF-8 or the host guard cannot take: each is an InputError
naming the field, raised in dry runs too, and nothing reaches the API or the simulator."""

from __future__ import annotations

import json
import re
import socket
import string
import threading
from collections.abc import Iterator
from typing import Any

import pytest
import responses
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from connector.connection import SEGMENT_HOSTS, Connection
from connector.errors import InputError
from connector.registry import Registry
from connector.retry import RetryPolicy
from connector.runtime import Runtime
from connector.simulator import server as sim_server
from connector.simulator.server import Simulator

TOKEN = "sgp_raw_hostile_token_5e1b0c"
SECRET = "sgp_secret_in_a_header_9d2f41"  # a value that must never be quoted back
ANY_URL = re.compile(r".*")
POLICY = RetryPolicy(max_retries=0, delay_ms=0, exponential=False, timeout_s=5.0,
                     deadline_s=10.0)
PROPERTY = settings(deadline=None, max_examples=120,
                    suppress_health_check=[HealthCheck.function_scoped_fixture])
TOKEN_CHARS = string.ascii_letters + string.digits + "!#$%&'*+-.^_`|~"
# Characters a header value may not hold: C0 controls but tab, DEL, C1 controls.
VALUE_CONTROLS = [chr(c) for c in (*range(0x09), *range(0x0A, 0x20), *range(0x7F, 0xA0))]
NAME_BREAKERS = [*VALUE_CONTROLS, "\t", " ", ":", "(", ")", "@", ",", ";", "\\", '"', "/",
                 "[", "]", "?", "=", "{", "}", "\u00e9", "\u20ac", "\ud800"]
# Names the connector sets or that the transport owns.
RESERVED = {"accept", "user-agent", "authorization", "host", "content-length",
            "transfer-encoding", "content-type"}


@pytest.fixture(scope="module")
def registry() -> Registry:
    return Registry.load(installed=False)


@pytest.fixture(scope="module")
def rt(registry: Registry) -> Runtime:
    return Runtime(Connection(token=TOKEN), registry=registry, policy=POLICY,
                   sleep=lambda _s: None)


Received = list[tuple[str, str]]


@pytest.fixture
def sim_rt(simulator: Simulator, registry: Registry, monkeypatch: pytest.MonkeyPatch
           ) -> tuple[Runtime, Received]:
    """A runtime on the simulator, and every request the simulator was handed."""
    received: Received = []
    real = sim_server.dispatch

    def spy(sim: Simulator, method: str, target: str, headers: dict[str, str],
            raw: bytes) -> Any:
        received.append((method, target))
        return real(sim, method, target, headers, raw)

    monkeypatch.setattr(sim_server, "dispatch", spy)
    conn = Connection(token=simulator.token, base_url=simulator.base_url)
    return Runtime(conn, registry=registry, policy=POLICY, sleep=lambda _s: None), received


def inputs_of(extra: dict[str, Any]) -> dict[str, Any]:
    return {"url": "/sources", "method": "GET", **extra}


def refused(rt: Runtime, inputs: dict[str, Any]) -> InputError:
    """The InputError both a run and a dry run raise for `inputs`, once checked for leaks."""
    with pytest.raises(InputError) as dry:
        rt.dry_run("rawRequest", inputs)
    with pytest.raises(InputError) as ran:
        rt.run("rawRequest", inputs)
    assert ran.value.fields == dry.value.fields
    err = ran.value
    text = str(err) + json.dumps(err.to_dict())
    assert TOKEN not in text and SECRET not in text
    # Field names and messages are safe to print and log: no line breaks, valid UTF-8.
    assert "\r" not in text and "\n" not in text
    json.dumps(err.to_dict(), ensure_ascii=False).encode("utf-8")
    return err


# -- every refusal, with what it is refused for ------------------------------------------
BAD: list[tuple[str, dict[str, Any], str]] = [
    # header values
    ("CRLF in a value", {"headers": {"X-Foo": "a\r\nInjected: 1"}}, "headers.X-Foo"),
    ("LF in a value", {"headers": {"X-Foo": "a\nb"}}, "headers.X-Foo"),
    ("CR in a value", {"headers": {"X-Foo": "a\rb"}}, "headers.X-Foo"),
    ("obs-fold in a value", {"headers": {"X-Foo": "a\r\n b"}}, "headers.X-Foo"),
    ("NUL in a value", {"headers": {"X-Foo": "a\x00b"}}, "headers.X-Foo"),
    ("DEL in a value", {"headers": {"X-Foo": "a\x7fb"}}, "headers.X-Foo"),
    ("C1 NEL in a value", {"headers": {"X-Foo": "a\x85b"}}, "headers.X-Foo"),
    ("value beyond Latin-1", {"headers": {"X-Foo": "caf\u20ac"}}, "headers.X-Foo"),
    ("emoji value", {"headers": {"X-Foo": "\U0001f600"}}, "headers.X-Foo"),
    ("lone surrogate value", {"headers": {"X-Foo": "a\ud800"}}, "headers.X-Foo"),
    ("object value", {"headers": {"X-Foo": {"a": 1}}}, "headers.X-Foo"),
    ("list value", {"headers": {"X-Foo": ["a", "b"]}}, "headers.X-Foo"),
    ("CRLF in a JSON-text header object", {"headers": '{"X-Foo": "a\\r\\nb"}'},
     "headers.X-Foo"),
    # header names
    ("CRLF in a name", {"headers": {"X-Foo\r\nX-Evil": "1"}}, "headers.X-Foo\\r\\nX-Evil"),
    ("LF in a name", {"headers": {"X-Foo\n": "1"}}, "headers.X-Foo\\n"),
    ("colon in a name", {"headers": {"X-Foo:": "1"}}, "headers.X-Foo:"),
    ("name and value in the name", {"headers": {"X-Foo: 1": "1"}}, "headers.X-Foo: 1"),
    ("space in a name", {"headers": {"X Foo": "1"}}, "headers.X Foo"),
    ("tab in a name", {"headers": {"X-Foo\t": "1"}}, "headers.X-Foo\\t"),
    ("parentheses in a name", {"headers": {"X(Foo)": "1"}}, "headers.X(Foo)"),
    ("non-ASCII name", {"headers": {"H\u00e9ader": "1"}}, "headers.H\u00e9ader"),
    ("lone surrogate name", {"headers": {"X-\udc80": "1"}}, "headers.X-\\udc80"),
    ("empty name", {"headers": {"": "1"}}, "headers."),
    ("Host", {"headers": {"Host": "evil.example"}}, "headers.Host"),
    ("Content-Length", {"headers": {"content-length": "5"}}, "headers.content-length"),
    ("Transfer-Encoding", {"headers": {"Transfer-Encoding": "chunked"}},
     "headers.Transfer-Encoding"),
    ("a name twice", {"headers": {"X-Foo": "1", "x-foo": "2"}}, "headers.x-foo"),
    # absolute URLs
    ("port out of range", {"url": "https://api.segmentapis.com:99999/sources"}, "url"),
    ("port 65536", {"url": "https://api.segmentapis.com:65536/sources"}, "url"),
    ("port 0", {"url": "https://api.segmentapis.com:0/sources"}, "url"),
    ("port not a number", {"url": "https://api.segmentapis.com:https/sources"}, "url"),
    ("negative port", {"url": "https://api.segmentapis.com:-443/sources"}, "url"),
    ("other port", {"url": "https://api.segmentapis.com:8443/sources"}, "url"),
    ("broken IPv6 host", {"url": "https://[api.segmentapis.com/sources"}, "url"),
    ("no host", {"url": "https:///sources"}, "url"),
    ("port but no host", {"url": "https://:443/sources"}, "url"),
    ("user and password", {"url": f"https://user:{SECRET}@api.segmentapis.com/sources"},
     "url"),
    ("token as user", {"url": f"https://{SECRET}@api.segmentapis.com/sources"}, "url"),
    ("ftp", {"url": "ftp://api.segmentapis.com/sources"}, "url"),
    ("wss", {"url": "wss://api.segmentapis.com/sources"}, "url"),
    ("file", {"url": "file:///etc/passwd"}, "url"),
    ("http to a Segment host", {"url": "http://api.segmentapis.com/sources"}, "url"),
    ("other host", {"url": "https://evil.example/sources"}, "url"),
    ("lone surrogate in the URL", {"url": "/sources/\ud800"}, "url"),
    # text UTF-8 cannot encode, in object inputs
    ("query value", {"queryParams": {"name": "a\ud800"}}, "queryParams.name"),
    ("query name", {"queryParams": {"\udfff": "x"}}, "queryParams.\\udfff"),
    ("query list item", {"queryParams": {"type": ["A", "\ud800"]}}, "queryParams.type.1"),
    ("query JSON text", {"queryParams": '{"name": "\\ud800"}'}, "queryParams.name"),
    ("nested body value", {"method": "POST", "data": {"a": {"b": ["ok", "\ud800"]}}},
     "data.a.b.1"),
    ("body key", {"method": "POST", "data": [{"\ud800": 1}]}, "data.0.\\ud800"),
    ("body JSON text", {"method": "POST", "data": '{"a": "\\udc00"}'}, "data.a"),
    ("body plain text", {"method": "POST", "data": "plain \ud800 text"}, "data"),
    ("body NaN", {"method": "POST", "data": {"n": float("nan")}}, "data.n"),
    ("body bytes inside JSON", {"method": "POST", "data": {"b": b"x"}}, "data.b"),
    ("form field", {"method": "POST", "formData": {"kind": "\ud800"}}, "formData.kind"),
    ("form field object", {"method": "POST", "formData": {"kind": {"a": 1}}}, "formData.kind"),
    ("file content", {"method": "POST", "fileData": {"f": "\ud800"}}, "fileData.f"),
    ("file content object", {"method": "POST", "fileData": {"f": {"a": 1}}}, "fileData.f"),
    ("file name", {"method": "POST", "fileData": {"f": "x"},
                   "fileDataFileNames": {"f": "\ud800.csv"}}, "fileDataFileNames.f"),
    ("file name for no file", {"method": "POST", "fileData": {"f": "x"},
                               "fileDataFileNames": {"g": "x.csv"}}, "fileDataFileNames.g"),
]


@pytest.mark.parametrize(("extra", "field"), [(e, f) for _, e, f in BAD],
                         ids=[name for name, _, _ in BAD])
@responses.activate
def test_bad_input_is_refused_before_anything_is_sent(rt: Runtime, extra: dict[str, Any],
                                                      field: str) -> None:
    responses.add_callback(responses.GET, ANY_URL, callback=lambda _r: (200, {}, "{}"))
    responses.add_callback(responses.POST, ANY_URL, callback=lambda _r: (200, {}, "{}"))
    err = refused(rt, inputs_of(extra))
    assert field in err.fields, err.fields
    assert len(responses.calls) == 0


@pytest.mark.parametrize(("extra", "field"), [(e, f) for _, e, f in BAD],
                         ids=[name for name, _, _ in BAD])
def test_bad_input_never_reaches_the_simulator(sim_rt: tuple[Runtime, Received],
                                               extra: dict[str, Any], field: str) -> None:
    rt, received = sim_rt
    err = refused(rt, inputs_of(extra))
    assert field in err.fields
    assert received == []


def test_the_simulator_spy_sees_a_good_request(sim_rt: tuple[Runtime, Received]) -> None:
    rt, received = sim_rt
    rt.run("rawRequest", inputs_of({"headers": {"X-Trace": "\tcaf\u00e9 \u00ff "}}))
    assert received == [("GET", "/sources")]


@pytest.mark.parametrize("headers", [
    {"Authorization": f"Bearer {SECRET}\r\nX-Evil: 1"},
    {"X-Api-Key": f"{SECRET}\x00"},
    {"X-Api-Key": f"{SECRET}\u20ac"},
    {"X-Api-Key": f"{SECRET}\ud800"},
    {"X-Api-Key": f"{SECRET}\x1b[2J"},
])
def test_refusals_name_the_header_and_never_quote_its_value(rt: Runtime,
                                                            headers: dict[str, str]) -> None:
    err = refused(rt, inputs_of({"headers": headers}))
    assert list(err.fields) == [f"headers.{next(iter(headers))}"]


def test_every_problem_is_reported_at_once(rt: Runtime) -> None:
    err = refused(rt, {"url": "https://api.segmentapis.com:0/x", "method": "FETCH",
                       "headers": {"X-A": "a\nb", "X B": "1"},
                       "queryParams": {"q": "\ud800"}})
    assert set(err.fields) == {"url", "method", "headers.X-A", "headers.X B", "queryParams.q"}


def test_a_surrogate_problem_is_named_once_by_its_item(rt: Runtime) -> None:
    # The item (`queryParams.name`), not the whole input as well.
    err = refused(rt, inputs_of({"queryParams": {"name": "\ud800", "ok": "x"}}))
    assert set(err.fields) == {"queryParams.name"}


# -- hypothesis: anything inserted that HTTP cannot carry is refused ----------------------
names = st.text(alphabet=TOKEN_CHARS, min_size=1, max_size=20)
latin1_values = st.text(alphabet=st.sampled_from(
    ["\t", *map(chr, range(0x20, 0x7F)), *map(chr, range(0xA0, 0x100))]), max_size=40)


@st.composite
def inserted(draw: st.DrawFn, base: st.SearchStrategy[str], bad: st.SearchStrategy[str]
             ) -> str:
    text = draw(base)
    at = draw(st.integers(0, len(text)))
    return text[:at] + draw(bad) + text[at:]


@PROPERTY
@given(name=inserted(names, st.sampled_from(NAME_BREAKERS)))
def test_property_header_name_with_a_non_token_character_is_refused(rt: Runtime,
                                                                    name: str) -> None:
    with responses.RequestsMock(assert_all_requests_are_fired=False) as api:
        api.add(responses.GET, ANY_URL, json={})
        err = refused(rt, inputs_of({"headers": {name: "1"}}))
        assert len(api.calls) == 0
    [field] = err.fields
    assert field.startswith("headers.")


@PROPERTY
@given(name=names, value=inserted(latin1_values, st.sampled_from(VALUE_CONTROLS)))
def test_property_header_value_with_a_control_character_is_refused(rt: Runtime, name: str,
                                                                   value: str) -> None:
    assume(name.lower() not in RESERVED)
    with responses.RequestsMock(assert_all_requests_are_fired=False) as api:
        api.add(responses.GET, ANY_URL, json={})
        err = refused(rt, inputs_of({"headers": {name: SECRET + value}}))
        assert len(api.calls) == 0
    assert list(err.fields) == [f"headers.{name}"]


@PROPERTY
@given(name=names, value=inserted(latin1_values, st.characters(min_codepoint=0x100)))
def test_property_header_value_beyond_latin1_is_refused(rt: Runtime, name: str,
                                                        value: str) -> None:
    assume(name.lower() not in RESERVED)
    with responses.RequestsMock(assert_all_requests_are_fired=False) as api:
        api.add(responses.GET, ANY_URL, json={})
        err = refused(rt, inputs_of({"headers": {name: SECRET + value}}))
        assert len(api.calls) == 0
    assert list(err.fields) == [f"headers.{name}"]


@PROPERTY
@given(name=names, value=latin1_values)
def test_property_valid_headers_are_sent_as_given(rt: Runtime, name: str, value: str) -> None:
    assume(name.lower() not in RESERVED)
    with responses.RequestsMock() as api:
        api.add(responses.GET, ANY_URL, json={})
        rt.run("rawRequest", inputs_of({"headers": {name: value}}))
        sent = api.calls[0].request.headers
    # Leading and trailing blanks are not part of a field value (RFC 9110 5.5).
    assert sent[name] == value.strip(" \t")


json_leaves = st.none() | st.booleans() | st.integers() | st.text(max_size=8)
json_values = st.recursive(
    json_leaves, lambda kids: st.lists(kids, max_size=3)
    | st.dictionaries(st.text(max_size=5), kids, max_size=3), max_leaves=12)
surrogates = st.characters(min_codepoint=0xD800, max_codepoint=0xDFFF)


def shown(key: object) -> str:
    """A key as error field names show it: non-printable characters escaped."""
    return "".join(c if c.isprintable() else ascii(c)[1:-1] for c in str(key))


@st.composite
def poisoned(draw: st.DrawFn) -> tuple[dict[str, Any], str]:
    """A JSON object with one lone surrogate put somewhere in a value or a key, and the
    dotted path of the poisoned item."""
    root = draw(st.dictionaries(st.text(alphabet=string.ascii_letters, min_size=1,
                                        max_size=5), json_values, min_size=1, max_size=3))
    node: Any = root
    path: list[str] = []
    while True:
        keys = list(node) if isinstance(node, dict) else list(range(len(node)))
        key = draw(st.sampled_from(keys))
        child = node[key]
        if isinstance(child, dict | list) and child and draw(st.booleans()):
            node, path = child, [*path, shown(key)]
            continue
        bad = draw(st.text(max_size=3)) + draw(surrogates)
        if isinstance(node, dict) and draw(st.booleans()):
            node[bad] = node.pop(key)  # a key, not a value
            return root, ".".join([*path, shown(bad)])
        node[key] = bad
        return root, ".".join([*path, shown(key)])


@PROPERTY
@given(case=poisoned(), where=st.sampled_from(["queryParams", "data", "data-text"]))
def test_property_text_utf8_cannot_encode_is_refused_where_it_is(
        rt: Runtime, case: tuple[dict[str, Any], str], where: str) -> None:
    value, path = case
    if where == "data-text":
        extra: dict[str, Any] = {"method": "POST", "data": json.dumps(value)}
        field = f"data.{path}"
    else:
        extra = {"method": "POST", where: value}
        field = f"{where}.{path}"
    with responses.RequestsMock(assert_all_requests_are_fired=False) as api:
        api.add(responses.POST, ANY_URL, json={})
        err = refused(rt, inputs_of(extra))
        assert len(api.calls) == 0
    assert field in err.fields, (field, err.fields)


ports = (st.integers().map(str)
         | st.text(alphabet=string.ascii_letters + string.digits + "-+_.", min_size=1,
                   max_size=8))


@PROPERTY
@given(port=ports, host=st.sampled_from(sorted(SEGMENT_HOSTS)))
def test_property_any_port_but_443_is_refused(rt: Runtime, port: str, host: str) -> None:
    assume(not (port.isdigit() and int(port) == 443))
    with responses.RequestsMock(assert_all_requests_are_fired=False) as api:
        api.add(responses.GET, ANY_URL, json={})
        err = refused(rt, {"url": f"https://{host}:{port}/sources", "method": "GET"})
        assert len(api.calls) == 0
    assert set(err.fields) == {"url"}


@PROPERTY
@given(scheme=st.from_regex(r"[A-Za-z][A-Za-z0-9+.-]{0,8}", fullmatch=True))
def test_property_any_scheme_but_https_is_refused(rt: Runtime, scheme: str) -> None:
    assume(scheme.lower() != "https")
    with responses.RequestsMock(assert_all_requests_are_fired=False) as api:
        api.add(responses.GET, ANY_URL, json={})
        err = refused(rt, {"url": f"{scheme}://api.segmentapis.com/sources", "method": "GET"})
        assert len(api.calls) == 0
    assert set(err.fields) == {"url"}


# -- absolute Segment URLs follow the connection's base-URL override -------------------
PROXY = "http://proxy.test"


@pytest.mark.parametrize(("url", "sent"), [
    ("https://api.segmentapis.com/sources", f"{PROXY}/sources"),
    ("https://api.segmentapis.com/sources?pagination.count=2",
     f"{PROXY}/sources?pagination.count=2"),
    ("https://eu1.api.segmentapis.com/sources", f"{PROXY}/sources"),
    ("https://API.segmentapis.com:443/sources#fragment", f"{PROXY}/sources"),
    ("https://api.segmentapis.com", f"{PROXY}/"),
])
@responses.activate
def test_segment_url_goes_to_the_base_url_override(registry: Registry, url: str,
                                                   sent: str) -> None:
    responses.get(ANY_URL, json={"ok": True})
    rt = Runtime(Connection(token=TOKEN, base_url=PROXY + "/"), registry=registry,
                 policy=POLICY)
    assert rt.dry_run("rawRequest", {"url": url, "method": "GET"})["url"] == sent
    assert rt.run("rawRequest", {"url": url, "method": "GET"}) == {"data": {"ok": True}}
    [call] = responses.calls
    assert call.request.url == sent
    assert call.request.headers["Authorization"] == f"Bearer {TOKEN}"


@responses.activate
def test_base_url_override_keeps_its_own_path(registry: Registry) -> None:
    responses.get(ANY_URL, json={})
    rt = Runtime(Connection(token=TOKEN, base_url=f"{PROXY}/segment/"), registry=registry,
                 policy=POLICY)
    rt.run("rawRequest", {"url": "https://eu1.api.segmentapis.com/sources", "method": "GET",
                          "queryParams": {"b": 2}})
    assert responses.calls[0].request.url == f"{PROXY}/segment/sources?b=2"


@pytest.mark.parametrize(("url", "sent"), [
    ("https://eu1.api.segmentapis.com/sources", "https://eu1.api.segmentapis.com/sources"),
    ("https://API.segmentapis.com:443/sources?a=1#x", "https://api.segmentapis.com/sources?a=1"),
])
@responses.activate
def test_segment_url_without_override_goes_to_its_own_host(rt: Runtime, url: str,
                                                           sent: str) -> None:
    responses.get(ANY_URL, json={})
    rt.run("rawRequest", {"url": url, "method": "GET", "region": "api"})
    assert responses.calls[0].request.url == sent


@pytest.mark.parametrize("url", [
    f"{PROXY}/sources",  # the override itself, spelt out: still not a Segment host
    "https://evil.example/sources",
    "https://api.segmentapis.com.evil.example/sources",
    "http://api.segmentapis.com/sources",
])
@responses.activate
def test_other_absolute_urls_stay_refused_with_an_override(registry: Registry,
                                                           url: str) -> None:
    responses.get(ANY_URL, json={})
    rt = Runtime(Connection(token=TOKEN, base_url=PROXY), registry=registry, policy=POLICY)
    err = refused(rt, {"url": url, "method": "GET"})
    assert set(err.fields) == {"url"}
    assert len(responses.calls) == 0


def test_simulator_token_never_goes_to_the_real_host(sim_rt: tuple[Runtime, Received]
                                                     ) -> None:
    rt, received = sim_rt
    base = rt.connection.base_url or ""
    # Only the simulator may be reached; a call to the real host would fail here.
    with responses.RequestsMock(assert_all_requests_are_fired=False) as api:
        api.add_passthru(base)
        out = rt.run("rawRequest", {"url": "https://api.segmentapis.com/sources",
                                    "method": "GET", "queryParams": {"pagination.count": 2}})
        assert all((c.request.url or "").startswith(base) for c in api.calls)
    assert "sources" in out["data"]["data"]  # the simulator answered: its token matched
    assert received == [("GET", "/sources?pagination.count=2")]


# -- what goes on the wire for headers that pass ------------------------------------------
class Wire:
    """A loopback server that records each raw request head and answers `{}`."""

    def __init__(self) -> None:
        self.sock = socket.socket()
        self.sock.bind(("127.0.0.1", 0))
        self.sock.listen(4)
        self.heads: list[bytes] = []
        self.base_url = f"http://127.0.0.1:{self.sock.getsockname()[1]}"
        threading.Thread(target=self._serve, daemon=True).start()

    def _serve(self) -> None:
        while True:
            try:
                conn, _ = self.sock.accept()
            except OSError:  # closed: the test is over
                return
            with conn:
                data = b""
                while b"\r\n\r\n" not in data:
                    chunk = conn.recv(65536)
                    if not chunk:
                        break
                    data += chunk
                self.heads.append(data.split(b"\r\n\r\n")[0])
                conn.sendall(b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\n"
                             b"Content-Length: 2\r\nConnection: close\r\n\r\n{}")


@pytest.fixture
def wire() -> Iterator[Wire]:
    server = Wire()
    yield server
    server.sock.close()


def test_latin1_tab_and_trimmed_values_go_out_as_latin1(registry: Registry, wire: Wire
                                                        ) -> None:
    rt = Runtime(Connection(token=TOKEN, base_url=wire.base_url), registry=registry,
                 policy=POLICY)
    rt.run("rawRequest", inputs_of({"headers": {
        "X-Latin": "caf\u00e9\t\u00ff", "X-Trim": "  padded\t", "X-Flag": True, "X-N": 5,
        "X-Blank": None, "accept": "text/plain"}}))
    [head] = wire.heads
    lines = head.split(b"\r\n")[1:]
    assert b"X-Latin: caf\xe9\t\xff" in lines
    assert b"X-Trim: padded" in lines
    assert b"X-Flag: true" in lines and b"X-N: 5" in lines
    assert not any(line.lower().startswith(b"x-blank") for line in lines)
    assert [line for line in lines if line.lower().startswith(b"accept:")] == [
        b"accept: text/plain"]
