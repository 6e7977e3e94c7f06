"""One draft, three networks, one click: Bluesky on the reference PDS, Mastodon and LinkedIn on
their test servers, secrets in a real Secret Service, the real publishing service."""

from __future__ import annotations

import socket
from pathlib import Path

from desktop.adapters.networks.bluesky import BlueskyClient
from desktop.adapters.networks.linkedin import LinkedInClient, LinkedInConfig
from desktop.adapters.networks.mastodon import MastodonClient
from desktop.core.accounts import AccountService, AccountStore
from desktop.core.drafts import DraftStore
from desktop.core.policy import load_policy
from desktop.core.publishing.service import PublishService
from tests.integration.secret_service import SecretService
from tests.integration.test_keyring import store_on
from tests.servers.bluesky_pds import BlueskyPDS, bluesky_pds  # noqa: F401 - the session fixture
from tests.servers.linkedin_server import LinkedInTestServer, MemberBrowser
from tests.servers.mastodon_browser import AuthorizeBrowser
from tests.servers.mastodon_server import MastodonTestServer

TEXT = "Shipped the new onboarding guide today 📚 Thanks to everyone who reviewed it! #docs https://example.com/guide"


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def test_one_draft_goes_to_bluesky_mastodon_and_linkedin_once_each(tmp_path: Path, monkeypatch,
                                                                   bluesky_pds: BlueskyPDS) -> None:  # noqa: F811
    keyring_service = SecretService().start()
    port = free_port()
    mastodon_server = MastodonTestServer(users={"jane": "jane-password"}).start()
    linkedin_server = LinkedInTestServer(members={"jane": "jane-password"},
                                         redirect_uris=[f"http://127.0.0.1:{port}/callback"]).start()
    drafts = DraftStore.open(tmp_path / "drafts.db")
    clients = {}
    try:
        accounts = AccountService(store_on(keyring_service, monkeypatch), AccountStore(drafts))
        # Bluesky: an app password
        pds_user = bluesky_pds.create_account("jane")
        bluesky_pds.create_app_password(pds_user, "Chorus")
        clients["bluesky"] = BlueskyClient(service_url=bluesky_pds.url, plc_url=bluesky_pds.plc_url)
        account, secret = clients["bluesky"].link(pds_user.handle, pds_user.app_passwords["Chorus"])
        bluesky_id = accounts.link(account, secret).account.id
        # Mastodon: OAuth in the browser (played by the test)
        clients["mastodon"] = MastodonClient(timeout=(2.0, 5.0))
        registration, client_secret = clients["mastodon"].register_app(mastodon_server.url)
        browser = AuthorizeBrowser("jane", "jane-password")
        account, token = clients["mastodon"].link_with_browser(registration, client_secret, browser, timeout=10)
        browser.close()
        mastodon_id = accounts.link(account, token).account.id
        # LinkedIn: OAuth on the registered loopback port
        config = LinkedInConfig(client_id=linkedin_server.client_id, redirect_port=port,
                                authorization_url=f"{linkedin_server.url}/oauth/v2/authorization",
                                token_url=f"{linkedin_server.url}/oauth/v2/accessToken", api_base=linkedin_server.url)
        clients["linkedin"] = LinkedInClient(config, timeout=(2.0, 5.0), allow_http=True)
        member = MemberBrowser("jane", "jane-password")
        account, token = clients["linkedin"].link_with_browser(member, client_secret=linkedin_server.client_secret,
                                                                timeout=10)
        member.close()
        linkedin_id = accounts.link(account, token).account.id

        policy = load_policy("acme-example")
        service = PublishService(accounts, clients, lambda: policy)
        draft = drafts.create(TEXT)
        targets = [bluesky_id, mastodon_id, linkedin_id]
        results = service.publish(draft.id, TEXT, targets)
        assert [(r.network, r.state) for r in results] == [("bluesky", "sent"), ("mastodon", "sent"),
                                                           ("linkedin", "sent")], [r.reason for r in results]
        # again: nothing is sent twice
        assert [r.state for r in service.publish(draft.id, TEXT, targets)] == ["sent"] * 3
        assert [p["value"]["text"] for p in bluesky_pds.list_posts(pds_user.did)] == [TEXT]
        assert [s.text for s in mastodon_server.statuses_of("jane")] == [TEXT]
        assert [p.text for p in linkedin_server.posts] == [TEXT]
        history = {p.network: p for p in service.store.history(draft.id)}
        assert set(history) == {"bluesky", "mastodon", "linkedin"}
        assert all(p.status == "sent" and p.post_url and p.policy_version == "acme-example@2025.06.1"
                   for p in history.values())
        service.close()
    finally:
        for client in clients.values():
            client.http.close()
        drafts.close()
        linkedin_server.stop()
        mastodon_server.stop()
        keyring_service.stop()
