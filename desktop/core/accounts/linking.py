"""Linking accounts, one flow per network, without Qt: the network's sign-in, then the keyring and
the database through :class:`~desktop.core.accounts.service.AccountService`.

    linking = Linking(accounts, bluesky=BlueskyClient, mastodon=MastodonClient,
                      normalise_instance=normalise_instance, linkedin=make_linkedin_client)
    record = linking.link_bluesky("alice.bsky.social", "abcd-efgh-ijkl-mnop")
    record = linking.link_mastodon("mastodon.social", open_browser, cancel=event)
    pending = linking.begin_mastodon_code("mastodon.social"); record = linking.complete_mastodon_code(pending, code)
    record = linking.link_linkedin(open_browser, cancel=event)
    linking.unlink(record.id)

The clients are built by factories the composition root passes in (the adapters, imported only
when a flow first needs them); here they are duck-typed, see the protocols below. Every method
blocks (network, keyring, a person in the browser): call it from a worker, never the GUI thread.

Errors are the adapters' :class:`~desktop.core.publishing.PublishError` family (``reason`` is a
sentence for people), :class:`~desktop.core.publishing.SecretStoreError` (``advice`` says what to
do; nothing was linked), or ValueError for an address that cannot be understood. Use
:func:`describe_error` to turn any of them into the words the user sees.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from typing import Any, Protocol

from desktop.core.accounts.secrets import app_secret_key
from desktop.core.accounts.service import AccountNotFound, AccountService, MissingSecret
from desktop.core.accounts.store import AccountRecord, AppRegistration, normalize_server
from desktop.core.errors import StorageError
from desktop.core.publishing import Account, AuthError, PublishError, SecretStoreError

log = logging.getLogger(__name__)

NETWORK_NAMES = {"bluesky": "Bluesky", "mastodon": "Mastodon", "linkedin": "LinkedIn"}
LINKABLE = ("bluesky", "mastodon", "linkedin")

OpenBrowser = Callable[[str], object]  # opens a URL; returning False means it could not


class BlueskyLinker(Protocol):
    def link(self, identifier: str, app_password: str, service_url: str | None = None) -> tuple[Account, str]: ...


class MastodonLinker(Protocol):
    def ensure_app(self, server: str, cached: tuple[AppRegistration, str] | None = None
                   ) -> tuple[AppRegistration, str]: ...
    def link_with_browser(self, registration: AppRegistration, client_secret: str, open_browser: OpenBrowser, *,
                          timeout: float = ..., cancel: threading.Event | None = None) -> tuple[Account, str]: ...
    def begin_oob(self, registration: AppRegistration, client_secret: str) -> Any: ...
    def complete_oob(self, pending: Any, code: str) -> tuple[Account, str]: ...
    def revoke(self, registration: AppRegistration, client_secret: str, token: str) -> bool: ...


class LinkedInLinker(Protocol):
    config: Any  # client_id, token_exchange_url, problems()
    def check_ready(self, client_secret: str | None = None) -> None: ...
    def link_with_browser(self, open_browser: OpenBrowser, *, client_secret: str | None = None,
                          timeout: float = ..., cancel: threading.Event | None = None) -> tuple[Account, str]: ...


def describe_error(exc: BaseException) -> str:
    """What to tell the user about a failed link or unlink: the reason, and what to do about it."""
    if isinstance(exc, SecretStoreError):
        return f"{exc} {exc.advice}".strip()
    if isinstance(exc, PublishError):
        return exc.reason
    if isinstance(exc, (ValueError, StorageError, MissingSecret, AccountNotFound)):
        return str(exc) or type(exc).__name__
    return f"Something went wrong ({type(exc).__name__}: {exc}). Please try again."


class Linking:
    """The linking flows. *linkedin* builds a client from the current settings (None: LinkedIn is
    not available in this build)."""

    def __init__(
        self,
        accounts: AccountService,
        *,
        bluesky: Callable[[], BlueskyLinker] | None = None,
        mastodon: Callable[[], MastodonLinker] | None = None,
        normalise_instance: Callable[[str], str] | None = None,
        linkedin: Callable[[], LinkedInLinker] | None = None,
        browser_timeout_s: float = 300.0,
    ) -> None:
        self.accounts = accounts
        self._bluesky_factory = bluesky
        self._mastodon_factory = mastodon
        self._normalise = normalise_instance or normalize_server
        self._linkedin_factory = linkedin
        self.browser_timeout_s = browser_timeout_s
        self._lock = threading.Lock()
        self._clients: dict[str, Any] = {}

    def available(self, network: str) -> bool:
        return {"bluesky": self._bluesky_factory, "mastodon": self._mastodon_factory,
                "linkedin": self._linkedin_factory}.get(network) is not None

    def _client(self, network: str, factory: Callable[[], Any] | None) -> Any:
        if factory is None:
            raise PublishError(f"This version of Chorus cannot link {NETWORK_NAMES.get(network, network)} accounts.",
                               retryable=False)
        with self._lock:
            client = self._clients.get(network)
            if client is None:
                client = self._clients[network] = factory()
            return client

    # -- Bluesky ----------------------------------------------------------------------------------
    def link_bluesky(self, identifier: str, app_password: str, service_url: str | None = None) -> AccountRecord:
        """Sign in with an app password (a custom PDS when *service_url*); the session goes to the keyring."""
        client = self._client("bluesky", self._bluesky_factory)
        account, secret = client.link(identifier, app_password, (service_url or "").strip() or None)
        return self.accounts.link(account, secret)

    # -- Mastodon ---------------------------------------------------------------------------------
    def mastodon_server(self, instance: str) -> str:
        """The server's base URL for what the user typed (ValueError with a sentence when it is not one)."""
        return self._normalise(instance)

    def mastodon_app(self, instance: str) -> tuple[AppRegistration, str]:
        """Chorus's registration on the instance: the cached one while it works, else a new one (stored)."""
        server = self.mastodon_server(instance)
        client = self._client("mastodon", self._mastodon_factory)
        cached = self.accounts.app_registration("mastodon", server)
        registration = client.ensure_app(server, cached)
        if registration != cached:
            self.accounts.save_app_registration(*registration)
        return registration

    def link_mastodon(self, instance: str, open_browser: OpenBrowser, *, cancel: threading.Event | None = None,
                      timeout: float | None = None) -> AccountRecord:
        """Authorize in the browser (loopback redirect); the token goes to the keyring."""
        registration, client_secret = self.mastodon_app(instance)
        client = self._client("mastodon", self._mastodon_factory)
        account, token = client.link_with_browser(registration, client_secret, open_browser,
                                                  timeout=timeout or self.browser_timeout_s, cancel=cancel)
        return self.accounts.link(account, token)

    def begin_mastodon_code(self, instance: str) -> Any:
        """The paste-the-code fallback: open ``pending.url``; the server shows a code to paste."""
        registration, client_secret = self.mastodon_app(instance)
        return self._client("mastodon", self._mastodon_factory).begin_oob(registration, client_secret)

    def complete_mastodon_code(self, pending: Any, code: str) -> AccountRecord:
        account, token = self._client("mastodon", self._mastodon_factory).complete_oob(pending, code)
        return self.accounts.link(account, token)

    # -- LinkedIn ---------------------------------------------------------------------------------
    def _linkedin(self) -> LinkedInLinker:
        if self._linkedin_factory is None:
            raise PublishError("This version of Chorus cannot link LinkedIn accounts.", retryable=False)
        return self._linkedin_factory()  # from the current settings, every time

    def _linkedin_secret(self, client: LinkedInLinker) -> str | None:
        config = client.config
        if config.token_exchange_url or not config.client_id:
            return None
        return self.accounts.secrets.get(app_secret_key("linkedin", config.client_id))

    def linkedin_problem(self) -> str | None:
        """Why LinkedIn accounts cannot be linked on this computer (IT's part), or None when they can."""
        try:
            client = self._linkedin()
            client.check_ready(self._linkedin_secret(client))
        except (PublishError, SecretStoreError) as exc:
            return describe_error(exc)
        return None

    def link_linkedin(self, open_browser: OpenBrowser, *, cancel: threading.Event | None = None,
                      timeout: float | None = None) -> AccountRecord:
        client = self._linkedin()
        account, token = client.link_with_browser(open_browser, client_secret=self._linkedin_secret(client),
                                                  timeout=timeout or self.browser_timeout_s, cancel=cancel)
        return self.accounts.link(account, token)

    # -- keeping linked accounts current -----------------------------------------------------------
    def refresh(self, account_id: str) -> AccountRecord | None:
        """Read the account's current profile (name, avatar) and, on Mastodon, its server's limits
        again, through the network's ``refresh_account`` (which also checks the sign-in and hands back
        a renewed session through ``on_secret``, as Bluesky's does). Returns the updated record when
        something changed, None otherwise. Never raises: a sign-in that stopped working marks the
        account for re-linking; a network or keyring problem is logged and left for the next time."""
        record = self.accounts.store.get_account(account_id)
        if record is None:
            return None
        account = record.account
        factory = {"bluesky": self._bluesky_factory, "mastodon": self._mastodon_factory,
                   "linkedin": self._linkedin_factory}.get(account.network)
        if factory is None:
            return None
        try:
            client = self._linkedin() if account.network == "linkedin" else self._client(account.network, factory)
            secret = self.accounts.secret(account_id)
            refresh = getattr(client, "refresh_account", None)
            if refresh is None:
                return None
            fresh = refresh(account, secret, on_secret=lambda new: self.accounts.replace_secret(account_id, new))
        except AuthError as exc:
            self.accounts.record_auth_failure(account_id, exc.reason)
            return self.accounts.store.get_account(account_id)
        except Exception as exc:  # noqa: BLE001 - offline, keyring locked, server trouble: try another time
            log.info("could not refresh %s: %s", account_id, describe_error(exc))
            return None
        if fresh == account:
            return None
        return self.accounts.update(fresh)

    # -- unlinking --------------------------------------------------------------------------------
    def unlink(self, account_id: str, *, force: bool = False) -> None:
        """Delete the account's keyring entry and metadata (AccountService.unlink), then, for Mastodon,
        tell the server to revoke the token (best effort: unlinking never fails because of it)."""
        record = self.accounts.store.get_account(account_id)
        if record is None:
            raise AccountNotFound(account_id)
        token = None
        if record.account.network == "mastodon" and self._mastodon_factory is not None:
            try:
                token = self.accounts.secret(account_id)
            except (SecretStoreError, MissingSecret):
                token = None  # unlink below reports a locked keyring; a missing token needs no revoking
        self.accounts.unlink(account_id, force=force)
        if token:
            try:
                registration = self.accounts.app_registration("mastodon", record.account.server)
                if registration is not None:
                    self._client("mastodon", self._mastodon_factory).revoke(registration[0], registration[1], token)
            except Exception as exc:  # noqa: BLE001 - the account is unlinked either way
                log.warning("could not revoke the Mastodon token of %s: %s", account_id, type(exc).__name__)
