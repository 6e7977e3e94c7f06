"""Staged rules and "This is wrong…" in the real window: advisory findings in the panel, shadow
rules never shown but counted in the real drafts database, and a false-positive report opened
through the window's browser bridge (a recording ``open_url`` stands in for the desktop's browser)."""

from __future__ import annotations

import urllib.parse
from pathlib import Path

from PySide6.QtCore import QPoint, Qt
from PySide6.QtGui import QTextCursor

from desktop.core.drafts.policy_usage import PolicyUsageStore

POLICY = """
[policy]
id = "staged-ui"
name = "Staged UI"
version = "7"
owner = "Comms"
contact = "Comms team <comms@acme.example>"

[[rules]]
id = "codename"
category = "confidential"
kind = "lexicon"
terms = ["bluebird"]
message = "Confidential codename: {match}"
examples.flag = ["bluebird"]

[[rules]]
id = "forecast"
category = "finance"
kind = "lexicon"
terms = ["revenue will double"]
severity = "block"
mode = "advise"
message = "Forward-looking statement: {match}"
tip = "Talk about results already published."
examples.flag = ["revenue will double"]

[[rules]]
id = "roadmap"
category = "confidential"
kind = "lexicon"
terms = ["ships next week"]
severity = "warn"
mode = "shadow"
message = "Launch date"
examples.flag = ["it ships next week"]
"""
TEXT = "Our revenue will double and it ships next week."


def u16(text: str) -> int:
    return len(text.encode("utf-16-le")) // 2


def staged_window(qtbot, make_window, tmp_path: Path, opened: list[str]):
    path = tmp_path / "staged.toml"
    path.write_text(POLICY, encoding="utf-8")
    window = make_window(values={"policy.source": str(path)}, load_policy=True, open_url=opened.append)
    window.composer.editor.setPlainText(TEXT)
    qtbot.waitUntil(lambda: window.composer.policy.state == "ok"
                    and any(f.finding.rule_id == "forecast" for f in window.composer.findings), timeout=10_000)
    return window


def test_advise_findings_are_advisory_shadow_ones_hidden_and_both_counted(qtbot, make_window, tmp_path) -> None:
    window = staged_window(qtbot, make_window, tmp_path, [])
    check, panel = window.composer.policy, window.findings_panel
    [item] = window.composer.findings  # the shadow rule's "ships next week" is not listed
    assert (item.finding.rule_id, item.label, item.severity) == ("forecast", "Advisory", "info")
    assert not check.blocked and not check.needs_acknowledgement and check.publish_refusal() is None
    panel.list.setCurrentRow(0)
    assert panel.note.text().startswith("Advisory: your company is trying this rule out")
    assert "will block publishing" in panel.note.text()
    assert panel.summary_text.startswith("Nothing stops publishing.")

    usage = PolicyUsageStore(window.store)
    qtbot.waitUntil(lambda: {(u.rule_id, u.firings, u.posts) for u in usage.usage()} == {
        ("forecast", 1, 1), ("roadmap", 1, 1)}, timeout=10_000)
    records = check.usage_records
    check.check_now()  # the same text again: nothing more is written
    qtbot.waitUntil(lambda: check.state == "ok", timeout=10_000)
    assert check.usage_records == records
    assert {(u.rule_id, u.firings) for u in usage.usage()} == {("forecast", 1), ("roadmap", 1)}


def test_this_is_wrong_in_the_panel_opens_the_prefilled_report_and_notes_it(qtbot, make_window, tmp_path) -> None:
    opened: list[str] = []
    window = staged_window(qtbot, make_window, tmp_path, opened)
    panel = window.findings_panel
    panel.list.setCurrentRow(0)
    assert panel.report_button.isVisible()
    qtbot.mouseClick(panel.report_button, Qt.MouseButton.LeftButton)
    dialog = panel.report_dialog
    assert dialog is not None and dialog.isVisible()
    assert dialog.where.text().startswith("To: comms@acme.example\nSubject: Chorus: false positive of rule forecast")
    body = dialog.body.toPlainText()
    assert "Policy: staged-ui 7" in body and "Rule: forecast" in body
    assert "Matched words: revenue will double" in body
    dialog.body.appendPlainText("We published this figure in the annual report.")
    qtbot.mouseClick(dialog.send_button, Qt.MouseButton.LeftButton)

    [url] = opened
    address, query = url.split("?", 1)
    assert address == "mailto:comms@acme.example"
    fields = dict(part.split("=", 1) for part in query.split("&"))
    assert urllib.parse.unquote(fields["subject"]) == "Chorus: false positive of rule forecast (staged-ui 7)"
    sent = urllib.parse.unquote(fields["body"])
    assert "Rule: forecast" in sent and "Policy: staged-ui 7" in sent and "Matched words: revenue will double" in sent
    assert sent.rstrip().endswith("We published this figure in the annual report.")
    usage = PolicyUsageStore(window.store)
    qtbot.waitUntil(lambda: len(usage.false_positives()) == 1, timeout=5000)
    [report] = usage.false_positives()
    assert (report.policy_id, report.policy_version, report.rule_id, report.matched_text) == (
        "staged-ui", "7", "forecast", "revenue will double")


def test_this_is_wrong_from_the_editor_menu_can_leave_the_words_out(qtbot, make_window, tmp_path) -> None:
    opened: list[str] = []
    window = staged_window(qtbot, make_window, tmp_path, opened)
    editor = window.composer.editor
    cursor = QTextCursor(editor.document())
    cursor.setPosition(u16(TEXT[:TEXT.index("revenue") + 2]))
    caret = editor.cursorRect(cursor)
    menu = window.composer.policy.context_menu(QPoint(caret.left() + 2, caret.center().y()))
    actions = {action.text(): action for action in menu.actions()}
    assert "Explain this advisory" in actions
    actions["This is wrong…"].trigger()
    dialog = window.findings_panel.report_dialog
    assert dialog is not None and dialog.isVisible()
    dialog.include_words.setChecked(False)
    assert "revenue" not in dialog.body.toPlainText()
    qtbot.mouseClick(dialog.send_button, Qt.MouseButton.LeftButton)
    [url] = opened
    assert "revenue" not in urllib.parse.unquote(url)
    usage = PolicyUsageStore(window.store)
    qtbot.waitUntil(lambda: len(usage.false_positives()) == 1, timeout=5000)
    assert usage.false_positives()[0].matched_text is None
    menu.deleteLater()
