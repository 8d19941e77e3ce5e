"""Keep secrets out of everything the connector prints, logs, records or raises.

Masking is scoped, never process-wide: each runtime owns a `Secrets` (its
token in every form it can be written in), and makes it current while it
works (`scope`, a context variable, so threads and tasks each see their own).
`redact()` masks with the current scope; the logging filter on every logger
of the package does the same, so a process serving 10,000 workspaces masks
each line as fast as one serving one, and keeps no token it no longer uses.

Secrets other than the token are masked by their place: values of fields
named like a secret (`password`, `secret`, `token`, `apiKey`, `privateKey`,
...) and settings flagged `"sensitive": true`. Requests are sent intact; only
what is shown or written is masked.
"""

from __future__ import annotations

import contextvars
import functools
import json
import logging
import re
from collections.abc import Mapping
from typing import Any
from urllib.parse import quote

MASK = "***"
SENSITIVE_HEADERS = frozenset({"authorization", "proxy-authorization", "cookie", "set-cookie",
                               "x-api-key"})
# Field names whose values are secrets, matched without case, `_` or `-`.
_SECRET_NAME = re.compile(
    r"(password|passwd|secret|token|apikey|privatekey|accesskey|passphrase)")
PROBLEMS = "fields"  # InputError.to_dict(): input name -> problem
_CURSOR_NAMES = ("pagetoken",)  # `nextPageToken`, `pageToken`
_WRITTEN_ALIKE = re.compile(r"[A-Za-z0-9_.~-]+")  # unchanged by URL quoting and JSON
MIN_SECRET_LEN = 4  # shorter strings would mask ordinary words; real tokens are long


class Secrets:
    """The secrets of one runtime, in every form they may be written in.

    Masked with `str.replace`, longest form first, rather than a compiled pattern: a
    token has one to three forms, and `re`'s own cache would keep each token's pattern
    (and so the token) long after its runtime is gone.
    """

    __slots__ = ("__weakref__", "_forms")

    def __init__(self, *values: str | None) -> None:
        self._forms: tuple[str, ...] = ()
        for value in values:
            self.add(value)

    def add(self, value: str | None) -> None:
        if not value or len(value) < MIN_SECRET_LEN:
            return
        # As written, URL-quoted, and escaped inside a JSON string (the usual token is
        # written alike in all three).
        forms = {*self._forms, value}
        if not _WRITTEN_ALIKE.fullmatch(value):
            forms.update((quote(value, safe=""), json.dumps(value)[1:-1]))
        self._forms = tuple(sorted(forms, key=len, reverse=True))

    def __bool__(self) -> bool:
        return bool(self._forms)

    def mask(self, text: str) -> str:
        for form in self._forms:
            text = text.replace(form, MASK)  # the same string back when it is not there
        return text

    def found_in(self, text: str) -> bool:
        return any(form in text for form in self._forms)


_NONE = Secrets()
_current: contextvars.ContextVar[Secrets] = contextvars.ContextVar("segment_secrets",
                                                                   default=_NONE)


class _Scope:
    """The block of `scope`: a plain class, as it is entered on every call (a generator
    context manager costs several times as much)."""

    __slots__ = ("_reset", "_secrets")

    def __init__(self, secrets: Secrets) -> None:
        self._secrets = secrets
        self._reset: contextvars.Token[Secrets] | None = None

    def __enter__(self) -> Secrets:
        if self._secrets is not _current.get():
            self._reset = _current.set(self._secrets)
        return self._secrets

    def __exit__(self, *_exc: object) -> None:
        if self._reset is not None:
            _current.reset(self._reset)
            self._reset = None


def scope(secrets: Secrets) -> _Scope:
    """Make `secrets` the ones `redact()` and the log filter mask, inside the block."""
    return _Scope(secrets)


def current() -> Secrets:
    return _current.get()


def redact(text: str, secrets: Secrets | None = None) -> str:
    """`text` with the secrets of `secrets` (default: the current scope) masked."""
    return (secrets or _current.get()).mask(text)


@functools.lru_cache(maxsize=4096)  # asked for every key of every answer masked
def is_secret_name(name: str) -> bool:
    plain = name.lower().replace("_", "").replace("-", "")
    # A page token is a cursor that callers pass back, not a credential.
    return bool(_SECRET_NAME.search(plain)) and not plain.endswith(_CURSOR_NAMES)


def redact_value(value: Any, secrets: Secrets | None = None, by_name: bool = True) -> Any:
    """JSON-like data with secrets masked: known secrets anywhere, and the values of
    fields named like a secret or flagged sensitive. Mask before serialising, so the
    output stays valid JSON whatever the secret's text."""
    secrets = secrets or _current.get()
    if isinstance(value, str):
        return secrets.mask(value)
    if isinstance(value, Mapping):
        sensitive = by_name and value.get("sensitive") is True
        out = {}
        for key, item in value.items():
            hidden = by_name and ((isinstance(key, str) and is_secret_name(key)) or (
                sensitive and key in ("value", "default")))
            # Only text and numbers are masked: an object under such a name (a
            # credential's record) is walked, so its structure stays readable.
            if hidden and isinstance(item, str | int | float) and not isinstance(item, bool) \
                    and item != "":
                out[key] = MASK
            else:
                # An error's `fields` maps input names to problems, never to values.
                out[key] = redact_value(item, secrets, by_name and key != PROBLEMS)
        return out
    if isinstance(value, list | tuple):
        return [redact_value(v, secrets, by_name) for v in value]
    return value


def nothing_to_mask(text: str, secrets: Secrets) -> bool:
    """Whether `redact_value` would change nothing in the data `text` is the JSON of
    (written with `ensure_ascii=False`): no escape (so every key and string is there as
    it is), none of `secrets`, no `sensitive` flag and no name that could be a secret's.
    A quick test on the text, so the common answer is not walked value by value."""
    if "\\" in text or '"sensitive"' in text or secrets.found_in(text):
        return False
    return _SECRET_NAME.search(text.lower().replace("_", "").replace("-", "")) is None


def redact_headers(headers: Mapping[str, str], secrets: Secrets | None = None
                   ) -> dict[str, str]:
    out = {}
    for name, value in headers.items():
        if name.lower() in SENSITIVE_HEADERS:
            scheme = value.split(" ", 1)[0] if " " in value else ""
            out[name] = f"{scheme} {MASK}".strip()
        else:
            out[name] = redact(value, secrets)
    return out


class RedactingFilter(logging.Filter):
    """Rewrites log records so that no secret of the current scope reaches a handler."""

    def filter(self, record: logging.LogRecord) -> bool:
        secrets = _current.get()
        if secrets:
            record.msg = secrets.mask(record.getMessage())
            record.args = None
        return True


_FILTER = RedactingFilter()


def get_logger(name: str = "segment_connector") -> logging.Logger:
    """A package logger that masks its own records.

    A filter on the parent logger does not see records logged on its children
    (they go straight to the parent's handlers), so each logger gets the filter.
    """
    log = logging.getLogger(name)
    if _FILTER not in log.filters:
        log.addFilter(_FILTER)
    return log


logger = get_logger()

