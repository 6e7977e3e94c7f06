"""A profile with a Mastodon account linked for real (test server on 127.0.0.1, Secret Service keyring),
a publishing service and a scheduler on an injected clock: what the scheduling tests share."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from desktop.adapters.networks.mastodon import MastodonClient
from desktop.core.accounts import AccountService, AccountStore
from desktop.core.drafts import DraftStore
from desktop.core.policy import Policy, load_policy
from desktop.core.publishing.schedule import Scheduler
from desktop.core.publishing.service import PublishService
from tests.servers.mastodon_browser import AuthorizeBrowser
from tests.servers.mastodon_server import MastodonTestServer

CLEAN = "Our demo of Project Bluebird went well today, thanks team!"  # fine by `default`, blocked by acme-example
STATUSES = "/api/v1/statuses"
T0 = 1_790_000_000.0  # 2026-09-21, a fixed "now" for the injected clock


@dataclass
class Clock:
    """The injected clock: tests move time instead of waiting for it."""

    now: float = T0

    def __call__(self) -> float:
        return self.now

    def advance(self, seconds: float) -> None:
        self.now += seconds


@dataclass
class World:
    drafts: DraftStore
    accounts: AccountService
    service: PublishService
    server: MastodonTestServer
    account_id: str
    clock: Clock
    policy: dict[str, Policy | None] = field(default_factory=dict)
    client: Any = None

    def scheduler(self, **kwargs: Any) -> Scheduler:
        return Scheduler(self.service, clock=self.clock, **kwargs)

    def posted(self) -> list[str]:
        return [status.text for status in self.server.statuses_of("alice")]


def linked_world(tmp_path: Path, keyring_store: Any) -> Iterator[World]:
    """Alice linked on a Mastodon test server through the real OAuth flow; the `default` policy in force."""
    server = MastodonTestServer(users={"alice": "alice-password"}).start()
    clock = Clock()
    drafts = DraftStore.open(tmp_path / "drafts.db", clock)
    accounts = AccountService(keyring_store, AccountStore(drafts))
    client = MastodonClient(timeout=(2.0, 3.0))
    registration, client_secret = client.register_app(server.url)
    accounts.save_app_registration(registration, client_secret)
    browser = AuthorizeBrowser("alice", "alice-password")
    account, token = client.link_with_browser(registration, client_secret, browser, timeout=10)
    browser.close()
    linked = accounts.link(account, token).account
    policy: dict[str, Policy | None] = {"current": load_policy("default")}
    service = PublishService(accounts, {"mastodon": client}, lambda: policy["current"], clock=clock,
                             sleep=lambda _s: None)
    world = World(drafts, accounts, service, server, linked.id, clock, policy, client)
    try:
        yield world
    finally:
        service.close()
        client.http.close()
        drafts.close()
        server.stop()
