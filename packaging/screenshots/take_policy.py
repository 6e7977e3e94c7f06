"""Take the policy screenshots: the real window on a private Xvfb server, a post with findings of every severity.

    .venv/bin/python packaging/screenshots/take_policy.py

For each of light and dark: seeds a throw-away profile (the acme-example policy, a draft with block,
warn and info findings, one warning already acknowledged), then starts this script again as a child
on Xvfb (platform xcb). The child builds the app's own window (``desktop.ui.shell.app.create_window``, the
policy loaded on its lane as in the app), selects a warning in the Policy panel, rests the real
mouse pointer on an underlined word so Qt shows its tooltip, and grabs the screen around the
window into packaging/screenshots/policy-findings.png and policy-findings-dark.png. Needs Xvfb.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(REPO))
from xvfb import shoot_with_child  # noqa: E402

POST = (
    "Huge week for the team! 🚀 We demoed Project Bluebird to @Initech and they loved it. "
    "AcmeCloud ships next week, so mark your calendars. Our Q3 revenue grew 14% too.\n\n"
    "Honestly the old dashboard was crap, what the hell were we thinking 😅\n\n"
    "Questions? Mail me at jane.doe@gmail.com or call +44 20 7946 0958."
)
ACKNOWLEDGED = ("R16-personal-phone", "+44 20 7946 0958", "This is my own work mobile, on my public profile too")
SELECT = ("R11-customer-name", "@Initech")  # the finding shown in the panel's details
HOVER = "Bluebird"  # the word the mouse rests on


def seed(profile: Path, theme: str) -> None:
    from desktop.core.drafts import Acknowledgement, DraftStore
    from desktop.core.paths import AppPaths
    from desktop.core.policy import load_policy

    paths = AppPaths.for_profile(profile)
    paths.ensure()
    paths.settings_file.write_text(json.dumps({"schema_version": 1, "values": {
        "appearance.theme": theme, "policy.source": "acme-example",
        "composer.networks": ["linkedin", "x"]}}), encoding="utf-8")
    store = DraftStore.open(paths.drafts_db)
    store.create("Reading list for the week: https://example.com/reading-list-for-product-managers")
    draft = store.create(POST)
    rule_id, text, reason = ACKNOWLEDGED
    store.save_acknowledgement(Acknowledgement(draft.id, rule_id, text, 0, load_policy("acme-example").version_key,
                                               "acknowledged", reason))
    store.close()


def child(profile: Path, target: Path) -> int:
    """Runs on the X server: the real window, a selected finding, a tooltip, then a screen grab."""
    from PySide6.QtCore import QPoint, QTimer
    from PySide6.QtGui import QCursor, QGuiApplication, QTextCursor

    from desktop.core.drafts import DraftStore
    from desktop.core.paths import AppPaths
    from desktop.core.settings import Settings
    from desktop.ui.shell.app import create_window

    paths = AppPaths.for_profile(profile)
    store = DraftStore.open(paths.drafts_db)
    app, window, runner = create_window(Settings(paths.settings_file), store, None, store.notices,
                                        policy_cache=paths.last_good_policy)
    window.resize(1240, 720)
    window.move(20, 30)
    window.show()
    window.raise_()
    window.activateWindow()  # no window manager on Xvfb: Qt shows tooltips for the active window only
    check = window.composer.policy
    state: dict = {"step": 0, "code": 1}

    def tick() -> None:
        step = state["step"]
        if step == 0:  # wait for the policy, the draft and its acknowledgements
            if check.state != "ok" or window.composer.draft is None or not check.findings:
                return
            editor = window.composer.editor
            editor.setFocus()
            cursor = editor.textCursor()
            cursor.clearSelection()
            cursor.movePosition(QTextCursor.MoveOperation.End)
            editor.setTextCursor(cursor)
            panel = window.findings_panel
            rule_id, text = SELECT
            [item] = [f for f in check.findings if f.finding.rule_id == rule_id and f.finding.text == text]
            panel.list.setCurrentRow(panel.row_of(item))
            editor.setTextCursor(cursor)  # the caret back at the end, no selection
            body = window.composer.text()
            at = QTextCursor(editor.document())
            index = body.index(HOVER) + 2
            at.setPosition(index + sum(1 for ch in body[:index] if ord(ch) > 0xFFFF))
            rect = editor.cursorRect(at)
            QCursor.setPos(editor.viewport().mapToGlobal(QPoint(rect.left() + 3, rect.center().y())))
            state["step"] = 1
        elif step < 12:  # ~1.2 s: the tooltip's delay, and a quiet moment for the last paint
            state["step"] = step + 1
        else:
            timer.stop()
            frame = window.frameGeometry().adjusted(-12, -12, 12, 12)
            image = QGuiApplication.primaryScreen().grabWindow(0).toImage().copy(frame)
            image.save(str(target), "PNG")
            print(json.dumps({"target": str(target), "size": [image.width(), image.height()],
                              "findings": [(f.severity, f.finding.rule_id, f.status) for f in check.findings]}))
            state["code"] = 0
            window.close()
            app.quit()

    timer = QTimer()
    timer.timeout.connect(tick)
    timer.start(100)
    QTimer.singleShot(30_000, app.quit)
    app.exec()
    runner.shutdown()
    store.close()
    return state["code"]


def shoot(name: str, theme: str) -> dict:
    return shoot_with_child(__file__, name, theme, seed, timeout=90)


if __name__ == "__main__":
    if len(sys.argv) == 4 and sys.argv[1] == "--child":
        sys.exit(child(Path(sys.argv[2]), Path(sys.argv[3])))
    print(json.dumps({"light": shoot("policy-findings.png", "light"),
                      "dark": shoot("policy-findings-dark.png", "dark")}))
