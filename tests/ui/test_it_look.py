"""What the IT-deployment screenshots (packaging/screenshots/take_it.py) showed wrong, kept fixed: the
policy's status text no longer holds a small window wide (shortened, the whole text in its
tooltip); locked settings stay legible and carry their value, in a dialog that fits the screen;
Diagnostics grows to its report within the screen; with linking turned off, the publish bar says why
instead of pointing at a button that cannot be pressed, and the Accounts panel's explanation scrolls."""

from __future__ import annotations

import re

import pytest
from PySide6.QtCore import QEvent, QPoint
from PySide6.QtGui import QHelpEvent, QPalette
from PySide6.QtWidgets import QApplication, QToolTip

from desktop.bootstrap import build_services
from desktop.core.accounts import MemorySecretStore
from desktop.core.accounts.linking import LINKING_OFF
from desktop.core.diagnostics import Item, Report, Section, Status
from desktop.core.policy import policies_dir
from desktop.ui.accounts.feature import NO_ACCOUNTS
from desktop.ui.shell.diagnostics import SCREEN_SHARE, DiagnosticsDialog
from desktop.ui.shell.main_window import STATUS_MIN_WIDTH
from desktop.ui.shell.settings_dialog import SettingsDialog

LONG_NAME = ("Acme Corporation Group Communications, Social Media and Public Statements Policy "
             "for Employees, Contractors and Agencies")


def long_named_policy(folder) -> str:
    text = (policies_dir() / "acme-example.toml").read_text(encoding="utf-8")
    path = folder / "group-policy.toml"
    path.write_text(re.sub(r'(?m)^name = ".*"$', f'name = "{LONG_NAME}"', text, count=1), encoding="utf-8")
    return str(path)


def with_services(settings, store, paths):
    return build_services(settings, store, paths.cache_dir, secret_store=MemorySecretStore())


@pytest.mark.qt_log_ignore("This plugin does not support raise")  # the tooltip, offscreen: no window stacking
def test_the_policy_status_is_shortened_in_a_narrow_window_with_the_whole_text_in_its_tooltip(make_window, qtbot,
                                                                                            tmp_path):
    window = make_window(values={"policy.source": long_named_policy(tmp_path)}, load_policy=True,
                         services=with_services, outbox_first_try_ms=-1)
    label = window.policy_label
    full = label.text()
    assert window.active_policy.ok and full.startswith(f"Policy: {LONG_NAME} 2025.06.1 · ")
    details = label.toolTip()
    assert "File:" in details and "group-policy.toml" in details

    window.resize(800, 520)
    qtbot.waitUntil(label.is_elided, timeout=5000)
    # the window took a width in which the whole status text cannot fit: the label gave way
    assert window.width() < label.sizeHint().width() + window.status_label.sizeHint().width()
    assert label.minimumSizeHint().width() <= STATUS_MIN_WIDTH
    shown = label.shown_text()
    assert shown.endswith("…") and full.startswith(shown[:-1])
    assert label.fontMetrics().horizontalAdvance(shown) <= label.contentsRect().width()
    assert label.text() == full and label.accessibleName() == "Policy in use"  # screen readers get it all
    tip = label.tooltip_text()
    assert tip == f"{full}\n\n{details}"
    at = QPoint(4, label.height() // 2)
    QApplication.sendEvent(label, QHelpEvent(QEvent.Type.ToolTip, at, label.mapToGlobal(at)))
    assert QToolTip.text() == tip
    QToolTip.hideText()

    window.resize(1900, 1000)
    qtbot.waitUntil(lambda: not label.is_elided(), timeout=5000)
    assert label.shown_text() == full and label.tooltip_text() == details


def test_locked_values_stay_legible_carry_their_value_and_the_dialog_fits_the_screen(make_window, qtbot):
    proxy = "pac+https://intranet.example.com/proxy/chorus-laptops-emea.pac"
    window = make_window(managed={"network.proxy": proxy, "accounts.allowed_networks": ["mastodon"]})
    window.act_settings.trigger()
    dialog = window.findChild(SettingsDialog)
    assert dialog is not None and dialog.isVisible()
    app_palette = QApplication.palette()
    greyed, normal = (app_palette.color(group, QPalette.ColorRole.Text)
                      for group in (QPalette.ColorGroup.Disabled, QPalette.ColorGroup.Active))
    assert greyed != normal  # the theme greys disabled text: what a locked value must not be

    locked = dialog.editors["network.proxy"]
    assert not locked.isEnabled() and locked.text() == proxy
    assert locked.palette().color(QPalette.ColorGroup.Disabled, QPalette.ColorRole.Text) == normal
    assert locked.toolTip().startswith(f"Value: {proxy}\nManaged by your organisation. Set in managed settings.")
    networks = dialog.editors["accounts.allowed_networks"]
    assert networks.palette().color(QPalette.ColorGroup.Disabled, QPalette.ColorRole.WindowText) == normal
    free = dialog.editors["tips.folder"]
    assert free.isEnabled() and free.palette().color(QPalette.ColorGroup.Disabled, QPalette.ColorRole.Text) == greyed

    screen = window.screen().availableGeometry()
    assert dialog.height() <= screen.height() * 0.9 and dialog.width() <= screen.width() * 0.9
    if dialog.content.sizeHint().height() > dialog.height():  # more settings than the screen holds: they scroll
        qtbot.waitUntil(lambda: dialog.scroll_area.verticalScrollBar().maximum() > 0, timeout=5000)
    dialog.scroll_area.ensureWidgetVisible(dialog.editors["linkedin.read_own_posts"])
    bottom = dialog.editors["linkedin.read_own_posts"]
    qtbot.waitUntil(lambda: dialog.scroll_area.viewport().rect().contains(
        bottom.mapTo(dialog.scroll_area.viewport(), bottom.rect().center())), timeout=5000)
    dialog.reject()


def report_of(lines: int, width: int) -> Report:
    items = tuple(Item(f"Check {n}", f"value {n} " + "x" * (width - 20), Status.OK) for n in range(lines))
    return Report((Section("Checks", items),))


def test_diagnostics_grows_to_show_the_whole_report_within_the_screen(make_window, qtbot):
    window = make_window()
    reports = iter([report_of(2, 30), report_of(8, 70), report_of(300, 70)])
    dialog = DiagnosticsDialog(lambda: next(reports), window.runner, window)
    qtbot.addWidget(dialog)
    dialog.show()
    free = window.screen().availableGeometry()
    limit_w, limit_h = int(free.width() * SCREEN_SHARE), int(free.height() * SCREEN_SHARE)
    assert dialog.width() <= limit_w and dialog.height() <= limit_h  # even before the report
    qtbot.waitUntil(lambda: dialog.report is not None, timeout=5000)
    dialog.again_button.click()  # a report that comes once the dialog is on screen (the doctor takes seconds)
    qtbot.waitUntil(lambda: dialog.report is not None and len(dialog.report.items()) == 8, timeout=5000)
    qtbot.waitUntil(lambda: dialog.text.verticalScrollBar().maximum() == 0, timeout=5000)
    assert dialog.text.horizontalScrollBar().maximum() == 0  # a short report is seen whole, no scrolling
    assert free.contains(dialog.frameGeometry())

    dialog.again_button.click()
    qtbot.waitUntil(lambda: dialog.report is not None and len(dialog.report.items()) == 300, timeout=5000)
    assert dialog.height() == limit_h  # a long one takes most of the screen, and scrolls
    qtbot.waitUntil(lambda: dialog.text.verticalScrollBar().maximum() > 0, timeout=5000)
    assert free.contains(dialog.frameGeometry())


@pytest.mark.qt_log_ignore("This plugin does not support raise")  # the floating dock, offscreen
def test_with_linking_off_the_publish_bar_says_why_and_the_explanation_scrolls(make_window, qtbot):
    window = make_window(managed={"accounts.linking_allowed": False}, services=with_services,
                         outbox_first_try_ms=-1)
    qtbot.waitUntil(lambda: window.accounts is not None and window.accounts.panel.loaded, timeout=10_000)
    bar, panel = window.publish_bar, window.accounts.panel
    assert bar.no_accounts.isVisible() and bar.no_accounts.text() == f"No linked accounts. {LINKING_OFF}"
    assert "link one in the Accounts panel" not in bar.no_accounts.text()
    assert panel.empty.isVisible() and LINKING_OFF in panel.empty.text()
    assert panel.scroll_area.isAncestorOf(panel.empty)  # never cut off mid-sentence: it scrolls
    window.accounts_dock.setFloating(True)  # a low panel
    window.accounts_dock.resize(200, 90)
    qtbot.waitUntil(lambda: panel.scroll_area.verticalScrollBar().maximum() > 0, timeout=5000)


def test_with_linking_allowed_the_publish_bar_points_at_the_accounts_panel(make_window, qtbot):
    window = make_window(services=with_services, outbox_first_try_ms=-1)
    qtbot.waitUntil(lambda: window.accounts is not None and window.accounts.panel.loaded, timeout=10_000)
    assert window.publish_bar.no_accounts.text() == NO_ACCOUNTS
