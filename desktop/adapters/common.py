"""What every network adapter says the same way: how long a rate limit lasts, what an HTTP error
means for the person publishing, whether an answer is the JSON object it should be, and that
linking was cancelled.

    wait = retry_after_seconds(response.headers, clock())      # a 429's wait, 1 s to 24 h
    raise_for_status(response, where="mastodon.social", what="publishing", write=True,
                     message=server_message(response), retry_after=wait)
    data = json_object(response, where="LinkedIn", what="reading your profile")

Each adapter handles what only its network says first (LinkedIn's 426 for a retired API version,
Mastodon's 403 for a missing scope), then hands the rest to :func:`raise_for_status`, so a 429, a
5xx after a write or a plain refusal reads the same whichever network it came from.
"""

from __future__ import annotations

import calendar
import threading
from collections.abc import Callable, Mapping
from datetime import UTC, datetime, timedelta
from email.utils import parsedate_to_datetime
from typing import Any, Generic, TypeVar

import requests

from desktop.adapters.http import clip, decode_json, human_duration
from desktop.core.ports import Account, AuthError, Post, Published, PublishError, RateLimited, SecretSink

DEFAULT_RETRY_AFTER_S = 60.0  # a 429 that says nothing about when to come back
MAX_RETRY_AFTER_S = 24 * 3600.0  # never freeze an account's outbox for longer than a day
MIN_RETRY_AFTER_S = 1.0  # never a busy loop

C = TypeVar("C")


class LinkCancelled(PublishError):
    """The user cancelled linking while Chorus waited for the browser."""

    def __init__(self) -> None:
        super().__init__("Linking was cancelled.", retryable=True)


# -- rate limits ------------------------------------------------------------------------------------
def parse_time(value: Any) -> float | None:
    """Epoch seconds of an ISO 8601 time (``2026-11-23T22:30:00.000Z``; no zone means UTC), or None."""
    if not isinstance(value, str) or not value:
        return None
    try:
        moment = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        return None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return moment.timestamp()


def _http_date(value: str) -> float | None:
    try:
        return parsedate_to_datetime(value).timestamp()
    except (TypeError, ValueError, IndexError, OverflowError):
        return None


def header_wait(headers: Mapping[str, str], now: float) -> float | None:
    """Seconds to wait after a 429 as the server's headers say, unbounded; None when they do not say.

    ``Retry-After`` (seconds, or an HTTP date) first; then a reset time, ``X-RateLimit-Reset``
    (Mastodon: ISO 8601) or ``RateLimit-Reset`` (Bluesky's PDS: epoch seconds), read as ISO 8601,
    epoch milliseconds, epoch seconds, or seconds from now. Times are measured against the
    server's ``Date`` header when it sent one, so a skewed local clock does not matter."""
    date = headers.get("Date")
    server_now = (_http_date(date) if date else None) or now
    retry = (headers.get("Retry-After") or "").strip()
    if retry:
        try:
            return float(retry)
        except ValueError:
            moment = _http_date(retry)
            if moment is not None:
                return moment - server_now
    for name in ("X-RateLimit-Reset", "RateLimit-Reset"):
        reset = (headers.get(name) or "").strip()
        if not reset:
            continue
        try:
            value = float(reset)
        except ValueError:
            moment = parse_time(reset)
            if moment is not None:
                return moment - server_now
            continue
        if value > 1e12:  # epoch milliseconds
            return value / 1000.0 - server_now
        if value > 1e8:  # epoch seconds
            return value - server_now
        return value  # seconds from now
    return None


def bounded_wait(wait: float | None) -> float:
    """*wait* kept between a second and a day; :data:`DEFAULT_RETRY_AFTER_S` when unknown or NaN."""
    if wait is None or wait != wait:
        return DEFAULT_RETRY_AFTER_S
    return min(max(wait, MIN_RETRY_AFTER_S), MAX_RETRY_AFTER_S)


def retry_after_seconds(headers: Mapping[str, str], now: float | None = None) -> float:
    """How long to wait after a 429 (:func:`header_wait`, bounded by :func:`bounded_wait`)."""
    import time

    return bounded_wait(header_wait(headers, time.time() if now is None else now))


def until_next_utc_midnight(now: float) -> float:
    """Seconds from *now* to the next 00:00 UTC (when daily API limits such as LinkedIn's reset)."""
    today = datetime.fromtimestamp(now, UTC).date()
    return calendar.timegm((today + timedelta(days=1)).timetuple()) - now


# -- answers ----------------------------------------------------------------------------------------
def is_json(response: requests.Response) -> bool:
    return "json" in (response.headers.get("Content-Type") or "").lower()


def json_object(response: requests.Response, *, where: str, what: str, ambiguous: bool = False,
                hint: str = "") -> dict[str, Any]:
    """The answer's JSON object. Anything else (not JSON, nested too deeply, a list) is a retryable
    PublishError naming *where* and *what*; *ambiguous* after a write that may have been applied;
    *hint* is a sentence added for people (``Is it a Mastodon server?``)."""
    try:
        data = decode_json(response)
    except ValueError:
        data = None
    if not isinstance(data, dict):
        advice = f" {hint}" if hint else ""
        raise PublishError(f"{where} sent an answer Chorus does not understand while {what}.{advice}",
                           retryable=True, ambiguous=ambiguous)
    return data


def server_message(response: requests.Response) -> str:
    """The server's own words about a failure, clipped: ``message`` (LinkedIn's REST errors),
    ``error_description`` or ``error`` (OAuth and Mastodon); empty when the answer is not JSON."""
    if not is_json(response):
        return ""
    try:
        data = decode_json(response)
    except ValueError:
        return ""
    if isinstance(data, dict):
        return clip(str(data.get("message") or data.get("error_description") or data.get("error") or ""))
    return ""


def oauth_error(response: requests.Response) -> tuple[str, str]:
    """``(error, error_description)`` of an OAuth 2 error answer (RFC 6749 §5.2), empty when absent."""
    if not is_json(response):
        return "", ""
    try:
        data = decode_json(response)
    except ValueError:
        return "", ""
    if not isinstance(data, dict):
        return "", ""
    return str(data.get("error") or ""), str(data.get("error_description") or "")


def raise_for_status(response: requests.Response, *, where: str, what: str, write: bool, message: str = "",
                     retry_after: float | None = None) -> None:
    """Raise the PublishError for a failed answer; return for a 2xx one (as requests' own does).

    401 → :class:`AuthError` (link again); 429 → :class:`RateLimited` after *retry_after* seconds
    (default: from the headers); 5xx → retryable, and ambiguous after a *write* (the post may have
    been published); 3xx → a refusal (redirects are never followed with credentials); anything else
    → a refusal with the server's *message*."""
    status = response.status_code
    if 200 <= status < 300:
        return
    detail = f" ({message})" if message else ""
    if status == 401:
        raise AuthError(f"{where} no longer accepts Chorus's access to this account{detail}. Link the account again.",
                        status=status)
    if status == 429:
        wait = retry_after_seconds(response.headers) if retry_after is None else retry_after
        raise RateLimited(f"{where} asks Chorus to slow down (rate limit{detail}). Chorus can try again in "
                          f"{human_duration(wait)}.", wait, status=status)
    if status >= 500:
        if write:
            raise PublishError(f"{where} had a problem while {what} (HTTP {status}). The post may or may not "
                               "have been published; Chorus checks before sending it again.",
                               ambiguous=True, retryable=True, status=status)
        raise PublishError(f"{where} had a problem while {what} (HTTP {status}). Try again later.",
                           retryable=True, status=status)
    if 300 <= status < 400:
        raise PublishError(f"{where} redirected Chorus elsewhere while {what} (HTTP {status}). Check the "
                           "server address.", retryable=False, status=status)
    raise PublishError(f"{where} refused {what}: {message or f'HTTP {status}'}", retryable=False, status=status)


# -- the shared client a client_factory hands out ---------------------------------------------------
class SharedClient(Generic[C]):
    """What an adapter package's ``client_factory`` returns: call it (from any thread) for the shared
    client, built on first use; ``close()`` at quit closes its HTTP session (``client.http``).

    *build(key)* makes the client for *key*; *key()* (when given) is read on every call, and a
    different key than last time means a new client: LinkedIn's client follows the settings in
    force. The client it replaces is left to finish what it is doing (another thread may be using
    it) and its session is closed when the garbage collector drops it, as before."""

    def __init__(self, build: Callable[[Any], C], key: Callable[[], Any] | None = None) -> None:
        self._build = build
        self._key = key
        self._lock = threading.Lock()
        self._client: C | None = None
        self._client_key: Any = None

    def __call__(self) -> C:
        key = self._key() if self._key is not None else None
        with self._lock:
            if self._client is None or key != self._client_key:
                self._client, self._client_key = self._build(key), key
            return self._client

    @property
    def current(self) -> C | None:
        """The client built last, if any (without building one)."""
        with self._lock:
            return self._client

    def close(self) -> None:
        """Close the current client's HTTP session (its connection pool). Idempotent; a later call
        still works (requests reopens pools), so a late worker does not crash at quit."""
        with self._lock:
            client = self._client
        session = getattr(client, "http", None)
        if session is not None:
            session.close()


class DelegatingClient:
    """What an adapter wrapping a network client passes through unchanged: publishing, looking a post
    up, refreshing the account, and the HTTP session to close at quit. Subclasses add their link flow."""

    def __init__(self, client: Any) -> None:
        self.client = client

    @property
    def http(self) -> Any:
        """The client's HTTP session (closed at quit)."""
        return self.client.http

    def publish(self, account: Account, secret: str, post: Post, *, on_secret: SecretSink | None = None) -> Published:
        return self.client.publish(account, secret, post, on_secret=on_secret)

    def find_published(self, account: Account, secret: str, post: Post, *,
                       on_secret: SecretSink | None = None) -> Published | None:
        return self.client.find_published(account, secret, post, on_secret=on_secret)

    def refresh_account(self, account: Account, secret: str, *, on_secret: SecretSink | None = None) -> Account:
        return self.client.refresh_account(account, secret, on_secret=on_secret)
