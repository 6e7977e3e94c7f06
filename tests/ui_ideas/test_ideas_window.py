"""The Ideas panel in the real main window: feeds from a real server, Write about this, the reference pane."""

from __future__ import annotations

import time
from pathlib import Path

from PySide6.QtCore import QTimer

from desktop.adapters.feeds import HttpFeedFetcher
from desktop.core.ideas import PROMPT, written_from
from tests.ideas.feeds_server import FeedServer, Route
from tests.ideas.samples import JSON_FEED, RSS


def _with_fetcher(window, deadline: float = 2.0) -> HttpFeedFetcher:
    fetcher = HttpFeedFetcher(deadline=deadline)
    window.ideas.service.fetcher = fetcher
    return fetcher


def _add_feed(qtbot, window, url: str) -> None:
    with qtbot.waitSignal(window.ideas.refreshed, timeout=15_000):
        window.ideas.add_feed(url)


def test_write_about_this_opens_a_draft_with_the_link_and_shows_the_suggested_copy(qtbot, make_window, feed_server):
    feed_server.routes["/rss"] = Route(RSS, "application/rss+xml")
    window = make_window()
    fetcher = _with_fetcher(window)
    try:
        url = feed_server.url("/rss")
        _add_feed(qtbot, window, url)
        panel = window.ideas.panel
        assert panel.titles() == ["We are hiring in Lyon", "Chorus 1.4 ships offline drafts"]
        assert window.settings.get("ideas.feeds") == (url,)
        assert not panel.status.isVisible() or not panel.status.text()
        assert all(not idea.read for idea in panel.ideas)
        assert panel.select(panel.ideas[1].key)
        assert panel.detail.text() == "Drafts now work offline."
        assert panel.current_idea() is not None and panel.current_idea().read  # shown read (no longer bold)
        assert not window.ideas.reference.isVisible()
        assert panel.open_action.isEnabled()
        # narrow enough to share the right-hand tabs without squeezing the editor in a 640-pixel window
        from desktop.ui.shell.main_window import PANEL_SHARE

        assert panel.minimumSizeHint().width() < 640 * PANEL_SHARE
        with qtbot.waitSignal(window.ideas.draft_written, timeout=5000) as written:
            panel.write_button.click()
        draft_id = written.args[0]
        assert window.composer.draft is not None and window.composer.draft.id == draft_id
        assert window.composer.text() == f"{PROMPT}\n\nhttps://blog.acme.example/1-4"
        assert "Excited to announce" not in window.composer.text()  # never the suggested copy in the editor
        assert window.composer.editor.textCursor().position() == len(PROMPT)
        reference = window.ideas.reference
        assert reference.isVisible()
        assert reference.heading.text() == "Suggested by Acme Engineering Blog"
        assert reference.for_reference.isVisible() and "your own words" in reference.for_reference.text()
        assert reference.text.toPlainText() == "Excited to announce Chorus 1.4! #innovation"
        assert reference.text.isReadOnly()
        assert [t.text for t in written_from(window.store, draft_id)] == ["Excited to announce Chorus 1.4! #innovation"]
        reference.close_button.click()
        assert not reference.isVisible()
        # another draft has no reference; going back to the idea's draft shows it again
        with qtbot.waitSignal(window.draft_opened, timeout=5000):
            window.drafts_controller.new_draft()
        qtbot.wait(200)
        assert not reference.isVisible()
        window.drafts_controller.open_by_id(draft_id)
        qtbot.waitUntil(reference.isVisible, timeout=5000)
        assert reference.draft_id == draft_id
    finally:
        fetcher.close()


def test_a_hanging_feed_does_not_freeze_the_window_and_is_named(qtbot, make_window, feed_server):
    feed_server.routes["/rss"] = Route(RSS)
    window = make_window()
    fetcher = _with_fetcher(window, deadline=2.0)
    try:
        url = feed_server.url("/rss")
        _add_feed(qtbot, window, url)
        feed_server.routes["/rss"] = Route(hang=True)
        ticks: list[float] = []
        timer = QTimer()
        timer.timeout.connect(lambda: ticks.append(time.monotonic()))
        timer.start(50)
        window.ideas.refresh()
        assert window.ideas.panel.refresh_button.text() == "Refreshing…"
        qtbot.wait(600)  # the server is holding the request: the GUI thread keeps running
        assert window.ideas._refreshing and len(ticks) >= 3
        qtbot.keyClicks(window.composer.editor, "still typing")
        assert "still typing" in window.composer.text()
        with qtbot.waitSignal(window.ideas.refreshed, timeout=15_000):
            pass
        timer.stop()
        panel = window.ideas.panel
        assert panel.refresh_button.text() == "Refresh" and panel.refresh_button.isEnabled()
        assert panel.status.isVisible()
        assert panel.status.text().startswith(
            f"Acme Engineering Blog: the feed server 127.0.0.1:{feed_server.port} did not answer in 2 s. Showing the "
            "2 item(s) from ")
        assert panel.titles() == ["We are hiring in Lyon", "Chorus 1.4 ships offline drafts"]  # from the cache
    finally:
        fetcher.close()


def test_dismissed_stays_dismissed_and_offline_shows_the_cache(qtbot, make_window, tmp_path: Path):
    server = FeedServer()
    server.routes["/json"] = Route(JSON_FEED, "application/feed+json")
    window = make_window()
    fetcher = _with_fetcher(window)
    try:
        url = server.url("/json")
        _add_feed(qtbot, window, url)
        panel = window.ideas.panel
        assert panel.titles() == ["Release 2.0", "A note without title or date."]
        panel.select(panel.ideas[0].key)
        panel.dismiss_button.click()
        assert panel.titles() == ["A note without title or date."]
        server.stop()
        window.ideas.refresh()
        qtbot.waitSignal(window.ideas.refreshed, timeout=15_000).wait()
        qtbot.waitUntil(lambda: panel.status.isVisible(), timeout=5000)
        assert "Acme Releases: Chorus cannot reach the feed server" in panel.status.text()
        assert "connection refused" in panel.status.text()
        assert panel.titles() == ["A note without title or date."]
    finally:
        fetcher.close()
        server.stop()


def test_notes_folder_ideas_and_a_locked_feed_list(qtbot, make_window, tmp_path: Path):
    folder = tmp_path / "notes"
    folder.mkdir()
    (folder / "visit.md").write_text("# Visit at the Lyon plant\n\nThey use offline drafts.\n", encoding="utf-8")
    window = make_window(managed={"ideas.feeds": []}, values={"ideas.folders": [str(folder)]})
    panel = window.ideas.panel
    qtbot.waitUntil(lambda: panel.titles() == ["Visit at the Lyon plant"], timeout=5000)
    assert not panel.add_feed_action.isEnabled() and "managed by your organisation" in panel.add_feed_action.text()
    assert panel.add_folder_action.isEnabled()
    panel.select(panel.ideas[0].key)
    assert not panel.open_action.isEnabled()  # a note's file address is not opened from here
    with qtbot.waitSignal(window.ideas.draft_written, timeout=5000):
        panel.write_button.click()
    assert window.composer.text() == PROMPT  # no file address goes into a post
    reference = window.ideas.reference
    assert reference.isVisible() and reference.heading.text() == "From notes"
    assert reference.text.toPlainText() == "They use offline drafts."


def test_a_feed_added_while_a_refresh_runs_is_fetched_when_it_ends(qtbot, make_window, feed_server):
    feed_server.routes["/rss"] = Route(hang=True)  # the refresh under way waits for this server
    feed_server.routes["/json"] = Route(JSON_FEED, "application/feed+json")
    window = make_window()
    fetcher = _with_fetcher(window, deadline=1.5)
    try:
        window.ideas.add_feed(feed_server.url("/rss"))
        qtbot.waitUntil(lambda: window.ideas._refreshing, timeout=5000)
        window.ideas.add_feed(feed_server.url("/json"))  # asked for while the first refresh runs
        panel = window.ideas.panel
        # before: the first refresh's view (without the new feed) was shown, and the feed waited for the timer
        qtbot.waitUntil(lambda: "Release 2.0" in panel.titles() and not window.ideas._refreshing, timeout=15_000)
        assert any(idea.source == feed_server.url("/json") for idea in window.ideas.view.ideas)
        assert panel.refresh_button.isEnabled()
    finally:
        fetcher.close()
