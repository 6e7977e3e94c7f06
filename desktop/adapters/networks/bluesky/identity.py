"""Who an account is and where it lives: handle → DID (``com.atproto.identity.resolveHandle``, then
``https://<handle>/.well-known/atproto-did``), DID → document (the PLC directory for ``did:plc``,
``/.well-known/did.json`` for ``did:web``), document → the account's PDS (the ``#atproto_pds``
service); and the profile (display name, avatar) from the account's own repository."""

from __future__ import annotations

import logging
from typing import Any
from urllib.parse import quote

from desktop.adapters.http import decode_json, fetch, host_of, require_https
from desktop.adapters.networks.bluesky.xrpc import BlueskyXrpc
from desktop.core.ports import Account, Offline, PublishError, RateLimited

log = logging.getLogger(__name__)

# Never looked up on the web (RFC 2606/6761): only a PDS can know them.
_RESERVED_TLDS = frozenset({"test", "example", "invalid", "localhost", "local", "internal", "alt"})


class BlueskyIdentity(BlueskyXrpc):
    """Handle, DID and PDS look-ups, and profiles."""

    def resolve_handle(self, handle: str) -> str:
        """handle → DID, through the resolver service, then the handle's own web server. When the
        resolver cannot be reached, that is what the person is told ("cannot reach"), never that
        there is no such account: nobody could be asked."""
        unreachable: Offline | None = None
        try:
            data = self._xrpc_get(self.service_url, "com.atproto.identity.resolveHandle", {"handle": handle})
            if isinstance(data.get("did"), str) and data["did"].startswith("did:"):
                return data["did"]
        except PublishError as exc:
            if isinstance(exc, RateLimited):
                raise
            if isinstance(exc, Offline):
                unreachable = exc
            log.info("resolveHandle failed for a handle: %s", exc.reason)
        if unreachable is not None and handle.rsplit(".", 1)[-1] in _RESERVED_TLDS:
            raise unreachable
        if handle.rsplit(".", 1)[-1] in _RESERVED_TLDS:
            raise PublishError(f"No Bluesky account was found for @{handle}: check the handle, or give your "
                               "server's address (custom PDS).", retryable=False)
        try:
            response = fetch(self.http, "GET", f"https://{handle}/.well-known/atproto-did", public=True,
                             what="looking up the handle", deadline=self.deadline, max_bytes=4096)
            text = response.text.strip()
            if response.ok and text.startswith("did:"):
                return text.split()[0]
        except PublishError:
            pass
        if unreachable is not None:  # the resolver could not be asked: nothing says the account does not exist
            raise unreachable
        raise PublishError(f"No Bluesky account was found for @{handle}: check the handle, or give your "
                           "server's address (custom PDS).", retryable=False)

    def did_document(self, did: str) -> dict:
        if did.startswith("did:plc:"):
            url = f"{self.plc_url}/{quote(did, safe=':')}"
        elif did.startswith("did:web:"):
            host = did.removeprefix("did:web:").replace("%3A", ":").replace("%3a", ":")
            scheme = "http" if host.split(":")[0] in ("localhost", "127.0.0.1") else "https"
            url = f"{scheme}://{host}/.well-known/did.json"
        else:
            raise PublishError(f"Unsupported identity type: {did.split(':')[1] if ':' in did else did}",
                               retryable=False)
        response = fetch(self.http, "GET", url, public=True, where=f"the identity directory ({host_of(url)})",
                         what=f"looking up {did}", deadline=self.deadline, max_bytes=self.max_bytes)
        if response.status_code != 200:
            raise PublishError(f"The identity directory has no document for {did} (HTTP {response.status_code}).",
                               retryable=response.status_code >= 500, status=response.status_code)
        try:
            return decode_json(response)
        except ValueError:
            raise PublishError("The identity directory sent an unreadable document.") from None

    def pds_for_did(self, did: str) -> str:
        pds = _pds_from_doc(self.did_document(did))
        if not pds:
            raise PublishError(f"{did} names no Bluesky server (PDS).", retryable=False)
        return pds

    def _profile(self, pds: str, did: str) -> tuple[str, str]:
        """Display name and avatar from the profile record (cheap; no AppView needed)."""
        try:
            data = self._xrpc_get(pds, "com.atproto.repo.getRecord",
                                  {"repo": did, "collection": "app.bsky.actor.profile", "rkey": "self"})
        except PublishError:
            return "", ""
        value = data.get("value") or {}
        avatar = ""
        ref = ((value.get("avatar") or {}).get("ref") or {}).get("$link")
        if ref:
            avatar = f"{pds}/xrpc/com.atproto.sync.getBlob?did={quote(did)}&cid={quote(ref)}"
        return str(value.get("displayName") or ""), avatar

    def _resolve_mention(self, account: Account, handle: str) -> str | None:
        for base in dict.fromkeys((account.server, self.service_url)):
            try:
                did = self._xrpc_get(base, "com.atproto.identity.resolveHandle", {"handle": handle}).get("did")
            except PublishError:
                continue
            if isinstance(did, str) and did.startswith("did:"):
                return did
        return None


def _pds_from_doc(doc: Any) -> str | None:
    if not isinstance(doc, dict):
        return None
    for service in doc.get("service") or []:
        if not isinstance(service, dict):
            continue
        sid = str(service.get("id", ""))
        if (sid == "#atproto_pds" or sid.endswith("#atproto_pds")) and isinstance(service.get("serviceEndpoint"), str):
            return _normalise_url(service["serviceEndpoint"])
    return None


def _normalise_url(url: str) -> str:
    """A PDS address as given by the person or a DID document: https assumed, and refused
    (InsecureAddress) unless it is https or plain http to this computer."""
    url = url.strip().rstrip("/")
    if "://" not in url:
        url = "https://" + url
    return require_https(url)
