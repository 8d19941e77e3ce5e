"""The moments of a call, and the observers that watch them: one seam for every watcher.

A runtime given `events=` tells its observers, for every request it sends
(an `Exchange`: one request with its retries):

- `request`: built, before the first attempt;
- `attempt`: an attempt is starting, before it waits for the rate limiter;
- `turn`: the attempt has its turn under the rate limiter and is about to go out;
- `answer`: the attempt ended, with the API's answer or the error it met;
- `may_retry`: asked before a retry; any observer answering False ends the call
  with the error it met (a retry budget says no this way);
- `retry`: a retry will follow after `wait` seconds;
- `wait`: a wait is about to start, of a `kind`: `backoff` (before a retry),
  `rate_limit` (the wait a 429 asked for) or `hold` (the rate limiter's, told
  when it is announced: 2 s or more);
- `done`: the call ended with an answer; `give_up`: it ended with an error.

Bulk runs also tell `line_done(action, outcome)` as each line they ran ends
(`ok`, `error`, `not_run`).

An observer stops an attempt before anything is sent by raising from
`attempt` or `turn`: the call ends with what it raised (a circuit that is
open, a distributed run that gave the line up). Observers compose in order
(`compose`); each subclasses `Observer` and overrides only the moments it
watches. What an observer learns is the request as built: it never logs or
labels the token, an id or a free-form input (`Exchange.route` is the path
template, `Exchange.action` the action's key).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from connector.request import origin_of

BACKOFF, RATE_LIMIT, HOLD = "backoff", "rate_limit", "hold"

if TYPE_CHECKING:
    from connector.request import HttpRequest
    from connector.transport import HttpResponse


@dataclass(slots=True)
class Exchange:
    """One request with its retries, as the observers see it.

    `attempt` counts attempts started (1 for the first). `notes` is the
    observers' own room: each keeps what it needs under a key of its own.
    """

    request: HttpRequest
    action: str  # the action key ("" when the request belongs to none)
    route: str  # the path template (`/sources/{sourceId}`), never an id
    attempt: int = 0
    notes: dict[Any, Any] = field(default_factory=dict)
    _host: str | None = field(default=None, repr=False)  # `host`, worked out once

    @property
    def method(self) -> str:
        return self.request.method.upper()

    @property
    def host(self) -> str:
        """`scheme://host[:port]` of the request: what a circuit and a budget are kept per."""
        if self._host is None:
            scheme, _, netloc = origin_of(self.request.url).partition("//")
            self._host = f"{scheme}//{netloc.rpartition('@')[2]}"
        return self._host


class Observer:
    """Watches calls; every moment does nothing unless overridden."""

    def request(self, ex: Exchange) -> None:
        """The request is built; no attempt has started."""

    def attempt(self, ex: Exchange) -> None:
        """Attempt `ex.attempt` is starting; raise to stop it (nothing is sent)."""

    def turn(self, ex: Exchange) -> None:
        """The attempt has its turn and goes out next; raise to stop it (nothing is sent)."""

    def answer(self, ex: Exchange, response: HttpResponse | None,
               error: BaseException | None) -> None:
        """The attempt ended: an answer of any status (`error` set for 4xx/5xx), or no
        answer (`response` None)."""

    def may_retry(self, ex: Exchange, error: BaseException) -> bool:
        """Whether the retry the policy allows after `error` may happen."""
        return True

    def retry(self, ex: Exchange, error: BaseException, wait: float) -> None:
        """A retry follows after `wait` seconds."""

    def wait(self, ex: Exchange, seconds: float, kind: str, reason: str) -> None:
        """A wait of `seconds` starts: `kind` is BACKOFF, RATE_LIMIT or HOLD."""

    def done(self, ex: Exchange, response: HttpResponse) -> None:
        """The call ended with this answer."""

    def give_up(self, ex: Exchange, error: BaseException) -> None:
        """The call ended with this error."""

    def line_done(self, action: str, outcome: str) -> None:
        """A line of a bulk run of `action` ended: `ok`, `error` or `not_run`."""


_MOMENTS = ("request", "attempt", "turn", "answer", "may_retry", "retry", "wait", "done",
            "give_up", "line_done")


class Observers(Observer):
    """Several observers told in order; a veto (a raise, or False) from any one counts.

    Each moment is told only to the observers that watch it (override it): every call
    passes here half a dozen times, and most observers watch few moments.
    """

    def __init__(self, observers: Iterable[Observer]) -> None:
        self.observers: tuple[Observer, ...] = tuple(observers)
        watching = {moment: tuple(getattr(o, moment) for o in self.observers
                                  if getattr(type(o), moment) is not getattr(Observer, moment))
                    for moment in _MOMENTS}
        self._request, self._attempt = watching["request"], watching["attempt"]
        self._turn, self._answer = watching["turn"], watching["answer"]
        self._may_retry, self._retry = watching["may_retry"], watching["retry"]
        self._wait, self._done = watching["wait"], watching["done"]
        self._give_up, self._line_done = watching["give_up"], watching["line_done"]

    def request(self, ex: Exchange) -> None:
        for told in self._request:
            told(ex)

    def attempt(self, ex: Exchange) -> None:
        for told in self._attempt:
            told(ex)

    def turn(self, ex: Exchange) -> None:
        for told in self._turn:
            told(ex)

    def answer(self, ex: Exchange, response: HttpResponse | None,
               error: BaseException | None) -> None:
        for told in self._answer:
            told(ex, response, error)

    def may_retry(self, ex: Exchange, error: BaseException) -> bool:
        # Every observer is asked, so none that counts what it allows is skipped.
        answers = [told(ex, error) for told in self._may_retry]
        return all(answers)

    def retry(self, ex: Exchange, error: BaseException, wait: float) -> None:
        for told in self._retry:
            told(ex, error, wait)

    def wait(self, ex: Exchange, seconds: float, kind: str, reason: str) -> None:
        for told in self._wait:
            told(ex, seconds, kind, reason)

    def done(self, ex: Exchange, response: HttpResponse) -> None:
        for told in self._done:
            told(ex, response)

    def give_up(self, ex: Exchange, error: BaseException) -> None:
        for told in self._give_up:
            told(ex, error)

    def line_done(self, action: str, outcome: str) -> None:
        for told in self._line_done:
            told(action, outcome)


NOBODY = Observers(())


def compose(*observers: Observer | None) -> Observers:
    """One observer telling each of `observers` in order (None and nested groups flattened);
    a group given alone is that group (it never changes), not a copy."""
    given = [o for o in observers if o is not None]
    if len(given) == 1 and isinstance(given[0], Observers):
        return given[0]
    flat: list[Observer] = []
    for o in given:
        if isinstance(o, Observers):
            flat.extend(o.observers)
        else:
            flat.append(o)
    return Observers(flat)
