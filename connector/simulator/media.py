"""Media-type negotiation: which versions an operation accepts and answers with."""

from __future__ import annotations

from connector.simulator.catalog import Operation
from connector.simulator.errors import ApiError

JSON = "application/json"
_ANY = {"*/*", "application/*", JSON}


def _types(header: str) -> list[str]:
    return [part.split(";", 1)[0].strip().lower() for part in header.split(",") if part.strip()]


def negotiate(op: Operation, accept: str | None) -> str:
    """The media type of the answer; 406 when Accept names only versions `op` lacks."""
    if not accept:
        return op.accept[0]
    wanted = _types(accept)
    for media in wanted:
        if media in op.accept and media != JSON:
            return media
    if any(media in _ANY for media in wanted):
        return op.accept[0]
    raise ApiError(406, "not-acceptable",
                   f"Accept must be one of: {', '.join(op.accept)}")


def check_body_type(op: Operation, content_type: str | None) -> None:
    """415 unless the body's type is JSON or a version the operation accepts."""
    media = _types(content_type or JSON)[:1] or [JSON]
    allowed = set(op.content_type or op.accept) | {JSON}
    if media[0] not in allowed:
        raise ApiError(415, "unsupported-media-type",
                       f"Content-Type must be one of: {', '.join(sorted(allowed))}")
