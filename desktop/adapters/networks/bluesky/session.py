"""Bluesky sign-ins: what Chorus keeps in the keyring for an account (:class:`_Credentials`, a small
JSON object: the DID, the access and refresh JWTs and the app password), and how a session is made,
renewed (``refreshSession``, else a new ``createSession`` with the app password) and ended."""

from __future__ import annotations

import base64
import json
import logging
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from desktop.adapters.networks.bluesky.identity import BlueskyIdentity
from desktop.adapters.networks.bluesky.xrpc import _SessionExpired
from desktop.core.logs import register_secret
from desktop.core.ports import Account, AuthError, PublishError, RateLimited, SecretSink

log = logging.getLogger(__name__)

SECRET_VERSION = 1
APP_PASSWORD_SCOPES = {"com.atproto.appPass", "com.atproto.appPassPrivileged"}


@dataclass(frozen=True)
class _Credentials:
    did: str
    access: str
    refresh: str
    app_password: str

    @classmethod
    def parse(cls, secret: str) -> _Credentials:
        try:
            data = json.loads(secret)
            return cls(data["did"], data["access"], data["refresh"], data.get("pw", ""))
        except (ValueError, TypeError, KeyError):
            raise AuthError("The stored Bluesky sign-in is unreadable: link the account again.") from None

    def dump(self) -> str:
        return json.dumps({"v": SECRET_VERSION, "did": self.did, "access": self.access, "refresh": self.refresh,
                           "pw": self.app_password}, separators=(",", ":"))

    def __post_init__(self) -> None:
        for value in (self.access, self.refresh, self.app_password):
            register_secret(value)  # never in a log line, even alone

    def __repr__(self) -> str:  # never print tokens
        return f"_Credentials(did={self.did!r}, …)"


def jwt_claims(token: str) -> dict:
    """The payload of a JWT, unverified (only to read its scope and expiry)."""
    try:
        payload = token.split(".")[1]
        return json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)))
    except (IndexError, ValueError):
        return {}


class BlueskySessions(BlueskyIdentity):
    """Sessions on the account's PDS, renewed when they expire."""

    def _authed(self, account: Account, creds: _Credentials, on_secret: SecretSink | None,
                call: Callable[[str], Any]) -> Any:
        try:
            return call(creds.access)
        except _SessionExpired:
            pass
        fresh = self._renew(account, creds)
        if on_secret is not None:
            on_secret(fresh.dump())
        try:
            return call(fresh.access)
        except _SessionExpired:
            raise AuthError("Bluesky refused the renewed session: link the account again.") from None

    def _renew(self, account: Account, creds: _Credentials) -> _Credentials:
        """A new session: refreshSession, or a new login with the stored app password."""
        try:
            data = self._xrpc_post(account.server, "com.atproto.server.refreshSession", None, token=creds.refresh)
            log.info("Bluesky session refreshed")
            return _Credentials(data.get("did", creds.did), data["accessJwt"], data["refreshJwt"], creds.app_password)
        except (_SessionExpired, AuthError):
            pass  # refresh token expired or revoked
        if not creds.app_password:
            raise AuthError("Your Bluesky sign-in has expired: link the account again.")
        try:
            data = self._create_session(account.server, creds.did, creds.app_password)
        except AuthError:
            raise AuthError("Bluesky no longer accepts this app password (it was revoked or changed): "
                            "link the account again with a new app password.") from None
        log.info("Bluesky session renewed by signing in again")
        return _Credentials(data["did"], data["accessJwt"], data["refreshJwt"], creds.app_password)

    def _create_session(self, pds: str, identifier: str, password: str) -> dict:
        try:
            return self._xrpc_post(pds, "com.atproto.server.createSession",
                                   {"identifier": identifier, "password": password})
        except _SessionExpired:  # pragma: no cover - createSession takes no token
            raise AuthError("Bluesky refused the sign-in.") from None
        except PublishError as exc:
            if isinstance(exc, (AuthError, RateLimited)):
                if isinstance(exc, AuthError):
                    raise AuthError("Bluesky did not accept this handle and app password.",
                                    status=exc.status) from None
                raise
            if exc.status == 400 and "AuthFactorTokenRequired" in exc.reason:
                raise AuthError("This account asks for an e-mail code: use an app password instead.",
                                status=400) from None
            raise

    def _delete_session(self, pds: str, refresh: str) -> None:
        try:
            self._xrpc_post(pds, "com.atproto.server.deleteSession", None, token=refresh)
        except (PublishError, _SessionExpired):
            pass
