"""The Mastodon adapter as the core sees it: a NetworkClient that also links accounts through the
browser flow (desktop.core.ports.BrowserLinker, with the pasted-code fallback) and revokes a token
at unlink (AccountKeeper), keeping Chorus's app registration per server in the core's AppVault.

One :class:`MastodonAdapter` wraps the shared :class:`MastodonClient`; everything that needs no
registration passes straight through to it.
"""

from __future__ import annotations

import threading

from desktop.adapters.common import DelegatingClient
from desktop.adapters.networks.mastodon.client import MastodonClient
from desktop.adapters.networks.mastodon.instance import normalise_instance
from desktop.adapters.networks.mastodon.oauth import LINK_TIMEOUT_S, PendingAuthorization
from desktop.core.networks.mastodon import ID
from desktop.core.ports import Account, AppRegistration, AppVault, OpenBrowser


class MastodonAdapter(DelegatingClient):
    """NetworkClient, BrowserLinker and AccountKeeper for Mastodon. Blocking: call it from a worker."""

    network = ID

    client: MastodonClient

    # -- linking (BrowserLinker) -------------------------------------------------------------------
    def server(self, text: str) -> str:
        """The server's base URL for what the person typed (ValueError with a sentence when it is not one)."""
        return normalise_instance(text, allow_http=self.client.allow_http)

    def app(self, server: str, apps: AppVault) -> tuple[AppRegistration, str]:
        """Chorus's registration on the server the person typed: the cached one while it works, else
        a new one, which is stored in *apps* (the registration in the database, its secret in the keyring)."""
        server = self.server(server)
        cached = apps.registration(ID, server)
        registration = self.client.ensure_app(server, cached)
        if registration != cached:
            apps.save_registration(*registration)
        return registration

    def check_ready(self, apps: AppVault) -> None:
        """Any computer can link Mastodon accounts: Chorus registers itself on each server."""
        return None

    def link_with_browser(self, server: str | None, open_browser: OpenBrowser, apps: AppVault, *,
                          timeout: float = LINK_TIMEOUT_S, cancel: threading.Event | None = None
                          ) -> tuple[Account, str]:
        """Authorize in the browser (loopback redirect) on *server*; returns the account and its token."""
        registration, client_secret = self.app(server or "", apps)
        return self.client.link_with_browser(registration, client_secret, open_browser, timeout=timeout,
                                             cancel=cancel)

    def begin_code(self, server: str | None, apps: AppVault) -> PendingAuthorization:
        """The paste-the-code fallback: open ``pending.url``; the server shows a code to paste."""
        registration, client_secret = self.app(server or "", apps)
        return self.client.begin_oob(registration, client_secret)

    def complete_code(self, pending: PendingAuthorization, code: str) -> tuple[Account, str]:
        return self.client.complete_oob(pending, code)

    # -- AccountKeeper ---------------------------------------------------------------------------
    def forget(self, account: Account, secret: str, apps: AppVault) -> None:
        """Revoke the token with Chorus's registration on the account's server, when there is one.
        Best effort: the server may be unreachable (the core logs what this raises)."""
        registration = apps.registration(ID, account.server)
        if registration is not None:
            self.client.revoke(registration[0], registration[1], secret)
