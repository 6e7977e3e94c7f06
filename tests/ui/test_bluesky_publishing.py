"""Bluesky in the real window, against the reference PDS (npm @atproto/pds, tests/servers/bluesky_pds.py):
link through the Accounts panel's Bluesky dialog with a handle and an app password (and with a custom
PDS under Advanced), then publish a draft from the composer and see the row turn to posted with its
link; the record is on the PDS exactly once. Real keyring (Secret Service), no mocks, no sleeps."""

from __future__ import annotations

import pytest
from PySide6.QtCore import Qt

from tests.integration.test_keyring import items
from tests.servers.bluesky_pds import BlueskyPDS, bluesky_pds  # noqa: F401 - the session fixture
from tests.ui.test_accounts_publishing import (  # noqa: F401 - the fixtures
    CLEAN,
    WAIT,
    browser,
    closed,
    keyring,
    open_window,
    rows,
    secret_service,
    write,
)


@pytest.fixture
def pds_user(bluesky_pds: BlueskyPDS):  # noqa: F811
    user = bluesky_pds.create_account("alice")
    bluesky_pds.create_app_password(user, "Chorus")
    return user


def bluesky_window(open_window, pds: BlueskyPDS):
    # handles resolve through the test PDS, DIDs through its PLC directory (not bsky.social / plc.directory)
    return open_window(endpoints={"bluesky": {"service_url": pds.url, "plc_url": pds.plc_url}})


@pytest.mark.parametrize("how", ["handle", "custom-pds"])
def test_link_bluesky_in_the_panel_then_publish_once_with_a_link(open_window, qtbot, bluesky_pds, pds_user,
                                                                 secret_service, how):  # noqa: F811
    window = bluesky_window(open_window, bluesky_pds)
    panel = window.accounts_panel
    dialog = panel.open_link_dialog("bluesky")
    assert dialog.isVisible() and not dialog.link_button.isEnabled()
    qtbot.keyClicks(dialog.identifier, pds_user.handle)
    qtbot.keyClicks(dialog.password, pds_user.app_passwords["Chorus"])
    if how == "custom-pds":
        qtbot.mouseClick(dialog.advanced_toggle, Qt.MouseButton.LeftButton)
        assert dialog.advanced.isVisible()
        custom = bluesky_pds.url.replace("localhost", "127.0.0.1") + "/"
        qtbot.keyClicks(dialog.service_url, custom)
    assert dialog.link_button.isEnabled()
    with qtbot.waitSignal(panel.linked, timeout=WAIT) as linked:
        qtbot.mouseClick(dialog.link_button, Qt.MouseButton.LeftButton)
    record = linked.args[0]
    account = record.account
    assert account.network == "bluesky" and account.handle == f"@{pds_user.handle}"
    assert account.remote_id == pds_user.did
    expected_server = custom.rstrip("/") if how == "custom-pds" else bluesky_pds.url
    assert account.server == expected_server
    qtbot.waitUntil(lambda: record.id in panel.rows, timeout=WAIT)
    assert closed(dialog)
    row = panel.rows[record.id]
    # no display name on a fresh PDS account: the handle is the name, the network under it
    assert row.name.full_text() == f"@{pds_user.handle}" and row.handle.full_text() == "Bluesky"
    assert f"@{pds_user.handle} on Bluesky" in row.toolTip()
    assert row.state.text() == "✓ Linked"
    # the session is in the keyring, the app password too, and neither anywhere in the profile
    [item] = items(secret_service, record.id)
    assert pds_user.app_passwords["Chorus"] in item["secret"]
    profile = window.store.path.parent.parent
    files = [p for p in profile.rglob("*") if p.is_file()]
    assert files and all(pds_user.app_passwords["Chorus"].encode() not in p.read_bytes() for p in files)

    # publish from the composer
    write(qtbot, window, CLEAN)
    bar = window.publish_bar
    assert bar.picker.checked_ids() == [record.id]  # the only account
    assert bar.publish_button.isEnabled()
    with qtbot.waitSignal(bar.published, timeout=WAIT):
        qtbot.mouseClick(bar.publish_button, Qt.MouseButton.LeftButton)
    status = rows(window)[record.id]
    assert status.state == "sent", status.text.text()
    assert bar.status_view.summary.text() == "Posted"
    [post] = bluesky_pds.list_posts(pds_user.did)  # exactly once on the PDS
    assert post["value"]["text"] == CLEAN
    rkey = post["uri"].rsplit("/", 1)[1]
    url = f"https://bsky.app/profile/{pds_user.handle}/post/{rkey}"
    assert f"href='{url}'" in status.text.text() and "✓ Posted" in status.text.text()
    [entry] = window.services.publications.history(window.composer.draft.id)
    assert entry.status == "sent" and entry.post_url == url

    # publishing the same draft again sends nothing new: Publish is disabled, and sending anyway is a no-op
    assert not bar.publish_button.isEnabled() and "Already posted" in bar.publish_button.toolTip()
    with qtbot.waitSignal(bar.published, timeout=WAIT):
        bar.retry(record.id)
    assert rows(window)[record.id].state == "sent"
    assert len(bluesky_pds.list_posts(pds_user.did)) == 1


def test_a_wrong_app_password_is_refused_in_the_dialog_and_nothing_is_linked(open_window, qtbot, bluesky_pds,
                                                                             pds_user):  # noqa: F811
    window = bluesky_window(open_window, bluesky_pds)
    dialog = window.accounts_panel.open_link_dialog("bluesky")
    dialog.identifier.setText(pds_user.handle)
    dialog.password.setText("aaaa-bbbb-cccc-dddd")
    qtbot.mouseClick(dialog.link_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: dialog.error.isVisible(), timeout=WAIT)
    assert "did not accept" in dialog.error.text()
    assert dialog.isVisible() and not dialog.is_busy and dialog.link_button.isEnabled()
    assert window.services.accounts.accounts() == [] and window.accounts_panel.records == []
