"""A hostile HTTP server on 127.0.0.1, for the network fault tests: it answers every request the
way its current :attr:`HostileServer.mode` says, and records what it received and how much it sent.

    with HostileServer("redirect", location=f"{other.url}/xrpc/com.atproto.server.createSession") as evil:
        ...  # the client's createSession gets a 307 to the other server

Modes:
- ``ok``: 200 with :attr:`HostileServer.answer` (JSON) and :attr:`answer_headers` — also the
  "other server" of a redirect, and a plain HTTP proxy target (requests sends absolute URLs to a
  proxy; the path is recorded as usual);
- ``redirect``: :attr:`status` (307 by default: method and body are to be repeated) to :attr:`location`;
- ``huge``: 200 ``application/json`` with a chunked body of :attr:`size` bytes, generated lazily from
  one 64 KiB block (nothing that size is ever held); :attr:`body_bytes_sent` counts what left;
- ``drip``: headers at once (``Content-Length`` :attr:`size`), then one body byte every
  :attr:`interval` seconds; ``drip_headers``: the status line and headers themselves, a byte at a time;
- ``nested``: 200 with JSON nested :attr:`depth` levels deep (``[[[…]]]``).

Every request's raw body is kept in :attr:`raw_bodies` (the tests look for a password there).
"""

from __future__ import annotations

import threading
from typing import Any

from tests.servers._http import Dropped, Fault, Handler, HTTPTestServer, RequestRecord

_BLOCK = b"x" * 65536


class HostileServer(HTTPTestServer):
    thread_name = "hostile-http-server"

    def __init__(self, mode: str = "ok", *, location: str = "", status: int = 307, size: int = 800 * 1024 * 1024,
                 interval: float = 1.0, depth: int = 10_000, answer: Any = None,
                 answer_headers: dict[str, str] | None = None, host: str = "127.0.0.1") -> None:
        super().__init__(host, 0, _HostileHandler)
        self.mode = mode
        self.location = location
        self.status = status
        self.size = size
        self.interval = interval
        self.depth = depth
        self.answer = {"ok": True} if answer is None else answer
        self.answer_headers = dict(answer_headers or {})  # sent with ``ok`` answers (e.g. Set-Cookie)
        self.raw_bodies: list[bytes] = []
        self._sent = 0
        self._sent_lock = threading.Lock()

    @property
    def body_bytes_sent(self) -> int:
        """Bytes of the body (huge, drip) that the socket accepted before the client went away."""
        with self._sent_lock:
            return self._sent

    def _count(self, n: int) -> None:
        with self._sent_lock:
            self._sent += n


class _HostileHandler(Handler):
    server_version = "Hostile/1.0"

    def _process(self, method: str, path: str, record: RequestRecord, fault: Fault | None) -> int:
        app: HostileServer = self.server.app  # type: ignore[assignment]
        with app._lock:
            app.raw_bodies.append(self._body)
        mode = app.mode
        if mode == "redirect":
            self._record.status = app.status
            self.send_response(app.status)
            self.send_header("Location", app.location)
            self.send_header("Content-Length", "0")
            self.end_headers()
            return app.status
        if mode == "huge":
            return self._huge(app)
        if mode in ("drip", "drip_headers"):
            return self._drip(app, headers_too=mode == "drip_headers")
        if mode == "nested":
            body = ("[" * app.depth + "]" * app.depth).encode()
            return self._reply(200, body, {"Content-Type": "application/json"})
        return self._reply(200, app.answer, app.answer_headers)

    def _huge(self, app: HostileServer) -> int:
        self._record.status = 200
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Transfer-Encoding", "chunked")
        self.end_headers()
        self.close_connection = True
        left = app.size
        while left > 0:
            piece = _BLOCK if left >= len(_BLOCK) else _BLOCK[:left]
            self.wfile.write(b"%x\r\n" % len(piece) + piece + b"\r\n")  # OSError when the client hangs up
            app._count(len(piece))
            left -= len(piece)
        self.wfile.write(b"0\r\n\r\n")
        return 200

    def _drip(self, app: HostileServer, *, headers_too: bool) -> int:
        self._record.status = 200
        self.close_connection = True
        head = (f"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: {app.size}\r\n"
                "Connection: close\r\n\r\n").encode()
        if headers_too:
            for i in range(len(head)):
                if app._sleep(app.interval):
                    raise Dropped()
                self.wfile.write(head[i:i + 1])
                self.wfile.flush()
        else:
            self.wfile.write(head)
            self.wfile.flush()
        for _ in range(app.size):
            if app._sleep(app.interval):
                raise Dropped()
            self.wfile.write(b" ")
            self.wfile.flush()
            app._count(1)
        return 200

    def _error_body(self, status: int) -> Any:
        return {"error": "InternalServerError", "message": f"HTTP {status}"}

    def _rate_limited(self, fault: Fault):  # pragma: no cover - not used by these tests
        raise NotImplementedError
