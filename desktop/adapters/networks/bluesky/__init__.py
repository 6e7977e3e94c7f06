"""Bluesky (AT Protocol) with an app password: link, publish exactly once, keep the session alive.

    client = BlueskyClient()
    account, secret = client.link("alice.bsky.social", "abcd-efgh-ijkl-mnop")   # secret → keyring
    published = client.publish(account, secret, Post(text, idempotency_key=tid.new_tid()),
                               on_secret=lambda s: store.set(account.id, s))

Linking resolves the handle to its DID (``com.atproto.identity.resolveHandle``, then
``https://<handle>/.well-known/atproto-did``), the DID to its document (the PLC directory for
``did:plc``, ``/.well-known/did.json`` for ``did:web``) and the document to the account's PDS
(the ``#atproto_pds`` service), then calls ``com.atproto.server.createSession`` there. A custom
PDS URL skips the resolution. The account's main password is refused: only app passwords are
stored.

The secret is a small JSON object (well under 2,000 bytes): the DID, the access and refresh
JWTs and the app password, so an expired refresh token (90 days) can be replaced silently. When
the PDS answers ``ExpiredToken`` (HTTP 400) the adapter refreshes the session
(``refreshSession``), hands the new secret to the caller's ``on_secret`` at once, and repeats the
call; when the refresh token was revoked too it logs in again with the app password; when that is
refused, the app password was revoked: :class:`AuthError`.

Exactly once: the record key is a TID chosen before the first attempt (the post's idempotency key
when that is a TID, else ``Post.record_key``). ``publish`` first reads the record with that key
(``com.atproto.repo.getRecord``) and returns it if it is there; after an ambiguous failure of
``createRecord`` (timeout, dropped connection, 5xx) it reads again before reporting anything, so a
retry never makes a second post.

Credentials only go over https to the PDS they belong to: every call goes through
:func:`desktop.adapters.http.fetch`, which refuses redirects on calls carrying the app password or
a token, refuses ``http://`` except to this computer (a custom PDS address and the PDS named by a
DID document alike), caps answers and bounds each exchange by a total deadline.

Links, mentions and hashtags become ``app.bsky.richtext.facet`` entries whose ranges are UTF-8
byte offsets (the detection follows ``@atproto/api``'s rich-text detector); mentions are resolved
to DIDs and left as plain text when they cannot be.

**The package.** :mod:`.facets` (rich text), :mod:`.xrpc` (HTTP calls and what their answers mean),
:mod:`.identity` (handle → DID → PDS, profiles), :mod:`.session` (the stored sign-in and its
renewal), :mod:`.client` (:class:`BlueskyClient`: linking and publishing). The client is itself the
core's PasswordLinker (``link(identifier, app_password, server)``), so there is no separate glue.

**Composition.** ``client_factory(context)`` returns a callable (thread-safe) handing out one shared
``BlueskyClient(**context.endpoints)`` (``service_url`` and ``plc_url`` point handle resolution and
the DID directory at a test PDS); ``factory.close()`` at quit closes its HTTP session.
"""

from __future__ import annotations

from typing import Any

from desktop.adapters.common import SharedClient
from desktop.adapters.networks.bluesky.client import BlueskyClient, length_problem
from desktop.adapters.networks.bluesky.facets import (
    POST_COLLECTION,
    Span,
    build_facets,
    build_record,
    find_spans,
    utf8_offsets,
)
from desktop.adapters.networks.bluesky.session import APP_PASSWORD_SCOPES, SECRET_VERSION, jwt_claims
from desktop.adapters.networks.bluesky.xrpc import DEFAULT_PLC_DIRECTORY, DEFAULT_SERVICE, WEB_APP
from desktop.core.ports import AdapterContext

__all__ = ["APP_PASSWORD_SCOPES", "DEFAULT_PLC_DIRECTORY", "DEFAULT_SERVICE", "POST_COLLECTION", "SECRET_VERSION",
           "WEB_APP", "BlueskyClient", "Span", "build_facets", "build_record", "client_factory", "find_spans",
           "jwt_claims", "length_problem", "utf8_offsets"]


def client_factory(context: AdapterContext) -> SharedClient[BlueskyClient]:
    """The composition root's way to the Bluesky client: one shared client, built on first use."""
    endpoints: dict[str, Any] = dict(context.endpoints)
    return SharedClient(lambda _key: BlueskyClient(**endpoints))
