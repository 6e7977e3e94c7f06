"""A Mastodon-API server for tests and for the training sandbox: real HTTP on 127.0.0.1.

No real Mastodon can be installed here (see ../shared/networks.md §6b), so this module serves the
part of the Mastodon API that Chorus uses, following the documentation and the server's source
(``mastodon/mastodon``: ``Api::V1::AppsController``, ``Api::V1::StatusesController``,
``PostStatusService`` idempotency, ``Api::BaseController`` errors, ``rack_attack.rb`` 429s,
``config/initializers/doorkeeper.rb``; Doorkeeper's ``URIChecker`` and error texts)::

    POST /api/v1/apps                       client_name, redirect_uris (string or array), scopes, website
    GET  /oauth/authorize                   HTML page: sign in + Authorize / Deny (a session cookie remembers you)
    POST /oauth/authorize                   -> 302 redirect_uri?code=…&state=…  (oob: /oauth/authorize/native?code=…)
    GET  /oauth/authorize/native?code=…     the code to copy (urn:ietf:wg:oauth:2.0:oob)
    POST /oauth/token                       authorization_code (+ PKCE S256) | client_credentials; Basic or form client auth
    POST /oauth/revoke                      RFC 7009
    GET  /.well-known/oauth-authorization-server
    GET  /api/v1/apps/verify_credentials
    GET  /api/v1/accounts/verify_credentials
    GET  /api/v1/accounts/:id, /api/v1/accounts/lookup?acct=
    GET  /api/v1/accounts/:id/statuses      limit, max_id, since_id, min_id, exclude_replies; Link header
    POST /api/v1/statuses                   status, spoiler_text, visibility, language, sensitive, in_reply_to_id;
                                            Idempotency-Key per account (TTL 1 h), length validation, rate limit
    POST /api/v2/media                      multipart: file (type sniffed from its bytes: jpeg, png, gif, webp),
                                            description (optional, up to description_limit); 200 when processed,
                                            202 with url null while processing (server.media_processing_polls)
    GET  /api/v1/media/:id                  206 while processing, then 200; 404 for another account's media
    POST /api/v1/statuses media_ids[]       at most max_media_attachments; each the account's own, unattached
                                            and processed (422 with Mastodon's texts otherwise)
    GET  /api/v1/statuses/:id, GET /api/v1/statuses/:id/source, DELETE /api/v1/statuses/:id
    GET  /api/v1/instance, /api/v2/instance configuration.statuses.max_characters etc. (configurable)
    GET  /@user, /@user/:id, /avatars/:user.png   small HTML pages and an avatar, for people

Faithful details: loopback redirect URIs match on any port (RFC 8252 §7.3, as Doorkeeper does),
``localhost`` is not loopback; errors carry Doorkeeper's texts (``invalid_grant``, ``invalid_client``
401, ...); API errors are ``{"error": "..."}`` (401 "The access token is invalid" / "... was
revoked", 403 "This action is outside the authorized scopes", 422 "Validation failed: ...");
tokens never expire and are reused per app + user + scopes (``reuse_access_token``); a 429 carries
``X-RateLimit-Limit/Remaining/Reset`` with an ISO 8601 reset and, like real Mastodon, no
``Retry-After`` unless a test asks for one; status text is rendered to HTML like Mastodon's
``TextFormatter`` (paragraphs, ``<br />``, links with invisible spans, hashtags, local mentions).

Media follow ``Api::V2::MediaController`` (202 while not processed), ``Api::V1::MediaController#show``
(206 while processing), ``MediaAttachment`` validations (IMAGE_LIMIT 16 MiB, description up to 1500)
and ``PostStatusService#validate_media!`` (too_many, not_found, not_ready). Modelled without a
source: the pixel check (real Mastodon downsizes the original past image_matrix_limit; here it is
refused, so a client that does not fit images fails loudly).

Not modelled: video and audio, focus, thumbnails, polls, scheduled statuses, federation, e-mail sign-up, the web UI.

Fault injection (for the next N matching requests; *path* is a prefix, *method* optional; see ``_http.py``)::

    server.delay_next(seconds, path="/api/v1/statuses")          # hang before processing
    server.delay_next(seconds, after=True)                       # process, then hang before answering
    server.fail_next(status=500)                                 # answer 500 without processing
    server.fail_next(status=502, after=True)                     # process, then answer 502
    server.drop_next(path=..., method="POST")                    # process, then close without answering
    server.drop_next(before=True)                                # close without processing
    server.rate_limit_next(retry_after=2)                        # 429 (Retry-After only when given)

Use::

    with MastodonTestServer(users={"alice": "alice-password"}) as server:
        server.url            # http://127.0.0.1:<port>
    python -m tests.servers.mastodon_server --port 3000 --user trainer:secret --max-characters 1000
"""

from __future__ import annotations

import argparse
import base64
import email.policy
import hashlib
import hmac
import html
import itertools
import json
import re
import secrets
import signal
import struct
import sys
import threading
import time
import zlib
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from email.parser import BytesParser
from http.cookies import SimpleCookie
from ipaddress import ip_address
from typing import Any
from urllib.parse import parse_qsl, unquote, urlencode, urlsplit, urlunsplit

import regex

from tests.servers import _http
from tests.servers._http import Abort, HTTPTestServer, RequestRecord

OOB = "urn:ietf:wg:oauth:2.0:oob"
DEFAULT_USERS = {"alice": "alice-password"}

# config/initializers/doorkeeper.rb (default_scopes + optional_scopes) and `profile` (4.4)
SERVER_SCOPES = frozenset(
    """read write write:accounts write:blocks write:bookmarks write:conversations write:favourites
    write:filters write:follows write:lists write:media write:mutes write:notifications write:reports
    write:statuses read:accounts read:blocks read:bookmarks read:favourites read:filters read:follows
    read:lists read:mutes read:notifications read:search read:statuses follow push profile
    admin:read admin:write crypto""".split()
)
DEFAULT_SCOPES = ("read",)

# Doorkeeper's config/locales/en.yml
DK = {
    "invalid_request": "The request is missing a required parameter, includes an unsupported parameter value, "
    "or is otherwise malformed.",
    "invalid_redirect_uri": "The requested redirect uri is malformed or doesn't match client redirect URI.",
    "unauthorized_client": "The client is not authorized to perform this request using this method.",
    "access_denied": "The resource owner or authorization server denied the request.",
    "invalid_scope": "The requested scope is invalid, unknown, or malformed.",
    "invalid_code_challenge_method": "The code_challenge_method must be one of S256.",
    "unsupported_response_type": "The authorization server does not support this response type.",
    "invalid_client": "Client authentication failed due to unknown client, no client authentication included, "
    "or unsupported authentication method.",
    "invalid_grant": "The provided authorization grant is invalid, expired, revoked, does not match the "
    "redirection URI used in the authorization request, or was issued to another client.",
    "unsupported_grant_type": "The authorization grant type is not supported by the authorization server.",
}
TOKEN_UNKNOWN = "The access token is invalid"
TOKEN_REVOKED = "The access token was revoked"
OUTSIDE_SCOPES = "This action is outside the authorized scopes"
NEEDS_USER = "This method requires an authenticated user"
NOT_FOUND = "Record not found"
TOO_MANY = "Too many requests"


# ---------------------------------------------------------------------------------------------
# Model
# ---------------------------------------------------------------------------------------------
@dataclass
class User:
    id: str
    username: str
    password: str = field(repr=False)
    display_name: str
    created_at: datetime


@dataclass
class App:
    id: str
    name: str
    website: str | None
    client_id: str
    client_secret: str = field(repr=False)
    redirect_uris: list[str]
    scopes: list[str]


@dataclass
class Grant:
    code: str = field(repr=False)
    app_id: str
    user_id: str
    redirect_uri: str
    scopes: list[str]
    code_challenge: str | None
    code_challenge_method: str | None
    expires_at: float
    used: bool = False


@dataclass
class Token:
    token: str = field(repr=False)
    app_id: str
    user_id: str | None  # None: an app token (client_credentials)
    scopes: list[str]
    created_at: int
    revoked: bool = False


@dataclass
class Status:
    id: str
    user_id: str
    text: str
    spoiler_text: str
    visibility: str
    language: str | None
    sensitive: bool
    in_reply_to_id: str | None
    app_id: str | None
    created_at: datetime
    idempotency_key: str | None = None
    media_ids: list[str] = field(default_factory=list)


@dataclass
class Media:
    id: str
    user_id: str
    mime: str
    data: bytes = field(repr=False)
    width: int
    height: int
    description: str | None
    polls_left: int  # GETs answered 206 before it is processed
    status_id: str | None = None


@dataclass
class Fault(_http.Fault):
    reset_in: float = 60.0  # a 429's X-RateLimit-Reset, from now


# ---------------------------------------------------------------------------------------------
# Helpers: redirect URIs, time, ids, text
# ---------------------------------------------------------------------------------------------
def _is_loopback(host: str | None) -> bool:
    """Doorkeeper's ``IPAddr.new(host).loopback?``: IP literals only, so ``localhost`` is not."""
    if not host:
        return False
    try:
        return ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


def redirect_uri_matches(requested: str, registered: str) -> bool:
    """Doorkeeper ``URIChecker.matches?``: the requested URI's query is ignored, and when both are
    loopback IP literals the port is too (RFC 8252 §7.3)."""
    if requested == OOB or registered == OOB:
        return requested == registered
    a, b = urlsplit(requested), urlsplit(registered)
    if b.query and not set(parse_qsl(b.query)) <= set(parse_qsl(a.query)):
        return False
    a_port, b_port = a.port, b.port
    if _is_loopback(a.hostname) and _is_loopback(b.hostname):
        a_port = b_port = None
    return (a.scheme.lower(), (a.hostname or "").lower(), a_port, a.path) == (
        b.scheme.lower(),
        (b.hostname or "").lower(),
        b_port,
        b.path,
    )


def _valid_redirect_uri(uri: str) -> bool:
    if uri == OOB:
        return True
    parts = urlsplit(uri)
    if not parts.scheme or parts.fragment:
        return False
    if parts.scheme.lower() in {"data", "vbscript", "javascript"}:
        return False
    return bool(parts.netloc) or parts.scheme.lower() not in {"http", "https"}


def _iso(moment: datetime) -> str:
    return moment.astimezone(UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")


def _utcnow() -> datetime:
    return datetime.now(UTC)


_URL_RE = re.compile(r"(?i)\b(?:https?|dat|dweb|ipfs|ipns|ssb|gopher|gemini)://[^\s<>\"]+")
_TRAILING = ".,;:!?'\")]}"
_MENTION_RE = regex.compile(r"(?<![\p{L}\p{N}_@/])@([\p{L}\p{N}_]+(?:[.-]+[\p{L}\p{N}_]+)*)(?:@([\p{L}\p{N}_.-]+[\p{L}\p{N}_]))?")
_HASHTAG_RE = regex.compile(r"(?<![\p{L}\p{N}_/#&])#([\p{L}\p{N}_]*[\p{L}_][\p{L}\p{N}_]*)")


def _urls(text: str) -> list[tuple[int, int]]:
    spans = []
    for match in _URL_RE.finditer(text):
        end = match.end()
        while end > match.start() and text[end - 1] in _TRAILING:
            end -= 1
        spans.append((match.start(), end))
    return spans


def grapheme_count(text: str) -> int:
    return len(regex.findall(r"\X", text))


# ---------------------------------------------------------------------------------------------
# The server
# ---------------------------------------------------------------------------------------------
class MastodonTestServer(HTTPTestServer):
    """A Mastodon-API server with in-memory state, on a real socket. Thread-safe."""

    thread_name = "mastodon-test-server"
    fault_type = Fault

    def __init__(
        self,
        host: str = "127.0.0.1",
        port: int = 0,
        *,
        users: Mapping[str, str] | None = None,
        domain: str | None = None,
        title: str = "Chorus test Mastodon",
        version: str = "4.4.0",
        max_characters: int = 500,
        characters_reserved_per_url: int = 23,
        max_media_attachments: int = 4,
        idempotency_ttl: float = 3600.0,
        statuses_limit: int = 300,
        statuses_period: float = 3 * 3600.0,
        code_lifetime: float = 600.0,
        image_size_limit: int = 16 * 1024 * 1024,
        image_matrix_limit: int = 33_177_600,
        description_limit: int = 1500,
        log: Callable[[str], None] | None = None,
    ) -> None:
        super().__init__(host, port, _Handler, log=log)
        self._domain = domain
        self.title = title
        self.version = version
        self.max_characters = max_characters
        self.characters_reserved_per_url = characters_reserved_per_url
        self.max_media_attachments = max_media_attachments
        self.idempotency_ttl = idempotency_ttl
        self.statuses_limit = statuses_limit
        self.statuses_period = statuses_period
        self.code_lifetime = code_lifetime
        self.image_size_limit = image_size_limit
        self.image_matrix_limit = image_matrix_limit
        self.description_limit = description_limit
        # how many GET /api/v1/media/:id answer 206 before an upload is processed (0: 200 at once)
        self.media_processing_polls = 0
        self.media: dict[str, Media] = {}

        self._ids = itertools.count(1)
        self._status_seq = itertools.count()
        self.users: dict[str, User] = {}
        self.apps: dict[str, App] = {}
        self.grants: dict[str, Grant] = {}
        self.tokens: dict[str, Token] = {}
        self.statuses: dict[str, Status] = {}
        self._idempotency: dict[tuple[str, str], tuple[str, float]] = {}
        self._sessions: dict[str, str] = {}  # browser session cookie -> user id

        for username, password in (users if users is not None else DEFAULT_USERS).items():
            self.add_user(username, password)

    @property
    def domain(self) -> str:
        return self._domain or urlsplit(self.url).netloc

    # -- test set-up and inspection -------------------------------------------------------------
    def add_user(self, username: str, password: str, display_name: str | None = None) -> User:
        with self._lock:
            user = User(str(100000 + next(self._ids)), username, password, display_name or username.capitalize(),
                        _utcnow())
            self.users[user.id] = user
            return user

    def user(self, username: str) -> User:
        with self._lock:
            for user in self.users.values():
                if user.username == username:
                    return user
        raise KeyError(username)

    def statuses_of(self, username: str) -> list[Status]:
        user = self.user(username)
        with self._lock:
            return sorted((s for s in self.statuses.values() if s.user_id == user.id), key=lambda s: int(s.id))

    def tokens_of(self, username: str) -> list[Token]:
        user = self.user(username)
        with self._lock:
            return [t for t in self.tokens.values() if t.user_id == user.id]

    def revoke_tokens(self, username: str) -> int:
        """What a user does under Settings → Authorized apps → Revoke."""
        with self._lock:
            tokens = [t for t in self.tokens_of(username) if not t.revoked]
            for token in tokens:
                token.revoked = True
            return len(tokens)

    def delete_app(self, client_id: str) -> None:
        """An admin removes the app: its client credentials and tokens stop working."""
        with self._lock:
            app = self._app_by_client_id(client_id)
            if app is not None:
                del self.apps[app.id]
                for token in self.tokens.values():
                    if token.app_id == app.id:
                        token.revoked = True

    def expire_idempotency_keys(self) -> None:
        """As if the keys' hour had passed."""
        with self._lock:
            self._idempotency.clear()

    # -- fault injection (the rest in HTTPTestServer) --------------------------------------------
    def rate_limit_next(self, count: int = 1, *, path: str | None = None, method: str | None = None,
                        retry_after: float | None = None, reset_in: float = 60.0) -> Fault:
        return self._inject(Fault("rate_limit", count, path, method, retry_after=retry_after, reset_in=reset_in))

    # -- lookups -------------------------------------------------------------------------------
    def _app_by_client_id(self, client_id: str | None) -> App | None:
        if not client_id:
            return None
        for app in self.apps.values():
            if hmac.compare_digest(app.client_id.encode(), client_id.encode()):
                return app
        return None

    def _user_by_login(self, login: str, password: str) -> User | None:
        login = login.strip().lstrip("@").split("@")[0].lower()
        for user in self.users.values():
            if user.username.lower() == login and hmac.compare_digest(user.password.encode(), password.encode()):
                return user
        return None

    def _user_by_name(self, username: str) -> User | None:
        for user in self.users.values():
            if user.username.lower() == username.lower():
                return user
        return None

    def _new_status_id(self) -> str:
        # Snowflake-like: milliseconds << 16 | sequence, as Mastodon's ids are ordered by time.
        return str((int(time.time() * 1000) << 16) | (next(self._status_seq) & 0xFFFF))

    # -- rendering -----------------------------------------------------------------------------
    def account_json(self, user: User, *, credentials: bool = False) -> dict[str, Any]:
        statuses = [s for s in self.statuses.values() if s.user_id == user.id]
        last = max((s.created_at for s in statuses), default=None)
        data: dict[str, Any] = {
            "id": user.id,
            "username": user.username,
            "acct": user.username,
            "display_name": user.display_name,
            "locked": False,
            "bot": False,
            "discoverable": True,
            "group": False,
            "created_at": _iso(user.created_at.replace(hour=0, minute=0, second=0, microsecond=0)),
            "note": "",
            "url": f"{self.url}/@{user.username}",
            "uri": f"{self.url}/users/{user.username}",
            "avatar": f"{self.url}/avatars/{user.username}.png",
            "avatar_static": f"{self.url}/avatars/{user.username}.png",
            "header": f"{self.url}/headers/original/missing.png",
            "header_static": f"{self.url}/headers/original/missing.png",
            "followers_count": 0,
            "following_count": 0,
            "statuses_count": len(statuses),
            "last_status_at": last.date().isoformat() if last else None,
            "emojis": [],
            "fields": [],
        }
        if credentials:
            data["source"] = {"privacy": "public", "sensitive": False, "language": "", "note": "", "fields": [],
                              "follow_requests_count": 0}
        return data

    def render_content(self, text: str) -> str:
        """Status text to HTML the way Mastodon's TextFormatter does (simplified but same shape)."""
        spans: list[tuple[int, int, str]] = []
        for start, end in _urls(text):
            spans.append((start, end, self._link_html(text[start:end])))
        taken = [(s, e) for s, e, _ in spans]

        def free(start: int, end: int) -> bool:
            return all(end <= s or start >= e for s, e in taken)

        for match in _MENTION_RE.finditer(text):
            username, mention_domain = match.group(1), match.group(2)
            user = self._user_by_name(username)
            local = mention_domain is None or mention_domain.lower() == self.domain.lower()
            if user is not None and local and free(match.start(), match.end()):
                spans.append((match.start(), match.end(),
                              f'<span class="h-card" translate="no"><a href="{self.url}/@{user.username}" '
                              f'class="u-url mention">@<span>{html.escape(user.username)}</span></a></span>'))
                taken.append((match.start(), match.end()))
        for match in _HASHTAG_RE.finditer(text):
            if free(match.start(), match.end()):
                tag = match.group(1)
                spans.append((match.start(), match.end(),
                              f'<a href="{self.url}/tags/{html.escape(tag.lower())}" class="mention hashtag" '
                              f'rel="tag">#<span>{html.escape(tag)}</span></a>'))
                taken.append((match.start(), match.end()))
        spans.sort()
        out, position = [], 0
        for start, end, markup in spans:
            out.append(html.escape(text[position:start]))
            out.append(markup)
            position = end
        out.append(html.escape(text[position:]))
        escaped = "".join(out).replace("\r\n", "\n")
        paragraphs = [p for p in re.split(r"\n{2,}", escaped.strip("\n"))]
        return "".join(f"<p>{p.replace(chr(10), '<br />')}</p>" for p in paragraphs)

    @staticmethod
    def _link_html(url: str) -> str:
        match = re.match(r"(?i)(https?://(?:www\.)?|[a-z]+://)", url)
        prefix = match.group(1) if match else ""
        rest = url[len(prefix):]
        shown, hidden = rest[:30], rest[30:]
        return (
            f'<a href="{html.escape(url)}" target="_blank" rel="nofollow noopener" translate="no">'
            f'<span class="invisible">{html.escape(prefix)}</span>'
            f'<span class="{"ellipsis" if hidden else ""}">{html.escape(shown)}</span>'
            f'<span class="invisible">{html.escape(hidden)}</span></a>'
        )

    def status_json(self, status: Status, viewer: User | None) -> dict[str, Any]:
        user = self.users[status.user_id]
        data: dict[str, Any] = {
            "id": status.id,
            "created_at": _iso(status.created_at),
            "in_reply_to_id": status.in_reply_to_id,
            "in_reply_to_account_id": (self.statuses[status.in_reply_to_id].user_id
                                       if status.in_reply_to_id in self.statuses else None),
            "sensitive": status.sensitive,
            "spoiler_text": status.spoiler_text,
            "visibility": status.visibility,
            "language": status.language,
            "uri": f"{self.url}/users/{user.username}/statuses/{status.id}",
            "url": f"{self.url}/@{user.username}/{status.id}",
            "replies_count": 0,
            "reblogs_count": 0,
            "favourites_count": 0,
            "edited_at": None,
            "favourited": False,
            "reblogged": False,
            "muted": False,
            "bookmarked": False,
            "pinned": False,
            "content": self.render_content(status.text),
            "filtered": [],
            "reblog": None,
            "account": self.account_json(user),
            "media_attachments": [self.media_json(self.media[m]) for m in status.media_ids if m in self.media],
            "mentions": [],
            "tags": [{"name": t.lower(), "url": f"{self.url}/tags/{t.lower()}"}
                     for t in _HASHTAG_RE.findall(status.text)],
            "emojis": [],
            "card": None,
            "poll": None,
        }
        if viewer is not None and viewer.id == status.user_id and status.app_id in self.apps:
            app = self.apps[status.app_id]
            data["application"] = {"name": app.name, "website": app.website}
        return data

    def media_json(self, media: Media) -> dict[str, Any]:
        processed = media.polls_left <= 0
        url = f"{self.url}/system/media_attachments/{media.id}/original.{media.mime.split('/')[1]}"
        return {"id": media.id, "type": "image", "url": url if processed else None,
                "preview_url": url if processed else None, "remote_url": None, "text_url": None,
                "meta": {"original": {"width": media.width, "height": media.height,
                                      "size": f"{media.width}x{media.height}",
                                      "aspect": media.width / media.height}},
                "description": media.description, "blurhash": None}

    def media_of(self, username: str) -> list[Media]:
        user = self.user(username)
        with self._lock:
            return [m for m in self.media.values() if m.user_id == user.id]

    def instance_v2(self) -> dict[str, Any]:
        return {
            "domain": self.domain,
            "title": self.title,
            "version": self.version,
            "source_url": "https://github.com/mastodon/mastodon",
            "description": "A local Mastodon-API server for Chorus tests and training.",
            "usage": {"users": {"active_month": len(self.users)}},
            "thumbnail": {"url": f"{self.url}/avatars/instance.png"},
            "languages": ["en"],
            "configuration": {
                "urls": {"streaming": f"ws://{urlsplit(self.url).netloc}", "status": None},
                "vapid": {"public_key": "BPlaceholderVapidKeyForTests"},
                "accounts": {"max_featured_tags": 10, "max_pinned_statuses": 5},
                "statuses": {
                    "max_characters": self.max_characters,
                    "max_media_attachments": self.max_media_attachments,
                    "characters_reserved_per_url": self.characters_reserved_per_url,
                },
                "media_attachments": {
                    "supported_mime_types": ["image/jpeg", "image/png", "image/gif", "image/webp"],
                    "description_limit": self.description_limit,
                    "image_size_limit": self.image_size_limit,
                    "image_matrix_limit": self.image_matrix_limit,
                    "video_size_limit": 103809024,
                    "video_frame_rate_limit": 120,
                    "video_matrix_limit": 8294400,
                },
                "polls": {"max_options": 4, "max_characters_per_option": 50, "min_expiration": 300,
                          "max_expiration": 2629746},
                "translation": {"enabled": False},
            },
            "registrations": {"enabled": False, "approval_required": False, "message": None, "url": None},
            "api_versions": {"mastodon": 6},
            "contact": {"email": "admin@example.invalid", "account": None},
            "rules": [],
        }

    def instance_v1(self) -> dict[str, Any]:
        v2 = self.instance_v2()
        return {
            "uri": self.domain,
            "title": self.title,
            "short_description": v2["description"],
            "description": v2["description"],
            "email": "admin@example.invalid",
            "version": self.version,
            "urls": {"streaming_api": v2["configuration"]["urls"]["streaming"]},
            "stats": {"user_count": len(self.users), "status_count": len(self.statuses), "domain_count": 1},
            "languages": ["en"],
            "registrations": False,
            "approval_required": False,
            "invites_enabled": False,
            "configuration": {"statuses": v2["configuration"]["statuses"]},
            "contact_account": None,
            "rules": [],
        }

    def authorization_server_metadata(self) -> dict[str, Any]:
        return {
            "issuer": f"{self.url}/",
            "service_documentation": "https://docs.joinmastodon.org/",
            "authorization_endpoint": f"{self.url}/oauth/authorize",
            "token_endpoint": f"{self.url}/oauth/token",
            "app_registration_endpoint": f"{self.url}/api/v1/apps",
            "revocation_endpoint": f"{self.url}/oauth/revoke",
            "scopes_supported": sorted(SERVER_SCOPES),
            "response_types_supported": ["code"],
            "response_modes_supported": ["query", "fragment", "form_post"],
            "code_challenge_methods_supported": ["S256"],
            "grant_types_supported": ["authorization_code", "client_credentials"],
            "token_endpoint_auth_methods_supported": ["client_secret_basic", "client_secret_post"],
        }


# ---------------------------------------------------------------------------------------------
# HTTP plumbing
# ---------------------------------------------------------------------------------------------
class _Handler(_http.Handler):
    server_version = "Mastodon"
    extra_headers = {"Cache-Control": "no-cache, no-store, max-age=0, must-revalidate"}

    # -- entry points (GET and POST in _http.Handler) ------------------------------------------
    def do_DELETE(self) -> None:  # noqa: N802
        self._dispatch("DELETE")

    def do_PUT(self) -> None:  # noqa: N802
        self._dispatch("PUT")

    # -- request parsing -----------------------------------------------------------------------
    def _read_params(self) -> dict[str, Any]:
        params: dict[str, Any] = {}

        def put(pairs: Iterable[tuple[str, Any]]) -> None:
            for key, value in pairs:
                if key.endswith("[]"):
                    params.setdefault(key[:-2], []).append(value)
                else:
                    params[key] = value

        put(parse_qsl(urlsplit(self.path).query, keep_blank_values=True))
        body = self._body
        ctype = (self.headers.get("Content-Type") or "").split(";")[0].strip().lower()
        if body and ctype == "application/json":
            try:
                data = json.loads(body.decode("utf-8"))
            except (UnicodeDecodeError, json.JSONDecodeError):
                raise Abort(400, {"error": "Error occurred while parsing request parameters"}) from None
            if isinstance(data, dict):
                params.update(data)
        elif body and ctype == "multipart/form-data":
            put(_multipart(self.headers.get("Content-Type") or "", body))
        elif body:
            put(parse_qsl(body.decode("utf-8", "replace"), keep_blank_values=True))
        return params

    def _bearer(self, params: Mapping[str, Any]) -> str | None:
        header = self.headers.get("Authorization") or ""
        if header[:7].lower() == "bearer ":
            return header[7:].strip()
        value = params.get("access_token") or params.get("bearer_token")
        return str(value) if value else None

    def _client_credentials(self, params: Mapping[str, Any]) -> tuple[str | None, str | None]:
        header = self.headers.get("Authorization") or ""
        if header[:6].lower() == "basic ":
            try:
                decoded = base64.b64decode(header[6:].strip()).decode("utf-8")
                client_id, _, secret = decoded.partition(":")
                return unquote(client_id), unquote(secret)
            except (ValueError, UnicodeDecodeError):
                return None, None
        return params.get("client_id"), params.get("client_secret")

    # -- dispatch ------------------------------------------------------------------------------
    ROUTES: list[tuple[str, re.Pattern[str], str]] = [
        (m, re.compile(p), h)
        for m, p, h in [
            ("POST", r"/api/v1/apps", "apps_create"),
            ("GET", r"/api/v1/apps/verify_credentials", "apps_verify"),
            ("GET", r"/oauth/authorize", "authorize_page"),
            ("POST", r"/oauth/authorize", "authorize_submit"),
            ("DELETE", r"/oauth/authorize", "authorize_deny"),
            ("GET", r"/oauth/authorize/native", "authorize_native"),
            ("POST", r"/oauth/token", "token"),
            ("POST", r"/oauth/revoke", "revoke"),
            ("GET", r"/\.well-known/oauth-authorization-server", "as_metadata"),
            ("GET", r"/api/v1/accounts/verify_credentials", "verify_credentials"),
            ("GET", r"/api/v1/accounts/lookup", "account_lookup"),
            ("GET", r"/api/v1/accounts/(?P<id>\d+)", "account_show"),
            ("GET", r"/api/v1/accounts/(?P<id>\d+)/statuses", "account_statuses"),
            ("POST", r"/api/v1/statuses", "status_create"),
            ("POST", r"/api/v2/media", "media_create"),
            ("GET", r"/api/v1/media/(?P<id>\d+)", "media_show"),
            ("GET", r"/api/v1/statuses/(?P<id>\d+)", "status_show"),
            ("GET", r"/api/v1/statuses/(?P<id>\d+)/source", "status_source"),
            ("DELETE", r"/api/v1/statuses/(?P<id>\d+)", "status_delete"),
            ("GET", r"/api/v1/instance", "instance_v1"),
            ("GET", r"/api/v2/instance", "instance_v2"),
            ("GET", r"/@(?P<username>[A-Za-z0-9_]+)", "profile_page"),
            ("GET", r"/@(?P<username>[A-Za-z0-9_]+)/(?P<id>\d+)", "status_page"),
            ("GET", r"/avatars/(?P<username>[A-Za-z0-9_]+)\.png", "avatar"),
        ]
    ]

    def _process(self, method: str, path: str, record: RequestRecord, fault: Fault | None) -> int:
        params = self._read_params()
        if method == "POST" and str(params.get("_method", "")).lower() == "delete":
            method = "DELETE"
        self._faults_before(fault)
        return self._route(method, path, params, fault)

    def _error_body(self, status: int) -> str:
        return _error_page(status)

    def _rate_limited(self, fault: Fault) -> Abort:
        extra = {"X-RateLimit-Limit": "300", "X-RateLimit-Remaining": "0",
                 "X-RateLimit-Reset": _iso_reset(time.time() + fault.reset_in)}
        if fault.retry_after is not None:
            extra["Retry-After"] = _retry_after_value(fault.retry_after)
        return Abort(429, {"error": TOO_MANY}, extra)

    def _route(self, method: str, path: str, params: dict[str, Any], fault: Fault | None) -> int:
        allowed = False
        for route_method, pattern, handler in self.ROUTES:
            match = pattern.fullmatch(path)
            if match is None:
                continue
            allowed = True
            if route_method != method:
                continue
            params.update(match.groupdict())
            # Handlers return (status, body, headers) so faults after processing can replace the answer.
            result = getattr(self, "h_" + handler)(params)
            return self._finish(result, fault)
        if allowed:
            raise Abort(405, {"error": "Method not allowed"})
        if path.startswith("/api/"):
            raise Abort(404, {"error": NOT_FOUND})
        raise Abort(404, _page("The page you are looking for isn't here.", ""))

    # -- auth ----------------------------------------------------------------------------------
    def _token(self, params: Mapping[str, Any], *scopes: str, required: bool = True) -> Token | None:
        """Doorkeeper's ``doorkeeper_authorize!(*scopes)`` (or ``authorize_if_got_token!`` when not required)."""
        app = self.server.app
        value = self._bearer(params)
        if value is None and not required:
            return None
        token = app.tokens.get(value or "")
        if token is None or token.revoked or token.app_id not in app.apps:
            description = TOKEN_REVOKED if token is not None else TOKEN_UNKNOWN
            raise Abort(401, {"error": description}, {
                "WWW-Authenticate": f'Bearer realm="Doorkeeper", error="invalid_token", '
                                    f'error_description="{description}"'})
        if scopes and not set(scopes) & set(token.scopes):
            raise Abort(403, {"error": OUTSIDE_SCOPES}, {
                "WWW-Authenticate": 'Bearer realm="Doorkeeper", error="insufficient_scope", '
                                    f'error_description="{OUTSIDE_SCOPES}"'})
        return token

    def _user_token(self, params: Mapping[str, Any], *scopes: str) -> tuple[Token, User]:
        token = self._token(params, *scopes)
        assert token is not None
        user = self.server.app.users.get(token.user_id or "")
        if user is None:
            raise Abort(422, {"error": NEEDS_USER})
        return token, user

    def _viewer(self, params: Mapping[str, Any], *scopes: str) -> User | None:
        token = self._token(params, *scopes, required=False)
        return self.server.app.users.get(token.user_id or "") if token else None

    # -- apps ----------------------------------------------------------------------------------
    def h_apps_create(self, params: dict[str, Any]) -> tuple[int, Any, dict[str, str]]:
        app = self.server.app
        name = str(params.get("client_name") or "").strip()
        raw = params.get("redirect_uris")
        uris = raw if isinstance(raw, list) else str(raw or "").split()
        uris = [str(u).strip() for u in uris if str(u).strip()]
        scopes = str(params.get("scopes") or " ".join(DEFAULT_SCOPES)).split()
        problems = []
        if not name:
            problems.append("Application name can't be blank")
        if not uris:
            problems.append("Redirect URI can't be blank")
        elif not all(_valid_redirect_uri(u) for u in uris):
            problems.append("Redirect URI must be an absolute URI.")
        if not set(scopes) <= SERVER_SCOPES:
            problems.append("Scopes doesn't match configured on the server.")
        if problems:
            raise Abort(422, {"error": "Validation failed: " + ", ".join(problems)})
        with app._lock:
            record = App(str(next(app._ids)), name, params.get("website") or None, secrets.token_urlsafe(32),
                         secrets.token_urlsafe(32), uris, scopes)
            app.apps[record.id] = record
        return 200, {
            "id": record.id,
            "name": record.name,
            "website": record.website,
            "scopes": record.scopes,
            "redirect_uri": "\n".join(record.redirect_uris),
            "redirect_uris": record.redirect_uris,
            "vapid_key": "BPlaceholderVapidKeyForTests",
            "client_id": record.client_id,
            "client_secret": record.client_secret,
            "client_secret_expires_at": 0,
        }, {}

    def h_apps_verify(self, params: dict[str, Any]) -> tuple[int, Any, dict[str, str]]:
        token = self._token(params)
        assert token is not None
        record = self.server.app.apps[token.app_id]
        return 200, {"id": record.id, "name": record.name, "website": record.website, "scopes": record.scopes,
                     "redirect_uri": "\n".join(record.redirect_uris), "redirect_uris": record.redirect_uris,
                     "vapid_key": "BPlaceholderVapidKeyForTests"}, {}

    # -- OAuth: authorize ----------------------------------------------------------------------
    def _pre_authorize(self, params: Mapping[str, Any]) -> tuple[App, str, list[str]]:
        """Doorkeeper's PreAuthorization: fatal errors render a page, the others redirect."""
        app = self.server.app
        record = app._app_by_client_id(params.get("client_id"))
        if record is None:
            raise Abort(401, _page("An error has occurred", DK["invalid_client"]))
        redirect_uri = str(params.get("redirect_uri") or "")
        if not redirect_uri and len(record.redirect_uris) == 1:
            redirect_uri = record.redirect_uris[0]
        if not redirect_uri or not any(redirect_uri_matches(redirect_uri, r) for r in record.redirect_uris):
            raise Abort(400, _page("An error has occurred", DK["invalid_redirect_uri"]))
        if params.get("response_type") != "code":
            self._error_redirect(redirect_uri, "unsupported_response_type", params)
        scopes = str(params.get("scope") or " ".join(DEFAULT_SCOPES)).split()
        if not set(scopes) <= set(record.scopes) or not set(scopes) <= SERVER_SCOPES:
            self._error_redirect(redirect_uri, "invalid_scope", params)
        if params.get("code_challenge"):
            method = params.get("code_challenge_method") or "plain"
            if method != "S256":
                self._error_redirect(redirect_uri, "invalid_code_challenge_method", params)
        return record, redirect_uri, scopes

    def _error_redirect(self, redirect_uri: str, error: str, params: Mapping[str, Any]) -> None:
        if redirect_uri == OOB:
            raise Abort(400, _page("An error has occurred", DK[error]))
        query = {"error": error, "error_description": DK[error]}
        if params.get("state"):
            query["state"] = params["state"]
        raise Abort(302, b"", {"Location": _add_query(redirect_uri, query)})

    def _session_user(self) -> User | None:
        app = self.server.app
        cookie = SimpleCookie(self.headers.get("Cookie") or "")
        morsel = cookie.get("_mastodon_session")
        user_id = app._sessions.get(morsel.value) if morsel else None
        return app.users.get(user_id or "")

    def h_authorize_page(self, params: dict[str, Any], error: str = "") -> tuple[int, Any, dict[str, str]]:
        record, redirect_uri, scopes = self._pre_authorize(params)
        user = None if params.get("force_login") in ("true", "1") else self._session_user()
        hidden = "".join(
            f'<input type="hidden" name="{html.escape(k)}" value="{html.escape(str(params[k]))}">'
            for k in ("client_id", "redirect_uri", "state", "response_type", "scope", "code_challenge",
                      "code_challenge_method", "force_login")
            if params.get(k) is not None
        )
        if redirect_uri and not params.get("redirect_uri"):
            hidden += f'<input type="hidden" name="redirect_uri" value="{html.escape(redirect_uri)}">'
        if user is None:
            login = ('<p><label>Username or e-mail <input name="username" autocomplete="username"></label></p>'
                     '<p><label>Password <input name="password" type="password" autocomplete="current-password">'
                     '</label></p>')
        else:
            login = f'<p>Signed in as <strong>@{html.escape(user.username)}</strong>.</p>'
        flash = f'<p class="flash-message alert">{html.escape(error)}</p>' if error else ""
        scope_list = "".join(f"<li><code>{html.escape(s)}</code></li>" for s in scopes)
        body = (
            f"{flash}<p><strong>{html.escape(record.name)}</strong> would like permission to access your "
            f"account on {html.escape(self.server.app.domain)}. It is a third-party application. If you do not "
            f"trust it, then you should not authorize it.</p><p>Review permissions</p><ul>{scope_list}</ul>"
            f'<form method="post" action="/oauth/authorize" id="authorize">{hidden}{login}'
            '<p><button type="submit" name="decision" value="approve">Authorize</button> '
            '<button type="submit" name="decision" value="deny" formnovalidate>Deny</button></p></form>'
        )
        return (401 if error else 200), _page("Authorization required", body, raw=True), {}

    def h_authorize_submit(self, params: dict[str, Any]) -> tuple[int, Any, dict[str, str]]:
        if params.get("decision") == "deny":
            return self.h_authorize_deny(params)
        app = self.server.app
        record, redirect_uri, scopes = self._pre_authorize(params)
        headers: dict[str, str] = {}
        user = None
        if params.get("username") or params.get("password") or params.get("force_login") in ("true", "1"):
            user = app._user_by_login(str(params.get("username") or ""), str(params.get("password") or ""))
            if user is None:
                return self.h_authorize_page(params, error="Invalid username or password.")
            session_id = secrets.token_urlsafe(24)
            with app._lock:
                app._sessions[session_id] = user.id
            headers["Set-Cookie"] = f"_mastodon_session={session_id}; Path=/; HttpOnly; SameSite=Lax"
        else:
            user = self._session_user()
            if user is None:
                return self.h_authorize_page(params, error="You need to sign in before continuing.")
        code = secrets.token_urlsafe(32)
        with app._lock:
            app.grants[code] = Grant(code, record.id, user.id, redirect_uri, scopes, params.get("code_challenge"),
                                     params.get("code_challenge_method"), time.time() + app.code_lifetime)
        if redirect_uri == OOB:
            headers["Location"] = f"/oauth/authorize/native?{urlencode({'code': code})}"
        else:
            query = {"code": code}
            if params.get("state"):
                query["state"] = params["state"]
            headers["Location"] = _add_query(redirect_uri, query)
        return 302, b"", headers

    def h_authorize_deny(self, params: dict[str, Any]) -> tuple[int, Any, dict[str, str]]:
        _, redirect_uri, _ = self._pre_authorize(params)
        self._error_redirect(redirect_uri, "access_denied", params)
        raise AssertionError("unreachable")

    def h_authorize_native(self, params: dict[str, Any]) -> tuple[int, Any, dict[str, str]]:
        code = html.escape(str(params.get("code") or ""))
        body = ("<p>Copy this authorization code and paste it to the application.</p>"
                f'<input class="oauth-code" readonly type="text" value="{code}" aria-label="Authorization code">')
        return 200, _page("Authorization code", body, raw=True), {}

    # -- OAuth: token and revoke ---------------------------------------------------------------
    def _oauth_error(self, error: str, status: int = 400, description: str | None = None) -> Abort:
        return Abort(status, {"error": error, "error_description": description or DK[error]},
                     {"Pragma": "no-cache"})

    def _authenticate_client(self, params: Mapping[str, Any]) -> App:
        client_id, client_secret = self._client_credentials(params)
        record = self.server.app._app_by_client_id(client_id)
        if record is None or not client_secret or not hmac.compare_digest(
            record.client_secret.encode(), str(client_secret).encode()
        ):
            raise self._oauth_error("invalid_client", 401)
        return record

    def h_token(self, params: dict[str, Any]) -> tuple[int, Any, dict[str, str]]:
        app = self.server.app
        grant_type = params.get("grant_type")
        if not grant_type:
            raise self._oauth_error("invalid_request", description="Missing required parameter: grant_type.")
        if grant_type == "authorization_code":
            for name in ("code", "redirect_uri"):
                if not params.get(name):
                    raise self._oauth_error("invalid_request", description=f"Missing required parameter: {name}.")
            record = self._authenticate_client(params)
            with app._lock:
                grant = app.grants.get(str(params["code"]))
                if grant is None or grant.app_id != record.id or grant.used or grant.expires_at < time.time():
                    raise self._oauth_error("invalid_grant")
                if grant.code_challenge:
                    verifier = params.get("code_verifier")
                    if not verifier:
                        raise self._oauth_error("invalid_request",
                                                description="Missing required parameter: code_verifier.")
                    if not _pkce_ok(str(verifier), grant.code_challenge):
                        raise self._oauth_error("invalid_grant")
                if not redirect_uri_matches(str(params["redirect_uri"]), grant.redirect_uri):
                    raise self._oauth_error("invalid_grant")
                grant.used = True
                token = self._issue_token(record, grant.user_id, grant.scopes)
        elif grant_type == "client_credentials":
            record = self._authenticate_client(params)
            scopes = str(params.get("scope") or " ".join(DEFAULT_SCOPES)).split()
            if not set(scopes) <= set(record.scopes):
                raise self._oauth_error("invalid_scope")
            with app._lock:
                token = self._issue_token(record, None, scopes)
        else:
            raise self._oauth_error("unsupported_grant_type")
        return 200, {"access_token": token.token, "token_type": "Bearer", "scope": " ".join(token.scopes),
                     "created_at": token.created_at}, {"Pragma": "no-cache"}

    def _issue_token(self, record: App, user_id: str | None, scopes: list[str]) -> Token:
        app = self.server.app
        if user_id is not None:  # reuse_access_token
            for token in app.tokens.values():
                if (token.app_id, token.user_id, sorted(token.scopes), token.revoked) == (
                    record.id, user_id, sorted(scopes), False
                ):
                    return token
        token = Token(secrets.token_urlsafe(32), record.id, user_id, list(scopes), int(time.time()))
        app.tokens[token.token] = token
        return token

    def h_revoke(self, params: dict[str, Any]) -> tuple[int, Any, dict[str, str]]:
        app = self.server.app
        record = self._authenticate_client(params)
        value = str(params.get("token") or "")
        with app._lock:
            token = app.tokens.get(value)
            if token is None:
                return 200, {}, {}
            if token.app_id != record.id:
                raise self._oauth_error("unauthorized_client", 403, "You are not authorized to revoke this token")
            token.revoked = True
        return 200, {}, {}

    def h_as_metadata(self, params: dict[str, Any]) -> tuple[int, Any, dict[str, str]]:
        return 200, self.server.app.authorization_server_metadata(), {}

    # -- accounts ------------------------------------------------------------------------------
    def h_verify_credentials(self, params: dict[str, Any]) -> tuple[int, Any, dict[str, str]]:
        _, user = self._user_token(params, "profile", "read", "read:accounts")
        return 200, self.server.app.account_json(user, credentials=True), {}

    def h_account_show(self, params: dict[str, Any]) -> tuple[int, Any, dict[str, str]]:
        self._viewer(params, "read", "read:accounts")
        user = self.server.app.users.get(params["id"])
        if user is None:
            raise Abort(404, {"error": NOT_FOUND})
        return 200, self.server.app.account_json(user), {}

    def h_account_lookup(self, params: dict[str, Any]) -> tuple[int, Any, dict[str, str]]:
        self._viewer(params, "read", "read:accounts")
        acct = str(params.get("acct") or "").lstrip("@")
        username, _, domain = acct.partition("@")
        user = self.server.app._user_by_name(username)
        if user is None or (domain and domain.lower() != self.server.app.domain.lower()):
            raise Abort(404, {"error": NOT_FOUND})
        return 200, self.server.app.account_json(user), {}

    def h_account_statuses(self, params: dict[str, Any]) -> tuple[int, Any, dict[str, str]]:
        app = self.server.app
        viewer = self._viewer(params, "read", "read:statuses")
        user = app.users.get(params["id"])
        if user is None:
            raise Abort(404, {"error": NOT_FOUND})
        if params.get("pinned") in ("true", "1") or params.get("only_media") in ("true", "1"):
            return 200, [], {}
        try:
            limit = min(max(int(params.get("limit") or 20), 1), 40)
        except ValueError:
            limit = 20
        with app._lock:
            own = viewer is not None and viewer.id == user.id
            rows = [s for s in app.statuses.values() if s.user_id == user.id
                    and (own or s.visibility in ("public", "unlisted"))]
            if params.get("exclude_replies") in ("true", "1"):
                rows = [s for s in rows if s.in_reply_to_id is None]
            if params.get("max_id"):
                rows = [s for s in rows if int(s.id) < int(params["max_id"])]
            if params.get("since_id"):
                rows = [s for s in rows if int(s.id) > int(params["since_id"])]
            if params.get("min_id"):
                rows = sorted((s for s in rows if int(s.id) > int(params["min_id"])), key=lambda s: int(s.id))[:limit]
            rows = sorted(rows, key=lambda s: int(s.id), reverse=True)[:limit]
            body = [app.status_json(s, viewer) for s in rows]
        headers = {}
        if rows:
            base = f"{app.url}/api/v1/accounts/{user.id}/statuses"
            headers["Link"] = (f'<{base}?{urlencode({"limit": limit, "max_id": rows[-1].id})}>; rel="next", '
                               f'<{base}?{urlencode({"limit": limit, "min_id": rows[0].id})}>; rel="prev"')
        return 200, body, headers

    # -- statuses ------------------------------------------------------------------------------
    def h_status_create(self, params: dict[str, Any]) -> tuple[int, Any, dict[str, str]]:
        app = self.server.app
        token, user = self._user_token(params, "write", "write:statuses")
        key = (self.headers.get("Idempotency-Key") or "").strip()
        with app._lock:  # Mastodon holds a Redis lock on the idempotency key
            now = time.time()
            if key:
                existing = app._idempotency.get((user.id, key))
                if existing is not None and existing[1] > now:
                    status = app.statuses.get(existing[0])
                    if status is None:
                        raise Abort(404, {"error": NOT_FOUND})
                    return 200, app.status_json(status, user), self._rate_headers(user, now)
            text = str(params.get("status") or "")
            spoiler = str(params.get("spoiler_text") or "")
            visibility = str(params.get("visibility") or "public")
            if visibility not in ("public", "unlisted", "private", "direct"):
                raise Abort(422, {"error": f"'{visibility}' is not a valid visibility"})
            in_reply_to = params.get("in_reply_to_id") or None
            if in_reply_to and str(in_reply_to) not in app.statuses:
                raise Abort(404, {"error": "The post you are trying to reply to does not appear to exist."})
            media_ids = params.get("media_ids") or []
            media_ids = [str(m) for m in (media_ids if isinstance(media_ids, list) else [media_ids])]
            if not text.strip() and not media_ids:
                raise Abort(422, {"error": "Validation failed: Text can't be blank"})
            if len(media_ids) > app.max_media_attachments:
                raise Abort(422, {"error": f"Cannot attach more than {app.max_media_attachments} files"})
            missing = [m for m in media_ids if m not in app.media or app.media[m].user_id != user.id
                       or app.media[m].status_id is not None]
            if missing:
                raise Abort(422, {"error": f"Media {', '.join(missing)} not found or already attached to another "
                                           "post"})
            if any(app.media[m].polls_left > 0 for m in media_ids):
                raise Abort(422, {"error": "Cannot attach files that have not finished processing. Try again in a "
                                           "moment!"})
            if self._length(text, spoiler) > app.max_characters:
                raise Abort(422, {"error": f"Validation failed: Text character limit of {app.max_characters} "
                                           "exceeded"})
            recent = [s for s in app.statuses.values()
                      if s.user_id == user.id and s.created_at.timestamp() > now - app.statuses_period]
            if len(recent) >= app.statuses_limit:
                raise Abort(429, {"error": TOO_MANY}, self._rate_headers(user, now))
            language = params.get("language")
            language = str(language) if language and re.fullmatch(r"[a-z]{2,3}", str(language)) else None
            status = Status(app._new_status_id(), user.id, text, spoiler, visibility, language,
                            str(params.get("sensitive")).lower() in ("true", "1"),
                            str(in_reply_to) if in_reply_to else None, token.app_id, _utcnow(), key or None)
            status.media_ids = media_ids
            for media_id in media_ids:
                app.media[media_id].status_id = status.id
            app.statuses[status.id] = status
            if key:
                app._idempotency[(user.id, key)] = (status.id, now + app.idempotency_ttl)
            return 200, app.status_json(status, user), self._rate_headers(user, now)

    # -- media ---------------------------------------------------------------------------------
    def h_media_create(self, params: dict[str, Any]) -> tuple[int, Any, dict[str, str]]:
        app = self.server.app
        _, user = self._user_token(params, "write", "write:media")
        upload = params.get("file")
        if not isinstance(upload, _Upload) or not upload.data:
            raise Abort(400, {"error": "param is missing or the value is empty: file"})
        description = params.get("description")
        description = str(description) if description not in (None, "") else None
        problems = []
        mime = _sniff_image(upload.data)
        if mime is None:
            problems.append("File content type is invalid")
        if len(upload.data) > app.image_size_limit:
            problems.append(f"File file size must be less than {app.image_size_limit // (1024 * 1024)} MB")
        if description is not None and len(description) > app.description_limit:
            problems.append(f"Description is too long (maximum is {app.description_limit} characters)")
        if problems:
            raise Abort(422, {"error": "Validation failed: " + ", ".join(problems)})
        assert mime is not None
        width, height = _image_size(upload.data, mime)
        if width * height > app.image_matrix_limit:
            raise Abort(422, {"error": f"Validation failed: File dimensions {width}x{height} exceed the limit of "
                                       f"{app.image_matrix_limit} pixels"})
        with app._lock:
            media = Media(str(next(app._ids) + 200000), user.id, mime, upload.data, width, height, description,
                          app.media_processing_polls)
            app.media[media.id] = media
            return (202 if media.polls_left > 0 else 200), app.media_json(media), {}

    def h_media_show(self, params: dict[str, Any]) -> tuple[int, Any, dict[str, str]]:
        app = self.server.app
        _, user = self._user_token(params, "read", "read:statuses", "write", "write:media")
        with app._lock:
            media = app.media.get(str(params["id"]))
            if media is None or media.user_id != user.id:
                raise Abort(404, {"error": NOT_FOUND})
            if media.polls_left > 0:
                media.polls_left -= 1
                return 206, app.media_json(media), {}
            return 200, app.media_json(media), {}

    def _rate_headers(self, user: User, now: float) -> dict[str, str]:
        app = self.server.app
        recent = [s for s in app.statuses.values()
                  if s.user_id == user.id and s.created_at.timestamp() > now - app.statuses_period]
        oldest = min((s.created_at.timestamp() for s in recent), default=now)
        return {"X-RateLimit-Limit": str(app.statuses_limit),
                "X-RateLimit-Remaining": str(max(app.statuses_limit - len(recent), 0)),
                "X-RateLimit-Reset": _iso_reset(oldest + app.statuses_period)}

    def _length(self, text: str, spoiler: str) -> int:
        """StatusLengthValidator: graphemes of spoiler + text, URLs as N characters, @user@domain as @user."""
        if not text.strip():
            text = ""
        reserved = "x" * self.server.app.characters_reserved_per_url
        pieces, position = [], 0
        for start, end in _urls(text):
            pieces.append(text[position:start])
            pieces.append(reserved)
            position = end
        pieces.append(text[position:])
        countable = _MENTION_RE.sub(lambda m: "@" + m.group(1), "".join(pieces))
        return grapheme_count(spoiler + countable)

    def _visible_status(self, params: Mapping[str, Any]) -> tuple[Status, User | None]:
        app = self.server.app
        viewer = self._viewer(params, "read", "read:statuses")
        status = app.statuses.get(str(params["id"]))
        if status is None or (status.visibility in ("private", "direct")
                              and (viewer is None or viewer.id != status.user_id)):
            raise Abort(404, {"error": NOT_FOUND})
        return status, viewer

    def h_status_show(self, params: dict[str, Any]) -> tuple[int, Any, dict[str, str]]:
        with self.server.app._lock:
            status, viewer = self._visible_status(params)
            return 200, self.server.app.status_json(status, viewer), {}

    def h_status_source(self, params: dict[str, Any]) -> tuple[int, Any, dict[str, str]]:
        _, user = self._user_token(params, "read", "read:statuses")
        status = self.server.app.statuses.get(str(params["id"]))
        if status is None or status.user_id != user.id:
            raise Abort(404, {"error": NOT_FOUND})
        return 200, {"id": status.id, "text": status.text, "spoiler_text": status.spoiler_text}, {}

    def h_status_delete(self, params: dict[str, Any]) -> tuple[int, Any, dict[str, str]]:
        app = self.server.app
        _, user = self._user_token(params, "write", "write:statuses")
        with app._lock:
            status = app.statuses.get(str(params["id"]))
            if status is None or status.user_id != user.id:
                raise Abort(404, {"error": NOT_FOUND})
            body = app.status_json(status, user)
            body["text"] = status.text
            del app.statuses[status.id]
        return 200, body, {}

    # -- instance and pages --------------------------------------------------------------------
    def h_instance_v2(self, params: dict[str, Any]) -> tuple[int, Any, dict[str, str]]:
        return 200, self.server.app.instance_v2(), {}

    def h_instance_v1(self, params: dict[str, Any]) -> tuple[int, Any, dict[str, str]]:
        return 200, self.server.app.instance_v1(), {}

    def h_profile_page(self, params: dict[str, Any]) -> tuple[int, Any, dict[str, str]]:
        app = self.server.app
        user = app._user_by_name(params["username"])
        if user is None:
            raise Abort(404, _page("The page you are looking for isn't here.", ""))
        with app._lock:
            rows = sorted((s for s in app.statuses.values() if s.user_id == user.id and s.visibility == "public"),
                          key=lambda s: int(s.id), reverse=True)[:40]
            items = "".join(f'<article>{app.render_content(s.text)}<p><a href="/@{user.username}/{s.id}">'
                            f"{_iso(s.created_at)}</a></p></article>" for s in rows)
        return 200, _page(f"{user.display_name} (@{user.username}@{app.domain})", items, raw=True), {}

    def h_status_page(self, params: dict[str, Any]) -> tuple[int, Any, dict[str, str]]:
        app = self.server.app
        status = app.statuses.get(params["id"])
        user = app._user_by_name(params["username"])
        if status is None or user is None or status.user_id != user.id or status.visibility not in ("public",
                                                                                                     "unlisted"):
            raise Abort(404, _page("The page you are looking for isn't here.", ""))
        body = f"<article>{app.render_content(status.text)}<p>{_iso(status.created_at)}</p></article>"
        return 200, _page(f"{user.display_name}: post", body, raw=True), {}

    def h_avatar(self, params: dict[str, Any]) -> tuple[int, Any, dict[str, str]]:
        digest = hashlib.sha256(params["username"].encode()).digest()
        return 200, _png(48, 48, digest[:3]), {"Content-Type": "image/png"}


# ---------------------------------------------------------------------------------------------
# Small pure helpers
# ---------------------------------------------------------------------------------------------
@dataclass
class _Upload:
    filename: str
    content_type: str
    data: bytes = field(repr=False)


def _multipart(content_type: str, body: bytes) -> list[tuple[str, Any]]:
    """The fields of a multipart/form-data body: text values, and files as :class:`_Upload`."""
    message = BytesParser(policy=email.policy.HTTP).parsebytes(
        b"Content-Type: " + content_type.encode("latin-1") + b"\r\n\r\n" + body)
    if not message.is_multipart():
        raise Abort(400, {"error": "Error occurred while parsing request parameters"})
    fields: list[tuple[str, Any]] = []
    for part in message.iter_parts():
        name = part.get_param("name", header="content-disposition")
        if not isinstance(name, str):
            continue
        payload = part.get_payload(decode=True)
        data = payload if isinstance(payload, bytes) else b""
        filename = part.get_filename()
        if filename is not None:
            fields.append((name, _Upload(filename, part.get_content_type(), data)))
        else:
            fields.append((name, data.decode(part.get_content_charset() or "utf-8", "replace")))
    return fields


def _sniff_image(data: bytes) -> str | None:
    """The image type from the file's own bytes, as Mastodon detects it (never the declared type)."""
    if data.startswith(b"\xff\xd8\xff"):
        return "image/jpeg"
    if data.startswith(b"\x89PNG\r\n\x1a\n"):
        return "image/png"
    if data[:6] in (b"GIF87a", b"GIF89a"):
        return "image/gif"
    if data[:4] == b"RIFF" and data[8:12] == b"WEBP":
        return "image/webp"
    return None


def _image_size(data: bytes, mime: str) -> tuple[int, int]:
    """Width and height read from the image header (PNG IHDR, GIF screen, JPEG SOFn, WebP VP8/VP8L/VP8X)."""
    if mime == "image/png":
        return struct.unpack(">II", data[16:24])
    if mime == "image/gif":
        return struct.unpack("<HH", data[6:10])
    if mime == "image/webp":
        chunk = data[12:16]
        if chunk == b"VP8X":
            return (int.from_bytes(data[24:27], "little") + 1, int.from_bytes(data[27:30], "little") + 1)
        if chunk == b"VP8L":
            bits = int.from_bytes(data[21:25], "little")
            return (bits & 0x3FFF) + 1, ((bits >> 14) & 0x3FFF) + 1
        width, height = struct.unpack("<HH", data[26:30])
        return width & 0x3FFF, height & 0x3FFF
    position = 2
    while position + 9 < len(data):
        if data[position] != 0xFF:
            break
        marker = data[position + 1]
        length = struct.unpack(">H", data[position + 2:position + 4])[0]
        if marker in (0xC0, 0xC1, 0xC2, 0xC3, 0xC5, 0xC6, 0xC7, 0xC9, 0xCA, 0xCB, 0xCD, 0xCE, 0xCF):
            height, width = struct.unpack(">HH", data[position + 5:position + 9])
            return width, height
        position += 2 + length
    raise Abort(422, {"error": "Validation failed: File could not be processed"})


def _pkce_ok(verifier: str, challenge: str) -> bool:
    if not re.fullmatch(r"[A-Za-z0-9\-._~]{43,128}", verifier):
        return False
    computed = base64.urlsafe_b64encode(hashlib.sha256(verifier.encode("ascii")).digest()).rstrip(b"=").decode()
    return hmac.compare_digest(computed, challenge)


def _add_query(uri: str, extra: Mapping[str, str]) -> str:
    parts = urlsplit(uri)
    query = parse_qsl(parts.query, keep_blank_values=True) + list(extra.items())
    return urlunsplit((parts.scheme, parts.netloc, parts.path, urlencode(query), parts.fragment))


def _iso_reset(epoch: float) -> str:
    """rack_attack.rb: ``(now + …).iso8601(6)``, e.g. 2026-11-23T05:30:00.000000Z."""
    return datetime.fromtimestamp(epoch, UTC).isoformat(timespec="microseconds").replace("+00:00", "Z")


def _retry_after_value(seconds: float) -> str:
    return str(max(int(round(seconds)), 0))


def _page(title: str, body: str, *, raw: bool = False) -> str:
    content = body if raw else f"<p>{html.escape(body)}</p>"
    return ('<!doctype html><html lang="en"><head><meta charset="utf-8">'
            f"<title>{html.escape(title)}</title></head><body><h1>{html.escape(title)}</h1>{content}</body></html>")


def _error_page(status: int) -> str:
    """What a proxy or Rails' public/500.html sends: HTML, not the API's JSON."""
    return _page("We're sorry, but something went wrong", f"HTTP {status}. We're sorry, but something went wrong.")


def _png(width: int, height: int, rgb: bytes) -> bytes:
    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)

    raw = b"".join(b"\x00" + rgb * width for _ in range(height))
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0))
            + chunk(b"IDAT", zlib.compress(raw)) + chunk(b"IEND", b""))


# ---------------------------------------------------------------------------------------------
# Command line: python -m tests.servers.mastodon_server --port 3000
# ---------------------------------------------------------------------------------------------
def _parse_user(value: str) -> tuple[str, str]:
    username, sep, password = value.partition(":")
    if not sep or not re.fullmatch(r"[A-Za-z0-9_]+", username) or not password:
        raise argparse.ArgumentTypeError("expected USER:PASSWORD (user name of letters, digits and _)")
    return username, password


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m tests.servers.mastodon_server",
                                     description="A local Mastodon-API server for Chorus tests and training.")
    parser.add_argument("--host", default="127.0.0.1", help="address to listen on (default 127.0.0.1)")
    parser.add_argument("--port", type=int, default=0, help="port (default: a free one)")
    parser.add_argument("--domain", help="the instance's domain in handles (default HOST:PORT)")
    parser.add_argument("--title", default="Chorus sandbox Mastodon")
    parser.add_argument("--user", action="append", type=_parse_user, metavar="USER:PASSWORD",
                        help="an account (repeatable; default alice:alice-password)")
    parser.add_argument("--max-characters", type=int, default=500)
    parser.add_argument("--characters-reserved-per-url", type=int, default=23)
    parser.add_argument("--quiet", action="store_true", help="do not print one line per request")
    args = parser.parse_args(argv)

    users = dict(args.user) if args.user else dict(DEFAULT_USERS)
    server = MastodonTestServer(
        args.host, args.port, users=users, domain=args.domain, title=args.title,
        max_characters=args.max_characters, characters_reserved_per_url=args.characters_reserved_per_url,
        log=None if args.quiet else (lambda line: print(line, flush=True)),
    )
    server.start()
    print(f"Mastodon test server on {server.url} (users: {', '.join(users)}); Ctrl+C stops it", flush=True)
    stop = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: stop.set())
    try:
        while not stop.wait(0.5):
            pass
    except KeyboardInterrupt:
        pass
    finally:
        server.stop()
    return 0


if __name__ == "__main__":
    sys.exit(main())
