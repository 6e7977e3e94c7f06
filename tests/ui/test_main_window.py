from PySide6.QtCore import Qt
from PySide6.QtGui import QPalette
from PySide6.QtWidgets import QAbstractButton, QLineEdit, QListView, QPlainTextEdit

from desktop.core.drafts import DraftStore
from desktop.ui.drafts.autosave import SAVE_DELAY_MS


def wait_saved(qtbot, window):
    qtbot.waitUntil(lambda: not window.autosaver.busy, timeout=5000)


def stored_bodies(window):
    return [d.body for d in window.store.list()]


def test_first_start_opens_an_empty_draft_ready_for_typing(make_window, qtbot):
    window = make_window()
    assert window.windowTitle() == "Untitled draft — Chorus"
    assert window.drafts.model.rowCount() == 1
    assert window.composer.editor.isEnabled() and window.composer.text() == ""
    assert window.composer.draft.id == window.store.list()[0].id


def test_typing_is_saved_without_any_user_action(make_window, qtbot):
    assert SAVE_DELAY_MS <= 1000
    window = make_window()
    qtbot.keyClicks(window.composer.editor, "Shipping the new search today ")
    window.composer.editor.insertPlainText("🚀")  # QTest types ASCII only; emoji arrive as input-method text
    with qtbot.waitSignal(window.autosaver.saved, timeout=5000):
        pass
    wait_saved(qtbot, window)
    assert stored_bodies(window) == ["Shipping the new search today 🚀"]
    assert window.drafts.model.drafts()[0].title == "Shipping the new search today 🚀"
    assert window.status_label.text() == "All changes saved"
    assert window.windowTitle() == "Shipping the new search today 🚀 — Chorus"


def test_new_duplicate_delete_and_undo_through_shortcuts(make_window, qtbot):
    window = make_window()
    qtbot.keyClicks(window.composer.editor, "first draft")
    qtbot.keyClick(window, Qt.Key.Key_N, Qt.KeyboardModifier.ControlModifier)
    qtbot.waitUntil(lambda: window.drafts.model.rowCount() == 2, timeout=5000)
    assert window.composer.text() == ""
    qtbot.keyClicks(window.composer.editor, "second draft")
    qtbot.keyClick(window, Qt.Key.Key_D, Qt.KeyboardModifier.ControlModifier)
    qtbot.waitUntil(lambda: window.drafts.model.rowCount() == 3, timeout=5000)
    dup = window.composer.draft
    assert window.composer.text() == "second draft"
    wait_saved(qtbot, window)
    assert sorted(stored_bodies(window)) == ["first draft", "second draft", "second draft"]

    window.act_delete.trigger()
    assert window.drafts.model.rowCount() == 2 and window.composer.draft.id != dup.id
    assert window.notice.isVisible() and "Deleted “second draft”" in window.notice.label.text()
    qtbot.waitUntil(lambda: len(window.store.list()) == 2, timeout=5000)
    qtbot.mouseClick(window.notice.action_button, Qt.MouseButton.LeftButton)  # Undo
    qtbot.waitUntil(lambda: window.drafts.model.rowCount() == 3, timeout=5000)
    assert window.composer.draft.id == dup.id and window.composer.text() == "second draft"
    assert len(window.store.list()) == 3


def test_deleting_keeps_unsaved_text_for_undo(make_window, qtbot):
    window = make_window()
    qtbot.keyClicks(window.composer.editor, "typed and deleted at once")
    draft_id = window.composer.draft.id
    window.act_delete.trigger()  # before the autosave timer fired
    qtbot.waitUntil(lambda: window.drafts.model.rowCount() == 1 and window.composer.draft.id != draft_id, timeout=5000)
    window.act_restore.trigger()
    qtbot.waitUntil(lambda: window.composer.draft is not None and window.composer.draft.id == draft_id, timeout=5000)
    assert window.composer.text() == "typed and deleted at once"


def test_search_filters_the_list_and_finds_by_text(make_window, qtbot, profile):
    from desktop.core.paths import AppPaths

    store = DraftStore.open(AppPaths.for_profile(profile).drafts_db)
    for body in ("Our roadmap for Q3", "Café opening party", "Hiring two engineers", "Roadmap retro notes"):
        store.create(body)
    window = make_window(store=store)
    assert window.drafts.model.rowCount() == 4
    assert window.composer.text() == "Roadmap retro notes"  # newest first, opened
    qtbot.keyClick(window, Qt.Key.Key_F, Qt.KeyboardModifier.ControlModifier)
    assert window.drafts.search.hasFocus()
    with qtbot.waitSignal(window.drafts_loaded, timeout=5000):
        qtbot.keyClicks(window.drafts.search, "roadmap")
    titles = [d.title for d in window.drafts.model.drafts()]
    assert titles == ["Roadmap retro notes", "Our roadmap for Q3"]
    with qtbot.waitSignal(window.drafts_loaded, timeout=5000):
        window.drafts.search.setText("cafe")
    assert [d.title for d in window.drafts.model.drafts()] == ["Café opening party"]
    window.drafts.view.setCurrentIndex(window.drafts.model.index(0))
    assert window.composer.text() == "Café opening party"


def test_counters_follow_typing_and_show_over_limit(make_window, qtbot):
    window = make_window(networks=["bluesky", "x"])
    assert set(window.composer.counter_labels) == {"bluesky", "x"}
    qtbot.keyClicks(window.composer.editor, "a" * 290)
    qtbot.waitUntil(lambda: window.composer.counter_labels["bluesky"].count.used == 290, timeout=3000)
    bluesky = window.composer.counter_labels["bluesky"]
    assert bluesky.text() == "Bluesky 290/300" and not bluesky.count.over
    normal = bluesky.palette().color(QPalette.ColorRole.WindowText)
    qtbot.keyClicks(window.composer.editor, "b" * 20)
    qtbot.waitUntil(lambda: bluesky.count.used == 310, timeout=3000)
    assert bluesky.count.over and bluesky.font().bold()
    assert bluesky.palette().color(QPalette.ColorRole.WindowText) != normal
    assert "Too long for Bluesky" in bluesky.toolTip()
    assert window.composer.text() == "a" * 290 + "b" * 20  # typing was never blocked


def test_large_paste_is_counted_off_the_gui_thread_and_saved(make_window, qtbot):
    window = make_window(networks=["bluesky", "mastodon", "linkedin", "x"])
    big = ("Paragraph with émoji 👩🏽‍💻 and a link https://example.com/page " * 20_000)[:1_000_000]
    window.composer.editor.setPlainText(big)
    qtbot.waitUntil(lambda: window.composer.counter_labels["linkedin"].count is not None
                    and window.composer.counter_labels["linkedin"].count.used > 100_000, timeout=30_000)
    assert all(label.count.over for label in window.composer.counter_labels.values())
    wait_saved(qtbot, window)
    assert window.store.get(window.composer.draft.id).body == big


def test_notices_show_in_the_window(make_window, qtbot, profile):
    from desktop.core.paths import AppPaths

    paths = AppPaths.for_profile(profile)
    paths.ensure()
    paths.drafts_db.write_bytes(b"garbage" * 1000)
    window = make_window()
    assert window.notice.isVisible()
    assert "could not be read" in window.notice.label.text()


def test_controls_have_accessible_names_and_main_actions_have_shortcuts(make_window):
    window = make_window()
    for widget in window.findChildren(QLineEdit) + window.findChildren(QListView) + window.findChildren(QPlainTextEdit):
        if widget.isVisible():
            assert widget.accessibleName(), widget
    for button in window.findChildren(QAbstractButton):
        if button.isVisible():
            assert button.accessibleName() or button.text(), button
    for action in (window.act_new, window.act_duplicate, window.act_delete, window.act_restore, window.act_search,
                   window.act_settings, window.act_quit, window.act_shortcuts):
        assert not action.shortcut().isEmpty(), action.text()
    shortcuts = [a.shortcut().toString() for a in window.actions() if not a.shortcut().isEmpty()]
    assert len(shortcuts) == len(set(shortcuts))


def test_task_runner_drops_work_after_shutdown_instead_of_failing(qapp):
    from desktop.ui.common.tasks import TaskRunner

    runner = TaskRunner()
    ran = []
    runner.run(lambda: ran.append(1), lane="db").result(timeout=5)
    runner.shutdown()
    late = runner.run(lambda: ran.append(2), lane="db")
    assert late.cancelled() and ran == [1]
