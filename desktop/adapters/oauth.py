"""OAuth 2 pieces a desktop app needs, shared by the networks that use them (Mastodon, LinkedIn).

* :func:`new_pkce` — a PKCE pair (RFC 7636): a 43-character ``code_verifier`` (32 random bytes,
  base64url) and its ``S256`` ``code_challenge``. ``plain`` is never used.
* :func:`new_state` — an unguessable ``state`` value.
* :class:`LoopbackListener` — the "loopback redirect" of RFC 8252 §7.3: a one-shot HTTP listener
  on ``127.0.0.1`` and a random port (or a fixed one, for providers such as LinkedIn that match
  registered redirect URLs exactly, port included), serving only the redirect path. It completes on the first
  request whose ``state`` matches and answers it with a friendly "you can close this tab" page.
  A request with a wrong or missing ``state`` (a forged request, or a stale tab from an earlier
  attempt) gets a 400 page and is otherwise ignored: it cannot complete, cancel or delay the
  sign-in. Other paths get 404. The listener closes when it has its answer, on timeout, or when
  the caller cancels. It logs neither the query string (the authorization code travels there)
  nor anything else a browser sends.

Stdlib only; no Qt. The listener serves on its own thread, so the caller's "open the browser"
step may even be synchronous (tests drive the authorization form from that callable).
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import html
import logging
import os
import secrets
import socket
import threading
import time
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlsplit

log = logging.getLogger(__name__)

LOOPBACK_HOST = "127.0.0.1"


@dataclass(frozen=True)
class Pkce:
    verifier: str = field(repr=False)
    challenge: str
    method: str = "S256"


def _b64url(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def pkce_challenge(verifier: str) -> str:
    """The S256 code challenge of *verifier*: ``BASE64URL(SHA256(ASCII(verifier)))`` without padding."""
    return _b64url(hashlib.sha256(verifier.encode("ascii")).digest())


def new_pkce() -> Pkce:
    verifier = _b64url(secrets.token_bytes(32))  # 43 characters of [A-Za-z0-9_-]
    return Pkce(verifier=verifier, challenge=pkce_challenge(verifier))


def new_state() -> str:
    return secrets.token_urlsafe(32)


class LoopbackTimeout(Exception):
    """Nobody came back to the redirect URI before the deadline."""


class LoopbackCancelled(Exception):
    """The caller cancelled the wait."""


_PAGE = """<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="referrer" content="no-referrer">
<title>{title}</title>
<style>body{{font-family:system-ui,sans-serif;max-width:36em;margin:4em auto;padding:0 1em;line-height:1.5}}</style>
</head><body><h1>{title}</h1><p>{message}</p></body></html>
"""


def page(title: str, message: str) -> bytes:
    return _PAGE.format(title=html.escape(title), message=html.escape(message)).encode("utf-8")


@dataclass
class _Outcome:
    params: dict[str, str] | None = None
    rejected: int = 0  # requests to the redirect path whose state did not match


class _Server(ThreadingHTTPServer):
    """Threaded, so a browser's idle pre-connection cannot hold up the request that matters."""

    allow_reuse_address = False
    daemon_threads = True

    def __init__(self, listener: LoopbackListener) -> None:
        self.listener = listener
        # A fixed port must be usable again right after the previous sign-in (whose closed
        # connections linger in TIME_WAIT): SO_REUSEADDR on POSIX, where it never lets a second
        # listener share the port. Not on Windows, where it would; there SO_EXCLUSIVEADDRUSE keeps
        # other programs from binding the same port (server_bind).
        self.allow_reuse_address = listener.requested_port != 0 and os.name != "nt"
        super().__init__((listener.host, listener.requested_port), _Handler)

    def server_bind(self) -> None:
        exclusive = getattr(socket, "SO_EXCLUSIVEADDRUSE", None)
        if exclusive is not None:  # Windows only
            self.socket.setsockopt(socket.SOL_SOCKET, exclusive, 1)
        super().server_bind()


class _Handler(BaseHTTPRequestHandler):
    server: _Server
    timeout = 5.0  # an idle connection (a browser's pre-connect) is dropped after this
    server_version = "Chorus"
    sys_version = ""

    def do_GET(self) -> None:  # noqa: N802 - http.server's naming
        listener = self.server.listener
        parts = urlsplit(self.path)
        if parts.path != listener.path:
            self._answer(404, page("Not found", "This address is only used to finish signing in."))
            return
        query = {key: values[0] for key, values in parse_qs(parts.query, keep_blank_values=True).items()}
        state = query.get("state", "")
        if not state or not hmac.compare_digest(state.encode(), listener.state.encode()):
            with listener._lock:
                listener._outcome.rejected += 1
            log.warning("Loopback redirect: ignored a request whose state does not match this sign-in")
            self._answer(400, page(listener.rejected_title, listener.rejected_message))
            return
        if "error" in query:
            self._answer(200, page(listener.denied_title, listener.denied_message))
        else:
            self._answer(200, page(listener.success_title, listener.success_message))
        listener._finish(query)

    def do_POST(self) -> None:  # noqa: N802
        self._answer(405, page("Not allowed", "This address only accepts the browser's redirect."))

    def _answer(self, status: int, body: bytes) -> None:
        try:
            self.send_response(status)
            self.send_header("Content-Type", "text/html; charset=utf-8")
            self.send_header("Content-Length", str(len(body)))
            self.send_header("Cache-Control", "no-store")
            self.send_header("Referrer-Policy", "no-referrer")
            self.send_header("Connection", "close")
            self.end_headers()
            self.wfile.write(body)
        except OSError:  # the browser went away; nothing to tell it
            pass
        self.close_connection = True

    def log_message(self, format: str, *args: object) -> None:  # noqa: A002 - the query holds the code
        return


class LoopbackListener:
    """One sign-in's redirect listener on ``http://127.0.0.1:<random port><path>``.

    *port* 0 (the default) takes a random free port; a fixed port is for providers that only
    accept the redirect URL registered with them, port included (LinkedIn's standard flow).

    Usage::

        with LoopbackListener(state) as listener:
            open_browser(authorize_url_with(listener.redirect_uri))
            params = listener.wait(timeout=300, cancel=event)   # {"code": ..., "state": ...}
    """

    success_title = "Signed in"
    success_message = "Chorus received your authorization. You can close this tab and go back to Chorus."
    denied_title = "Not authorized"
    denied_message = "You did not authorize Chorus. You can close this tab and go back to Chorus."
    rejected_title = "This sign-in link is not current"
    rejected_message = (
        "This page does not belong to the sign-in Chorus is waiting for (perhaps it is from an earlier "
        "attempt). Close this tab and use the tab Chorus opened most recently."
    )

    def __init__(self, state: str, path: str = "/callback", host: str = LOOPBACK_HOST, port: int = 0) -> None:
        if not path.startswith("/"):
            raise ValueError("path must start with /")
        if not 0 <= port <= 65535:
            raise ValueError("port must be 0 (any free port) or 1 to 65535")
        self.state = state
        self.path = path
        self.host = host
        self.requested_port = port  # 0: a random free port
        self._outcome = _Outcome()
        self._lock = threading.Lock()
        self._done = threading.Event()
        self._server: _Server | None = None
        self._thread: threading.Thread | None = None

    # -- lifecycle -----------------------------------------------------------------------------
    def start(self) -> LoopbackListener:
        """Listen. Raises OSError (``errno.EADDRINUSE``, ``EACCES``) when a fixed port cannot be had."""
        if self._server is not None:
            return self
        self._server = _Server(self)
        self._server.timeout = 0.02  # how soon the serving loop notices it is done
        self._thread = threading.Thread(target=self._serve, name="oauth-loopback", daemon=True)
        self._thread.start()
        return self

    def _serve(self) -> None:
        server = self._server
        assert server is not None
        while not self._done.is_set():
            try:
                server.handle_request()
            except Exception:  # pragma: no cover - handle_request reports handler errors itself
                log.exception("Loopback listener error")

    def close(self) -> None:
        self._done.set()
        if self._thread is not None and self._thread is not threading.current_thread():
            self._thread.join(timeout=10)
        if self._server is not None:
            self._server.server_close()
        self._thread = None

    def __enter__(self) -> LoopbackListener:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.close()

    # -- results -------------------------------------------------------------------------------
    @property
    def port(self) -> int:
        if self._server is None:
            raise RuntimeError("the listener is not started")
        return int(self._server.server_address[1])

    @property
    def redirect_uri(self) -> str:
        return f"http://{self.host}:{self.port}{self.path}"

    @property
    def rejected(self) -> int:
        """How many requests to the redirect path were turned away for a wrong ``state``."""
        return self._outcome.rejected

    def _finish(self, params: dict[str, str]) -> None:
        with self._lock:
            if self._outcome.params is None:
                self._outcome.params = params
        self._done.set()

    def wait(self, timeout: float, cancel: threading.Event | None = None) -> dict[str, str]:
        """The query parameters of the redirect (``code``/``state`` or ``error``/``error_description``).

        Raises :class:`LoopbackTimeout` after *timeout* seconds and :class:`LoopbackCancelled` when
        *cancel* is set; the listener is closed in every case.
        """
        deadline = time.monotonic() + timeout
        try:
            while True:
                remaining = deadline - time.monotonic()
                if self._done.wait(min(0.1, max(remaining, 0.0))) and self._outcome.params is not None:
                    return dict(self._outcome.params)
                if cancel is not None and cancel.is_set():
                    raise LoopbackCancelled()
                if remaining <= 0:
                    raise LoopbackTimeout()
        finally:
            self.close()


def port_is_closed(port: int, host: str = LOOPBACK_HOST) -> bool:
    """True when nothing accepts connections on *host*:*port* (used by tests and diagnostics)."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.settimeout(1.0)
        return probe.connect_ex((host, port)) != 0
