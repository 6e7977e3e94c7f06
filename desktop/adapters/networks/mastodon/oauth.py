"""Signing in to a Mastodon server: Chorus's app registration there (``POST /api/v1/apps``, checked
and renewed), and OAuth 2 authorization with PKCE, through a loopback redirect or a code the person
pastes (the ``urn:ietf:wg:oauth:2.0:oob`` redirect)."""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from urllib.parse import urlencode

from desktop.adapters.common import LinkCancelled, is_json, oauth_error
from desktop.adapters.http import clip, host_of, human_duration
from desktop.adapters.networks.mastodon.api import MastodonApi
from desktop.adapters.oauth import LoopbackCancelled, LoopbackListener, LoopbackTimeout, Pkce, new_pkce, new_state
from desktop.core.accounts.store import normalize_server
from desktop.core.logs import register_secret
from desktop.core.networks.mastodon import ID
from desktop.core.ports import Account, AppRegistration, AuthError, PublishError

log = logging.getLogger(__name__)

OOB_REDIRECT_URI = "urn:ietf:wg:oauth:2.0:oob"
REDIRECT_PATH = "/callback"
LOOPBACK_REDIRECT_URI = f"http://127.0.0.1{REDIRECT_PATH}"  # any port matches (Doorkeeper, RFC 8252 §7.3)
REDIRECT_URIS = (LOOPBACK_REDIRECT_URI, OOB_REDIRECT_URI)
# verify_credentials (read:accounts), find_published (read:statuses: own statuses and their source),
# posting (write:statuses) and, later, images (write:media). `profile` would do for the first on 4.4+
# only; older servers refuse scopes they do not know, so the granular 3.x scopes are used.
SCOPES = "read:accounts read:statuses write:statuses write:media"
LINK_TIMEOUT_S = 300.0  # how long the loopback listener waits for the browser


class StaleRegistration(AuthError):
    """The server no longer knows Chorus's app registration (``invalid_client``): register again."""


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


class MastodonOAuth(MastodonApi):
    """App registration and authorization on a Mastodon server."""

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
        if response.status_code in (404, 405, 501) or (response.ok and not is_json(response)):
            raise PublishError(f"{host_of(server)} does not look like a Mastodon server (it has no app registration, "
                               f"HTTP {response.status_code}). Check the address.", retryable=False,
                               status=response.status_code)
        if not response.ok:
            self._raise_for(response, server, "registering Chorus", write=False)
        data = self._json(response, server, "registering Chorus")
        client_id, client_secret = data.get("client_id"), data.get("client_secret")
        if not isinstance(client_id, str) or not isinstance(client_secret, str) or not client_id or not client_secret:
            raise PublishError(f"{host_of(server)} did not register Chorus (no client credentials in its answer). "
                               "Is it a Mastodon server?", retryable=False)
        register_secret(client_secret)
        uris = data.get("redirect_uris") or str(data.get("redirect_uri") or "").split()
        scopes = data.get("scopes")
        registration = AppRegistration(
            network=ID, server=server, client_id=client_id,
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
            token = self._json(response, registration.server, "checking Chorus's registration").get("access_token")
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
            except Exception as exc:  # noqa: BLE001 - the injected browser opener (webbrowser, a desktop portal) may raise anything
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
            error, description = oauth_error(response)
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
        data = self._json(response, server, "signing in")
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
