"""Take the demo-mode screenshots of the real app (``chorus --demo``) on a private Xvfb server.

    .venv/bin/python packaging/screenshots/take_demo.py

For each of light and dark: starts a child process running desktop.bootstrap.main(["--demo"]) on Xvfb
(platform xcb), waits for the policy, acknowledges it (as a trainer does first), publishes the clean
sample to the three sandbox accounts, opens the sample with a leaked key, shows the Sandbox feed, and
grabs the window into packaging/screenshots/demo-light.png and demo-dark.png. Needs Xvfb.
"""

from __future__ import annotations

import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(Path(__file__).resolve().parent))
from shots import run_demo, shoot_demo  # noqa: E402


def child(target: str, theme: str) -> None:
    sys.path.insert(0, str(REPO))
    state: dict = {"step": "ready"}

    def step(window) -> bool:
        from PySide6.QtWidgets import QApplication

        feature = window.demo
        clean = feature.session.bundle.drafts[0].text
        texts = [post.text for post in feature.feed.posts()]
        tour = window.tour.tour
        if tour is not None and tour.running:
            tour.skip()  # the shots are of the window, not of the tour
        training = window.training
        if state["step"] == "ready" and training is not None and training.status is not None:
            # a trainer's demo starts with the policy to read and acknowledge, as every new profile does
            if training.status.acknowledged:
                state["step"] = "acknowledged"
            elif training.summary_dialog is None or not training.summary_dialog.isVisible():
                training.show_policy()
            else:
                training.acknowledge()
                training.summary_dialog.close()
        elif state["step"] == "acknowledged" and window.act_publish.isEnabled() and window.composer.text() == clean:
            window.publish()
            state["step"] = "published"
        elif state["step"] == "published" and texts.count(clean) == 3:
            window.drafts_controller.open_by_id(window.drafts.model.drafts()[1].id)
            state["step"], state["at"] = "shown", time.monotonic()
        elif state["step"] == "shown" and time.monotonic() - state["at"] > 1.5:
            QApplication.processEvents()
            window.grab().save(target)
            return True
        return False

    run_demo(theme, step)


def shoot(name: str, theme: str) -> None:
    target = REPO / "packaging" / "screenshots" / name
    shoot_demo(__file__, str(target), theme)
    print(f"{target} ({target.stat().st_size} bytes)")


if __name__ == "__main__":
    if len(sys.argv) > 1 and sys.argv[1] == "--child":
        child(sys.argv[2], sys.argv[3])
    else:
        shoot("demo-light.png", "light")
        shoot("demo-dark.png", "dark")
