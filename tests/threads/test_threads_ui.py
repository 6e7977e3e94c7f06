"""The "Split into a thread" offer in the real window, publishing to the reference Bluesky PDS: a
draft over Bluesky's limit is blocked until the author splits it; then Publish sends the thread
(3 posts, each a reply to the one before) and the offer can be undone. Real keyring, real PDS."""

from __future__ import annotations

from PySide6.QtCore import Qt

from desktop.core.threads import split
from tests.servers.bluesky_pds import BlueskyPDS, bluesky_pds  # noqa: F401 - the session fixture
from tests.threads.test_threads_publish import TEXT
from tests.ui.conftest import make_window  # noqa: F401 - the fixture
from tests.ui.test_accounts_publishing import (  # noqa: F401 - the fixtures
    WAIT,
    browser,
    keyring,
    open_window,
    rows,
    secret_service,
    write,
)


def test_split_a_long_draft_into_a_thread_and_publish_it(open_window, qtbot, bluesky_pds):  # noqa: F811
    user = bluesky_pds.create_account("ui-thread")
    password = bluesky_pds.create_app_password(user, "Chorus")
    window = open_window(endpoints={"bluesky": {"service_url": bluesky_pds.url, "plc_url": bluesky_pds.plc_url}})
    panel = window.accounts_panel
    dialog = panel.open_link_dialog("bluesky")
    qtbot.keyClicks(dialog.identifier, user.handle)
    qtbot.keyClicks(dialog.password, password)
    with qtbot.waitSignal(panel.linked, timeout=WAIT) as linked:
        qtbot.mouseClick(dialog.link_button, Qt.MouseButton.LeftButton)
    record = linked.args[0]
    bar, offer = window.publish_bar, window.thread_offer
    qtbot.waitUntil(lambda: bar.picker.checked_ids() == [record.id], timeout=WAIT)

    write(qtbot, window, "Short and fine.")
    qtbot.waitUntil(lambda: window.composer.counter_labels["bluesky"].count is not None, timeout=WAIT)
    assert not offer.isVisible()

    write(qtbot, window, TEXT)
    qtbot.waitUntil(offer.isVisible, timeout=WAIT)
    assert offer.label.text() == "Too long for Bluesky."
    assert offer.split_button.isVisible() and not offer.undo_button.isVisible()
    assert not bar.publish_button.isEnabled()
    assert bar.why_not().startswith("Publishing is refused: the policy blocks this post (Too long for ")

    qtbot.mouseClick(offer.split_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: offer.label.text() == "Publishing as a thread: Bluesky 3 posts.", timeout=WAIT)
    assert offer.parts["bluesky"] == split(TEXT, "bluesky")
    assert offer.undo_button.isVisible() and not offer.split_button.isVisible()
    qtbot.waitUntil(bar.publish_button.isEnabled, timeout=WAIT)
    assert bar.why_not() is None

    with qtbot.waitSignal(bar.published, timeout=WAIT):
        qtbot.mouseClick(bar.publish_button, Qt.MouseButton.LeftButton)
    status = rows(window)[record.id]
    assert status.state == "sent", status.text.text()
    posts = sorted(bluesky_pds.list_posts(user.did), key=lambda r: r["uri"].rsplit("/", 1)[1])
    assert [p["value"]["text"] for p in posts] == list(split(TEXT, "bluesky"))
    assert [p["value"].get("reply", {}).get("parent", {}).get("uri") for p in posts] == [
        None, posts[0]["uri"], posts[1]["uri"]]

    # undone, the long draft is one post again: this account already has it (as the thread), and as
    # one post it would be blocked by its length
    qtbot.mouseClick(offer.undo_button, Qt.MouseButton.LeftButton)
    assert offer.label.text() == "Too long for Bluesky." and offer.split_button.isVisible()
    assert bar.why_not().startswith("Already posted to ")
    assert "Too long for" in " ".join(str(f.finding.message) for f in window.composer.findings)
