"""The Tips panel in the real main window: ranking as findings appear, the "Learn more" links, the tip
of the day and its setting, and an IT tips folder."""

from __future__ import annotations

import json

from PySide6.QtCore import QPoint
from PySide6.QtGui import QTextCursor

from desktop.core.paths import AppPaths

POLICY = {"policy.source": "acme-example", "composer.networks": ["mastodon"]}


def wait_for_tips(qtbot, window):
    qtbot.waitUntil(lambda: len(window.tips.panel.ranked) >= 40, timeout=10_000)


def type_post(qtbot, window, text):
    editor = window.composer.editor
    editor.setFocus()
    editor.insertPlainText(text)


def test_panel_ranks_the_tips_for_a_new_finding_first(qtbot, make_window):
    window = make_window(values={**POLICY, "tips.show_at_start": False}, load_policy=True)
    wait_for_tips(qtbot, window)
    panel = window.tips.panel
    assert panel.group(panel.ranked[0].id) == "network"  # nothing found yet: Mastodon's tips come first
    assert panel.ranked[0].networks and "mastodon" in panel.ranked[0].networks
    type_post(qtbot, window, "Project Bluebird is close to done")
    qtbot.waitUntil(lambda: panel.ranked[0].id == "codenames", timeout=10_000)
    assert panel.group("codenames") == "finding"
    assert panel.current_tip().id == "codenames"  # the post's first tip is shown
    assert "Codenames stay inside" in panel.view.toPlainText()
    # the list is labelled in its three parts, in order
    labels = [panel.list.item(r).text() for r in range(panel.list.count()) if panel.list.item(r).data(panel_role()) is None]
    assert labels == ["FOR THIS POST", "FOR YOUR NETWORKS", "MORE TIPS"]
    # the finding goes away: its tip leaves the first group
    window.composer.editor.selectAll()
    window.composer.editor.insertPlainText("A quiet day at the office")
    qtbot.waitUntil(lambda: panel.group(panel.ranked[0].id) == "network", timeout=10_000)
    assert panel.group("codenames") == "other"


def panel_role():
    from desktop.ui.tips.panel import TipRole

    return TipRole


def test_a_findings_tooltip_menu_and_details_link_to_its_tip(qtbot, make_window):
    window = make_window(values={**POLICY, "tips.show_at_start": False}, load_policy=True)
    wait_for_tips(qtbot, window)
    type_post(qtbot, window, "We loved the Project Bluebird demo")
    check = window.composer.policy
    qtbot.waitUntil(lambda: any(f.finding.rule_id == "R3-codename" for f in check.findings), timeout=10_000)
    editor = window.composer.editor
    at = QTextCursor(editor.document())
    at.setPosition(window.composer.text().index("Bluebird") + 2)
    rect = editor.cursorRect(at)
    tooltip, _area = check.tooltip_at(QPoint(rect.left() + 2, rect.center().y()))
    assert "Learn more: <b>Codenames stay inside</b>" in tooltip
    menu = check.underlines.context_menu(QPoint(rect.left() + 2, rect.center().y()))
    [learn] = [a for a in menu.actions() if a.text() == "Learn more: Codenames stay inside"]
    window.policy_dock.raise_()
    learn.trigger()
    assert window.tips.panel.current_tip().id == "codenames"
    menu.deleteLater()
    # the Policy panel's details carry the same link
    findings = window.findings_panel
    [item] = [f for f in check.findings if f.finding.rule_id == "R3-codename"]
    findings.show_finding(item)
    assert findings.learn_more.isVisibleTo(findings)
    assert "Learn more: Codenames stay inside" in findings.learn_more.text()
    window.tips.panel.show_tip("alt-text")
    findings.learn_more.linkActivated.emit("tip:codenames")
    assert window.tips.panel.current_tip().id == "codenames"


def test_tip_of_the_day_at_start_and_its_checkbox_setting(qtbot, make_window, profile):
    window = make_window()
    wait_for_tips(qtbot, window)
    card = window.tips.card
    qtbot.waitUntil(card.isVisible, timeout=5000)
    shown = card.tip
    assert shown is not None and card.title.text() == shown.title
    paths = AppPaths.for_profile(profile)
    history = paths.data_dir / "tips-shown.json"
    qtbot.waitUntil(history.exists, timeout=5000)
    assert shown.id in json.loads(history.read_text(encoding="utf-8"))["shown"].values()
    card.next_button.click()
    assert card.tip.id != shown.id
    card.read_button.click()
    assert not card.isVisible() and window.tips.panel.current_tip().id == card.tip.id
    card.checkbox.setChecked(False)  # "Show tips at start" off: saved in the user's settings
    qtbot.waitUntil(lambda: paths.settings_file.exists() and json.loads(
        paths.settings_file.read_text(encoding="utf-8"))["values"].get("tips.show_at_start") is False, timeout=5000)
    assert window.settings.get("tips.show_at_start") is False


def test_no_tip_of_the_day_when_turned_off_or_locked(qtbot, make_window):
    window = make_window(values={"tips.show_at_start": False})
    wait_for_tips(qtbot, window)
    qtbot.wait(50)
    assert not window.tips.card.isVisible()
    locked = make_window(managed={"tips.show_at_start": True})
    wait_for_tips(qtbot, locked)
    qtbot.waitUntil(locked.tips.card.isVisible, timeout=5000)
    assert not locked.tips.card.checkbox.isEnabled()


def test_it_tips_folder_replaces_a_builtin_tip_and_names_a_broken_one(qtbot, make_window, tmp_path):
    folder = tmp_path / "it-tips"
    folder.mkdir()
    (folder / "codenames.md").write_text("---\ntitle: Acme birds stay in the nest\ncategories: codename\n---\n"
                                         "Our codenames are birds.\n", encoding="utf-8")
    (folder / "bad.md").write_text("---\ntitel: oops\n---\nx\n", encoding="utf-8")
    window = make_window(values={**POLICY, "tips.folder": str(folder), "tips.show_at_start": False},
                         load_policy=True)
    wait_for_tips(qtbot, window)
    panel = window.tips.panel
    type_post(qtbot, window, "Project Bluebird is close")
    qtbot.waitUntil(lambda: panel.ranked[0].id == "codenames", timeout=10_000)
    assert panel.ranked[0].title == "Acme birds stay in the nest"
    assert "Our codenames are birds." in panel.view.toPlainText()
    assert panel.problems.isVisibleTo(panel)
    assert f"{folder / 'bad.md'}, line 2: unknown header field 'titel'" in panel.problems.text()
