"""The publishing service sends a draft's images with it (DraftMedia, a real drafts database, the
real keyring on a Secret Service, the Mastodon test server): once, also when a retry follows a lost
answer and when the retry is not handed the images."""

from __future__ import annotations

import functools

from desktop.adapters.networks.mastodon import MastodonClient
from desktop.core.accounts import AccountService, AccountStore
from desktop.core.drafts import DraftStore
from desktop.core.drafts.media import DraftMedia
from desktop.core.media import Attachment
from desktop.core.policy import load_policy
from desktop.core.publishing.service import PublishService
from tests.integration.secret_service import SecretService
from tests.integration.test_keyring import store_on
from tests.media.images import phone_photo, screenshot_png
from tests.servers.mastodon_browser import AuthorizeBrowser
from tests.servers.mastodon_server import MastodonTestServer

TEXT = "The new dashboard, before and after #release"


@functools.cache
def policy():  # type: ignore[no-untyped-def]
    return load_policy("acme-example")


def test_a_drafts_images_go_out_with_it_exactly_once(tmp_path, monkeypatch):
    keyring_service = SecretService().start()
    server = MastodonTestServer(users={"jane": "jane-password"}).start()
    drafts = DraftStore.open(tmp_path / "drafts.db")
    client = MastodonClient(timeout=(2.0, 2.0), sleep=lambda s: None)
    try:
        accounts = AccountService(store_on(keyring_service, monkeypatch), AccountStore(drafts))
        registration, client_secret = client.register_app(server.url)
        browser = AuthorizeBrowser("jane", "jane-password")
        account, token = client.link_with_browser(registration, client_secret, browser, timeout=10)
        browser.close()
        account_id = accounts.link(account, token).account.id

        media = DraftMedia(drafts)
        draft = drafts.create(TEXT)
        media.attach(draft.id, Attachment.from_bytes(phone_photo(64, 48), name="before.jpg", alt="Four tables"))
        media.attach(draft.id, Attachment.from_bytes(screenshot_png(80, 60), name="after.png", alt="One chart"))
        service = PublishService(accounts, {"mastodon": client}, policy, draft_images=media.list)

        refusal = service.refusal(TEXT, [account_id], images=media.list(draft.id))
        assert refusal is None  # alt text on both: nothing to warn about, let alone block

        server.drop_next(path="/api/v1/statuses", method="POST")  # the status is made, its answer lost
        [first] = service.publish(draft.id, TEXT, [account_id])
        assert first.state == "failed" and first.retryable
        [again] = service.publish(draft.id, TEXT, [account_id])  # Retry: looks first, finds it
        assert again.state == "sent"
        [status] = server.statuses_of("jane")
        assert [server.media[m].description for m in status.media_ids] == ["Four tables", "One chart"]
        assert [s.state for s in service.publish(draft.id, TEXT, [account_id])] == ["sent"]
        assert len(server.statuses_of("jane")) == 1
        service.close()
    finally:
        client.http.close()
        drafts.close()
        server.stop()
        keyring_service.stop()
