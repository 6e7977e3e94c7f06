"""A real HTTP server on 127.0.0.1 serving feeds for the Ideas tests, started and stopped by each test.

Each path answers as configured: a body with its ETag (a matching ``If-None-Match`` gets ``304``), a
server that never answers (``hang``), or a body far past the cap (``huge``). Every request is
recorded with its headers, so a test can see what Chorus sent, and whether it asked at all.
"""

from __future__ import annotations

import http.server
import socket
import threading
from dataclasses import dataclass, field


@dataclass
class Route:
    body: bytes = b""
    content_type: str = "application/xml"
    etag: str | None = None
    status: int = 200
    hang: bool = False
    huge: int = 0  # send this many bytes (no Content-Length), in 64 KB pieces


@dataclass
class Seen:
    path: str
    headers: dict[str, str] = field(default_factory=dict)
    status: int = 0


class FeedServer:
    def __init__(self) -> None:
        self.routes: dict[str, Route] = {}
        self.seen: list[Seen] = []
        self._release = threading.Event()
        self._connections: list[socket.socket] = []
        server = self

        class Handler(http.server.BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def setup(self) -> None:
                super().setup()
                server._connections.append(self.connection)

            def do_GET(self) -> None:
                record = Seen(self.path, {k.lower(): v for k, v in self.headers.items()})
                server.seen.append(record)
                route = server.routes.get(self.path)
                if route is None:
                    record.status = 404
                    self._answer(404, b"no such feed", "text/plain")
                    return
                if route.hang:
                    server._release.wait(30)
                    return
                if route.etag and self.headers.get("If-None-Match") == route.etag:
                    record.status = 304
                    self.send_response(304)
                    self.send_header("ETag", route.etag)
                    self.send_header("Content-Length", "0")
                    self.end_headers()
                    return
                if route.huge:
                    record.status = 200
                    self.send_response(200)
                    self.send_header("Content-Type", route.content_type)
                    self.send_header("Connection", "close")
                    self.end_headers()
                    piece = b"<!-- padding -->" * 4096
                    sent = 0
                    try:
                        while sent < route.huge:
                            self.wfile.write(piece)
                            sent += len(piece)
                    except OSError:
                        pass
                    self.close_connection = True
                    return
                record.status = route.status
                headers = {"ETag": route.etag} if route.etag else {}
                self._answer(route.status, route.body, route.content_type, headers)

            def _answer(self, status: int, body: bytes, content_type: str, headers: dict[str, str] | None = None) -> None:
                self.send_response(status)
                self.send_header("Content-Type", content_type)
                self.send_header("Content-Length", str(len(body)))
                for name, value in (headers or {}).items():
                    self.send_header(name, value)
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, *args: object) -> None:
                pass

        self.httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.httpd.daemon_threads = True
        self.port = self.httpd.server_address[1]
        self._thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)
        self._thread.start()

    def url(self, path: str) -> str:
        return f"http://127.0.0.1:{self.port}{path}"

    def requests_to(self, path: str) -> list[Seen]:
        return [seen for seen in self.seen if seen.path == path]

    def stop(self) -> None:
        self._release.set()
        self.httpd.shutdown()
        self.httpd.server_close()
        for connection in self._connections:  # a server going down drops its kept-alive connections too
            try:
                connection.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass
        self._thread.join(5)
