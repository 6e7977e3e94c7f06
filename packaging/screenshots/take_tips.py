"""Take the Tips panel screenshots: the real window on a private Xvfb server, a post with findings.

    .venv/bin/python packaging/screenshots/take_tips.py

For each of light and dark, at a normal (1240x720) and a small (820x560) window: seeds a throw-away
profile (the acme-example policy, the composer's networks Mastodon and Bluesky, a draft with a
codename and an endorsement without disclosure), starts this script again as a child on Xvfb, brings
the Tips panel forward once the tips are ranked for the findings, leaves the tip of the day showing,
and grabs the window into packaging/screenshots/tips-*.png. Needs Xvfb.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(REPO))
from xvfb import shoot_with_child  # noqa: E402

POST = ("Demoed Project Bluebird to the team today and honestly, Acme Vault is the best backup tool "
        "out there. #opensource")
SIZES = {"normal": (1240, 720), "small": (820, 560)}


def seed(profile: Path, theme: str) -> None:
    from desktop.core.drafts import DraftStore
    from desktop.core.paths import AppPaths

    paths = AppPaths.for_profile(profile)
    paths.ensure()
    paths.settings_file.write_text(json.dumps({"schema_version": 1, "values": {
        "appearance.theme": theme, "policy.source": "acme-example",
        "composer.networks": ["mastodon", "bluesky"]}}), encoding="utf-8")
    store = DraftStore.open(paths.drafts_db)
    store.create("Reading list for the week: https://example.com/reading-list-for-product-managers")
    store.create(POST)
    store.close()


def child(profile: Path, target: Path) -> int:
    from PySide6.QtCore import QTimer
    from PySide6.QtGui import QGuiApplication

    from desktop.core.drafts import DraftStore
    from desktop.core.paths import AppPaths
    from desktop.core.settings import Settings
    from desktop.ui.shell.app import create_window

    paths = AppPaths.for_profile(profile)
    store = DraftStore.open(paths.drafts_db)
    app, window, runner = create_window(Settings(paths.settings_file), store, None, store.notices,
                                        policy_cache=paths.last_good_policy)
    width, height = SIZES["small" if "small" in target.name else "normal"]
    window.resize(width, height)
    window.move(20, 30)
    window.show()
    state: dict = {"step": 0, "code": 1}

    def tick() -> None:
        step = state["step"]
        tips = window.tips
        if step == 0:
            check = window.composer.policy
            if check.state != "ok" or not check.findings or not tips.panel.ranked:
                return
            if tips.panel.group(tips.panel.ranked[0].id) != "finding":
                return
            window.tips_dock.raise_()
            state["step"] = 1
        elif step < 10:
            state["step"] = step + 1
        else:
            timer.stop()
            frame = window.frameGeometry().adjusted(-8, -8, 8, 8)
            image = QGuiApplication.primaryScreen().grabWindow(0).toImage().copy(frame)
            image.save(str(target), "PNG")
            print(json.dumps({"target": str(target), "size": [image.width(), image.height()],
                              "first_tips": tips.panel.tip_ids()[:5],
                              "card": tips.card.isVisible(),
                              "findings": [f.finding.rule_id for f in window.composer.findings]}))
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
    print(json.dumps({"light": shoot("tips-panel.png", "light"), "dark": shoot("tips-panel-dark.png", "dark"),
                      "small": shoot("tips-panel-small.png", "light"),
                      "small-dark": shoot("tips-panel-small-dark.png", "dark")}))
