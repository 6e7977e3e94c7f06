"""The one HTTP session every adapter uses: default timeouts, a User-Agent, the system's proxy
settings (requests reads them from the environment), and the operating system's trust store
(truststore), so TLS-inspecting corporate proxies with a company root certificate just work.

    session = make_session()
    session.get(url)                      # (connect, read) timeout applied unless given

Log lines never carry secrets: ``Authorization`` headers and tokens are redacted by the
logging filter (desktop.core.logs), and this module logs method, URL without query, status
and time only.
"""

from __future__ import annotations

import logging
import ssl
import time
from typing import Any
from urllib.parse import urlsplit, urlunsplit

import requests
from requests.adapters import HTTPAdapter

from desktop import APP_NAME, __version__

log = logging.getLogger(__name__)

DEFAULT_TIMEOUT = (5.0, 20.0)  # seconds: connect, read
USER_AGENT = f"{APP_NAME}/{__version__} (+https://chorus.example/desktop)"


def _system_trust_context() -> ssl.SSLContext | None:
    try:
        import truststore
    except ImportError:  # pragma: no cover - it is a declared dependency
        return None
    return truststore.SSLContext(ssl.PROTOCOL_TLS_CLIENT)


class _TrustStoreAdapter(HTTPAdapter):
    def __init__(self, context: ssl.SSLContext | None, **kwargs: Any) -> None:
        self._context = context
        super().__init__(**kwargs)

    def init_poolmanager(self, *args: Any, **kwargs: Any) -> None:
        if self._context is not None:
            kwargs["ssl_context"] = self._context
        super().init_poolmanager(*args, **kwargs)

    def proxy_manager_for(self, *args: Any, **kwargs: Any):
        if self._context is not None:
            kwargs["ssl_context"] = self._context
        return super().proxy_manager_for(*args, **kwargs)


class Session(requests.Session):
    """requests.Session with a default timeout on every request and a short access log."""

    def __init__(self, timeout: tuple[float, float] = DEFAULT_TIMEOUT) -> None:
        super().__init__()
        self.default_timeout = timeout
        self.headers["User-Agent"] = USER_AGENT
        adapter = _TrustStoreAdapter(_system_trust_context())
        self.mount("https://", adapter)

    def request(self, method: str, url: str, *args: Any, **kwargs: Any) -> requests.Response:  # type: ignore[override]
        kwargs.setdefault("timeout", self.default_timeout)
        started = time.monotonic()
        try:
            response = super().request(method, url, *args, **kwargs)
        except requests.RequestException as exc:
            log.info("%s %s failed after %.2f s: %s", method, _safe_url(url), time.monotonic() - started,
                     type(exc).__name__)
            raise
        log.info("%s %s -> %s in %.2f s", method, _safe_url(url), response.status_code, time.monotonic() - started)
        return response


def make_session(timeout: tuple[float, float] = DEFAULT_TIMEOUT) -> Session:
    return Session(timeout)


def _safe_url(url: str) -> str:
    """The URL without its query and fragment (codes and tokens travel there in OAuth flows)."""
    parts = urlsplit(url)
    return urlunsplit((parts.scheme, parts.netloc.rsplit("@", 1)[-1], parts.path, "", ""))


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
    from desktop.core.publishing import Offline, PublishError

    unsent = surely_unsent(exc)
    if unsent:
        return Offline(f"Chorus cannot reach {where} ({describe_cause(exc)}). Check the network connection.")
    if isinstance(exc, requests.Timeout):
        reason = f"{where} did not answer in time while {what}."
    else:
        reason = f"The connection to {where} broke while {what} ({describe_cause(exc)})."
    if write:
        reason += " The post may or may not have been published; Chorus checks before sending it again."
    return PublishError(reason, retryable=True, ambiguous=write)


def json_or_none(response: requests.Response) -> Any:
    """The JSON body, or None when there is none or it is not JSON."""
    if "json" not in (response.headers.get("Content-Type") or "").lower():
        return None
    try:
        return response.json()
    except ValueError:
        return None


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
