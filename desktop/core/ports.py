"""The ports: what the core needs from the outside world, and what adapters implement.

Each network has one adapter package (named by its registry entry, ``Network.adapter``) implementing
:class:`NetworkClient` and the linker of its link flow (:class:`PasswordLinker` or
:class:`BrowserLinker`). The publishing service (core) calls it on a worker thread with the
account's non-secret metadata and its secret (from the :class:`SecretStore`), and turns its
exceptions into a visible status: :class:`AuthError` (re-link needed), :class:`RateLimited`
(retry after a delay), :class:`PublishError` (the server's reason; ``ambiguous`` when the post
may have been accepted, so the next attempt must look for it before sending again),
:class:`PublishUnconfirmed` (it may have been accepted and the adapter has no way to look: ask the
person to check, then mark it as posted or send it as a new post).

An adapter module exposes ``client_factory(context: AdapterContext) -> Callable[[], client]``; the
composition root calls it for each network in the registry whose adapter is installed.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Protocol

from desktop.core.errors import ChorusError

if TYPE_CHECKING:
    from desktop.core.media import Attachment

#: Called by an adapter with the account's new secret whenever the network rotated it during a call
#: (a Bluesky session refresh). The caller stores it (SecretStore.set) before the next call.
SecretSink = Callable[[str], None]


@dataclass(frozen=True)
class Account:
    """A linked account: non-secret metadata only (kept in the local database)."""

    id: str  # local id, also the keyring entry's user name
    network: str  # a registry id (desktop.core.networks)
    handle: str  # @alice.bsky.social, @alice@mastodon.example, Alice Example
    server: str  # PDS URL, Mastodon instance URL, https://api.linkedin.com
    remote_id: str = ""  # DID, Mastodon account id, LinkedIn member URN
    display_name: str = ""
    avatar_url: str = ""
    expires_at: float | None = None  # epoch seconds when the credential stops working, if known
    limits: dict[str, Any] = field(default_factory=dict)  # e.g. {"max_characters": 500, "characters_reserved_per_url": 23}


@dataclass(frozen=True)
class AppRegistration:
    """An app Chorus registered on a server (Mastodon ``POST /api/v1/apps``). Its secret is in the keyring."""

    network: str
    server: str
    client_id: str
    redirect_uris: tuple[str, ...] = ()
    scopes: str = ""
    created_at: float = 0.0


@dataclass(frozen=True)
class PostRef:
    """A post already on the network, as a reply names it: its id (AT URI, Mastodon status id) and,
    on Bluesky, its record's CID ("" when not known: the adapter reads it)."""

    remote_id: str
    cid: str = ""


@dataclass(frozen=True)
class ReplyTo:
    """Where a post goes in a thread (desktop.core.publishing.thread): under *parent*, in the thread
    that starts at *root* (the first part; for the second part both are the first)."""

    root: PostRef
    parent: PostRef


@dataclass(frozen=True)
class Post:
    text: str
    idempotency_key: str  # stable per draft + account + text: the same post is never sent twice
    language: str | None = None
    # Bluesky's record key (a TID, see publishing.tid). When idempotency_key is itself a TID (make it
    # with tid.new_tid()) the adapter uses that and this stays None; otherwise the caller makes a TID
    # once, persists it (publish_history.rkey) before the first attempt, and passes it on every retry.
    record_key: str | None = None
    # When the first attempt to send this post started (epoch seconds; publish_history.created_at).
    # Pass it on every retry: adapters whose networks cannot look a post up by its key (Mastodon
    # after its one-hour Idempotency-Key window, LinkedIn) search recent posts from that moment on,
    # so an identical post published earlier is never mistaken for this one. None: the adapter
    # assumes a recent first attempt (Mastodon: the last 24 hours).
    first_attempt_at: float | None = None
    # Images with their alt text, as attached (originals): the adapter prepares each for its network
    # (desktop.core.media.prepare: metadata removed, fitted to the limits) and uploads it right before
    # creating the post. Exactly once holds as for text: the post is found by its key before anything
    # is uploaded again, and a re-upload after a crash only leaves an unattached blob or media behind.
    images: tuple[Attachment, ...] = ()
    # A part of a thread after the first: a reply to the previous part (Bluesky ``reply`` strong
    # refs, Mastodon ``in_reply_to_id``). Networks without threads refuse a post that has one.
    reply_to: ReplyTo | None = None


@dataclass(frozen=True)
class Published:
    url: str  # where people can see the post
    remote_id: str  # the network's id (status id, AT URI, share URN)
    cid: str = ""  # Bluesky: the record's CID (what a reply's strong ref needs besides the URI)


class PublishError(ChorusError):
    """The network refused or failed. ``reason`` is for people; never holds a secret."""

    def __init__(self, reason: str, *, retryable: bool = True, ambiguous: bool = False, status: int | None = None) -> None:
        super().__init__(reason)
        self.reason = reason
        self.retryable = retryable
        self.ambiguous = ambiguous  # the server may have accepted the post (timeout after sending, 5xx)
        self.status = status


class AuthError(PublishError):
    """The credential no longer works (revoked app password, expired token): re-link the account."""

    def __init__(self, reason: str, *, status: int | None = None) -> None:
        super().__init__(reason, retryable=False, status=status)


class RateLimited(PublishError):
    def __init__(self, reason: str, retry_after_s: float, *, status: int | None = 429) -> None:
        super().__init__(reason, retryable=True, status=status)
        self.retry_after_s = retry_after_s


class PublishUnconfirmed(PublishError):
    """An earlier attempt may have published the post, and the adapter cannot find out (LinkedIn
    without the partner-only ``r_member_social`` permission cannot list the member's posts).
    Nothing was sent again: retrying with the same idempotency key would only repeat this.

    Show it as "may have been posted": people look at ``check_url``, then either mark it as
    posted or send it as a new post (a new idempotency key and ``first_attempt_at``)."""

    def __init__(self, reason: str, *, check_url: str = "", status: int | None = None) -> None:
        super().__init__(reason, retryable=False, ambiguous=True, status=status)
        self.check_url = check_url


class Offline(PublishError):
    """The server could not be reached at all (no network, unknown host, connection refused):
    nothing was sent. The publishing service keeps such posts in the outbox and sends them later."""

    def __init__(self, reason: str, *, status: int | None = None) -> None:
        super().__init__(reason, retryable=True, ambiguous=False, status=status)


class SecretStoreError(ChorusError):
    """The OS keyring cannot be used. ``advice`` says what the user can do (e.g. unlock it)."""

    def __init__(self, message: str, advice: str = "") -> None:
        super().__init__(message, advice)
        self.advice = advice


class SecretStore(Protocol):
    """Secrets only live here (the OS keyring). Values are small text (< 2,000 bytes)."""

    def get(self, key: str) -> str | None: ...
    def set(self, key: str, value: str) -> None: ...
    def delete(self, key: str) -> None: ...


class NetworkClient(Protocol):
    """One per network. Every call may block on the network: call it from a worker, never the GUI."""

    network: str

    def publish(self, account: Account, secret: str, post: Post, *, on_secret: SecretSink | None = None) -> Published:
        """Send *post*; raises PublishError (or a subclass). Must be safe to call again with the
        same idempotency key after an ambiguous failure: the adapter looks for the post first.
        If the adapter had to renew the credential (Bluesky refreshes its session), it calls
        *on_secret* with the new secret as soon as it has it, even if the publish then fails.
        Adapters whose secrets never change accept and ignore it."""
        ...

    def find_published(self, account: Account, secret: str, post: Post, *,
                       on_secret: SecretSink | None = None) -> Published | None:
        """The post sent earlier with this idempotency key, if the network has it."""
        ...


# -- linking: what an adapter does for each link flow (desktop.core.networks.LinkFlow) --------------------

#: Opens a URL in the person's browser; returning False means it could not.
OpenBrowser = Callable[[str], object]


class AppVault(Protocol):
    """What a linker may keep between links, in Chorus's own stores: the apps Chorus registered on
    servers (their client secrets in the keyring), and app secrets IT put in the keyring."""

    def registration(self, network: str, server: str) -> tuple[AppRegistration, str] | None: ...
    def save_registration(self, registration: AppRegistration, client_secret: str) -> None: ...
    def app_secret(self, network: str, name: str) -> str | None:
        """A secret IT stored in the keyring for the network's app *name* (LinkedIn's client secret,
        under ``app:<network>:<client id>``), or None."""
        ...


class PendingCode(Protocol):
    """A browser sign-in that ends with a code the person pastes: open ``url``, then complete it."""

    url: str


class PasswordLinker(Protocol):
    """LinkFlow.APP_PASSWORD: a handle (or e-mail) and an app password, on the network's service or
    on the person's own *server*. Returns the account and the secret to keep in the keyring."""

    def link(self, identifier: str, app_password: str, server: str | None = None) -> tuple[Account, str]: ...


class BrowserLinker(Protocol):
    """LinkFlow.BROWSER: OAuth in the person's browser. *server* is the person's own server where the
    network is federated (LinkSpec.server), else None."""

    def check_ready(self, apps: AppVault) -> None:
        """Raise PublishError (or SecretStoreError) saying what IT must set up when this computer
        cannot link accounts of the network yet; return when it can."""
        ...

    def link_with_browser(self, server: str | None, open_browser: OpenBrowser, apps: AppVault, *,
                          timeout: float, cancel: threading.Event | None = None) -> tuple[Account, str]: ...

    # only where LinkSpec.pasted_code: the browser shows a code instead of coming back to Chorus
    def begin_code(self, server: str | None, apps: AppVault) -> PendingCode: ...
    def complete_code(self, pending: Any, code: str) -> tuple[Account, str]: ...


class AccountKeeper(Protocol):
    """Optional on any client: keeping a linked account current, and letting it go."""

    def refresh_account(self, account: Account, secret: str, *, on_secret: SecretSink | None = None) -> Account:
        """The account's current profile (and server limits); renews the secret through *on_secret*."""
        ...

    def forget(self, account: Account, secret: str, apps: AppVault) -> None:
        """Best effort at unlink: tell the server to revoke the credential."""
        ...


@dataclass(frozen=True)
class AdapterContext:
    """What the composition root gives an adapter module's ``client_factory``: the settings in force
    (read on each call: IT may change them while Chorus runs) and, for tests, endpoints that point
    the adapter at servers on this computer."""

    setting: Callable[[str], Any]
    endpoints: Mapping[str, str] = field(default_factory=dict)
