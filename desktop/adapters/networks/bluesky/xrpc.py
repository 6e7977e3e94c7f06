"""XRPC, the AT Protocol's HTTP calls: queries (GET) and procedures (POST) on a PDS or the entryway,
every one through :func:`desktop.adapters.http.fetch`, and what their answers mean for people."""

from __future__ import annotations

import requests

from desktop.adapters.common import retry_after_seconds
from desktop.adapters.http import (
    DEFAULT_DEADLINE_S,
    MAX_JSON_BYTES,
    MAYBE_PUBLISHED,
    decode_json,
    fetch,
    host_of,
    make_session,
)
from desktop.core.networks.bluesky import ID
from desktop.core.ports import AuthError, PublishError, RateLimited

DEFAULT_SERVICE = "https://bsky.social"  # resolves handles; takes e-mail logins and finds the PDS
DEFAULT_PLC_DIRECTORY = "https://plc.directory"
WEB_APP = "https://bsky.app"

_DOING = {
    "com.atproto.server.createSession": "signing in",
    "com.atproto.server.refreshSession": "renewing the session",
    "com.atproto.server.getSession": "checking the sign-in",
    "com.atproto.server.deleteSession": "signing out",
    "com.atproto.repo.createRecord": "publishing",
    "com.atproto.repo.getRecord": "reading a record",
    "com.atproto.identity.resolveHandle": "looking up a handle",
    "com.atproto.repo.uploadBlob": "uploading an image",
}
UPLOAD_DEADLINE_S = 120.0  # an image of up to 1 MB on a slow uplink


class _SessionExpired(Exception):
    """The PDS said ExpiredToken/InvalidToken: refresh, then repeat."""


class _Ambiguous(Exception):
    """A write may have reached the server: look before sending again."""


class BlueskyXrpc:
    """The HTTP side of the Bluesky client. Blocking: call it from a worker thread."""

    network = ID

    def __init__(self, session: requests.Session | None = None, *, service_url: str = DEFAULT_SERVICE,
                 plc_url: str = DEFAULT_PLC_DIRECTORY, web_app_url: str = WEB_APP,
                 deadline: float = DEFAULT_DEADLINE_S, max_bytes: int = MAX_JSON_BYTES) -> None:
        self.http = session or make_session()
        self.deadline = deadline  # seconds for one whole exchange with a server
        self.max_bytes = max_bytes  # the largest answer read from a server
        self.service_url = service_url.rstrip("/")  # handle resolution and e-mail logins
        self.plc_url = plc_url.rstrip("/")
        self.web_app_url = web_app_url.rstrip("/")


    def _xrpc_get(self, base: str, method: str, params: dict, *, token: str | None = None) -> dict:
        """A query. Without a token it is a public lookup; with one, redirects are refused."""
        headers = {"Authorization": f"Bearer {token}"} if token else {}
        response = fetch(self.http, "GET", f"{base}/xrpc/{method}", params=params, headers=headers,
                         what=_doing(method), public=token is None, deadline=self.deadline,
                         max_bytes=self.max_bytes)
        return self._parse(response, method)

    def _xrpc_post(self, base: str, method: str, body: dict | None, *, token: str | None = None,
                   write: bool = False) -> dict:
        """A procedure (createSession carries the app password, the others a token): never redirected."""
        headers = {"Authorization": f"Bearer {token}"} if token else {}
        try:
            response = fetch(self.http, "POST", f"{base}/xrpc/{method}", json=body, headers=headers,
                             what=_doing(method), write=write, deadline=self.deadline, max_bytes=self.max_bytes)
        except PublishError as exc:
            if write and exc.ambiguous:
                raise _Ambiguous(exc.reason.removesuffix(MAYBE_PUBLISHED)) from None
            raise
        if write and (response.status_code == 500 or response.status_code >= 502):
            raise _Ambiguous(f"{host_of(base)} answered HTTP {response.status_code}.")
        return self._parse(response, method, write=write)

    def _upload_blob(self, base: str, data: bytes, mime: str, token: str) -> dict:
        """``com.atproto.repo.uploadBlob``: the raw bytes with their type. Not a write that needs
        looking for: an upload whose answer was lost is simply repeated (the blob is stored once)."""
        method = "com.atproto.repo.uploadBlob"
        response = fetch(self.http, "POST", f"{base}/xrpc/{method}", data=data,
                         headers={"Authorization": f"Bearer {token}", "Content-Type": mime},
                         what=_doing(method), deadline=max(self.deadline, UPLOAD_DEADLINE_S), max_bytes=self.max_bytes)
        return self._parse(response, method)

    def _parse(self, response: requests.Response, method: str, *, write: bool = False) -> dict:
        status = response.status_code
        try:
            data = decode_json(response) if response.content.strip() else {}
        except ValueError:
            if 200 <= status < 300:
                raise PublishError(f"{host_of(response.url)} sent an answer Chorus cannot read while "
                                   f"{_doing(method)}: it is not valid JSON, or nested too deeply. Is it a "
                                   "Bluesky server?", ambiguous=write) from None
            data = {}
        if not isinstance(data, dict):
            data = {}
        if 200 <= status < 300:
            return data
        error = str(data.get("error") or "")
        message = str(data.get("message") or error or f"HTTP {status}")
        if status == 429:
            raise RateLimited(f"Bluesky rate limit reached ({message}).", retry_after_seconds(response.headers), status=429)
        if error in ("ExpiredToken", "InvalidToken"):
            raise _SessionExpired(error)
        if status == 401 or error in ("AuthenticationRequired", "AccountTakedown", "AccountDeactivated"):
            raise AuthError(f"Bluesky refused the sign-in: {message}", status=status)
        reason = f"{error}: {message}" if error and error != message else message
        raise PublishError(f"Bluesky: {reason}", retryable=status >= 500, status=status)




def _doing(method: str) -> str:
    return _DOING.get(method, f"calling {method}")
