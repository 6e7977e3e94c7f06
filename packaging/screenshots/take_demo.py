"""Take the demo-mode screenshots of the real app (``chorus --demo``) on a private Xvfb server.

    .venv/bin/python packaging/screenshots/take_demo.py

For each of light and dark: starts a child process running desktop.bootstrap.main(["--demo"]) on Xvfb
(platform xcb), waits for the policy, publishes the clean sample to the three sandbox accounts, opens
the sample with a leaked key, shows the Sandbox feed, and grabs the window into
packaging/screenshots/demo-light.png and demo-dark.png. Needs Xvfb.
"""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]


def child(target: str, theme: str) -> None:
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
        feature = window.demo
        clean = feature.session.bundle.drafts[0].text
        deadline = time.monotonic() + 60
        state = {"step": "ready"}

        def tick() -> None:
            if time.monotonic() > deadline:
                raise SystemExit(f"timed out at {state['step']}")
            texts = [post.text for post in feature.feed.posts()]
            if state["step"] == "ready" and window.act_publish.isEnabled() and window.composer.text() == clean:
                window.publish()
                state["step"] = "published"
            elif state["step"] == "published" and texts.count(clean) == 3:
                window.drafts_controller.open_by_id(window.drafts.model.drafts()[1].id)
                state["step"] = "shown"
                state["at"] = time.monotonic()
            elif state["step"] == "shown" and time.monotonic() - state["at"] > 1.5:
                QApplication.processEvents()
                window.grab().save(target)
                window.close()
                return
            QTimer.singleShot(50, tick)

        QTimer.singleShot(50, tick)
        return app, window, runner

    app_module.create_window = drive
    raise SystemExit(main(["--demo"]))


def shoot(name: str, theme: str) -> None:
    target = REPO / "packaging" / "screenshots" / name
    env = {k: v for k, v in os.environ.items() if not k.startswith("QT_")}
    env["QT_QPA_PLATFORM"] = "xcb"
    subprocess.run(["xvfb-run", "-a", "-s", "-screen 0 1400x900x24", sys.executable, __file__, "--child",
                    str(target), theme], env=env, check=True, cwd=REPO, timeout=180)
    print(f"{target} ({target.stat().st_size} bytes)")


if __name__ == "__main__":
    if len(sys.argv) > 1 and sys.argv[1] == "--child":
        child(sys.argv[2], sys.argv[3])
    else:
        shoot("demo-light.png", "light")
        shoot("demo-dark.png", "dark")
