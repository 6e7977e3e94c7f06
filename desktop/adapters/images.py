"""Small public images (account avatars): downloaded once, kept in the cache folder.

    fetch = ImageFetcher(session, cache_dir / "avatars")
    data = fetch("https://files.mastodon.social/accounts/avatars/…/original/a.png")   # bytes or None

Blocking: call it from a worker. Only http(s) URLs, at most :data:`MAX_BYTES`, image content
types only; failures are logged (without the query string) and give None, so a missing avatar
never disturbs anything else. Cached files are named by the URL's SHA-256 and written atomically.
"""

from __future__ import annotations

import hashlib
import logging
import os
import tempfile
from pathlib import Path

import requests

from desktop.adapters.http import make_session

log = logging.getLogger(__name__)

MAX_BYTES = 512 * 1024
TIMEOUT = (4.0, 8.0)


class ImageFetcher:
    def __init__(self, session: requests.Session | None = None, cache_dir: Path | None = None) -> None:
        self._session = session
        self.cache_dir = cache_dir

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
            with self.session.get(url, timeout=TIMEOUT, stream=True) as response:
                kind = response.headers.get("Content-Type", "")
                if not response.ok or not kind.startswith("image/"):
                    log.info("no avatar from %s (HTTP %s, %s)", url.split("?")[0], response.status_code, kind)
                    return None
                data = b""
                for chunk in response.iter_content(64 * 1024):
                    data += chunk
                    if len(data) > MAX_BYTES:
                        log.info("avatar at %s is too large", url.split("?")[0])
                        return None
        except requests.RequestException as exc:
            log.info("avatar at %s could not be fetched: %s", url.split("?")[0], type(exc).__name__)
            return None
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
