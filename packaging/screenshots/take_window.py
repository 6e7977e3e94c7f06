"""Take the window-size screenshots: the real window at 640×480, 800×520, 1024×640 and 1920×1080, light and dark.

    .venv/bin/python packaging/screenshots/take_window.py [OUT_FOLDER]

For each theme a child process on a private 1920×1080 Xvfb (platform xcb) starts a Mastodon-API test
server on 127.0.0.1 (tests/servers/mastodon_server.py) and a private Secret Service keyring
(tests/integration/secret_service.py), builds the app's own window with the services the app wires,
links one account through the real OAuth flow, chooses it, opens a draft with policy findings, selects
a finding, then for each size resizes the window and grabs the screen around it into
``window-WxH.png`` (``window-WxH-dark.png``). Last it publishes and grabs ``window-posted.png``: the
Publish button disabled with its reason, the posted link in the theme's link colour. OUT_FOLDER
defaults to packaging/screenshots. Needs Xvfb, dbus-daemon and gnome-keyring.
"""

from __future__ import annotations

import json
import sys
import threading
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(REPO))
import xvfb  # noqa: E402
from shots import grab, link_with_browser, main, open_window, out_folder, private_keyring, run_steps, seed_profile, wait  # noqa: E402

POST = ("Huge week for the team! 🚀 We demoed Project Bluebird to @Initech and they loved it. "
        "AcmeCloud ships next week, so mark your calendars. Our Q3 revenue grew 14% too. "
        "Questions? Mail me at jane.doe@gmail.com. " + "More notes from the offsite follow. " * 8)
CLEAN = "Loved the team offsite this week. Great people, great ideas! 🌊"
USER, PASSWORD, NAME = "jane", "jane-password-for-screenshots", "Jane Doe"
SIZES = ((640, 480), (800, 520), (1024, 640), (1920, 1080))


def seed(profile: Path, theme: str) -> None:
    seed_profile(profile, theme, {"policy.source": "acme-example", "tips.show_at_start": False,
                                  "composer.networks": ["mastodon", "bluesky", "linkedin", "x"]},
                 ["Reading list for the week: https://example.com/reading-list-for-product-managers", CLEAN, POST])


def child(profile: Path, target: Path) -> int:
    from PySide6.QtCore import Qt

    from desktop.bootstrap import build_services
    from tests.servers.mastodon_browser import AuthorizeBrowser
    from tests.servers.mastodon_server import MastodonTestServer

    keyring_service, secret_store = private_keyring()
    server = MastodonTestServer(users={}, domain="mastodon.example", max_characters=500)
    server.add_user(USER, PASSWORD, NAME)
    server.start()
    opened = open_window(profile, (1240, 760), (20, 20), activate=True, open_url=lambda url: True,
                         outbox_first_try_ms=-1, services=lambda settings, store, paths: build_services(
                             settings, store, paths.cache_dir, secret_store=secret_store))
    window, services = opened.window, opened.services
    bar, check = window.publish_bar, window.composer.policy
    dark = opened.settings.get("appearance.theme") == "dark"
    state: dict = {"shots": {}}
    linked: list = []

    def shot(name: str) -> None:
        out = target.parent / (name + ("-dark" if dark else "") + ".png")
        grab(out, window, margin=4)
        state["shots"][out.name] = [window.width(), window.height()]

    def start_linking() -> bool:
        if window.active_policy is None or window.active_policy.policy is None:
            return False
        threading.Thread(target=lambda: linked.append(link_with_browser(
            services, "mastodon", server.url, AuthorizeBrowser(USER, PASSWORD))), daemon=True).start()
        return True

    def linked_and_checked() -> bool:
        if not (linked and check.state == "ok" and window.composer.draft is not None
                and window.accounts_panel is not None):
            return False
        window.accounts_panel.refresh()
        return True

    def choose_account() -> bool:
        panel = window.accounts_panel
        if len(panel.records) != 1:
            return False
        for record in panel.records:
            bar.picker.item_for(record.account.id).setCheckState(Qt.CheckState.Checked)
        findings = window.findings_panel
        if findings.list.count() > 2:
            findings.list.setCurrentRow(2)
        return True

    def at_size(w: int, h: int) -> list:
        def resize() -> bool:
            window.move(*((0, 0) if w + 20 > 1920 or h + 20 > 1080 else (20, 20)))  # wholly on the screen
            window.resize(w, h)
            return True

        def size_shot() -> bool:
            shot(f"window-{w}x{h}")
            return True

        return [resize, wait(4), size_shot]

    def open_clean() -> bool:
        window.resize(1024, 640)
        window.drafts.view.setCurrentIndex(window.drafts.view.model().index(1, 0))
        return True

    def publish() -> bool:
        if window.composer.text() != CLEAN or check.state != "ok" or not bar.publish_button.isEnabled():
            return False
        bar.publish_button.click()
        return True

    def posted() -> bool:
        run = bar.runs.get(window.composer.draft.id)
        return run is not None and not run.sending and bool(run.statuses)

    def posted_shot() -> bool:
        shot("window-posted")
        print(json.dumps({"shots": state["shots"],
                          "publish_after_post": [bar.publish_button.isEnabled(), bar.publish_button.toolTip()],
                          "minimum": [window.minimumSizeHint().width(), window.minimumSizeHint().height()]}))
        return True

    steps = [start_linking, linked_and_checked, choose_account, *(s for w, h in SIZES for s in at_size(w, h)),
             open_clean, publish, posted, wait(7), posted_shot]
    done = run_steps(opened, steps, timeout_s=90)
    opened.close()
    server.stop()
    keyring_service.stop()
    return 0 if done else 1


def shots(args: list[str]) -> dict:
    xvfb.SCREENSHOTS = out_folder(args, xvfb.SCREENSHOTS)
    return {theme: xvfb.shoot_with_child(__file__, "window", theme, seed, timeout=150, screen="1920x1080")
            for theme in ("light", "dark")}


if __name__ == "__main__":
    main(child, shots)
