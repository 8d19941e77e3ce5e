"""Case lists the report defines itself: the ones no test holds in a form it can import.

The other classes run the tests' own lists (`common.params`, `common.test_module`);
the lists here are generated from a fixed seed, so every run tries the same cases.
"""

from __future__ import annotations

import random
import string
from collections.abc import Callable
from typing import Any

from hardening.common import SEED, params, test_module

# URLs that could carry the token off the Segment API; Raw Request must refuse each
# (or keep it as a path on the API host). `tests/test_hostile.py` runs them too.
HOSTILE_URLS = (
    "https://evil.example/sources",
    "http://evil.example/sources",
    "//evil.example/sources",
    "///evil.example/sources",
    "https://api.segmentapis.com@evil.example/",
    "https://api.segmentapis.com:443@evil.example/",
    "https://evil.example#@api.segmentapis.com/",
    "https://evil.example?@api.segmentapis.com/",
    "https://evil.example\\@api.segmentapis.com/",
    "https:/\\evil.example/",
    "\\\\evil.example\\sources",
    "%2F%2Fevil.example/sources",
    "%252F%252Fevil.example",
    "%5C%5Cevil.example",
    "/%5C%5Cevil.example",
    "https%3A%2F%2Fevil.example%2Fsources",
    "https://evil.example%2F@api.segmentapis.com/",
    "https://api.segmentapis.com%40evil.example/",
    "https://api.segmentapis.com.evil.example/",
    "https://xn--api-segmentapis-com.example/",
    "https://\u0430pi.segmentapis.com/sources",  # Cyrillic a
    "https://api.segmentapis.com\t.evil.example/",
    "/sources\r\nHost: evil.example",
    "javascript:alert(1)",
    "file:///etc/passwd",
    "https://127.0.0.1/sources",
    "https://[::1]/sources",
)


# -- tokens -----------------------------------------------------------------------------
def malformed_tokens() -> list[tuple[str, str]]:
    """(what is wrong, token): the token tests' cases, then each C0 control character,
    space, DEL, NEL, Unicode spaces and a seeded draw of non-ASCII characters at the
    start, middle and end of a good token."""
    good = test_module("test_token_checks").GOOD
    out = [(says, token) for token, says in params(
        "test_token_checks", "test_a_malformed_token_is_refused_without_echoing_it",
        "token, says")]
    rng = random.Random(SEED)
    odd = [*map(chr, range(0x21)), "\x7f", "\x85", "\xa0", "\u2028", "\u3000", "\ufeff"]
    odd += [chr(rng.randrange(0x80, 0x110000)) for _ in range(16)]
    for char in odd:
        for where, token in (("start", char + good), ("middle", good[:5] + char + good[5:]),
                             ("end", good + char)):
            out.append((f"U+{ord(char):04X} at the {where}", token))
    return out


# -- secret fields ----------------------------------------------------------------------
# (what, action, inputs holding `secret`): each field is masked by its name or by a
# `"sensitive": true` flag beside it, never by knowing its value.
SecretCase = tuple[str, str, Callable[[str], dict[str, Any]]]
SECRET_FIELDS: tuple[SecretCase, ...] = (
    ("warehouse settings.password", "createWarehouse", lambda s: {
        "metadataId": "55d3d3aea3c", "name": "wh",
        "settings": {"hostname": "db.example.com", "port": "5432", "password": s}}),
    ("warehouse settings.privateKey", "updateWarehouse", lambda s: {
        "warehouseId": "wh1", "settings": {"account": "acme", "privateKey": s}}),
    ("destination settings.apiKey", "createDestination", lambda s: {
        "sourceId": "src1", "metadataId": "54521fd525e721e32a72ee8f",
        "settings": {"apiKey": s, "region": "us"}}),
    ("a setting flagged sensitive", "updateDestination", lambda s: {
        "destinationId": "dst1",
        "settings": {"credentials": {"name": "key", "sensitive": True, "value": s}}}),
    ("insert function settings.apiSecret", "createInsertFunctionInstance", lambda s: {
        "functionId": "fn1", "integrationId": "int1", "name": "fx",
        "settings": {"apiSecret": s}}),
    ("Raw Request body password", "rawRequest", lambda s: {
        "url": "/warehouses", "method": "POST",
        "data": {"metadataId": "m", "settings": {"password": s}}}),
)


# -- Raw Request inputs ---------------------------------------------------------------
def hostile_header_names() -> list[str]:
    """A valid name with each character the header tests say breaks a name."""
    breakers = test_module("test_raw_request_hostile").NAME_BREAKERS
    return [f"X-{c}Trace" for c in breakers]


def hostile_header_values(secret: str) -> list[str]:
    """`secret` (it must never be quoted back) with each control character a value may
    not hold, then a seeded draw of characters beyond Latin-1."""
    controls = test_module("test_raw_request_hostile").VALUE_CONTROLS
    rng = random.Random(SEED)
    beyond = [chr(rng.randrange(0x100, 0x110000)) for _ in range(24)]
    return [f"{secret}{c}x" for c in [*controls, *beyond]]


def hostile_ports() -> list[str]:
    """Ports other than 443: edge values, text, then a seeded draw of integers."""
    rng = random.Random(SEED)
    fixed = ["0", "1", "80", "442", "444", "8080", "8443", "65535", "65536", "99999", "-1",
             "-443", "https", "443a", "+443", "0x1BB", "443.0", "4_43", "1e3"]
    drawn = [str(rng.randrange(-10**6, 10**6)) for _ in range(24)]
    return [p for p in fixed + drawn if not (p.isdigit() and int(p) == 443)]


def hostile_schemes() -> list[str]:
    """Schemes other than https: well known ones, then a seeded draw of scheme-shaped text."""
    rng = random.Random(SEED)
    fixed = ["http", "HTTP", "ftp", "ws", "wss", "file", "gopher", "data", "javascript",
             "httpss", "https+unix", "svn+ssh", "h"]
    tail = string.ascii_letters + string.digits + "+.-"
    drawn = [rng.choice(string.ascii_letters) + "".join(
        rng.choice(tail) for _ in range(rng.randrange(9))) for _ in range(24)]
    return [s for s in fixed + drawn if s.lower() != "https"]
