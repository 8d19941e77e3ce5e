"""Security headers on every answer: no page of another origin may frame, sniff or embed it.

Every answer carries `X-Frame-Options: DENY`, `X-Content-Type-Options: nosniff`,
`Cross-Origin-Resource-Policy: same-origin`, `Referrer-Policy: no-referrer` and a
`Content-Security-Policy` with `frame-ancestors 'none'` (which only a header can
carry). An HTML page's policy is its own: the one its `<meta http-equiv>` states,
else one derived from the page (its scripts from this service, its inline scripts by
their hashes, nothing from another host). Anything else gets `default-src 'none'`.
"""

from __future__ import annotations

import base64
import hashlib
import re
from typing import Any

from connector.service.asgi import Message, Send

NO_FRAMES = "frame-ancestors 'none'"
DATA_POLICY = f"default-src 'none'; {NO_FRAMES}"
MAX_PAGE = 4 * 1024 * 1024  # an HTML page larger than this gets the data policy
COMMON = [(b"x-frame-options", b"DENY"), (b"x-content-type-options", b"nosniff"),
          (b"cross-origin-resource-policy", b"same-origin"),
          (b"referrer-policy", b"no-referrer")]
_META = re.compile(rb"<meta\s+http-equiv=[\"']content-security-policy[\"']\s+"
                   rb"content=(\"[^\"]*\"|'[^']*')", re.IGNORECASE)
_INLINE = re.compile(rb"<script(?:\s[^>]*)?>(.*?)</script>", re.IGNORECASE | re.DOTALL)
_SRC = re.compile(rb"<script[^>]*\ssrc=", re.IGNORECASE)


def page_policy(html: bytes) -> str:
    """The CSP header of an HTML page: its own meta policy, else one derived from it."""
    found = _META.search(html)
    if found:
        text = found.group(1)[1:-1].decode("utf-8", "replace")
        policy = " ".join(text.split()).rstrip("; ")
        return policy if "frame-ancestors" in policy else f"{policy}; {NO_FRAMES}"
    hashes = []
    for match in _INLINE.finditer(html):
        if _SRC.match(match.group(0)) or not match.group(1).strip():
            continue
        digest = base64.b64encode(hashlib.sha256(match.group(1)).digest()).decode()
        hashes.append(f"'sha256-{digest}'")
    scripts = " ".join(["'self'", *hashes])
    return ("default-src 'none'; " f"script-src {scripts}; style-src 'self' 'unsafe-inline'; "
            "img-src 'self' data:; font-src 'self'; connect-src 'self'; base-uri 'none'; "
            f"form-action 'self'; {NO_FRAMES}")


def secured(send: Send) -> Send:
    """`send` with the headers above added to the answer; an HTML answer is held whole
    (it is small) to read its policy; a route that sets its own policy keeps it, framing
    refused."""
    start: Message | None = None
    held: list[bytes] = []
    size = 0

    async def send_secured(message: Message) -> None:
        nonlocal start, size
        if message["type"] == "http.response.start":
            headers, own, html = _split(message)
            if own is not None:  # a route that states its policy keeps it
                await send(_with(message, headers, own if "frame-ancestors" in own
                                 else f"{own}; {NO_FRAMES}"))
            elif not html:
                await send(_with(message, headers, DATA_POLICY))
            else:
                start = _with(message, headers, "")  # the policy once the page is read
            return
        if start is None or message["type"] != "http.response.body":
            await send(message)
            return
        held.append(message.get("body", b""))
        size += len(held[-1])
        if size > MAX_PAGE:  # not a page of ours: sent on under the data policy
            await send(_policed(start, DATA_POLICY))
            start = None
            await send({**message, "body": b"".join(held)})
            held.clear()
            return
        if not message.get("more_body", False):
            page = b"".join(held)
            await send(_policed(start, page_policy(page)))
            start = None
            await send({"type": "http.response.body", "body": page})

    return send_secured


_OURS = frozenset({b"content-security-policy", *(name for name, _ in COMMON)})


def _split(start: Message) -> tuple[list[tuple[bytes, bytes]], str | None, bool]:
    """(the answer's headers less those this module sets, its own policy, whether it is
    HTML), in one pass."""
    kept: list[tuple[bytes, bytes]] = []
    own: str | None = None
    html = False
    for name, value in start.get("headers", ()):
        lower = name.lower()
        if lower == b"content-security-policy":
            own = own if own is not None else bytes(value).decode("latin-1")
        if lower in _OURS:
            continue
        if lower == b"content-type":
            html = bytes(value).lower().startswith(b"text/html")
        kept.append((name, value))
    return kept, own, html


def _with(start: Message, headers: list[tuple[bytes, bytes]], policy: str) -> dict[str, Any]:
    return {**start, "headers": [*headers, *COMMON,
                                 (b"content-security-policy", policy.encode())]}


def _policed(start: Message, policy: str) -> dict[str, Any]:
    """`start` (made by `_with`) with its policy set."""
    headers = start["headers"]
    return {**start, "headers": [*headers[:-1], (b"content-security-policy", policy.encode())]}
