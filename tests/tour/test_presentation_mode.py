"""Presentation mode on the real main window: larger fonts everywhere (and exactly the old ones back),
high-contrast underlines, and the shortcut just pressed shown on screen.

Real parts only: the MainWindow with the acme-example policy loaded as the app loads it, real Qt key presses.
"""

from __future__ import annotations

import pytest
from PySide6.QtCore import QPoint, QRect, Qt
from PySide6.QtGui import QFont, QKeySequence, QTextCharFormat
from PySide6.QtWidgets import QApplication

from desktop.ui.policy.underlines import HIGH_CONTRAST_ALPHA
from desktop.ui.shell.presentation import SCALE

CTRL = Qt.KeyboardModifier.ControlModifier
CTRL_SHIFT = Qt.KeyboardModifier.ControlModifier | Qt.KeyboardModifier.ShiftModifier
BLOCKED = "Can't wait for Project Bluebird, it is great"


def toggle(qtbot, window) -> None:
    qtbot.keyClick(window, Qt.Key.Key_P, CTRL_SHIFT)


def test_the_whole_window_grows_and_gets_exactly_its_fonts_back(make_window, qtbot):
    window = make_window()
    app = QApplication.instance()
    themed = QFont("Serif", 11)  # as a platform theme sets a font for menus only
    QApplication.setFont(themed, "QMenu")
    try:
        base = QFont(app.font())
        editor_font = QFont(window.composer.editor.font())
        menu_font = QFont(QApplication.font("QMenu"))
        search_size = window.drafts.search.font().pointSizeF()
        status_size = window.status_label.font().pointSizeF()
        dock = window.policy_dock
        dock_font = QFont(dock.font())
        assert window.presentation.action in window.menu_view.actions()
        assert not window.presentation.action.isChecked()

        toggle(qtbot, window)
        assert window.presentation.enabled and window.presentation.action.isChecked()
        assert app.font().pointSizeF() == pytest.approx(base.pointSizeF() * SCALE)
        # not only the editor: the drafts' search field, the status bar, menus (the widgets hear of the new
        # application font through events)
        qtbot.waitUntil(lambda: window.drafts.search.font().pointSizeF() == pytest.approx(search_size * SCALE),
                        timeout=2000)
        assert window.status_label.font().pointSizeF() == pytest.approx(status_size * SCALE)
        assert window.composer.editor.font().pointSizeF() == pytest.approx(editor_font.pointSizeF() * SCALE)
        assert QApplication.font("QMenu").pointSizeF() == pytest.approx(menu_font.pointSizeF() * SCALE)
        assert QApplication.font("QMenu").family() == menu_font.family()
        assert dock.font().pointSizeF() == pytest.approx(dock_font.pointSizeF() * SCALE)  # the panels' titles
        assert window.drafts.search.sizeHint().height() > 0

        toggle(qtbot, window)
        assert not window.presentation.enabled and not window.presentation.action.isChecked()
        assert app.font() == base and app.font().toString() == base.toString()
        assert window.composer.editor.font() == editor_font
        assert QApplication.font("QMenu") == menu_font
        qtbot.waitUntil(lambda: window.drafts.search.font().pointSizeF() == pytest.approx(search_size), timeout=2000)
        assert window.status_label.font().pointSizeF() == pytest.approx(status_size)
        assert dock.font() == dock_font and not dock.testAttribute(Qt.WidgetAttribute.WA_SetFont)
    finally:
        window.presentation.set_enabled(False)
        QApplication.setFont(QFont(app.font()))  # drops the per-class font again


def test_the_shortcut_pressed_is_shown_on_screen(make_window, qtbot):
    window = make_window()
    overlay = window.presentation.overlay
    window.presentation.action.trigger()  # from the View menu
    assert overlay.isVisible() and overlay.text() == "Ctrl+Shift+P  Presentation mode on"
    qtbot.waitUntil(lambda: not overlay.isVisible(), timeout=5000)  # gone after a moment

    qtbot.keyClick(window, Qt.Key.Key_N, CTRL)  # a menu command: its keys and its name
    qtbot.waitUntil(lambda: window.drafts.model.rowCount() == 2, timeout=5000)
    assert overlay.isVisible() and overlay.keys == "Ctrl+N" and overlay.what == "New draft"
    assert overlay.text() == "Ctrl+N  New draft"
    assert window.rect().contains(overlay.geometry())
    assert overlay.geometry().bottom() > window.height() * 2 // 3  # near the bottom, centred
    assert abs(overlay.geometry().center().x() - window.width() // 2) <= 2

    window.composer.editor.setFocus()
    qtbot.keyClicks(window.composer.editor, "plain typing")  # not shown
    assert overlay.keys == "Ctrl+N"
    qtbot.keyClick(window.composer.editor, Qt.Key.Key_Z, CTRL)  # the editor's own undo: shown too
    assert overlay.isVisible() and overlay.keys == QKeySequence("Ctrl+Z").toString(
        QKeySequence.SequenceFormat.NativeText) and overlay.what == ""

    window.presentation.action.trigger()
    assert not overlay.isVisible()
    qtbot.keyClick(window, Qt.Key.Key_N, CTRL)  # off: nothing shown
    qtbot.waitUntil(lambda: window.drafts.model.rowCount() == 3, timeout=5000)
    assert not overlay.isVisible()


def test_findings_switch_to_the_high_contrast_underlines(make_window, qtbot):
    window = make_window(values={"policy.source": "acme-example"}, load_policy=True)
    check = window.composer.policy
    window.composer.editor.setPlainText(BLOCKED)
    qtbot.waitUntil(lambda: any(item.severity == "block" for item in check.findings), timeout=10_000)
    editor = window.composer.editor

    def styles() -> set:
        return {(s.format.underlineStyle(), s.format.background().color().alpha())
                for s in editor.extraSelections()
                if s.format.underlineStyle() != QTextCharFormat.UnderlineStyle.NoUnderline}

    normal = styles()
    assert normal and all(style == QTextCharFormat.UnderlineStyle.WaveUnderline for style, _ in normal)
    window.presentation.set_enabled(True)
    contrast = styles()
    assert contrast and all(style == QTextCharFormat.UnderlineStyle.SingleUnderline for style, _ in contrast)
    assert (QTextCharFormat.UnderlineStyle.SingleUnderline, HIGH_CONTRAST_ALPHA["block"]) in contrast
    window.presentation.set_enabled(False)
    assert styles() == normal


def test_every_shortcut_is_unique(make_window):
    window = make_window()
    shortcuts = [a.shortcut().toString() for a in window.actions() if not a.shortcut().isEmpty()]
    assert "Ctrl+Shift+P" in shortcuts and "Shift+F1" in shortcuts
    assert len(shortcuts) == len(set(shortcuts)), sorted(shortcuts)


def test_the_tour_grows_with_presentation_mode_and_stays_in_the_window(make_window, qtbot):
    window = make_window()
    window.tour.take()
    tour = window.tour.tour
    tour.next()  # the drafts list, beside which the callout stands
    before = tour.callout.geometry()
    window.presentation.set_enabled(True)
    try:
        qtbot.waitUntil(lambda: tour.callout.height() > before.height(), timeout=2000)
        qtbot.waitUntil(lambda: tour.callout.geometry().top() >= 0
                        and window.rect().contains(tour.callout.geometry()), timeout=2000)
        drafts = window.drafts  # the highlight still around the drafts list, wherever the larger fonts put it
        qtbot.waitUntil(lambda: tour.highlight.geometry().contains(
            QRect(drafts.mapTo(window, QPoint(0, 0)), drafts.size()).adjusted(2, 2, -2, -2)), timeout=2000)
    finally:
        window.presentation.set_enabled(False)
