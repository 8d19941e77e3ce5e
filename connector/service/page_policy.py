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

from connector.service.asgi import ASGIApp, Message, Receive, Scope, Send

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


class SecurityHeaders:
    """ASGI middleware adding the headers above; an HTML answer is held whole (it is small)
    to read its policy; a route that sets its own policy keeps it, framing refused."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        start: Message | None = None
        held: list[bytes] = []
        size = 0

        async def send_with_headers(message: Message) -> None:
            nonlocal start, size
            if message["type"] == "http.response.start":
                own = _header(message, b"content-security-policy")
                if own is not None:  # a route that states its policy keeps it
                    framed = own if "frame-ancestors" in own else f"{own}; {NO_FRAMES}"
                    await send(_with(message, framed))
                    return
                if not (_header(message, b"content-type") or "").startswith("text/html"):
                    await send(_with(message, DATA_POLICY))
                    return
                start = message
                return
            if start is None or message["type"] != "http.response.body":
                await send(message)
                return
            held.append(message.get("body", b""))
            size += len(held[-1])
            if size > MAX_PAGE:  # not a page of ours: sent on under the data policy
                await send(_with(start, DATA_POLICY))
                start = None
                await send({**message, "body": b"".join(held)})
                held.clear()
                return
            if not message.get("more_body", False):
                page = b"".join(held)
                await send(_with(start, page_policy(page)))
                start = None
                await send({"type": "http.response.body", "body": page})

        await self.app(scope, receive, send_with_headers)


def _header(start: Message, name: bytes) -> str | None:
    for key, value in start.get("headers", []):
        if key.lower() == name:
            return bytes(value).decode("latin-1").lower() if name == b"content-type" \
                else bytes(value).decode("latin-1")
    return None


def _with(start: Message, policy: str) -> dict[str, Any]:
    headers = [(n, v) for n, v in start.get("headers", [])
               if n.lower() not in (b"content-security-policy", *(c[0] for c in COMMON))]
    headers += [*COMMON, (b"content-security-policy", policy.encode())]
    return {**start, "headers": headers}
