"""A loopback HTTP server for transport tests: fixed answers, and a record of what came."""

from __future__ import annotations

import socket
import threading


class Canned:
    """Answers each request with `reply` bytes; keeps each request (head and body, read by
    its Content-Length) and counts the connections it accepted.

    `then`, after an answer: "keep" reads the connection's next request (keep-alive),
    "close" closes it, "stall" holds it open without a word (5 s at most).
    """

    def __init__(self, reply: bytes, then: str = "close") -> None:
        self.reply, self.then = reply, then
        self.sock = socket.create_server(("127.0.0.1", 0), backlog=16)
        self.connections = 0
        self.requests: list[bytes] = []
        self._stop = threading.Event()
        threading.Thread(target=self._loop, daemon=True).start()

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.sock.getsockname()[1]}"

    def _loop(self) -> None:
        self.sock.settimeout(0.1)
        while not self._stop.is_set():
            try:
                conn, _ = self.sock.accept()
            except OSError:
                continue
            self.connections += 1
            threading.Thread(target=self._serve, args=(conn,), daemon=True).start()

    def _serve(self, conn: socket.socket) -> None:
        with conn:
            conn.settimeout(5)
            data = b""
            try:
                while True:
                    while b"\r\n\r\n" not in data:
                        chunk = conn.recv(65536)
                        if not chunk:
                            return
                        data += chunk
                    head, _, data = data.partition(b"\r\n\r\n")
                    length = next((int(line.split(b":", 1)[1]) for line in head.split(b"\r\n")
                                   if line.lower().startswith(b"content-length:")), 0)
                    while len(data) < length:
                        chunk = conn.recv(65536)
                        if not chunk:
                            return
                        data += chunk
                    self.requests.append(head + b"\r\n\r\n" + data[:length])
                    data = data[length:]
                    conn.sendall(self.reply)
                    if self.then != "keep":
                        break
            except OSError:
                return  # the client went away, or stayed silent past the timeout
            if self.then == "stall":
                self._stop.wait(5)

    def close(self) -> None:
        self._stop.set()
        self.sock.close()
