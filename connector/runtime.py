"""Run actions and picklists: validate, build, send with retries, page, shape results."""

from __future__ import annotations

import contextvars
import logging
import threading
import time
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from typing import TYPE_CHECKING, Any, TypedDict, Unpack

from connector import redact
from connector.connection import Connection
from connector.errors import DeadlineExceededError, InputError, RateLimitedError
from connector.events import BACKOFF, HOLD, RATE_LIMIT, Exchange, Observer, Observers, compose
from connector.paging import (
    MAX_EMPTY_PAGES,
    MAX_PAGES,
    RESUME_PREFIX,
    Page,
    PageCapError,
    PaginationError,
    Paginator,
    RepeatedCursorError,
    is_resume,
    read_cursor,
    resume_cursor,
    set_cursor,
)
from connector.policy import Policy, check_all
from connector.registry import Registry, default_registry
from connector.request import HttpRequest, build
from connector.retry import WAIT_NOTICE_S, Deadline, RetryPolicy, call_with_retries
from connector.spec import PAGING_KEYS, Action, DataSource, RequestExecutor
from connector.validation import as_inputs, validate

if TYPE_CHECKING:  # the HTTP stack loads on the first send: a dry run never needs it
    from connector.ratelimit import Limiter
    from connector.transport import HttpClient, HttpResponse

log = logging.getLogger("segment_connector")
# The action a call belongs to, for observers of requests sent without an operation id
# (Raw Request, a plugin's own executor).
_action: contextvars.ContextVar[str] = contextvars.ContextVar("segment_action", default="")
PICKLIST_CAP = 5000
NO_TOKEN = ("no API token: give --token, set SEGMENT_API_TOKEN or use --profile with a "
            "profile that has one (from Python: Connection(token=...))")
__all__ = ["MAX_EMPTY_PAGES", "MAX_PAGES", "RESUME_PREFIX", "WAIT_NOTICE_S", "PageCapError",
           "PaginationError", "RepeatedCursorError", "Runtime", "fetch_picklist", "read_cursor",
           "resume_cursor", "run_action"]


class RuntimeOptions(TypedDict, total=False):
    """The named options a runtime is made with, and that `Runtime.with_` changes."""

    registry: Registry | None
    policy: RetryPolicy | None
    debug: bool
    sleep: Callable[[float], None]
    limiter: Limiter | None
    on_wait: Callable[[float, str], None] | None
    timeout: float | None
    deadline: float | None
    clock: Callable[[], float]
    max_pages: int | None
    events: Observer | Sequence[Observer] | None
    http: SharedClient | None
    access: Policy | Iterable[Policy] | None


class SharedClient:
    """The HTTP client of one or more runtimes, made on first use (a dry run never loads
    the HTTP stack) and shared by every thread: its pools are thread-safe, and
    connections outlive the threads that opened them. `pool_size` connections per
    host are kept for reuse (calls at once beyond that open and close their own)."""

    __slots__ = ("_client", "_lock", "pool_size")

    def __init__(self, client: HttpClient | None = None, pool_size: int = 64) -> None:
        self._client = client
        self._lock = threading.Lock()
        self.pool_size = pool_size

    def get(self) -> HttpClient:
        client = self._client
        if client is None:
            with self._lock:
                if self._client is None:
                    from connector.transport import HttpClient

                    self._client = HttpClient(pool_size=self.pool_size)
                client = self._client
        return client

    def set(self, client: HttpClient) -> None:
        """Send with `client` from now on (tests: a recording or failing client)."""
        self._client = client


class Runtime:
    """Executes plugins against one connection. Safe to share between threads.

    `on_wait(seconds, reason)` is told before any wait of at least
    `WAIT_NOTICE_S` (a retry back-off, a 429's asked-for wait, rate-limit
    pacing), so a user sees why nothing happens. `timeout` (one attempt) and
    `deadline` (all attempts and waits), in seconds, override the policy's; no
    wait, rate-limit holds included, ends after the deadline. `clock` is the
    monotonic clock the deadline is kept on (fake it along with `sleep`).
    A listing follows at most `max_pages` pages (default `MAX_PAGES`).
    `access` is the credential's policy (or policies, all of which must agree):
    every action, listing and picklist is checked against it before any request
    is built, and a refusal is a `PolicyError`.
    `events` are told every moment of every request (`connector.events`).
    `http` holds the HTTP client every thread sends with; runtimes given the same
    one share its keep-alive connections (it never holds a credential).
    """

    def __init__(
        self,
        connection: Connection | None = None,
        registry: Registry | None = None,
        policy: RetryPolicy | None = None,
        debug: bool = False,
        sleep: Callable[[float], None] = time.sleep,
        limiter: Limiter | None = None,
        on_wait: Callable[[float, str], None] | None = None,
        timeout: float | None = None,
        deadline: float | None = None,
        clock: Callable[[], float] = time.monotonic,
        max_pages: int | None = None,
        events: Observer | Sequence[Observer] | None = None,
        http: SharedClient | None = None,
        access: Policy | Iterable[Policy] | None = None,
    ) -> None:
        self.connection = connection if connection is not None else Connection.resolve()
        self.registry = registry
        self.policy = (policy or RetryPolicy()).with_(
            timeout_s=_seconds("timeout", timeout), deadline_s=_seconds("deadline", deadline))
        self.debug = debug
        self.sleep = sleep
        self.clock = clock
        self.max_pages = _count("max_pages", max_pages, MAX_PAGES)
        self.limiter = limiter  # paces every attempt per endpoint (bulk runs)
        self.on_wait = on_wait
        self.access: tuple[Policy, ...] = (
            () if access is None else (access,) if isinstance(access, Policy) else tuple(access))
        self.events: Observers = (compose(events) if isinstance(events, Observer)
                                  else compose(*(events or ())))
        self.http = http if http is not None else SharedClient()
        # Masked in whatever this runtime logs or raises; scoped to it, not the process.
        self.secrets = redact.Secrets(self.connection.token)

    # -- plumbing ----------------------------------------------------------
    @property
    def plugins(self) -> Registry:
        if self.registry is None:
            self.registry = default_registry()
        return self.registry

    @property
    def client(self) -> HttpClient:
        return self.http.get()

    def prepare(self, action: Action, values: Mapping[str, Any]) -> HttpRequest:
        """Validate `values` and build the request; raises InputError before any I/O."""
        return self._build(action, values, validate(action.inputs, values, action.key))

    def _build(self, action: Action, raw: Mapping[str, Any], clean: Mapping[str, Any]
               ) -> HttpRequest:
        region = raw.get("region") or None  # left blank: the connection's region
        return build(action, clean, self.connection.url_for(region), self.connection.token)

    def with_(self, **changes: Unpack[RuntimeOptions]) -> Runtime:
        """A runtime on the same connection, plugins, secrets and HTTP clients, with the
        named options in `changes` (`limiter=`, `events=`, `policy=`, ...) changed."""
        options: RuntimeOptions = {
            "registry": self.registry, "policy": self.policy, "debug": self.debug,
            "sleep": self.sleep, "limiter": self.limiter, "on_wait": self.on_wait,
            "clock": self.clock, "max_pages": self.max_pages, "events": self.events,
            "http": self.http, "access": self.access}
        options.update(changes)
        made = Runtime(self.connection, **options)
        made.secrets = self.secrets
        return made

    def watched(self, *observers: Observer) -> Runtime:
        """`with_`, its calls told to `observers` after this runtime's own."""
        return self.with_(events=compose(self.events, *observers))

    def _route(self, op: str | None) -> str:
        """The path template of operation `op` ("" when it names no action)."""
        if not op or self.registry is None:
            return ""
        try:
            return self.plugins.action(op).path
        except Exception:  # an operation the registry does not know: no template to name
            return ""

    def send(self, req: HttpRequest, policy: RetryPolicy | None = None,
             response_type: str = "json", debug: bool | None = None,
             op: str | None = None) -> HttpResponse:
        """Send with the retry policy; the body decoded as `response_type`.

        `op` (the operation id) picks the rate-limit bucket when a limiter is set.
        Every action, Raw Request and picklist comes through here, so a missing
        token is an InputError before anything is sent.
        """
        from connector.transport import send
        token = self.connection.token
        if not token or token.isspace():  # before any I/O: the API would only answer 401
            raise InputError({"token": NO_TOKEN}, op)
        policy = policy or self.policy
        debug = self.debug if debug is None else debug
        events = self.events
        ex = Exchange(req, op or _action.get(), self._route(op))
        failed: list[BaseException] = []  # the error the next wait follows

        def on_retry(exc: BaseException, wait: float, attempt: int) -> None:
            log.log(logging.INFO if debug else logging.DEBUG,
                    "attempt %d failed (%s); retrying in %.2fs", attempt, exc, wait)
            failed[:] = [exc]
            events.retry(ex, exc, wait)

        def on_pause(seconds: float, reason: str) -> None:
            asked = bool(failed) and isinstance(failed[0], RateLimitedError)
            events.wait(ex, seconds, RATE_LIMIT if asked else BACKOFF, reason)

        def may_retry(exc: BaseException) -> bool:
            return events.may_retry(ex, exc)

        limiter, on_wait = self.limiter, self.on_wait
        # The hold counts against the deadline: the limiter refuses one that would
        # outlast it, and the attempt after a hold gets only the time still left.
        deadline = Deadline(policy.deadline_s, self.clock)

        def go(timeout: float) -> HttpResponse:
            left = deadline.remaining_s()
            if left <= 0:
                raise DeadlineExceededError(
                    f"deadline of {deadline.seconds:g}s exceeded", sent=False)
            events.turn(ex)  # an observer may stop the attempt here: nothing is sent
            try:
                response = send(self.client, req, min(timeout, left), response_type, debug)
            except BaseException as exc:
                events.answer(ex, None, exc)
                raise
            events.answer(ex, response, None)
            return response

        def attempt(timeout: float) -> HttpResponse:
            ex.attempt += 1
            events.attempt(ex)
            if limiter is None:
                return go(timeout)

            def held(seconds: float, reason: str) -> None:
                events.wait(ex, seconds, HOLD, reason)
                if on_wait is not None:
                    on_wait(seconds, reason)

            # Every attempt, retries included, waits for its turn.
            return limiter.call(op, lambda: go(timeout), held,
                                max_wait_s=deadline.remaining_s())

        with redact.scope(self.secrets):  # what is logged or raised below is masked
            events.request(ex)
            try:
                response = call_with_retries(
                    attempt, policy, req.method, sleep=self.sleep, clock=self.clock,
                    on_retry=on_retry, on_wait=on_wait, deadline=deadline,
                    on_pause=on_pause, may_retry=may_retry)
            except BaseException as exc:
                events.give_up(ex, exc)
                raise
            events.done(ex, response)
        return response

    def allowed(self, action: Action, values: Mapping[str, Any]) -> None:
        """Raise PolicyError when the policy refuses this call; before any request is built."""
        check_all(self.access, action, values)

    # -- actions -------------------------------------------------------------
    def run(self, key: str, inputs: Mapping[str, Any] | None = None) -> dict[str, Any]:
        """Run an action by key or alias; returns `{"data": <API body>}`."""
        action = self.plugins.action(key)
        values = as_inputs(inputs, action.key)
        self.allowed(action, values)
        if action.run is not None:
            current = _action.set(action.key)  # its requests are this action's
            try:
                return action.run(self, values)
            finally:
                _action.reset(current)
        clean = validate(action.inputs, values, action.key)
        if action.paginated:
            if clean.get("followAll"):
                return {"data": self._collect_pages(action, values, clean["maxItems"])}
            if is_resume(values.get("cursor")):  # one page, resumed inside it
                return {"data": {"data": next(self._walk(action, values)).data}}
        return {"data": self.send(self._build(action, values, clean), op=action.key).body}

    def dry_run(self, key: str, inputs: Mapping[str, Any] | None = None) -> dict[str, Any]:
        """The request `run` would send (token masked); nothing is sent. A custom executor
        that cannot show its request answers `{"runsCode": true, "dryRun": <what its
        action declares>}`."""
        action = self.plugins.action(key)
        values = as_inputs(inputs, action.key)
        self.allowed(action, values)
        if isinstance(action.run, RequestExecutor):
            return action.run.prepare(self, values).describe()
        if action.run is not None:  # code, not one request: what its author declared
            return {"runsCode": True, "dryRun": action.dry_run}
        if action.paginated and is_resume(values.get("cursor")):
            set_cursor(values, read_cursor(values["cursor"], action.key)[0])
        return self.prepare(action, values).describe()

    def iter_pages(self, key: str, inputs: Mapping[str, Any] | None = None,
                   on_headers: Callable[[Mapping[str, str]], None] | None = None
                   ) -> Iterator[dict[str, Any]]:
        """Each page's `data` object of a listing, following `next` cursors.

        A connector cursor (`resume_cursor`) as the `cursor` input starts inside
        its page: the items before it are left out of the first page(s).
        `on_headers` is given each answer's headers (a trigger reads the API's
        clock off `Date`).
        """
        action = self.plugins.action(key)
        if not action.paginated:
            raise InputError({"action": f"{action.key} is not a paginated listing"}, key)
        values = as_inputs(inputs, action.key)
        self.allowed(action, values)
        for page in self._walk(action, values, on_headers):
            yield page.data

    def iter_items(self, key: str, inputs: Mapping[str, Any] | None = None,
                   max_items: int | None = None) -> Iterator[Any]:
        """Stream the items of every page; memory stays at one page.

        Stops after `max_items`, or after the `maxItems` input when one is given
        (the smaller of the two when both are).
        """
        action = self.plugins.action(key)
        values = as_inputs(inputs, action.key)
        if values.get("maxItems") not in (None, "") and action.paginated:
            cap = validate(action.inputs, values, action.key)["maxItems"]
            max_items = cap if max_items is None else min(max_items, cap)
        count = 0
        for data in self.iter_pages(key, values):
            items = data.get(action.items or "", [])
            if max_items is not None:
                items = items[:max_items - count]
                count += len(items)
            yield from items  # page by page: no per-item bookkeeping
            if max_items is not None and count >= max_items:
                return

    def _walk(self, action: Action, inputs: Mapping[str, Any],
              on_headers: Callable[[Mapping[str, str]], None] | None = None) -> Iterator[Page]:
        """Every page from the `cursor` input on, fetched only when asked for."""
        def fetch(values: Mapping[str, Any]) -> Any:
            response = self.send(self.prepare(action, values), op=action.key)
            if on_headers is not None:
                on_headers(response.headers)
            return response.body

        return Paginator(self.max_pages).walk(action.key, action.items, inputs, fetch)

    def _collect_pages(self, action: Action, values: Mapping[str, Any],
                       max_items: int) -> dict[str, Any]:
        """The followAll answer: every item up to `max_items`, in the first page's shape.

        `pagination` is the first page's (its `current` and `previous` describe
        where the answer starts) with `next` resuming right after the last item
        returned, and `truncated` saying whether `max_items` cut the listing short.
        """
        key = action.items or "items"
        items: list[Any] = []
        first: Page | None = None
        resume: str | None = None
        for page in self._walk(action, values):
            first = first or page
            got = page.data.get(key)
            got = got if isinstance(got, list) else []
            room = max_items - len(items)
            if len(got) > room:  # cut inside this page: a cursor of the connector's own
                items.extend(got[:room])
                resume = resume_cursor(page.start, page.dropped + room)
                break
            items.extend(got)
            resume = (page.data.get("pagination") or {}).get("next") or None
            if len(items) >= max_items:  # cut on a page boundary: the API's own cursor
                break
        merged = dict(first.data) if first is not None else {}
        merged[key] = items
        pagination = dict(merged.get("pagination") or {})
        pagination.pop("next", None)
        if resume:
            pagination["next"] = resume
        pagination["truncated"] = resume is not None
        merged["pagination"] = {k: v for k, v in pagination.items() if v is not None}
        return {"data": merged}

    # -- triggers --------------------------------------------------------------
    def poll(self, key: str, inputs: Mapping[str, Any] | None = None,
             state: Mapping[str, Any] | None = None) -> dict[str, Any]:
        """One poll of trigger `key`: `{"events", "state"}` (see `connector.triggers`)."""
        from connector.triggers.poll import poll

        return poll(self, key, inputs, state)

    # -- picklists -------------------------------------------------------------
    def picklist(self, key: str, inputs: Mapping[str, Any] | None = None) -> dict[str, Any]:
        """`{"result": [{"label", "key"}], "truncated": bool}` from the feeding listing.

        `filter` keeps options whose label or key contains it (any case). When
        `maxItems` options are reached with more to come, the answer is
        `truncated` and `nextPageToken` (given back as `pageToken`) goes on
        right after the last item read.
        """
        source = self.plugins.datasource(key)
        values = validate(source.all_inputs, as_inputs(inputs, source.key), source.key)
        text = (values.pop("filter", None) or "").lower()
        cap = values.pop("maxItems", None) or PICKLIST_CAP
        token = values.pop("pageToken", None) or None
        action = self.plugins.action(source.action)
        listing = {k: v for k, v in values.items() if k not in PAGING_KEYS}
        self.allowed(action, listing)
        field = (action.items if action.paginated else source.items) or ""
        if action.paginated:
            listing["count"] = 200
            if token is not None:
                read_cursor(token, source.key)  # an InputError now, before any I/O
                listing["cursor"] = token
            pages: Iterable[Page] = self._walk(action, listing)
        else:
            _, skip = read_cursor(token, source.key) if token else (None, 0)
            body = self.run(action.key, listing)["data"]
            items = ((body or {}).get("data") or {}).get(field, [])
            pages = [Page({field: items[skip:]}, None, skip)]
        result: list[dict[str, Any]] = []
        for page in pages:
            items = page.data.get(field) or []
            for at, item in enumerate(items):
                option = option_for(source, item)
                if text and text not in f"{option['label']}\n{option['key']}".lower():
                    continue
                result.append(option)
                if len(result) < cap:
                    continue
                if at + 1 < len(items):  # more on this page: resume inside it
                    more: str | None = resume_cursor(page.start, page.dropped + at + 1)
                else:
                    more = (page.data.get("pagination") or {}).get("next")
                answer: dict[str, Any] = {"result": result, "truncated": bool(more)}
                if more:
                    answer["nextPageToken"] = more
                return answer
        return {"result": result, "truncated": False}


def _count(name: str, value: int | None, default: int) -> int:
    """A positive whole number, or `default` for None; anything else is an InputError."""
    if value is None:
        return default
    if isinstance(value, bool) or not isinstance(value, int) or value < 1:
        raise InputError({name: f"must be a whole number of at least 1, not {value!r}"})
    return value


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


def option_for(source: DataSource, item: Any) -> dict[str, Any]:
    """One picklist option, `{"label", "key"}`, from an item of the feeding listing."""
    return {"label": _label(source, item), "key": _dig(item, source.value)}


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
