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
from shots import grab, main, open_window, run_steps, seed_profile, wait  # noqa: E402
from xvfb import shoot_with_child  # noqa: E402

POST = ("Huge week for the team! We demoed Project Bluebird to @Initech and they loved it. "
        "AcmeCloud ships next week, so mark your calendars.\n\n"
        "Honestly the old dashboard was crap 😅")


def seed(profile: Path, theme: str) -> None:
    seed_profile(profile, theme, {"policy.source": "acme-example", "composer.networks": ["linkedin", "x"]},
                 ["Reading list for the week: https://example.com/reading-list-for-product-managers", POST])


def child(profile: Path, target: Path) -> int:
    """Runs on the X server: the real window, the tour at a step or presentation mode, then a screen grab.
    The step is named by the target's file name (tour-<step>[-dark].png, presentation[-dark].png)."""
    from PySide6.QtCore import Qt
    from PySide6.QtTest import QTest

    from desktop.bootstrap import build_services
    from desktop.core.accounts.secrets import MemorySecretStore

    name = target.stem.removesuffix("-dark")
    opened = open_window(profile, (1240, 740), activate=True, services=lambda settings, store, paths: build_services(
        settings, store, paths.cache_dir, secret_store=MemorySecretStore()))
    app, window = opened.app, opened.window
    check = window.composer.policy
    state: dict = {"shown": ""}

    def start() -> bool:  # once the policy, the draft and its findings, and the Accounts panel are in
        if check.state != "ok" or window.composer.draft is None or not check.findings or window.accounts_panel is None:
            return False
        if name == "presentation":
            window.presentation.action.trigger()
            return True
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
        return True

    def press_ctrl_e() -> bool:  # presentation mode shows the shortcut just pressed at the bottom
        window.composer.editor.setFocus()
        QTest.keyClick(window, Qt.Key.Key_E, Qt.KeyboardModifier.ControlModifier)
        state["shown"] = window.presentation.overlay.text()
        return True

    def shot() -> bool:
        print(json.dumps({**grab(target, window, margin=12), "shown": state["shown"],
                          "app_font_pt": app.font().pointSizeF()}))
        window.presentation.set_enabled(False)
        return True

    # then a quiet moment for the last paint
    steps = [start, wait(7), press_ctrl_e, wait(3), shot] if name == "presentation" else [start, wait(11), shot]
    done = run_steps(opened, steps)
    opened.close()
    return 0 if done else 1


def shots(args: list[str]) -> dict:
    wanted = args or ["tour-welcome", "tour-findings", "tour-publish", "presentation"]
    return {f"{name}{suffix}": shoot_with_child(__file__, f"{name}{suffix}.png", theme, seed, timeout=90)
            for name in wanted for suffix, theme in (("", "light"), ("-dark", "dark"))}


if __name__ == "__main__":
    main(child, shots)
