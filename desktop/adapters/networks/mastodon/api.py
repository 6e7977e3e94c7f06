"""Talking to one Mastodon server: every request (:func:`desktop.adapters.http.fetch`), what its
failures mean, and who a token belongs to (the account and its server's limits)."""

from __future__ import annotations

import dataclasses
import logging
import time
from collections.abc import Callable
from typing import Any

import requests

from desktop.adapters.common import json_object, raise_for_status, retry_after_seconds, server_message
from desktop.adapters.http import DEFAULT_DEADLINE_S, DEFAULT_TIMEOUT, MAX_JSON_BYTES, fetch, host_of, make_session
from desktop.adapters.networks.mastodon.instance import DEFAULT_LIMITS, limits_from_instance, normalise_instance
from desktop.core.networks.mastodon import ID
from desktop.core.ports import Account, AuthError, PublishError, SecretSink

log = logging.getLogger(__name__)

CLIENT_NAME = "Chorus"
WEBSITE = "https://chorus.example/desktop"
NOT_MASTODON = "Is it a Mastodon server?"


class MastodonApi:
    """The requests every part of the Mastodon client makes. Blocking: call it from a worker thread."""

    network = ID

    def __init__(self, session: requests.Session | None = None, *, timeout: tuple[float, float] = DEFAULT_TIMEOUT,
                 client_name: str = CLIENT_NAME, website: str = WEBSITE, allow_http: bool = False,
                 clock: Callable[[], float] = time.time, deadline: float = DEFAULT_DEADLINE_S,
                 max_bytes: int = MAX_JSON_BYTES, sleep: Callable[[float], None] = time.sleep) -> None:
        self.http = session or make_session(timeout)
        self.timeout = timeout
        self.deadline = deadline  # seconds for one whole exchange with the server
        self.max_bytes = max_bytes  # the largest answer read from the server
        self.client_name = client_name
        self.website = website
        self.allow_http = allow_http
        self.clock = clock
        self.sleep = sleep  # between polls of an image the server is still processing

    # -- account and instance ------------------------------------------------------------------
    def account_for_token(self, server: str, token: str) -> Account:
        """The linked account's metadata: who the token belongs to, and the instance's limits."""
        server = self._server(server)
        response = self._call("GET", server, "/api/v1/accounts/verify_credentials", token=token,
                              what="reading your profile")
        data = self._json(response, server, "reading your profile")
        remote_id, username = str(data.get("id") or ""), str(data.get("username") or "")
        if not remote_id or not username:
            raise PublishError(f"{host_of(server)} sent an incomplete profile.", retryable=True)
        domain, limits = self.instance_info(server)
        return Account(
            id=f"{ID}:{host_of(server)}:{remote_id}",
            network=ID,
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
        for path in ("/api/v2/instance", "/api/v1/instance"):
            response = self._call("GET", server, path, what="reading the server's limits", raise_for_status=False)
            if response.status_code in (404, 410):
                continue
            if not response.ok:
                self._raise_for(response, server, "reading the server's limits", write=False)
            return limits_from_instance(self._json(response, server, "reading the server's limits"), host_of(server))
        return host_of(server), dict(DEFAULT_LIMITS)

    # -- HTTP ----------------------------------------------------------------------------------
    def _server(self, server: str) -> str:
        return normalise_instance(server, allow_http=self.allow_http)

    def _account_server(self, account: Account) -> str:
        if account.network != ID:
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
                         where=host_of(server), write=write, deadline=kwargs.pop("deadline", self.deadline),
                         max_bytes=self.max_bytes,
                         allow_http=self.allow_http, **kwargs)
        if raise_for_status and not response.ok:
            self._raise_for(response, server, what, write=write)
        return response

    def _json(self, response: requests.Response, server: str, what: str, *, ambiguous: bool = False
              ) -> dict[str, Any]:
        return json_object(response, where=host_of(server), what=what, ambiguous=ambiguous, hint=NOT_MASTODON)

    def _raise_for(self, response: requests.Response, server: str, what: str, *, write: bool) -> None:
        """What Mastodon's own answers mean (a 403 for a missing scope, a bare 404 from something
        that is not Mastodon), then the answers every network shares (:func:`raise_for_status`)."""
        host, status = host_of(server), response.status_code
        message = server_message(response)
        if status == 403 and message and "outside the authorized scopes" in message:
            raise AuthError(f"Chorus is not allowed to do this on {host} ({message}). Link the account again.",
                            status=status)
        if status == 404 and not message:
            raise PublishError(f"{host} does not offer this (HTTP 404 while {what}). {NOT_MASTODON}",
                               retryable=False, status=status)
        raise_for_status(response, where=host, what=what, write=write, message=message,
                         retry_after=retry_after_seconds(response.headers, self.clock()) if status == 429 else None)
