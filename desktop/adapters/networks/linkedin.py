"""LinkedIn: link a member with OAuth 2 (3-legged, loopback redirect), publish with the Posts API.

    config = LinkedInConfig.from_settings(settings.get)          # what IT manages
    client = LinkedInClient(config)
    account, token = client.link_with_browser(webbrowser.open, client_secret=secret_or_None)
    published = client.publish(account, token, Post(text, idempotency_key=key, first_attempt_at=t0))

Facts and sources: ../shared/networks.md §3, LinkedIn's documentation on learn.microsoft.com
(authorization-code-flow, sign-in-with-linkedin-v2 ``/v2/userinfo``, posts-api, little-text-format,
versioning) and the official ``linkedin-developers/linkedin-api-python-client`` (header names,
Rest.li query encoding, ``x-restli-id``). What is only *observed* (reported by API users, not
documented) is marked so below.

**What IT sets up.** One LinkedIn app for the organisation (Developer Portal) with the products
"Share on LinkedIn" (``w_member_social``) and "Sign In with LinkedIn using OpenID Connect"
(``openid profile``). LinkedIn compares the redirect URL with the app's *Authorized redirect URLs*
exactly, port included, so IT registers ``http://127.0.0.1:<port>/callback`` with the port of the
setting ``linkedin.redirect_port`` (default :data:`DEFAULT_REDIRECT_PORT`) and manages
``linkedin.client_id``. The client secret must not ship with a desktop app and is never a
setting. Either:

* ``linkedin.token_exchange_url``: a small company service that holds the secret. Chorus POSTs it
  the same form it would send LinkedIn's token endpoint *minus* ``client_secret``
  (``grant_type=authorization_code``, ``code``, ``redirect_uri``, ``client_id``); the service adds
  the secret, calls ``https://www.linkedin.com/oauth/v2/accessToken`` and returns LinkedIn's JSON
  answer (success or error) unchanged. It should accept only the company's client id and
  registered redirect URL, and be reachable only from the company network; or
* the secret in each computer's OS keyring under :func:`client_secret_key` (service ``Chorus``),
  put there by IT's deployment script or the user (``keyring set Chorus app:linkedin:<client id>``).

(LinkedIn also has a PKCE flow without a secret for native apps, on any loopback port, but only
for apps it enables on request; its details are not public, so it is not implemented.)

**Linking** (:meth:`LinkedInClient.link_with_browser`): a one-shot listener on
``127.0.0.1:<port>`` (:class:`desktop.adapters.oauth.LoopbackListener`), the browser sent to
``/oauth/v2/authorization`` with ``response_type=code``, the scopes, and a random ``state``
checked in constant time; the code exchanged at ``/oauth/v2/accessToken`` (or the company
service); the member read from ``GET /v2/userinfo`` (OpenID Connect: ``sub`` → member URN
``urn:li:person:<sub>``, ``name``, ``picture``). Access tokens last 60 days (``expires_in``
5,184,000 s) and ordinary apps get no refresh token, so :attr:`Account.expires_at` carries the end
and the account list warns before it and offers re-linking. The secret Chorus keeps (keyring) is
the access token alone.

**Publishing** (:meth:`LinkedInClient.publish`): ``POST /rest/posts`` with ``LinkedIn-Version``
(``linkedin.api_version``, YYYYMM) and ``X-Restli-Protocol-Version: 2.0.0``, the documented body
(author, commentary, ``visibility`` PUBLIC, ``distribution`` MAIN_FEED, ``lifecycleState``
PUBLISHED, ``isReshareDisabledByAuthor`` false) → ``201`` with the post URN in ``x-restli-id``;
the post is at ``https://www.linkedin.com/feed/update/<urn>/``. ``commentary`` is LinkedIn's
"little" text format, whose reserved characters ``\\ | { } @ [ ] ( ) < > # * _ ~`` must be
backslash-escaped or LinkedIn silently cuts the post there (:func:`escape_little_text`; hashtags
become the documented ``{hashtag|\\#|tag}`` template so they stay hashtags).

**Exactly once.** LinkedIn has no idempotency key. After an ambiguous failure (5xx, a timeout or
a dropped connection after the request went out) the next ``publish`` of the same post looks for
it first (:meth:`find_published`): the documented finder ``GET /rest/posts?author=<urn>&q=author``
lists the member's posts, matched by commentary and ``createdAt >= post.first_attempt_at``. That
finder needs ``r_member_social``, which LinkedIn grants to approved partners only
(``linkedin.read_own_posts``). Without it LinkedIn refuses the lookup (403), and Chorus does not
send again on a guess: it raises :class:`PublishUnconfirmed` ("may have been posted — check your
LinkedIn activity"), and the person marks it as posted or sends it as a new post. As a second
net, LinkedIn refuses a post whose text repeats a recent one of the same member with ``422
DUPLICATE_POST`` naming the existing post ("Content is a duplicate of urn:li:share:…"; observed,
not documented): on a retry that answer means the earlier attempt arrived, so it is returned as
the published post.

Which calls need a look: this client remembers, per idempotency key, how its own attempts ended
(while it runs). It looks before sending when one of them was ambiguous, or when it did not see the
first attempt (``post.first_attempt_at`` more than :data:`FIRST_ATTEMPT_GRACE_S` ago: Chorus was
restarted since). When every attempt it made was refused for certain (a 429, a 4xx, no
connection), :meth:`find_published` answers None without asking LinkedIn, so retrying after a
rate limit never needs ``r_member_social``.

**Errors.** 401 → :class:`AuthError` (expired or revoked: link again); 429 →
:class:`RateLimited` (``Retry-After`` when sent; LinkedIn's daily limits reset at 00:00 UTC);
426 ``NONEXISTENT_VERSION`` → a refusal naming the setting IT must update; 5xx, timeouts and
dropped connections after sending → ``PublishError(ambiguous=True)``; no connection at all (refused,
unknown host) → :class:`Offline` (the service queues the post). LinkedIn error bodies are ``{"status": …, "message": …}`` (plus ``serviceErrorCode``,
``code``); OAuth errors ``{"error": …, "error_description": …}``. No token, code or secret is
logged or put in an exception message. Every request goes through
:func:`desktop.adapters.http.fetch`: https only (plain http to this computer only, and only with
``allow_http``), no redirect ever followed (the code, the client secret and the token stay with the
host they are meant for), answers capped, and a total deadline per exchange.
"""

from __future__ import annotations

import calendar
import dataclasses
import errno
import logging
import re
import threading
import time
import unicodedata
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone
from email.utils import parsedate_to_datetime
from typing import Any
from urllib.parse import quote, unquote, urlencode, urlsplit

import requests

from desktop.adapters.http import (
    DEFAULT_DEADLINE_S,
    DEFAULT_TIMEOUT,
    MAX_JSON_BYTES,
    InsecureAddress,
    clip,
    fetch,
    host_of,
    human_duration,
    json_or_none,
    make_session,
    require_https,
)
from desktop.adapters.oauth import LoopbackCancelled, LoopbackListener, LoopbackTimeout, new_state
from desktop.core.accounts.secrets import app_secret_key
from desktop.core.logs import register_secret
from desktop.core.publishing import (
    Account,
    AuthError,
    Post,
    Published,
    PublishError,
    PublishUnconfirmed,
    RateLimited,
    SecretSink,
)

log = logging.getLogger(__name__)

NETWORK = "linkedin"
API_BASE = "https://api.linkedin.com"
AUTHORIZATION_URL = "https://www.linkedin.com/oauth/v2/authorization"
TOKEN_URL = "https://www.linkedin.com/oauth/v2/accessToken"
POST_URL = "https://www.linkedin.com/feed/update/{urn}/"
ACTIVITY_URL = "https://www.linkedin.com/in/me/recent-activity/all/"  # the member's own posts, for people
SCOPES = ("openid", "profile", "w_member_social")
READ_POSTS_SCOPE = "r_member_social"  # partner-only: lets find_published list the member's posts
DEFAULT_API_VERSION = "202609"  # the newest version in 2026-11 (networks.md §3b); each lives about a year
DEFAULT_REDIRECT_PORT = 47319
REDIRECT_PATH = "/callback"
RESTLI_PROTOCOL_VERSION = "2.0.0"
MAX_COMMENTARY = 3000  # UTF-16 code units (desktop.core.counters)
TOKEN_LIFETIME_S = 60 * 24 * 3600.0  # when the token answer has no expires_in
LINK_TIMEOUT_S = 300.0
FIRST_ATTEMPT_GRACE_S = 30.0  # an unknown key whose first attempt is older than this may have been sent
CLOCK_SLACK_S = 300.0  # our clock against LinkedIn's, when comparing createdAt with first_attempt_at
FIND_WINDOW_S = 24 * 3600.0  # find_published without first_attempt_at
FIND_PAGE_SIZE = 10
FIND_MAX_PAGES = 5
DEFAULT_RETRY_AFTER_S = 60.0
MAX_RETRY_AFTER_S = 24 * 3600.0
VERSION_LIFETIME_MONTHS = 12  # LinkedIn sunsets a version about a year after its release

_VERSION_RE = re.compile(r"^(\d{4})(\d{2})(?:\.(\d{2}))?$")
_PERSON_URN_RE = re.compile(r"^urn:li:person:[A-Za-z0-9_-]+$")
_POST_URN_RE = re.compile(r"^urn:li:(?:share|ugcPost):\d+$")
_DUPLICATE_RE = re.compile(r"duplicate of (urn:li:(?:share|ugcPost):\d+)")


def client_secret_key(client_id: str) -> str:
    """The keyring entry (service ``Chorus``) holding the LinkedIn app's client secret, when IT
    does not run a token-exchange service."""
    return app_secret_key(NETWORK, client_id)


class LinkCancelled(PublishError):
    """The user cancelled linking while Chorus waited for the browser."""

    def __init__(self) -> None:
        super().__init__("Linking was cancelled.", retryable=True)


class NotConfigured(PublishError):
    """LinkedIn is not set up on this computer (no client id, no secret and no exchange service)."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason, retryable=False)


# ---------------------------------------------------------------------------------------------
# Configuration (from the settings IT manages)
# ---------------------------------------------------------------------------------------------
@dataclass(frozen=True)
class LinkedInConfig:
    client_id: str = ""
    token_exchange_url: str = ""  # the company service that holds the client secret
    api_version: str = DEFAULT_API_VERSION
    redirect_port: int = DEFAULT_REDIRECT_PORT  # 0: a random port (only if LinkedIn accepts any)
    read_own_posts: bool = False  # ask for r_member_social (partner-approved apps only)
    # LinkedIn's addresses; tests point them at a local server.
    authorization_url: str = AUTHORIZATION_URL
    token_url: str = TOKEN_URL
    api_base: str = API_BASE

    @classmethod
    def from_settings(cls, get: Callable[[str], Any], **endpoints: str) -> LinkedInConfig:
        """From :class:`desktop.core.settings.Settings` (``settings.get``); *endpoints* for tests."""
        return cls(
            client_id=str(get("linkedin.client_id") or "").strip(),
            token_exchange_url=str(get("linkedin.token_exchange_url") or "").strip(),
            api_version=str(get("linkedin.api_version") or DEFAULT_API_VERSION).strip(),
            redirect_port=int(get("linkedin.redirect_port")),
            read_own_posts=bool(get("linkedin.read_own_posts")),
            **endpoints,
        )

    @property
    def scopes(self) -> tuple[str, ...]:
        return SCOPES + ((READ_POSTS_SCOPE,) if self.read_own_posts else ())

    @property
    def redirect_uri_to_register(self) -> str:
        """What IT registers on the LinkedIn app (with a fixed port)."""
        return f"http://127.0.0.1:{self.redirect_port or '<any port>'}{REDIRECT_PATH}"

    def problems(self) -> list[str]:
        """Sentences for people (IT) about what is wrong with this configuration; empty when fine."""
        found: list[str] = []
        if not self.client_id:
            found.append("No LinkedIn app is set up: IT must set linkedin.client_id.")
        if not _VERSION_RE.match(self.api_version) or not 1 <= int(self.api_version[4:6]) <= 12:
            found.append(f"linkedin.api_version must be a LinkedIn API version like {DEFAULT_API_VERSION} "
                         f"(YYYYMM), not {self.api_version!r}.")
        if not 0 <= self.redirect_port <= 65535:
            found.append("linkedin.redirect_port must be 0 or a port number up to 65535.")
        if self.token_exchange_url and not _secure_or_local(self.token_exchange_url):
            found.append("linkedin.token_exchange_url must be an https:// address.")
        return found


def version_warning(version: str, now: float | None = None) -> str | None:
    """A sentence when *version* (YYYYMM) is near or past LinkedIn's roughly one-year support, for
    the settings page and the log; None while it is current."""
    match = _VERSION_RE.match(version or "")
    if not match:
        return f"{version!r} is not a LinkedIn API version (YYYYMM)."
    today = datetime.fromtimestamp(time.time() if now is None else now, timezone.utc)
    age = (today.year - int(match.group(1))) * 12 + today.month - int(match.group(2))
    if age >= VERSION_LIFETIME_MONTHS:
        return (f"LinkedIn API version {version} is about {age} months old; LinkedIn retires versions after "
                "about a year. Ask IT to set linkedin.api_version to a current version.")
    if age >= VERSION_LIFETIME_MONTHS - 2:
        return (f"LinkedIn API version {version} will soon be retired (LinkedIn keeps versions about a year). "
                "Ask IT to move linkedin.api_version to a newer version.")
    return None


# ---------------------------------------------------------------------------------------------
# LinkedIn's "little" text format
# ---------------------------------------------------------------------------------------------
#: Characters the little text format reserves; each must be escaped with a backslash to be text
#: (learn.microsoft.com …/little-text-format, "Text": ``| { } @ [ ] ( ) < > # \\ * _ ~``).
RESERVED = frozenset("\\|{}@[]()<>#*_~")
_URL_RE = re.compile(r"(?i)\bhttps?://[^\s<>\"]+")
# "#tag": not inside a word (C#) or after & or /, letters and digits with at least one letter, and
# not followed by more word characters (an underscore would make the tag's end ambiguous).
_HASHTAG_RE = re.compile(r"(?<![\w#&/])#([^\W_]*[^\W\d_][^\W_]*)(?!\w)")
_LITTLE_TOKEN_RE = re.compile(
    r"\\(?P<escaped>.)"
    r"|\{hashtag\|\\#\|(?P<tag>[^{}|\\]*)\}"
    r"|@\[(?P<name>(?:\\.|[^\]\\])*)\]\((?P<urn>urn:li:[^()\s]+)\)",
    re.DOTALL,
)


def _escape_plain(text: str) -> str:
    return "".join("\\" + ch if ch in RESERVED else ch for ch in text)


def escape_little_text(text: str, *, hashtags: bool = True) -> str:
    """*text* as LinkedIn ``commentary``: every reserved character escaped, so nothing is cut.

    With *hashtags*, ``#word`` outside links becomes ``{hashtag|\\#|word}`` (LinkedIn's hashtag
    template) and stays a clickable hashtag; the text people see is the same either way. Links are
    escaped like any text (an unescaped ``_`` or ``(`` in a URL would cut the post too)."""
    out: list[str] = []
    position = 0
    for url in _URL_RE.finditer(text):
        out.append(_escape_words(text[position:url.start()], hashtags))
        out.append(_escape_plain(url.group()))
        position = url.end()
    out.append(_escape_words(text[position:], hashtags))
    return "".join(out)


def _escape_words(text: str, hashtags: bool) -> str:
    if not hashtags:
        return _escape_plain(text)
    out: list[str] = []
    position = 0
    for tag in _HASHTAG_RE.finditer(text):
        out.append(_escape_plain(text[position:tag.start()]))
        out.append("{hashtag|\\#|" + tag.group(1) + "}")
        position = tag.end()
    out.append(_escape_plain(text[position:]))
    return "".join(out)


def unescape_little_text(little: str) -> str:
    """The text people see for a ``commentary`` value: escapes undone, hashtag templates as
    ``#tag``, mentions ``@[Name](urn:li:…)`` as ``Name``. Lenient: anything else stays as it is."""

    def replace(match: re.Match[str]) -> str:
        if match.group("escaped") is not None:
            return match.group("escaped")
        if match.group("tag") is not None:
            return "#" + match.group("tag")
        return re.sub(r"\\(.)", r"\1", match.group("name"))

    return _LITTLE_TOKEN_RE.sub(replace, little)


def _comparable(text: str) -> str:
    """What must survive LinkedIn's storage: NFC, line endings and white-space runs aside."""
    return " ".join(unicodedata.normalize("NFC", text).split())


def _utf16_length(text: str) -> int:
    return len(text.encode("utf-16-le")) // 2


def post_url(urn: str) -> str:
    return POST_URL.format(urn=urn)


# ---------------------------------------------------------------------------------------------
# The client
# ---------------------------------------------------------------------------------------------
@dataclass(frozen=True)
class TokenGrant:
    access_token: str = field(repr=False)
    expires_at: float
    scopes: frozenset[str]


@dataclass
class _History:
    """What this client knows about the attempts with one idempotency key."""

    complete: bool  # it saw the first attempt: nothing earlier can have reached LinkedIn
    uncertain: bool = False  # an attempt may have reached LinkedIn and nobody has looked since
    maybe_sent: bool = False  # some attempt may ever have reached LinkedIn
    published: Published | None = None

    @property
    def surely_unsent(self) -> bool:
        return self.complete and not self.maybe_sent and self.published is None


class LinkedInClient:
    """NetworkClient for LinkedIn, plus account linking. Blocking: call it from a worker thread."""

    network = NETWORK

    def __init__(self, config: LinkedInConfig, session: requests.Session | None = None, *,
                 timeout: tuple[float, float] = DEFAULT_TIMEOUT, clock: Callable[[], float] = time.time,
                 allow_http: bool = False, deadline: float = DEFAULT_DEADLINE_S,
                 max_bytes: int = MAX_JSON_BYTES) -> None:
        self.config = config
        warning = version_warning(config.api_version, clock())
        if warning:
            log.warning("%s", warning)
        self.http = session or make_session(timeout)
        self.timeout = timeout
        self.clock = clock
        self.allow_http = allow_http  # plain http endpoints on this computer (tests, a training sandbox)
        self.deadline = deadline  # seconds for one whole exchange with a server
        self.max_bytes = max_bytes  # the largest answer read from a server
        self._history: dict[str, _History] = {}  # idempotency key → what this client saw of it
        self._history_lock = threading.Lock()

    # -- linking -------------------------------------------------------------------------------
    def authorization_url(self, redirect_uri: str, state: str) -> str:
        query = urlencode({
            "response_type": "code",
            "client_id": self.config.client_id,
            "redirect_uri": redirect_uri,
            "state": state,
            "scope": " ".join(self.config.scopes),
        }, quote_via=quote)
        return f"{self._endpoint(self.config.authorization_url)}?{query}"

    def check_ready(self, client_secret: str | None = None) -> None:
        """Raise :class:`NotConfigured` with what IT must do when linking cannot work here."""
        problems = self.config.problems()
        if not self.config.token_exchange_url and not client_secret:
            key = client_secret_key(self.config.client_id or "<client id>")
            problems.append("LinkedIn needs the app's client secret: IT must set linkedin.token_exchange_url "
                            f"or store the secret in this computer's keyring (“{key}”).")
        if problems:
            raise NotConfigured(" ".join(problems))

    def link_with_browser(self, open_browser: Callable[[str], object], *, client_secret: str | None = None,
                          timeout: float = LINK_TIMEOUT_S, cancel: threading.Event | None = None
                          ) -> tuple[Account, str]:
        """Authorize in the browser with a loopback redirect; returns the account and its token.

        *open_browser(url)* opens LinkedIn's authorization page; returning ``False`` means it
        could not. *client_secret* is the app's secret from the keyring, or None when a
        token-exchange service is configured. Waits up to *timeout* seconds for the browser, or
        until *cancel* is set (:class:`LinkCancelled`)."""
        self.check_ready(client_secret)
        if client_secret:
            register_secret(client_secret)
        state = new_state()
        listener = LoopbackListener(state, REDIRECT_PATH, port=self.config.redirect_port)
        try:
            listener.start()
        except OSError as exc:
            listener.close()
            raise PublishError(_port_problem(exc, self.config.redirect_port), retryable=True) from None
        with listener:
            redirect_uri = listener.redirect_uri
            url = self.authorization_url(redirect_uri, state)
            try:
                opened = open_browser(url)
            except Exception as exc:
                raise PublishError(f"Chorus could not open your web browser ({type(exc).__name__}).",
                                   retryable=True) from None
            if opened is False:
                raise PublishError("Chorus could not open your web browser.", retryable=True)
            log.info("Waiting up to %.0f s for the browser to authorize Chorus on LinkedIn", timeout)
            try:
                params = listener.wait(timeout, cancel)
            except LoopbackCancelled:
                raise LinkCancelled() from None
            except LoopbackTimeout:
                raise PublishError(f"No answer from the browser within {human_duration(timeout)}. Try again. If LinkedIn "
                                   "showed an error about the redirect URL, IT must register "
                                   f"{self.config.redirect_uri_to_register} on the LinkedIn app.",
                                   retryable=True) from None
        code = _code_from_redirect(params)
        grant = self.exchange_code(code, redirect_uri, client_secret)
        account = self.account_for_token(grant.access_token, grant.expires_at)
        log.info("Linked LinkedIn account %s", account.remote_id)
        return account, grant.access_token

    def exchange_code(self, code: str, redirect_uri: str, client_secret: str | None = None) -> TokenGrant:
        """The authorization code for an access token: at LinkedIn with the client secret, or at
        the company's token-exchange service, which adds the secret itself."""
        register_secret(code)
        data = {"grant_type": "authorization_code", "code": code, "redirect_uri": redirect_uri,
                "client_id": self.config.client_id}
        self.check_ready(client_secret)
        if self.config.token_exchange_url:
            url, where = self._endpoint(self.config.token_exchange_url), "your organisation's LinkedIn sign-in service"
        else:
            url, where = self._endpoint(self.config.token_url), "LinkedIn"
            data["client_secret"] = str(client_secret)
        started = self.clock()
        response = fetch(self.http, "POST", url, data=data, headers={"Accept": "application/json"},
                         timeout=self.timeout, where=where, what="signing in", deadline=self.deadline,
                         max_bytes=self.max_bytes)
        answer = json_or_none(response)
        if not response.ok:
            error, description = "", ""
            if isinstance(answer, dict):
                error, description = str(answer.get("error") or ""), str(answer.get("error_description") or "")
            raise _token_error(response.status_code, error, description, where, self.config)
        if not isinstance(answer, dict):
            raise PublishError(f"{where} sent an answer Chorus does not understand while signing in.", retryable=True)
        token = answer.get("access_token")
        if not isinstance(token, str) or not token:
            raise PublishError(f"{where} signed Chorus in but sent no access token.", retryable=True)
        register_secret(token)
        for other in ("refresh_token", "id_token"):
            register_secret(answer.get(other) if isinstance(answer.get(other), str) else None)
        lifetime = answer.get("expires_in")
        if not isinstance(lifetime, (int, float)) or isinstance(lifetime, bool) or lifetime <= 0:
            log.warning("LinkedIn's token answer has no expires_in; assuming 60 days")
            lifetime = TOKEN_LIFETIME_S
        scope = answer.get("scope")
        granted = frozenset(re.split(r"[\s,]+", scope.strip())) - {""} if isinstance(scope, str) else frozenset()
        if granted and "w_member_social" not in granted:
            raise AuthError("LinkedIn did not allow Chorus to post for you (granted: "
                            f"{', '.join(sorted(granted))}). Ask IT to add “Share on LinkedIn” to the app.")
        return TokenGrant(token, started + float(lifetime), granted)

    def account_for_token(self, token: str, expires_at: float | None = None) -> Account:
        """The member the token belongs to, from ``GET /v2/userinfo`` (OpenID Connect)."""
        response = self._call("GET", "/v2/userinfo", token=token, what="reading your LinkedIn profile")
        data = _json_object(response, "reading your LinkedIn profile")
        sub = data.get("sub")
        if not isinstance(sub, str) or not re.fullmatch(r"[A-Za-z0-9_-]+", sub):
            raise PublishError("LinkedIn sent a profile without a member id.", retryable=True)
        name = str(data.get("name") or " ".join(str(data.get(k) or "") for k in ("given_name", "family_name"))).strip()
        picture = data.get("picture")
        return Account(
            id=f"linkedin:{sub}",
            network=NETWORK,
            handle=name or sub,
            server=self.config.api_base,
            remote_id=f"urn:li:person:{sub}",
            display_name=name,
            avatar_url=picture if isinstance(picture, str) and picture.startswith("https://") else "",
            expires_at=expires_at,
            limits={"max_characters": MAX_COMMENTARY},
        )

    def refresh_account(self, account: Account, secret: str, *, on_secret: SecretSink | None = None) -> Account:
        """The member's current name and picture (AuthError when the token stopped working)."""
        fresh = self.account_for_token(secret, account.expires_at)
        return dataclasses.replace(fresh, id=account.id)

    # -- publishing ----------------------------------------------------------------------------
    def publish(self, account: Account, secret: str, post: Post, *, on_secret: SecretSink | None = None) -> Published:
        """Post *post* to the member's feed. Safe to call again with the same post after any failure:
        after an ambiguous one it looks for the post first (see the module's "Exactly once")."""
        author = self._author(account)
        if not post.text.strip():
            raise PublishError("The post is empty.", retryable=False)
        if not post.idempotency_key:
            raise ValueError("a post needs an idempotency key")
        length = _utf16_length(post.text)
        if length > MAX_COMMENTARY:
            raise PublishError(f"The post is {length:,} characters long; LinkedIn allows {MAX_COMMENTARY:,}.",
                               retryable=False)
        history = self._history_of(post)
        if history.published is not None:  # sent by this client already
            return history.published
        looked = False
        if history.uncertain or not history.complete:
            found = self.find_published(account, secret, post)  # PublishUnconfirmed when it cannot look
            if found is not None:
                log.info("Found the LinkedIn post sent earlier: not sending it again")
                return found
            looked = True
        body = {
            "author": author,
            "commentary": escape_little_text(post.text),
            "visibility": "PUBLIC",
            "distribution": {"feedDistribution": "MAIN_FEED", "targetEntities": [],
                             "thirdPartyDistributionChannels": []},
            "lifecycleState": "PUBLISHED",
            "isReshareDisabledByAuthor": False,
        }
        try:
            response = self._call("POST", "/rest/posts", token=secret, versioned=True, json=body, what="publishing",
                                  write=True, raise_for_status=False)
            if response.status_code == 422:
                duplicate = _duplicate_of(response)
                if duplicate is not None:
                    published = Published(url=post_url(duplicate), remote_id=duplicate)
                    with self._history_lock:
                        ours = looked or history.maybe_sent or not history.complete
                        if ours:
                            history.published = published
                    if ours:  # an earlier attempt did arrive: LinkedIn says the same text is there
                        log.info("LinkedIn reports the post as a duplicate of the earlier attempt: not sent again")
                        return published
                    raise PublishError("LinkedIn refused this post: the same text is already on your profile "
                                       f"({published.url}).", retryable=False, status=422)
            if not response.ok:
                self._raise_for(response, "publishing", write=True)
            published = self._published_from(response)
        except PublishError as exc:
            if exc.ambiguous:
                with self._history_lock:
                    history.uncertain = history.maybe_sent = True
            raise
        with self._history_lock:
            history.published = published
        return published

    def find_published(self, account: Account, secret: str, post: Post, *,
                       on_secret: SecretSink | None = None) -> Published | None:
        """The member's post with this text created since the first attempt, if LinkedIn has one.

        Uses the Posts API finder ``q=author`` (newest first). Raises :class:`PublishUnconfirmed`
        when LinkedIn does not let this app list the member's posts (no ``r_member_social``)."""
        author = self._author(account)
        history = self._history_of(post)
        if history.published is not None:
            return history.published
        if history.surely_unsent:  # every attempt this client made was refused for certain
            return None
        found = self._look_for(author, secret, post)
        with self._history_lock:
            history.uncertain = False  # looked: an attempt that arrived would have been listed
            history.complete = True
            if found is not None:
                history.published = found
        return found

    def _look_for(self, author: str, secret: str, post: Post) -> Published | None:
        since = (post.first_attempt_at - CLOCK_SLACK_S) if post.first_attempt_at is not None \
            else self.clock() - FIND_WINDOW_S
        escaped, wanted = escape_little_text(post.text), _comparable(post.text)
        for page in range(FIND_MAX_PAGES):
            query = f"author={quote(author, safe='')}&q=author&count={FIND_PAGE_SIZE}&start={page * FIND_PAGE_SIZE}" \
                    "&sortBy=LAST_MODIFIED"
            response = self._call("GET", f"/rest/posts?{query}", token=secret, versioned=True,
                                  headers={"X-RestLi-Method": "FINDER"}, what="looking for the post",
                                  raise_for_status=False)
            if response.status_code in (400, 403):
                message = _api_message(response)
                raise PublishUnconfirmed(
                    "An earlier attempt may have published this post, and LinkedIn does not let Chorus look at your "
                    f"posts to find out{f' ({message})' if message else ''}. Chorus did not send it again. Check your "
                    "LinkedIn activity: if the post is there, mark it as posted; if not, send it as a new post.",
                    check_url=ACTIVITY_URL, status=response.status_code)
            if not response.ok:
                self._raise_for(response, "looking for the post", write=False)
            data = _json_object(response, "looking for the post")
            elements = data.get("elements")
            if not isinstance(elements, list):
                raise PublishError("LinkedIn sent an unexpected answer while Chorus looked for the post.")
            older = 0
            for element in elements:
                if not isinstance(element, dict):
                    continue
                created = _epoch_ms(element.get("createdAt"))
                modified = _epoch_ms(element.get("lastModifiedAt")) or created
                if modified is not None and modified < since:
                    older += 1
                if element.get("author") != author or created is None or created < since:
                    continue
                commentary = element.get("commentary")
                if not isinstance(commentary, str):
                    continue
                if commentary != escaped and _comparable(unescape_little_text(commentary)) != wanted:
                    continue
                urn = str(element.get("id") or "")
                if _POST_URN_RE.match(urn):
                    return Published(url=post_url(urn), remote_id=urn)
            if len(elements) < FIND_PAGE_SIZE or older == len(elements):
                return None
        return None

    # -- helpers -------------------------------------------------------------------------------
    def _history_of(self, post: Post) -> _History:
        """This client's record of *post*'s attempts. New when this is the first attempt it sees:
        then it has the whole history unless ``first_attempt_at`` says an attempt started earlier
        (before a restart, say)."""
        with self._history_lock:
            history = self._history.get(post.idempotency_key)
            if history is None:
                complete = post.first_attempt_at is None or self.clock() - post.first_attempt_at <= FIRST_ATTEMPT_GRACE_S
                history = self._history[post.idempotency_key] = _History(complete=complete, maybe_sent=not complete)
            return history

    def _author(self, account: Account) -> str:
        if account.network != NETWORK:
            raise ValueError(f"not a LinkedIn account: {account.network}")
        if not _PERSON_URN_RE.match(account.remote_id):
            raise AuthError("This LinkedIn account has no member id. Link it again.")
        return account.remote_id

    def _published_from(self, response: requests.Response) -> Published:
        urn = unquote((response.headers.get("x-restli-id") or "").strip())
        if not _POST_URN_RE.match(urn):
            # 201 Created: it is on LinkedIn, only its id is missing.
            log.warning("LinkedIn created the post but sent no usable x-restli-id")
            return Published(url=ACTIVITY_URL, remote_id="")
        return Published(url=post_url(urn), remote_id=urn)

    def _endpoint(self, url: str) -> str:
        if not _secure_or_local(url) or (urlsplit(url).scheme == "http" and not self.allow_http):
            raise NotConfigured(f"Chorus only talks to LinkedIn and sign-in services over https (not {host_of(url)}).")
        return url.rstrip("/")

    def _call(self, method: str, path: str, *, token: str, what: str, versioned: bool = False, write: bool = False,
              headers: Mapping[str, str] | None = None, raise_for_status: bool = True, **kwargs: Any
              ) -> requests.Response:
        """One API request with a timeout; network failures become PublishError. *write*: the
        request changes something, so a failure after it went out is ambiguous."""
        all_headers = {"Accept": "application/json", "Authorization": f"Bearer {token}", **(headers or {})}
        if versioned:
            all_headers["LinkedIn-Version"] = self.config.api_version
            all_headers["X-Restli-Protocol-Version"] = RESTLI_PROTOCOL_VERSION
        response = fetch(self.http, method, self._endpoint(self.config.api_base) + path, headers=all_headers,
                         timeout=self.timeout, where="LinkedIn", what=what, write=write, deadline=self.deadline,
                         max_bytes=self.max_bytes, **kwargs)
        if raise_for_status and not response.ok:
            self._raise_for(response, what, write=write)
        return response

    def _raise_for(self, response: requests.Response, what: str, *, write: bool) -> None:
        status, message = response.status_code, _api_message(response)
        detail = f" ({message})" if message else ""
        if status == 401:
            lowered = message.lower()
            if "expired" in lowered:
                reason = "Chorus's access to your LinkedIn account has expired (LinkedIn access lasts 60 days)."
            elif "revoked" in lowered:
                reason = "Chorus's access to your LinkedIn account was revoked."
            else:
                reason = f"LinkedIn no longer accepts Chorus's access to your account{detail}."
            raise AuthError(f"{reason} Link the account again.", status=status)
        if status == 426:
            raise PublishError(f"LinkedIn no longer accepts API version {self.config.api_version}{detail}. Ask IT to "
                               "set linkedin.api_version to a current version (YYYYMM).", retryable=False,
                               status=status)
        if status == 429:
            wait = retry_after_seconds(response.headers, message, self.clock())
            raise RateLimited(f"LinkedIn asks Chorus to slow down (rate limit{detail}). Chorus can try again in "
                              f"{human_duration(wait)}.", wait, status=status)
        if status >= 500:
            if write:
                raise PublishError(f"LinkedIn had a problem while {what} (HTTP {status}). The post may or may not "
                                   "have been published; Chorus checks before sending it again.",
                                   ambiguous=True, retryable=True, status=status)
            raise PublishError(f"LinkedIn had a problem while {what} (HTTP {status}). Try again later.",
                               retryable=True, status=status)
        if 300 <= status < 400:
            raise PublishError(f"LinkedIn redirected Chorus elsewhere while {what} (HTTP {status}).",
                               retryable=False, status=status)
        raise PublishError(f"LinkedIn refused {what}: {message or f'HTTP {status}'}", retryable=False, status=status)


# ---------------------------------------------------------------------------------------------
# Pure helpers
# ---------------------------------------------------------------------------------------------
def retry_after_seconds(headers: Mapping[str, str], message: str = "", now: float | None = None) -> float:
    """How long to wait after a 429: ``Retry-After`` (seconds or an HTTP date) when LinkedIn sends
    one; for a daily limit ("… DAY limit …"), until 00:00 UTC when LinkedIn resets them; else a minute."""
    now = time.time() if now is None else now
    wait: float | None = None
    retry = (headers.get("Retry-After") or "").strip()
    if retry:
        try:
            wait = float(retry)
        except ValueError:
            try:
                wait = parsedate_to_datetime(retry).timestamp() - now
            except (TypeError, ValueError, IndexError, OverflowError):
                wait = None
    if wait is None and re.search(r"\bDAY\b", message or "", re.IGNORECASE):
        today = datetime.fromtimestamp(now, timezone.utc).date()
        midnight = calendar.timegm((today + timedelta(days=1)).timetuple())
        wait = midnight - now
    if wait is None or wait != wait:
        return DEFAULT_RETRY_AFTER_S
    return min(max(wait, 1.0), MAX_RETRY_AFTER_S)


def _code_from_redirect(params: Mapping[str, str]) -> str:
    error = params.get("error")
    if error in ("user_cancelled_login", "user_cancelled_authorize", "access_denied"):
        raise AuthError("You did not authorize Chorus on LinkedIn.")
    if error:
        description = clip(params.get("error_description") or error)
        if error == "unauthorized_scope_error":
            raise NotConfigured(f"LinkedIn refused the permissions Chorus asks for ({description}). Ask IT to add "
                                "“Share on LinkedIn” and “Sign In with LinkedIn using OpenID Connect” to the "
                                "app (and turn off linkedin.read_own_posts unless LinkedIn approved "
                                "r_member_social).")
        raise AuthError(f"LinkedIn did not authorize Chorus: {description}")
    code = params.get("code") or ""
    if not code:
        raise AuthError("LinkedIn sent the browser back without an authorization code.")
    return code


def _token_error(status: int, error: str, description: str, where: str, config: LinkedInConfig) -> PublishError:
    text = clip(description or error or f"HTTP {status}")
    if error == "invalid_client" or status == 401:
        return NotConfigured(f"{where} did not accept the LinkedIn app's credentials ({text}). Ask IT to check "
                             "linkedin.client_id and the client secret.")
    if error == "invalid_redirect_uri" or description.lower().startswith("invalid redirect_uri"):
        return NotConfigured(f"{where} did not accept the redirect address ({text}). IT must register "
                             f"{config.redirect_uri_to_register} on the LinkedIn app.")
    if "client_secret" in description:
        return NotConfigured(f"{where} refused to sign Chorus in ({text}). Ask IT to check the LinkedIn app's "
                             "client secret.")
    if error in ("invalid_grant", "invalid_request"):
        return AuthError(f"{where} did not accept the authorization ({text}); it may have expired. "
                         "Try linking again.", status=status)
    if status == 429:
        return RateLimited(f"{where} asks Chorus to slow down. Try again later.", DEFAULT_RETRY_AFTER_S)
    if status >= 500 or not error:
        return PublishError(f"{where} had a problem while signing in ({text}). Try again later.", retryable=True,
                            status=status)
    return PublishError(f"{where} refused to sign Chorus in: {text}", retryable=False, status=status)


def _duplicate_of(response: requests.Response) -> str | None:
    """The existing post LinkedIn names in a ``422 DUPLICATE_POST`` answer (observed shape:
    ``{"message": "…Content is a duplicate of urn:li:share:…", "errorDetails": {"inputErrors":
    [{"code": "DUPLICATE_POST", …}]}, "status": 422}``)."""
    data = json_or_none(response)
    if not isinstance(data, dict):
        return None
    match = _DUPLICATE_RE.search(str(data.get("message") or ""))
    return match.group(1) if match else None


def _port_problem(exc: OSError, port: int) -> str:
    if exc.errno in (errno.EADDRINUSE, getattr(errno, "WSAEADDRINUSE", -1)):
        return (f"Another program on this computer uses port {port}, which LinkedIn sign-in needs. Close it and try "
                "again, or ask IT to choose another port (linkedin.redirect_port and the app's redirect URL).")
    if exc.errno in (errno.EACCES, getattr(errno, "WSAEACCES", -1)):
        return f"This computer does not let Chorus listen on port {port}. Ask IT to choose a port above 1024."
    return f"Chorus cannot listen on port {port} for LinkedIn sign-in ({type(exc).__name__})."










def _json_object(response: requests.Response, what: str) -> dict[str, Any]:
    data = json_or_none(response)
    if not isinstance(data, dict):
        raise PublishError(f"LinkedIn sent an answer Chorus does not understand while {what}.", retryable=True)
    return data


def _api_message(response: requests.Response) -> str:
    data = json_or_none(response)
    if isinstance(data, dict):
        return clip(str(data.get("message") or data.get("error_description") or data.get("error") or ""))
    return ""


def _epoch_ms(value: Any) -> float | None:
    if isinstance(value, (int, float)) and not isinstance(value, bool) and value > 0:
        return float(value) / 1000.0
    return None


def _secure_or_local(url: str) -> bool:
    """https, or plain http to this computer (the shared rule, :func:`require_https`)."""
    try:
        require_https(url)
    except InsecureAddress:
        return False
    return True





