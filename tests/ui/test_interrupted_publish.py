"""A publish left half-done by a crash: publish_history rows still ``pending`` when Chorus starts.

The test makes such a row the way a crash leaves it (the attempt is recorded with
``begin_publication``, then nothing more: in one case the post reached the server first, in the
other it never left), then starts the real window over that profile. The rows show under the post
with "Chorus was closed while sending", **Check** (looks, never sends) and **Retry** (through
PublishService.publish, which looks before sending again); the server ends with the post exactly
once. Real Mastodon-API test server, real Secret Service keyring; no mocks, no sleeps."""

from __future__ import annotations

import pytest
from PySide6.QtCore import Qt

from desktop.bootstrap import build_services
from desktop.core.drafts import DraftStore
from desktop.core.paths import AppPaths
from desktop.core.ports import Post
from desktop.core.publishing.service import idempotency_key
from desktop.core.settings import Settings
from tests.servers.mastodon_browser import AuthorizeBrowser
from tests.ui.test_accounts_publishing import (  # noqa: F401 - the fixtures
    CLEAN,
    PASSWORD,
    STATUSES,
    WAIT,
    browser,
    keyring,
    open_window,
    rows,
    secret_service,
    servers,
)


def crash_mid_send(profile, keyring, server, *, arrived: bool) -> tuple[str, str]:
    """An earlier session: alice linked, a draft, and a publish that stopped after recording its
    attempt (and, when *arrived*, after the server had taken the post). Returns (draft id, account id)."""
    paths = AppPaths.for_profile(profile)
    paths.ensure()
    store = DraftStore.open(paths.drafts_db)
    services = build_services(Settings(paths.settings_file), store, paths.cache_dir, secret_store=keyring)
    try:
        driver = AuthorizeBrowser("alice", PASSWORD)
        try:
            record = services.linking.link_with_browser("mastodon", server.url, driver, timeout=10)
        finally:
            driver.close()
        draft = store.create(CLEAN, targets=[record.id])
        key = idempotency_key(draft.id, record.id, CLEAN)
        publication = services.publications.begin_publication(draft.id, record.account, key,
                                                                policy_version="acme-example@2025.06.1")
        if arrived:  # the server took it; Chorus died before writing "sent"
            client = services.publisher(lambda: None).clients.get("mastodon")
            client.publish(record.account, services.accounts.secret(record.id),
                           Post(CLEAN, key, first_attempt_at=publication.created_at))
        assert [p.status for p in services.publications.pending_publications()] == ["pending"]
        return draft.id, record.id
    finally:
        services.close()
        store.close()


@pytest.mark.parametrize("arrived", [True, False], ids=["it-arrived", "it-never-left"])
def test_a_publish_cut_short_is_shown_at_start_with_check_and_retry(profile, keyring, servers, open_window,
                                                                   qtbot, arrived):
    server = servers[0]
    draft_id, account_id = crash_mid_send(profile, keyring, server, arrived=arrived)
    assert len(server.statuses_of("alice")) == (1 if arrived else 0)

    window = open_window()
    assert window.composer.draft.id == draft_id
    bar = window.publish_bar
    qtbot.waitUntil(lambda: bar.status_view.isVisible() and account_id in bar.status_view.rows, timeout=WAIT)
    row = rows(window)[account_id]
    assert row.state == "interrupted"
    assert row.text.text() == "⚠ Chorus was closed while sending: it may or may not have arrived."
    assert row.check_button.isVisible() and row.retry_button.isVisible()
    assert not row.confirm_button.isVisible() and not row.send_new_button.isVisible()
    assert bar.status_view.summary.text() == "1 interrupted when Chorus was closed: check or retry"
    assert window.notice.isVisible()
    assert window.notice.label.text().startswith("Chorus was closed while sending a post: it may or may not")
    assert not server.requests_to(STATUSES, "POST") or arrived  # nothing was sent at start

    if arrived:
        # Check: looks, finds it, records it as posted with its link; sends nothing
        posts_before = len(server.requests_to(STATUSES, "POST"))
        with qtbot.waitSignal(bar.published, timeout=WAIT):
            qtbot.mouseClick(row.check_button, Qt.MouseButton.LeftButton)
        row = rows(window)[account_id]
        (status,) = server.statuses_of("alice")
        assert row.state == "sent" and f"href='{server.url}/@alice/{status.id}'" in row.text.text()
        assert len(server.requests_to(STATUSES, "POST")) == posts_before
        assert bar.status_view.summary.text() == "Posted"
    # Retry goes through PublishService.publish, which looks before sending again (and, once it is
    # posted, publishing the draft again sends nothing)
    qtbot.waitUntil(lambda: window.composer.policy.state == "ok", timeout=WAIT)
    if arrived:  # posted: Publish is disabled and says so; sending again anyway (Retry) sends nothing
        assert bar.why_not() is not None and bar.why_not().startswith("Already posted to")
    else:
        assert bar.why_not() is None, bar.why_not()
    with qtbot.waitSignal(bar.published, timeout=WAIT):
        if arrived:
            bar.retry(account_id)
        else:
            qtbot.mouseClick(row.retry_button, Qt.MouseButton.LeftButton)
    row = rows(window)[account_id]
    (status,) = server.statuses_of("alice")  # exactly once
    assert status.text == CLEAN
    assert row.state == "sent" and f"href='{server.url}/@alice/{status.id}'" in row.text.text()
    [entry] = window.services.publications.history(draft_id)
    assert entry.status == "sent" and entry.post_url.endswith(f"/@alice/{status.id}")
    assert window.services.publications.pending_publications() == []


def test_check_says_when_it_did_not_arrive_and_retry_then_sends_it_once(profile, keyring, servers, open_window,
                                                                       qtbot):
    server = servers[0]
    draft_id, account_id = crash_mid_send(profile, keyring, server, arrived=False)
    window = open_window()
    bar = window.publish_bar
    qtbot.waitUntil(lambda: account_id in bar.status_view.rows, timeout=WAIT)
    row = rows(window)[account_id]
    with qtbot.waitSignal(bar.published, timeout=WAIT):
        qtbot.mouseClick(row.check_button, Qt.MouseButton.LeftButton)
    row = rows(window)[account_id]
    assert row.state == "failed" and "did not arrive before Chorus was closed" in row.text.text()
    assert row.retry_button.isVisible() and not server.statuses_of("alice")
    with qtbot.waitSignal(bar.published, timeout=WAIT):
        qtbot.mouseClick(row.retry_button, Qt.MouseButton.LeftButton)
    assert rows(window)[account_id].state == "sent"
    assert len(server.statuses_of("alice")) == 1 and len(server.requests_to(STATUSES, "POST")) == 1


def test_the_notice_leads_to_the_post_when_another_draft_is_open(profile, keyring, servers, open_window, qtbot):
    server = servers[0]
    draft_id, account_id = crash_mid_send(profile, keyring, server, arrived=False)
    paths = AppPaths.for_profile(profile)
    store = DraftStore.open(paths.drafts_db)
    try:
        newer = store.create("A newer draft, opened first")
    finally:
        store.close()
    window = open_window()
    assert window.composer.draft.id == newer.id
    qtbot.waitUntil(lambda: window.notice.isVisible(), timeout=WAIT)
    assert window.notice.action_button.text() == "Show"
    qtbot.mouseClick(window.notice.action_button, Qt.MouseButton.LeftButton)
    assert window.composer.draft.id == draft_id
    assert rows(window)[account_id].state == "interrupted" and window.publish_bar.status_view.isVisible()


# ---------------------------------------------------------------------------------------------
# Profiles and server limits kept current (Accounts panel, at start and after linking)
# ---------------------------------------------------------------------------------------------
def test_at_start_each_account_is_refreshed_and_the_mastodon_counter_follows_the_server(
        profile, keyring, servers, open_window, qtbot):
    server = servers[0]  # 640 characters when alice linked
    draft_id, account_id = crash_mid_send(profile, keyring, server, arrived=False)
    server.max_characters = 1200  # the admin raised it since
    window = open_window()
    panel = window.accounts_panel
    qtbot.waitUntil(lambda: panel.refreshing == 0 and
                    panel.record(account_id).account.limits.get("max_characters") == 1200, timeout=WAIT)
    assert window.services.accounts.store.get_account(account_id).account.limits["max_characters"] == 1200
    qtbot.waitUntil(lambda: window.composer.counter_labels["mastodon"].text().endswith("/1,200"), timeout=WAIT)


def test_after_linking_in_the_panel_the_profile_is_read_again(open_window, qtbot, servers, browser):
    window = open_window()
    panel = window.accounts_panel
    dialog = panel.open_link_dialog("mastodon")
    dialog.server.setText(servers[0].url)
    browser.auto = True
    with qtbot.waitSignal(panel.profiles_refreshed, timeout=WAIT) as refreshed:
        dialog.continue_button.click()
    assert refreshed.args == [0]  # just linked: nothing had changed yet
    record = panel.records[0]
    servers[0].max_characters = 900
    with qtbot.waitSignal(panel.profiles_refreshed, timeout=WAIT) as refreshed:
        panel.refresh_profiles([record.id])
    assert refreshed.args == [1]
    qtbot.waitUntil(lambda: panel.record(record.id).account.limits["max_characters"] == 900, timeout=WAIT)
    window.composer.editor.setPlainText("Hello")
    qtbot.waitUntil(lambda: window.composer.counter_labels["mastodon"].text() == "Mastodon 5/900", timeout=WAIT)
