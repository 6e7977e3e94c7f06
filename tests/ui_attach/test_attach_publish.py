"""A post with two screenshots and their alt texts, published from the real window to the Mastodon
test server (tests/servers/mastodon_server.py, which validates media as Mastodon does): it arrives
with both media ids and descriptions, exactly once when a lost answer is retried; the same images
again make no new post, a changed alt text makes a new one (the idempotency key covers the images).

Real parts only: the real MainWindow with the services the composition root builds
(desktop.bootstrap.build_services, with ``draft_images`` wired), a real Secret Service keyring on a
private D-Bus, the drafts database, real image files dropped on the editor.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from PySide6.QtCore import Qt

from desktop.core.publishing.service import idempotency_key
from tests.media.images import GPS_IFD, opened
from tests.servers.mastodon_server import MastodonTestServer
from tests.ui.test_accounts_publishing import PASSWORD, link_directly, with_keyring
from tests.ui_attach.images import photo, screenshot
from tests.ui_attach.test_attach_images import drop

ACME = {"policy.source": "acme-example"}
STATUSES = "/api/v1/statuses"
TEXT = "Our dashboard, before and after the redesign."
WAIT = 15_000


@pytest.fixture
def server() -> Iterator[MastodonTestServer]:
    running = MastodonTestServer(users={"alice": PASSWORD}, domain="social.example").start()
    yield running
    running.stop()


def test_two_images_with_alt_text_reach_mastodon_once(make_window, keyring, qtbot, server, tmp_path):
    window = make_window(values=ACME, load_policy=True, services=with_keyring(keyring), open_url=lambda url: True,
                         outbox_first_try_ms=-1)
    qtbot.waitUntil(lambda: window.accounts_panel is not None and window.accounts_panel.loaded, timeout=WAIT)
    record = link_directly(qtbot, window, server)
    bar = window.publish_bar
    assert bar.picker.checked_ids() == [record.id]
    window.composer.editor.setPlainText(TEXT)
    drop(qtbot, window, photo(tmp_path, "before.jpg"), screenshot(tmp_path, "after.png"))
    strip = window.composer.attachments
    qtbot.waitUntil(lambda: not bar.publish_button.isEnabled() and window.composer.policy.state == "ok",
                    timeout=WAIT)
    assert "not acknowledged" in bar.publish_button.toolTip()  # two images without alt text
    strip.set_alt(0, "The old dashboard: four tables of numbers")
    strip.set_alt(1, "The new dashboard: one line chart")
    qtbot.waitUntil(lambda: bar.publish_button.isEnabled(), timeout=WAIT)

    server.drop_next(path=STATUSES, method="POST")  # the status is made, the answer is lost
    with qtbot.waitSignal(bar.published, timeout=WAIT):
        qtbot.mouseClick(bar.publish_button, Qt.MouseButton.LeftButton)
    row = bar.status_view.rows[record.id]
    assert row.state == "failed" and row.retry_button.isVisible()
    with qtbot.waitSignal(bar.published, timeout=WAIT):
        qtbot.mouseClick(row.retry_button, Qt.MouseButton.LeftButton)
    assert bar.status_view.rows[record.id].state == "sent"

    [status] = server.statuses_of("alice")  # exactly once
    assert status.text == TEXT and len(status.media_ids) == 2
    attached = [server.media[m] for m in status.media_ids]
    assert [m.description for m in attached] == ["The old dashboard: four tables of numbers",
                                                 "The new dashboard: one line chart"]
    assert [m.mime for m in attached] == ["image/jpeg", "image/png"]
    assert (attached[0].width, attached[0].height) == (48, 64)  # the phone's orientation applied
    assert not opened(attached[0].data).getexif().get_ifd(GPS_IFD)  # no location reached the server
    # Retry looked for the lost post first and found it: one status POST, under the key of text and images
    [post] = server.requests_to(STATUSES, "POST")
    images = window.composer.images()
    key = idempotency_key(window.composer.draft.id, record.id, TEXT, images=images)
    assert post.headers["idempotency-key"] == key
    [entry] = window.services.publications.history(window.composer.draft.id)
    assert (entry.idempotency_key, entry.status) == (key, "sent")

    # the same post again (another click, the outbox): recorded as sent, nothing new on the server
    draft_id = window.composer.draft.id
    publisher = window.services.publisher(window.policy_now)
    [again] = publisher.publish(draft_id, TEXT, [record.id], images=images)
    assert again.state == "sent" and len(server.statuses_of("alice")) == 1
    [from_draft] = publisher.publish(draft_id, TEXT, [record.id])  # the draft's own images: the same post
    assert from_draft.state == "sent" and len(server.statuses_of("alice")) == 1
    # a changed alt text is a new post, with the new description
    changed = [images[0], images[1].with_alt("The new dashboard: one line chart, rising")]
    [new] = publisher.publish(draft_id, TEXT, [record.id], images=changed)
    assert new.state == "sent"
    first, second = server.statuses_of("alice")
    assert [server.media[m].description for m in second.media_ids][1] == "The new dashboard: one line chart, rising"


def test_the_key_covers_each_image_and_its_alt_text_and_is_unchanged_without_images(tmp_path):
    from desktop.core.media import Attachment

    one = Attachment.from_path(screenshot(tmp_path, "a.png"), alt="A chart")
    two = Attachment.from_path(screenshot(tmp_path, "b.png", (200, 0, 0)), alt="Another chart")
    key = idempotency_key("d", "a", "text", images=[one, two])
    assert key == idempotency_key("d", "a", "text", images=[one, two])  # a retry: the same post
    assert key != idempotency_key("d", "a", "text", images=[two, one])  # re-ordered
    assert key != idempotency_key("d", "a", "text", images=[one, two.with_alt("Changed")])  # re-described
    assert key != idempotency_key("d", "a", "text", images=[one])  # one removed
    assert key != idempotency_key("d", "a", "text")
    # a post without images keeps the key publishes recorded before images existed
    import hashlib

    assert idempotency_key("d", "a", "text") == "chorus-" + hashlib.sha256(b"d\x1fa\x1ftext").hexdigest()[:40]
