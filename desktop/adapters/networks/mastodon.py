"""Mastodon: link an account with OAuth 2 (authorization code + PKCE), publish exactly once.

    client = MastodonClient()
    server = normalise_instance("alice@mastodon.social")              # https://mastodon.social
    registration, client_secret = client.ensure_app(server, cached)   # cached: (AppRegistration, secret) | None
    account, token = client.link_with_browser(registration, client_secret, webbrowser.open)
    published = client.publish(account, token, Post(text, idempotency_key=key, first_attempt_at=t0))

**Linking.** The user types their instance in any usual form (``alice@mastodon.social``,
``@alice@host``, ``https://host/@alice``, ``host``); :func:`normalise_instance` turns it into the
server's base URL. Chorus registers itself there once (``POST /api/v1/apps``) with two redirect
URIs, ``http://127.0.0.1/callback`` and ``urn:ietf:wg:oauth:2.0:oob``, and the scopes in
:data:`SCOPES`. The registration (client id, redirect URIs, scopes) is for the database, the
client secret for the keyring; :meth:`MastodonClient.ensure_app` re-uses a cached pair after
checking it still works (a ``client_credentials`` token request) and registers anew otherwise.

:meth:`MastodonClient.link_with_browser` runs the authorization-code flow with PKCE (S256 only)
and a loopback redirect: a one-shot listener on ``127.0.0.1`` and a random port (Mastodon's
Doorkeeper matches loopback redirect URIs on any port, RFC 8252 §7.3), a random ``state`` checked
in constant time, a friendly "you can close this tab" page, and an overall timeout. How the
browser is opened is the caller's callable (``webbrowser.open``, Qt's ``QDesktopServices``; tests
drive the authorization form). :meth:`begin_oob` / :meth:`complete_oob` are the paste-the-code
fallback for machines where a local listener is not possible. Both end with the code exchange
(``POST /oauth/token``), ``verify_credentials`` for the handle, name and avatar, and the
instance's ``max_characters`` and ``characters_reserved_per_url`` (``GET /api/v2/instance``,
falling back to v1) in :attr:`Account.limits`. Tokens never expire; :meth:`revoke` ends one.

**Publishing.** ``POST /api/v1/statuses`` with ``Idempotency-Key: post.idempotency_key``.
Mastodon keeps the key for an hour per account and answers a repeated request with the status
it created the first time, so re-sending after an ambiguous failure is the dedupe. After that
hour (``post.first_attempt_at`` more than :data:`TRUST_IDEMPOTENCY_FOR_S` ago) ``publish``
looks for the post among the account's recent statuses first (:meth:`find_published`: same text,
posted by Chorus, not older than the first attempt; confirmed with ``/api/v1/statuses/:id/source``).

**Errors.** 401 (and 403 "outside the authorized scopes") → :class:`AuthError`; 429 →
:class:`RateLimited` with the wait from ``Retry-After`` or ``X-RateLimit-Reset`` (an ISO 8601
time on Mastodon, measured against the server's ``Date``); 422 and other refusals →
:class:`PublishError` with the server's reason, not retryable; 5xx, a read timeout or a dropped
connection after the request went out → ``PublishError(ambiguous=True)``; a refused or
unresolvable connection → not ambiguous. Every request goes through
:func:`desktop.adapters.http.fetch`: no redirect is ever followed (the token, the client secret and
the code only go to the server they belong to), answers are capped and each exchange has a total
deadline; malformed or absurdly nested JSON is an unreadable answer like any other. Nothing here logs a token,
a client secret, a code or a PKCE verifier, and no exception message carries one.
"""

from __future__ import annotations

import dataclasses
import html
import ipaddress
import logging
import re
import threading
import time
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timezone
from email.utils import parsedate_to_datetime
from html.parser import HTMLParser
from typing import Any
from urllib.parse import urlencode

import requests

from desktop.adapters.http import (
    DEFAULT_DEADLINE_S,
    DEFAULT_TIMEOUT,
    MAX_JSON_BYTES,
    clip,
    decode_json,
    fetch,
    host_of,
    human_duration,
    is_loopback_host,
    make_session,
)
from desktop.adapters.oauth import LoopbackCancelled, LoopbackListener, LoopbackTimeout, Pkce, new_pkce, new_state
from desktop.core.accounts.store import AppRegistration, normalize_server
from desktop.core.logs import register_secret
from desktop.core.publishing import (
    Account,
    AuthError,
    Post,
    Published,
    PublishError,
    RateLimited,
    SecretSink,
)

log = logging.getLogger(__name__)

NETWORK = "mastodon"
CLIENT_NAME = "Chorus"
WEBSITE = "https://chorus.example/desktop"
OOB_REDIRECT_URI = "urn:ietf:wg:oauth:2.0:oob"
REDIRECT_PATH = "/callback"
LOOPBACK_REDIRECT_URI = f"http://127.0.0.1{REDIRECT_PATH}"  # any port matches (Doorkeeper, RFC 8252 §7.3)
REDIRECT_URIS = (LOOPBACK_REDIRECT_URI, OOB_REDIRECT_URI)
# verify_credentials (read:accounts), find_published (read:statuses: own statuses and their source),
# posting (write:statuses) and, later, images (write:media). `profile` would do for the first on 4.4+
# only; older servers refuse scopes they do not know, so the granular 3.x scopes are used.
SCOPES = "read:accounts read:statuses write:statuses write:media"

DEFAULT_LIMITS = {"max_characters": 500, "characters_reserved_per_url": 23, "max_media_attachments": 4}
LINK_TIMEOUT_S = 300.0  # how long the loopback listener waits for the browser
IDEMPOTENCY_WINDOW_S = 3600.0  # Mastodon keeps an Idempotency-Key this long (per account)
TRUST_IDEMPOTENCY_FOR_S = 50 * 60.0  # after this, look for the post before sending it again
FIND_WINDOW_S = 24 * 3600.0  # find_published without first_attempt_at: statuses of the last day
CLOCK_SLACK_S = 300.0  # our clock vs the server's, when comparing created_at with first_attempt_at
FIND_MAX_PAGES = 5  # 5 × 40 recent statuses at most
DEFAULT_RETRY_AFTER_S = 60.0
MAX_RETRY_AFTER_S = 24 * 3600.0


class StaleRegistration(AuthError):
    """The server no longer knows Chorus's app registration (``invalid_client``): register again."""


class LinkCancelled(PublishError):
    """The user cancelled linking while Chorus waited for the browser."""

    def __init__(self) -> None:
        super().__init__("Linking was cancelled.", retryable=True)


# ---------------------------------------------------------------------------------------------
# What the user types → the server's base URL
# ---------------------------------------------------------------------------------------------
@dataclass(frozen=True)
class InstanceAddress:
    url: str  # https://mastodon.social (normalised like core.accounts.normalize_server)
    username: str | None = None  # "alice" when the user typed alice@host or a profile URL


_LABEL = re.compile(r"^(?!-)[a-z0-9-]{1,63}(?<!-)$")


def parse_instance(text: str, *, allow_http: bool = False) -> InstanceAddress:
    """Understand what a user types for "your Mastodon server".

    Accepts ``alice@mastodon.social``, ``@alice@mastodon.social``, ``acct:alice@host``,
    ``https://mastodon.social``, ``https://mastodon.social/@alice``, ``mastodon.social/``,
    ``Mastodon.Social``, ``host:8443`` and internationalised names (as punycode). ``http://`` is
    only accepted for this computer (``127.0.0.1``, ``::1``, ``localhost``, e.g. a training sandbox)
    unless *allow_http*. Raises ValueError with a sentence for people.
    """
    raw = (text or "").strip()
    if not raw:
        raise ValueError("Enter your Mastodon server, for example mastodon.social or alice@mastodon.social.")
    if any(ch.isspace() for ch in raw):
        raise ValueError(f"“{raw}” is not a server name: it contains spaces.")
    username: str | None = None
    scheme = "https"
    rest = raw
    if rest.lower().startswith("acct:"):
        rest = rest[5:]
    match = re.match(r"^([A-Za-z][A-Za-z0-9+.-]*)://(.*)$", rest)
    if match:
        scheme, rest = match.group(1).lower(), match.group(2)
        if scheme not in ("http", "https"):
            raise ValueError(f"“{raw}” is not a web address of a Mastodon server.")
        rest, _, path = rest.partition("/")
        profile = re.match(r"^@([A-Za-z0-9_]+)", path)
        if profile:
            username = profile.group(1)
        if "@" in rest:  # user:password@host — never expected here
            raise ValueError(f"“{raw}” contains a user name and password; enter just the server.")
    else:
        rest, _, path = rest.removeprefix("@").partition("/")
        if "@" in rest:  # alice@mastodon.social
            user, _, rest = rest.rpartition("@")
            if not user or "@" in user:
                raise ValueError(f"“{raw}” is not a Mastodon address like alice@mastodon.social.")
            username = user
        profile = re.match(r"^@([A-Za-z0-9_]+)", path)
        if profile and username is None:
            username = profile.group(1)
    host, port = _split_host_port(rest, raw)
    host = _normalise_host(host, raw)
    if scheme == "http" and not allow_http and not is_loopback_host(host):
        raise ValueError(f"“{raw}” uses http://. Mastodon servers are reached over https://; "
                         "plain http is only accepted for this computer.")
    shown = f"[{host}]" if ":" in host else host
    if port is not None and not ((scheme == "https" and port == 443) or (scheme == "http" and port == 80)):
        shown += f":{port}"
    return InstanceAddress(normalize_server(f"{scheme}://{shown}"), username)


def normalise_instance(text: str, *, allow_http: bool = False) -> str:
    """The base URL of the Mastodon server the user means (see :func:`parse_instance`)."""
    return parse_instance(text, allow_http=allow_http).url


def _split_host_port(text: str, raw: str) -> tuple[str, int | None]:
    if text.startswith("["):  # [::1]:8080
        host, _, after = text[1:].partition("]")
        if after and not after.startswith(":"):
            raise ValueError(f"“{raw}” is not a server name.")
        port_text = after[1:] if after else ""
    elif text.count(":") == 1:
        host, port_text = text.split(":")
    else:
        host, port_text = text, ""
    if port_text:
        if not port_text.isdigit() or not 0 < int(port_text) < 65536:
            raise ValueError(f"“{raw}” has an invalid port number.")
        return host, int(port_text)
    return host, None


def _normalise_host(host: str, raw: str) -> str:
    host = host.strip().rstrip(".").lower()
    if not host:
        raise ValueError(f"“{raw}” does not name a server.")
    try:
        return str(ipaddress.ip_address(host))
    except ValueError:
        pass
    try:
        ascii_host = host.encode("idna").decode("ascii")
    except UnicodeError:
        raise ValueError(f"“{raw}” is not a valid server name.") from None
    labels = ascii_host.split(".")
    if not all(_LABEL.match(label) for label in labels):
        raise ValueError(f"“{raw}” is not a valid server name.")
    if len(labels) < 2 and ascii_host != "localhost":
        raise ValueError(f"“{raw}” is not a full server name (for example mastodon.social).")
    return ascii_host


# ---------------------------------------------------------------------------------------------
# The client
# ---------------------------------------------------------------------------------------------
@dataclass(frozen=True)
class PendingAuthorization:
    """One started authorization: what the code exchange needs afterwards. Holds secrets: keep it
    in memory only, for as long as the user is in the browser."""

    registration: AppRegistration
    client_secret: str = field(repr=False)
    redirect_uri: str
    state: str = field(repr=False)
    pkce: Pkce = field(repr=False)
    url: str = field(repr=False)  # the authorization page to open in the browser


class MastodonClient:
    """NetworkClient for Mastodon, plus account linking. Blocking: call it from a worker thread."""

    network = NETWORK

    def __init__(self, session: requests.Session | None = None, *, timeout: tuple[float, float] = DEFAULT_TIMEOUT,
                 client_name: str = CLIENT_NAME, website: str = WEBSITE, allow_http: bool = False,
                 clock: Callable[[], float] = time.time, deadline: float = DEFAULT_DEADLINE_S,
                 max_bytes: int = MAX_JSON_BYTES) -> None:
        self.http = session or make_session(timeout)
        self.timeout = timeout
        self.deadline = deadline  # seconds for one whole exchange with the server
        self.max_bytes = max_bytes  # the largest answer read from the server
        self.client_name = client_name
        self.website = website
        self.allow_http = allow_http
        self.clock = clock

    # -- app registration ----------------------------------------------------------------------
    def register_app(self, server: str) -> tuple[AppRegistration, str]:
        """``POST /api/v1/apps``: Chorus's registration on *server* and its client secret.

        The registration goes to the database, the secret to the keyring (AccountService.
        save_app_registration); both are re-used for every account on that server."""
        server = self._server(server)
        response = self._call("POST", server, "/api/v1/apps", data={
            "client_name": self.client_name,
            "redirect_uris": "\n".join(REDIRECT_URIS),  # one per line: accepted by every version
            "scopes": SCOPES,
            "website": self.website,
        }, what="registering Chorus", raise_for_status=False)
        if response.status_code in (404, 405, 501) or (response.ok and not _is_json(response)):
            raise PublishError(f"{host_of(server)} does not look like a Mastodon server (it has no app registration, "
                               f"HTTP {response.status_code}). Check the address.", retryable=False,
                               status=response.status_code)
        if not response.ok:
            self._raise_for(response, server, "registering Chorus", write=False)
        data = _json_object(response, server, "registering Chorus")
        client_id, client_secret = data.get("client_id"), data.get("client_secret")
        if not isinstance(client_id, str) or not isinstance(client_secret, str) or not client_id or not client_secret:
            raise PublishError(f"{host_of(server)} did not register Chorus (no client credentials in its answer). "
                               "Is it a Mastodon server?", retryable=False)
        register_secret(client_secret)
        uris = data.get("redirect_uris") or str(data.get("redirect_uri") or "").split()
        scopes = data.get("scopes")
        registration = AppRegistration(
            network=NETWORK, server=server, client_id=client_id,
            redirect_uris=tuple(str(u) for u in uris) or REDIRECT_URIS,
            scopes=" ".join(scopes) if isinstance(scopes, list) else str(scopes or SCOPES),
            created_at=self.clock(),
        )
        log.info("Registered Chorus on %s", host_of(server))
        return registration, client_secret

    def app_is_valid(self, registration: AppRegistration, client_secret: str) -> bool:
        """True when *server* still accepts the registration's client credentials.

        Asks for an app token (``client_credentials``); only ``invalid_client`` means "no"."""
        response = self._call("POST", registration.server, "/oauth/token", data={
            "grant_type": "client_credentials", "client_id": registration.client_id,
            "client_secret": client_secret, "scope": "read:accounts",
        }, what="checking Chorus's registration", raise_for_status=False)
        if response.status_code == 401:
            return False
        if response.ok:
            token = _json_object(response, registration.server, "checking Chorus's registration").get("access_token")
            register_secret(token if isinstance(token, str) else None)
            return True
        self._raise_for(response, registration.server, "checking Chorus's registration", write=False)
        return True  # pragma: no cover - _raise_for raises for every non-2xx answer

    def ensure_app(self, server: str, cached: tuple[AppRegistration, str] | None = None
                   ) -> tuple[AppRegistration, str]:
        """The cached registration when it still works and has Chorus's redirect URIs and scopes,
        else a fresh one. Compare the result with *cached* to know whether to store it."""
        server = self._server(server)
        if cached is not None:
            registration, secret = cached
            fits = (normalize_server(registration.server) == server
                    and set(REDIRECT_URIS) <= set(registration.redirect_uris)
                    and set(SCOPES.split()) <= set(registration.scopes.split()))
            if fits and self.app_is_valid(registration, secret):
                return cached
            log.info("The registration on %s is %s: registering again", host_of(server),
                     "no longer accepted" if fits else "outdated")
        return self.register_app(server)

    # -- authorization -------------------------------------------------------------------------
    def authorization_url(self, registration: AppRegistration, redirect_uri: str, state: str, pkce: Pkce, *,
                          force_login: bool = False) -> str:
        query = {
            "response_type": "code",
            "client_id": registration.client_id,
            "redirect_uri": redirect_uri,
            "scope": SCOPES,
            "state": state,
            "code_challenge": pkce.challenge,
            "code_challenge_method": pkce.method,
        }
        if force_login:
            query["force_login"] = "true"
        return f"{self._server(registration.server)}/oauth/authorize?{urlencode(query)}"

    def begin_authorization(self, registration: AppRegistration, client_secret: str, redirect_uri: str, *,
                            force_login: bool = False) -> PendingAuthorization:
        state, pkce = new_state(), new_pkce()
        register_secret(pkce.verifier)
        return PendingAuthorization(registration, client_secret, redirect_uri, state, pkce,
                                    self.authorization_url(registration, redirect_uri, state, pkce,
                                                           force_login=force_login))

    def link_with_browser(self, registration: AppRegistration, client_secret: str,
                          open_browser: Callable[[str], object], *, timeout: float = LINK_TIMEOUT_S,
                          cancel: threading.Event | None = None, force_login: bool = False) -> tuple[Account, str]:
        """Authorize in the browser with a loopback redirect; returns the account and its token.

        *open_browser(url)* opens the authorization page; returning ``False`` means it could not
        (then use :meth:`begin_oob`). Waits up to *timeout* seconds for the browser to come back,
        or until *cancel* is set (:class:`LinkCancelled`)."""
        server = self._server(registration.server)
        state, pkce = new_state(), new_pkce()
        register_secret(pkce.verifier)
        with LoopbackListener(state, REDIRECT_PATH) as listener:
            redirect_uri = listener.redirect_uri
            url = self.authorization_url(registration, redirect_uri, state, pkce, force_login=force_login)
            try:
                opened = open_browser(url)
            except Exception as exc:
                raise PublishError(f"Chorus could not open your web browser ({type(exc).__name__}). "
                                   "Use “paste a code” instead.", retryable=False) from None
            if opened is False:
                raise PublishError("Chorus could not open your web browser. Use “paste a code” instead.",
                                   retryable=False)
            log.info("Waiting up to %.0f s for the browser to authorize Chorus on %s", timeout, host_of(server))
            try:
                params = listener.wait(timeout, cancel)
            except LoopbackCancelled:
                raise LinkCancelled() from None
            except LoopbackTimeout:
                raise PublishError(f"No answer from the browser within {human_duration(timeout)}. Try again, or use "
                                   "“paste a code” instead.", retryable=True) from None
        code = self._code_from_redirect(params, server)
        pending = PendingAuthorization(registration, client_secret, redirect_uri, state, pkce, url)
        return self._finish(pending, code)

    def begin_oob(self, registration: AppRegistration, client_secret: str, *, force_login: bool = False
                  ) -> PendingAuthorization:
        """The paste-the-code fallback: open ``pending.url``; the server shows a code to copy."""
        return self.begin_authorization(registration, client_secret, OOB_REDIRECT_URI, force_login=force_login)

    def complete_oob(self, pending: PendingAuthorization, code: str) -> tuple[Account, str]:
        code = (code or "").strip()
        if not code or any(ch.isspace() for ch in code):
            raise AuthError("Paste the authorization code your Mastodon server showed.")
        return self._finish(pending, code)

    def _code_from_redirect(self, params: dict[str, str], server: str) -> str:
        error = params.get("error")
        if error == "access_denied":
            raise AuthError(f"You did not authorize Chorus on {host_of(server)}.")
        if error:
            description = clip(params.get("error_description") or error)
            raise AuthError(f"{host_of(server)} did not authorize Chorus: {description}")
        code = params.get("code") or ""
        if not code:
            raise AuthError(f"{host_of(server)} sent the browser back without an authorization code.")
        return code

    def _finish(self, pending: PendingAuthorization, code: str) -> tuple[Account, str]:
        token = self.exchange_code(pending, code)
        account = self.account_for_token(pending.registration.server, token)
        log.info("Linked Mastodon account %s", account.handle)
        return account, token

    def exchange_code(self, pending: PendingAuthorization, code: str) -> str:
        """``POST /oauth/token`` (authorization_code + PKCE verifier): the access token."""
        register_secret(code)
        registration = pending.registration
        server = self._server(registration.server)
        response = self._call("POST", server, "/oauth/token", data={
            "grant_type": "authorization_code",
            "code": code,
            "redirect_uri": pending.redirect_uri,
            "client_id": registration.client_id,
            "client_secret": pending.client_secret,
            "code_verifier": pending.pkce.verifier,
        }, what="signing in", raise_for_status=False)
        if not response.ok:
            error, description = _oauth_error(response)
            if response.status_code == 401 or error == "invalid_client":
                raise StaleRegistration(f"{host_of(server)} no longer knows Chorus's registration. Try again: "
                                        "Chorus will register anew.", status=response.status_code)
            if error == "invalid_grant":
                raise AuthError(f"{host_of(server)} did not accept the authorization (it may have expired or been "
                                "used already). Try linking again.", status=response.status_code)
            if error:
                raise AuthError(f"{host_of(server)} refused to sign Chorus in: {clip(description or error)}",
                                status=response.status_code)
            self._raise_for(response, server, "signing in", write=False)
        data = _json_object(response, server, "signing in")
        token = data.get("access_token")
        if not isinstance(token, str) or not token:
            raise PublishError(f"{host_of(server)} signed Chorus in but sent no access token.", retryable=True)
        register_secret(token)
        granted = set(str(data.get("scope") or SCOPES).split())
        if not ({"write", "write:statuses"} & granted):
            raise AuthError(f"{host_of(server)} did not allow Chorus to post (granted: {' '.join(sorted(granted))}).")
        return token

    def revoke(self, registration: AppRegistration, client_secret: str, token: str) -> bool:
        """``POST /oauth/revoke`` (on unlink). Best effort: False when the server could not be told."""
        try:
            response = self._call("POST", registration.server, "/oauth/revoke", data={
                "token": token, "client_id": registration.client_id, "client_secret": client_secret,
            }, what="signing out", raise_for_status=False)
        except PublishError as exc:
            log.warning("Could not revoke the token on %s: %s", host_of(registration.server), exc.reason)
            return False
        if not response.ok:
            log.warning("%s refused to revoke the token (HTTP %s)", host_of(registration.server), response.status_code)
        return response.ok

    # -- account and instance ------------------------------------------------------------------
    def account_for_token(self, server: str, token: str) -> Account:
        """The linked account's metadata: who the token belongs to, and the instance's limits."""
        server = self._server(server)
        response = self._call("GET", server, "/api/v1/accounts/verify_credentials", token=token,
                              what="reading your profile")
        data = _json_object(response, server, "reading your profile")
        remote_id, username = str(data.get("id") or ""), str(data.get("username") or "")
        if not remote_id or not username:
            raise PublishError(f"{host_of(server)} sent an incomplete profile.", retryable=True)
        domain, limits = self.instance_info(server)
        return Account(
            id=f"mastodon:{host_of(server)}:{remote_id}",
            network=NETWORK,
            handle=f"@{username}@{domain}",
            server=server,
            remote_id=remote_id,
            display_name=str(data.get("display_name") or "") or username,
            avatar_url=str(data.get("avatar_static") or data.get("avatar") or ""),
            expires_at=None,  # Mastodon tokens do not expire
            limits=limits,
        )

    def refresh_account(self, account: Account, secret: str, *, on_secret: SecretSink | None = None) -> Account:
        """Current profile and limits of a linked account (AuthError when the token stopped working)."""
        fresh = self.account_for_token(account.server, secret)
        return dataclasses.replace(fresh, id=account.id)

    def instance_info(self, server: str) -> tuple[str, dict[str, int]]:
        """The instance's domain (for handles) and its posting limits.

        ``GET /api/v2/instance`` (Mastodon 4.0+), else ``/api/v1/instance`` (its ``configuration``
        since 3.4, or ``max_toot_chars`` on some forks), else the defaults."""
        server = self._server(server)
        limits = dict(DEFAULT_LIMITS)
        domain = host_of(server)
        for path in ("/api/v2/instance", "/api/v1/instance"):
            response = self._call("GET", server, path, what="reading the server's limits", raise_for_status=False)
            if response.status_code in (404, 410):
                continue
            if not response.ok:
                self._raise_for(response, server, "reading the server's limits", write=False)
            data = _json_object(response, server, "reading the server's limits")
            domain = str(data.get("domain") or data.get("uri") or domain)
            statuses = ((data.get("configuration") or {}).get("statuses") or {})
            for key in DEFAULT_LIMITS:
                value = statuses.get(key)
                if isinstance(value, int) and not isinstance(value, bool) and value > 0:
                    limits[key] = value
            if isinstance(data.get("max_toot_chars"), int) and "max_characters" not in statuses:
                limits["max_characters"] = int(data["max_toot_chars"])
            break
        return domain, limits

    # -- publishing ----------------------------------------------------------------------------
    def publish(self, account: Account, secret: str, post: Post, *, on_secret: SecretSink | None = None) -> Published:
        """Post *post* as a status. Safe to call again after any failure with the same post."""
        server = self._account_server(account)
        if not post.text.strip():
            raise PublishError("The post is empty.", retryable=False)
        if not post.idempotency_key:
            raise ValueError("a post needs an idempotency key")
        if post.first_attempt_at is not None and self.clock() - post.first_attempt_at > TRUST_IDEMPOTENCY_FOR_S:
            # The server may have forgotten the key: look before sending again.
            found = self.find_published(account, secret, post)
            if found is not None:
                log.info("Found the post sent earlier on %s: not sending it again", host_of(server))
                return found
        body: dict[str, Any] = {"status": post.text}
        if post.language:
            body["language"] = post.language
        response = self._call("POST", server, "/api/v1/statuses", token=secret, json=body,
                              headers={"Idempotency-Key": post.idempotency_key}, what="publishing", write=True)
        data = _json_object(response, server, "publishing", ambiguous=True)
        status_id = str(data.get("id") or "")
        if not status_id:
            raise PublishError(f"{host_of(server)} answered without the new post's id.", ambiguous=True)
        return Published(url=str(data.get("url") or data.get("uri") or f"{server}/web/statuses/{status_id}"),
                         remote_id=status_id)

    def find_published(self, account: Account, secret: str, post: Post, *,
                       on_secret: SecretSink | None = None) -> Published | None:
        """The status Chorus published for *post*, if the server has it.

        Mastodon cannot look a status up by its Idempotency-Key, so this reads the account's
        recent statuses (newest first, back to the first attempt) and takes the one with the
        same text that Chorus posted, confirming the text with ``/source`` where available."""
        server = self._account_server(account)
        remote_id = account.remote_id or self.account_for_token(server, secret).remote_id
        since = (post.first_attempt_at - CLOCK_SLACK_S) if post.first_attempt_at is not None \
            else self.clock() - FIND_WINDOW_S
        wanted = _comparable(post.text)
        params: dict[str, Any] = {"limit": 40, "exclude_reblogs": "true"}
        for _ in range(FIND_MAX_PAGES):
            response = self._call("GET", server, f"/api/v1/accounts/{remote_id}/statuses", token=secret,
                                  params=params, what="looking for the post")
            try:
                page = decode_json(response) if _is_json(response) else None
            except ValueError:
                page = None
            if not isinstance(page, list):
                raise PublishError(f"{host_of(server)} sent an unexpected answer while Chorus looked for the post.")
            too_old = False
            for status in page:
                if not isinstance(status, dict) or status.get("reblog"):
                    continue
                created = _parse_time(status.get("created_at"))
                if created is not None and created < since:
                    too_old = True
                    continue
                application = status.get("application")
                if isinstance(application, dict) and application.get("name") not in (None, self.client_name):
                    continue
                if _comparable(_html_to_text(str(status.get("content") or ""))) != wanted:
                    continue
                if self._source_matches(server, secret, str(status.get("id")), post.text):
                    return Published(url=str(status.get("url") or status.get("uri") or ""),
                                     remote_id=str(status.get("id")))
            if too_old or len(page) < params["limit"] or not page:
                return None
            params["max_id"] = page[-1].get("id")
        return None

    def _source_matches(self, server: str, token: str, status_id: str, text: str) -> bool:
        response = self._call("GET", server, f"/api/v1/statuses/{status_id}/source", token=token,
                              what="looking for the post", raise_for_status=False)
        if response.status_code in (401, 403, 404, 410):  # older servers, or no read:statuses: trust the HTML
            return True
        if not response.ok:
            self._raise_for(response, server, "looking for the post", write=False)
        try:
            source = decode_json(response) if _is_json(response) else {}
        except ValueError:
            source = {}
        return isinstance(source, dict) and str(source.get("text") or "").strip() == text.strip()

    # -- HTTP ----------------------------------------------------------------------------------
    def _server(self, server: str) -> str:
        return normalise_instance(server, allow_http=self.allow_http)

    def _account_server(self, account: Account) -> str:
        if account.network != NETWORK:
            raise ValueError(f"not a Mastodon account: {account.network}")
        return self._server(account.server)

    def _call(self, method: str, server: str, path: str, *, token: str | None = None,
              headers: dict[str, str] | None = None, what: str, write: bool = False,
              raise_for_status: bool = True, **kwargs: Any) -> requests.Response:
        """One request (:func:`fetch`: never redirected, capped, with a deadline); network failures
        become PublishError. *write*: the request changes something, so a failure after it went out
        is ambiguous."""
        all_headers = {"Accept": "application/json", **(headers or {})}
        if token is not None:
            all_headers["Authorization"] = f"Bearer {token}"
        response = fetch(self.http, method, server + path, headers=all_headers, timeout=self.timeout, what=what,
                         where=host_of(server), write=write, deadline=self.deadline, max_bytes=self.max_bytes,
                         allow_http=self.allow_http, **kwargs)
        if raise_for_status and not response.ok:
            self._raise_for(response, server, what, write=write)
        return response

    def _raise_for(self, response: requests.Response, server: str, what: str, *, write: bool) -> None:
        host, status = host_of(server), response.status_code
        message = _server_message(response)
        if status == 401:
            raise AuthError(f"{host} no longer accepts Chorus's access to this account"
                            f"{f' ({message})' if message else ''}. Link the account again.", status=status)
        if status == 403 and message and "outside the authorized scopes" in message:
            raise AuthError(f"Chorus is not allowed to do this on {host} ({message}). Link the account again.",
                            status=status)
        if status == 429:
            wait = retry_after_seconds(response.headers, self.clock())
            raise RateLimited(f"{host} asks Chorus to slow down (rate limit). Chorus can try again in "
                              f"{human_duration(wait)}.", wait, status=status)
        if status >= 500:
            if write:
                raise PublishError(f"{host} had a problem while {what} (HTTP {status}). The post may or may not "
                                   "have been published; Chorus checks before sending it again.",
                                   ambiguous=True, retryable=True, status=status)
            raise PublishError(f"{host} had a problem while {what} (HTTP {status}). Try again later.",
                               retryable=True, status=status)
        if 300 <= status < 400:
            raise PublishError(f"{host} redirected Chorus elsewhere while {what} (HTTP {status}). Check the "
                               "server address.", retryable=False, status=status)
        if status == 404 and not message:
            raise PublishError(f"{host} does not offer this (HTTP 404 while {what}). Is it a Mastodon server?",
                               retryable=False, status=status)
        raise PublishError(f"{host} refused {what}: {message or f'HTTP {status}'}", retryable=False, status=status)


# ---------------------------------------------------------------------------------------------
# Pure helpers
# ---------------------------------------------------------------------------------------------
def retry_after_seconds(headers: Any, now: float | None = None) -> float:
    """How long to wait after a 429, from ``Retry-After`` (seconds or an HTTP date) or
    ``X-RateLimit-Reset`` (Mastodon: ISO 8601; some servers: epoch seconds). Times are measured
    against the server's ``Date`` header when it sent one, so a skewed local clock does not matter."""
    now = time.time() if now is None else now
    server_now = now
    date = headers.get("Date")
    if date:
        try:
            server_now = parsedate_to_datetime(date).timestamp()
        except (TypeError, ValueError, IndexError, OverflowError):
            server_now = now
    wait: float | None = None
    retry = (headers.get("Retry-After") or "").strip()
    if retry:
        try:
            wait = float(retry)
        except ValueError:
            try:
                wait = parsedate_to_datetime(retry).timestamp() - server_now
            except (TypeError, ValueError, IndexError, OverflowError):
                wait = None
    if wait is None:
        reset = (headers.get("X-RateLimit-Reset") or "").strip()
        if reset:
            try:
                value = float(reset)
            except ValueError:
                moment = _parse_time(reset)
                if moment is not None:
                    wait = moment - server_now
            else:
                if value > 1e12:  # epoch milliseconds
                    wait = value / 1000.0 - server_now
                elif value > 1e8:  # epoch seconds
                    wait = value - server_now
                else:  # seconds from now
                    wait = value
    if wait is None or wait != wait:  # missing or NaN
        return DEFAULT_RETRY_AFTER_S
    return min(max(wait, 1.0), MAX_RETRY_AFTER_S)


def _parse_time(value: Any) -> float | None:
    if not isinstance(value, str) or not value:
        return None
    try:
        moment = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        return None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=timezone.utc)
    return moment.timestamp()








def _is_json(response: requests.Response) -> bool:
    return "json" in (response.headers.get("Content-Type") or "").lower()


def _json_object(response: requests.Response, server: str, what: str, *, ambiguous: bool = False) -> dict[str, Any]:
    try:
        data = decode_json(response)
    except ValueError:
        data = None
    if not isinstance(data, dict):
        raise PublishError(f"{host_of(server)} sent an answer Chorus does not understand while {what}. "
                           "Is it a Mastodon server?", retryable=True, ambiguous=ambiguous)
    return data


def _server_message(response: requests.Response) -> str:
    if not _is_json(response):
        return ""
    try:
        data = decode_json(response)
    except ValueError:
        return ""
    if isinstance(data, dict):
        message = data.get("error_description") or data.get("error") or ""
        return clip(str(message))
    return ""


def _oauth_error(response: requests.Response) -> tuple[str, str]:
    if not _is_json(response):
        return "", ""
    try:
        data = decode_json(response)
    except ValueError:
        return "", ""
    if not isinstance(data, dict):
        return "", ""
    return str(data.get("error") or ""), str(data.get("error_description") or "")








class _TextExtractor(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "br":
            self.parts.append("\n")
        elif tag == "p" and self.parts:
            self.parts.append("\n\n")

    def handle_data(self, data: str) -> None:
        self.parts.append(data)


def _html_to_text(markup: str) -> str:
    """A status's HTML ``content`` back to text: paragraphs, line breaks, the full URLs (Mastodon
    keeps their hidden parts in ``<span class="invisible">``)."""
    parser = _TextExtractor()
    parser.feed(markup)
    parser.close()
    return html.unescape("".join(parser.parts))


_MENTION_DOMAIN = re.compile(r"(?<![\w@])(@\w+(?:[.-]+\w+)*)@[\w.-]+\w", re.UNICODE)


def _comparable(text: str) -> str:
    """What survives Mastodon's rendering: no mention domains, white space collapsed, NFC."""
    text = unicodedata.normalize("NFC", text)
    text = _MENTION_DOMAIN.sub(r"\1", text)
    return " ".join(text.split())

