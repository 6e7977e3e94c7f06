"""The guided tour's Ideas step: reached in order, it brings the Ideas tab forward (it sits behind the
Policy tab), frames the panel, and says what the panel is for: ideas from the company and your notes,
Write about this, and why to write in your own words. Skipped when the panel is closed.

Real parts only: the real main window over a profile folder (tests/ui's fixture), real docks and tabs.
"""

from __future__ import annotations

import pytest
from PySide6.QtCore import QPoint, QRect
from PySide6.QtWidgets import QTabBar, QWidget

from desktop.bootstrap import build_services
from desktop.core.accounts.secrets import MemorySecretStore
from desktop.ui.tour.steps import STEPS


def services(settings, store, paths):
    return build_services(settings, store, paths.cache_dir, secret_store=MemorySecretStore())


@pytest.fixture
def window(make_window, qtbot):
    win = make_window(services=services)
    qtbot.waitUntil(lambda: win.accounts_panel is not None, timeout=5000)
    return win


def on_screen(widget: QWidget) -> QRect:
    return QRect(widget.mapToGlobal(QPoint(0, 0)), widget.size())


def current_tabs(window) -> list[str]:
    """The titles of the tabs in front in the window's tabbed dock areas."""
    return [bar.tabText(bar.currentIndex()) for bar in window.findChildren(QTabBar) if bar.count()]


def in_front(window, panel: QWidget) -> bool:
    """Whether what the window shows at *panel*'s centre is the panel (not another tab's panel over it)."""
    centre = panel.mapTo(window, panel.rect().center())
    shown = window.childAt(centre)
    return shown is not None and (shown is panel or panel.isAncestorOf(shown))


def go_to(tour, key: str) -> list[str]:
    shown = [tour.step.key]
    while tour.running and tour.step.key != key:
        tour.next()
        if tour.running:
            shown.append(tour.step.key)
    return shown


def test_the_ideas_step_is_one_of_a_few_and_says_what_the_panel_is_for() -> None:
    keys = [step.key for step in STEPS]
    assert keys.count("ideas") == 1 and len(keys) <= 9
    (step,) = [step for step in STEPS if step.key == "ideas"]
    assert step.targets == ("panel-ideas",)
    text = step.text.lower()
    assert "company" in text and "notes" in text  # where ideas come from
    assert "write about this" in text
    assert "own words" in text and "fewer people" in text  # and why


def test_the_tour_reaches_the_ideas_step_with_the_ideas_tab_in_front(window, qtbot) -> None:
    dock = window.ideas_dock
    assert dock.objectName() == "panel-ideas"
    window.policy_dock.raise_()  # as at the start: the Ideas tab behind the Policy tab
    qtbot.waitUntil(lambda: "Policy" in current_tabs(window) and "Ideas" not in current_tabs(window), timeout=5000)
    assert not in_front(window, window.ideas.panel)

    window.tour.action.trigger()  # Help → Take the tour
    tour = window.tour.tour
    shown = go_to(tour, "ideas")
    assert shown == [step.key for step in STEPS][: len(shown)] and shown[-1] == "ideas"
    assert tour.target is dock
    # the tab is brought forward: the panel itself is on screen, framed by the highlight
    qtbot.waitUntil(lambda: "Ideas" in current_tabs(window), timeout=5000)
    qtbot.waitUntil(lambda: in_front(window, window.ideas.panel), timeout=5000)
    assert tour.highlight.isVisible()
    qtbot.waitUntil(lambda: on_screen(tour.highlight).contains(on_screen(dock).adjusted(2, 2, -2, -2)), timeout=5000)
    assert tour.callout.title.text() == "Ideas to write about"
    assert "Write about this" in tour.callout.text.text()
    assert window.rect().contains(tour.callout.geometry())
    number, total = int(tour.callout.counter.text().split()[1]), int(tour.callout.counter.text().split()[-1])
    assert number == len(shown) and total == len(STEPS)

    tour.next()  # on to the next step
    assert tour.running and tour.step.key == [step.key for step in STEPS][len(shown)]


def test_a_closed_ideas_panel_is_skipped(window, qtbot) -> None:
    window.ideas_dock.close()
    window.tour.action.trigger()
    tour = window.tour.tour
    keys = go_to(tour, "no such step")
    assert not tour.running and "ideas" not in keys and keys == [step.key for step in STEPS if step.key != "ideas"]
