"""Take the Preview panel screenshots: the real window on a private Xvfb server.

    .venv/bin/python packaging/screenshots/take_preview.py

For light and dark, at a large (1240x820) and a small (820x560) window: seeds a throw-away profile
(the composer's networks Bluesky, Mastodon and LinkedIn) with a draft just over Bluesky's 300
graphemes that has a mention, hashtags, a link and emoji, starts this script again as a child on
Xvfb, attaches two images to the preview (one without alt text), brings the Preview panel forward
and grabs the window into packaging/screenshots/preview-*.png. Needs Xvfb.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(REPO))
from xvfb import shoot_with_child  # noqa: E402

POST = ("Release day 🎉 Chorus 2.0 is out, with previews for every network before you post. Thanks "
        "@alice.bsky.social for the design and the whole team for testing it on three networks at once. "
        "Notes: https://example.com/blog/2026/chorus-2-release-notes #Chorus #release\n"
        "Next up: threads for long posts, scheduling, and a window that works at any size. Tell us what "
        "you would like to see, we read everything. 🙌")
SIZES = {"large": (1240, 820), "small": (820, 560)}


def seed(profile: Path, theme: str) -> None:
    from desktop.core.drafts import DraftStore
    from desktop.core.paths import AppPaths

    paths = AppPaths.for_profile(profile)
    paths.ensure()
    paths.settings_file.write_text(json.dumps({"schema_version": 1, "values": {
        "appearance.theme": theme, "tips.show_at_start": False,
        "composer.networks": ["bluesky", "mastodon", "linkedin"]}}), encoding="utf-8")
    store = DraftStore.open(paths.drafts_db)
    store.create(POST)
    store.close()


def child(profile: Path, target: Path) -> int:
    from PySide6.QtCore import QTimer
    from PySide6.QtGui import QGuiApplication

    from desktop.core.drafts import DraftStore
    from desktop.core.paths import AppPaths
    from desktop.core.preview import PreviewImage
    from desktop.core.settings import Settings
    from desktop.ui.shell.app import create_window

    paths = AppPaths.for_profile(profile)
    store = DraftStore.open(paths.drafts_db)
    app, window, runner = create_window(Settings(paths.settings_file), store, None, store.notices,
                                        policy_cache=paths.last_good_policy)
    width, height = SIZES["small" if "small" in target.name else "large"]
    window.resize(width, height)
    window.move(20, 30)
    window.show()
    state: dict = {"step": 0, "code": 1}

    def tick() -> None:
        step = state["step"]
        panel = window.preview.panel
        if step == 0:
            if window.composer.draft is None:
                return
            window.preview.set_images([PreviewImage("The new preview panel beside the editor", "preview.png", "",
                                                    1600, 900), PreviewImage("", "team.jpg", "", 1200, 800)])
            window.preview_dock.raise_()
            if width >= 1200:
                window.resizeDocks([window.preview_dock], [520], _horizontal())
            state["step"] = 1
        elif step < 12 or not panel.previews:
            state["step"] = step + 1
        else:
            timer.stop()
            frame = window.frameGeometry().adjusted(-8, -8, 8, 8)
            image = QGuiApplication.primaryScreen().grabWindow(0).toImage().copy(frame)
            image.save(str(target), "PNG")
            print(json.dumps({"target": str(target), "size": [image.width(), image.height()],
                              "counts": {k: [p.count.used, p.count.limit] for k, p in panel.previews.items()},
                              "cuts": {k: p.cut.index if p.cut else None for k, p in panel.previews.items()}}))
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


def _horizontal():
    from PySide6.QtCore import Qt

    return Qt.Orientation.Horizontal


def shoot(name: str, theme: str) -> dict:
    return shoot_with_child(__file__, name, theme, seed, timeout=90)


if __name__ == "__main__":
    if len(sys.argv) == 4 and sys.argv[1] == "--child":
        sys.exit(child(Path(sys.argv[2]), Path(sys.argv[3])))
    print(json.dumps({"large": shoot("preview-large.png", "light"), "large-dark": shoot("preview-large-dark.png", "dark"),
                      "small": shoot("preview-small.png", "light"),
                      "small-dark": shoot("preview-small-dark.png", "dark")}))
