"""Live policy checking in the real window: underlines, tooltip, panel, quick fixes, acknowledgements,
the policy's loading with its last good copy, and the state publishing will read.

Real parts only: the real MainWindow over a temporary profile with a real DraftStore, the real
built-in acme-example policy (or a copy of it written to a file), the real TaskRunner lanes.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from PySide6.QtCore import QEvent, QPoint, Qt
from PySide6.QtGui import QHelpEvent, QPalette, QTextCharFormat, QTextCursor
from PySide6.QtWidgets import QApplication, QToolTip

from desktop.core.paths import AppPaths
from desktop.core.policy import load_policy, policies_dir
from desktop.ui.common.theme import apply_theme, status_color
from desktop.ui.policy.findings_panel import AcknowledgeDialog
from desktop.ui.policy.live_check import INLINE_CHECK_LIMIT
from desktop.ui.policy.live_finding import BLOCK_NOTE

ACME = {"policy.source": "acme-example"}
REASON = "Initech approved being named, mail from their PR team on 3 May"


def u16(text: str) -> int:
    """Length in UTF-16 code units (Qt positions)."""
    return len(text.encode("utf-16-le")) // 2


def open_window(qtbot, make_window, **values):
    """The real window over the test profile, its policy loaded and the open draft checked."""
    window = make_window(values={**ACME, **values}, load_policy=True)
    if window.composer.policy.enabled:
        wait_checked(qtbot, window)
    return window


def set_text(qtbot, window, text: str) -> None:
    """Replace the post's text the way a paste does, then wait for the check of exactly this text."""
    window.composer.editor.setPlainText(text)
    wait_checked(qtbot, window)


def wait_checked(qtbot, window) -> None:
    check = window.composer.policy
    qtbot.waitUntil(lambda: check.state == "ok", timeout=10_000)


def finding(window, rule_id: str, text: str | None = None):
    matches = [f for f in window.composer.findings
               if f.finding.rule_id == rule_id and (text is None or f.finding.text == text)]
    assert len(matches) == 1, (rule_id, text, window.composer.findings)
    return matches[0]


def underlines(window) -> list[tuple[int, int, str, QTextCharFormat]]:
    """The editor's extra selections: (start, end, selected text, a copy of the format)."""
    return [(s.cursor.selectionStart(), s.cursor.selectionEnd(), s.cursor.selectedText(), QTextCharFormat(s.format))
            for s in window.composer.editor.extraSelections()]


def click_row(qtbot, panel, item) -> None:
    row = panel.row_of(item)
    assert row >= 0
    rect = panel.list.visualItemRect(panel.list.item(row))
    qtbot.mouseClick(panel.list.viewport(), Qt.MouseButton.LeftButton, pos=rect.center())


def close(window) -> None:
    """Quit as the app does: flush, stop the lanes (waiting for database writes), close the database."""
    window.close()
    window.runner.shutdown()
    window.store.close()


def policy_copy(tmp_path: Path, version: str | None = None, extra: str = "") -> Path:
    """A policy file: the built-in acme-example, optionally under another version or with more rules."""
    text = (policies_dir() / "acme-example.toml").read_text(encoding="utf-8")
    if version is not None:
        text = re.sub(r'(?m)^version = ".*"$', f'version = "{version}"', text, count=1)
    path = tmp_path / "acme-policy.toml"
    path.write_text(text + extra, encoding="utf-8")
    return path


BROKEN_RULE = """
[[rules]]
id = "R99-broken"
category = "codename"
kind = "lexicon"
severity = "severe"
message = "Broken: {match}"
terms = ["Project Kestrel"]
examples.flag = ["Project Kestrel is close"]
examples.pass = ["A kestrel hovering"]
"""


# -- underlines ----------------------------------------------------------------------------------
def test_typing_underlines_findings_at_utf16_positions_after_emoji(make_window, qtbot):
    window = open_window(qtbot, make_window)
    assert window.composer.policy.state == "ok"
    editor = window.composer.editor
    editor.insertPlainText("🚀🎉 ")  # emoji arrive as input-method text; each is two UTF-16 units
    qtbot.keyClicks(editor, "Project Bluebird demo with @Initech today, damn good #AcmeEmployee")
    wait_checked(qtbot, window)
    text = window.composer.text()
    assert text.startswith("🚀🎉 Project Bluebird")

    shown = {(start, end, selected) for start, end, selected, _fmt in underlines(window)}
    for term in ("Project Bluebird", "@Initech", "damn"):
        start = u16(text[:text.index(term)])
        assert (start, start + u16(term), term) in shown, (term, shown)
    # exactly these: one underline per finding, each selecting precisely the matched text
    assert len(shown) == 3

    palette = editor.palette()
    by_text = {selected: fmt for _s, _e, selected, fmt in underlines(window)}
    for term, severity in (("Project Bluebird", "block"), ("@Initech", "warn"), ("damn", "info")):
        fmt = by_text[term]
        assert fmt.underlineStyle() == QTextCharFormat.UnderlineStyle.WaveUnderline
        assert fmt.underlineColor() == status_color(palette, severity)
    # the most severe are drawn last (on top)
    order = [selected for _s, _e, selected, _f in underlines(window)]
    assert order == ["damn", "@Initech", "Project Bluebird"]


def test_underlines_follow_edits_and_stale_results_are_dropped(make_window, qtbot):
    window = open_window(qtbot, make_window)
    set_text(qtbot, window, "Notes: Project Bluebird")
    editor = window.composer.editor
    cursor = editor.textCursor()
    cursor.setPosition(0)
    editor.setTextCursor(cursor)
    editor.insertPlainText("👋🌍 ")  # non-BMP before the finding, typed after the check
    # before the next check runs, the underline has moved with the text
    start, end, selected, _fmt = underlines(window)[0]
    assert selected == "Project Bluebird"
    wait_checked(qtbot, window)
    text = window.composer.text()
    start = u16(text[:text.index("Project")])
    assert [(s, e) for s, e, _t, _f in underlines(window)] == [(start, start + u16("Project Bluebird"))]


def test_underline_colours_follow_a_dark_palette(make_window, qtbot, qapp):
    window = open_window(qtbot, make_window)
    set_text(qtbot, window, "Project Bluebird with @Initech, damn")
    light = {t: f.underlineColor() for _s, _e, t, f in underlines(window)}
    apply_theme(qapp, "dark")
    qtbot.waitUntil(lambda: {t: f.underlineColor() for _s, _e, t, f in underlines(window)} != light, timeout=3000)
    palette = window.composer.editor.palette()
    assert palette.color(QPalette.ColorRole.Base).lightnessF() < 0.5
    base = palette.color(QPalette.ColorRole.Base)
    for _s, _e, selected, fmt in underlines(window):
        severity = {"Project Bluebird": "block", "@Initech": "warn", "damn": "info"}[selected]
        assert fmt.underlineColor() == status_color(palette, severity)
        assert abs(fmt.underlineColor().lightnessF() - base.lightnessF()) > 0.4  # readable on the dark base


@pytest.mark.qt_log_ignore("This plugin does not support raise")  # offscreen has no window stacking
def test_tooltip_explains_the_finding_under_the_mouse(make_window, qtbot):
    window = open_window(qtbot, make_window)
    set_text(qtbot, window, "🎉 Great workshop with @Initech today")
    editor = window.composer.editor
    text = window.composer.text()
    cursor = QTextCursor(editor.document())
    cursor.setPosition(u16(text[:text.index("Initech") + 2]))
    caret = editor.cursorRect(cursor)
    point = QPoint(caret.left() + 2, caret.center().y())
    tip, _area = window.composer.policy.tooltip_at(point)
    item = finding(window, "R11-customer-name")
    assert "Warning:" in tip and "Customer named without permission: @Initech" in tip
    assert "Customer Marketing can confirm" in tip  # the explanation
    assert "<i>Tip:</i> Say &quot;a large retailer&quot;" in tip
    assert "acknowledge it with a reason" in tip
    # a real tooltip event shows it; away from the finding there is none
    viewport = editor.viewport()
    QApplication.sendEvent(viewport, QHelpEvent(QEvent.Type.ToolTip, point, viewport.mapToGlobal(point)))
    assert QToolTip.isVisible() and item.finding.message in QToolTip.text()
    QToolTip.hideText()
    start = editor.cursorRect(QTextCursor(editor.document()))
    assert window.composer.policy.tooltip_at(QPoint(start.left() + 2, start.center().y())) is None


# -- the findings panel --------------------------------------------------------------------------
def test_panel_lists_findings_with_explanation_and_tip_and_clicking_selects_the_text(make_window, qtbot):
    window = open_window(qtbot, make_window)
    set_text(qtbot, window, "👩🏽‍💻 Loving the Project Bluebird demo with @Initech, damn good #AcmeEmployee")
    panel = window.findings_panel
    assert panel.isVisible() and window.policy_dock.isVisible()
    assert panel.list.count() == 3
    rows = [panel.list.item(r).data(Qt.ItemDataRole.UserRole + 1) for r in range(3)]
    assert [r.severity for r in rows] == ["block", "warn", "info"]  # most severe first
    assert panel.summary_text == "Publishing is blocked. 1 block · 1 warning · 1 hint"

    warn = finding(window, "R11-customer-name")
    click_row(qtbot, panel, warn)
    assert window.composer.editor.textCursor().selectedText() == "@Initech"
    assert panel.message.text() == "Customer named without permission: @Initech"
    assert "Only Customer Marketing can confirm written permission" in panel.explanation.text()
    assert panel.tip.text().startswith("Tip: Say \"a large retailer\" instead")
    assert panel.ack_button.isVisible() and not panel.dismiss_button.isVisible()

    block = finding(window, "R3-codename")
    click_row(qtbot, panel, block)
    assert window.composer.editor.textCursor().selectedText() == "Project Bluebird"
    assert panel.tip.text().startswith("Tip: Describe the work generically")

    # moving the caret into a finding shows that finding in the panel
    editor = window.composer.editor
    cursor = editor.textCursor()
    text = window.composer.text()
    cursor.setPosition(u16(text[:text.index("damn") + 1]))
    editor.setTextCursor(cursor)
    assert panel.current().finding.rule_id == "R18-profanity-mild"
    assert editor.textCursor().position() == u16(text[:text.index("damn") + 1])  # the caret stayed put


def test_panel_keeps_its_rows_while_typing_elsewhere(make_window, qtbot):
    window = open_window(qtbot, make_window)
    set_text(qtbot, window, "Project Bluebird with @Initech, damn")
    panel = window.findings_panel
    click_row(qtbot, panel, finding(window, "R18-profanity-mild"))
    first_row_item = panel.list.item(0)
    editor = window.composer.editor
    editor.moveCursor(QTextCursor.MoveOperation.End)
    qtbot.keyClicks(editor, " and more")
    wait_checked(qtbot, window)
    assert panel.list.item(0) is first_row_item  # not rebuilt
    assert panel.current().finding.rule_id == "R18-profanity-mild"
    assert panel.current() in window.composer.findings  # the row carries the fresh finding


# -- quick fixes -----------------------------------------------------------------------------------
def test_quick_fix_appends_the_disclosure_in_one_click_and_one_undo(make_window, qtbot):
    window = open_window(qtbot, make_window)
    set_text(qtbot, window, "🔐 Acme Vault keeps my files safe")
    item = finding(window, "R9-missing-disclosure")
    assert item.severity == "block" and window.composer.blocked
    panel = window.findings_panel
    click_row(qtbot, panel, item)
    assert panel.fix_button.isVisible() and panel.fix_button.isEnabled()
    assert panel.fix_button.text() == "Fix: Append #AcmeEmployee"
    qtbot.mouseClick(panel.fix_button, Qt.MouseButton.LeftButton)
    assert window.composer.text() == "🔐 Acme Vault keeps my files safe #AcmeEmployee"
    wait_checked(qtbot, window)
    assert [f.finding.rule_id for f in window.composer.findings] == []
    assert not window.composer.blocked and window.composer.publish_refusal() is None
    window.composer.editor.undo()
    assert window.composer.text() == "🔐 Acme Vault keeps my files safe"


def test_quick_fix_replaces_the_brand_spelling_from_the_editor_menu(make_window, qtbot):
    window = open_window(qtbot, make_window)
    set_text(qtbot, window, "😀 I use AcmeCloud daily #AcmeEmployee")
    item = finding(window, "R19-brand-style")
    assert item.severity == "info"
    editor = window.composer.editor
    text = window.composer.text()
    cursor = QTextCursor(editor.document())
    cursor.setPosition(u16(text[:text.index("AcmeCloud") + 3]))
    caret = editor.cursorRect(cursor)
    menu = window.composer.policy.context_menu(QPoint(caret.left() + 2, caret.center().y()))
    labels = [a.text() for a in menu.actions()]
    assert labels[:3] == ["Fix: Replace with “Acme Cloud”", "Dismiss hint", "Explain this hint"]
    assert "Acknowledge warning…" not in labels
    menu.actions()[0].trigger()
    menu.deleteLater()
    assert window.composer.text() == "😀 I use Acme Cloud daily #AcmeEmployee"
    wait_checked(qtbot, window)
    assert window.composer.findings == []


def test_a_fix_is_not_offered_for_a_text_that_changed_since_the_check(make_window, qtbot):
    window = open_window(qtbot, make_window)
    set_text(qtbot, window, "Acme Vault keeps my files safe")
    item = finding(window, "R9-missing-disclosure")
    window.composer.editor.moveCursor(QTextCursor.MoveOperation.End)
    qtbot.keyClicks(window.composer.editor, "!")
    assert not window.composer.policy.can_fix(item)
    assert window.composer.policy.apply_quick_fix(item) is False
    assert window.composer.text() == "Acme Vault keeps my files safe!"


# -- acknowledgements --------------------------------------------------------------------------------
def acknowledge_with_dialog(qtbot, window, item, reason: str) -> None:
    panel = window.findings_panel
    click_row(qtbot, panel, item)
    qtbot.mouseClick(panel.ack_button, Qt.MouseButton.LeftButton)
    dialog = panel.dialog
    assert isinstance(dialog, AcknowledgeDialog) and dialog.isVisible()
    qtbot.keyClicks(dialog.reason, "ok fine")
    assert not dialog.ok_button.isEnabled() and "more characters needed" in dialog.hint.text()
    dialog.reason.clear()
    qtbot.keyClicks(dialog.reason, reason)
    assert dialog.ok_button.isEnabled()
    qtbot.mouseClick(dialog.ok_button, Qt.MouseButton.LeftButton)


def test_acknowledged_warning_survives_a_restart_and_is_dropped_when_its_text_changes(make_window, qtbot, profile):
    window = open_window(qtbot, make_window)
    set_text(qtbot, window, "🤝 Great workshop with @Initech today")
    assert window.composer.publish_refusal().startswith("Publishing needs your attention: 1 warning")
    acknowledge_with_dialog(qtbot, window, finding(window, "R11-customer-name"), REASON)
    qtbot.waitUntil(lambda: finding(window, "R11-customer-name").status == "acknowledged", timeout=5000)
    assert underlines(window) == []  # no longer underlined
    assert window.composer.publish_refusal() is None and not window.composer.policy.needs_acknowledgement
    assert window.composer.text() == "🤝 Great workshop with @Initech today"  # the text is what gets published
    panel = window.findings_panel
    assert "You acknowledged this warning" in panel.note.text() and REASON in panel.note.text()
    assert panel.summary_text == "Nothing stops publishing. 1 acknowledged or dismissed"
    qtbot.waitUntil(lambda: not window.autosaver.busy, timeout=5000)
    draft_id = window.composer.draft.id
    close(window)

    again = open_window(qtbot, make_window)
    assert again.composer.draft.id == draft_id
    wait_checked(qtbot, again)
    item = finding(again, "R11-customer-name")
    assert item.status == "acknowledged" and item.acknowledgement.reason == REASON
    assert again.composer.publish_refusal() is None

    # the matched text changes: the acknowledgement no longer applies
    editor = again.composer.editor
    text = again.composer.text()
    cursor = QTextCursor(editor.document())
    cursor.setPosition(u16(text[:text.index("@Initech")]))
    cursor.setPosition(u16(text[:text.index("@Initech") + 1]), QTextCursor.MoveMode.KeepAnchor)
    editor.setTextCursor(cursor)
    qtbot.keyClicks(editor, "#")
    wait_checked(qtbot, again)
    changed = finding(again, "R11-customer-name")
    assert changed.finding.text == "#Initech" and changed.status == "open"
    assert [t for _s, _e, t, _f in underlines(again)] == ["#Initech"]
    assert again.composer.publish_refusal().startswith("Publishing needs your attention")


def test_acknowledgement_is_dropped_when_the_policy_version_changes(make_window, qtbot, tmp_path):
    path = policy_copy(tmp_path, version="2025.06.1-local")
    window = open_window(qtbot, make_window, **{"policy.source": str(path)})
    assert window.composer.policy.policy_version == "acme-example@2025.06.1-local"
    set_text(qtbot, window, "Great workshop with @Initech today")
    acknowledge_with_dialog(qtbot, window, finding(window, "R11-customer-name"), REASON)
    qtbot.waitUntil(lambda: finding(window, "R11-customer-name").status == "acknowledged", timeout=5000)
    draft_id = window.composer.draft.id
    assert len(window.store.acknowledgements(draft_id, "acme-example@2025.06.1-local")) == 1

    policy_copy(tmp_path, version="2025.07.1")  # the policy owner publishes a new version
    with qtbot.waitSignal(window.policy_changed, timeout=10_000):
        window.load_policy()
    wait_checked(qtbot, window)
    assert window.composer.policy.policy_version == "acme-example@2025.07.1"
    assert finding(window, "R11-customer-name").status == "open"
    assert window.composer.publish_refusal().startswith("Publishing needs your attention")
    assert window.policy_label.text().startswith("Policy: Acme Corp social media policy 2025.07.1 · ")
    # and the old record is gone from the database, so it can never come back
    qtbot.waitUntil(lambda: window.store.acknowledgements(draft_id, "acme-example@2025.06.1-local") == [],
                    timeout=5000)


def test_info_can_be_dismissed_and_restored(make_window, qtbot):
    window = open_window(qtbot, make_window)
    set_text(qtbot, window, "What the hell, 🌧️ again")
    panel = window.findings_panel
    item = finding(window, "R18-profanity-mild")
    click_row(qtbot, panel, item)
    assert panel.dismiss_button.isVisible() and not panel.ack_button.isVisible()
    qtbot.mouseClick(panel.dismiss_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: finding(window, "R18-profanity-mild").status == "dismissed", timeout=5000)
    assert underlines(window) == []
    assert panel.note.text() == "You dismissed this hint." and panel.restore_button.isVisible()
    assert window.store.acknowledgements(window.composer.draft.id, window.composer.policy.policy_version)[0].kind \
        == "dismissed"
    qtbot.mouseClick(panel.restore_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: finding(window, "R18-profanity-mild").status == "open", timeout=5000)
    assert [t for _s, _e, t, _f in underlines(window)] == ["hell"]


def test_a_block_finding_cannot_be_overridden_and_refuses_publishing(make_window, qtbot):
    window = open_window(qtbot, make_window)
    set_text(qtbot, window, "Sneak peek: Project Bluebird 🐦 #AcmeEmployee")
    item = finding(window, "R3-codename")
    panel = window.findings_panel
    click_row(qtbot, panel, item)
    assert not panel.ack_button.isVisible() and not panel.dismiss_button.isVisible()
    assert not panel.restore_button.isVisible() and panel.note.text() == BLOCK_NOTE
    with pytest.raises(ValueError, match="cannot be acknowledged"):
        window.composer.policy.acknowledge(item, REASON)
    panel.acknowledge()  # the panel's action does nothing for a block
    assert panel.dialog is None
    editor = window.composer.editor
    text = window.composer.text()
    cursor = QTextCursor(editor.document())
    cursor.setPosition(u16(text[:text.index("Bluebird")]))
    caret = editor.cursorRect(cursor)
    menu = window.composer.policy.context_menu(QPoint(caret.left() + 2, caret.center().y()))
    labels = [a.text() for a in menu.actions()]
    menu.deleteLater()
    assert "Explain this block" in labels
    assert not {"Acknowledge warning…", "Dismiss hint"} & set(labels)

    assert window.composer.blocked
    refusal = window.publish_refusal()
    assert refusal.startswith("Publishing is refused: the policy blocks this post (Confidential codename: "
                              "Project Bluebird)")
    assert window.composer.policy_summary.text().count("1 block") == 1

    # the store refuses too, whatever the caller: a block is never stored as acknowledged
    from desktop.core.drafts import Acknowledgement

    forged = Acknowledgement(window.composer.draft.id, "R3-codename", "Project Bluebird", 0,
                             window.composer.policy.policy_version, "acknowledged", REASON)
    window.store.save_acknowledgement(forged)
    window.composer.policy.draft_opened(window.composer.draft.id)  # reload the draft's acknowledgements
    wait_checked(qtbot, window)
    assert finding(window, "R3-codename").status == "open" and window.composer.blocked

    set_text(qtbot, window, "Sneak peek: a new feature 🐦 #AcmeEmployee")
    assert not window.composer.blocked and window.publish_refusal() is None
    assert "no problems" in window.composer.policy_summary.text()


# -- networks ------------------------------------------------------------------------------------------
def test_length_is_checked_for_each_of_the_composers_networks(make_window, qtbot):
    window = open_window(qtbot, make_window, **{"composer.networks": ["linkedin", "x"]})
    post = "🙂 " + "word " * 70  # 352 code points, 353 UTF-16 units
    set_text(qtbot, window, post)
    item = finding(window, "R20-length")
    assert item.finding.message == "Too long for X: the highlighted part is past the limit"
    assert item.severity == "block" and window.composer.blocked
    [(start, end, _t, fmt)] = underlines(window)
    # the part past the limit is tinted (not wavy-underlined), like the networks' own composers do
    assert end == u16(post) and start == u16(post[:item.finding.start])
    assert fmt.underlineStyle() == QTextCharFormat.UnderlineStyle.NoUnderline
    assert fmt.background().color().rgb() == status_color(window.composer.editor.palette(), "block").rgb()

    # with Bluesky too, there are two findings (each naming its network) but one tint, from the earlier cut
    window.settings.set("composer.networks", ["bluesky", "linkedin", "x"])
    window.apply_settings()
    wait_checked(qtbot, window)
    messages = sorted(f.finding.message for f in window.composer.findings)
    assert messages == ["Too long for Bluesky: the highlighted part is past the limit",
                        "Too long for X: the highlighted part is past the limit"]
    assert [(s, e) for s, e, _t, _f in underlines(window)] == [(start, end)]

    window.settings.set("composer.networks", ["linkedin"])
    window.apply_settings()
    wait_checked(qtbot, window)
    assert window.composer.findings == [] and not window.composer.blocked


# -- long posts --------------------------------------------------------------------------------------
def test_a_long_paste_is_checked_off_the_gui_thread(make_window, qtbot):
    window = open_window(qtbot, make_window)
    body = ("Notes from the offsite, nothing secret here. " * 300) + "Project Bluebird"
    assert len(body) > INLINE_CHECK_LIMIT
    set_text(qtbot, window, body)
    check = window.composer.policy
    assert not check.last_check_inline
    assert finding(window, "R3-codename").finding.start == len(body) - len("Project Bluebird")


# -- loading the policy --------------------------------------------------------------------------------
def test_status_bar_names_the_policy_in_use(make_window, qtbot, profile):
    window = open_window(qtbot, make_window)
    policy = load_policy("acme-example")
    assert window.policy_label.text() == f"Policy: {policy.info.name} {policy.info.version} · built-in"
    assert "comms-policy@acme.example" in window.policy_label.toolTip()
    assert not window.policy_notice.isVisible()
    cache = AppPaths.for_profile(profile).last_good_policy
    assert cache.read_bytes() == (policies_dir() / "acme-example.toml").read_bytes()


def test_a_broken_policy_file_is_reported_precisely_and_the_last_good_one_is_kept(make_window, qtbot, tmp_path):
    path = policy_copy(tmp_path)
    window = open_window(qtbot, make_window, **{"policy.source": str(path)})
    assert window.active_policy.ok
    close(window)

    path.write_text(path.read_text(encoding="utf-8") + BROKEN_RULE, encoding="utf-8")  # a bad edit
    again = open_window(qtbot, make_window, **{"policy.source": str(path)})
    notice = again.policy_notice
    assert notice.isVisible()
    message = notice.label.text()
    assert f"{path}: rule R99-broken: severity: must be one of block, warn, info, not 'severe'" in message
    assert "Chorus keeps checking with the last good policy: Acme Corp social media policy" in message
    assert " · last good copy from " in again.policy_label.text()
    assert again.active_policy.fallback
    # checking goes on with the last good policy
    set_text(qtbot, again, "Project Bluebird is close")
    assert finding(again, "R3-codename").severity == "block"
    # other notices do not hide the policy's
    again.notice.show_message("Something else happened")
    assert notice.isVisible() and notice.label.text() == message

    # fixed: the notice goes away
    path.write_text(path.read_text(encoding="utf-8").replace(BROKEN_RULE, ""), encoding="utf-8")
    with qtbot.waitSignal(again.policy_changed, timeout=10_000):
        again.load_policy()
    assert again.active_policy.ok and not notice.isVisible()
    assert again.policy_label.text().startswith(f"Policy: {again.active_policy.label} · {path} · file saved ")


def test_with_no_valid_policy_checking_is_off_and_publishing_is_refused(make_window, qtbot, tmp_path):
    missing = tmp_path / "nowhere" / "policy.toml"
    window = open_window(qtbot, make_window, **{"policy.source": str(missing)})
    composer = window.composer
    assert composer.policy.state == "off" and composer.checking_policy is None
    assert composer.blocked
    refusal = window.publish_refusal()
    assert refusal.startswith("Publishing is refused: there is no valid policy")
    assert f"{missing}: does not exist" in window.policy_notice.label.text()
    assert "policy checking is off and publishing is refused" in window.policy_notice.label.text()
    assert "Policy checking off" in composer.policy_summary.text()
    assert window.policy_label.text() == "Policy: none · publishing refused"
    panel = window.findings_panel
    assert panel.empty.text() == "Policy checking is off." and panel.summary_text == refusal
    # drafting still works, without underlines
    qtbot.keyClicks(composer.editor, "Project Bluebird")
    assert composer.text() == "Project Bluebird" and underlines(window) == []
    qtbot.waitUntil(lambda: not window.autosaver.busy, timeout=5000)
    assert window.store.get(composer.draft.id).body == "Project Bluebird"

    # choosing a valid policy in the settings turns checking on
    window.settings.set("policy.source", "acme-example")
    with qtbot.waitSignal(window.policy_changed, timeout=10_000):
        window.apply_settings()
    wait_checked(qtbot, window)
    assert finding(window, "R3-codename").severity == "block"
    assert not window.policy_notice.isVisible()


def test_an_unknown_builtin_name_is_reported(make_window, qtbot):
    window = open_window(qtbot, make_window, **{"policy.source": "acme-exmaple"})
    message = window.policy_notice.label.text()
    assert "acme-exmaple: is not a built-in policy (built in: " in message and "acme-example" in message
    assert window.composer.publish_refusal().startswith("Publishing is refused: there is no valid policy")


def test_the_editor_menu_acknowledges_and_explains(make_window, qtbot):
    window = open_window(qtbot, make_window)
    set_text(qtbot, window, "Project Bluebird demo with @Initech 🎉")
    editor = window.composer.editor
    text = window.composer.text()
    panel = window.findings_panel
    click_row(qtbot, panel, finding(window, "R3-codename"))

    def menu_at(word: str):
        cursor = QTextCursor(editor.document())
        cursor.setPosition(u16(text[:text.index(word) + 2]))
        caret = editor.cursorRect(cursor)
        return window.composer.policy.context_menu(QPoint(caret.left() + 2, caret.center().y()))

    menu = menu_at("Initech")
    actions = {a.text(): a for a in menu.actions()}
    assert any("Copy" in t for t in actions)  # the editor's standard entries stay
    actions["Explain this warning"].trigger()
    assert panel.current() is finding(window, "R11-customer-name")
    assert editor.textCursor().selectedText() == "@Initech"
    actions["Acknowledge warning…"].trigger()
    menu.deleteLater()
    assert isinstance(panel.dialog, AcknowledgeDialog) and panel.dialog.item is finding(window, "R11-customer-name")
    qtbot.keyClicks(panel.dialog.reason, REASON)
    qtbot.mouseClick(panel.dialog.ok_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: finding(window, "R11-customer-name").status == "acknowledged", timeout=5000)
    # an acknowledged warning has no underline, so no menu entries either
    menu = menu_at("Initech")
    assert not any(a.text().startswith(("Explain", "Acknowledge", "Fix", "Dismiss")) for a in menu.actions())
    menu.deleteLater()
