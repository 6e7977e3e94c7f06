"""What the HTTP test servers share: a real server on 127.0.0.1 run in a thread, fault injection,
request records, the answer plumbing, and the browser that signs in on their pages.

A server (:class:`HTTPTestServer`) keeps its state under one lock and answers through a
:class:`Handler` subclass whose ``_process`` routes a request to a method that returns
``(status, body, headers)``; :meth:`Handler._finish` then applies the faults that act after processing
and writes the answer with :meth:`Handler._reply` (bytes as given, ``str`` as HTML, else JSON).

Fault injection (``delay_next``, ``fail_next``, ``drop_next``, ``rate_limit_next``) acts on the next
N requests whose path starts with *path* and whose method is *method* (``None``: any); what an
injected error or 429 says is the server's own (:meth:`Handler._error_body`, :meth:`Handler._rate_limited`).
"""

from __future__ import annotations

import json
import socket
import threading
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from html.parser import HTMLParser
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any, Self
from urllib.parse import parse_qsl, urljoin, urlsplit

import requests

TIMEOUT = 10.0  # the browser's requests


# ---------------------------------------------------------------------------------------------
# Faults, records, control flow
# ---------------------------------------------------------------------------------------------
@dataclass
class Fault:
    kind: str  # delay | delay_after | error | error_after | drop | drop_before | rate_limit
    remaining: int
    path: str | None = None
    method: str | None = None
    seconds: float = 0.0
    status: int = 500
    retry_after: float | None = None

    def matches(self, method: str, path: str) -> bool:
        return (self.method is None or self.method.upper() == method) and (
            self.path is None or path.startswith(self.path)
        )


@dataclass
class RequestRecord:
    method: str
    path: str
    raw_query: str  # as sent, still percent-encoded
    headers: dict[str, str]  # lower-case names; Authorization reduced to its scheme, Cookie hidden
    body: Any = None  # parsed JSON or form (secrets masked), where the server keeps it
    status: int | None = None
    fault: str | None = None

    @property
    def query(self) -> dict[str, str]:
        return dict(parse_qsl(self.raw_query))


class Abort(Exception):
    """Answer with this response now."""

    def __init__(self, status: int, body: Any, headers: Mapping[str, str] | None = None) -> None:
        super().__init__(status)
        self.status = status
        self.body = body
        self.headers = dict(headers or {})


class Dropped(Exception):
    """The connection was closed without an answer."""


# ---------------------------------------------------------------------------------------------
# The server: lifecycle, requests, faults
# ---------------------------------------------------------------------------------------------
class HTTPTestServer:
    """State behind one lock, served on a real socket by a thread: ``start()``/``stop()`` or ``with``."""

    thread_name = "http-test-server"
    fault_type: type[Fault] = Fault

    def __init__(self, host: str, port: int, handler: type[Handler], *,
                 log: Callable[[str], None] | None = None) -> None:
        self.host = host
        self.requested_port = port
        self._handler = handler
        self._log = log
        self._lock = threading.RLock()
        self._faults: list[Fault] = []
        self.requests: list[RequestRecord] = []
        self._stopping = threading.Event()
        self._httpd: _HTTPServer | None = None
        self._thread: threading.Thread | None = None

    # -- lifecycle -----------------------------------------------------------------------------
    def start(self) -> Self:
        if self._httpd is None:
            self._stopping.clear()
            self._httpd = _HTTPServer((self.host, self.requested_port), self)
            self._thread = threading.Thread(target=self._httpd.serve_forever, kwargs={"poll_interval": 0.05},
                                            name=self.thread_name, daemon=True)
            self._thread.start()
        return self

    def stop(self) -> None:
        httpd = self._httpd
        if httpd is None:
            return
        self._stopping.set()  # wakes injected delays
        httpd.shutdown()
        httpd.close_connections()
        httpd.server_close()
        if self._thread is not None:
            self._thread.join(timeout=10)
        self._httpd = self._thread = None

    def __enter__(self) -> Self:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    @property
    def port(self) -> int:
        if self._httpd is None:
            raise RuntimeError("the server is not running")
        return int(self._httpd.server_address[1])

    @property
    def url(self) -> str:
        host = f"[{self.host}]" if ":" in self.host else self.host
        return f"http://{host}:{self.port}"

    def requests_to(self, path: str, method: str | None = None) -> list[RequestRecord]:
        with self._lock:
            return [r for r in self.requests if r.path == path and (method is None or r.method == method.upper())]

    # -- fault injection -----------------------------------------------------------------------
    def _inject(self, fault: Fault) -> Fault:
        with self._lock:
            self._faults.append(fault)
        return fault

    def delay_next(self, seconds: float, count: int = 1, *, path: str | None = None, method: str | None = None,
                   after: bool = False) -> Fault:
        """Hang before processing (*after*: process, then hang before answering)."""
        return self._inject(self.fault_type("delay_after" if after else "delay", count, path, method,
                                            seconds=seconds))

    def fail_next(self, status: int = 500, count: int = 1, *, path: str | None = None, method: str | None = None,
                  after: bool = False) -> Fault:
        """Answer *status* without processing (*after*: process, then answer *status*)."""
        return self._inject(self.fault_type("error_after" if after else "error", count, path, method, status=status))

    def drop_next(self, count: int = 1, *, path: str | None = None, method: str | None = None,
                  before: bool = False) -> Fault:
        """Process, then close the connection unanswered (*before*: close without processing)."""
        return self._inject(self.fault_type("drop_before" if before else "drop", count, path, method))

    def rate_limit_next(self, count: int = 1, *, path: str | None = None, method: str | None = None,
                        retry_after: float | None = None) -> Fault:
        """Answer 429 without processing (Retry-After only when *retry_after* is given)."""
        return self._inject(self.fault_type("rate_limit", count, path, method, retry_after=retry_after))

    def clear_faults(self) -> None:
        with self._lock:
            self._faults.clear()

    def _take_fault(self, method: str, path: str) -> Fault | None:
        with self._lock:
            for fault in self._faults:
                if fault.remaining > 0 and fault.matches(method, path):
                    fault.remaining -= 1
                    if fault.remaining == 0:
                        self._faults.remove(fault)
                    return fault
        return None

    def _sleep(self, seconds: float) -> bool:
        """Wait; True when the server is stopping meanwhile."""
        return self._stopping.wait(seconds)


class _HTTPServer(ThreadingHTTPServer):
    """Tracks its open connections, so that stopping closes idle keep-alive ones too."""

    daemon_threads = True
    allow_reuse_address = True

    def __init__(self, address: tuple[str, int], app: HTTPTestServer) -> None:
        self.app = app
        self._connections: set[socket.socket] = set()
        self._connections_lock = threading.Lock()
        self.address_family = socket.AF_INET6 if ":" in address[0] else socket.AF_INET
        super().__init__(address, app._handler)

    def process_request(self, request: Any, client_address: Any) -> None:
        with self._connections_lock:
            self._connections.add(request)
        super().process_request(request, client_address)

    def shutdown_request(self, request: Any) -> None:
        with self._connections_lock:
            self._connections.discard(request)
        super().shutdown_request(request)

    def close_connections(self) -> None:
        with self._connections_lock:
            connections = list(self._connections)
        for connection in connections:
            try:
                connection.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass


# ---------------------------------------------------------------------------------------------
# The handler: record, take a fault, process, answer
# ---------------------------------------------------------------------------------------------
class Handler(BaseHTTPRequestHandler):
    server: _HTTPServer
    protocol_version = "HTTP/1.1"
    timeout = 30  # idle keep-alive connections
    json_type = "application/json; charset=utf-8"
    extra_headers: Mapping[str, str] = {}  # sent with every answer, after Content-Type and Content-Length

    _record: RequestRecord
    _body: bytes

    def version_string(self) -> str:
        return self.server_version

    def setup(self) -> None:
        super().setup()
        self.connection.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)

    def do_GET(self) -> None:  # noqa: N802
        self._dispatch("GET")

    def do_POST(self) -> None:  # noqa: N802
        self._dispatch("POST")

    def log_message(self, format: str, *args: object) -> None:  # noqa: A002 - never print codes, tokens, queries
        return

    def _dispatch(self, method: str) -> None:
        app = self.server.app
        parts = urlsplit(self.path)
        headers = {k.lower(): v for k, v in self.headers.items()}
        if "authorization" in headers:
            headers["authorization"] = headers["authorization"].split(" ", 1)[0] + " …"
        if "cookie" in headers:
            headers["cookie"] = "…"
        record = self._record = RequestRecord(method, parts.path, parts.query, headers)
        with app._lock:
            app.requests.append(record)
        fault = app._take_fault(method, parts.path)
        record.fault = fault.kind if fault else None
        try:
            length = int(self.headers.get("Content-Length") or 0)
            self._body = self.rfile.read(length) if length else b""
            try:
                status = self._process(method, parts.path, record, fault)
            except Abort as abort:
                status = self._reply(abort.status, abort.body, abort.headers)
        except Dropped:
            return
        except OSError:  # the client went away (timed out, closed): nobody to answer
            self.close_connection = True
            return
        if app._log is not None:
            app._log(f"{method} {parts.path} -> {status}" + (f" [{fault.kind}]" if fault else ""))

    def _process(self, method: str, path: str, record: RequestRecord, fault: Fault | None) -> int:
        """Route the request (its body is in ``self._body``), answer, and return the status."""
        raise NotImplementedError

    # -- faults --------------------------------------------------------------------------------
    def _error_body(self, status: int) -> Any:
        """What an injected error answers with."""
        raise NotImplementedError

    def _rate_limited(self, fault: Fault) -> Abort:
        """What an injected rate limit answers with."""
        raise NotImplementedError

    def _faults_before(self, fault: Fault | None) -> None:
        """The faults that act before the request is processed."""
        if fault is None:
            return
        if fault.kind == "delay" and self.server.app._sleep(fault.seconds):
            self._drop()  # stopping: give up instead of processing late
        if fault.kind == "drop_before":
            self._drop()
        if fault.kind == "error":
            raise Abort(fault.status, self._error_body(fault.status))
        if fault.kind == "rate_limit":
            raise self._rate_limited(fault)

    def _finish(self, result: tuple[int, Any, dict[str, str]], fault: Fault | None) -> int:
        """Answer with a handler's result, unless a fault that acts after processing says otherwise."""
        if fault is not None:
            if fault.kind == "drop":
                self._drop()
            if fault.kind == "delay_after" and self.server.app._sleep(fault.seconds):
                self._drop()
            if fault.kind == "error_after":
                return self._reply(fault.status, self._error_body(fault.status))
        return self._reply(*result)

    def _drop(self) -> None:
        self.close_connection = True
        try:
            self.wfile.flush()
        except OSError:
            pass
        try:
            self.connection.shutdown(socket.SHUT_RDWR)
        except OSError:
            pass
        raise Dropped()

    # -- answers -------------------------------------------------------------------------------
    def _reply(self, status: int, body: Any, headers: Mapping[str, str] | None = None) -> int:
        """A redirect (empty), bytes (``Content-Type`` from *headers*), None (empty), HTML (str) or JSON."""
        headers = dict(headers or {})
        content_type: str | None
        if status in (301, 302, 303):
            payload, content_type = b"", "text/html; charset=utf-8"
            headers = {"Location": headers.pop("Location"), **headers}
        elif body is None:
            payload, content_type = b"", None
        elif isinstance(body, (bytes, bytearray)):
            payload, content_type = bytes(body), headers.pop("Content-Type", "application/octet-stream")
        elif isinstance(body, str):
            payload, content_type = body.encode("utf-8"), "text/html; charset=utf-8"
        else:
            payload, content_type = json.dumps(body).encode("utf-8"), self.json_type
        self._record.status = status  # before the answer leaves, so a test reading it never races
        self.send_response(status)
        if content_type:
            self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(payload)))
        for name, value in [*self.extra_headers.items(), *headers.items()]:
            self.send_header(name, value)
        # Headers and body in one write: two small writes cost a delayed-ACK round (40 ms) each time.
        self._headers_buffer.append(b"\r\n")  # what end_headers() adds
        self._headers_buffer.append(payload)
        self.flush_headers()
        return status


# ---------------------------------------------------------------------------------------------
# The person at the browser, for ``open_browser`` in tests
# ---------------------------------------------------------------------------------------------
class FormParser(HTMLParser):
    """The first form's action, its named inputs and buttons; an ``oauth-code`` input's value."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.action: str | None = None
        self.fields: dict[str, str] = {}
        self.buttons: dict[str, list[str]] = {}
        self.oob_code: str | None = None
        self._in_form = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        attributes = {k: v or "" for k, v in attrs}
        if tag == "form" and self.action is None:
            self._in_form = True
            self.action = attributes.get("action", "")
        elif tag == "input" and "oauth-code" in attributes.get("class", "").split():
            self.oob_code = attributes.get("value", "")
        elif tag == "input" and self._in_form and attributes.get("name"):
            self.fields[attributes["name"]] = attributes.get("value", "")
        elif tag == "button" and self._in_form and attributes.get("name"):
            self.buttons.setdefault(attributes["name"], []).append(attributes.get("value", ""))

    def handle_endtag(self, tag: str) -> None:
        if tag == "form":
            self._in_form = False


def parse_page(markup: str) -> FormParser:
    parser = FormParser()
    parser.feed(markup)
    parser.close()
    return parser


@dataclass
class Browser:
    """Signs in as *username* and approves (or refuses) the app; a subclass's ``__call__`` does it
    for the URL it is given and follows the redirect like a browser."""

    username: str
    password: str
    approve: bool = True
    session: requests.Session = field(default_factory=requests.Session)
    opened: list[str] = field(default_factory=list)
    pages: list[requests.Response] = field(default_factory=list)

    def _submit(self, page: requests.Response, form: FormParser, data: Mapping[str, str]) -> requests.Response:
        assert form.action is not None
        return self.session.post(urljoin(page.url, form.action), data=dict(data), timeout=TIMEOUT)

    @property
    def last(self) -> requests.Response:
        return self.pages[-1]

    def close(self) -> None:
        self.session.close()
