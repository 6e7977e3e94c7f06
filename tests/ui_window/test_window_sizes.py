"""The window at 640×480, 1024×640 and 1920×1080: nothing overlaps, nothing is cut into a wrong number,
and the panels get their width back after a narrow spell.

The real MainWindow with the services the composition root builds, one Mastodon account linked on a
test server on 127.0.0.1, the acme-example policy and a post with findings of every kind. The
geometry of the key widgets is read from the laid-out window (offscreen Qt lays out exactly as on
screen); the screenshots of the same window are packaging/screenshots/window-*.png (take_window.py).
"""

from __future__ import annotations

import itertools

import pytest
from PySide6.QtCore import QPoint, QRect, Qt
from PySide6.QtWidgets import QApplication, QTabBar, QWidget

from desktop.core.networks import DISPLAY_NAMES
from desktop.ui.shell.main_window import PANEL_MIN_WIDTH, PANEL_WIDTH
from tests.ui.test_accounts_publishing import link_directly, write

LONG = ("Huge week for the team! 🚀 We demoed Project Bluebird to @Initech and they loved it. AcmeCloud ships "
        "next week, so mark your calendars. Questions? Mail me at jane.doe@gmail.com. "
        + "More notes from the offsite follow. " * 8)
NETWORKS = ["mastodon", "bluesky", "linkedin", "x"]
SIZES = [(640, 480), (1024, 640), (1920, 1080)]
WAIT = 15_000


def settle(qtbot, window, width: int, height: int) -> None:
    window.resize(width, height)
    qtbot.waitUntil(lambda: (window.width(), window.height()) == (width, height), timeout=WAIT)
    for _ in range(3):  # the deferred panel balancing, then the layouts it causes
        qtbot.wait(30)
        QApplication.processEvents()


def rect_in_window(widget: QWidget, window: QWidget) -> QRect:
    return QRect(widget.mapTo(window, QPoint(0, 0)), widget.size())


def visible_rect(widget: QWidget, window: QWidget) -> QRect:
    """The part of *widget* not clipped by its ancestors, in window coordinates."""
    rect = rect_in_window(widget, window)
    parent = widget.parentWidget()
    while parent is not None and parent is not window:
        rect = rect.intersected(rect_in_window(parent, window))
        parent = parent.parentWidget()
    return rect


@pytest.fixture
def busy_window(open_window, qtbot, servers):
    window = open_window(values={"composer.networks": NETWORKS, "tips.show_at_start": False})
    record = link_directly(qtbot, window, servers[0])
    qtbot.waitUntil(lambda: window.publish_bar.picker.checked_ids() == [record.id], timeout=WAIT)
    write(qtbot, window, LONG)
    qtbot.waitUntil(lambda: window.findings_panel.list.count() > 3, timeout=WAIT)
    window.findings_panel.list.setCurrentRow(1)
    return window


def key_widgets(window) -> dict[str, QWidget]:
    composer, bar, panel = window.composer, window.publish_bar, window.findings_panel
    widgets: dict[str, QWidget] = {
        "drafts list": window.drafts.view,
        "drafts search": window.drafts.search,
        "editor": composer.editor,
        "policy summary": composer.policy_summary,
        "accounts picker": bar.picker,
        "History": bar.history_button,
        "Publish": bar.publish_button,
        "findings list": panel.list,
        "finding details": panel.details_area,
    }
    widgets.update({f"{DISPLAY_NAMES[n]} counter": label for n, label in composer.counter_labels.items()})
    widgets.update({f"action {b.text()}": b for b in panel.action_row.findChildren(type(bar.publish_button))
                    if b.isVisible()})
    return widgets


@pytest.mark.parametrize(("width", "height"), SIZES, ids=[f"{w}x{h}" for w, h in SIZES])
def test_the_window_at_this_size_has_nothing_overlapping_and_nothing_cut(busy_window, qtbot, width, height):
    window = busy_window
    assert window.minimumSizeHint().width() <= 640 and window.minimumSizeHint().height() <= 480
    settle(qtbot, window, width, height)
    frame = window.rect()
    widgets = key_widgets(window)
    assert len([k for k in widgets if k.startswith("action ")]) >= 1
    rects = {}
    for name, widget in widgets.items():
        assert widget.isVisible(), name
        rect = rect_in_window(widget, window)
        assert frame.contains(rect), f"{name} {rect} is outside the {width}x{height} window"
        # wholly shown: not clipped by the scroll areas, panels and splitters it sits in
        assert visible_rect(widget, window) == rect, f"{name} is cut: {visible_rect(widget, window)} of {rect}"
        rects[name] = rect
    for (a, ra), (b, rb) in itertools.combinations(rects.items(), 2):
        if widgets[a].isAncestorOf(widgets[b]) or widgets[b].isAncestorOf(widgets[a]):
            continue
        assert not ra.intersects(rb), f"{a} {ra} overlaps {b} {rb} at {width}x{height}"
    # the counters show their whole text, and the text is the count
    for network, label in window.composer.counter_labels.items():
        count = label.count
        assert count is not None
        assert label.text() == f"{DISPLAY_NAMES[network]} {count.used:,}/{count.limit:,}"
        assert label.width() >= label.fontMetrics().horizontalAdvance(label.text())
    # buttons show their whole label ("Publish", not "ublis")
    for button in (window.publish_bar.publish_button, window.publish_bar.history_button):
        assert button.width() >= button.sizeHint().width(), button.text()
    # the panels' tabs show their whole titles
    bars = [bar for bar in window.findChildren(QTabBar) if bar.isVisible() and bar.parent() is window]
    assert bars
    for bar in bars:
        assert bar.elideMode() == Qt.TextElideMode.ElideNone
        for index in range(bar.count()):
            assert bar.tabRect(index).width() >= bar.fontMetrics().horizontalAdvance(bar.tabText(index))
    # the right-hand panel keeps a usable width; the editor gets the most room
    dock = window.policy_dock
    assert dock.width() >= PANEL_MIN_WIDTH
    assert window.composer.editor.width() >= min(dock.width(), 240)


def test_the_panels_get_their_width_back_after_a_narrow_spell(busy_window, qtbot):
    window = busy_window
    settle(qtbot, window, 1400, 800)
    assert abs(window.policy_dock.width() - PANEL_WIDTH) <= 4
    settle(qtbot, window, 640, 480)
    narrow = window.policy_dock.width()
    assert PANEL_MIN_WIDTH <= narrow < PANEL_WIDTH
    settle(qtbot, window, 1400, 800)
    assert abs(window.policy_dock.width() - PANEL_WIDTH) <= 4
    # a width the person chose (dragging the panel's edge) is the one restored
    window.resizeDocks([window.policy_dock], [420], Qt.Orientation.Horizontal)
    qtbot.waitUntil(lambda: abs(window.policy_dock.width() - 420) <= 4, timeout=WAIT)
    settle(qtbot, window, 700, 500)
    assert window.policy_dock.width() < 420
    settle(qtbot, window, 1400, 800)
    assert abs(window.policy_dock.width() - 420) <= 4
    # so does the drafts list's
    assert window.drafts.width() >= 240


def test_counters_wrap_instead_of_being_cut(busy_window, qtbot):
    window = busy_window
    settle(qtbot, window, 640, 480)
    labels = list(window.composer.counter_labels.values())
    tops = {label.geometry().top() for label in labels}
    assert len(tops) > 1  # on more than one line at 640 pixels
    settle(qtbot, window, 1920, 1080)
    assert len({label.geometry().top() for label in labels}) == 1  # one line when there is room
