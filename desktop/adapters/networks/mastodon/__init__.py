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

**The package.** :mod:`.instance` (what the user types → the server; its limits), :mod:`.api`
(requests, errors, the account behind a token), :mod:`.oauth` (app registration, PKCE, loopback and
pasted-code flows), :mod:`.client` (publishing), :mod:`.linking` (:class:`MastodonAdapter`: the
client as the core's ports, keeping registrations in the core's AppVault).

**Composition.** ``client_factory(context)`` returns a callable (thread-safe) handing out one
shared :class:`MastodonAdapter` around one :class:`MastodonClient`; ``factory.close()`` at quit
closes its HTTP session (the adapter's ``http``). ``context.endpoints`` is not used: a test server
is named by the person's server address, like any Mastodon server.
"""

from __future__ import annotations

from desktop.adapters.common import DEFAULT_RETRY_AFTER_S, LinkCancelled, SharedClient, retry_after_seconds
from desktop.adapters.networks.mastodon.api import CLIENT_NAME, WEBSITE, MastodonApi
from desktop.adapters.networks.mastodon.client import MastodonClient
from desktop.adapters.networks.mastodon.instance import (
    DEFAULT_LIMITS,
    InstanceAddress,
    normalise_instance,
    parse_instance,
)
from desktop.adapters.networks.mastodon.linking import MastodonAdapter
from desktop.adapters.networks.mastodon.oauth import (
    LINK_TIMEOUT_S,
    LOOPBACK_REDIRECT_URI,
    OOB_REDIRECT_URI,
    REDIRECT_URIS,
    SCOPES,
    PendingAuthorization,
    StaleRegistration,
)
from desktop.core.ports import AdapterContext

__all__ = ["CLIENT_NAME", "DEFAULT_LIMITS", "DEFAULT_RETRY_AFTER_S", "LINK_TIMEOUT_S", "LOOPBACK_REDIRECT_URI",
           "OOB_REDIRECT_URI", "REDIRECT_URIS", "SCOPES", "WEBSITE", "InstanceAddress", "LinkCancelled",
           "MastodonAdapter", "MastodonApi", "MastodonClient", "PendingAuthorization", "StaleRegistration",
           "client_factory", "normalise_instance", "parse_instance", "retry_after_seconds"]


def client_factory(context: AdapterContext) -> SharedClient[MastodonAdapter]:
    """The composition root's way to the Mastodon adapter: one shared client, built on first use."""
    return SharedClient(lambda _key: MastodonAdapter(MastodonClient()))
