"""Signing a member in: OAuth 2 (3-legged) in the browser with a loopback redirect on the port IT
registered, and the code exchanged for a token at LinkedIn (with the client secret from the keyring)
or at the organisation's token-exchange service (which holds the secret)."""

from __future__ import annotations

import errno
import logging
import re
import threading
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from urllib.parse import quote, urlencode

from desktop.adapters.common import DEFAULT_RETRY_AFTER_S, LinkCancelled
from desktop.adapters.http import clip, fetch, human_duration, json_or_none
from desktop.adapters.networks.linkedin.api import LinkedInApi
from desktop.adapters.networks.linkedin.config import REDIRECT_PATH, LinkedInConfig, NotConfigured, client_secret_key
from desktop.adapters.oauth import LoopbackCancelled, LoopbackListener, LoopbackTimeout, new_state
from desktop.core.logs import register_secret
from desktop.core.ports import Account, AuthError, PublishError, RateLimited

log = logging.getLogger(__name__)

TOKEN_LIFETIME_S = 60 * 24 * 3600.0  # when the token answer has no expires_in
LINK_TIMEOUT_S = 300.0


@dataclass(frozen=True)
class TokenGrant:
    access_token: str = field(repr=False)
    expires_at: float
    scopes: frozenset[str]


class LinkedInOAuth(LinkedInApi):
    """Linking a LinkedIn member."""

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
            except Exception as exc:  # noqa: BLE001 - the injected browser opener (webbrowser, a desktop portal) may raise anything
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


def _port_problem(exc: OSError, port: int) -> str:
    if exc.errno in (errno.EADDRINUSE, getattr(errno, "WSAEADDRINUSE", -1)):
        return (f"Another program on this computer uses port {port}, which LinkedIn sign-in needs. Close it and try "
                "again, or ask IT to choose another port (linkedin.redirect_port and the app's redirect URL).")
    if exc.errno in (errno.EACCES, getattr(errno, "WSAEACCES", -1)):
        return f"This computer does not let Chorus listen on port {port}. Ask IT to choose a port above 1024."
    return f"Chorus cannot listen on port {port} for LinkedIn sign-in ({type(exc).__name__})."
