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
from shots import grab, main, open_window, out_folder, run_steps, seed_profile, wait  # noqa: E402
from xvfb import shoot_with_child  # noqa: E402

DRAFT = "Big week for the team: the new search is out, and the feedback has been lovely so far."


def seed(profile: Path, theme: str, broken: bool = False) -> None:
    from desktop.core.drafts import DraftStore
    from desktop.core.drafts.acknowledgements import Acknowledgement
    from desktop.core.paths import AppPaths
    from desktop.core.policy import load_policy
    from desktop.core.training import TrainingRecords, build_quiz

    seed_profile(profile, theme, {"tour.show_at_start": False, "tips.show_at_start": False})
    paths = AppPaths.for_profile(profile)
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
    opened = open_window(profile, (1100, 680), (10, 10))
    window = opened.window

    def open_trail() -> bool:
        window.audit.action.trigger()
        return True

    def verified() -> bool:
        dialog = window.audit.dialog
        if dialog is None or dialog.verification is None:
            return False
        dialog.move(window.x() + 30, window.y() + 90)
        return True

    def shot() -> bool:
        dialog = window.audit.dialog
        print(json.dumps({**grab(target, window, dialog), "rows": dialog.table.rowCount()}))
        return True

    done = run_steps(opened, [open_trail, verified, wait(8), shot], timeout_s=40, close=False)
    opened.close()
    return 0 if done else 1


def shots(args: list[str]) -> dict:
    out = out_folder(args, Path(__file__).resolve().parent)
    shots = {theme: shoot_with_child(__file__, str(out / f"audit-trail{'-dark' if theme == 'dark' else ''}.png"),
                                     theme, seed, timeout=90) for theme in ("light", "dark")}
    shots["broken"] = shoot_with_child(__file__, str(out / "audit-trail-broken.png"), "light",
                                       lambda profile, theme: seed(profile, theme, broken=True), timeout=90)
    return shots


if __name__ == "__main__":
    main(child, shots)
