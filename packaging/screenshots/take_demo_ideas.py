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

import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(Path(__file__).resolve().parent))
from shots import run_demo, shoot_demo  # noqa: E402


def child(folder: str, theme: str) -> None:
    sys.path.insert(0, str(REPO))
    state: dict[str, object] = {"step": "ready"}

    def settle(next_step: str) -> None:
        state["step"], state["at"] = next_step, time.monotonic()

    def rested() -> bool:
        return time.monotonic() - float(state["at"]) > 1.5  # type: ignore[arg-type]

    def step(window) -> bool:
        from PySide6.QtWidgets import QApplication

        ideas, feature = window.ideas, window.demo
        hints = [item for item in window.composer.findings if item.finding.rule_id == "own-words"]
        tour = window.tour.tour
        if tour is not None and tour.running:
            tour.skip()  # the shots are of the window, not of the tour
        now = state["step"]
        if now == "ready" and len(ideas.panel.ideas) == len(feature.session.bundle.ideas) \
                and window.active_policy is not None:
            window.ideas_dock.raise_()
            ideas.panel.select(ideas.panel.ideas[0].key)
            ideas.draft_written.connect(lambda _id: settle("written"))
            ideas.panel.write_button.click()
            state["step"] = "writing"
        elif now == "written" and rested():
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
        elif now == "pasted" and window.composer.policy.state == "ok" and hints:
            window.policy_dock.raise_()
            panel = window.findings_panel
            panel.list.setCurrentRow(panel.row_of(hints[0]))
            settle("hinted")
        elif now == "hinted" and rested():
            QApplication.processEvents()
            window.grab().save(str(Path(folder) / f"demo-ideas-hint-{theme}.png"))
            return True
        return False

    run_demo(theme, step)


def shoot(folder: Path, theme: str) -> None:
    folder.mkdir(parents=True, exist_ok=True)
    shoot_demo(__file__, str(folder), theme)
    for name in (f"demo-ideas-{theme}.png", f"demo-ideas-hint-{theme}.png"):
        print(f"{folder / name} ({(folder / name).stat().st_size} bytes)")


if __name__ == "__main__":
    if len(sys.argv) > 2 and sys.argv[1] == "--child":
        child(sys.argv[2], sys.argv[3])
    else:
        out = Path(sys.argv[1]) if len(sys.argv) > 1 else REPO / "packaging" / "screenshots"
        shoot(out, "light")
        shoot(out, "dark")
