"""What the downloaders of documents fetched again and again (the policy IT serves, company feeds) share:
one session kept alive between refreshes, a conditional GET through :func:`desktop.adapters.http.fetch`
(``If-None-Match``/``If-Modified-Since`` from the kept copy, so an unchanged document costs a ``304``),
and the sentence for an answer that is neither 200 nor 304. Each downloader turns the outcome into its
own port's types and words (:mod:`desktop.adapters.policy_fetch`, :mod:`desktop.adapters.feeds`).
"""

from __future__ import annotations

import threading
from dataclasses import dataclass
from typing import Any

import requests

from desktop.adapters.http import clip, fetch, make_session


@dataclass(frozen=True)
class Refetched:
    """A conditional GET's outcome: *not_modified* (a 304: the kept copy is current) or the *body*,
    with the validators to send next time (a 304 keeps the ones it was asked with unless it sends new)."""

    not_modified: bool
    body: bytes = b""
    etag: str | None = None
    last_modified: str | None = None
    content_type: str = ""  # the answer's Content-Type (its charset matters to text with no declaration)


class Refetcher:
    """One session (created on first use, closed by :meth:`close`) for conditional GETs."""

    def __init__(self, session: requests.Session | None = None) -> None:
        self._session = session
        self._lock = threading.Lock()

    @property
    def session(self) -> requests.Session:
        with self._lock:
            if self._session is None:
                self._session = make_session()
            return self._session

    def refetch(self, url: str, *, etag: str | None, last_modified: str | None, accept: str, what: str, where: str,
                advice: str, headers: dict[str, str] | None = None, **options: Any) -> Refetched:
        """GET *url* unless the kept copy (*etag*, *last_modified*) is current. *options* go to
        :func:`~desktop.adapters.http.fetch` (caps, deadline, allow_http); its exceptions pass through.
        Any other answer than 200 or 304 raises :class:`RefetchRefused` with a sentence naming *where*
        and, for a 4xx, *advice* (a 5xx says the server has a problem and Chorus tries again later)."""
        sent = {"Accept": accept, **(headers or {})}
        if etag:
            sent["If-None-Match"] = etag
        if last_modified:
            sent["If-Modified-Since"] = last_modified
        response = fetch(self.session, "GET", url, what=what, where=where, public=True, headers=sent, **options)
        status = response.status_code
        if status == 304:
            return Refetched(True, etag=response.headers.get("ETag") or etag,
                             last_modified=response.headers.get("Last-Modified") or last_modified)
        if status == 200:
            return Refetched(False, response.content, etag=response.headers.get("ETag"),
                             last_modified=response.headers.get("Last-Modified"),
                             content_type=response.headers.get("Content-Type") or "")
        said = clip(response.text, 160) if "text/plain" in (response.headers.get("Content-Type") or "") else ""
        then = "The server has a problem; Chorus tries again later." if status >= 500 else advice
        raise RefetchRefused(f"{where} answered {status} {response.reason or ''}".rstrip()
                             + (f" (“{said}”)" if said else "") + f". {then}")

    def close(self) -> None:
        with self._lock:
            session, self._session = self._session, None
        if session is not None:
            session.close()


class RefetchRefused(Exception):
    """The server answered, but not with the document (its status in words: ``str()`` is for people)."""
