"""An answer's head and body leave in one segment.

uvicorn writes a response's status line and headers as soon as the app starts
the answer, and its body in a second write a moment later: two sends, two
segments, and the client woken for the head only to wait again for the body.
`JoinedWrites` holds a connection's first write of a loop turn and sends it
with the next one (the body, nearly always right behind); a write that stays
alone (a stream's head, its body to come later) leaves at the end of the turn.
Order is kept, and nothing held is lost when the connection closes.
"""

from __future__ import annotations

import asyncio
from typing import Any

JOIN_MAX = 64 * 1024  # a larger body is sent as it is, not copied onto its head


class JoinedWrites(asyncio.Transport):
    """`transport`, its writes joined as the module says; everything else passed on."""

    def __init__(self, transport: asyncio.Transport, loop: asyncio.AbstractEventLoop) -> None:
        super().__init__()
        self._transport = transport
        self._loop = loop
        self._held: bytes | None = None

    def write(self, data: bytes | bytearray | memoryview) -> None:
        data = bytes(data) if not isinstance(data, bytes) else data  # the caller may reuse it
        if self._held is None:
            self._held = data
            self._loop.call_soon(self._flush)
            return
        held, self._held = self._held, None
        if len(data) > JOIN_MAX:
            self._transport.write(held)
            self._transport.write(data)
        else:
            self._transport.write(held + data)

    def _flush(self) -> None:
        if self._held is not None:
            held, self._held = self._held, None
            self._transport.write(held)

    def close(self) -> None:
        self._flush()
        self._transport.close()

    def abort(self) -> None:
        self._held = None
        self._transport.abort()

    def write_eof(self) -> None:
        self._flush()
        self._transport.write_eof()

    def can_write_eof(self) -> bool:
        return self._transport.can_write_eof()

    def is_closing(self) -> bool:
        return self._transport.is_closing()

    def get_extra_info(self, name: str, default: Any = None) -> Any:
        return self._transport.get_extra_info(name, default)

    def pause_reading(self) -> None:
        self._transport.pause_reading()

    def resume_reading(self) -> None:
        self._transport.resume_reading()

    def is_reading(self) -> bool:
        return self._transport.is_reading()

    def set_protocol(self, protocol: asyncio.BaseProtocol) -> None:
        self._transport.set_protocol(protocol)

    def get_protocol(self) -> asyncio.BaseProtocol:
        return self._transport.get_protocol()

    def get_write_buffer_size(self) -> int:
        return self._transport.get_write_buffer_size() + len(self._held or b"")

    def set_write_buffer_limits(self, high: int | None = None, low: int | None = None) -> None:
        self._transport.set_write_buffer_limits(high, low)
