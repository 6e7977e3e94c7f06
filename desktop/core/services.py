"""What the composition root hands the UI for accounts and publishing, without the UI importing adapters.

``desktop/bootstrap.py`` builds one :class:`Services` (``build_services``) with the real keyring,
HTTP and network adapters behind factories; the UI receives it and calls these attributes on
worker lanes (everything they do may block). Nothing is imported or built until first used: the
accounts service on the first reading of the account list (a worker, after the first paint), the
keyring library on the first secret, ``requests`` and the network clients on the first link,
publish or avatar. So the window's start-up pays for none of it.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from desktop.core.accounts.linking import Linking, LinkRules
    from desktop.core.accounts.service import AccountService
    from desktop.core.diagnostics import Report
    from desktop.core.ideas.feeds import FeedFetcher
    from desktop.core.policy import Policy
    from desktop.core.policy.remote import RemotePolicy
    from desktop.core.publishing.service import PublishService
    from desktop.core.publishing.store import PublishStore
    from desktop.core.training.gate import PolicyGate

PolicyNow = Callable[[], "Policy | None"]


class Services:
    """Accounts (metadata, health, secrets), linking flows, publishing and small downloads.

    *make_accounts* and *make_linking* (given the accounts service) are called once, on first use;
    *make_publisher* once, with the first policy getter asked for. *linkable* names the networks
    this build can link (known without importing anything); *link_rules* what the organisation
    allows now (desktop.core.accounts.linking.LinkRules; all by default). *fetch_image* GETs a small public image
    (an avatar): its bytes, or None. *on_close* runs at quit.
    """

    def __init__(
        self,
        make_accounts: Callable[[], AccountService],
        make_linking: Callable[[AccountService], Linking],
        make_publisher: Callable[[AccountService, PolicyNow], PublishService],
        *,
        linkable: Sequence[str] = (),
        fetch_image: Callable[[str], bytes | None] = lambda url: None,
        cache_dir: Path | None = None,
        on_close: Sequence[Callable[[], Any]] = (),
        link_rules: Callable[[], LinkRules] | None = None,
        remote_policy: RemotePolicy | None = None,
        diagnose: Callable[[], Report] | None = None,
        policy_gate: PolicyGate | None = None,
    ) -> None:
        self._make_accounts = make_accounts
        self._make_linking = make_linking
        self._make_publisher = make_publisher
        self.linkable = tuple(linkable)
        self.fetch_image = fetch_image
        self.cache_dir = cache_dir
        self.on_close = list(on_close)
        self._link_rules = link_rules
        self.remote_policy = remote_policy  # downloads a policy.source URL (desktop.core.policy.remote)
        self.diagnose = diagnose  # Help → Diagnostics: the `chorus doctor` report (blocking)
        # publishing waits until the policy is acknowledged (desktop.core.training.gate; None: no gate)
        self.policy_gate = policy_gate
        # Ideas: downloads company feeds (desktop.adapters.feeds, set by the composition root; None: none)
        self.feed_fetcher: FeedFetcher | None = None
        self._lock = threading.RLock()
        self._accounts: AccountService | None = None
        self._linking: Linking | None = None
        self._publisher: PublishService | None = None

    def link_rules(self) -> LinkRules:
        """What the organisation allows people to link now (cheap: settings in memory)."""
        if self._link_rules is not None:
            return self._link_rules()
        from desktop.core.accounts.linking import LinkRules

        return LinkRules()

    @property
    def accounts(self) -> AccountService:
        with self._lock:
            if self._accounts is None:
                self._accounts = self._make_accounts()
            return self._accounts

    @property
    def linking(self) -> Linking:
        with self._lock:
            if self._linking is None:
                self._linking = self._make_linking(self.accounts)
            return self._linking

    @property
    def publications(self) -> PublishStore:
        """Publish history and the outbox (a view over the accounts' database file)."""
        from desktop.core.publishing.store import PublishStore

        return PublishStore(self.accounts.store.database)

    def publisher(self, policy: PolicyNow) -> PublishService:
        """The one publishing service (built on first use, with the first *policy* getter given)."""
        with self._lock:
            if self._publisher is None:
                self._publisher = self._make_publisher(self.accounts, policy)
            return self._publisher

    def close(self) -> None:
        """Let go of threads (at quit): the publishes under way get a short grace period, then are left
        recorded as interrupted (PublishService.close), so quitting never waits on a server."""
        with self._lock:
            publisher, self._publisher = self._publisher, None
        if publisher is not None:
            publisher.close()
        for close in self.on_close:
            try:
                close()
            except Exception:  # noqa: BLE001 - closing must go on
                pass
