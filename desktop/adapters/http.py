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
