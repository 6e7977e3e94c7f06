"""Publish later in the real window: File → Publish later… with the zone shown, the timer sending a due
post to the Mastodon test server exactly once, the Scheduled view (change time, unschedule), the
missed-posts question at start (nothing sent unasked), a post held by the policy of the day, and the
tray option when the window is closed with posts waiting.

Real parts: the MainWindow with the services the composition root builds, a Mastodon test server on
127.0.0.1, a Secret Service keyring on a private D-Bus, the drafts database. The clock is injected
into the schedule feature (``ScheduleFeature.clock``), so tests move time instead of waiting. The
offscreen platform has no system tray, so the tray tests say the desktop has one
(``tray_available``); the icon, its menu and the hidden window are Qt's real ones.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator

import pytest
from PySide6.QtWidgets import QApplication, QMessageBox

from desktop.bootstrap import build_services
from desktop.core.publishing.schedule import MISSED, WAITING, Scheduler, to_utc
from tests.integration.test_keyring import store_on
from tests.schedule.world import CLEAN, STATUSES, Clock
from tests.servers.mastodon_browser import AuthorizeBrowser
from tests.servers.mastodon_server import MastodonTestServer

PASSWORD = "alice-password-for-schedule-tests"
WAIT = 15_000
PARIS = "Europe/Paris"


@pytest.fixture
def server() -> Iterator[MastodonTestServer]:
    running = MastodonTestServer(users={"alice": PASSWORD}, domain="social.example").start()
    yield running
    running.stop()


@pytest.fixture
def clock() -> Clock:
    return Clock(to_utc(dt.datetime(2026, 10, 23, 16, 0), PARIS))  # Friday before the clocks go back


@pytest.fixture
def window(make_window, secret_service, monkeypatch, qtbot, server, clock):
    keyring = store_on(secret_service, monkeypatch)

    def services(settings, store, paths):
        return build_services(settings, store, paths.cache_dir, secret_store=keyring)

    win = make_window(values={"policy.source": "default", "publishing.time_zone": PARIS}, load_policy=True,
                      services=services, outbox_first_try_ms=-1)
    qtbot.waitUntil(lambda: win.accounts_panel is not None and win.accounts_panel.loaded, timeout=WAIT)
    driver = AuthorizeBrowser("alice", PASSWORD)
    try:
        win.services.linking.link_with_browser("mastodon", server.url, driver, timeout=10)
    finally:
        driver.close()
    win.accounts_panel.refresh()
    qtbot.waitUntil(lambda: len(win.accounts_panel.records) == 1, timeout=WAIT)
    feature = win.schedule
    feature.clock = clock
    feature.started_at = clock()
    win.composer.editor.setPlainText(CLEAN)
    qtbot.waitUntil(lambda: win.composer.policy.state == "ok", timeout=WAIT)
    qtbot.waitUntil(lambda: win.publish_bar.chosen() != [], timeout=WAIT)
    yield win
    QApplication.instance().setQuitOnLastWindowClosed(True)
    if feature.tray is not None:
        feature.tray.hide()


def schedule_via_dialog(qtbot, window, wall: dt.datetime):
    feature = window.schedule
    window.schedule.act_later.trigger()
    dialog = feature.dialog
    assert dialog is not None and dialog.isVisible()
    dialog.set_wall_time(wall)
    with qtbot.waitSignal(feature.changed, timeout=WAIT):
        dialog.confirm.click()
    return dialog


def sent_texts(server: MastodonTestServer) -> list[str]:
    return [status.text for status in server.statuses_of("alice")]


def tick(qtbot, feature) -> None:
    feature.tick()
    qtbot.waitUntil(lambda: not feature.busy, timeout=WAIT)


def test_publish_later_shows_the_zone_then_the_timer_sends_the_post_once(window, qtbot, server, clock) -> None:
    feature = window.schedule
    assert window.act_publish.isEnabled()
    menus = [a.text() for a in window.menuBar().actions()[0].menu().actions()]
    assert menus.index("Publish &later…") == menus.index("&Publish") + 1
    window.schedule.act_later.trigger()
    dialog = feature.dialog
    assert dialog.what.text() == f"“{CLEAN}” to @alice@social.example"
    # the next quarter hour at least an hour ahead, in Paris, with the zone as it is that day
    assert dialog.wall_time() == dt.datetime(2026, 10, 23, 17, 15)
    assert dialog.zone.text() == "Time zone: Europe/Paris (CEST, UTC+02:00)"
    dialog.set_wall_time(dt.datetime(2026, 10, 26, 9, 0))  # Monday: after the clocks went back
    assert dialog.zone.text() == "Time zone: Europe/Paris (CET, UTC+01:00)"
    dialog.set_wall_time(dt.datetime(2026, 10, 25, 2, 30))  # happens twice that night
    assert "happens twice that night" in dialog.zone.text() and "the first, CEST" in dialog.zone.text()
    dialog.set_wall_time(dt.datetime(2026, 10, 23, 15, 0))  # already passed
    assert dialog.problem.text() == "That time has already passed: choose a later one."
    assert not dialog.confirm.isEnabled()
    dialog.set_wall_time(dt.datetime(2026, 10, 26, 9, 0))
    assert dialog.confirm.isEnabled() and dialog.problem.isHidden()
    with qtbot.waitSignal(feature.changed, timeout=WAIT):
        dialog.confirm.click()
    assert "Scheduled for Mon 26 Oct 2026, 09:00 CET (UTC+01:00, Europe/Paris) to 1 account" in \
        window.statusBar().currentMessage()
    assert sent_texts(server) == []
    # the timer's round before the time sends nothing; after it, exactly once
    clock.now = to_utc(dt.datetime(2026, 10, 26, 8, 59, 50), PARIS)
    feature.started_at = clock.now - 3 * 86400  # Chorus ran all weekend
    tick(qtbot, feature)
    assert sent_texts(server) == [] and feature.pending_count == 1
    clock.advance(15)
    tick(qtbot, feature)
    qtbot.waitUntil(lambda: sent_texts(server) == [CLEAN], timeout=WAIT)
    assert "Scheduled post sent to @alice@social.example" in window.statusBar().currentMessage()
    row = window.publish_bar.status_view.rows
    qtbot.waitUntil(lambda: any(r.state == "sent" for r in row.values()), timeout=WAIT)
    clock.advance(15)
    tick(qtbot, feature)
    assert len(server.requests_to(STATUSES, "POST")) == 1 and feature.pending_count == 0


def test_the_scheduled_view_lists_changes_the_time_and_unschedules(window, qtbot, server, clock) -> None:
    feature = window.schedule
    schedule_via_dialog(qtbot, window, dt.datetime(2026, 10, 24, 10, 0))
    feature.act_scheduled.trigger()
    view = feature.view
    qtbot.waitUntil(lambda: view.table.rowCount() == 1, timeout=WAIT)
    assert view.table.item(0, 0).text() == "Sat 24 Oct 2026, 10:00 CEST (UTC+02:00, Europe/Paris)"
    assert view.table.item(0, 1).text() == "@alice@social.example"
    assert view.table.item(0, 2).text() == CLEAN and view.table.item(0, 3).text() == "Waiting"
    assert view.summary.text().startswith("1 scheduled post.")
    # change the time: the dialog opens on the post's own time and zone
    view.change.click()
    dialog = feature.dialog
    assert dialog.windowTitle() == "Change the time" and dialog.wall_time() == dt.datetime(2026, 10, 24, 10, 0)
    dialog.set_wall_time(dt.datetime(2026, 10, 27, 8, 30))
    with qtbot.waitSignal(feature.changed, timeout=WAIT):
        dialog.confirm.click()
    qtbot.waitUntil(lambda: view.table.item(0, 0).text().startswith("Tue 27 Oct 2026, 08:30 CET"), timeout=WAIT)
    # unschedule: the post stays a draft, nothing goes out at the old or the new time
    draft_id = window.composer.draft.id
    view.unschedule.click()
    qtbot.waitUntil(lambda: view.table.rowCount() == 0, timeout=WAIT)
    assert view.summary.text().startswith("Nothing is scheduled")
    assert window.store.get(draft_id).body == CLEAN
    clock.now = to_utc(dt.datetime(2026, 10, 27, 9, 0), PARIS)
    feature.started_at = clock.now - 7 * 86400
    tick(qtbot, feature)
    assert server.requests_to(STATUSES, "POST") == []


def test_posts_missed_while_closed_are_asked_about_and_never_sent_unasked(window, qtbot, server, clock) -> None:
    feature = window.schedule
    publisher = window.services.publisher(window.policy_now)
    [account_id] = window.publish_bar.chosen()
    earlier = Scheduler(publisher, clock=Clock(clock.now - 86400))  # yesterday's run of Chorus
    first = window.store.create("First missed post, all fine.")
    second = window.store.create("Second missed post, all fine too.")
    third = window.store.create("Third missed post, to reschedule.")
    for i, draft in enumerate((first, second, third)):
        earlier.schedule(draft.id, [account_id], draft.body, clock.now - 7200 + 60 * i, PARIS)
    feature.start()  # this run began after their time
    qtbot.waitUntil(lambda: feature.missed_dialog is not None, timeout=WAIT)
    missed = feature.missed_dialog
    assert missed.list.count() == 3 and missed.isVisible()
    assert missed.intro.text() == ("Chorus was not running when these posts were due, so nothing was sent. "
                                   "Choose what to do with each:")
    assert "First missed post" in missed.list.item(0).text() and "CEST (UTC+02:00, Europe/Paris)" in \
        missed.list.item(0).text()
    for _ in range(3):  # the timer goes on: it never sends them
        clock.advance(15)
        tick(qtbot, feature)
    assert server.requests_to(STATUSES, "POST") == []
    # Keep as draft, then Send now, then Reschedule…
    missed.keep.click()
    qtbot.waitUntil(lambda: missed.list.count() == 2, timeout=WAIT)
    missed.send.click()
    qtbot.waitUntil(lambda: sent_texts(server) == ["Second missed post, all fine too."], timeout=WAIT)
    missed.reschedule.click()
    dialog = feature.dialog
    dialog.set_wall_time(dt.datetime(2026, 10, 24, 9, 0))
    with qtbot.waitSignal(feature.changed, timeout=WAIT):
        dialog.confirm.click()
    qtbot.waitUntil(lambda: feature.missed_dialog is None, timeout=WAIT)
    scheduler = feature.scheduler()
    qtbot.waitUntil(lambda: [(p.draft_id, p.state) for p in scheduler.posts()] == [(third.id, WAITING)],
                    timeout=WAIT)
    assert window.store.get(first.id) is not None  # kept as a draft
    assert len(server.requests_to(STATUSES, "POST")) == 1


def test_closing_the_missed_question_sends_nothing(window, qtbot, server, clock) -> None:
    feature = window.schedule
    publisher = window.services.publisher(window.policy_now)
    [account_id] = window.publish_bar.chosen()
    draft = window.store.create("A post due while Chorus was closed.")
    Scheduler(publisher, clock=Clock(clock.now - 3600)).schedule(draft.id, [account_id], draft.body,
                                                                  clock.now - 600, PARIS)
    feature.start()
    qtbot.waitUntil(lambda: feature.missed_dialog is not None, timeout=WAIT)
    feature.missed_dialog.reject()  # Decide later / Escape
    qtbot.waitUntil(lambda: feature.missed_dialog is None, timeout=WAIT)
    clock.advance(60)
    tick(qtbot, feature)
    assert server.requests_to(STATUSES, "POST") == []
    assert [p.state for p in feature.scheduler().posts()] == [MISSED]


def test_a_post_the_new_policy_blocks_is_held_with_a_notice(window, qtbot, server, clock) -> None:
    feature = window.schedule
    schedule_via_dialog(qtbot, window, dt.datetime(2026, 10, 23, 18, 0))
    window.settings.set("policy.source", "acme-example")  # the company's policy changed meanwhile
    window.load_policy()
    qtbot.waitUntil(lambda: window.active_policy is not None and window.active_policy.policy.info.id
                    == "acme-example", timeout=WAIT)
    clock.now = to_utc(dt.datetime(2026, 10, 23, 18, 0, 5), PARIS)
    with qtbot.waitSignal(feature.held, timeout=WAIT) as held:
        feature.tick()
    [status] = held.args[0]
    assert status.state == "refused" and "Confidential codename: Project Bluebird" in status.reason
    assert window.notice.isVisible() and "A scheduled post was not sent. Held, not sent:" in window.notice.label.text()
    assert server.requests_to(STATUSES, "POST") == []
    feature.show_scheduled()
    qtbot.waitUntil(lambda: feature.view.table.rowCount() == 1, timeout=WAIT)
    view = feature.view
    assert view.table.item(0, 3).text() == "Held by the policy"
    assert view.details.text().startswith("Held, not sent: Publishing is refused: the policy blocks this post")
    assert "Edit the draft, then Change time… to schedule it again." in view.details.text()


# -- the tray ----------------------------------------------------------------------------------------------
# the offscreen platform has no tray: QSystemTrayIcon says so with this warning when shown there
@pytest.mark.qt_log_ignore(r"No such signal QPlatformNativeInterface::systemTrayWindowChanged")
def test_closing_with_posts_waiting_asks_once_and_keeps_chorus_in_the_tray(window, qtbot, server, clock) -> None:
    feature = window.schedule
    feature.tray_available = lambda: True
    schedule_via_dialog(qtbot, window, dt.datetime(2026, 10, 23, 18, 0))
    assert window.settings.get("publishing.keep_running") == "ask"
    window.close()
    box = feature.close_question
    assert box is not None and window.isVisible()
    assert box.text().startswith("1 scheduled post is waiting. Chorus sends them only while it runs.")
    [keep] = [b for b in box.buttons() if b.text() == "Keep running in the tray"]
    keep.click()
    qtbot.waitUntil(lambda: not window.isVisible(), timeout=WAIT)
    assert feature.tray is not None and feature.tray.isVisible()
    assert feature.tray.toolTip() == "Chorus: 1 scheduled post waiting"
    assert [a.text() for a in feature.tray.contextMenu().actions() if a.text()] == [
        "Show Chorus", "Sc&heduled posts…", "Quit Chorus"]
    assert window.settings.get("publishing.keep_running") == "tray"
    assert not QApplication.instance().quitOnLastWindowClosed()
    # hidden, Chorus still sends on time
    feature.started_at = clock.now - 60
    clock.now = to_utc(dt.datetime(2026, 10, 23, 18, 0, 10), PARIS)
    tick(qtbot, feature)
    qtbot.waitUntil(lambda: sent_texts(server) == [CLEAN], timeout=WAIT)
    # shown again from the tray; closing again does not ask again (asked once)
    feature.show_window()
    assert window.isVisible()
    schedule_via_dialog(qtbot, window, dt.datetime(2026, 10, 23, 20, 0))
    window.close()
    assert feature.close_question is None and not window.isVisible()
    # Quit (tray menu or File → Quit) really quits, posts waiting or not
    feature.quit()
    assert not feature.tray.isVisible() and QApplication.instance().quitOnLastWindowClosed()


def test_answering_quit_is_remembered_and_closes(window, qtbot, clock) -> None:
    feature = window.schedule
    feature.tray_available = lambda: True
    schedule_via_dialog(qtbot, window, dt.datetime(2026, 10, 23, 18, 0))
    window.close()
    [quit_button] = [b for b in feature.close_question.buttons() if b.text() == "Quit"]
    quit_button.click()
    qtbot.waitUntil(lambda: not window.isVisible(), timeout=WAIT)
    assert window.settings.get("publishing.keep_running") == "quit" and feature.tray is None
    qtbot.waitUntil(lambda: (window.settings.user_file.read_text(encoding="utf-8").find('"quit"') > 0), timeout=WAIT)


def test_without_a_tray_closing_warns_and_can_keep_the_window(window, qtbot, clock) -> None:
    feature = window.schedule
    feature.tray_available = lambda: False
    schedule_via_dialog(qtbot, window, dt.datetime(2026, 10, 23, 18, 0))
    window.close()
    box = feature.close_question
    assert "this desktop has no system tray" in box.text() and "nothing is sent late without asking" in box.text()
    [cancel] = [b for b in box.buttons() if box.buttonRole(b) == QMessageBox.ButtonRole.RejectRole]
    cancel.click()
    assert window.isVisible() and window.settings.get("publishing.keep_running") == "ask" and feature.tray is None
