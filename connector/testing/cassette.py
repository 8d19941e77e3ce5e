"""Record a test's HTTP exchanges into a cassette file, and replay them with no network.

The runtime sends every request through a `requests` transport adapter
(`connector.transport.HttpClient` hands the prepared request straight to
`HTTPAdapter.send`), so that call is where a cassette sits, as `responses`
does: recording wraps it and keeps each exchange; replaying answers from the
file and nothing leaves the process. vcrpy is not used: it patches urllib3's
connection classes, and the transport's pools bring connection classes of
their own (the watchdog needs their sockets), so its patches would not see
the runtime's requests; nor could its filters apply the runtime's secret rules.

A cassette never holds a secret. The Authorization header is never written;
the token is masked wherever else it appears (in every form `redact.Secrets`
knows), and so are the values of secret-named fields and `sensitive`
settings, in requests and answers alike. Replay masks each request the same
way before matching it (method, path, query and JSON body; the host is not
matched, so a cassette recorded on a simulator replays anywhere), plays each
recorded exchange once, in order, and fails a request it does not hold with
a `CassetteMiss` naming the request and the closest one recorded.
"""

from __future__ import annotations

import base64
import difflib
import io
import json
import os
import threading
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from pathlib import Path
from typing import Any, Literal
from unittest import mock
from urllib.parse import parse_qsl, urlsplit

import requests
from requests.adapters import HTTPAdapter
from requests.structures import CaseInsensitiveDict
from urllib3.response import HTTPResponse

from connector.body import read_capped
from connector.redact import MASK, Secrets, is_secret_name, redact_value
from connector.transport import MAX_BODY_BYTES

FORMAT = "segment-connector/cassette"
VERSION = 1
Mode = Literal["record", "replay"]
# Answer headers worth keeping: what the runtime reads (type, limits, waits, redirects).
KEPT_HEADERS = ("content-type", "retry-after", "location", "x-ratelimit-limit",
                "x-ratelimit-remaining", "x-ratelimit-reset")


class CassetteMiss(AssertionError):
    """A request the cassette does not hold (or holds fewer times than it was sent)."""


def _request_key(request: requests.PreparedRequest, secrets: Secrets) -> dict[str, Any]:
    """What a request is matched on, masked as it is written."""
    parts = urlsplit(request.url or "")
    query = [[k, MASK if is_secret_name(k) else secrets.mask(v)]
             for k, v in parse_qsl(parts.query, keep_blank_values=True)]
    body: Any = None
    raw = request.body
    if raw:
        text = raw.decode("utf-8", "replace") if isinstance(raw, bytes) else str(raw)
        try:
            body = redact_value(json.loads(text), secrets)
        except ValueError:
            body = secrets.mask(text)
    return {"method": (request.method or "").upper(), "path": secrets.mask(parts.path),
            "query": sorted(query), "body": body}


def _line(key: Mapping[str, Any]) -> str:
    """A request in one line: `POST /labels?x=1 {"label": ...}`."""
    query = "&".join(f"{k}={v}" for k, v in key["query"])
    body = "" if key["body"] is None else " " + json.dumps(key["body"], sort_keys=True)
    return f"{key['method']} {key['path']}{'?' + query if query else ''}{body}"


def _token_of(request: requests.PreparedRequest) -> str | None:
    auth = request.headers.get("Authorization") or ""
    return auth.split(" ", 1)[1] if " " in auth else None


def _stored_body(data: bytes, content_type: str, secrets: Secrets) -> dict[str, Any]:
    if "json" in content_type or not content_type:
        try:
            return {"json": redact_value(json.loads(data), secrets)} if data.strip() else \
                {"text": ""}
        except ValueError:
            pass
    try:
        return {"text": secrets.mask(data.decode("utf-8"))}
    except UnicodeDecodeError:
        return {"base64": base64.b64encode(data).decode()}


def _body_bytes(stored: Mapping[str, Any]) -> bytes:
    if "json" in stored:
        return json.dumps(stored["json"], separators=(",", ":")).encode()
    if "base64" in stored:
        return base64.b64decode(stored["base64"])
    return str(stored.get("text", "")).encode()


def _response(request: requests.PreparedRequest, adapter: HTTPAdapter, status: int,
              headers: Mapping[str, str], data: bytes) -> requests.Response:
    """A response as the adapter would build it, its body read from memory."""
    raw = HTTPResponse(body=io.BytesIO(data), headers=dict(headers), status=status,
                       preload_content=False, decode_content=False)
    resp = requests.Response()
    resp.status_code = status
    resp.headers = CaseInsensitiveDict(headers)
    resp.raw = raw
    resp.reason = ""
    resp.url = request.url or ""
    resp.request = request
    resp.connection = adapter
    return resp


class Cassette:
    """`with Cassette(path, "record"):` keeps every exchange and writes `path` at the end;
    `with Cassette(path, "replay"):` answers from it, and no request leaves the process."""

    def __init__(self, path: str | Path, mode: Mode = "replay") -> None:
        if mode not in ("record", "replay"):
            raise ValueError(f"mode must be 'record' or 'replay', not {mode!r}")
        self.path = Path(path)
        self.mode = mode
        self.interactions: list[dict[str, Any]] = []
        self.played: list[bool] = []
        self.keep = True  # a recording is written when the block ends, unless discarded
        self._lock = threading.Lock()
        if mode == "replay":
            self.interactions = self._read()
            self.played = [False] * len(self.interactions)

    def _read(self) -> list[dict[str, Any]]:
        if not self.path.is_file():
            raise CassetteMiss(f"no cassette {self.path}: record it first (pytest "
                               "--record-cassettes, against the simulator or with "
                               "--cassette-live a real workspace)")
        data = json.loads(self.path.read_text(encoding="utf-8"))
        if not isinstance(data, dict) or data.get("format") != FORMAT:
            raise ValueError(f"{self.path} is not a cassette (format {FORMAT!r})")
        return list(data["interactions"])

    # -- the adapter's send, recorded or replayed ---------------------------------------
    @contextmanager
    def _patched(self) -> Iterator[Cassette]:
        original = HTTPAdapter.send
        cassette = self

        def send(adapter: HTTPAdapter, request: requests.PreparedRequest,
                 *args: Any, **kwargs: Any) -> requests.Response:
            if cassette.mode == "replay":
                return cassette.replay(adapter, request)
            return cassette.record(adapter, request, original(adapter, request, *args,
                                                              **kwargs))

        # Below the runtime, where `responses` stands too: the runtime and its observers
        # run as they do against the network.
        with mock.patch.object(HTTPAdapter, "send", send):
            yield self

    def __enter__(self) -> Cassette:
        self._context = self._patched()
        return self._context.__enter__()

    def __exit__(self, *exc: Any) -> None:
        self._context.__exit__(*exc)
        if self.mode == "record" and exc[0] is None and self.keep:
            self.write()

    def discard(self) -> None:
        """Write nothing when the block ends (the recorded test failed)."""
        self.keep = False

    def record(self, adapter: HTTPAdapter, request: requests.PreparedRequest,
               resp: requests.Response) -> requests.Response:
        secrets = Secrets(_token_of(request), os.environ.get("SEGMENT_API_TOKEN"))
        try:
            data = read_capped(resp.raw, resp.headers, MAX_BODY_BYTES, "cassette",
                               resp.status_code)
        finally:
            resp.close()
        kept = {name: resp.headers[name] for name in KEPT_HEADERS if name in resp.headers}
        with self._lock:
            self.interactions.append({
                "request": _request_key(request, secrets),
                "response": {"status": resp.status_code,
                             "headers": {k: secrets.mask(v) for k, v in kept.items()},
                             "body": _stored_body(data, kept.get("content-type", ""),
                                                  secrets)}})
        # The answer goes on to the runtime unmasked, as the API sent it.
        return _response(request, adapter, resp.status_code, kept, data)

    def replay(self, adapter: HTTPAdapter, request: requests.PreparedRequest
               ) -> requests.Response:
        key = _request_key(request, Secrets(_token_of(request)))
        with self._lock:
            for at, item in enumerate(self.interactions):
                if not self.played[at] and item["request"] == key:
                    self.played[at] = True
                    break
            else:
                raise CassetteMiss(self._miss(key))
        answer = item["response"]
        return _response(request, adapter, int(answer["status"]), answer.get("headers", {}),
                         _body_bytes(answer.get("body", {})))

    def _miss(self, key: Mapping[str, Any]) -> str:
        asked = _line(key)
        recorded = [_line(i["request"]) for i in self.interactions]
        again = sum(1 for i in self.interactions if i["request"] == key)
        if again:
            return (f"request {asked} was recorded {again} time(s) in {self.path} and has "
                    "been played that often: re-record the cassette if the test now sends "
                    "it more often")
        close = difflib.get_close_matches(asked, recorded, n=1, cutoff=0)
        hint = f"; closest recorded: {close[0]}" if close else "; the cassette is empty"
        return f"request not in cassette {self.path}: {asked}{hint}"

    def write(self) -> None:
        """Write the cassette atomically (a temporary file renamed over it)."""
        self.path.parent.mkdir(parents=True, exist_ok=True)
        text = json.dumps({"format": FORMAT, "version": VERSION,
                           "interactions": self.interactions}, indent=1, ensure_ascii=False)
        tmp = self.path.with_name(self.path.name + ".tmp")
        tmp.write_text(text + "\n", encoding="utf-8")
        os.replace(tmp, self.path)
