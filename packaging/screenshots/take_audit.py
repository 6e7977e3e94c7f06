"""Take the audit trail screenshots: Help → Audit trail… with a few records, light and dark.

    .venv/bin/python packaging/screenshots/take_audit.py [OUTPUT_DIR]

For each of light and dark: seeds a throw-away profile (the real tests/data/drafts-v8.db upgraded, so its
history becomes migrated records, then a warning acknowledged and a policy check through today's stores),
then starts this script again as a child on Xvfb (platform xcb). The child builds the app's own window
(``desktop.ui.shell.app.create_window``), opens Help → Audit trail… and grabs the window with the dialog
once the records and the verification line are in; then once more (light) with a record removed from the
file, to show the verification line naming where the chain breaks. Written to OUTPUT_DIR (default: this folder). Needs Xvfb.
"""

from __future__ import annotations

import json
import shutil
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(REPO))
from xvfb import shoot_with_child  # noqa: E402

DRAFT = "Big week for the team: the new search is out, and the feedback has been lovely so far."


def seed(profile: Path, theme: str, broken: bool = False) -> None:
    from desktop.core.drafts import DraftStore
    from desktop.core.drafts.acknowledgements import Acknowledgement
    from desktop.core.paths import AppPaths
    from desktop.core.policy import load_policy
    from desktop.core.training import TrainingRecords, build_quiz

    paths = AppPaths.for_profile(profile)
    paths.ensure()
    paths.settings_file.write_text(json.dumps({"schema_version": 1, "values": {
        "appearance.theme": theme, "tour.show_at_start": False, "tips.show_at_start": False}}), encoding="utf-8")
    shutil.copy(REPO / "tests" / "data" / "drafts-v8.db", paths.drafts_db)
    store = DraftStore.open(paths.drafts_db)
    draft = store.create(DRAFT)
    store.save_acknowledgement(Acknowledgement(draft.id, "forward-looking", "lovely so far", 0, "acme-example@2025.06.1",
                                               "acknowledged", "Customer quotes from the public launch page"))
    quiz = build_quiz(load_policy("acme-example"), seed=3, per_category=1, categories=["codename"])
    TrainingRecords(store).record_quiz(quiz.grade([q.can_go_out for q in quiz.questions]))
    store.close()
    if broken:  # someone removed a record from the file: the dialog says where the chain breaks
        import sqlite3

        with sqlite3.connect(paths.drafts_db) as db:
            db.execute("DELETE FROM audit_log WHERE seq = 4")


def child(profile: Path, target: Path) -> int:
    """Runs on the X server: the real window, Help → Audit trail…, then a screen grab."""
    from PySide6.QtCore import QTimer
    from PySide6.QtGui import QGuiApplication

    from desktop.core.drafts import DraftStore
    from desktop.core.paths import AppPaths
    from desktop.core.settings import Settings
    from desktop.ui.shell.app import create_window

    paths = AppPaths.for_profile(profile)
    store = DraftStore.open(paths.drafts_db)
    settings = Settings(paths.settings_file)
    app, window, runner = create_window(settings, store, None, store.notices, policy_cache=paths.last_good_policy)
    window.resize(1100, 680)
    window.move(10, 10)
    window.show()
    state: dict = {"step": 0, "code": 1}

    def tick() -> None:
        step = state["step"]
        if step == 0:
            window.audit.action.trigger()
            state["step"] = 1
        elif step == 1:
            dialog = window.audit.dialog
            if dialog is None or dialog.verification is None:
                return
            dialog.move(window.x() + 30, window.y() + 90)
            state["step"] = 2
        elif step < 10:
            state["step"] = step + 1
        else:
            timer.stop()
            rect = window.frameGeometry().united(window.audit.dialog.frameGeometry()).adjusted(-8, -8, 8, 8)
            image = QGuiApplication.primaryScreen().grabWindow(0).toImage().copy(rect)
            image.save(str(target), "PNG")
            print(json.dumps({"target": str(target), "size": [image.width(), image.height()],
                              "rows": window.audit.dialog.table.rowCount()}))
            state["code"] = 0
            app.quit()

    timer = QTimer()
    timer.timeout.connect(tick)
    timer.start(100)
    QTimer.singleShot(40_000, app.quit)
    app.exec()
    runner.shutdown()
    store.close()
    return state["code"]


if __name__ == "__main__":
    if len(sys.argv) == 4 and sys.argv[1] == "--child":
        sys.exit(child(Path(sys.argv[2]), Path(sys.argv[3])))
    out = Path(sys.argv[1]).resolve() if len(sys.argv) > 1 else Path(__file__).resolve().parent
    out.mkdir(parents=True, exist_ok=True)
    shots = {theme: shoot_with_child(__file__, str(out / f"audit-trail{'-dark' if theme == 'dark' else ''}.png"),
                                     theme, seed, timeout=90) for theme in ("light", "dark")}
    shots["broken"] = shoot_with_child(__file__, str(out / "audit-trail-broken.png"), "light",
                                       lambda profile, theme: seed(profile, theme, broken=True), timeout=90)
    print(json.dumps(shots))
