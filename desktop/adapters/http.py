"""The one HTTP session every adapter uses: default timeouts, a User-Agent, the proxy, and the
operating system's trust store (truststore), so TLS-inspecting corporate proxies with a company root
certificate just work.

Two settings, read on every request once the composition root called :func:`use_settings` (IT may
change them while Chorus runs), apply to every session, so to every adapter and the policy download:

* ``network.proxy``: empty: the system's proxy, as requests finds it (``HTTPS_PROXY``/``NO_PROXY``,
  then the OS settings); ``direct``: no proxy at all; an ``http://`` or ``https://`` proxy address
  (for every server, this computer included); ``pac+https://…/proxy.pac``: a proxy auto-config
  script, downloaded directly and evaluated per server by pypac (:class:`_PacResolver`);
* ``network.ca_certificates``: a PEM file of extra root certificates trusted *in addition to* the
  operating system's (loaded into the truststore context: on Linux OpenSSL's store, on Windows
  and macOS the OS verifies first and the extra roots are tried after it refuses).

    session = make_session()
    session.get(url)                      # (connect, read) timeout applied unless given

Every call a network adapter makes goes through :func:`fetch`, which keeps a hostile or broken
server from taking the sign-in or the app with it:

* the address must be ``https://`` (plain ``http://`` only to this computer: :func:`require_https`);
* redirects are never followed with credentials: a 3xx is an error naming both addresses
  (:class:`RedirectRefused`). Credential-free public lookups may follow a few, each checked again;
* the body is read in pieces and given up past a cap (:data:`MAX_JSON_BYTES` by default): a
  server cannot make Chorus hold 800 MB;
* one deadline covers the whole exchange (connect, headers, body), not each read: a server
  sending a byte a second fails at the deadline (:data:`DEFAULT_DEADLINE_S` by default). A watchdog
  shuts the request's socket down when the deadline passes, wherever the request is waiting;
* :func:`decode_json` turns malformed or absurdly nested JSON into ``ValueError`` like any other
  unreadable answer (``json`` raises ``RecursionError`` for deep nesting).

Log lines never carry secrets: ``Authorization`` headers and tokens are redacted by the
logging filter (desktop.core.logs), and this module logs method, URL without query, status
and time only.
"""

from __future__ import annotations

import json
import logging
import os
import socket
import ssl
import threading
import time
from collections.abc import Mapping
from typing import Any
from urllib.parse import urljoin, urlsplit, urlunsplit

import requests
from requests.adapters import HTTPAdapter
from urllib3.connection import HTTPConnection, HTTPSConnection
from urllib3.connectionpool import HTTPConnectionPool, HTTPSConnectionPool
from urllib3.poolmanager import PoolManager, ProxyManager

from desktop import APP_NAME, __version__
from desktop.core.hosts import is_loopback_host, shown_url
from desktop.core.ports import PublishError

log = logging.getLogger(__name__)

DEFAULT_TIMEOUT = (5.0, 20.0)  # seconds: connect, read (each wait for the network, not the total)
DEFAULT_DEADLINE_S = 30.0  # seconds for a whole exchange with a server, connect to last byte
MAX_JSON_BYTES = 2 * 1024 * 1024  # the largest answer a JSON API call may send (profiles, pages of posts)
MAX_REDIRECTS = 5  # for credential-free public lookups only
_CHUNK = 64 * 1024
MAYBE_PUBLISHED = " The post may or may not have been published; Chorus checks before sending it again."
USER_AGENT = f"{APP_NAME}/{__version__} (+https://chorus.example/desktop)"


def _system_trust_context(extra_roots: str = "") -> ssl.SSLContext | None:
    """The OS trust store's TLS context, with the roots in the PEM file *extra_roots* added."""
    try:
        import truststore
    except ImportError:  # pragma: no cover - it is a declared dependency
        context = ssl.create_default_context()
    else:
        context = truststore.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
    if extra_roots:
        context.load_verify_locations(cafile=extra_roots)
    return context


# -- network settings: proxy and extra root certificates -------------------------------------------
PROXY_KEY = "network.proxy"
CA_KEY = "network.ca_certificates"
PAC_PREFIX = "pac+"
PAC_REFRESH_S = 3600.0  # a proxy auto-config script is downloaded again after an hour
MAX_PAC_BYTES = 1024 * 1024

_setting: Any = None  # the settings getter (desktop.core.settings.Settings.get), or None: defaults
_setting_lock = threading.Lock()


def use_settings(setting: Any) -> None:
    """Read ``network.proxy`` and ``network.ca_certificates`` through *setting* (a ``get(key)``
    callable) on every request of every session. Called by the composition root."""
    global _setting
    with _setting_lock:
        _setting = setting


def _network_setting(key: str) -> str:
    setting = _setting
    if setting is None:
        return ""
    try:
        value = setting(key)
    except KeyError:  # a settings table without the network keys (tests)
        return ""
    return value.strip() if isinstance(value, str) else ""


class NetworkSettingError(PublishError):
    """``network.proxy`` or ``network.ca_certificates`` cannot be used: nothing was sent."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason, retryable=False)


class CertificateNotTrusted(PublishError):
    """The server's certificate did not verify against the OS trust store (and the extra roots)."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason, retryable=False)


_contexts: dict[tuple[str, int, int], ssl.SSLContext | None] = {}
_contexts_lock = threading.Lock()


def trust_context(extra_roots: str) -> ssl.SSLContext | None:
    """The TLS context for *extra_roots* (a PEM path, "" for none): made once per file version, so
    a bundle IT replaces is read again. Raises :class:`NetworkSettingError` for an unusable file."""
    if not extra_roots:
        key = ("", 0, 0)
    else:
        path = os.path.expanduser(extra_roots)
        try:
            stat = os.stat(path)
        except OSError as exc:
            raise NetworkSettingError(
                f"The extra CA certificates file set in Settings ({CA_KEY}) cannot be read: {path} "
                f"({exc.strerror or exc}). Chorus sends nothing until it can check servers' certificates as "
                "configured; ask IT to fix the path, or clear the setting.") from None
        key = (path, stat.st_mtime_ns, stat.st_size)
    with _contexts_lock:
        if key in _contexts:
            return _contexts[key]
        try:
            context = _system_trust_context(key[0])
        except (ssl.SSLError, OSError, ValueError) as exc:
            raise NetworkSettingError(
                f"The extra CA certificates file {key[0]} ({CA_KEY}) holds no certificate Chorus can use "
                f"({getattr(exc, 'reason', None) or exc}). It must be PEM text (-----BEGIN CERTIFICATE-----); "
                "ask IT for the organisation's root certificate in that form.") from None
        for stale in [k for k in _contexts if k[0] == key[0]]:
            del _contexts[stale]
        _contexts[key] = context
        return context


def _proxy_dict(proxy: str | None) -> dict[str, str | None]:
    """requests' ``proxies`` for one proxy address (None: connect directly, whatever the environment says)."""
    return {"http": proxy, "https": proxy, "all": proxy}


def proxies_for(url: str) -> dict[str, str | None] | None:
    """The ``proxies`` a request to *url* gets from ``network.proxy`` (None: requests' own choice,
    from the environment and the OS). Raises :class:`NetworkSettingError` for a value it cannot use."""
    value = _network_setting(PROXY_KEY)
    if not value:
        return None
    if value.lower() == "direct":
        return _proxy_dict(None)
    if value.lower().startswith(PAC_PREFIX):
        return _proxy_dict(_pac_resolver(value[len(PAC_PREFIX):]).proxy_for(url))
    parts = urlsplit(value)
    if parts.scheme.lower() not in ("http", "https") or not parts.hostname:
        raise NetworkSettingError(
            f"The proxy set in Settings ({PROXY_KEY}) is not one Chorus understands: “{shown_url(value)}”. Use "
            "an address such as http://proxy.example.com:3128, pac+https://intranet.example.com/proxy.pac, "
            "“direct”, or leave it empty for the system's proxy.")
    return _proxy_dict(value)


def describe_proxy(url: str) -> str:
    """The proxy a request to *url* goes through, for people and support reports (no password)."""
    value = _network_setting(PROXY_KEY)
    try:
        proxies = proxies_for(url)
    except NetworkSettingError as exc:
        return f"unusable ({exc})"
    if proxies is None:
        found = requests.utils.get_environ_proxies(url)
        scheme = urlsplit(url).scheme
        chosen = found.get(scheme) or found.get("all")
        return f"system: {shown_url(chosen)}" if chosen else "system: none (direct)"
    chosen = proxies["https"]
    if value.lower().startswith(PAC_PREFIX):
        return f"auto-config {shown_url(value[len(PAC_PREFIX):])}: " + (shown_url(chosen) if chosen else "direct")
    return shown_url(chosen) if chosen else "direct"


class _PacResolver:
    """A proxy auto-config (PAC) script, evaluated for each server.

    pypac (maintained; its JavaScript runs in dukpy's embedded interpreter, no browser) evaluates
    ``FindProxyForURL``; Chorus downloads the script itself through :func:`fetch` (https only,
    directly, with the same trust settings and caps) and again after :data:`PAC_REFRESH_S`. Of the
    script's answers the first ``PROXY``/``HTTPS`` or ``DIRECT`` is used (SOCKS is not supported:
    skipped). As browsers do, a script that cannot be downloaded or run means a direct connection
    (logged): a laptop away from the office network still works."""

    def __init__(self, url: str) -> None:
        self.url = url
        self._lock = threading.Lock()
        self._pac: Any = None
        self._loaded_at = -PAC_REFRESH_S
        self._failed: str | None = None

    def proxy_for(self, url: str) -> str | None:
        with self._lock:  # one interpreter, one thread at a time
            if time.monotonic() - self._loaded_at >= PAC_REFRESH_S:
                self._load()
            if self._pac is None:
                return None
            parts = urlsplit(url)
            # as Chrome does: https URLs are passed without path and query (they may carry secrets)
            shown = url if parts.scheme == "http" else urlunsplit((parts.scheme, parts.netloc, "/", "", ""))
            try:
                answer = self._pac.find_proxy_for_url(shown, parts.hostname or "")
            except Exception as exc:  # noqa: BLE001 - the script's own errors (dukpy raises its own types)
                log.warning("the proxy auto-config script %s failed for %s: %s; connecting directly",
                            shown_url(self.url), parts.hostname, exc)
                return None
        return _first_usable_proxy(str(answer))

    def _load(self) -> None:
        import warnings

        self._loaded_at = time.monotonic()
        try:
            session = Session()
            try:  # the script itself comes directly, never through a proxy (trusted as configured)
                response = fetch(session, "GET", self.url, what="downloading the proxy auto-config script",
                                 public=True, max_bytes=MAX_PAC_BYTES, proxies=_proxy_dict(None))
            finally:
                session.close()
            if response.status_code != 200:
                raise PublishError(f"{host_of(self.url)} answered {response.status_code}")
            from pypac.parser import PACFile

            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                self._pac = PACFile(response.content.decode("utf-8-sig", errors="replace"))
            self._failed = None
        except Exception as exc:  # noqa: BLE001 - any failure means direct, as in browsers
            self._pac = None
            self._failed = str(exc)
            log.warning("the proxy auto-config script %s cannot be used (%s); connecting directly",
                        shown_url(self.url), exc)


def _first_usable_proxy(answer: str) -> str | None:
    """The proxy URL of the first ``PROXY host:port`` / ``HTTPS host:port`` / ``DIRECT`` (None) in a
    PAC answer; SOCKS entries are skipped (requests needs an extra package for them)."""
    for element in answer.split(";"):
        words = element.split()
        if not words:
            continue
        keyword = words[0].upper()
        if keyword == "DIRECT":
            return None
        if keyword in ("PROXY", "HTTP", "HTTPS") and len(words) == 2:
            return f"{'https' if keyword == 'HTTPS' else 'http'}://{words[1]}"
    return None


_pac_resolvers: dict[str, _PacResolver] = {}


def _pac_resolver(url: str) -> _PacResolver:
    if not url.lower().startswith("https://") and not (url.lower().startswith("http://")
                                                       and is_loopback_host(urlsplit(url).hostname)):
        raise NetworkSettingError(
            f"The proxy auto-config address in Settings ({PROXY_KEY}) must start with pac+https:// "
            f"(“{shown_url(url)}” could be changed by anyone on the network path). If the script is only served "
            "over http, ask IT to set the proxy's address directly.")
    with _setting_lock:
        resolver = _pac_resolvers.get(url)
        if resolver is None:
            resolver = _pac_resolvers[url] = _PacResolver(url)
        return resolver


# -- the deadline watchdog ---------------------------------------------------------------------------
class _Watchdog:
    """Shuts down the sockets of one request when its deadline passes.

    A socket timeout only bounds each wait, so a server that drips a byte a second never trips it.
    The watchdog's timer fires once at the deadline and shuts the sockets down at the OS level,
    which wakes a read blocked anywhere (TLS handshake, status line, headers, body)."""

    def __init__(self, deadline_at: float) -> None:
        self.deadline_at = deadline_at
        self.fired = False
        self._stopped = False
        self._sockets: list[socket.socket] = []
        self._lock = threading.Lock()
        self._timer = threading.Timer(max(deadline_at - time.monotonic(), 0.0), self._fire)
        self._timer.daemon = True

    def start(self) -> None:
        self._timer.start()

    def stop(self) -> None:
        """After this the watchdog never touches a socket again (they may serve the next request)."""
        self._timer.cancel()
        with self._lock:
            self._stopped = True
            self._sockets.clear()

    def watch(self, sock: socket.socket | None) -> None:
        if sock is None:
            return
        with self._lock:
            if self._stopped:
                return
            if sock not in self._sockets:
                self._sockets.append(sock)
            if self.fired:
                _shut(sock)

    def _fire(self) -> None:
        with self._lock:  # under the lock, so stop() waits for it and no later request is hit
            if self._stopped:
                return
            self.fired = True
            for sock in self._sockets:
                _shut(sock)


def _shut(sock: socket.socket) -> None:
    try:
        # socket.socket's own shutdown, also for an SSLSocket: at the OS level, so it wakes a
        # read blocked in another thread without touching the TLS state.
        socket.socket.shutdown(sock, socket.SHUT_RDWR)
    except (OSError, ValueError):
        pass


_current = threading.local()  # the watchdog of the request this thread is making, if any


def _watch(sock: socket.socket | None) -> None:
    watchdog: _Watchdog | None = getattr(_current, "watchdog", None)
    if watchdog is not None:
        watchdog.watch(sock)


class _WatchedHTTPConnection(HTTPConnection):
    def connect(self) -> None:
        super().connect()
        _watch(self.sock)

    def getresponse(self) -> Any:
        _watch(self.sock)  # a kept-alive connection, connected for an earlier request
        return super().getresponse()


class _WatchedHTTPSConnection(HTTPSConnection):
    def connect(self) -> None:
        super().connect()
        _watch(self.sock)

    def getresponse(self) -> Any:
        _watch(self.sock)
        return super().getresponse()


class _WatchedHTTPPool(HTTPConnectionPool):
    ConnectionCls = _WatchedHTTPConnection


class _WatchedHTTPSPool(HTTPSConnectionPool):
    ConnectionCls = _WatchedHTTPSConnection


def _watched(manager: Any) -> Any:
    # Plain and HTTP(S)-proxy managers only: a SOCKS manager has its own connection classes.
    if type(manager) in (PoolManager, ProxyManager):
        manager.pool_classes_by_scheme = {"http": _WatchedHTTPPool, "https": _WatchedHTTPSPool}
    return manager


class _TrustStoreAdapter(HTTPAdapter):
    def __init__(self, context: ssl.SSLContext | None, **kwargs: Any) -> None:
        self._context = context
        super().__init__(**kwargs)

    def init_poolmanager(self, *args: Any, **kwargs: Any) -> None:
        if self._context is not None:
            kwargs["ssl_context"] = self._context
        super().init_poolmanager(*args, **kwargs)
        _watched(self.poolmanager)

    def proxy_manager_for(self, *args: Any, **kwargs: Any):
        if self._context is not None:
            kwargs["ssl_context"] = self._context
        return _watched(super().proxy_manager_for(*args, **kwargs))


class Session(requests.Session):
    """requests.Session with a default timeout on every request, a short access log, and the network
    settings (proxy, extra root certificates; see the module's docstring) applied to each request
    (a request given its own ``proxies`` keeps them)."""

    def __init__(self, timeout: tuple[float, float] = DEFAULT_TIMEOUT) -> None:
        super().__init__()
        self.default_timeout = timeout
        self.headers["User-Agent"] = USER_AGENT
        self._trust_lock = threading.Lock()
        self._extra_roots = ""  # the first request adds the configured ones (and reports a bad file)
        self.mount("https://", _TrustStoreAdapter(_system_trust_context()))
        self.mount("http://", _TrustStoreAdapter(None))  # loopback only (fetch refuses other hosts)

    def _apply_network_settings(self, url: str, kwargs: dict[str, Any]) -> None:
        extra_roots = _network_setting(CA_KEY)
        context = trust_context(extra_roots)  # raises for an unusable file: nothing is sent
        with self._trust_lock:
            current = self.adapters.get("https://")
            if extra_roots != self._extra_roots or (extra_roots and getattr(current, "_context", None) is not context):
                self.mount("https://", _TrustStoreAdapter(context))
                if current is not None:
                    current.close()
                self._extra_roots = extra_roots
        if "proxies" not in kwargs:
            proxies = proxies_for(url)
            if proxies is not None:
                kwargs["proxies"] = proxies

    def request(self, method: str, url: str, *args: Any, **kwargs: Any) -> requests.Response:  # type: ignore[override]
        kwargs.setdefault("timeout", self.default_timeout)
        self._apply_network_settings(url, kwargs)
        started = time.monotonic()
        try:
            response = super().request(method, url, *args, **kwargs)
        except requests.RequestException as exc:
            log.info("%s %s failed after %.2f s: %s", method, shown_url(url), time.monotonic() - started,
                     type(exc).__name__)
            raise
        log.info("%s %s -> %s in %.2f s", method, shown_url(url), response.status_code, time.monotonic() - started)
        return response


def make_session(timeout: tuple[float, float] = DEFAULT_TIMEOUT) -> Session:
    return Session(timeout)


# -- what every network adapter says about failures ------------------------------------------------
def surely_unsent(exc: requests.RequestException) -> bool:
    """True when the request cannot have reached the server: no connection was ever made (refused,
    unresolvable host, connect timeout). A connection that broke later may have carried it."""
    import socket

    import urllib3

    if isinstance(exc, requests.ConnectTimeout):
        return True
    if not isinstance(exc, requests.ConnectionError) or isinstance(exc, requests.ReadTimeout):
        return False
    pending: list[object] = [exc]
    seen: set[int] = set()
    while pending:
        cause = pending.pop()
        if not isinstance(cause, BaseException) or id(cause) in seen:
            continue
        seen.add(id(cause))
        if isinstance(cause, (urllib3.exceptions.NewConnectionError, urllib3.exceptions.NameResolutionError,
                              ConnectionRefusedError, socket.gaierror)):
            return True
        # requests wraps urllib3's MaxRetryError (args[0]), which keeps the real error in .reason
        pending += [*cause.args[:1], getattr(cause, "reason", None), cause.__cause__, cause.__context__]
    return False


def describe_cause(exc: BaseException) -> str:
    """A few words for people about why a connection failed."""
    text = repr(exc)
    for marker, words in (("Connection refused", "connection refused"), ("NameResolutionError", "unknown server"),
                          ("RemoteDisconnected", "closed without an answer"), ("Connection reset", "reset"),
                          ("Connection aborted", "closed without an answer"),
                          ("CERTIFICATE_VERIFY_FAILED", "certificate not trusted"), ("SSLError", "TLS error")):
        if marker in text:
            return words
    return type(exc).__name__


def network_error(exc: requests.RequestException, where: str, what: str, write: bool):
    """The PublishError for a request that failed on the way: Offline when nothing can have been
    sent; ambiguous when a request that changes something may have reached the server."""
    from desktop.core.ports import Offline

    if _certificate_refused(exc):
        return CertificateNotTrusted(
            f"Chorus does not trust the certificate of {where} ({_certificate_detail(exc)}), so nothing was sent. "
            "If your organisation inspects HTTPS traffic or runs its own certificate authority, IT can add its "
            "root certificate to this computer's trust store or name a PEM file in Settings "
            f"({CA_KEY}).")
    unsent = surely_unsent(exc)
    if unsent:
        return Offline(f"Chorus cannot reach {where} ({describe_cause(exc)}). Check the network connection.")
    if isinstance(exc, DeadlineExceeded):
        reason = f"{where} did not answer in time while {what} (no complete answer within {human_duration(exc.seconds)})."
    elif isinstance(exc, requests.Timeout):
        reason = f"{where} did not answer in time while {what}."
    else:
        reason = f"The connection to {where} broke while {what} ({describe_cause(exc)})."
    if write:
        reason += MAYBE_PUBLISHED
    return PublishError(reason, retryable=True, ambiguous=write)


def _certificate_refused(exc: BaseException) -> bool:
    return isinstance(exc, requests.exceptions.SSLError) and "CERTIFICATE_VERIFY_FAILED" in repr(exc)


def _certificate_detail(exc: BaseException) -> str:
    """OpenSSL's reason ("self-signed certificate in certificate chain"), or a general one."""
    import re

    found = re.search(r"certificate verify failed: ([^()'\"]+)", repr(exc))
    return found.group(1).strip() if found else "certificate verification failed"


def decode_json(response: requests.Response) -> Any:
    """The body as JSON. Raises ValueError for anything unreadable, including JSON nested deeper
    than Python's parser goes (it raises RecursionError, which no caller expects)."""
    try:
        return json.loads(response.content)
    except RecursionError:
        raise ValueError("the JSON answer is nested too deeply to read") from None


def json_or_none(response: requests.Response) -> Any:
    """The JSON body, or None when there is none or it is not JSON."""
    if "json" not in (response.headers.get("Content-Type") or "").lower():
        return None
    try:
        return decode_json(response)
    except ValueError:
        return None


# -- where credentials may go, and how much a server may send ---------------------------------------
class InsecureAddress(PublishError):
    """An address Chorus will not send anything to: not https (plain http only to this computer)."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason, retryable=False)


class RedirectRefused(PublishError):
    """A server answered a call carrying a sign-in with a redirect: never followed."""

    def __init__(self, reason: str, *, status: int) -> None:
        super().__init__(reason, retryable=False, status=status)


class AnswerTooLarge(PublishError):
    """A server's answer was larger than the call allows; Chorus stopped reading it."""


class DeadlineExceeded(requests.ReadTimeout):
    """The whole exchange took longer than its deadline (however steadily the server dripped)."""

    def __init__(self, seconds: float) -> None:
        super().__init__(f"no complete answer within {seconds:g} s")
        self.seconds = seconds


def require_https(url: str, *, allow_http: bool = False) -> str:
    """*url* itself when Chorus may send credentials there: ``https://`` to any host, ``http://``
    only to this computer (a test or training server), or to any host with *allow_http* (a
    developer's explicit choice). Raises :class:`InsecureAddress` with a sentence for people."""
    parts = urlsplit(url)
    scheme = parts.scheme.lower()
    try:
        host = parts.hostname
    except ValueError:
        host = None
    shown = shown_url(url)
    if scheme == "https" and host:
        return url
    if scheme == "http" and host:
        if allow_http or is_loopback_host(host):
            return url
        raise InsecureAddress(f"Chorus does not send your sign-in over plain http:// ({shown}). Use the server's "
                              "https:// address; plain http is only accepted for this computer.")
    raise InsecureAddress(f"“{shown}” is not an https:// address; Chorus only talks to servers over https://.")


def _carries_credentials(method: str, kwargs: Mapping[str, Any]) -> bool:
    headers = {str(k).lower() for k in (kwargs.get("headers") or {})}
    return (method.upper() != "GET" or bool(headers & {"authorization", "cookie", "proxy-authorization"})
            or kwargs.get("auth") is not None or kwargs.get("data") is not None or kwargs.get("json") is not None)


def fetch(session: requests.Session, method: str, url: str, *, what: str, where: str | None = None,
          write: bool = False, public: bool = False, max_bytes: int = MAX_JSON_BYTES,
          deadline: float = DEFAULT_DEADLINE_S, allow_http: bool = False, **kwargs: Any) -> requests.Response:
    """One exchange with a server, safe against a hostile one; the response's body is read.

    *what* says what Chorus was doing ("signing in"), *where* names the server for people (its host
    by default). *write*: the call changes something, so a failure after it went out is ambiguous.
    *public*: a credential-free GET (a handle or identity lookup) that may follow a few redirects,
    each to an address :func:`require_https` accepts; any other call refuses every redirect
    (:class:`RedirectRefused`), so a sign-in never travels to an address it was not meant for.
    *max_bytes* caps the body (:class:`AnswerTooLarge`); *deadline* (seconds) bounds the whole
    exchange. Network failures become PublishError (see :func:`network_error`); other keyword
    arguments go to ``session.request``."""
    where = where or host_of(url)
    require_https(url, allow_http=allow_http)
    follow = public and not _carries_credentials(method, kwargs)
    watchdog = _Watchdog(time.monotonic() + deadline)
    previous = getattr(_current, "watchdog", None)
    _current.watchdog = watchdog
    watchdog.start()
    try:
        for _ in range(MAX_REDIRECTS + 1):
            try:
                response = session.request(method, url, stream=True, allow_redirects=False, **kwargs)
            except requests.RequestException as exc:
                raise network_error(DeadlineExceeded(deadline) if watchdog.fired else exc, where, what,
                                    write) from None
            location = response.headers.get("Location")
            if 300 <= response.status_code < 400 and location:
                response.close()
                target = urljoin(url, location)
                if not follow:
                    raise RedirectRefused(
                        f"The server at {host_of(url)} answered with a redirect to {shown_url(target)} while "
                        f"{what}; Chorus does not send your sign-in to another address. Check the server "
                        "address.", status=response.status_code)
                require_https(target, allow_http=allow_http)
                url = target
                continue
            _read_body(response, max_bytes, watchdog, deadline, where, what, write)
            return response
        raise PublishError(f"{where} redirected Chorus more than {MAX_REDIRECTS} times while {what}.",
                           retryable=False)
    finally:
        watchdog.stop()
        _current.watchdog = previous


def _read_body(response: requests.Response, max_bytes: int, watchdog: _Watchdog, deadline: float, where: str,
               what: str, write: bool) -> None:
    """Read the body into the response (``.content``, ``.json()`` then work) in pieces, giving up
    past *max_bytes* or the deadline; the connection goes back to the pool only when read fully."""
    import urllib3

    def too_large() -> AnswerTooLarge:
        response.close()  # closes the connection: the rest is never read
        limit = f"{max_bytes / 1_048_576:g} MB" if max_bytes >= 1_048_576 else f"{max_bytes:,} bytes"
        reason = f"{where} sent an answer larger than {limit} while {what}; Chorus stopped reading it."
        if write:
            reason += MAYBE_PUBLISHED
        return AnswerTooLarge(reason, retryable=True, ambiguous=write, status=response.status_code)

    declared = (response.headers.get("Content-Length") or "").strip()
    if declared.isdigit() and int(declared) > max_bytes:
        raise too_large()
    parts: list[bytes] = []
    size = 0
    try:
        while True:
            if watchdog.fired or time.monotonic() >= watchdog.deadline_at:
                raise DeadlineExceeded(deadline)
            chunk = response.raw.read1(_CHUNK, decode_content=True)
            if not chunk:
                break
            size += len(chunk)
            if size > max_bytes:
                raise too_large()
            parts.append(chunk)
    except (urllib3.exceptions.HTTPError, OSError, requests.RequestException) as exc:
        response.close()
        if watchdog.fired or isinstance(exc, DeadlineExceeded):
            failure: requests.RequestException = DeadlineExceeded(deadline)
        elif isinstance(exc, urllib3.exceptions.DecodeError):
            raise PublishError(f"{where} sent an answer Chorus cannot read while {what}.", retryable=True,
                               ambiguous=write, status=response.status_code) from None
        elif isinstance(exc, (urllib3.exceptions.ReadTimeoutError, TimeoutError)):
            failure = requests.ReadTimeout(str(exc))
        else:
            failure = requests.ConnectionError(exc)
        raise network_error(failure, where, what, write) from None
    response._content = b"".join(parts)  # what requests itself does when it reads a body
    response._content_consumed = True  # type: ignore[attr-defined]
    response.raw.release_conn()


def clip(text: str, limit: int = 300) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1] + "…"


def host_of(url: str) -> str:
    return urlsplit(url).netloc or url


def human_duration(seconds: float) -> str:
    seconds = max(int(round(seconds)), 1)
    if seconds < 90:
        return f"{seconds} s"
    if seconds < 5400:
        return f"{round(seconds / 60)} minutes"
    return f"{round(seconds / 3600)} hours"
