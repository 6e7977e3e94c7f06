"""What the window does, beyond its sizes: the findings' actions always in view, the Edit menu,
Ctrl+Return explaining a refusal, Publish disabled once posted, readable links in dark mode, Enter
confirming the acknowledgement reason, and X's length counted but not blocking.

The real MainWindow (tests/ui/conftest.py), with accounts and publishing where needed: a private
Secret Service keyring and Mastodon-API test servers on 127.0.0.1 (tests/ui/test_accounts_publishing.py).
"""

from __future__ import annotations

from PySide6.QtCore import QPoint, QRect, Qt
from PySide6.QtGui import QColor, QGuiApplication, QKeySequence, QPalette
from PySide6.QtWidgets import QApplication, QMenu

from desktop.core.policy import load_policy
from desktop.core.policy.targets import TargetedCheck
from desktop.ui.common.theme import contrast, link_color, readable_links
from desktop.ui.policy.findings_panel import ItemRole
from tests.ui.test_accounts_publishing import CLEAN, link_directly, write
from tests.ui_window.test_window_sizes import LONG, settle

WAIT = 15_000
WARN_ONLY = "Questions? Mail me at jane.doe@gmail.com about the offsite."
OVER_X = "Loved the team offsite this week. " * 9  # ~306 characters: over X's 280 and Bluesky's 300, not Mastodon's 640


def inside(widget, window) -> bool:
    rect = QRect(widget.mapTo(window, QPoint(0, 0)), widget.size())
    return window.rect().contains(rect)


# -- the findings panel ---------------------------------------------------------------------------
def test_finding_actions_stay_in_view_and_the_details_start_at_the_heading(open_window, qtbot, servers):
    window = open_window(values={"tips.show_at_start": False})
    write(qtbot, window, LONG)
    panel = window.findings_panel
    qtbot.waitUntil(lambda: panel.list.count() > 3, timeout=WAIT)
    settle(qtbot, window, 640, 480)
    warn_rows = [row for row in range(panel.list.count()) if panel.list.item(row).data(ItemRole).severity == "warn"]
    panel.list.setCurrentRow(warn_rows[0])
    # Acknowledge… is shown, outside the scrolled explanation, and wholly inside the window
    assert panel.ack_button.isVisible() and not panel.details_area.isAncestorOf(panel.ack_button)
    assert inside(panel.ack_button, window)
    assert panel.ack_button.width() >= panel.ack_button.sizeHint().width()
    # scrolled to the bottom of one finding's details, the next one starts at its heading
    bar = panel.details_area.verticalScrollBar()
    qtbot.waitUntil(lambda: bar.maximum() > 0, timeout=WAIT)
    bar.setValue(bar.maximum())
    panel.list.setCurrentRow(warn_rows[1] if len(warn_rows) > 1 else 0)
    assert bar.value() == 0
    # typing (a new check of the same findings) keeps the person's scroll position
    bar.setValue(bar.maximum())
    kept = bar.value()
    window.composer.editor.moveCursor(window.composer.editor.textCursor().MoveOperation.End)
    qtbot.keyClicks(window.composer.editor, " ok")
    qtbot.waitUntil(lambda: window.composer.policy.state == "ok", timeout=WAIT)
    assert bar.value() == min(kept, bar.maximum()) > 0  # kept (the panel may have grown a little taller)


# -- Edit menu ------------------------------------------------------------------------------------
def test_the_edit_menu_has_the_standard_actions_for_the_focused_field(make_window, qtbot):
    window = make_window()
    menu = window.findChild(QMenu, "menu-edit")
    texts = [a.text().replace("&", "") for a in menu.actions() if not a.isSeparator()]
    assert texts[:6] == ["Undo", "Redo", "Cut", "Copy", "Paste", "Select All"]
    acts = window.edit_actions
    assert acts["undo"].shortcut() == QKeySequence(QKeySequence.StandardKey.Undo)
    assert acts["selectAll"].shortcut() == QKeySequence(QKeySequence.StandardKey.SelectAll)
    editor = window.composer.editor
    window.activateWindow()
    editor.setFocus()
    qtbot.waitUntil(lambda: QApplication.focusWidget() is editor, timeout=WAIT)
    qtbot.keyClicks(editor, "Hello team")
    menu.aboutToShow.emit()
    assert acts["undo"].isEnabled() and acts["selectAll"].isEnabled() and not acts["copy"].isEnabled()
    acts["selectAll"].trigger()
    assert editor.textCursor().selectedText() == "Hello team"
    acts["copy"].trigger()
    assert QGuiApplication.clipboard().text() == "Hello team"
    acts["cut"].trigger()
    assert editor.toPlainText() == ""
    acts["paste"].trigger()
    acts["paste"].trigger()
    assert editor.toPlainText() == "Hello teamHello team"
    acts["undo"].trigger()
    assert editor.toPlainText() == "Hello team"
    acts["redo"].trigger()
    assert editor.toPlainText() == "Hello teamHello team"
    # the same actions act on the search field when it has the focus
    search = window.drafts.search
    search.setFocus()
    qtbot.waitUntil(lambda: QApplication.focusWidget() is search, timeout=WAIT)
    qtbot.keyClicks(search, "offsite")
    menu.aboutToShow.emit()  # opening the menu brings the entries up to date
    acts["selectAll"].trigger()
    assert search.selectedText() == "offsite"
    assert editor.toPlainText() == "Hello teamHello team"  # untouched
    # nothing to act on: the commands are disabled
    window.drafts.view.setFocus()
    qtbot.waitUntil(lambda: QApplication.focusWidget() is window.drafts.view, timeout=WAIT)
    menu.aboutToShow.emit()
    assert not any(a.isEnabled() for a in acts.values())


# -- publishing ------------------------------------------------------------------------------------
def test_ctrl_return_says_why_it_cannot_publish(open_window, qtbot, servers):
    window = open_window()
    write(qtbot, window, CLEAN)
    window.activateWindow()
    window.composer.editor.setFocus()
    qtbot.keyClick(window.composer.editor, Qt.Key.Key_Return, Qt.KeyboardModifier.ControlModifier)
    assert window.statusBar().currentMessage() == "Link an account in the Accounts panel to publish."
    record = link_directly(qtbot, window, servers[0])
    window.publish_bar.picker.item_for(record.id).setCheckState(Qt.CheckState.Unchecked)
    qtbot.keyClick(window.composer.editor, Qt.Key.Key_Return, Qt.KeyboardModifier.ControlModifier)
    assert window.statusBar().currentMessage() == "Choose at least one account to publish to."
    window.publish_bar.picker.item_for(record.id).setCheckState(Qt.CheckState.Checked)
    write(qtbot, window, "Can't wait for Project Bluebird 🐦")
    qtbot.keyClick(window.composer.editor, Qt.Key.Key_Return, Qt.KeyboardModifier.ControlModifier)
    assert "Project Bluebird" in window.statusBar().currentMessage()
    assert window.composer.text() == "Can't wait for Project Bluebird 🐦"  # no line added
    assert not servers[0].statuses_of("alice")


def test_publish_is_disabled_with_the_reason_once_every_chosen_account_has_the_post(open_window, qtbot, servers):
    window = open_window(values={"appearance.theme": "dark"})
    record = link_directly(qtbot, window, servers[0])
    bar = window.publish_bar
    write(qtbot, window, CLEAN)
    assert bar.publish_button.isEnabled()
    with qtbot.waitSignal(bar.published, timeout=WAIT):
        bar.publish_button.click()
    assert not bar.publish_button.isEnabled()
    reason = ("Already posted to @alice@social.example. To publish again, change the post or choose another "
              "account.")
    assert bar.publish_button.toolTip() == reason and window.act_publish.statusTip() == reason
    qtbot.keyClick(window.composer.editor, Qt.Key.Key_Return, Qt.KeyboardModifier.ControlModifier)
    assert window.statusBar().currentMessage() == reason
    assert len(servers[0].statuses_of("alice")) == 1
    # the posted link is readable on the dark background
    row = bar.status_view.rows[record.id]
    palette = row.text.palette()
    assert palette.color(QPalette.ColorRole.Window).lightnessF() < 0.5
    colour = link_color(palette)
    assert f"color:{colour.name()}" in row.text.text()
    assert contrast(colour, palette.color(QPalette.ColorRole.Window)) >= 4.5
    # a changed post can be published again
    write(qtbot, window, CLEAN + " See you next time!")
    assert bar.publish_button.isEnabled()


def test_links_are_readable_on_any_background():
    dark = QPalette()
    for role, colour in ((QPalette.ColorRole.Window, "#2b2d31"), (QPalette.ColorRole.Base, "#1e1f22"),
                         (QPalette.ColorRole.Link, "#0000ff")):  # Qt's default link blue on a dark palette
        dark.setColor(role, QColor(colour))
    assert contrast(dark.color(QPalette.ColorRole.Link), dark.color(QPalette.ColorRole.Window)) < 4.5
    readable_links(dark)
    for group in (QPalette.ColorGroup.Active, QPalette.ColorGroup.Inactive):
        for background in (QPalette.ColorRole.Window, QPalette.ColorRole.Base):
            assert contrast(dark.color(group, QPalette.ColorRole.Link), dark.color(group, background)) >= 4.5
    light = QPalette(QColor("#efefef"))
    light.setColor(QPalette.ColorRole.Base, QColor("#ffffff"))
    light.setColor(QPalette.ColorRole.Link, QColor("#0000ff"))
    assert link_color(light) == QColor("#0000ff")  # readable already: kept


# -- the acknowledgement reason ----------------------------------------------------------------------
def test_enter_confirms_the_acknowledgement_reason(make_window, qtbot):
    window = make_window(values={"policy.source": "acme-example", "tips.show_at_start": False}, load_policy=True)
    write(qtbot, window, WARN_ONLY)
    panel = window.findings_panel
    qtbot.waitUntil(lambda: any(f.severity == "warn" for f in window.composer.findings), timeout=WAIT)
    [item] = [f for f in window.composer.findings if f.severity == "warn"]
    panel.list.setCurrentRow(panel.row_of(item))
    panel.ack_button.click()
    dialog = panel.dialog
    assert dialog is not None and dialog.isVisible()
    qtbot.keyClicks(dialog.reason, "short")
    qtbot.keyClick(dialog.reason, Qt.Key.Key_Return)  # too short: nothing happens, no new line
    assert dialog.isVisible() and dialog.reason.toPlainText() == "short" and "needed" in dialog.hint.text()
    qtbot.keyClick(dialog.reason, Qt.Key.Key_Return, Qt.KeyboardModifier.ShiftModifier)  # a new line on purpose
    assert dialog.reason.toPlainText() == "short\n"
    qtbot.keyClicks(dialog.reason, "my own work address, on my public profile")
    assert "Enter to acknowledge" in dialog.hint.text()
    with qtbot.waitSignal(dialog.reason_given, timeout=WAIT) as given:
        qtbot.keyClick(dialog.reason, Qt.Key.Key_Enter, Qt.KeyboardModifier.KeypadModifier)
    assert given.args == ["short\nmy own work address, on my public profile"]
    qtbot.waitUntil(lambda: item.key in {f.key for f in window.composer.findings if f.status == "acknowledged"},
                    timeout=WAIT)


# -- X counts only when asked ---------------------------------------------------------------------
def test_length_for_a_network_with_no_account_is_advisory(open_window, qtbot, servers):
    window = open_window(values={"composer.networks": ["mastodon", "bluesky", "x"]})
    link_directly(qtbot, window, servers[0])  # Mastodon (640 characters on this server) only
    write(qtbot, window, OVER_X.strip())
    lengths = {f.finding.network: f for f in window.composer.findings if f.finding.network}
    assert set(lengths) == {"x", "bluesky"}
    for network, name in (("x", "X"), ("bluesky", "Bluesky")):
        finding = lengths[network]
        assert finding.severity == "info" and finding.finding.rule_severity == "block"
        assert finding.finding.message.startswith(f"Too long for {name}")
        assert finding.finding.explanation.startswith(f"Only counted: no {name} account is linked or chosen")
    assert window.composer.counter_labels["x"].count.over  # still counted, in the over-limit colour
    assert not window.composer.blocked and window.publish_bar.publish_button.isEnabled()


def test_the_policy_can_keep_a_length_limit_blocking_for_a_network_it_names():
    acme = load_policy("acme-example")
    text = OVER_X.strip()
    advisory = TargetedCheck(acme, ["mastodon", "x"], committed={"mastodon"})(text)
    assert [(f.network, f.severity.value) for f in advisory if f.network] == [("x", "info")]
    enforced = TargetedCheck(acme, ["mastodon", "x"], committed=None)(text)  # who is linked is not known
    assert [(f.network, f.severity.value) for f in enforced if f.network] == [("x", "block")]
    # a length rule that names X keeps blocking there, linked or not
    [length] = [rule for rule in acme.rules if rule.id == "R20-length"]
    length.networks = frozenset({"x", "bluesky", "mastodon", "linkedin"})
    try:
        named = TargetedCheck(acme, ["mastodon", "x"], committed={"mastodon"})(text)
    finally:
        length.networks = None
    assert [(f.network, f.severity.value) for f in named if f.network] == [("x", "block")]
