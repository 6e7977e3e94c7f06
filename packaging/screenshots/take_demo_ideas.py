"""Take the demo-mode Ideas screenshots of the real app (``chorus --demo``) on a private Xvfb server.

    .venv/bin/python packaging/screenshots/take_demo_ideas.py [FOLDER]

For each of light and dark: starts a child process running desktop.bootstrap.main(["--demo"]) on Xvfb
(platform xcb), waits for the bundle's ideas in the Ideas panel, brings the Ideas tab forward, selects
the release and chooses Write about this, and grabs the window (the ideas, the new draft, the suggested
copy beside it) into FOLDER/demo-ideas-<theme>.png; then pastes the suggested copy into the draft,
brings the Policy tab forward with the own-words hint selected, and grabs FOLDER/demo-ideas-hint-<theme>.png
(default FOLDER: packaging/screenshots). Needs Xvfb.
"""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]


def child(folder: str, theme: str) -> None:
    sys.path.insert(0, str(REPO))
    from PySide6.QtCore import QTimer
    from PySide6.QtWidgets import QApplication

    import desktop.ui.shell.app as app_module
    from desktop.bootstrap import main
    from desktop.ui.common.theme import apply_theme

    create_window = app_module.create_window

    def drive(*args, **kwargs):
        app, window, runner = create_window(*args, **kwargs)
        apply_theme(app, theme)
        window.resize(1280, 780)
        ideas, feature = window.ideas, window.demo
        deadline = time.monotonic() + 60
        state: dict[str, object] = {"step": "ready"}

        def hint_items() -> list:
            return [item for item in window.composer.findings if item.finding.rule_id == "own-words"]

        def settle(next_step: str) -> None:
            state["step"], state["at"] = next_step, time.monotonic()

        def rested() -> bool:
            return time.monotonic() - float(state["at"]) > 1.5  # type: ignore[arg-type]

        def tick() -> None:
            if time.monotonic() > deadline:
                raise SystemExit(f"timed out at {state['step']}")
            tour = window.tour.tour
            if tour is not None and tour.running:
                tour.skip()  # the shots are of the window, not of the tour
            step = state["step"]
            if step == "ready" and len(ideas.panel.ideas) == len(feature.session.bundle.ideas) \
                    and window.active_policy is not None:
                window.ideas_dock.raise_()
                ideas.panel.select(ideas.panel.ideas[0].key)
                ideas.draft_written.connect(lambda _id: settle("written"))
                ideas.panel.write_button.click()
                state["step"] = "writing"
            elif step == "written" and rested():
                QApplication.processEvents()
                window.grab().save(str(Path(folder) / f"demo-ideas-{theme}.png"))
                reference = ideas.reference.text
                reference.selectAll()
                reference.copy()
                cursor = reference.textCursor()
                cursor.clearSelection()
                reference.setTextCursor(cursor)
                editor = window.composer.editor
                editor.selectAll()
                editor.paste()
                state["step"] = "pasted"
            elif step == "pasted" and window.composer.policy.state == "ok" and hint_items():
                window.policy_dock.raise_()
                panel = window.findings_panel
                panel.list.setCurrentRow(panel.row_of(hint_items()[0]))
                settle("hinted")
            elif step == "hinted" and rested():
                QApplication.processEvents()
                window.grab().save(str(Path(folder) / f"demo-ideas-hint-{theme}.png"))
                window.close()
                return
            QTimer.singleShot(50, tick)

        QTimer.singleShot(50, tick)
        return app, window, runner

    app_module.create_window = drive
    raise SystemExit(main(["--demo"]))


def shoot(folder: Path, theme: str) -> None:
    folder.mkdir(parents=True, exist_ok=True)
    env = {k: v for k, v in os.environ.items() if not k.startswith("QT_")}
    env["QT_QPA_PLATFORM"] = "xcb"
    subprocess.run(["xvfb-run", "-a", "-s", "-screen 0 1400x900x24", sys.executable, __file__, "--child",
                    str(folder), theme], env=env, check=True, cwd=REPO, timeout=180)
    for name in (f"demo-ideas-{theme}.png", f"demo-ideas-hint-{theme}.png"):
        print(f"{folder / name} ({(folder / name).stat().st_size} bytes)")


if __name__ == "__main__":
    if len(sys.argv) > 2 and sys.argv[1] == "--child":
        child(sys.argv[2], sys.argv[3])
    else:
        out = Path(sys.argv[1]) if len(sys.argv) > 1 else REPO / "packaging" / "screenshots"
        shoot(out, "light")
        shoot(out, "dark")
