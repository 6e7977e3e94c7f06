"""Take the guided tour's and presentation mode's screenshots: the real window on a private Xvfb server.

    .venv/bin/python packaging/screenshots/take_tour.py

For each of light and dark: seeds a throw-away profile (the acme-example policy, a draft with findings),
then starts this script again as a child on Xvfb (platform xcb). The child builds the app's own window
(``desktop.ui.shell.app.create_window``, accounts and publishing with the in-memory secret store demo
mode uses, the policy loaded on its lane as in the app) and grabs the screen around the window:

- tour-welcome.png, tour-findings.png, tour-publish.png (and -dark): the tour at that step;
- tour-floating.png (and -dark): the Policy panel floated, and the tour framing it where it floats;
- presentation.png (and -dark): presentation mode on, the high-contrast underlines, and Ctrl+E just
  pressed shown at the bottom.
Needs Xvfb.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(REPO))
from xvfb import shoot_with_child  # noqa: E402

POST = ("Huge week for the team! We demoed Project Bluebird to @Initech and they loved it. "
        "AcmeCloud ships next week, so mark your calendars.\n\n"
        "Honestly the old dashboard was crap 😅")


def seed(profile: Path, theme: str) -> None:
    from desktop.core.drafts import DraftStore
    from desktop.core.paths import AppPaths

    paths = AppPaths.for_profile(profile)
    paths.ensure()
    paths.settings_file.write_text(json.dumps({"schema_version": 1, "values": {
        "appearance.theme": theme, "policy.source": "acme-example",
        "composer.networks": ["linkedin", "x"]}}), encoding="utf-8")
    store = DraftStore.open(paths.drafts_db)
    store.create("Reading list for the week: https://example.com/reading-list-for-product-managers")
    store.create(POST)
    store.close()


def child(profile: Path, target: Path) -> int:
    """Runs on the X server: the real window, the tour at a step or presentation mode, then a screen grab.
    The step is named by the target's file name (tour-<step>[-dark].png, presentation[-dark].png)."""
    from PySide6.QtCore import Qt, QTimer
    from PySide6.QtGui import QGuiApplication
    from PySide6.QtTest import QTest

    from desktop.bootstrap import build_services
    from desktop.core.accounts.secrets import MemorySecretStore
    from desktop.core.drafts import DraftStore
    from desktop.core.paths import AppPaths
    from desktop.core.settings import Settings
    from desktop.ui.shell.app import create_window

    name = target.stem.removesuffix("-dark")
    paths = AppPaths.for_profile(profile)
    store = DraftStore.open(paths.drafts_db)
    settings = Settings(paths.settings_file)
    services = build_services(settings, store, paths.cache_dir, secret_store=MemorySecretStore())
    app, window, runner = create_window(settings, store, None, store.notices, policy_cache=paths.last_good_policy,
                                        services=services)
    window.resize(1240, 740)
    window.move(20, 30)
    window.show()
    window.raise_()
    window.activateWindow()
    check = window.composer.policy
    state: dict = {"step": 0, "code": 1, "shown": ""}

    def tick() -> None:
        step = state["step"]
        if step == 0:  # wait for the policy, the draft and its findings, and the Accounts panel
            if check.state != "ok" or window.composer.draft is None or not check.findings \
                    or window.accounts_panel is None:
                return
            if name == "presentation":
                window.presentation.action.trigger()
            else:
                if name == "tour-floating":  # the Policy panel floated over the window's lower left
                    dock = window.policy_dock
                    dock.setFloating(True)
                    dock.resize(380, 330)
                    dock.move(window.x() + 300, window.y() + 380)
                assert window.offer_tour()  # as on the first start
                tour = window.tour.tour
                wanted = "findings" if name == "tour-floating" else name.removeprefix("tour-")
                while tour.step.key != wanted and tour.running:
                    tour.next()
                window.tour.take()  # the keyboard on the callout: its hint says which keys work
                state["shown"] = tour.step.key if tour.running else ""
            state["step"] = 1
        elif step == 8 and name == "presentation":
            window.composer.editor.setFocus()
            QTest.keyClick(window, Qt.Key.Key_E, Qt.KeyboardModifier.ControlModifier)  # shown at the bottom
            state["shown"] = window.presentation.overlay.text()
            state["step"] = step + 1
        elif step < 12:  # a quiet moment for the last paint
            state["step"] = step + 1
        else:
            timer.stop()
            frame = window.frameGeometry().adjusted(-12, -12, 12, 12)
            image = QGuiApplication.primaryScreen().grabWindow(0).toImage().copy(frame)
            image.save(str(target), "PNG")
            print(json.dumps({"target": str(target), "size": [image.width(), image.height()],
                              "shown": state["shown"], "app_font_pt": app.font().pointSizeF()}))
            state["code"] = 0
            window.presentation.set_enabled(False)
            window.close()
            app.quit()

    timer = QTimer()
    timer.timeout.connect(tick)
    timer.start(100)
    QTimer.singleShot(30_000, app.quit)
    app.exec()
    runner.shutdown()
    services.close()
    store.close()
    return state["code"]


def shoot(name: str, theme: str) -> dict:
    return shoot_with_child(__file__, name, theme, seed, timeout=90)


if __name__ == "__main__":
    if len(sys.argv) == 4 and sys.argv[1] == "--child":
        sys.exit(child(Path(sys.argv[2]), Path(sys.argv[3])))
    wanted = sys.argv[1:] or ["tour-welcome", "tour-findings", "tour-publish", "presentation"]
    print(json.dumps({f"{name}{suffix}": shoot(f"{name}{suffix}.png", theme)
                      for name in wanted for suffix, theme in (("", "light"), ("-dark", "dark"))}))
