"""LinkedIn's OAuth and Posts API as a contract server for tests: real HTTP on 127.0.0.1.

LinkedIn has no sandbox and no public spec (../shared/networks.md §3, §6c), so this server holds
Chorus to the *documented* request and response shapes and answers with them. It validates every
request it gets (headers and their formats, the JSON body's fields and types, the bearer token and
its scopes) and records each departure in :attr:`LinkedInTestServer.violations`, besides answering
it with LinkedIn's error. Tests assert that list is empty.

Sources: learn.microsoft.com LinkedIn docs (authorization-code-flow, sign-in-with-linkedin-v2,
posts-api, little-text-format, versioning, rate limits), the official
``linkedin-developers/linkedin-api-python-client`` (``x-restli-id``, Rest.li query encoding,
``X-RestLi-Method``), and error bodies LinkedIn users have reported (marked *observed*)::

    GET  /oauth/v2/authorization     response_type=code, client_id, redirect_uri (exact match with
                                     the app's registered URLs, port included), state, scope
                                     (space-separated). HTML: sign in, Allow / Cancel
    POST /oauth/v2/authorization     the form → 302 redirect_uri?code=…&state=… or
                                     ?error=user_cancelled_authorize&error_description=…&state=…
    POST /oauth/v2/accessToken       form: grant_type=authorization_code, code, client_id,
                                     client_secret, redirect_uri → {"access_token", "expires_in":
                                     5184000, "scope": "openid,profile,w_member_social", "token_type",
                                     "id_token"}; errors {"error", "error_description"}
    GET  /v2/userinfo                Bearer (openid profile) → {"sub", "name", "given_name",
                                     "family_name", "picture", "locale"}
    POST /rest/posts                 Bearer (w_member_social), LinkedIn-Version YYYYMM (active),
                                     X-Restli-Protocol-Version 2.0.0, JSON body → 201, empty body,
                                     x-restli-id: urn:li:share:<19 digits>
    POST /rest/images?action=initializeUpload   Bearer (w_member_social), versioned, JSON
                                     {"initializeUploadRequest": {"owner": <the member's URN>}} → {"value":
                                     {"uploadUrlExpiresAt", "uploadUrl", "image": "urn:li:image:…"}}
    PUT  <uploadUrl>                 Bearer, the image bytes: JPG, PNG or GIF (sniffed from the bytes),
                                     under 36,152,320 pixels → 201; the image becomes AVAILABLE
    POST /rest/posts content         {"media": {"id": "urn:li:image:…", "altText"}} or {"multiImage":
                                     {"images": [{"id", "altText"}, …2 to 20]}}: each image uploaded by
                                     the author and AVAILABLE; altText a string of at most 4,086 characters
    GET  /rest/posts?author=<URN, percent-encoded>&q=author&count=&start=&sortBy=
                                     Bearer (r_member_social) → {"paging", "elements": [post…]}

Error bodies: API ``{"status": 401, "serviceErrorCode": 65600, "message": "Invalid access
token"}``, ``{"status": 426, "code": "NONEXISTENT_VERSION", "message": "Requested version
202401 is not active"}`` (observed), ``{"status": 403, "serviceErrorCode": 100, "code":
"ACCESS_DENIED", "message": "Not enough permissions to access: …"}``, 422 ``DUPLICATE_POST``
("Content is a duplicate of urn:li:share:…", observed) and the commentary length message
(observed). Modelled without a source: the exact texts for a missing version or protocol header
and an expired token.

The "little" text format: :func:`parse_little_text` reads ``commentary`` as LinkedIn does:
backslash escapes, ``{hashtag|\\#|tag}`` and ``@[Name](urn:li:person:…)``; an unescaped reserved
character ends the text there, as LinkedIn silently cuts posts (each post keeps ``text`` and
``truncated``). Stricter than LinkedIn on one point: a bare ``#word`` (the table's HashtagElement)
counts as unescaped too, so only the template and ``\\#`` pass.

Fault injection for the next N matching requests (*path* a prefix, *method* optional; by default
``POST /rest/posts``; see ``_http.py``)::

    server.delay_next(seconds)                   # hang before processing
    server.delay_next(seconds, after=True)       # process, then hang before answering
    server.fail_next(status=500)                 # answer 500 without processing
    server.fail_next(status=502, after=True)     # process, then answer 502
    server.drop_next()                           # process, then close the connection unanswered
    server.drop_next(before=True)                # close without processing
    server.rate_limit_next(retry_after=None)     # 429, "... APPLICATION DAY limit ..." (+ Retry-After)
    server.finder_lag = 60.0                     # the finder does not list posts younger than this yet
    server.expire_tokens("alice"), server.revoke_tokens("alice")

:class:`TokenExchangeService` plays a company's service that holds the client secret, and
:class:`MemberBrowser` is the member at the browser (for ``open_browser``).
"""

from __future__ import annotations

import base64
import hmac
import html
import itertools
import json
import re
import secrets
import struct
import threading
import time
import urllib.error
import urllib.request
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from functools import partialmethod
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qsl, unquote, urlencode, urlsplit

from tests.servers import _http
from tests.servers._http import Abort, Fault, HTTPTestServer, RequestRecord, parse_page

TOKEN_LIFETIME_S = 5_184_000  # 60 days
CODE_LIFETIME_S = 1800  # authorization codes: 30 minutes
ACTIVE_VERSIONS = frozenset({"202510", "202511", "202512", "202601", "202602", "202603", "202604", "202605",
                             "202606", "202607", "202608", "202609"})
PRODUCT_SCOPES = frozenset({"openid", "profile", "email", "w_member_social"})
RESERVED = frozenset("\\|{}@[]()<>#*_~")
POST_FIELDS = frozenset({"author", "commentary", "visibility", "distribution", "lifecycleState",
                         "isReshareDisabledByAuthor", "content", "contentLandingPage", "container",
                         "contentCallToActionLabel", "reshareContext", "adContext"})
UPLOAD_PREFIX = "/upload/images/"  # where uploadUrl points (LinkedIn's are on www.linkedin.com/dms-uploads)
MAX_IMAGE_PIXELS = 36_152_320
MAX_ALT_TEXT = 4086
VISIBILITIES = frozenset({"PUBLIC", "CONNECTIONS", "LOGGED_IN", "CONTAINER"})
LIFECYCLE_STATES = frozenset({"PUBLISHED", "DRAFT", "PUBLISH_REQUESTED", "PUBLISH_FAILED"})
FEED_DISTRIBUTIONS = frozenset({"MAIN_FEED", "NONE"})
VERSION_RE = re.compile(r"^\d{6}(\.\d{2})?$")
PERSON_URN_RE = re.compile(r"^urn:li:person:([A-Za-z0-9_-]+)$")
AUTHOR_URN_RE = re.compile(r"^urn:li:(?:person|organization):[A-Za-z0-9_-]+$")

INVALID_TOKEN = {"serviceErrorCode": 65600, "message": "Invalid access token", "status": 401}
REVOKED_TOKEN = {"status": 401, "serviceErrorCode": 65601, "code": "REVOKED_ACCESS_TOKEN",
                 "message": "The token used in the request has been revoked by the user"}
EXPIRED_TOKEN = {"status": 401, "serviceErrorCode": 65602, "code": "EXPIRED_ACCESS_TOKEN",
                 "message": "The token used in the request has expired"}


# ---------------------------------------------------------------------------------------------
# The little text format, read independently of Chorus's writer
# ---------------------------------------------------------------------------------------------
@dataclass(frozen=True)
class Little:
    text: str  # what people see
    truncated: bool  # an unescaped reserved character cut the text
    hashtags: tuple[str, ...] = ()
    mentions: tuple[str, ...] = ()


_TEMPLATE_RE = re.compile(r"\{hashtag\|\\#\|([^\\|{}@\[\]()<>#*_~]+)\}")
_MENTION_RE = re.compile(r"@\[((?:\\[\\|{}@\[\]()<>#*_~]|[^\\|{}@\[\]()<>#*_~])*)\]\((urn:li:(?:person|organization):"
                         r"[A-Za-z0-9_-]+)\)")


def parse_little_text(commentary: str) -> Little:
    out: list[str] = []
    hashtags: list[str] = []
    mentions: list[str] = []
    i = 0
    while i < len(commentary):
        ch = commentary[i]
        if ch not in RESERVED:
            out.append(ch)
            i += 1
            continue
        if ch == "\\" and i + 1 < len(commentary) and commentary[i + 1] in RESERVED:
            out.append(commentary[i + 1])
            i += 2
            continue
        template = _TEMPLATE_RE.match(commentary, i)
        if template:
            out.append("#" + template.group(1))
            hashtags.append(template.group(1))
            i = template.end()
            continue
        mention = _MENTION_RE.match(commentary, i)
        if mention:
            out.append(re.sub(r"\\(.)", r"\1", mention.group(1)))
            mentions.append(mention.group(2))
            i = mention.end()
            continue
        return Little("".join(out), True, tuple(hashtags), tuple(mentions))  # LinkedIn cuts the post here
    return Little("".join(out), False, tuple(hashtags), tuple(mentions))


# ---------------------------------------------------------------------------------------------
# Model
# ---------------------------------------------------------------------------------------------
@dataclass
class Member:
    sub: str
    username: str
    password: str = field(repr=False)
    given_name: str
    family_name: str

    @property
    def urn(self) -> str:
        return f"urn:li:person:{self.sub}"

    @property
    def name(self) -> str:
        return f"{self.given_name} {self.family_name}"


@dataclass
class App:
    client_id: str
    client_secret: str = field(repr=False)
    redirect_uris: list[str]
    scopes: frozenset[str]


@dataclass
class Pending:
    id: str
    client_id: str
    redirect_uri: str
    state: str | None
    scopes: list[str]


@dataclass
class Grant:
    code: str = field(repr=False)
    client_id: str
    sub: str
    redirect_uri: str
    scopes: list[str]
    expires_at: float
    used: bool = False


@dataclass
class Token:
    token: str = field(repr=False)
    client_id: str
    sub: str
    scopes: list[str]
    expires_at: float
    revoked: bool = False


@dataclass
class StoredImage:
    urn: str
    owner: str
    upload_path: str
    data: bytes | None = field(default=None, repr=False)
    mime: str = ""
    width: int = 0
    height: int = 0

    @property
    def available(self) -> bool:
        return self.data is not None


@dataclass
class StoredPost:
    urn: str
    author: str
    commentary: str
    text: str
    truncated: bool
    created_ms: int
    body: dict[str, Any]

    def json(self) -> dict[str, Any]:
        return {
            "id": self.urn,
            "author": self.author,
            "commentary": self.commentary,
            "visibility": self.body.get("visibility"),
            "distribution": self.body.get("distribution"),
            "lifecycleState": self.body.get("lifecycleState"),
            "isReshareDisabledByAuthor": self.body.get("isReshareDisabledByAuthor", False),
            "lifecycleStateInfo": {"isEditedByAuthor": False},
            "createdAt": self.created_ms,
            "publishedAt": self.created_ms,
            "lastModifiedAt": self.created_ms,
        }


def _api_error(status: int, message: str, **extra: Any) -> dict[str, Any]:
    return {"status": status, "message": message, **extra}


def _oauth_error(error: str, description: str) -> dict[str, str]:
    return {"error": error, "error_description": description}


def _page(title: str, body: str) -> str:
    return (f"<!doctype html><html><head><meta charset='utf-8'><title>{html.escape(title)}</title></head>"
            f"<body><h1>{html.escape(title)}</h1>{body}</body></html>")


# ---------------------------------------------------------------------------------------------
# The server
# ---------------------------------------------------------------------------------------------
class LinkedInTestServer(HTTPTestServer):
    """LinkedIn's OAuth endpoints and Posts API with in-memory state, on a real socket. Thread-safe."""

    thread_name = "linkedin-test-server"

    def __init__(self, host: str = "127.0.0.1", port: int = 0, *, client_id: str = "86chorustestapp",
                 client_secret: str = "", redirect_uris: Iterable[str] = (),
                 members: Mapping[str, str] | None = None, partner_scopes: Iterable[str] = (),
                 active_versions: Iterable[str] = ACTIVE_VERSIONS, duplicate_window: float = 24 * 3600.0) -> None:
        super().__init__(host, port, _Handler)
        self.active_versions = frozenset(active_versions)
        self.duplicate_window = duplicate_window
        # Posts younger than this are not listed by the finder yet (an index that lags; modelled).
        self.finder_lag = 0.0
        self._ids = itertools.count(1)
        self.members: dict[str, Member] = {}
        self.apps: dict[str, App] = {}
        self.pending: dict[str, Pending] = {}
        self.grants: dict[str, Grant] = {}
        self.tokens: dict[str, Token] = {}
        self.posts: list[StoredPost] = []
        self.images: dict[str, StoredImage] = {}
        self.violations: list[str] = []
        self.add_app(client_id, client_secret or "WPL_AP1." + secrets.token_urlsafe(12), list(redirect_uris),
                     PRODUCT_SCOPES | frozenset(partner_scopes))
        self.client_id = client_id
        for username, password in (members if members is not None else {"alice": "alice-password"}).items():
            self.add_member(username, password)

    @property
    def app(self) -> App:
        return self.apps[self.client_id]

    @property
    def client_secret(self) -> str:
        return self.app.client_secret

    # -- set-up and inspection -----------------------------------------------------------------
    def add_app(self, client_id: str, client_secret: str, redirect_uris: list[str], scopes: frozenset[str]) -> App:
        with self._lock:
            app = App(client_id, client_secret, redirect_uris, scopes)
            self.apps[client_id] = app
            return app

    def register_redirect_uri(self, uri: str) -> None:
        with self._lock:
            self.app.redirect_uris.append(uri)

    def add_member(self, username: str, password: str) -> Member:
        with self._lock:
            sub = base64.urlsafe_b64encode(secrets.token_bytes(7)).decode().rstrip("=")
            member = Member(sub, username, password, username.capitalize(), "Example")
            self.members[sub] = member
            return member

    def member(self, username: str) -> Member:
        with self._lock:
            for member in self.members.values():
                if member.username == username:
                    return member
        raise KeyError(username)

    def posts_of(self, username: str) -> list[StoredPost]:
        urn = self.member(username).urn
        with self._lock:
            return [p for p in self.posts if p.author == urn]

    def tokens_of(self, username: str) -> list[Token]:
        sub = self.member(username).sub
        with self._lock:
            return [t for t in self.tokens.values() if t.sub == sub]

    def expire_tokens(self, username: str) -> None:
        """As if the 60 days had passed."""
        with self._lock:
            for token in self.tokens_of(username):
                token.expires_at = time.time() - 1

    def revoke_tokens(self, username: str) -> None:
        """The member removes the app under Settings → Data privacy → Permitted services."""
        with self._lock:
            for token in self.tokens_of(username):
                token.revoked = True

    def _violation(self, text: str) -> None:
        with self._lock:
            self.violations.append(text)

    # -- fault injection: by default at creating a post ------------------------------------------
    delay_next = partialmethod(HTTPTestServer.delay_next, path="/rest/posts", method="POST")
    fail_next = partialmethod(HTTPTestServer.fail_next, path="/rest/posts", method="POST")
    drop_next = partialmethod(HTTPTestServer.drop_next, path="/rest/posts", method="POST")
    rate_limit_next = partialmethod(HTTPTestServer.rate_limit_next, path="/rest/posts", method="POST")

    def images_of(self, username: str) -> list[StoredImage]:
        urn = self.member(username).urn
        with self._lock:
            return [i for i in self.images.values() if i.owner == urn]

    def _new_post_urn(self) -> str:
        return f"urn:li:share:{(int(time.time() * 1000) << 22) | (next(self._ids) & 0x3FFFFF)}"


class _Handler(_http.Handler):
    server_version = "LinkedIn"
    json_type = "application/json"
    extra_headers = {"X-RestLi-Protocol-Version": "2.0.0"}

    # -- plumbing ------------------------------------------------------------------------------
    ROUTES = [
        ("GET", "/oauth/v2/authorization", "authorize_page"),
        ("POST", "/oauth/v2/authorization", "authorize_submit"),
        ("POST", "/oauth/v2/accessToken", "access_token"),
        ("GET", "/v2/userinfo", "userinfo"),
        ("POST", "/rest/posts", "create_post"),
        ("GET", "/rest/posts", "find_posts"),
        ("POST", "/rest/images", "initialize_upload"),
    ]

    def do_PUT(self) -> None:  # noqa: N802
        self._dispatch("PUT")

    def _process(self, method: str, path: str, record: RequestRecord, fault: Fault | None) -> int:
        self._faults_before(fault)
        if method == "PUT" and path.startswith(UPLOAD_PREFIX):
            return self._finish(self.h_upload_image(path), fault)
        for route_method, route_path, handler in self.ROUTES:
            if route_path == path and route_method == method:
                return self._finish(getattr(self, "h_" + handler)(record), fault)
        raise Abort(404, _api_error(404, f"No virtual resource found: {path}", serviceErrorCode=0))

    def _error_body(self, status: int) -> dict[str, Any]:
        return _api_error(status, "Internal Server Error")

    def _rate_limited(self, fault: Fault) -> Abort:
        extra = {"Retry-After": str(int(fault.retry_after))} if fault.retry_after is not None else {}
        return Abort(429, _api_error(429, "Resource level throttle APPLICATION DAY limit for calls to this "
                                          "resource is reached.", serviceErrorCode=101,
                                     code="TOO_MANY_REQUESTS"), extra)

    def _fail(self, status: int, body: Any, why: str, headers: Mapping[str, str] | None = None) -> None:
        """A request that breaks the documented contract: record it, answer like LinkedIn."""
        self.server.app._violation(f"{self.command} {urlsplit(self.path).path}: {why}")
        raise Abort(status, body, headers)

    def _form(self, record: RequestRecord) -> dict[str, str]:
        ctype = (self.headers.get("Content-Type") or "").split(";")[0].strip().lower()
        if ctype != "application/x-www-form-urlencoded":
            self._fail(400, _oauth_error("invalid_request", "Content-Type must be application/x-www-form-urlencoded"),
                       f"form expected, got Content-Type {ctype!r}")
        form = dict(parse_qsl(self._body.decode("utf-8", "replace"), keep_blank_values=True))
        record.body = {k: ("…" if k in ("client_secret", "code", "session_password") else v) for k, v in form.items()}
        return form

    def _json_body(self, record: RequestRecord) -> Any:
        ctype = (self.headers.get("Content-Type") or "").split(";")[0].strip().lower()
        if ctype != "application/json":
            self._fail(415, _api_error(415, "Unsupported Media Type"), f"JSON expected, got Content-Type {ctype!r}")
        try:
            body = json.loads(self._body.decode("utf-8"))
        except (UnicodeDecodeError, json.JSONDecodeError):
            self._fail(400, _api_error(400, "Malformed JSON"), "body is not JSON")
        record.body = body
        return body

    def _token(self, *scopes: str, what: str) -> tuple[Token, Member]:
        app = self.server.app
        header = self.headers.get("Authorization") or ""
        if not header.startswith("Bearer ") or not header[7:].strip():
            self._fail(401, _api_error(401, "Empty oauth2 access token", serviceErrorCode=65604),
                       "no 'Authorization: Bearer <token>' header")
        with app._lock:
            token = app.tokens.get(header[7:].strip())
        if token is None:
            raise Abort(401, INVALID_TOKEN)
        if token.revoked:
            raise Abort(401, REVOKED_TOKEN)
        if token.expires_at <= time.time():
            raise Abort(401, EXPIRED_TOKEN)
        missing = [s for s in scopes if s not in token.scopes]
        if missing:
            raise Abort(403, _api_error(403, f"Not enough permissions to access: {what}", serviceErrorCode=100,
                                        code="ACCESS_DENIED"))
        return token, app.members[token.sub]

    def _versioned(self) -> str:
        version = self.headers.get("LinkedIn-Version")
        if version is None:
            self._fail(400, _api_error(400, "A version must be present. Please specify a version by adding the "
                                            "LinkedIn-Version header.", code="VERSION_MISSING"),
                       "no LinkedIn-Version header")
        if not VERSION_RE.match(version):
            self._fail(400, _api_error(400, f"Invalid version format: {version}", code="INVALID_VERSION"),
                       f"LinkedIn-Version {version!r} is not YYYYMM")
        if version.split(".")[0] not in self.server.app.active_versions:
            raise Abort(426, _api_error(426, f"Requested version {version} is not active", code="NONEXISTENT_VERSION"))
        protocol = self.headers.get("X-Restli-Protocol-Version")
        if protocol != "2.0.0":
            self._fail(400, _api_error(400, "X-Restli-Protocol-Version 2.0.0 is required"),
                       f"X-Restli-Protocol-Version is {protocol!r}, not '2.0.0'")
        return version

    # -- OAuth ---------------------------------------------------------------------------------
    def h_authorize_page(self, record: RequestRecord) -> tuple[int, Any, dict[str, str]]:
        app = self.server.app
        params = dict(parse_qsl(urlsplit(self.path).query, keep_blank_values=True))
        client = app.apps.get(params.get("client_id", ""))
        if client is None:
            self._fail(400, _page("Bummer, something went wrong.", "<p>The passed in client_id is invalid.</p>"),
                       "unknown client_id")
        redirect_uri = params.get("redirect_uri", "")
        if redirect_uri not in client.redirect_uris:  # exact match, port included
            return 400, _page("Bummer, something went wrong.",
                              "<p>The redirect_uri does not match the registered value</p>"), {}
        state = params.get("state")
        if not state:
            self._fail(400, _page("Bummer", "<p>state missing</p>"), "no state (CSRF protection)")

        def back(**query: str) -> tuple[int, Any, dict[str, str]]:
            return 302, None, {"Location": f"{redirect_uri}?{urlencode({**query, 'state': state})}"}

        if params.get("response_type") != "code":
            return back(error="unsupported_response_type", error_description="response_type must be code")
        scopes = params.get("scope", "").split()
        if not scopes:
            self._fail(400, _page("Bummer", "<p>scope missing</p>"), "no scope")
        for scope in scopes:
            if scope not in client.scopes:
                return back(error="unauthorized_scope_error",
                            error_description=f'Scope "{scope}" is not authorized for your application')
        pending = Pending(secrets.token_urlsafe(12), client.client_id, redirect_uri, state, scopes)
        with app._lock:
            app.pending[pending.id] = pending
        return 200, self._login_form(pending), {}

    def _login_form(self, pending: Pending, error: str = "") -> str:
        return _page("Sign in to allow Chorus access", (
            f"<p class='error'>{html.escape(error)}</p>" if error else "") + (
            "<form method='post' action='/oauth/v2/authorization'>"
            f"<input type='hidden' name='pending' value='{html.escape(pending.id)}'>"
            "<input name='session_key' value=''><input type='password' name='session_password' value=''>"
            f"<p>Chorus would like to: {html.escape(', '.join(pending.scopes))}</p>"
            "<button name='action' value='allow'>Allow</button>"
            "<button name='action' value='cancel'>Cancel</button></form>"))

    def h_authorize_submit(self, record: RequestRecord) -> tuple[int, Any, dict[str, str]]:
        app = self.server.app
        form = self._form(record)
        with app._lock:
            pending = app.pending.get(form.get("pending", ""))
        if pending is None:
            return 400, _page("Bummer, something went wrong.", "<p>This sign-in has expired.</p>"), {}

        def back(**query: str) -> tuple[int, Any, dict[str, str]]:
            with app._lock:
                app.pending.pop(pending.id, None)
            return 302, None, {"Location": f"{pending.redirect_uri}?{urlencode({**query, 'state': pending.state})}"}

        if form.get("action") == "cancel":
            return back(error="user_cancelled_authorize", error_description="The user cancelled the authorization")
        member = next((m for m in app.members.values() if m.username == form.get("session_key")
                       and hmac.compare_digest(m.password, form.get("session_password", ""))), None)
        if member is None:
            return 200, self._login_form(pending, "Wrong email or password."), {}
        grant = Grant(secrets.token_urlsafe(48), pending.client_id, member.sub, pending.redirect_uri,
                      pending.scopes, time.time() + CODE_LIFETIME_S)
        with app._lock:
            app.grants[grant.code] = grant
        return back(code=grant.code)

    def h_access_token(self, record: RequestRecord) -> tuple[int, Any, dict[str, str]]:
        app = self.server.app
        form = self._form(record)
        if form.get("grant_type") != "authorization_code":
            self._fail(400, _oauth_error("unsupported_grant_type", "grant_type must be authorization_code"),
                       f"grant_type {form.get('grant_type')!r}")
        for name in ("code", "client_id", "client_secret", "redirect_uri"):
            if not form.get(name):
                self._fail(400, _oauth_error("invalid_request", f'A required parameter "{name}" is missing'),
                           f"token request without {name}")
        client = app.apps.get(form["client_id"])
        if client is None or not hmac.compare_digest(client.client_secret, form["client_secret"]):
            return 401, _oauth_error("invalid_client", "Client authentication failed"), {}
        with app._lock:
            grant = app.grants.get(form["code"])
            valid = (grant is not None and not grant.used and grant.expires_at > time.time()
                     and grant.client_id == client.client_id and grant.redirect_uri == form["redirect_uri"])
            if not valid:
                return 400, _oauth_error("invalid_request", "Unable to retrieve access token: appid/redirect uri/code "
                                         "verifier does not match authorization code. Or authorization code expired. "
                                         "Or external member binding exists"), {}
            grant.used = True
            token = Token("AQV" + secrets.token_urlsafe(260), client.client_id, grant.sub, grant.scopes,
                          time.time() + TOKEN_LIFETIME_S)
            app.tokens[token.token] = token
        answer: dict[str, Any] = {"access_token": token.token, "expires_in": TOKEN_LIFETIME_S,
                                  "scope": ",".join(grant.scopes), "token_type": "Bearer"}
        if "openid" in grant.scopes:
            answer["id_token"] = _unsigned_jwt({"sub": grant.sub, "aud": client.client_id,
                                                "iss": "https://www.linkedin.com/oauth", "iat": int(time.time())})
        return 200, answer, {"Cache-Control": "no-store"}

    # -- API -----------------------------------------------------------------------------------
    def h_userinfo(self, record: RequestRecord) -> tuple[int, Any, dict[str, str]]:
        _, member = self._token("openid", "profile", what="userinfo.GET.NO_VERSION")
        return 200, {
            "sub": member.sub,
            "name": member.name,
            "given_name": member.given_name,
            "family_name": member.family_name,
            "picture": f"https://media.licdn.example/dms/image/{member.sub}/profile-displayphoto-shrink_100_100/0/",
            "locale": "en-US",
        }, {}

    def h_create_post(self, record: RequestRecord) -> tuple[int, Any, dict[str, str]]:
        app = self.server.app
        version = self._versioned()
        token, member = self._token("w_member_social", what=f"partnerApiPostsExternal.CREATE.{version}01")
        body = self._json_body(record)
        problems = _post_problems(body)
        if problems:
            self._fail(422, _api_error(422, "; ".join(problems),
                                       errorDetailType="com.linkedin.common.error.BadRequest"), "; ".join(problems))
        if body["author"] != member.urn:
            self._fail(403, _api_error(403, f"ERROR :: /author :: {body['author']} is not the member of this token",
                                       serviceErrorCode=100, code="ACCESS_DENIED"), "author is not the token's member")
        if "content" in body:
            problems = _content_problems(body["content"], member.urn, app)
            if problems:
                self._fail(422, _api_error(422, "; ".join(problems),
                                           errorDetailType="com.linkedin.common.error.BadRequest"), "; ".join(problems))
        commentary = body.get("commentary", "")
        length = len(commentary.encode("utf-16-le")) // 2
        if length > 3000:
            return 422, _api_error(422, f"ShareCommentary text length ({length} characters) exceeded the maximum "
                                        "allowed (3000 characters)", code="FIELD_ARRAY_SIZE_TOO_HIGH"), {}
        now_ms = int(time.time() * 1000)
        with app._lock:
            for earlier in reversed(app.posts):
                if (earlier.author == member.urn and earlier.commentary == commentary
                        and now_ms - earlier.created_ms < app.duplicate_window * 1000):
                    return 422, {
                        "errorDetailType": "com.linkedin.common.error.BadRequest",
                        "message": "com.linkedin.content.common.exception.BadRequestResponseException: Content is a "
                                   f"duplicate of {earlier.urn}",
                        "errorDetails": {"inputErrors": [{"description": "Duplicate post is detected", "input": {},
                                                          "code": "DUPLICATE_POST"}]},
                        "status": 422,
                    }, {}
            little = parse_little_text(commentary)
            post = StoredPost(app._new_post_urn(), member.urn, commentary, little.text, little.truncated, now_ms, body)
            app.posts.append(post)
        return 201, None, {"x-restli-id": post.urn}

    def h_find_posts(self, record: RequestRecord) -> tuple[int, Any, dict[str, str]]:
        app = self.server.app
        version = self._versioned()
        raw = urlsplit(self.path).query
        params = dict(parse_qsl(raw, keep_blank_values=True))
        if params.get("q") != "author":
            self._fail(400, _api_error(400, "Invalid finder"), f"finder q={params.get('q')!r}, not 'author'")
        raw_author = next((v for k, v in (p.partition("=")[::2] for p in raw.split("&")) if k == "author"), "")
        author = unquote(raw_author)
        if not AUTHOR_URN_RE.match(author) or ":" in raw_author:
            self._fail(400, _api_error(400, "Invalid author"),
                       f"author must be a URN, percent-encoded in the query (Rest.li 2.0), got {raw_author!r}")
        try:
            count, start = int(params.get("count", "10")), int(params.get("start", "0"))
        except ValueError:
            self._fail(400, _api_error(400, "Invalid paging"), "count/start are not numbers")
        if not (1 <= count <= 100 and start >= 0):
            self._fail(400, _api_error(400, "Invalid paging"), f"count={count}, start={start}")
        if params.get("sortBy", "LAST_MODIFIED") not in ("LAST_MODIFIED", "CREATED"):
            self._fail(400, _api_error(400, "Invalid sortBy"), f"sortBy={params.get('sortBy')!r}")
        if PERSON_URN_RE.match(author):
            _, member = self._token("r_member_social", what=f"partnerApiPostsExternal.FINDER-author.{version}01")
            if author != member.urn:
                raise Abort(403, _api_error(403, "Member permissions must be used when using member as author",
                                            serviceErrorCode=100, code="ACCESS_DENIED"))
        else:
            self._token("r_organization_social", what=f"partnerApiPostsExternal.FINDER-author.{version}01")
        with app._lock:
            listed_before = (time.time() - app.finder_lag) * 1000
            mine = sorted((p for p in app.posts if p.author == author and p.created_ms <= listed_before),
                          key=lambda p: p.created_ms, reverse=True)
        elements = [p.json() for p in mine[start:start + count]]
        return 200, {"paging": {"start": start, "count": count, "links": []}, "elements": elements}, {}


    # -- Images API ------------------------------------------------------------------------------
    def h_initialize_upload(self, record: RequestRecord) -> tuple[int, Any, dict[str, str]]:
        app = self.server.app
        version = self._versioned()
        if dict(parse_qsl(urlsplit(self.path).query)).get("action") != "initializeUpload":
            self._fail(400, _api_error(400, "Unsupported action"), "POST /rest/images without action=initializeUpload")
        _, member = self._token("w_member_social", what=f"partnerApiImages.ACTION-initializeUpload.{version}01")
        body = self._json_body(record)
        request = body.get("initializeUploadRequest") if isinstance(body, dict) else None
        owner = request.get("owner") if isinstance(request, dict) else None
        if not isinstance(owner, str) or not AUTHOR_URN_RE.match(owner):
            self._fail(422, _api_error(422, "ERROR :: /initializeUploadRequest/owner :: field is required but not "
                                            "found and has no default value"), "initializeUploadRequest.owner missing")
        if owner != member.urn:
            self._fail(403, _api_error(403, f"Not enough permissions to upload on behalf of {owner}",
                                       serviceErrorCode=100, code="ACCESS_DENIED"), "owner is not the token's member")
        with app._lock:
            image_id = "D" + secrets.token_hex(8).upper()
            image = StoredImage(f"urn:li:image:{image_id}", owner, f"{UPLOAD_PREFIX}{image_id}")
            app.images[image.urn] = image
        expires = int((time.time() + 24 * 3600) * 1000)
        return 200, {"value": {"uploadUrlExpiresAt": expires, "uploadUrl": app.url + image.upload_path,
                               "image": image.urn}}, {}

    def h_upload_image(self, path: str) -> tuple[int, Any, dict[str, str]]:
        app = self.server.app
        header = self.headers.get("Authorization") or ""
        with app._lock:
            token = app.tokens.get(header[7:].strip()) if header.startswith("Bearer ") else None
            image = next((i for i in app.images.values() if i.upload_path == path), None)
        if token is None or token.revoked or token.expires_at <= time.time():
            raise Abort(401, INVALID_TOKEN)
        if image is None:
            raise Abort(404, _api_error(404, "Upload URL not found or expired"))
        data = self._body
        mime = _sniff_image(data)
        if mime is None:
            self._fail(400, _api_error(400, "Unsupported image format: JPG, GIF and PNG are supported"),
                       "uploaded bytes are not a JPG, GIF or PNG image")
        assert mime is not None
        width, height = _image_size(data, mime)
        if width * height >= MAX_IMAGE_PIXELS:
            self._fail(400, _api_error(400, f"Image has {width * height} pixels; images must have fewer than "
                                            f"{MAX_IMAGE_PIXELS} pixels"), "image over the pixel limit")
        with app._lock:
            image.data, image.mime, image.width, image.height = data, mime, width, height
        return 201, None, {}


def _content_problems(content: Any, author: str, app: LinkedInTestServer) -> list[str]:
    """The Posts API's ``content`` for images: one ``media`` or a ``multiImage`` of 2 to 20, each an
    image the author uploaded (AVAILABLE), each ``altText`` a string of at most 4,086 characters."""
    if not isinstance(content, dict) or len(content) != 1:
        return ["content must hold exactly one of media, multiImage, article, poll"]
    if "media" in content:
        entries = [content["media"]]
    elif "multiImage" in content:
        multi = content["multiImage"]
        entries = multi.get("images") if isinstance(multi, dict) else None
        if not isinstance(entries, list) or not 2 <= len(entries) <= 20:
            return ["content.multiImage.images must be an array of 2 to 20 images"]
    else:
        return [f"unsupported content {sorted(content)!r} (Chorus's server models media and multiImage)"]
    problems = []
    for entry in entries:
        if not isinstance(entry, dict) or not isinstance(entry.get("id"), str):
            problems.append("each image needs an id (urn:li:image:…)")
            continue
        unknown = set(entry) - {"id", "altText", "title", "taggedEntities"}
        problems += [f"unrecognized field {key!r} in an image" for key in sorted(unknown)]
        with app._lock:
            image = app.images.get(entry["id"])
        if image is None or image.owner != author:
            problems.append(f"{entry['id']} does not exist or does not belong to the author")
        elif not image.available:
            problems.append(f"{entry['id']} has not been uploaded (its status is WAITING_UPLOAD)")
        alt = entry.get("altText")
        if alt is not None and (not isinstance(alt, str) or len(alt) > MAX_ALT_TEXT):
            problems.append(f"altText must be a string of at most {MAX_ALT_TEXT} characters")
    return problems


def _sniff_image(data: bytes) -> str | None:
    if data.startswith(b"\xff\xd8\xff"):
        return "image/jpeg"
    if data.startswith(b"\x89PNG\r\n\x1a\n"):
        return "image/png"
    if data[:6] in (b"GIF87a", b"GIF89a"):
        return "image/gif"
    return None


def _image_size(data: bytes, mime: str) -> tuple[int, int]:
    if mime == "image/png":
        return struct.unpack(">II", data[16:24])
    if mime == "image/gif":
        return struct.unpack("<HH", data[6:10])
    position = 2
    while position + 9 < len(data) and data[position] == 0xFF:
        marker = data[position + 1]
        length = struct.unpack(">H", data[position + 2:position + 4])[0]
        if 0xC0 <= marker <= 0xCF and marker not in (0xC4, 0xC8, 0xCC):
            height, width = struct.unpack(">HH", data[position + 5:position + 9])
            return width, height
        position += 2 + length
    return 0, 0


def _post_problems(body: Any) -> list[str]:
    """The Posts API's documented create body: field presence, types and enumerations."""
    if not isinstance(body, dict):
        return ["the body must be a JSON object"]
    problems = [f"unrecognized field {key!r}" for key in body if key not in POST_FIELDS]
    for name in ("author", "commentary", "visibility", "distribution", "lifecycleState"):
        if name not in body:
            problems.append(f"missing required field {name!r}")
    if "author" in body and not (isinstance(body["author"], str) and AUTHOR_URN_RE.match(body["author"])):
        problems.append("author must be a person or organization URN")
    if "commentary" in body and not isinstance(body["commentary"], str):
        problems.append("commentary must be a string")
    if "visibility" in body and body["visibility"] not in VISIBILITIES:
        problems.append(f"visibility must be one of {sorted(VISIBILITIES)}")
    if "lifecycleState" in body and body["lifecycleState"] not in LIFECYCLE_STATES:
        problems.append(f"lifecycleState must be one of {sorted(LIFECYCLE_STATES)}")
    if "isReshareDisabledByAuthor" in body and not isinstance(body["isReshareDisabledByAuthor"], bool):
        problems.append("isReshareDisabledByAuthor must be a boolean")
    distribution = body.get("distribution")
    if "distribution" in body:
        if not isinstance(distribution, dict):
            problems.append("distribution must be an object")
        else:
            unknown = set(distribution) - {"feedDistribution", "targetEntities", "thirdPartyDistributionChannels"}
            problems += [f"unrecognized field 'distribution.{key}'" for key in sorted(unknown)]
            if distribution.get("feedDistribution") not in FEED_DISTRIBUTIONS:
                problems.append(f"distribution.feedDistribution must be one of {sorted(FEED_DISTRIBUTIONS)}")
            for key in ("targetEntities", "thirdPartyDistributionChannels"):
                if key in distribution and not isinstance(distribution[key], list):
                    problems.append(f"distribution.{key} must be an array")
    return problems


def _unsigned_jwt(claims: Mapping[str, Any]) -> str:
    def part(data: Mapping[str, Any]) -> str:
        return base64.urlsafe_b64encode(json.dumps(data).encode()).decode().rstrip("=")

    return f"{part({'alg': 'none', 'typ': 'JWT'})}.{part(claims)}."


# ---------------------------------------------------------------------------------------------
# The company's token-exchange service (holds the client secret)
# ---------------------------------------------------------------------------------------------
class TokenExchangeService:
    """POST /linkedin/token with LinkedIn's token form minus ``client_secret``; it adds the secret,
    calls LinkedIn's ``/oauth/v2/accessToken`` over HTTP and relays the answer unchanged."""

    path = "/linkedin/token"

    def __init__(self, linkedin: LinkedInTestServer, *, client_secret: str | None = None) -> None:
        self.linkedin = linkedin
        self.client_secret = client_secret if client_secret is not None else linkedin.client_secret
        self.requests: list[dict[str, str]] = []
        self.violations: list[str] = []
        service = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, format: str, *args: object) -> None:  # noqa: A002
                return

            def do_POST(self) -> None:  # noqa: N802
                body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
                form = dict(parse_qsl(body.decode("utf-8", "replace"), keep_blank_values=True))
                service.requests.append({k: ("…" if k == "code" else v) for k, v in form.items()})
                status, payload = service._exchange(self.path, self.headers.get("Content-Type") or "", form)
                data = json.dumps(payload).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

        self._server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self._server.daemon_threads = True
        self._thread = threading.Thread(target=self._server.serve_forever, kwargs={"poll_interval": 0.05},
                                        daemon=True)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self._server.server_address[1]}{self.path}"

    def _exchange(self, path: str, content_type: str, form: dict[str, str]) -> tuple[int, Any]:
        if path != self.path:
            return 404, {"error": "not_found"}
        if not content_type.startswith("application/x-www-form-urlencoded"):
            self.violations.append(f"Content-Type {content_type!r}")
            return 400, _oauth_error("invalid_request", "form expected")
        if "client_secret" in form:
            self.violations.append("the desktop app sent a client secret")
            return 400, _oauth_error("invalid_request", "clients must not send a secret")
        if form.get("client_id") != self.linkedin.client_id:
            return 400, _oauth_error("invalid_request", "unknown client_id")
        upstream = urllib.request.Request(
            f"{self.linkedin.url}/oauth/v2/accessToken",
            data=urlencode({**form, "client_secret": self.client_secret}).encode(),
            headers={"Content-Type": "application/x-www-form-urlencoded"}, method="POST")
        try:
            with urllib.request.urlopen(upstream, timeout=10) as answer:
                return answer.status, json.loads(answer.read())
        except urllib.error.HTTPError as error:
            return error.code, json.loads(error.read() or b"{}")

    def __enter__(self) -> TokenExchangeService:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._server.shutdown()
        self._server.server_close()
        self._thread.join(timeout=10)


# ---------------------------------------------------------------------------------------------
# The member at the browser
# ---------------------------------------------------------------------------------------------
class MemberBrowser(_http.Browser):
    """``open_browser`` for tests: load LinkedIn's page, sign in, press Allow (or Cancel), and
    follow the redirect like a browser (to Chorus's loopback listener)."""

    def __call__(self, url: str) -> bool:
        self.opened.append(url)
        page = self.session.get(url, timeout=_http.TIMEOUT)
        self.pages.append(page)
        if page.status_code != 200:  # LinkedIn shows its error page; nobody comes back to Chorus
            return True
        form = parse_page(page.text)
        if form.action is None:  # LinkedIn redirected at once (an error for Chorus): we are back there
            return True
        data = {**form.fields, "session_key": self.username, "session_password": self.password,
                "action": "allow" if self.approve else "cancel"}
        self.pages.append(self._submit(page, form, data))
        return True
