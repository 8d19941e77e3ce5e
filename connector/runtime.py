"""Run actions and picklists: validate, build, send with retries, page, shape results."""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable, Iterable, Iterator, Mapping
from typing import TYPE_CHECKING, Any

from connector import redact
from connector.connection import Connection
from connector.errors import InputError, ResponseError
from connector.registry import Registry, default_registry
from connector.request import HttpRequest, build
from connector.retry import WAIT_NOTICE_S, RetryPolicy, call_with_retries
from connector.spec import PAGING_KEYS, Action, DataSource
from connector.transport import HttpClient, HttpResponse, send
from connector.validation import as_inputs, validate

if TYPE_CHECKING:
    from connector.ratelimit import RateLimiter

log = logging.getLogger("segment_connector")
PICKLIST_CAP = 5000
__all__ = ["WAIT_NOTICE_S", "RepeatedCursorError", "Runtime", "fetch_picklist", "run_action"]


class RepeatedCursorError(ResponseError):
    kind = "pagination"


class Runtime:
    """Executes plugins against one connection. Safe to share between threads.

    `on_wait(seconds, reason)` is told before any wait of at least
    `WAIT_NOTICE_S` (a retry back-off, a 429's asked-for wait, rate-limit
    pacing), so a user sees why nothing happens. `timeout` (one attempt) and
    `deadline` (all attempts and waits), in seconds, override the policy's.
    """

    def __init__(
        self,
        connection: Connection | None = None,
        registry: Registry | None = None,
        policy: RetryPolicy | None = None,
        debug: bool = False,
        sleep: Callable[[float], None] = time.sleep,
        limiter: RateLimiter | None = None,
        on_wait: Callable[[float, str], None] | None = None,
        timeout: float | None = None,
        deadline: float | None = None,
    ) -> None:
        self.connection = connection if connection is not None else Connection.resolve()
        self.registry = registry
        self.policy = (policy or RetryPolicy()).with_(
            timeout_s=_seconds("timeout", timeout), deadline_s=_seconds("deadline", deadline))
        self.debug = debug
        self.sleep = sleep
        self.limiter = limiter  # paces every attempt per endpoint (bulk runs)
        self.on_wait = on_wait
        self._local = threading.local()  # one HTTP client (requests.Session) per thread
        redact.remember(self.connection.token)

    # -- plumbing ----------------------------------------------------------
    @property
    def plugins(self) -> Registry:
        if self.registry is None:
            self.registry = default_registry()
        return self.registry

    @property
    def client(self) -> HttpClient:
        client = getattr(self._local, "client", None)
        if client is None:
            client = self._local.client = HttpClient()
        return client

    def prepare(self, action: Action, values: Mapping[str, Any]) -> HttpRequest:
        """Validate `values` and build the request; raises InputError before any I/O."""
        return self._build(action, values, validate(action.inputs, values, action.key))

    def _build(self, action: Action, raw: Mapping[str, Any], clean: Mapping[str, Any]
               ) -> HttpRequest:
        region = raw.get("region") or None  # left blank: the connection's region
        return build(action, clean, self.connection.url_for(region), self.connection.token)

    def with_limiter(self, limiter: RateLimiter) -> Runtime:
        """A runtime on the same connection and plugins whose calls `limiter` paces."""
        return Runtime(self.connection, self.registry, self.policy, self.debug, self.sleep,
                       limiter, on_wait=self.on_wait)

    def send(self, req: HttpRequest, policy: RetryPolicy | None = None,
             response_type: str = "json", debug: bool | None = None,
             op: str | None = None) -> HttpResponse:
        """Send with the retry policy; the body decoded as `response_type`.

        `op` (the operation id) picks the rate-limit bucket when a limiter is set.
        """
        policy = policy or self.policy
        debug = self.debug if debug is None else debug

        def on_retry(exc: BaseException, wait: float, attempt: int) -> None:
            log.log(logging.INFO if debug else logging.DEBUG,
                    "attempt %d failed (%s); retrying in %.2fs", attempt, exc, wait)

        limiter, on_wait = self.limiter, self.on_wait
        if limiter is None:
            def attempt(timeout: float) -> HttpResponse:
                return send(self.client, req, timeout, response_type, debug)
        else:  # every attempt, retries included, waits for its turn
            def attempt(timeout: float) -> HttpResponse:
                return limiter.call(
                    op, lambda: send(self.client, req, timeout, response_type, debug), on_wait)
        return call_with_retries(attempt, policy, req.method, sleep=self.sleep,
                                 on_retry=on_retry, on_wait=on_wait)

    # -- actions -------------------------------------------------------------
    def run(self, key: str, inputs: Mapping[str, Any] | None = None) -> dict[str, Any]:
        """Run an action by key or alias; returns `{"data": <API body>}`."""
        action = self.plugins.action(key)
        values = as_inputs(inputs, action.key)
        if action.run is not None:
            return action.run(self, values)
        clean = validate(action.inputs, values, action.key)
        if action.paginated and clean.get("followAll"):
            return {"data": self._collect_pages(action, values, clean["maxItems"])}
        return {"data": self.send(self._build(action, values, clean), op=action.key).body}

    def dry_run(self, key: str, inputs: Mapping[str, Any] | None = None) -> dict[str, Any]:
        """The request `run` would send (token masked); nothing is sent."""
        action = self.plugins.action(key)
        values = as_inputs(inputs, action.key)
        if action.run is not None and hasattr(action.run, "prepare"):
            return action.run.prepare(self, values).describe()
        return self.prepare(action, values).describe()

    def iter_pages(self, key: str, inputs: Mapping[str, Any] | None = None
                   ) -> Iterator[dict[str, Any]]:
        """Each page's `data` object of a listing, following `next` cursors."""
        action = self.plugins.action(key)
        if not action.paginated:
            raise InputError({"action": f"{action.key} is not a paginated listing"}, key)
        values = {k: v for k, v in (inputs or {}).items() if k != "followAll"}
        seen: set[str] = set()
        while True:
            page = self.send(self.prepare(action, values), op=action.key).body
            data = page.get("data") if isinstance(page, dict) else None
            if not isinstance(data, dict):
                raise ResponseError(f"{action.key}: answer has no `data` object")
            yield data
            cursor = (data.get("pagination") or {}).get("next")
            if not cursor:
                return
            if cursor in seen:
                raise RepeatedCursorError(
                    f"{action.key}: the API returned cursor {cursor!r} twice; "
                    "stopping instead of looping")
            seen.add(cursor)
            values["cursor"] = cursor

    def iter_items(self, key: str, inputs: Mapping[str, Any] | None = None,
                   max_items: int | None = None) -> Iterator[Any]:
        """Stream the items of every page; memory stays at one page."""
        action = self.plugins.action(key)
        count = 0
        for data in self.iter_pages(key, inputs):
            items = data.get(action.items or "", [])
            if max_items is not None:
                items = items[:max_items - count]
                count += len(items)
            yield from items  # page by page: no per-item bookkeeping
            if max_items is not None and count >= max_items:
                return

    def _collect_pages(self, action: Action, values: Mapping[str, Any],
                       max_items: int) -> dict[str, Any]:
        items: list[Any] = []
        first: dict[str, Any] | None = None
        last: dict[str, Any] = {}
        for data in self.iter_pages(action.key, values):
            first = first or data
            last = data
            room = max_items - len(items)
            items.extend(data.get(action.items or "", [])[:room])
            if len(items) >= max_items:
                break
        merged = dict(first or {})
        merged[action.items or "items"] = items
        pagination = dict(last.get("pagination") or {})
        pagination["current"] = (first or {}).get("pagination", {}).get("current")
        if len(items) < max_items:
            pagination.pop("next", None)
        merged["pagination"] = {k: v for k, v in pagination.items() if v is not None}
        return {"data": merged}

    # -- picklists -------------------------------------------------------------
    def picklist(self, key: str, inputs: Mapping[str, Any] | None = None) -> dict[str, Any]:
        """`{"result": [{"label", "key"}]}` from every page of the feeding listing."""
        source = self.plugins.datasource(key)
        values = validate(source.all_inputs, as_inputs(inputs, source.key), source.key)
        text = (values.pop("filter", None) or "").lower()
        cap = values.pop("maxItems", None) or PICKLIST_CAP
        action = self.plugins.action(source.action)
        listing = {k: v for k, v in values.items() if k not in PAGING_KEYS}
        if action.paginated:
            listing["count"] = 200
            items: Iterable[Any] = self.iter_items(action.key, listing)
        else:
            body = self.run(action.key, listing)["data"]
            items = ((body or {}).get("data") or {}).get(source.items or "", [])
        result = []
        for item in items:
            option = {"label": _label(source, item), "key": _dig(item, source.value)}
            if text and text not in str(option["label"]).lower():
                continue
            result.append(option)
            if len(result) >= cap:
                break
        return {"result": result}


def _seconds(name: str, value: float | None) -> float | None:
    """A positive number of seconds, or None; anything else is an InputError naming `name`."""
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int | float) or not value > 0:
        raise InputError({name: f"must be a positive number of seconds, not {value!r}"})
    return float(value)


def _dig(item: Any, path: str) -> Any:
    if "{" in path:  # a template over the item's fields
        try:
            return path.format_map(item)
        except (KeyError, TypeError, ValueError):
            return None
    for part in path.split("."):
        if not isinstance(item, Mapping):
            return None
        item = item.get(part)
    return item


def _label(source: DataSource, item: Any) -> str:
    for path in source.label:
        value = _dig(item, path)
        if value not in (None, ""):
            return str(value)
    return str(_dig(item, source.value))


def run_action(key: str, inputs: Mapping[str, Any] | None = None,
               connection: Connection | None = None, **options: Any) -> dict[str, Any]:
    """One call for flow engines: run the action `key` (or an alias) with `inputs`.

    `options` are `Runtime`'s: `timeout=`, `deadline=`, `on_wait=`, `policy=`, ...
    """
    return Runtime(connection, **options).run(key, inputs)


def fetch_picklist(key: str, inputs: Mapping[str, Any] | None = None,
                   connection: Connection | None = None, **options: Any) -> dict[str, Any]:
    """One call for flow builders: the options of picklist `key` (`options` as for `run_action`)."""
    return Runtime(connection, **options).picklist(key, inputs)
