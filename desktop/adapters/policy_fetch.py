"""Downloading the policy IT serves at an https:// address (the core's PolicyFetcher port).

One conditional GET through :func:`desktop.adapters.http.fetch`: https only (plain http only to this
computer), the proxy and extra root certificates from the settings, a 2 MB cap and a 30 s deadline
for the whole exchange. ``If-None-Match``/``If-Modified-Since`` carry the kept copy's validators,
so an unchanged policy costs a ``304``. A redirect is followed (the request carries no credential),
each hop checked like the first address. Every failure becomes
:class:`~desktop.core.policy.remote.PolicyFetchFailed` with a sentence naming the server.
"""

from __future__ import annotations

import threading

import requests

from desktop.adapters.http import DEFAULT_DEADLINE_S, clip, fetch, host_of, make_session
from desktop.core.policy.remote import MAX_POLICY_BYTES, PolicyDownload, PolicyFetchFailed
from desktop.core.ports import Offline, PublishError

ACCEPT = "application/toml, text/plain;q=0.9, */*;q=0.5"


class HttpPolicyFetcher:
    """The policy downloader; one session (its connections kept alive between refreshes)."""

    def __init__(self, session: requests.Session | None = None, *, deadline: float = DEFAULT_DEADLINE_S) -> None:
        self._session = session
        self._deadline = deadline
        self._lock = threading.Lock()

    @property
    def session(self) -> requests.Session:
        with self._lock:
            if self._session is None:
                self._session = make_session()
            return self._session

    def fetch_policy(self, url: str, *, etag: str | None, last_modified: str | None) -> PolicyDownload:
        headers = {"Accept": ACCEPT, "Cache-Control": "no-cache"}
        if etag:
            headers["If-None-Match"] = etag
        if last_modified:
            headers["If-Modified-Since"] = last_modified
        where = f"the policy server {host_of(url)}"
        try:
            response = fetch(self.session, "GET", url, what="downloading the policy", where=where, public=True,
                             max_bytes=MAX_POLICY_BYTES, deadline=self._deadline, headers=headers)
        except Offline as exc:
            raise PolicyFetchFailed(f"offline: {exc.reason}", offline=True) from None
        except PublishError as exc:
            raise PolicyFetchFailed(exc.reason) from None
        status = response.status_code
        if status == 304:
            return PolicyDownload(True, etag=response.headers.get("ETag") or etag,
                                  last_modified=response.headers.get("Last-Modified") or last_modified)
        if status == 200:
            return PolicyDownload(False, response.content, etag=response.headers.get("ETag"),
                                  last_modified=response.headers.get("Last-Modified"))
        said = clip(response.text, 160) if "text/plain" in (response.headers.get("Content-Type") or "") else ""
        advice = ("The server has a problem; Chorus tries again later." if status >= 500 else
                  "Check the policy address in Settings (policy.source) with IT.")
        raise PolicyFetchFailed(f"{where} answered {status} {response.reason or ''}".rstrip()
                                + (f" (“{said}”)" if said else "") + f". {advice}")

    def close(self) -> None:
        with self._lock:
            session, self._session = self._session, None
        if session is not None:
            session.close()
