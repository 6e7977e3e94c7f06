"""The guided tour over the real main window: its steps in order, driven by the keyboard, skipped or
re-targeted as the panels are closed, moved and floated, replayed from Help, shown once on the first start.

Real parts only: the MainWindow over a profile folder with its real settings file, the accounts and
publishing services the composition root builds (with the in-memory secret store demo mode uses), real
Qt key presses.
"""

from __future__ import annotations

import json

import pytest
from PySide6.QtCore import QPoint, QRect, Qt
from PySide6.QtWidgets import QApplication, QDockWidget, QWidget

from desktop.bootstrap import build_services
from desktop.core.accounts.secrets import MemorySecretStore
from desktop.core.paths import AppPaths
from desktop.ui.tour.steps import STEPS

ALL_KEYS = [step.key for step in STEPS]
WITHOUT_TIPS = [key for key in ALL_KEYS if key != "tips"]


def services(settings, store, paths):
    return build_services(settings, store, paths.cache_dir, secret_store=MemorySecretStore())


@pytest.fixture
def window(make_window, qtbot):
    win = make_window(services=services)
    qtbot.waitUntil(lambda: win.accounts_panel is not None, timeout=5000)
    win.activateWindow()  # keyboard focus is only reported for the active window
    qtbot.waitUntil(win.isActiveWindow, timeout=5000)
    return win


def start(window, qtbot):
    window.tour.action.trigger()  # Help → Take the tour
    tour = window.tour.tour
    qtbot.waitUntil(lambda: tour.callout.isVisible(), timeout=2000)
    return tour


def press(qtbot, tour, key):
    qtbot.keyClick(QApplication.focusWidget() or tour.callout, key)


def on_window(widget: QWidget) -> QRect:
    """*widget*'s rectangle in global coordinates."""
    return QRect(widget.mapToGlobal(QPoint(0, 0)), widget.size())


def highlighted(tour) -> QRect:
    return on_window(tour.highlight)


def assert_frames(tour, widget: QWidget) -> None:
    """The highlight surrounds *widget* where it is now, and the callout is inside the main window."""
    frame = highlighted(tour)
    assert tour.highlight.isVisible()
    assert frame.contains(on_window(widget).adjusted(2, 2, -2, -2)), (frame, on_window(widget))
    assert frame.width() <= widget.width() + 20 and frame.height() <= widget.height() + 20
    assert tour.window.rect().contains(tour.callout.geometry())


def test_the_steps_come_in_order_and_each_frames_its_part(window, qtbot):
    tour = start(window, qtbot)
    shown = [tour.step.key]
    assert tour.target is None and not tour.highlight.isVisible()  # the welcome: no part of the window
    assert window.tour.action in window.findChild(type(window.menu_view), "menu-help").actions()
    expected_widgets = {"drafts": window.drafts, "editor": window.composer, "findings": window.policy_dock,
                        "accounts": window.accounts_dock, "publish": window.publish_bar.publish_button,
                        "tips": window.tips_dock, "ideas": window.ideas_dock}
    counters = [tour.callout.counter.text()]
    while True:
        tour.next()
        if not tour.running:
            break
        shown.append(tour.step.key)
        counters.append(tour.callout.counter.text())
        assert tour.target is expected_widgets[tour.step.key]
        assert_frames(tour, tour.target)
        assert tour.callout.title.text() == tour.step.title
    assert shown == ALL_KEYS
    assert counters == [f"Step {n} of {len(ALL_KEYS)}" for n in range(1, len(ALL_KEYS) + 1)]


def test_next_back_and_skip_by_keyboard(window, qtbot):
    tour = start(window, qtbot)
    assert tour.callout.has_keyboard()  # asked for from Help: the keyboard is on the callout
    assert QApplication.focusWidget() is tour.callout.next_button
    assert "Esc" in tour.callout.hint.text()
    press(qtbot, tour, Qt.Key.Key_Return)  # Enter presses Next
    assert tour.step.key == "drafts"
    press(qtbot, tour, Qt.Key.Key_Right)
    assert tour.step.key == "editor"
    press(qtbot, tour, Qt.Key.Key_Left)
    assert tour.step.key == "drafts"
    # Tab moves between the callout's buttons; Enter presses the one with the focus
    press(qtbot, tour, Qt.Key.Key_Tab)
    assert QApplication.focusWidget() is tour.callout.back_button
    press(qtbot, tour, Qt.Key.Key_Enter)
    assert tour.step.key == "welcome" and not tour.callout.back_button.isEnabled()
    press(qtbot, tour, Qt.Key.Key_Left)  # nothing before the first step
    assert tour.step.key == "welcome" and tour.running
    with qtbot.waitSignal(tour.finished, timeout=2000) as ended:
        press(qtbot, tour, Qt.Key.Key_Escape)
    assert ended.args == ["skipped"]
    assert not tour.running and not tour.callout.isVisible() and not tour.highlight.isVisible()
    assert QApplication.focusWidget() is window.composer.editor  # the keyboard goes back to the post


def test_done_on_the_last_step_ends_the_tour(window, qtbot):
    tour = start(window, qtbot)
    for _ in range(len(ALL_KEYS) - 1):
        press(qtbot, tour, Qt.Key.Key_Right)
    assert tour.step.key == "publish" and tour.callout.next_button.text() == "Done"
    with qtbot.waitSignal(tour.finished, timeout=2000) as ended:
        press(qtbot, tour, Qt.Key.Key_Return)
    assert ended.args == ["done"]


def test_the_tour_does_not_block_typing(window, qtbot):
    tour = start(window, qtbot)
    tour.next()
    tour.next()  # the editor's step
    window.composer.editor.setFocus()
    qtbot.keyClicks(window.composer.editor, "Typing while the tour shows")
    assert window.composer.text() == "Typing while the tour shows"
    assert tour.running and tour.step.key == "editor"
    assert "Shift+F1" in tour.callout.hint.text()  # how to get back to it from the keyboard
    qtbot.keyClick(window.composer.editor, Qt.Key.Key_F1, Qt.KeyboardModifier.ShiftModifier)
    assert tour.callout.has_keyboard() and tour.step.key == "editor"
    # the highlight does not take the mouse: a click on the framed editor reaches the editor
    assert tour.highlight.testAttribute(Qt.WidgetAttribute.WA_TransparentForMouseEvents)


def test_a_closed_panel_is_skipped_and_one_closed_while_shown_moves_the_tour_on(window, qtbot):
    window.policy_dock.close()
    tour = start(window, qtbot)
    keys = [tour.step.key]
    while tour.running:
        tour.next()
        if tour.running:
            keys.append(tour.step.key)
    assert keys == [k for k in ALL_KEYS if k != "findings"]

    window.policy_dock.show()
    tour = start(window, qtbot)
    while tour.step.key != "accounts":
        tour.next()
    window.accounts_dock.close()  # the panel being shown goes away
    qtbot.waitUntil(lambda: tour.step.key == "publish", timeout=2000)
    assert tour.target is window.publish_bar.publish_button
    assert_frames(tour, window.publish_bar.publish_button)
    window.publish_bar.publish_button.hide()  # nothing after it now: back to the last part still there
    qtbot.waitUntil(lambda: tour.step.key == "tips", timeout=2000)  # the Tips tab brought forward
    qtbot.waitUntil(lambda: highlighted(tour).contains(on_window(window.tips_dock).adjusted(2, 2, -2, -2)),
                    timeout=2000)
    assert_frames(tour, window.tips_dock)


@pytest.mark.qt_log_ignore("This plugin does not support propagateSizeHints", "This plugin does not support raise")
# (offscreen Qt: a floating dock is a window it cannot size or stack)
def test_a_moved_panel_is_followed(window, qtbot):
    tour = start(window, qtbot)
    while tour.step.key != "findings":
        tour.next()
    dock = window.policy_dock
    before = highlighted(tour)
    window.addDockWidget(Qt.DockWidgetArea.LeftDockWidgetArea, dock)  # moved to the other side
    qtbot.waitUntil(lambda: highlighted(tour) != before, timeout=2000)
    qtbot.waitUntil(lambda: tour.highlight.geometry().contains(
        QRect(dock.mapTo(window, QPoint(0, 0)), dock.size()).adjusted(2, 2, -2, -2)), timeout=2000)
    assert_frames(tour, dock)
    assert dock.x() < window.width() // 2 and highlighted(tour).center().x() < on_window(window).center().x()

    dock.setFloating(True)  # floated: its own window, framed there
    dock.move(dock.pos() + QPoint(60, 40))
    qtbot.waitUntil(lambda: tour.highlight.window() is dock and tour.highlight.isVisible(), timeout=2000)
    qtbot.waitUntil(lambda: highlighted(tour).contains(on_window(dock).adjusted(2, 2, -2, -2)), timeout=2000)
    assert tour.step.key == "findings" and tour.target is dock
    dock.move(dock.pos() + QPoint(-30, 25))
    qtbot.waitUntil(lambda: highlighted(tour).contains(on_window(dock).adjusted(2, 2, -2, -2)), timeout=2000)

    dock.setFloating(False)  # docked again: back in the main window
    qtbot.waitUntil(lambda: tour.highlight.window() is window, timeout=2000)
    qtbot.waitUntil(lambda: highlighted(tour).contains(on_window(dock).adjusted(2, 2, -2, -2)), timeout=2000)

    before = highlighted(tour)
    window.resize(window.width() - 150, window.height() - 60)  # the window resized: the dock moves with it
    qtbot.waitUntil(lambda: highlighted(tour) != before, timeout=2000)
    qtbot.waitUntil(lambda: highlighted(tour).contains(on_window(dock).adjusted(2, 2, -2, -2)), timeout=2000)
    assert window.rect().contains(tour.callout.geometry())


def test_the_tips_panel_gets_its_step_and_is_skipped_once_closed(window, qtbot):
    dock = window.tips_dock
    assert dock.objectName() == "panel-tips"
    tour = start(window, qtbot)
    keys = [tour.step.key]
    while tour.running:
        tour.next()
        if tour.running:
            keys.append(tour.step.key)
            if tour.step.key == "tips":
                assert tour.target is dock and isinstance(tour.target, QDockWidget)
                assert_frames(tour, dock)
    assert keys == ALL_KEYS

    dock.close()  # closed by the person: the tour goes without it, and counts what it shows
    tour = start(window, qtbot)
    keys = [tour.step.key]
    while tour.running:
        tour.next()
        if tour.running:
            keys.append(tour.step.key)
    assert keys == WITHOUT_TIPS
    assert tour.callout.counter.text() == f"Step {len(WITHOUT_TIPS)} of {len(WITHOUT_TIPS)}" or not tour.running


def test_replayed_from_help_and_again_while_running_goes_to_it(window, qtbot):
    tour = start(window, qtbot)
    tour.next()
    tour.next()
    window.composer.editor.setFocus()
    window.tour.action.trigger()  # again while it runs: the keyboard goes to it, the step stays
    assert tour.step.key == "editor" and tour.callout.has_keyboard()
    tour.skip()
    window.tour.action.trigger()  # replay: from the start
    assert tour.running and tour.step.key == "welcome"


def test_shown_on_the_first_start_only_and_remembered(make_window, qtbot, profile):
    settings_file = AppPaths.for_profile(profile).settings_file
    first = make_window(services=services)
    assert first.settings.get("tour.show_at_start") is True
    first.composer.editor.setFocus()
    assert first.offer_tour()
    tour = first.tour.tour
    assert tour.running and tour.step.key == "welcome"
    assert QApplication.focusWidget() is first.composer.editor  # not taken from the person typing
    qtbot.keyClicks(first.composer.editor, "hello")
    assert first.composer.text() == "hello"
    qtbot.waitUntil(lambda: settings_file.exists()
                    and json.loads(settings_file.read_text())["values"].get("tour.show_at_start") is False,
                    timeout=5000)
    first.close()

    again = make_window(services=services)  # the next start, same profile
    assert again.settings.get("tour.show_at_start") is False
    assert not again.offer_tour()
    assert again.tour.tour is None or not again.tour.tour.running


def test_a_dialog_in_front_is_answered_before_the_first_start_tour(make_window, qtbot):
    from PySide6.QtWidgets import QMessageBox

    window = make_window()
    box = QMessageBox(QMessageBox.Icon.Information, "Company policy", "Read and acknowledge",
                      QMessageBox.StandardButton.Ok, window)
    box.setWindowModality(Qt.WindowModality.ApplicationModal)
    box.show()
    qtbot.waitUntil(lambda: QApplication.activeModalWidget() is box, timeout=2000)
    assert not window.offer_tour()
    assert window.tour.tour is None or not window.tour.tour.running
    box.accept()
    qtbot.waitUntil(lambda: window.tour.tour is not None and window.tour.tour.running, timeout=5000)
    assert window.settings.get("tour.show_at_start") is False


def test_it_can_turn_the_first_start_tour_off(make_window, qtbot):
    window = make_window(managed={"tour.show_at_start": False})
    assert not window.offer_tour()
    window.tour.action.trigger()  # Help → Take the tour still works
    assert window.tour.tour.running


def test_a_non_modal_dialog_in_front_is_answered_before_the_tour_and_no_tip_of_the_day_on_the_first_start(
        make_window, qtbot):
    """On a first start the policy summary (a non-modal dialog) comes first, then the tour; the tip of the
    day waits for another start, so three things never open at once."""
    from PySide6.QtWidgets import QDialog

    window = make_window()
    qtbot.waitUntil(lambda: window.tips.history is not None, timeout=5000)  # tips loaded
    summary = QDialog(window)
    summary.setWindowTitle("Company policy")
    summary.show()
    qtbot.waitExposed(summary)
    assert QApplication.activeModalWidget() is None
    assert not window.offer_tour()
    assert not window.tips.card.isVisible()
    assert window.tour.tour is None or not window.tour.tour.running
    summary.accept()
    qtbot.waitUntil(lambda: window.tour.tour is not None and window.tour.tour.running, timeout=5000)
    assert not window.tips.card.isVisible()
