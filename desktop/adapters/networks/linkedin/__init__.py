"""LinkedIn: link a member with OAuth 2 (3-legged, loopback redirect), publish with the Posts API.

    config = LinkedInConfig.from_settings(settings.get)          # what IT manages
    client = LinkedInClient(config)
    account, token = client.link_with_browser(webbrowser.open, client_secret=secret_or_None)
    published = client.publish(account, token, Post(text, idempotency_key=key, first_attempt_at=t0))

Facts and sources: ../shared/networks.md §3, LinkedIn's documentation on learn.microsoft.com
(authorization-code-flow, sign-in-with-linkedin-v2 ``/v2/userinfo``, posts-api, little-text-format,
versioning) and the official ``linkedin-developers/linkedin-api-python-client`` (header names,
Rest.li query encoding, ``x-restli-id``). What is only *observed* (reported by API users, not
documented) is marked so below.

**What IT sets up.** One LinkedIn app for the organisation (Developer Portal) with the products
"Share on LinkedIn" (``w_member_social``) and "Sign In with LinkedIn using OpenID Connect"
(``openid profile``). LinkedIn compares the redirect URL with the app's *Authorized redirect URLs*
exactly, port included, so IT registers ``http://127.0.0.1:<port>/callback`` with the port of the
setting ``linkedin.redirect_port`` (default :data:`DEFAULT_REDIRECT_PORT`) and manages
``linkedin.client_id``. The client secret must not ship with a desktop app and is never a
setting. Either:

* ``linkedin.token_exchange_url``: a small company service that holds the secret. Chorus POSTs it
  the same form it would send LinkedIn's token endpoint *minus* ``client_secret``
  (``grant_type=authorization_code``, ``code``, ``redirect_uri``, ``client_id``); the service adds
  the secret, calls ``https://www.linkedin.com/oauth/v2/accessToken`` and returns LinkedIn's JSON
  answer (success or error) unchanged. It should accept only the company's client id and
  registered redirect URL, and be reachable only from the company network; or
* the secret in each computer's OS keyring under :func:`client_secret_key` (service ``Chorus``),
  put there by IT's deployment script or the user (``keyring set Chorus app:linkedin:<client id>``).

(LinkedIn also has a PKCE flow without a secret for native apps, on any loopback port, but only
for apps it enables on request; its details are not public, so it is not implemented.)

**Linking** (:meth:`LinkedInClient.link_with_browser`): a one-shot listener on
``127.0.0.1:<port>`` (:class:`desktop.adapters.oauth.LoopbackListener`), the browser sent to
``/oauth/v2/authorization`` with ``response_type=code``, the scopes, and a random ``state``
checked in constant time; the code exchanged at ``/oauth/v2/accessToken`` (or the company
service); the member read from ``GET /v2/userinfo`` (OpenID Connect: ``sub`` → member URN
``urn:li:person:<sub>``, ``name``, ``picture``). Access tokens last 60 days (``expires_in``
5,184,000 s) and ordinary apps get no refresh token, so :attr:`Account.expires_at` carries the end
and the account list warns before it and offers re-linking. The secret Chorus keeps (keyring) is
the access token alone.

**Publishing** (:meth:`LinkedInClient.publish`): ``POST /rest/posts`` with ``LinkedIn-Version``
(``linkedin.api_version``, YYYYMM) and ``X-Restli-Protocol-Version: 2.0.0``, the documented body
(author, commentary, ``visibility`` PUBLIC, ``distribution`` MAIN_FEED, ``lifecycleState``
PUBLISHED, ``isReshareDisabledByAuthor`` false) → ``201`` with the post URN in ``x-restli-id``;
the post is at ``https://www.linkedin.com/feed/update/<urn>/``. ``commentary`` is LinkedIn's
"little" text format, whose reserved characters ``\\ | { } @ [ ] ( ) < > # * _ ~`` must be
backslash-escaped or LinkedIn silently cuts the post there (:func:`escape_little_text`; hashtags
become the documented ``{hashtag|\\#|tag}`` template so they stay hashtags).

**Exactly once.** LinkedIn has no idempotency key. After an ambiguous failure (5xx, a timeout or
a dropped connection after the request went out) the next ``publish`` of the same post looks for
it first (:meth:`find_published`): the documented finder ``GET /rest/posts?author=<urn>&q=author``
lists the member's posts, matched by commentary and ``createdAt >= post.first_attempt_at``. That
finder needs ``r_member_social``, which LinkedIn grants to approved partners only
(``linkedin.read_own_posts``). Without it LinkedIn refuses the lookup (403), and Chorus does not
send again on a guess: it raises :class:`PublishUnconfirmed` ("may have been posted — check your
LinkedIn activity"), and the person marks it as posted or sends it as a new post. As a second
net, LinkedIn refuses a post whose text repeats a recent one of the same member with ``422
DUPLICATE_POST`` naming the existing post ("Content is a duplicate of urn:li:share:…"; observed,
not documented): on a retry that answer means the earlier attempt arrived, so it is returned as
the published post.

Which calls need a look: this client remembers, per idempotency key, how its own attempts ended
(while it runs). It looks before sending when one of them was ambiguous, or when it did not see the
first attempt (``post.first_attempt_at`` more than :data:`FIRST_ATTEMPT_GRACE_S` ago: Chorus was
restarted since). When every attempt it made was refused for certain (a 429, a 4xx, no
connection), :meth:`find_published` answers None without asking LinkedIn, so retrying after a
rate limit never needs ``r_member_social``.

**Errors.** 401 → :class:`AuthError` (expired or revoked: link again); 429 →
:class:`RateLimited` (``Retry-After`` when sent; LinkedIn's daily limits reset at 00:00 UTC);
426 ``NONEXISTENT_VERSION`` → a refusal naming the setting IT must update; 5xx, timeouts and
dropped connections after sending → ``PublishError(ambiguous=True)``; no connection at all (refused,
unknown host) → :class:`Offline` (the service queues the post). LinkedIn error bodies are
``{"status": …, "message": …}`` (plus ``serviceErrorCode``, ``code``); OAuth errors ``{"error": …, "error_description": …}``.
No token, code or secret is
logged or put in an exception message. Every request goes through
:func:`desktop.adapters.http.fetch`: https only (plain http to this computer only, and only with
``allow_http``), no redirect ever followed (the code, the client secret and the token stay with the
host they are meant for), answers capped, and a total deadline per exchange.

**The package.** :mod:`.config` (what IT manages), :mod:`.text` (the little text format), :mod:`.api`
(requests, errors, the member behind a token), :mod:`.oauth` (linking), :mod:`.client` (publishing),
:mod:`.linking` (:class:`LinkedInAdapter`: the client as the core's ports, reading the client secret
from the core's AppVault).

**Composition.** ``client_factory(context)`` returns a callable (thread-safe) that reads the settings
in force on every call (``LinkedInConfig.from_settings(context.setting, **context.endpoints)``) and
hands out the shared :class:`LinkedInAdapter`, rebuilt when that configuration changed
(``allow_http`` when *endpoints* point at a test server); ``factory.close()`` at quit closes the
current client's HTTP session.
"""

from __future__ import annotations

from desktop.adapters.common import DEFAULT_RETRY_AFTER_S, LinkCancelled, SharedClient
from desktop.adapters.networks.linkedin.api import (
    MAX_COMMENTARY,
    RESTLI_PROTOCOL_VERSION,
    LinkedInApi,
    retry_after_seconds,
)
from desktop.adapters.networks.linkedin.client import ACTIVITY_URL, POST_URL, LinkedInClient, post_url
from desktop.adapters.networks.linkedin.config import (
    API_BASE,
    AUTHORIZATION_URL,
    DEFAULT_API_VERSION,
    DEFAULT_REDIRECT_PORT,
    READ_POSTS_SCOPE,
    REDIRECT_PATH,
    SCOPES,
    TOKEN_URL,
    LinkedInConfig,
    NotConfigured,
    client_secret_key,
    version_warning,
)
from desktop.adapters.networks.linkedin.linking import LinkedInAdapter
from desktop.adapters.networks.linkedin.oauth import LINK_TIMEOUT_S, TOKEN_LIFETIME_S, LinkedInOAuth, TokenGrant
from desktop.adapters.networks.linkedin.text import RESERVED, escape_little_text, unescape_little_text
from desktop.core.ports import AdapterContext

__all__ = ["ACTIVITY_URL", "API_BASE", "AUTHORIZATION_URL", "DEFAULT_API_VERSION", "DEFAULT_REDIRECT_PORT",
           "DEFAULT_RETRY_AFTER_S", "LINK_TIMEOUT_S", "MAX_COMMENTARY", "POST_URL", "READ_POSTS_SCOPE",
           "REDIRECT_PATH", "RESERVED", "RESTLI_PROTOCOL_VERSION", "SCOPES", "TOKEN_LIFETIME_S", "TOKEN_URL",
           "LinkCancelled", "LinkedInAdapter", "LinkedInApi", "LinkedInClient", "LinkedInConfig", "LinkedInOAuth",
           "NotConfigured", "TokenGrant", "client_factory", "client_secret_key", "escape_little_text", "post_url",
           "retry_after_seconds", "unescape_little_text", "version_warning"]


def client_factory(context: AdapterContext) -> SharedClient[LinkedInAdapter]:
    """The composition root's way to the LinkedIn client: the shared one for the settings in force,
    rebuilt whenever IT changed them."""
    endpoints = dict(context.endpoints)

    def config() -> LinkedInConfig:
        return LinkedInConfig.from_settings(context.setting, **endpoints)

    def build(current: LinkedInConfig) -> LinkedInAdapter:
        return LinkedInAdapter(LinkedInClient(current, allow_http=bool(endpoints)))

    return SharedClient(build, key=config)
