"""Masking at the root: exception chains, cut-offs, JSON output, secrets other than the token,
and masking scoped to each runtime (no process-wide memory of tokens)."""

from __future__ import annotations

import contextlib
import gc
import json
import logging
import re
import threading
import weakref
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import requests
import responses

from connector import cli, redact
from connector.batch import run_batch
from connector.connection import Connection
from connector.errors import ConnectorError
from connector.registry import Registry
from connector.retry import RetryPolicy
from connector.runtime import Runtime

REGISTRY = Registry.load(installed=False)
TOKEN = "sgp_scoped_a1b2c3d4e5f6a7b8c9d0e1f2a3b4c5d6"
PASSWORD = "pw-Warehouse-Secret-77"
POLICY = RetryPolicy(max_retries=0, rate_limit_retries=0)
ANY_URL = re.compile(r".*")
WAREHOUSE = {"metadataId": "55d3d3aea3c", "name": "wh",
             "settings": {"hostname": "db.example.com", "port": "5432", "password": PASSWORD}}


class Lines(logging.Handler):
    def __init__(self) -> None:
        super().__init__(logging.DEBUG)
        self.lines: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.lines.append(self.format(record))


@pytest.fixture
def logged() -> Iterator[Lines]:
    """Every record of the package, caught at the root as a host application would."""
    handler = Lines()
    root = logging.getLogger()
    pkg = logging.getLogger("segment_connector")
    old = pkg.level
    root.addHandler(handler)
    pkg.setLevel(logging.DEBUG)
    yield handler
    root.removeHandler(handler)
    pkg.setLevel(old)


def chain(exc: BaseException | None) -> Iterator[BaseException]:
    seen: set[int] = set()
    while exc is not None and id(exc) not in seen:
        seen.add(id(exc))
        yield exc
        yield from chain(exc.__cause__)
        exc = exc.__context__


def holds_secret(obj: Any, token: str) -> bool:
    request = getattr(obj, "request", None)
    if isinstance(request, requests.PreparedRequest | requests.Request):
        return True  # the library's request object carries the Authorization header
    return token in repr(obj) or token in repr(getattr(obj, "__dict__", {}))


def echo(answer: str, token: str = TOKEN) -> Any:
    def reply(request: requests.PreparedRequest) -> tuple[int, dict[str, str], str]:
        auth = str(request.headers.get("Authorization", ""))
        if answer == "drop":
            raise requests.ConnectionError(f"reset while sending {auth}")
        if answer == "timeout":
            raise requests.ReadTimeout(f"timed out; Authorization: {auth}", request=request)
        if answer == "html":  # not JSON: json's error would keep the whole body
            return 200, {"Content-Type": "text/html"}, f"<p>{'x' * 190}{auth}</p>"
        if answer == "long":  # the token beyond every cut-off, and across them
            text = "x" * 280 + auth + "y" * 1700 + auth + "z" * 3000 + auth
            return 500, {"Content-Type": "application/json"}, json.dumps(
                {"errors": [{"type": "server", "message": text}]})
        body = request.body.decode() if isinstance(request.body, bytes) else request.body or ""
        return 200, {"Content-Type": "application/json", "X-Echo": auth}, json.dumps(
            {"data": {"echo": auth, "sent": json.loads(body) if body else None}})
    return reply


@pytest.mark.parametrize("answer", ["drop", "timeout", "long", "html"])
def test_no_error_raised_keeps_the_authorization_header_in_its_chain(
        logged: Lines, answer: str) -> None:
    rt = Runtime(Connection(token=TOKEN), registry=REGISTRY, policy=POLICY, debug=True)
    with responses.RequestsMock() as api:
        api.add_callback(responses.GET, ANY_URL, callback=echo(answer))
        with pytest.raises(ConnectorError) as caught:
            rt.run("getSource", {"sourceId": "s1"})
    for link in chain(caught.value):
        assert not holds_secret(link, TOKEN), f"{type(link).__name__} in the chain holds it"
    assert all(TOKEN not in line for line in logged.lines)


def test_debug_lines_are_masked_before_they_are_cut(logged: Lines) -> None:
    rt = Runtime(Connection(token=TOKEN), registry=REGISTRY, policy=POLICY, debug=True)
    with responses.RequestsMock() as api:
        api.add_callback(responses.GET, ANY_URL, callback=echo("long"))
        with pytest.raises(ConnectorError) as caught:
            rt.run("getSource", {"sourceId": "s1"})
    texts = [*logged.lines, str(caught.value), json.dumps(caught.value.to_dict())]
    for text in texts:
        for n in range(8, len(TOKEN) + 1, 4):  # no piece long enough to mean anything
            assert TOKEN[:n] not in text or n < 12


@pytest.mark.parametrize("token", ['sgp_quote"and\\backslash_0123456789', "sgp_" + "%2F" * 8])
def test_cli_output_stays_valid_json_whatever_the_token(
        capsys: pytest.CaptureFixture[str], token: str) -> None:
    with responses.RequestsMock() as api:
        api.add_callback(responses.GET, ANY_URL, callback=echo("ok", token))
        code = cli.main(["run", "getSource", "-i", "sourceId=s1", "--token", token,
                         "--base-url", "http://127.0.0.1:9", "--debug"])
    out, err = capsys.readouterr()
    assert code == 0
    answer = json.loads(out)  # still JSON
    assert answer["data"]["data"]["echo"] == "Bearer ***"
    for form in (token, json.dumps(token)[1:-1]):
        assert form not in out and form not in err


def test_a_warehouse_password_is_sent_but_never_shown(
        capsys: pytest.CaptureFixture[str], tmp_path: Path, logged: Lines) -> None:
    argv = ["run", "createWarehouse", "--input-json", str(tmp_path / "in.json"),
            "--token", TOKEN, "--base-url", "http://127.0.0.1:9"]
    (tmp_path / "in.json").write_text(json.dumps(WAREHOUSE))
    with responses.RequestsMock() as api:
        api.add_callback(responses.POST, ANY_URL, callback=echo("ok"))
        assert cli.main([*argv, "--debug"]) == 0
        assert cli.main([*argv, "--dry-run"]) == 0
        sent = json.loads(api.calls[0].request.body)
    assert sent["settings"]["password"] == PASSWORD  # the API gets it intact
    out, err = capsys.readouterr()
    assert PASSWORD not in out + err
    assert all(PASSWORD not in line for line in logged.lines)
    assert '"password": "***"' in out


def test_a_warehouse_password_never_reaches_a_results_file(tmp_path: Path) -> None:
    batch, results = tmp_path / "in.jsonl", tmp_path / "out.jsonl"
    batch.write_text(json.dumps(WAREHOUSE) + "\n" + json.dumps({**WAREHOUSE, "name": 5}) + "\n")
    rt = Runtime(Connection(token=TOKEN, base_url="http://127.0.0.1:9"), registry=REGISTRY,
                 policy=POLICY)
    with responses.RequestsMock() as api:
        api.add_callback(responses.POST, ANY_URL, callback=echo("ok"))
        summary = run_batch(rt, "createWarehouse", batch, results, progress=False,
                            handle_signals=False)
    assert (summary.ok, summary.errors) == (1, 1)
    text = results.read_text()
    assert PASSWORD not in text and TOKEN not in text
    assert results.stat().st_mode & 0o077 == 0  # owner-only


def test_each_runtime_masks_its_own_token_in_its_own_threads(logged: Lines) -> None:
    tokens = [f"sgp_tenant_{n}_" + "q" * 40 for n in range(8)]
    runtimes = [Runtime(Connection(token=t, base_url="http://127.0.0.1:9"), registry=REGISTRY,
                        policy=POLICY, debug=True) for t in tokens]
    barrier = threading.Barrier(len(runtimes))

    def work(rt: Runtime) -> None:
        barrier.wait()
        for _ in range(20):
            with contextlib.suppress(ConnectorError):
                rt.run("getSource", {"sourceId": "s1"})

    with responses.RequestsMock(assert_all_requests_are_fired=False) as api:
        api.add_callback(responses.GET, ANY_URL, callback=echo("long"))
        threads = [threading.Thread(target=work, args=(rt,)) for rt in runtimes]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
    assert logged.lines
    for line in logged.lines:
        assert not any(t in line for t in tokens)


def test_a_runtime_no_longer_used_leaves_no_token_behind() -> None:
    rt = Runtime(Connection(token=TOKEN + "_gone"), registry=REGISTRY)
    with redact.scope(rt.secrets):
        assert redact.redact(TOKEN + "_gone") == redact.MASK
    gone = weakref.ref(rt.secrets)
    del rt
    gc.collect()
    assert gone() is None
    assert redact.redact(TOKEN + "_gone") == TOKEN + "_gone"  # nothing process-wide kept it


def test_error_fields_named_like_secrets_keep_their_problem(
        capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("SEGMENT_API_TOKEN", raising=False)
    monkeypatch.setenv("SEGMENT_CONNECTOR_CONFIG", "/nonexistent/config.toml")
    assert cli.main(["run", "listSources", "--error-format", "json"]) == 2
    record = json.loads(capsys.readouterr().err)
    assert record["error"]["fields"]["token"].startswith("no API token")
