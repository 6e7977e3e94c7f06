"""Take the README screenshots of the real app on a private Xvfb server.

    .venv/bin/python packaging/screenshots/take.py

Seeds a throw-away profile with a few drafts, starts ``main.py --profile`` on Xvfb (platform xcb),
waits for the window and grabs the screen into packaging/screenshots/*.png, in light and dark mode.
Needs Xvfb and xdotool (apt).
"""

from __future__ import annotations

import json
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(REPO))
from xvfb import display_env, start_xvfb  # noqa: E402

from desktop.core.drafts import DraftStore  # noqa: E402
from desktop.core.paths import AppPaths  # noqa: E402
from tests.integration.xtools import grab_screen, stop, wait_for_window  # noqa: E402

DRAFTS = [
    "Three years ago I joined the support team. Today I answered my 10,000th ticket, and the thing "
    "I've learned: most \"bugs\" are missing docs.",
    "Reading list for the week: https://example.com/reading-list-for-product-managers-2026",
    "We're hiring two backend engineers in Lisbon — ask me anything about the team!",
    "Conference recap: 🎤 three talks on accessible design, one on offline-first sync 🚀 and a "
    "panel about burnout. Slides below. 日本語のスライドもあります。",
]


def shoot(name: str, theme: str) -> dict:
    with tempfile.TemporaryDirectory(prefix="chorus-shot-") as tmp:
        paths = AppPaths.for_profile(Path(tmp))
        paths.ensure()
        paths.settings_file.write_text(json.dumps({"schema_version": 1, "values": {"appearance.theme": theme}}))
        store = DraftStore.open(paths.drafts_db)
        for body in DRAFTS:
            store.create(body)
        store.close()
        xvfb, display = start_xvfb()
        env = display_env(display)
        app = subprocess.Popen([sys.executable, str(REPO / "main.py"), "--profile", tmp], env=env)
        try:
            window = wait_for_window(env, r"Chorus$", app)
            subprocess.run(["xdotool", "windowmove", window, "90", "50"], env=env, check=True)
            time.sleep(1.5)
            target = REPO / "packaging" / "screenshots" / name
            report = grab_screen(env, target)
            geometry = dict(line.split("=", 1) for line in subprocess.run(
                ["xdotool", "getwindowgeometry", "--shell", window], env=env, check=True,
                capture_output=True, text=True).stdout.split())
            from PySide6.QtGui import QImage

            x, y, w, h = (int(geometry[k]) for k in ("X", "Y", "WIDTH", "HEIGHT"))
            QImage(str(target)).copy(x, y, w, h).save(str(target), "PNG")
            report["window"] = [x, y, w, h]
            return report
        finally:
            stop(app)
            stop(xvfb)


if __name__ == "__main__":
    print(json.dumps({"light": shoot("main-window.png", "light"), "dark": shoot("main-window-dark.png", "dark")}))
