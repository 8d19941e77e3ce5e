"""Confirmations: a dangerous call runs only with a token made for exactly that call.

A destructive or non-idempotent write asks for one. A dry run of the call
answers a token: an HMAC, under a key the server draws at start and never
shows, over the action, the call's inputs, a fingerprint of the credential
and an expiry. The run must present it: a token for other inputs, another
action or another credential, an expired token, or one already used is
refused with a `ConfirmationError` before anything is sent. So a model
cannot confirm a call by saying yes to itself: the token comes only from a
dry run the server answered, and proves that run showed this very request.

Tokens live in one process: a server with several worker processes refuses
a token another one made (it cannot check it), which is safe, not lost work.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import secrets
import threading
import time
from collections.abc import Callable, Mapping
from typing import Any

from connector.errors import CONFIG, EXIT_INPUT, ConnectorError
from connector.policy import safety_for
from connector.spec import IDEMPOTENT_METHODS, Action

PREFIX = "sgcf1"
DEFAULT_TTL_S = 300.0


class ConfirmationError(ConnectorError):
    """A call that needs a confirmation came without a valid one; nothing was sent."""

    kind = "confirmation"
    category = CONFIG
    exit_code = EXIT_INPUT
    status = 428

    def __init__(self, action: str, problem: str) -> None:
        self.action = action
        super().__init__(f"{action}: {problem}; get a token from a dry run of this exact call "
                         "and pass it as `confirmation`")


def needs_confirmation(action: Action, values: Mapping[str, Any]) -> bool:
    """Whether a call changes the workspace in a way a retry or a slip cannot take back:
    destructive, or a write that is not idempotent."""
    safety = safety_for(action, values)
    if safety == "read":
        return False
    if action.run is not None:
        return action.method_for(values).upper() not in IDEMPOTENT_METHODS or \
            safety == "destructive"
    return safety == "destructive" or not action.idempotent


def credential_id(token: str | None) -> str:
    """A fingerprint of the credential: binds a confirmation to it without holding it."""
    return hashlib.sha256(b"segment-connector/confirmation\0" + (token or "").encode()
                          ).hexdigest()


def _canonical(inputs: Mapping[str, Any]) -> str:
    """The inputs as one text; blank values count as left out, as the runtime reads them."""
    given = {k: v for k, v in inputs.items() if v is not None and v != ""}
    return json.dumps(given, sort_keys=True, separators=(",", ":"), ensure_ascii=True,
                      default=str)


class Confirmations:
    """Issues and redeems confirmation tokens; each is good for one run, `ttl_s` seconds.

    `clock` (wall time, seconds) can be faked; `key` is drawn at random when not given.
    """

    def __init__(self, ttl_s: float = DEFAULT_TTL_S, clock: Callable[[], float] = time.time,
                 key: bytes | None = None) -> None:
        self.ttl_s = ttl_s
        self.clock = clock
        self._key = key or secrets.token_bytes(32)
        self._used: dict[str, float] = {}  # nonce -> expiry, kept until it expires
        self._lock = threading.Lock()

    def _mac(self, action: str, inputs: Mapping[str, Any], credential: str, nonce: str,
             expires: int) -> str:
        text = "\n".join((action, _canonical(inputs), credential, nonce, str(expires)))
        digest = hmac.new(self._key, text.encode(), hashlib.sha256).digest()
        return base64.urlsafe_b64encode(digest).decode().rstrip("=")

    def issue(self, action: str, inputs: Mapping[str, Any], credential: str
              ) -> tuple[str, int]:
        """(token, expiry as Unix seconds) for one run of `action` with `inputs`."""
        nonce = secrets.token_urlsafe(12)
        expires = int(self.clock() + self.ttl_s)
        mac = self._mac(action, inputs, credential, nonce, expires)
        return f"{PREFIX}.{nonce}.{expires}.{mac}", expires

    def redeem(self, token: Any, action: str, inputs: Mapping[str, Any],
               credential: str) -> None:
        """Accept `token` for this call once; ConfirmationError saying why otherwise."""
        if not token:
            raise ConfirmationError(action, "this call needs a confirmation")
        parts = token.split(".") if isinstance(token, str) else []
        if len(parts) != 4 or parts[0] != PREFIX or not parts[2].isdigit():
            raise ConfirmationError(action, "the confirmation is not a token this server made")
        _, nonce, expires_text, mac = parts
        expires = int(expires_text)
        expected = self._mac(action, inputs, credential, nonce, expires)
        if not hmac.compare_digest(expected.encode(), mac.encode()):
            raise ConfirmationError(action, "the confirmation was made for another call (other "
                                    "inputs, action or credentials) or by another server")
        now = self.clock()
        if now >= expires:
            raise ConfirmationError(action, "the confirmation has expired")
        with self._lock:
            for old in [n for n, until in self._used.items() if until <= now]:
                del self._used[old]
            if nonce in self._used:
                raise ConfirmationError(action, "the confirmation was already used")
            self._used[nonce] = expires
