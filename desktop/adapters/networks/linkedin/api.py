"""Talking to LinkedIn's API: every request (:func:`desktop.adapters.http.fetch`, https only), what
its failures mean (:func:`retry_after_seconds` for its rate limits), and the member behind a token."""

from __future__ import annotations

import dataclasses
import logging
import re
import time
from collections.abc import Callable, Mapping
from typing import Any
from urllib.parse import urlsplit

import requests

from desktop.adapters.common import (
    bounded_wait,
    header_wait,
    json_object,
    raise_for_status,
    server_message,
    until_next_utc_midnight,
)
from desktop.adapters.http import DEFAULT_DEADLINE_S, DEFAULT_TIMEOUT, MAX_JSON_BYTES, fetch, host_of, make_session
from desktop.adapters.networks.linkedin.config import LinkedInConfig, NotConfigured, _secure_or_local, version_warning
from desktop.core.networks.linkedin import ID, MAX_UTF16_UNITS
from desktop.core.ports import Account, AuthError, PublishError, SecretSink

log = logging.getLogger(__name__)

RESTLI_PROTOCOL_VERSION = "2.0.0"
MAX_COMMENTARY = MAX_UTF16_UNITS  # UTF-16 code units (desktop.core.networks.linkedin)

_PERSON_URN_RE = re.compile(r"^urn:li:person:[A-Za-z0-9_-]+$")


def retry_after_seconds(headers: Mapping[str, str], message: str = "", now: float | None = None) -> float:
    """How long to wait after a 429: what the headers say (:func:`desktop.adapters.common.header_wait`:
    ``Retry-After`` when LinkedIn sends one); for a daily limit ("… DAY limit …"), until 00:00 UTC
    when LinkedIn resets them; else a minute. Between a second and a day."""
    now = time.time() if now is None else now
    wait = header_wait(headers, now)
    if wait is None and re.search(r"\bDAY\b", message or "", re.IGNORECASE):
        wait = until_next_utc_midnight(now)
    return bounded_wait(wait)


class LinkedInApi:
    """The requests every part of the LinkedIn client makes. Blocking: call it from a worker thread."""

    network = ID

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

    def account_for_token(self, token: str, expires_at: float | None = None) -> Account:
        """The member the token belongs to, from ``GET /v2/userinfo`` (OpenID Connect)."""
        response = self._call("GET", "/v2/userinfo", token=token, what="reading your LinkedIn profile")
        data = self._json(response, "reading your LinkedIn profile")
        sub = data.get("sub")
        if not isinstance(sub, str) or not re.fullmatch(r"[A-Za-z0-9_-]+", sub):
            raise PublishError("LinkedIn sent a profile without a member id.", retryable=True)
        name = str(data.get("name") or " ".join(str(data.get(k) or "") for k in ("given_name", "family_name"))).strip()
        picture = data.get("picture")
        return Account(
            id=f"{ID}:{sub}",
            network=ID,
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

    # -- HTTP ----------------------------------------------------------------------------------
    def _author(self, account: Account) -> str:
        if account.network != ID:
            raise ValueError(f"not a LinkedIn account: {account.network}")
        if not _PERSON_URN_RE.match(account.remote_id):
            raise AuthError("This LinkedIn account has no member id. Link it again.")
        return account.remote_id

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

    def _json(self, response: requests.Response, what: str) -> dict[str, Any]:
        return json_object(response, where="LinkedIn", what=what)

    def _raise_for(self, response: requests.Response, what: str, *, write: bool) -> None:
        """What LinkedIn's own answers mean (an expired or revoked token, a retired API version, a
        daily limit), then the answers every network shares (:func:`raise_for_status`)."""
        status, message = response.status_code, server_message(response)
        detail = f" ({message})" if message else ""
        if status == 401:
            lowered = message.lower()
            if "expired" in lowered:
                raise AuthError("Chorus's access to your LinkedIn account has expired (LinkedIn access lasts 60 "
                                "days). Link the account again.", status=status)
            if "revoked" in lowered:
                raise AuthError("Chorus's access to your LinkedIn account was revoked. Link the account again.",
                                status=status)
        if status == 426:
            raise PublishError(f"LinkedIn no longer accepts API version {self.config.api_version}{detail}. Ask IT to "
                               "set linkedin.api_version to a current version (YYYYMM).", retryable=False,
                               status=status)
        raise_for_status(response, where="LinkedIn", what=what, write=write, message=message,
                         retry_after=retry_after_seconds(response.headers, message, self.clock())
                         if status == 429 else None)
