"""Take the authenticity-check screenshots: a draft that repeats one of the author's own posts.

    .venv/bin/python packaging/screenshots/take_authenticity.py [FOLDER]

For each of light and dark: seeds a throw-away profile (the default policy, one post published to
Mastodon two days ago: a sent publish record, and a new draft that repeats it with a greeting and
an emoji), then starts this script again as a child on Xvfb (platform xcb). The child builds the
app's own window, waits until the live check has read the own posts on the db lane and shows the
hint, selects it in the Policy panel, rests the mouse on the underline so Qt shows its tooltip, and
grabs the screen around the window into FOLDER/authenticity.png and authenticity-dark.png (default
FOLDER: packaging/screenshots). Needs Xvfb.
"""

from __future__ import annotations

import json
import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(REPO))
from xvfb import shoot_with_child  # noqa: E402

OWN = ("Three years at Acme today. I started on the support desk and now I help build the sync engine; thank you "
       "to everyone who answered my questions along the way.")
DRAFT = "Hello again, friends! 🎉 " + OWN.replace("today", "this week")
HOVER = "support desk"


def seed(profile: Path, theme: str) -> None:
    from desktop.core.drafts import DraftStore
    from desktop.core.paths import AppPaths
    from desktop.core.ports import Account
    from desktop.core.publishing.store import PublishStore

    paths = AppPaths.for_profile(profile)
    paths.ensure()
    paths.settings_file.write_text(json.dumps({"schema_version": 1, "values": {
        "appearance.theme": theme, "policy.source": "default", "composer.networks": ["mastodon", "linkedin"]}}),
        encoding="utf-8")
    two_days_ago = time.time() - 2 * 86_400
    store = DraftStore.open(paths.drafts_db, clock=lambda: two_days_ago)
    published = store.create(OWN)
    history = PublishStore(store)
    history.begin_publication(published.id, Account("acct-m", "mastodon", "@sam@social.example",
                                                    "https://social.example"), "shot-1")
    history.mark_sent("shot-1", "https://social.example/@sam/1", "1")
    store.close()
    store = DraftStore.open(paths.drafts_db)
    store.create(DRAFT)
    store.close()


def child(profile: Path, target: Path) -> int:
    """Runs on the X server: the real window, the hint selected, a tooltip, then a screen grab."""
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

    def hint() -> list:
        return [f for f in check.findings if f.finding.rule_id == "own-words"]

    def tick() -> None:
        step = state["step"]
        if step == 0:  # wait for the policy, the own posts and the check with them
            if check.state != "ok" or window.composer.draft is None or not hint():
                return
            editor = window.composer.editor
            editor.setFocus()
            cursor = editor.textCursor()
            cursor.clearSelection()
            cursor.movePosition(QTextCursor.MoveOperation.End)
            panel = window.findings_panel
            panel.list.setCurrentRow(panel.row_of(hint()[0]))
            editor.setTextCursor(cursor)
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
                              "findings": [(f.severity, f.finding.rule_id, f.finding.message) for f in hint()]}))
            state["code"] = 0
            window.close()
            app.quit()

    timer = QTimer()
    timer.timeout.connect(tick)
    timer.start(100)
    QTimer.singleShot(60_000, app.quit)
    app.exec()
    runner.shutdown()
    store.close()
    return state["code"]


def shoot(folder: Path, name: str, theme: str) -> dict:
    return shoot_with_child(__file__, str(folder / name), theme, seed, timeout=120)


if __name__ == "__main__":
    if len(sys.argv) == 4 and sys.argv[1] == "--child":
        sys.exit(child(Path(sys.argv[2]), Path(sys.argv[3])))
    out = Path(sys.argv[1]).resolve() if len(sys.argv) > 1 else REPO / "packaging" / "screenshots"
    out.mkdir(parents=True, exist_ok=True)
    print(json.dumps({"light": shoot(out, "authenticity.png", "light"),
                      "dark": shoot(out, "authenticity-dark.png", "dark")}))
