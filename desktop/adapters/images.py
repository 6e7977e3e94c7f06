"""Small public images (account avatars): downloaded once, kept in the cache folder.

    fetch = ImageFetcher(session, cache_dir / "avatars")
    data = fetch("https://files.mastodon.social/accounts/avatars/…/original/a.png")   # bytes or None

Blocking: call it from a worker. Only http(s) URLs, at most :data:`MAX_BYTES`, image content
types only, :data:`DEADLINE_S` for the whole download (:func:`desktop.adapters.http.fetch`);
failures are logged (without the query string) and give None, so a missing avatar never disturbs
anything else. Cached files are named by the URL's SHA-256 and written atomically.
"""

from __future__ import annotations

import hashlib
import logging
import os
import tempfile
from pathlib import Path

import requests

from desktop.adapters.http import fetch, make_session
from desktop.core.ports import PublishError

log = logging.getLogger(__name__)

MAX_BYTES = 512 * 1024
TIMEOUT = (4.0, 8.0)
DEADLINE_S = 15.0


class ImageFetcher:
    def __init__(self, session: requests.Session | None = None, cache_dir: Path | None = None, *,
                 deadline: float = DEADLINE_S) -> None:
        self._session = session
        self.cache_dir = cache_dir
        self.deadline = deadline

    @property
    def session(self) -> requests.Session:
        if self._session is None:
            self._session = make_session(TIMEOUT)
        return self._session

    def _cached(self, url: str) -> Path | None:
        if self.cache_dir is None:
            return None
        return self.cache_dir / hashlib.sha256(url.encode("utf-8")).hexdigest()

    def __call__(self, url: str) -> bytes | None:
        if not url.startswith(("https://", "http://")):
            return None
        path = self._cached(url)
        if path is not None and path.is_file():
            try:
                return path.read_bytes()
            except OSError:
                pass
        try:
            # A public image, no credentials: redirects may be followed; plain http too (it is
            # only a picture).
            response = fetch(self.session, "GET", url, timeout=TIMEOUT, what="fetching an avatar", public=True,
                             allow_http=True, max_bytes=MAX_BYTES, deadline=self.deadline)
        except PublishError as exc:
            log.info("avatar at %s could not be fetched: %s", url.split("?")[0], exc.reason)
            return None
        kind = response.headers.get("Content-Type", "")
        if not response.ok or not kind.startswith("image/"):
            log.info("no avatar from %s (HTTP %s, %s)", url.split("?")[0], response.status_code, kind)
            return None
        data = response.content
        if path is not None:
            try:
                path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
                fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=".avatar-")
                with os.fdopen(fd, "wb") as out:
                    out.write(data)
                os.replace(tmp, path)
            except OSError as exc:
                log.info("avatar not cached: %s", exc)
        return data
