"""A reverse proxy on 127.0.0.1 that injects network faults between a client and a real server.

    with FaultyProxy("http://localhost:2583") as proxy:
        proxy.plan("com.atproto.repo.createRecord", "deliver_then_drop")
        client talks to proxy.url ...

Faults are planned in order and only the first pending one is armed: a request whose path
contains its pattern triggers it, and the next one is armed. Other requests pass through.
- ``deliver_then_drop``: forward the request, let the server answer, then close the client's
  connection without sending the answer (the server accepted the write; the client cannot know).
- ``drop``: close the client's connection without forwarding anything.
- ``pass``: forward as usual (to let one matching request through before a later fault).
- ``fail_500``: answer 500 (an XRPC ``InternalServerError``) without forwarding anything.
Every request's method, path and fault (or status) is recorded in ``proxy.log``.
"""

from __future__ import annotations

import http.client
import socket
import threading
from collections import deque
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import urlsplit

HOP_BY_HOP = {"connection", "keep-alive", "proxy-connection", "transfer-encoding", "te", "trailer", "upgrade",
              "content-length", "host"}


class FaultyProxy:
    def __init__(self, upstream: str) -> None:
        parts = urlsplit(upstream)
        self.upstream_host = parts.hostname or "127.0.0.1"
        if self.upstream_host == "localhost":
            self.upstream_host = "127.0.0.1"
        self.upstream_port = parts.port or 80
        self.upstream_netloc = parts.netloc
        self.log: list[tuple[str, str, str]] = []
        self._plan: deque[tuple[str, str]] = deque()
        self._lock = threading.Lock()
        self._server = ThreadingHTTPServer(("127.0.0.1", 0), self._handler())
        self._server.daemon_threads = True
        self.url = f"http://127.0.0.1:{self._server.server_address[1]}"
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)

    def plan(self, pattern: str, fault: str) -> None:
        assert fault in ("deliver_then_drop", "drop", "pass", "fail_500"), fault
        with self._lock:
            self._plan.append((pattern, fault))

    @property
    def pending(self) -> list[tuple[str, str]]:
        with self._lock:
            return list(self._plan)

    def paths(self) -> list[str]:
        return [path.split("?")[0].rsplit("/", 1)[-1] for _, path, _ in self.log]

    def __enter__(self) -> FaultyProxy:
        self._thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self._server.shutdown()
        self._server.server_close()
        self._thread.join(timeout=10)

    def _take_fault(self, path: str) -> str | None:
        with self._lock:
            if self._plan and self._plan[0][0] in path:
                return self._plan.popleft()[1]
        return None

    def _handler(self):
        proxy = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.0"  # one request per connection

            def log_message(self, format, *args):  # noqa: A002 - quiet
                pass

            def _drop(self) -> None:
                self.close_connection = True
                try:
                    # RST instead of FIN: the client sees the connection die mid-request
                    self.connection.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, b"\x01\x00\x00\x00\x00\x00\x00\x00")
                    self.connection.shutdown(socket.SHUT_RDWR)
                except OSError:
                    pass

            def _forward(self) -> None:
                length = int(self.headers.get("Content-Length") or 0)
                body = self.rfile.read(length) if length else None
                fault = proxy._take_fault(self.path)
                if fault == "drop":
                    proxy.log.append((self.command, self.path, "drop"))
                    self._drop()
                    return
                if fault == "fail_500":
                    proxy.log.append((self.command, self.path, "500"))
                    payload = b'{"error":"InternalServerError","message":"Internal Server Error"}'
                    self.send_response(500)
                    self.send_header("Content-Type", "application/json; charset=utf-8")
                    self.send_header("Content-Length", str(len(payload)))
                    self.send_header("Connection", "close")
                    self.end_headers()
                    self.wfile.write(payload)
                    return
                headers = {k: v for k, v in self.headers.items() if k.lower() not in HOP_BY_HOP}
                headers["Host"] = proxy.upstream_netloc
                upstream = http.client.HTTPConnection(proxy.upstream_host, proxy.upstream_port, timeout=60)
                try:
                    upstream.request(self.command, self.path, body=body, headers=headers)
                    response = upstream.getresponse()
                    payload = response.read()
                finally:
                    upstream.close()
                if fault == "deliver_then_drop":
                    proxy.log.append((self.command, self.path, f"{response.status} then drop"))
                    self._drop()
                    return
                proxy.log.append((self.command, self.path, str(response.status)))
                self.send_response(response.status, response.reason)
                for key, value in response.getheaders():
                    if key.lower() not in HOP_BY_HOP:
                        self.send_header(key, value)
                self.send_header("Content-Length", str(len(payload)))
                self.send_header("Connection", "close")
                self.end_headers()
                self.wfile.write(payload)

            do_GET = do_POST = do_PUT = do_DELETE = _forward

        return Handler
