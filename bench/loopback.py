"""A minimal keep-alive HTTP server for client benchmarks, run in its own process.

It answers every request with a canned JSON body (or a page of a synthetic
listing), with Nagle's algorithm off, so that what a benchmark measures is the
client's cost rather than the server's.
"""

from __future__ import annotations

import json
import multiprocessing
import socket
import threading
from urllib.parse import parse_qs, urlsplit

SOURCE = {"id": "rh5BDZp6QDHvXFCkibm1pR", "slug": "web", "name": "Web", "enabled": True,
          "workspaceId": "9aQ1Lj62S4bomZKLF4DPqW", "writeKeys": ["3YdEudTwjouyC5WPjpbTik"],
          "metadata": {"id": "IqDTy1TpoU", "slug": "javascript", "name": "Javascript",
                       "description": "", "categories": ["Website"], "logos":
                       {"default": "https://cdn.example/js.svg"}, "options": [],
                       "status": "PUBLIC"},
          "settings": {}, "labels": []}
GET_SOURCE = json.dumps({"data": {"source": SOURCE}}).encode()


def _page(query: str, total: int) -> bytes:
    params = parse_qs(query)
    count = int(params.get("pagination.count", ["200"])[0])
    start = int(params.get("pagination.cursor", ["0"])[0])
    end = min(start + count, total)
    items = [{"id": f"src{i:019d}", "slug": f"s-{i}", "name": "", "enabled": True,
              "workspaceId": "w", "writeKeys": [], "labels": [], "settings": {},
              "metadata": {"id": "IqDTy1TpoU", "slug": "javascript", "name": "Javascript",
                           "description": "", "categories": [], "logos": {"default": ""},
                           "options": [], "status": "PUBLIC"}} for i in range(start, end)]
    pagination = {"current": str(start), "totalEntries": total}
    if end < total:
        pagination["next"] = str(end)
    return json.dumps({"data": {"sources": items, "pagination": pagination}}).encode()


def _serve_client(conn: socket.socket, total: int) -> None:
    conn.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
    buf = b""
    with conn:
        while True:
            while b"\r\n\r\n" not in buf:
                chunk = conn.recv(65536)
                if not chunk:
                    return
                buf += chunk
            head, _, buf = buf.partition(b"\r\n\r\n")
            line = head.split(b"\r\n", 1)[0].decode()
            target = line.split(" ")[1]
            parts = urlsplit(target)
            body = _page(parts.query, total) if parts.path == "/sources" else GET_SOURCE
            conn.sendall(b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\n"
                         b"Content-Length: " + str(len(body)).encode() + b"\r\n\r\n" + body)


def _run(port_out: multiprocessing.connection.Connection, total: int) -> None:
    server = socket.create_server(("127.0.0.1", 0), backlog=64)
    port_out.send(server.getsockname()[1])
    while True:
        conn, _ = server.accept()
        threading.Thread(target=_serve_client, args=(conn, total), daemon=True).start()


class LoopbackServer:
    """`with LoopbackServer(total_items=...) as url:` — a base URL on 127.0.0.1."""

    def __init__(self, total_items: int = 1000) -> None:
        self.total = total_items
        self.proc: multiprocessing.Process | None = None

    def __enter__(self) -> str:
        parent, child = multiprocessing.Pipe()
        self.proc = multiprocessing.Process(target=_run, args=(child, self.total), daemon=True)
        self.proc.start()
        return f"http://127.0.0.1:{parent.recv()}"

    def __exit__(self, *exc: object) -> None:
        if self.proc is not None:
            self.proc.terminate()
            self.proc.join()
