"""The LinkedIn adapter as the core sees it: a NetworkClient that also links members through the
browser flow (desktop.core.ports.BrowserLinker), with the app's client secret from the core's
AppVault when IT keeps it in the keyring rather than behind a token-exchange service.

One :class:`LinkedInAdapter` wraps the :class:`LinkedInClient` for the configuration in force;
everything that needs no client secret passes straight through to it.
"""

from __future__ import annotations

import threading

from desktop.adapters.common import DelegatingClient
from desktop.adapters.networks.linkedin.client import LinkedInClient
from desktop.adapters.networks.linkedin.config import LinkedInConfig
from desktop.adapters.networks.linkedin.oauth import LINK_TIMEOUT_S
from desktop.core.networks.linkedin import ID
from desktop.core.ports import Account, AppVault, OpenBrowser


class LinkedInAdapter(DelegatingClient):
    """NetworkClient, BrowserLinker and AccountKeeper for LinkedIn. Blocking: call it from a worker."""

    network = ID

    client: LinkedInClient

    @property
    def config(self) -> LinkedInConfig:
        return self.client.config

    # -- linking (BrowserLinker) -------------------------------------------------------------------
    def client_secret(self, apps: AppVault) -> str | None:
        """The app's client secret IT set in the managed settings (``linkedin.client_secret``) or stored
        in the keyring (``app:linkedin:<client id>``); None when a token-exchange service holds it, or
        when there is no app (check_ready then says so)."""
        config = self.config
        if config.token_exchange_url or not config.client_id:
            return None
        return config.client_secret or apps.app_secret(ID, config.client_id)

    def check_ready(self, apps: AppVault) -> None:
        """NotConfigured (what IT must set up) when members cannot be linked on this computer; a
        SecretStoreError when the keyring cannot be read."""
        self.client.check_ready(self.client_secret(apps))

    def link_with_browser(self, server: str | None, open_browser: OpenBrowser, apps: AppVault, *,
                          timeout: float = LINK_TIMEOUT_S, cancel: threading.Event | None = None
                          ) -> tuple[Account, str]:
        """Authorize in the browser (loopback redirect on the registered port). LinkedIn is one
        service: *server* is not used."""
        return self.client.link_with_browser(open_browser, client_secret=self.client_secret(apps), timeout=timeout,
                                             cancel=cancel)

    # -- AccountKeeper ---------------------------------------------------------------------------
    def forget(self, account: Account, secret: str, apps: AppVault) -> None:
        """Nothing to tell LinkedIn: ordinary apps cannot revoke a member's token (it ends after 60 days)."""
        return None
