"""A policy served from the intranet: the port that downloads it and the copy kept for offline use.

``policy.source`` may be an ``https://`` address (IT serves one policy to every laptop). The core
never speaks HTTP itself: it asks a :class:`PolicyFetcher` (the port; the composition root plugs in
``desktop.adapters.policy_fetch``) for the policy, sending the ETag and Last-Modified of the copy it
has, so an unchanged policy costs one ``304 Not Modified``. Every valid download is kept in a
:class:`PolicyDownloadCache` folder (text + a small JSON record of URL, ETag, Last-Modified and when
the server last confirmed it, both written atomically), and that copy stays in force while the
server cannot be reached, answers with an error, or serves a broken policy: the app keeps checking
and says so, with the reason and the copy's age (:mod:`desktop.core.policy.active`).

Plain ``http://`` is refused before any connection (:func:`url_refusal`), except to this computer
(test and training servers): anyone on the network path could otherwise rewrite the rules.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import logging
from dataclasses import dataclass
from pathlib import Path
from typing import Protocol
from urllib.parse import urlsplit

from desktop.core.atomic import write_atomic
from desktop.core.errors import ChorusError
from desktop.core.hosts import is_loopback_host, shown_url

log = logging.getLogger(__name__)

MAX_POLICY_BYTES = 2 * 1024 * 1024  # a policy is a few kB of TOML; 2 MB leaves room for big lexicons
DEFAULT_REFRESH_HOURS = 4


# -- the port -------------------------------------------------------------------------------------
@dataclass(frozen=True)
class PolicyDownload:
    """What the server answered: a new policy text, or "not modified" (the copy sent is current)."""

    not_modified: bool
    body: bytes = b""
    etag: str | None = None
    last_modified: str | None = None


class PolicyFetchFailed(ChorusError):
    """The policy could not be downloaded. ``offline``: the server could not be reached at all."""

    def __init__(self, message: str, *, offline: bool = False) -> None:
        super().__init__(message)
        self.message = message
        self.offline = offline


class PolicyFetcher(Protocol):
    """Downloads a policy over HTTPS (blocking; called on a worker thread).

    Sends ``If-None-Match: etag`` and ``If-Modified-Since: last_modified`` when given. Returns a
    :class:`PolicyDownload` for 200 and 304; raises :class:`PolicyFetchFailed` with a sentence for
    people (which host, what happened, what to do) for anything else."""

    def fetch_policy(self, url: str, *, etag: str | None, last_modified: str | None) -> PolicyDownload: ...


# -- addresses ------------------------------------------------------------------------------------
def is_policy_url(source: str) -> bool:
    """True when a ``policy.source`` value is a web address rather than a policy name or file."""
    scheme = source.strip().split("://", 1)[0].lower() if "://" in source else ""
    return scheme in ("http", "https")


def url_host(url: str) -> str:
    try:
        return urlsplit(url.strip()).hostname or url
    except ValueError:
        return url


def url_refusal(url: str) -> str | None:
    """Why Chorus will not download a policy from *url* (None: it may). Decided before any
    connection: plain http is accepted only for this computer."""
    parts = urlsplit(url.strip())
    try:
        host = parts.hostname
    except ValueError:
        host = None
    scheme = parts.scheme.lower()
    if not host:
        return f"“{shown_url(url)}” is not a complete web address (no server name)."
    if scheme == "https":
        return None
    if scheme == "http" and is_loopback_host(host):
        return None
    return (f"Chorus downloads policies over https:// only, not plain http:// ({shown_url(url)}): anyone on the "
            "network path could change the rules. Ask IT for the policy's https:// address.")


# -- the copy kept for offline use ----------------------------------------------------------------
@dataclass(frozen=True)
class CachedPolicy:
    url: str
    text: bytes
    etag: str | None
    last_modified: str | None
    fetched_at: dt.datetime  # when the server last confirmed this text (a 200 or a 304)


class PolicyDownloadCache:
    """The last valid downloaded policy in *folder*: ``policy.toml`` and ``policy.json`` (URL, ETag,
    Last-Modified, fetched-at time, and the text's SHA-256 so a half-replaced pair is never used)."""

    def __init__(self, folder: Path) -> None:
        self.folder = Path(folder)
        self.text_file = self.folder / "policy.toml"
        self.meta_file = self.folder / "policy.json"

    def read(self, url: str) -> CachedPolicy | None:
        """The kept copy of the policy at *url* (None: none, another URL's, or unreadable)."""
        try:
            meta = json.loads(self.meta_file.read_text(encoding="utf-8"))
            text = self.text_file.read_bytes()
        except FileNotFoundError:
            return None
        except (OSError, ValueError) as exc:
            log.warning("the downloaded policy copy in %s cannot be read: %s", self.folder, exc)
            return None
        try:
            if meta["url"] != url:
                return None
            if meta["sha256"] != hashlib.sha256(text).hexdigest():
                log.warning("the downloaded policy copy in %s does not match its record; not used", self.folder)
                return None
            fetched_at = dt.datetime.fromisoformat(meta["fetched_at"])
            etag, modified = meta.get("etag"), meta.get("last_modified")
        except (KeyError, TypeError, ValueError) as exc:
            log.warning("the downloaded policy record %s is not valid (%s); not used", self.meta_file, exc)
            return None
        return CachedPolicy(url, text, etag if isinstance(etag, str) else None,
                            modified if isinstance(modified, str) else None, fetched_at)

    def write(self, cached: CachedPolicy) -> None:
        """Keep *cached* (text first, then the record naming its hash: a crash between the two
        leaves a record that does not match, never a wrong ETag for a text)."""
        write_atomic(self.text_file, cached.text)
        self._write_meta(cached)

    def confirm(self, cached: CachedPolicy, when: dt.datetime) -> CachedPolicy:
        """The server said the copy is current (304): record the time."""
        fresh = CachedPolicy(cached.url, cached.text, cached.etag, cached.last_modified, when)
        self._write_meta(fresh)
        return fresh

    def _write_meta(self, cached: CachedPolicy) -> None:
        record = {"url": cached.url, "etag": cached.etag, "last_modified": cached.last_modified,
                  "fetched_at": cached.fetched_at.isoformat(timespec="seconds"),
                  "sha256": hashlib.sha256(cached.text).hexdigest()}
        write_atomic(self.meta_file, (json.dumps(record, indent=2) + "\n").encode())


@dataclass(frozen=True)
class RemotePolicy:
    """What the app needs to use a policy URL: the downloader and the folder of the kept copy."""

    fetcher: PolicyFetcher
    cache: PolicyDownloadCache


@dataclass(frozen=True)
class Refresh:
    """One attempt to bring a URL policy up to date (the network half, done on an I/O worker):
    the download or the failure, with the kept copy as it was before."""

    url: str
    cached: CachedPolicy | None
    download: PolicyDownload | None = None
    error: PolicyFetchFailed | None = None
    at: dt.datetime | None = None


def refresh(url: str, remote: RemotePolicy, now: dt.datetime | None = None) -> Refresh:
    """Ask the server for the policy at *url*, conditionally on the kept copy. Never raises for
    network trouble: the failure is in :attr:`Refresh.error`."""
    url = url.strip()
    cached = remote.cache.read(url)
    refusal = url_refusal(url)
    if refusal:
        return Refresh(url, cached, error=PolicyFetchFailed(refusal))
    try:
        download = remote.fetcher.fetch_policy(url, etag=cached.etag if cached else None,
                                               last_modified=cached.last_modified if cached else None)
    except PolicyFetchFailed as exc:
        log.warning("the policy at %s could not be downloaded: %s", shown_url(url), exc.message)
        return Refresh(url, cached, error=exc)
    return Refresh(url, cached, download=download, at=now or dt.datetime.now().replace(microsecond=0))
